/*
 * ml-connector-sandbox: local stand-ins for ShipStation (V1, V2) and
 * Sage X3, for tests, benchmarks and trying the connector without
 * credentials. See docs/SANDBOX.md.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

/* Documented defaults (docs/SANDBOX.md); tests rely on them. */
#define DEF_SS_KEY		"ShipStation"	/* the V1 docs' example */
#define DEF_SS_SECRET		"Rocks"
#define DEF_SS_V2_KEY		"TEST_sandbox_v2_api_key"
#define DEF_X3_ENDPOINT		"SEED"
#define DEF_X3_CLIENT_ID	"ml-connector"
#define DEF_X3_SECRET		"sandbox-x3-secret-change-me"
#define DEF_X3_USER		"admin"
#define DEF_X3_AUDIENCE		""
#define DEF_X3_VALIDITY		300
#define DEF_X3_BASIC_USER	"admin"
#define DEF_X3_BASIC_PASSWORD	"admin"
#define CRED_LINE_MAX		1024

enum opt {
	OPT_NORATE = 256,
	OPT_SS_KEY,
	OPT_SS_SECRET,
	OPT_SS_V2_KEY,
	OPT_X3_ENDPOINT,
	OPT_X3_CLIENT_ID,
	OPT_X3_SECRET,
	OPT_X3_USER,
	OPT_X3_AUDIENCE,
	OPT_X3_VALIDITY,
	OPT_X3_BASIC_USER,
	OPT_X3_BASIC_PASSWORD,
};

static const struct option longopts[] = {
	{ "no-rate-limit", no_argument, NULL, OPT_NORATE },
	{ "ss-key", required_argument, NULL, OPT_SS_KEY },
	{ "ss-secret", required_argument, NULL, OPT_SS_SECRET },
	{ "ss-v2-key", required_argument, NULL, OPT_SS_V2_KEY },
	{ "x3-endpoint", required_argument, NULL, OPT_X3_ENDPOINT },
	{ "x3-client-id", required_argument, NULL, OPT_X3_CLIENT_ID },
	{ "x3-secret", required_argument, NULL, OPT_X3_SECRET },
	{ "x3-user", required_argument, NULL, OPT_X3_USER },
	{ "x3-audience", required_argument, NULL, OPT_X3_AUDIENCE },
	{ "x3-token-validity", required_argument, NULL, OPT_X3_VALIDITY },
	{ "x3-basic-user", required_argument, NULL, OPT_X3_BASIC_USER },
	{ "x3-basic-password", required_argument, NULL,
	    OPT_X3_BASIC_PASSWORD },
	{ NULL, 0, NULL, 0 },
};

/* Strings we allocated for the config; freed at exit. */
static char	*owned[32];
static size_t	 nowned;

static void
usage(void)
{
	fprintf(stderr, "usage: ml-connector-sandbox [-v] [-p port] "
	    "[-P portfile] [-b base_url]\n"
	    "\t[-c credentials.conf] [--no-rate-limit] [--ss-key k] "
	    "[--ss-secret s]\n"
	    "\t[--ss-v2-key k] [--x3-endpoint e] [--x3-client-id i] "
	    "[--x3-secret s]\n"
	    "\t[--x3-user u] [--x3-audience a] [--x3-token-validity secs]\n"
	    "\t[--x3-basic-user u] [--x3-basic-password p]\n");
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	srv_stop();
}

static const char *
keep(const char *s)
{
	char	*d;

	if (nowned == sizeof(owned) / sizeof(owned[0]) ||
	    (d = strdup(s)) == NULL)
		fatalx("too many or too long settings");
	owned[nowned++] = d;
	return d;
}

static int
number(const char *s, long lo, long hi, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Apply one setting by option id; 0 or -1. */
static int
setting(struct sb_config *c, int id, const char *v)
{
	long	 n;

	switch (id) {
	case OPT_SS_KEY:
		c->ss_key = keep(v);
		break;
	case OPT_SS_SECRET:
		c->ss_secret = keep(v);
		break;
	case OPT_SS_V2_KEY:
		c->ss_v2_key = keep(v);
		break;
	case OPT_X3_ENDPOINT:
		c->x3_endpoint = keep(v);
		break;
	case OPT_X3_CLIENT_ID:
		c->x3_client_id = keep(v);
		break;
	case OPT_X3_SECRET:
		c->x3_secret = keep(v);
		break;
	case OPT_X3_USER:
		c->x3_user = keep(v);
		break;
	case OPT_X3_AUDIENCE:
		c->x3_audience = keep(v);
		break;
	case OPT_X3_VALIDITY:
		if (number(v, 1, 86400, &n) == -1)
			return -1;
		c->x3_token_validity = (int)n;
		break;
	case OPT_X3_BASIC_USER:
		c->x3_basic_user = keep(v);
		break;
	case OPT_X3_BASIC_PASSWORD:
		c->x3_basic_password = keep(v);
		break;
	default:
		return -1;
	}
	return 0;
}

/*
 * A credentials file: "name = value" lines, names as the long options
 * (ss-key, x3-secret, ...), '#' comments. Every problem is reported
 * as file:line. 0 or -1.
 */
static int
read_creds(struct sb_config *c, const char *path)
{
	FILE		*f;
	char		 line[CRED_LINE_MAX], *k, *v, *e;
	size_t		 i;
	int		 lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "%s:%d: line too long\n", path, lineno);
			rc = -1;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		for (k = line; *k == ' ' || *k == '\t'; k++)
			continue;
		if (*k == '#' || *k == '\0')
			continue;
		if ((v = strchr(k, '=')) == NULL) {
			fprintf(stderr, "%s:%d: expected name = value\n", path,
			    lineno);
			rc = -1;
			continue;
		}
		for (e = v; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			continue;
		*e = '\0';
		for (v++; *v == ' ' || *v == '\t'; v++)
			continue;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			continue;
		*e = '\0';
		if (*v == '"' && e > v + 1 && e[-1] == '"') {
			v++;
			e[-1] = '\0';
		}
		for (i = 0; longopts[i].name != NULL; i++)
			if (strcmp(longopts[i].name, k) == 0 &&
			    longopts[i].has_arg == required_argument)
				break;
		if (longopts[i].name == NULL) {
			fprintf(stderr, "%s:%d: unknown setting \"%s\"\n", path,
			    lineno, k);
			rc = -1;
			continue;
		}
		if (setting(c, longopts[i].val, v) == -1) {
			fprintf(stderr, "%s:%d: bad value for %s\n", path,
			    lineno, k);
			rc = -1;
		}
	}
	(void)fclose(f);
	return rc;
}

static int
write_portfile(const char *path, int port)
{
	char	 tmp[4096];
	FILE	*f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sb		 sb;
	struct sigaction	 sa;
	const char		*portfile = NULL, *base = NULL, *creds = NULL;
	int			 ch, fd, port = 0, bound, rc;
	long			 v;
	size_t			 i;

	memset(&sb, 0, sizeof(sb));
	sb.ratelimit = 1;
	sb.cfg.ss_key = DEF_SS_KEY;
	sb.cfg.ss_secret = DEF_SS_SECRET;
	sb.cfg.ss_v2_key = DEF_SS_V2_KEY;
	sb.cfg.x3_endpoint = DEF_X3_ENDPOINT;
	sb.cfg.x3_client_id = DEF_X3_CLIENT_ID;
	sb.cfg.x3_secret = DEF_X3_SECRET;
	sb.cfg.x3_user = DEF_X3_USER;
	sb.cfg.x3_audience = DEF_X3_AUDIENCE;
	sb.cfg.x3_token_validity = DEF_X3_VALIDITY;
	sb.cfg.x3_basic_user = DEF_X3_BASIC_USER;
	sb.cfg.x3_basic_password = DEF_X3_BASIC_PASSWORD;

	while ((ch = getopt_long(argc, argv, "b:c:hp:P:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b':
			base = optarg;
			break;
		case 'c':
			creds = optarg;
			break;
		case 'p':
			if (number(optarg, 0, 65535, &v) == -1)
				usage();
			port = (int)v;
			break;
		case 'P':
			portfile = optarg;
			break;
		case 'v':
			sb.verbose = 1;
			break;
		case OPT_NORATE:
			sb.ratelimit = 0;
			break;
		case 'h':
			usage();
			break;
		default:
			if (ch < OPT_SS_KEY || setting(&sb.cfg, ch, optarg) == -1)
				usage();
			break;
		}
	}
	if (optind != argc)
		usage();
	log_init("ml-connector-sandbox", 1, sb.verbose);
	/* Flags given after -c still win: apply the file, then re-parse. */
	if (creds != NULL) {
		if (read_creds(&sb.cfg, creds) == -1)
			return 1;
		optind = 1;
		while ((ch = getopt_long(argc, argv, "b:c:hp:P:v", longopts,
		    NULL)) != -1)
			if (ch >= OPT_SS_KEY)
				(void)setting(&sb.cfg, ch, optarg);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("sigaction");
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	if ((fd = srv_listen(port, &bound)) == -1)
		fatal("listen on 127.0.0.1:%d", port);
	if (base != NULL) {
		if (snprintf(sb.base, sizeof(sb.base), "%s", base) >=
		    (int)sizeof(sb.base))
			fatalx("base URL too long");
		i = strlen(sb.base);
		while (i > 0 && sb.base[i - 1] == '/')
			sb.base[--i] = '\0';
	} else
		(void)snprintf(sb.base, sizeof(sb.base),
		    "http://127.0.0.1:%d", bound);
	if (hook_init() == -1)
		fatalx("cannot set up webhook delivery (curl, RSA key)");
	if ((sb.ss = ss_new(&sb)) == NULL ||
	    (sb.x3 = x3_new(&sb.cfg)) == NULL)
		fatalx("out of memory");
	if (portfile != NULL && write_portfile(portfile, bound) == -1)
		fatal("%s", portfile);
	printf("listening on http://127.0.0.1:%d\n", bound);
	(void)fflush(stdout);
	log_info("base URL %s; rate limits %s", sb.base,
	    sb.ratelimit ? "on" : "off");

	rc = srv_run(&sb, fd);

	log_info("stopping");
	(void)close(fd);
	x3_free(sb.x3);
	ss_free(sb.ss);
	hook_free();
	fault_clear();
	route_reset();
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	return rc;
}
