/*
 * Logging after OpenBSD httpd's log.c: stderr in the foreground, syslog
 * otherwise; one line per event, UTC time, led by the request or job id;
 * bytes from outside are escaped so a log line stays one line.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

static const char	*ident = "ml-connector";
static int		 foreground = 1;
static int		 verbose;
static _Thread_local char curid[ML_REQID_LEN];	/* per thread */

void
log_init(const char *name, int fg, int v)
{
	ident = name;
	foreground = fg;
	verbose = v;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_id(const char *id)
{
	if (id == NULL)
		curid[0] = '\0';
	else
		(void)snprintf(curid, sizeof(curid), "%s", id);
}

const char *
log_get_id(void)
{
	return curid;
}

/* Copy src into dst escaping control bytes as \xNN; always terminates. */
static void
escape(char *dst, size_t dsz, const char *src)
{
	size_t	 o = 0;

	for (; *src != '\0' && o + 5 < dsz; src++) {
		unsigned char c = (unsigned char)*src;
		if (c < 0x20 || c == 0x7f) {
			(void)snprintf(dst + o, dsz - o, "\\x%02x", c);
			o += 4;
		} else
			dst[o++] = (char)c;
	}
	if (*src != '\0' && dsz > 4) {
		o = o + 4 > dsz ? dsz - 4 : o;
		dst[o++] = '.';
		dst[o++] = '.';
		dst[o++] = '.';
	}
	dst[o] = '\0';
}

static void
vlog(int pri, const char *tag, const char *fmt, va_list ap, const char *suffix)
{
	char		 raw[ML_LOG_LINE_MAX], line[ML_LOG_LINE_MAX];
	char		 ts[32];
	struct timespec	 now;
	struct tm	 tm;
	int		 saved = errno;

	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	escape(line, sizeof(line), raw);
	if (foreground) {
		(void)clock_gettime(CLOCK_REALTIME, &now);
		(void)gmtime_r(&now.tv_sec, &tm);
		(void)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s[%ld] %s%s%s: %s%s%s\n", ts,
		    now.tv_nsec / 1000000, ident, (long)getpid(),
		    curid[0] != '\0' ? curid : "-", " ", tag, line,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
		fflush(stderr);
	} else
		syslog(pri, "%s %s: %s%s%s", curid[0] != '\0' ? curid : "-",
		    tag, line, suffix != NULL ? ": " : "",
		    suffix != NULL ? suffix : "");
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, "info", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, "debug", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
