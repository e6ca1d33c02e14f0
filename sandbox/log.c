/*
 * Logging for the sandbox, after core/log.c (which the sandbox does
 * not link: it is a separate program and core's names would clash
 * with the stand-ins'): stderr, one line per event, UTC time, control
 * bytes escaped so one event stays one line.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

#define LINE_MAX_SB	2048

static const char	*ident = "ml-connector-sandbox";
static int		 verbose;

void
log_init(const char *name, int fg, int v)
{
	(void)fg;
	ident = name;
	verbose = v;
}

static void
vlog(const char *tag, const char *fmt, va_list ap, const char *suffix)
{
	char		 raw[LINE_MAX_SB], line[LINE_MAX_SB], ts[32];
	struct timespec	 now;
	struct tm	 tm;
	size_t		 i, o = 0;
	int		 saved = errno;

	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	for (i = 0; raw[i] != '\0' && o + 5 < sizeof(line); i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(line + o, sizeof(line) - o,
			    "\\x%02x", c);
		else
			line[o++] = (char)c;
	}
	line[o] = '\0';
	(void)clock_gettime(CLOCK_REALTIME, &now);
	(void)gmtime_r(&now.tv_sec, &tm);
	(void)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s[%ld] %s: %s%s%s\n", ts,
	    now.tv_nsec / 1000000, ident, (long)getpid(), tag, line,
	    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	(void)fflush(stderr);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog("warning", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("warning", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("info", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog("debug", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
