/*
 * The clock every client decision uses: quota windows, token expiry,
 * backoff sleeps. Normally the real UTC clock. The sandbox can run its
 * clock faster than real time (a rate-limit minute in a few seconds),
 * and a test process then warps ours to match, so that our view of
 * "a minute" and "token expired" agrees with the server's.
 */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "core.h"

static int64_t	 warp_origin;	/* clk time at warp */
static int64_t	 warp_mono;	/* monotonic real ms at warp */
static double	 warp_rate;	/* 0: not warped */

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clk_now_ms(void)
{
	struct timespec	 ts;

	if (warp_rate > 0)
		return warp_origin +
		    (int64_t)((double)(mono_ms() - warp_mono) * warp_rate);
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clk_sleep_ms(int64_t ms)
{
	struct timespec	 ts;
	double		 real;

	if (ms <= 0)
		return;
	real = warp_rate > 0 ? (double)ms / warp_rate : (double)ms;
	if (real < 1)
		real = 1;
	ts.tv_sec = (time_t)(real / 1000);
	ts.tv_nsec = (long)((real - (double)ts.tv_sec * 1000) * 1000000);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

int64_t
clk_from_real_ms(int64_t real_ms)
{
	return warp_rate > 0 ? (int64_t)((double)real_ms * warp_rate) :
	    real_ms;
}

void
clk_warp(int64_t origin_ms, double rate)
{
	if (rate <= 0) {
		warp_rate = 0;
		return;
	}
	warp_origin = origin_ms;
	warp_mono = mono_ms();
	warp_rate = rate;
}
