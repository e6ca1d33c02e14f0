// Drives Debian's chromium (headless, through playwright-core) through
// the admin UI as an operator would: sign in, find an order held for a
// missing SKU, add the mapping, watch it go through; replay a failed
// order after a preview; bulk-replay the error queue; reset a cursor;
// sign out. Prints one "ok - ..." or "not ok - ..." line per check
// (tests/browser/ui.test turns them into TAP) and saves a screenshot of
// every page into OUT.
'use strict';
const path = require('path');
const fs = require('fs');
const { chromium } = require(process.env.PW_CORE || 'playwright-core');

const env = (k) => { if (!process.env[k]) throw new Error(`${k} not set`); return process.env[k]; };
const BASE = env('BASE_URL');
const OUT = env('OUT');
const USER = env('UI_USER');
const PASS = env('UI_PASS');
const HELD = env('HELD_ID');          // ShipStation orderId held for a SKU
const HELD_NUM = env('HELD_NUMBER');
const SKU = env('HELD_SKU');
const ITEM = env('X3_ITEM');
const FAILED = env('FAILED_ID');      // a dead order job to replay
const CURSOR = env('CURSOR');
const BULK = Number(env('BULK_N'));   // dead jobs in the error queue

let n = 0;
function check(cond, desc) {
  n++;
  console.log(`${cond ? 'ok' : 'not ok'} - ${desc}`);
  return cond;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

// Reload until fn() is true or the deadline passes (no sleeps for luck).
async function until(page, fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await page.waitForTimeout(300);
    await page.reload();
  }
}

const text = async (page, sel) => ((await page.locator(sel).first().textContent({ timeout: 5000 }).catch(() => '')) || '').trim();

async function main() {
  const dir = fs.mkdtempSync(path.join(OUT, 'profile-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const cspErrors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  try {
    // Sign in.
    await page.goto(`${BASE}/admin/`);
    check(page.url().endsWith('/admin/login'), 'signed out, a page sends us to sign-in');
    await shot(page, '01-login');
    await page.fill('#username', USER);
    await page.fill('#password', PASS);
    await Promise.all([page.waitForURL('**/admin/'), page.click('#signin')]);
    check((await text(page, 'h1')) === 'Dashboard', 'signed in: the dashboard');
    await shot(page, '02-dashboard');

    // Find the order held for a missing SKU.
    await page.goto(`${BASE}/admin/orders`);
    await page.fill('#q', HELD_NUM);
    await Promise.all([page.waitForURL('**/admin/orders?**'), page.click('#search')]);
    await shot(page, '03-orders-search');
    const link = page.locator(`a[href="/admin/order?id=${HELD}"]`);
    check(await link.count() === 1, `search by number finds order ${HELD_NUM}`);
    await Promise.all([page.waitForURL(`**/admin/order?id=${HELD}`), link.click()]);
    check(await text(page, '#jobstate') === 'held', 'the order is held');
    check((await text(page, '#joberror')).includes(SKU), 'the error names the missing SKU');
    await shot(page, '04-order-held');

    // Add the mapping; the poller resumes the job.
    await page.goto(`${BASE}/admin/maps?type=sku`);
    await page.fill('#map-key', SKU);
    await page.fill('#map-item', ITEM);
    await Promise.all([page.waitForURL('**/admin/maps?type=sku&ok=saved'), page.click('#map-save')]);
    check((await text(page, '.notice')) === 'Mapping saved.', 'the mapping is saved (checked in X3)');
    await shot(page, '05-maps');
    // A CSV file uploaded through the file input (multipart).
    await page.setInputFiles('#csvfile', { name: 'skus.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`source_key,item\r\nBROWSER-CSV,${ITEM}\r\n`) });
    await Promise.all([page.waitForURL('**/admin/maps?type=sku&ok=imported'), page.click('#import')]);
    check((await text(page, '.notice')) === 'CSV imported.', 'a CSV file uploaded from the page is imported');
    await page.goto(`${BASE}/admin/order?id=${HELD}`);
    check(await until(page, async () => await text(page, '#jobstate') === 'done', 40000),
      'the held order goes through once mapped');
    check(/^SS\d+$/.test(await text(page, '#x3order')), 'it shows its X3 sales order');
    await shot(page, '06-order-done');

    // Replay a failed order after a preview.
    await page.goto(`${BASE}/admin/order?id=${FAILED}`);
    check(await text(page, '#jobstate') === 'dead', 'the failed order is dead');
    await Promise.all([page.waitForURL('**/admin/order/preview?**'), page.click('#preview')]);
    const would = await text(page, '#would');
    const before = await text(page, '#before');
    check(would.length > 2 && before.length > 2, 'the preview shows what would be sent beside what was sent');
    await shot(page, '07-preview');
    await Promise.all([page.waitForURL('**/admin/order?**ok=replayed'), page.click('#replay')]);
    check((await text(page, '.notice')) === 'Queued for replay.', 'replayed');
    check(await until(page, async () => await text(page, '#jobstate') === 'done', 40000),
      'the replayed order completes');
    await shot(page, '08-order-replayed');

    // Bulk-replay the error queue.
    await page.goto(`${BASE}/admin/errors`);
    check(await page.locator('input[name="job"]').count() === BULK, `the error queue lists ${BULK} jobs`);
    await shot(page, '09-errors');
    await Promise.all([page.waitForURL('**/admin/errors?ok=bulk'), page.click('#replay-all')]);
    check((await text(page, '.notice')).startsWith('The selected jobs'), 'bulk replay queued');
    check(await until(page, async () => (await page.content()).includes('The error queue is empty.'), 40000),
      'the error queue empties as the jobs complete');
    await shot(page, '10-errors-empty');

    // Reset a cursor.
    await page.goto(`${BASE}/admin/`);
    const form = page.locator('form', { has: page.locator(`button[data-cursor="${CURSOR}"]`) });
    await form.locator('input[name="position"]').fill('2026-01-01T00:00:00Z');
    await Promise.all([page.waitForURL('**/admin/?ok=reset'), form.locator('button').click()]);
    check((await text(page, '.notice')).startsWith('Cursor reset'), 'cursor reset');
    check((await page.content()).includes('2026-01-01T00:00:00.000Z'), 'the dashboard shows the new position (stored normalised)');
    await shot(page, '11-dashboard-reset');

    // The other pages, on a laptop and on a phone.
    for (const [p, name] of [['/admin/orders', '12-orders'], ['/admin/reconcile', '13-reconcile'],
      ['/admin/status', '14-status'], ['/admin/users', '15-users'], ['/admin/maps?type=store', '16-maps-store']]) {
      const r = await page.goto(`${BASE}${p}`);
      check(r.status() === 200, `${p} renders`);
      await shot(page, name);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [p, name] of [['/admin/', '17-phone-dashboard'], [`/admin/order?id=${HELD}`, '18-phone-order']]) {
      await page.goto(`${BASE}${p}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      check(wide <= 400, `${p} fits a phone's width (${wide}px)`);
      await shot(page, name);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    // Sign out.
    await Promise.all([page.waitForURL('**/admin/login?ok=out'), page.click('#signout')]);
    check((await text(page, '.notice')) === 'Signed out.', 'signed out');
    await shot(page, '19-signed-out');
    await page.goto(`${BASE}/admin/`);
    check(page.url().endsWith('/admin/login'), 'after sign-out the dashboard needs a sign-in again');
    check(cspErrors.length === 0, `no Content-Security-Policy violation (${cspErrors.length})`);
  } catch (e) {
    check(false, `browser run: ${e.message.split('\n')[0]}`);
    await shot(page, '99-failure').catch(() => {});
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.log(`not ok - ${e.message}`); process.exit(1); });
