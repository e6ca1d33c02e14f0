/*
 * The sandbox clock. Tests shift it (to stand on either side of a DST
 * change) and accelerate it (a rate-limit minute in a second); every
 * timestamp the sandbox writes and every token check reads it.
 *
 *	now = base_sb + (real_now - base_real) * factor
 */
#include "config.h"

#include <time.h>

#include "extern.h"

static int64_t	 base_real;	/* real UTC ms at the last change */
static int64_t	 base_sb;	/* sandbox UTC ms at the same moment */
static double	 factor = 1.0;

static int64_t
real_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clk_mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
sb_now_ms(void)
{
	if (base_real == 0)
		return real_ms();
	return base_sb + (int64_t)((double)(real_ms() - base_real) * factor);
}

/* Rebase so that a change applies from now on. */
static void
rebase(void)
{
	int64_t	 now = sb_now_ms();

	base_real = real_ms();
	base_sb = now;
}

void
clk_reset(void)
{
	base_real = 0;
	base_sb = 0;
	factor = 1.0;
}

void
clk_set(int64_t ms)
{
	rebase();
	base_sb = ms;
}

void
clk_advance(int64_t ms)
{
	rebase();
	base_sb += ms;
}

/* Factor 0 freezes the clock (tests that compare exact timestamps). */
void
clk_set_factor(double f)
{
	if (!(f >= 0))
		return;
	rebase();
	factor = f;
}

double
clk_factor(void)
{
	return factor;
}

int64_t
clk_real_ms(int64_t ms)
{
	double	 r;

	if (ms <= 0)
		return 0;
	if (factor == 0)
		return ms;
	r = (double)ms / factor;
	return r < 1 ? 1 : (int64_t)(r + 0.999);
}
