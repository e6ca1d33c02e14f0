/*
 * The configuration file: libconfig syntax, read once into struct cfg.
 * Every setting is declared in keys[] with its type and bounds; unknown
 * settings are errors (a typo must not silently fall back to a default).
 * All problems are reported, each as "file:line: message".
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libconfig.h>

#include "core.h"

enum ktype {
	K_STR,		/* copied string */
	K_INT,		/* int within [min, max] */
	K_SIZE,		/* size_t within [min, max] */
	K_SECRET,	/* path of a private file; its content is stored */
	K_BOOL,		/* true or false, stored as int */
	K__MAX
};

struct key {
	const char	*group;		/* NULL: top level */
	const char	*name;
	enum ktype	 type;
	int		 required;
	size_t		 off;		/* into struct cfg */
	long long	 min, max;
};

#define O(m)	offsetof(struct cfg, m)

static const struct key keys[] = {
	{ NULL, "instance", K_STR, 0, O(instance), 0, 0 },
	{ "paths", "sql_dir", K_STR, 0, O(sql_dir), 0, 0 },
	{ "paths", "ui_dir", K_STR, 0, O(ui_dir), 0, 0 },
	{ "database", "host", K_STR, 0, O(db.host), 0, 0 },
	{ "database", "port", K_INT, 0, O(db.port), 1, 65535 },
	{ "database", "socket", K_STR, 0, O(db.socket), 0, 0 },
	{ "database", "name", K_STR, 1, O(db.name), 0, 0 },
	{ "database", "user", K_STR, 1, O(db.user), 0, 0 },
	{ "database", "password_file", K_SECRET, 0, O(db.password), 0, 0 },
	{ "database", "connect_timeout", K_INT, 0, O(db.connect_timeout), 1, 300 },
	{ "fcgi", "listen", K_STR, 0, O(fcgi.listen), 0, 0 },
	{ "fcgi", "workers", K_INT, 0, O(fcgi.workers), 0, ML_FCGI_WORKERS_MAX },
	{ "fcgi", "threads", K_INT, 0, O(fcgi.threads), 1, ML_FCGI_THREADS_MAX },
	{ "fcgi", "max_body", K_SIZE, 0, O(fcgi.max_body), 1024, ML_MAX_BODY_CEILING },
	{ "poller", "interval", K_INT, 0, O(poller.interval), 1, 86400 },
	{ "poller", "lease", K_INT, 0, O(poller.lease), 10, 86400 },
	{ "poller", "retry_base", K_INT, 0, O(poller.retry_base), 1, 3600 },
	{ "poller", "lock_file", K_STR, 0, O(poller.lock_file), 0, 0 },
	{ "poller", "poll_interval", K_INT, 0, O(poller.poll_interval), 0,
	    86400 },
	{ "poller", "poll_overlap", K_INT, 0, O(poller.poll_overlap), 0,
	    86400 },
	{ "poller", "poll_backfill", K_INT, 0, O(poller.poll_backfill), 0,
	    ML_POLL_BACKFILL_MAX },
	{ "poller", "poll_ss_orders", K_BOOL, 0, O(poller.poll_ss_orders),
	    0, 1 },
	{ "poller", "poll_ss_shipments", K_BOOL, 0,
	    O(poller.poll_ss_shipments), 0, 1 },
	{ "poller", "poll_ss_fulfillments", K_BOOL, 0,
	    O(poller.poll_ss_fulfillments), 0, 1 },
	{ "poller", "poll_ss_customers", K_BOOL, 0,
	    O(poller.poll_ss_customers), 0, 1 },
	{ "poller", "poll_x3_orders", K_BOOL, 0, O(poller.poll_x3_orders),
	    0, 1 },
	{ "poller", "poll_x3_customers", K_BOOL, 0,
	    O(poller.poll_x3_customers), 0, 1 },
	{ "poller", "poll_x3_products", K_BOOL, 0,
	    O(poller.poll_x3_products), 0, 1 },
	{ "sync", "create_customers", K_BOOL, 0, O(sync.create_customers),
	    0, 1 },
	{ "sync", "customer_prefix", K_STR, 0, O(sync.customer_prefix), 0, 0 },
	{ "poller", "reconcile_interval", K_INT, 0,
	    O(poller.reconcile_interval), 0, 604800 },
	{ "poller", "reconcile_days", K_INT, 0, O(poller.reconcile_days), 1,
	    92 },
	/* API clients (issue 4); conditional requirements in check_ss(). */
	{ "shipstation", "api", K_STR, 0, O(ss.api), 0, 0 },
	{ "shipstation", "base_url", K_STR, 0, O(ss.base_url), 0, 0 },
	{ "shipstation", "key_file", K_SECRET, 0, O(ss.key), 0, 0 },
	{ "shipstation", "secret_file", K_SECRET, 0, O(ss.secret), 0, 0 },
	{ "shipstation", "v2_key_file", K_SECRET, 0, O(ss.v2_key), 0, 0 },
	{ "shipstation", "allow_http", K_BOOL, 0, O(ss.allow_http), 0, 1 },
	{ "shipstation", "ca_file", K_STR, 0, O(ss.ca_file), 0, 0 },
	{ "shipstation", "connect_timeout", K_INT, 0, O(ss.connect_timeout),
	    1, 300 },
	{ "shipstation", "timeout", K_INT, 0, O(ss.timeout), 1, 3600 },
	{ "shipstation", "retries", K_INT, 0, O(ss.retries), 0, 20 },
	{ "shipstation", "rate_limit", K_INT, 0, O(ss.rate_limit), 2, 100000 },
	{ "shipstation", "page_size", K_INT, 0, O(ss.page_size), 1,
	    ML_SS_PAGE_MAX },
	{ "shipstation", "max_body", K_SIZE, 0, O(ss.max_body), 65536,
	    ML_HTTP_MAX_BODY_CEILING },
	{ "x3", "base_url", K_STR, 0, O(x3.base_url), 0, 0 },
	{ "x3", "endpoint", K_STR, 0, O(x3.endpoint), 0, 0 },
	{ "x3", "graphql_path", K_STR, 0, O(x3.graphql_path), 0, 0 },
	{ "x3", "sales_package", K_STR, 0, O(x3.sales_package), 0, 0 },
	{ "x3", "master_package", K_STR, 0, O(x3.master_package), 0, 0 },
	{ "x3", "auth", K_STR, 0, O(x3.auth), 0, 0 },
	{ "x3", "client_id", K_STR, 0, O(x3.client_id), 0, 0 },
	{ "x3", "secret_file", K_SECRET, 0, O(x3.secret), 0, 0 },
	{ "x3", "user", K_STR, 0, O(x3.user), 0, 0 },
	{ "x3", "audience", K_STR, 0, O(x3.audience), 0, 0 },
	{ "x3", "token_validity", K_INT, 0, O(x3.token_validity), 10, 86400 },
	{ "x3", "renew_margin", K_INT, 0, O(x3.renew_margin), 0, 3600 },
	{ "x3", "iat_skew", K_INT, 0, O(x3.iat_skew), 0, 600 },
	{ "x3", "basic_user", K_STR, 0, O(x3.basic_user), 0, 0 },
	{ "x3", "basic_password_file", K_SECRET, 0, O(x3.basic_password),
	    0, 0 },
	{ "x3", "gateway_url", K_STR, 0, O(x3.gateway_url), 0, 0 },
	{ "x3", "gateway_secret_file", K_SECRET, 0, O(x3.gateway_secret),
	    0, 0 },
	{ "x3", "redirect_uri", K_STR, 0, O(x3.redirect_uri), 0, 0 },
	{ "x3", "allow_http", K_BOOL, 0, O(x3.allow_http), 0, 1 },
	{ "x3", "ca_file", K_STR, 0, O(x3.ca_file), 0, 0 },
	{ "x3", "connect_timeout", K_INT, 0, O(x3.connect_timeout), 1, 300 },
	{ "x3", "timeout", K_INT, 0, O(x3.timeout), 1, 3600 },
	{ "x3", "retries", K_INT, 0, O(x3.retries), 0, 20 },
	{ "x3", "max_body", K_SIZE, 0, O(x3.max_body), 65536,
	    ML_HTTP_MAX_BODY_CEILING },
	{ "webhooks", "v1_secret_file", K_SECRET, 0, O(hooks.v1_secret), 0, 0 },
	{ "webhooks", "max_body", K_SIZE, 0, O(hooks.max_body), 256,
	    ML_MAX_BODY_CEILING },
	{ "webhooks", "v2_jwks_url", K_STR, 0, O(hooks.v2_jwks_url), 0, 0 },
	{ "webhooks", "jwks_allow_http", K_BOOL, 0, O(hooks.jwks_allow_http),
	    0, 1 },
	{ "webhooks", "v2_tolerance", K_INT, 0, O(hooks.v2_tolerance), 1, 3600 },
	{ "webhooks", "sweep_after", K_INT, 0, O(hooks.sweep_after), 1, 3600 },
	{ "webhooks", "public_url", K_STR, 0, O(hooks.public_url), 0, 0 },
	{ "sync", "discount", K_STR, 0, O(sync.discount), 0, 0 },
	{ "sync", "shipping_item", K_STR, 0, O(sync.shipping_item), 0, 0 },
	{ "sync", "tax_item", K_STR, 0, O(sync.tax_item), 0, 0 },
	{ "sync", "currency", K_STR, 0, O(sync.currency), 0, 0 },
	{ "sync", "x3_store_id", K_INT, 0, O(sync.x3_store_id), 0, 2147483647 },
	{ "sync", "x3_hold_days", K_INT, 0, O(sync.x3_hold_days), 1, 3650 },
	{ "sync", "order_key_field", K_STR, 0, O(sync.order_key_field), 0, 0 },
	{ "retention", "events_days", K_INT, 0, O(retention.events_days),
	    1, 36500 },
	{ "retention", "audit_days", K_INT, 0, O(retention.audit_days),
	    1, 36500 },
	{ "retention", "jobs_days", K_INT, 0, O(retention.jobs_days),
	    1, 36500 },
	{ "retention", "interval", K_INT, 0, O(retention.interval), 0,
	    7 * 86400 },
	{ "retention", "batch", K_INT, 0, O(retention.batch), 10, 100000 },
};

/* Groups that may appear; later subsystems add theirs here. */
static const char *const groups[] = {
	"webhooks",
	"paths", "database", "fcgi", "poller", "shipstation", "x3",
	"sync",
	"retention",
};

struct loader {
	const char	*file;
	int		 errors;
};

static void ML_PRINTF(3, 4)
report(struct loader *l, int line, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s:%d: ", l->file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	l->errors++;
}

static const char *
ktype_name(enum ktype t)
{
	static const char *const names[K__MAX] = {
		"a string",		/* K_STR */
		"an integer",		/* K_INT */
		"an integer",		/* K_SIZE */
		"a file path string",	/* K_SECRET */
		"true or false",	/* K_BOOL */
	};
	return names[t];
}

/* Read a secret from a file nobody but its owner may read. */
static char *
read_secret(struct loader *l, int line, const char *path)
{
	struct stat	 st;
	char		 buf[1024];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;
	char		*s;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		report(l, line, "cannot open secret file %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		report(l, line, "secret file %s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		report(l, line, "secret file %s is accessible by group or "
		    "others (mode %03o); chmod 600 it", path,
		    (unsigned int)(st.st_mode & 0777));
		close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n == -1) {
		report(l, line, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if ((s = strdup(buf)) == NULL)
		report(l, line, "out of memory");
	explicit_bzero(buf, sizeof(buf));
	return s;
}

static void
load_key(struct loader *l, struct cfg *c, const struct key *k,
    config_setting_t *s)
{
	char		*dst = (char *)c + k->off;
	int		 line = config_setting_source_line(s);
	int		 t = config_setting_type(s);
	long long	 v;
	const char	*str;
	char		*copy;

	switch (k->type) {
	case K_STR:
	case K_SECRET:
		if (t != CONFIG_TYPE_STRING) {
			report(l, line, "%s must be %s", k->name,
			    ktype_name(k->type));
			return;
		}
		str = config_setting_get_string(s);
		if (str[0] == '\0') {
			report(l, line, "%s must not be empty", k->name);
			return;
		}
		copy = k->type == K_SECRET ? read_secret(l, line, str) :
		    strdup(str);
		if (copy == NULL) {
			if (k->type == K_STR)
				report(l, line, "out of memory");
			return;
		}
		free(*(char **)(void *)dst);
		*(char **)(void *)dst = copy;
		break;
	case K_INT:
	case K_SIZE:
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
			report(l, line, "%s must be %s", k->name,
			    ktype_name(k->type));
			return;
		}
		v = config_setting_get_int64(s);
		if (v < k->min || v > k->max) {
			report(l, line, "%s must be between %lld and %lld",
			    k->name, k->min, k->max);
			return;
		}
		if (k->type == K_SIZE)
			*(size_t *)(void *)dst = (size_t)v;
		else if (k->off == O(db.port))
			*(unsigned int *)(void *)dst = (unsigned int)v;
		else
			*(int *)(void *)dst = (int)v;
		break;
	case K_BOOL:
		if (t != CONFIG_TYPE_BOOL) {
			report(l, line, "%s must be %s", k->name,
			    ktype_name(k->type));
			return;
		}
		*(int *)(void *)dst = config_setting_get_bool(s);
		break;
	default:
		abort();
	}
}

static const struct key *
find_key(const char *group, const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((keys[i].group == NULL) != (group == NULL))
			continue;
		if (group != NULL && strcmp(keys[i].group, group) != 0)
			continue;
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

static int
known_group(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i], name) == 0)
			return 1;
	return 0;
}

/* Walk one level of settings, loading known keys, reporting the rest. */
static void
walk(struct loader *l, struct cfg *c, config_setting_t *parent,
    const char *group)
{
	config_setting_t	*s;
	const struct key	*k;
	const char		*name;
	int			 i, n;

	n = config_setting_length(parent);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(parent, (unsigned int)i);
		name = config_setting_name(s);
		if (group == NULL && known_group(name)) {
			if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
				report(l, config_setting_source_line(s),
				    "%s must be a group { ... }", name);
				continue;
			}
			walk(l, c, s, name);
			continue;
		}
		if ((k = find_key(group, name)) == NULL) {
			report(l, config_setting_source_line(s),
			    "unknown setting %s%s%s", group ? group : "",
			    group ? "." : "", name);
			continue;
		}
		load_key(l, c, k, s);
	}
}

/* Report required keys absent from the file, at the line of their group. */
static void
check_required(struct loader *l, config_t *conf)
{
	config_setting_t	*g;
	char			 path[128];
	size_t			 i;
	int			 line;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!keys[i].required)
			continue;
		(void)snprintf(path, sizeof(path), "%s%s%s",
		    keys[i].group ? keys[i].group : "",
		    keys[i].group ? "." : "", keys[i].name);
		if (config_lookup(conf, path) != NULL)
			continue;
		g = keys[i].group ? config_lookup(conf, keys[i].group) : NULL;
		line = g ? config_setting_source_line(g) : 1;
		report(l, line, "missing required setting %s", path);
	}
}

static int
set_default(char **dst, const char *v)
{
	if (*dst != NULL)
		return 0;
	return (*dst = strdup(v)) == NULL ? -1 : 0;
}

/* Line of a setting, else of its group, else 1. */
static int
line_of(config_t *conf, const char *group, const char *name)
{
	config_setting_t	*s;
	char			 path[128];

	if (name != NULL) {
		(void)snprintf(path, sizeof(path), "%s.%s", group, name);
		if ((s = config_lookup(conf, path)) != NULL)
			return config_setting_source_line(s);
	}
	if ((s = config_lookup(conf, group)) != NULL)
		return config_setting_source_line(s);
	return 1;
}

static int
is_group(config_t *conf, const char *name)
{
	config_setting_t	*s = config_lookup(conf, name);

	return s != NULL && config_setting_type(s) == CONFIG_TYPE_GROUP;
}

/* A secret from its file, else from the environment. */
static int
secret_env(char **dst, const char *env)
{
	const char	*v;

	if (*dst != NULL || (v = getenv(env)) == NULL || v[0] == '\0')
		return 0;
	return (*dst = strdup(v)) == NULL ? -1 : 0;
}

/* Base URLs: http(s)://host[:port][/path], no query, no trailing /. */
static void
check_base_url(struct loader *l, config_t *conf, const char *group,
    char *url, int allow_http)
{
	size_t	 n;
	int	 line = line_of(conf, group, "base_url");

	if (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0) {
		report(l, line, "base_url must start with https://");
		return;
	}
	if (strncmp(url, "http://", 7) == 0 && !allow_http)
		report(l, line, "base_url is plain http; set allow_http = "
		    "true (the sandbox only) or use https://");
	if (strpbrk(url, "?#@ \t") != NULL)
		report(l, line, "base_url must not carry a query, user "
		    "info or spaces");
	n = strlen(url);
	while (n > 8 && url[n - 1] == '/')
		url[--n] = '\0';
	if (n >= ML_URL_MAX / 2)
		report(l, line, "base_url is too long");
}

/* The HTTP settings both API groups share, defaulted when not set. */
static void
http_defaults(config_t *conf, const char *retries_key, int *connect_timeout,
    int *timeout, int *retries, size_t *max_body)
{
	if (*connect_timeout == 0)
		*connect_timeout = ML_HTTP_CONNECT_TIMEOUT;
	if (*timeout == 0)
		*timeout = ML_HTTP_TIMEOUT;
	/* 0 retries is a valid setting: default only when absent. */
	if (config_lookup(conf, retries_key) == NULL)
		*retries = ML_HTTP_RETRIES;
	if (*max_body == 0)
		*max_body = ML_HTTP_MAX_BODY;
}

static void
check_ss(struct loader *l, struct cfg *c, config_t *conf)
{
	struct cfg_ss	*s = &c->ss;
	int		 g = line_of(conf, "shipstation", NULL);

	if (!is_group(conf, "shipstation"))
		return;
	s->enabled = 1;
	if (s->api == NULL && (s->api = strdup("v1")) == NULL) {
		l->errors++;
		return;
	}
	if (strcmp(s->api, "v1") != 0 && strcmp(s->api, "v2") != 0) {
		report(l, line_of(conf, "shipstation", "api"),
		    "api must be \"v1\" or \"v2\"");
		return;
	}
	s->v2 = strcmp(s->api, "v2") == 0;
	if (set_default(&s->base_url, s->v2 ? "https://api.shipstation.com" :
	    "https://ssapi.shipstation.com") == -1 ||
	    secret_env(&s->key, ML_ENV_SS_KEY) == -1 ||
	    secret_env(&s->secret, ML_ENV_SS_SECRET) == -1 ||
	    secret_env(&s->v2_key, ML_ENV_SS_V2_KEY) == -1) {
		l->errors++;
		return;
	}
	check_base_url(l, conf, "shipstation", s->base_url, s->allow_http);
	if (!s->v2 && (s->key == NULL || s->secret == NULL))
		report(l, g, "shipstation api v1 needs key_file and "
		    "secret_file (or %s and %s)", ML_ENV_SS_KEY,
		    ML_ENV_SS_SECRET);
	if (s->v2 && s->v2_key == NULL)
		report(l, g, "shipstation api v2 needs v2_key_file (or %s)",
		    ML_ENV_SS_V2_KEY);
	if (s->rate_limit == 0)
		s->rate_limit = s->v2 ? ML_SS_V2_LIMIT : ML_SS_V1_LIMIT;
	if (s->page_size == 0)
		s->page_size = s->v2 ? 100 : ML_SS_PAGE_MAX;
	http_defaults(conf, "shipstation.retries", &s->connect_timeout,
	    &s->timeout, &s->retries, &s->max_body);
}

/* sync { }: discount is "none" (the default) or "spread". */
static void
check_sync(struct loader *l, struct cfg *c, config_t *conf)
{
	struct cfg_sync	*y = &c->sync;
	const char	*k = y->order_key_field;

	/* A GraphQL property name: it goes into every order we create. */
	if (k != NULL && (strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
	    "KLMNOPQRSTUVWXYZ0123456789_") != strlen(k) || *k == '\0' ||
	    (*k >= '0' && *k <= '9')))
		report(l, line_of(conf, "sync", "order_key_field"),
		    "sync.order_key_field must be a property name");
	if (k != NULL && strcmp(k, "id") == 0) {
		free(y->order_key_field);	/* the number: the default */
		y->order_key_field = NULL;
	}
	if (y->discount == NULL || strcmp(y->discount, "none") == 0)
		return;
	if (strcmp(y->discount, "spread") == 0)
		y->discount_spread = 1;
	else
		report(l, line_of(conf, "sync", "discount"), "sync.discount "
		    "must be \"none\" or \"spread\"");
}

static void
check_x3(struct loader *l, struct cfg *c, config_t *conf)
{
	static const char *const auths[CFG_X3__MAX] = {
		"jwt",		/* CFG_X3_JWT */
		"basic",	/* CFG_X3_BASIC */
		"gateway",	/* CFG_X3_GATEWAY */
	};
	struct cfg_x3	*x = &c->x3;
	int		 g = line_of(conf, "x3", NULL), i;

	if (!is_group(conf, "x3"))
		return;
	x->enabled = 1;
	if (set_default(&x->auth, "jwt") == -1 ||
	    set_default(&x->graphql_path, ML_X3_GRAPHQL_PATH) == -1 ||
	    set_default(&x->sales_package, ML_X3_SALES_PACKAGE) == -1 ||
	    set_default(&x->master_package, ML_X3_MASTER_PACKAGE) == -1 ||
	    set_default(&x->audience, "") == -1 ||
	    secret_env(&x->secret, ML_ENV_X3_SECRET) == -1 ||
	    secret_env(&x->basic_password, ML_ENV_X3_PASSWORD) == -1 ||
	    secret_env(&x->gateway_secret, ML_ENV_X3_GW_SECRET) == -1) {
		l->errors++;
		return;
	}
	for (i = 0; i < CFG_X3__MAX; i++)
		if (strcmp(x->auth, auths[i]) == 0)
			break;
	if (i == CFG_X3__MAX) {
		report(l, line_of(conf, "x3", "auth"), "auth must be "
		    "\"jwt\", \"basic\" or \"gateway\"");
		return;
	}
	x->auth_kind = (enum cfg_x3_auth)i;
	if (x->base_url == NULL)
		report(l, g, "missing required setting x3.base_url");
	else
		check_base_url(l, conf, "x3", x->base_url, x->allow_http);
	if (x->endpoint == NULL)
		report(l, g, "missing required setting x3.endpoint");
	if (x->graphql_path[0] != '/')
		report(l, line_of(conf, "x3", "graphql_path"),
		    "graphql_path must start with /");
	if (x->token_validity == 0)
		x->token_validity = ML_X3_TOKEN_VALIDITY;
	if (config_lookup(conf, "x3.renew_margin") == NULL)
		x->renew_margin = ML_X3_RENEW_MARGIN;
	if (config_lookup(conf, "x3.iat_skew") == NULL)
		x->iat_skew = ML_X3_IAT_SKEW;
	if (x->renew_margin >= x->token_validity)
		report(l, line_of(conf, "x3", "renew_margin"), "renew_margin "
		    "must be shorter than token_validity (%d s)",
		    x->token_validity);
	switch (x->auth_kind) {
	case CFG_X3_JWT:
		if (x->client_id == NULL || x->secret == NULL)
			report(l, g, "x3 auth \"jwt\" needs client_id and "
			    "secret_file (or %s)", ML_ENV_X3_SECRET);
		break;
	case CFG_X3_GATEWAY:
		if (x->client_id == NULL || x->gateway_secret == NULL ||
		    x->gateway_url == NULL)
			report(l, g, "x3 auth \"gateway\" needs client_id, "
			    "gateway_url and gateway_secret_file (or %s)",
			    ML_ENV_X3_GW_SECRET);
		else if (strncmp(x->gateway_url, "https://", 8) != 0 &&
		    !(x->allow_http &&
		    strncmp(x->gateway_url, "http://", 7) == 0))
			report(l, line_of(conf, "x3", "gateway_url"),
			    "gateway_url must start with https://");
		break;
	default:
		break;
	}
	/* REST api1 and auth "basic" use the basic credentials. */
	if (x->auth_kind == CFG_X3_BASIC && (x->basic_user == NULL ||
	    x->basic_password == NULL))
		report(l, g, "x3 auth \"basic\" needs basic_user and "
		    "basic_password_file (or %s)", ML_ENV_X3_PASSWORD);
	http_defaults(conf, "x3.retries", &x->connect_timeout, &x->timeout,
	    &x->retries, &x->max_body);
}

enum core_err
cfg_load(const char *path, struct cfg **out)
{
	config_t	 conf;
	struct cfg	*c;
	struct loader	 l = { path, 0 };
	const char	*env;
	FILE		*f;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return CORE_ENOMEM;
	c->db.connect_timeout = ML_DB_CONNECT_TIMEOUT;
	c->fcgi.workers = ML_FCGI_WORKERS_DEFAULT;
	c->fcgi.threads = ML_FCGI_THREADS_DEFAULT;
	c->fcgi.max_body = ML_MAX_BODY_DEFAULT;
	c->poller.interval = ML_POLL_INTERVAL_DEFAULT;
	c->poller.lease = ML_JOB_LEASE_DEFAULT;
	c->poller.retry_base = ML_JOB_BACKOFF_BASE;
	c->poller.poll_interval = ML_POLL_EVERY_DEFAULT;
	c->poller.poll_overlap = ML_POLL_OVERLAP_DEFAULT;
	c->poller.poll_backfill = ML_POLL_BACKFILL_DEFAULT;
	c->poller.poll_ss_orders = c->poller.poll_ss_shipments =
	    c->poller.poll_ss_fulfillments = c->poller.poll_ss_customers =
	    c->poller.poll_x3_orders = c->poller.poll_x3_products = 1;
	/* No x3.customer handler yet: its jobs would wait for nobody. */
	c->poller.poll_x3_customers = 0;
	c->poller.reconcile_interval = ML_RECONCILE_INTERVAL_DEFAULT;
	c->poller.reconcile_days = ML_RECONCILE_DAYS_DEFAULT;
	c->hooks.max_body = ML_HOOK_MAX_BODY_DEFAULT;
	c->hooks.v2_tolerance = ML_HOOK_V2_TOLERANCE_DEFAULT;
	c->hooks.sweep_after = ML_HOOK_SWEEP_AFTER_DEFAULT;
	c->sync.x3_hold_days = 365;
	c->retention.events_days = ML_RETENTION_EVENTS_DAYS;
	c->retention.audit_days = ML_RETENTION_AUDIT_DAYS;
	c->retention.jobs_days = ML_RETENTION_JOBS_DAYS;
	c->retention.interval = ML_RETENTION_INTERVAL;
	c->retention.batch = ML_RETENTION_BATCH;

	config_init(&conf);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s:0: cannot open: %s\n", path,
		    strerror(errno));
		config_destroy(&conf);
		cfg_free(c);
		return CORE_ECONFIG;
	}
	if (config_read(&conf, f) != CONFIG_TRUE) {
		fprintf(stderr, "%s:%d: %s\n", path, config_error_line(&conf),
		    config_error_text(&conf));
		fclose(f);
		config_destroy(&conf);
		cfg_free(c);
		return CORE_ECONFIG;
	}
	fclose(f);

	walk(&l, c, config_root_setting(&conf), NULL);
	check_required(&l, &conf);
	check_ss(&l, c, &conf);
	check_x3(&l, c, &conf);
	check_sync(&l, c, &conf);
	if (c->db.password == NULL && (env = getenv(ML_ENV_DB_PASSWORD)) != NULL &&
	    (c->db.password = strdup(env)) == NULL)
		l.errors++;
	if (c->db.host == NULL && c->db.socket == NULL &&
	    set_default(&c->db.socket, "/run/mysqld/mysqld.sock") == -1)
		l.errors++;
	if (set_default(&c->instance, "default") == -1 ||
	    set_default(&c->sql_dir, ML_SQL_DIR_DEFAULT) == -1 ||
	    set_default(&c->ui_dir, ML_UI_DIR_DEFAULT) == -1 ||
	    set_default(&c->poller.lock_file, ML_POLL_LOCK_DEFAULT) == -1 ||
	    set_default(&c->hooks.v2_jwks_url, ML_HOOK_JWKS_URL_DEFAULT) == -1 ||
	    set_default(&c->sync.customer_prefix, ML_SYNC_CUSTOMER_PREFIX) ==
	    -1 ||
	    (c->path = strdup(path)) == NULL)
		l.errors++;
	config_destroy(&conf);
	if (l.errors > 0) {
		cfg_free(c);
		return CORE_ECONFIG;
	}
	*out = c;
	return CORE_OK;
}

static void
zfree(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
free_clients(struct cfg *c)
{
	zfree(c->ss.key);
	zfree(c->ss.secret);
	zfree(c->ss.v2_key);
	free(c->ss.api);
	free(c->ss.base_url);
	free(c->ss.ca_file);
	zfree(c->x3.secret);
	zfree(c->x3.basic_password);
	zfree(c->x3.gateway_secret);
	free(c->x3.base_url);
	free(c->sync.discount);
	free(c->sync.shipping_item);
	free(c->sync.tax_item);
	free(c->sync.currency);
	free(c->sync.order_key_field);
	free(c->x3.endpoint);
	free(c->x3.graphql_path);
	free(c->x3.sales_package);
	free(c->x3.master_package);
	free(c->x3.auth);
	free(c->x3.client_id);
	free(c->x3.user);
	free(c->x3.audience);
	free(c->x3.basic_user);
	free(c->x3.gateway_url);
	free(c->x3.redirect_uri);
	free(c->x3.ca_file);
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	if (c->db.password != NULL) {
		explicit_bzero(c->db.password, strlen(c->db.password));
		free(c->db.password);
	}
	free(c->path);
	free(c->instance);
	free(c->sql_dir);
	free(c->ui_dir);
	free(c->db.host);
	free(c->db.socket);
	free(c->db.name);
	free(c->db.user);
	free(c->fcgi.listen);
	free(c->poller.lock_file);
	free(c->sync.customer_prefix);
	if (c->hooks.v1_secret != NULL) {
		explicit_bzero(c->hooks.v1_secret, strlen(c->hooks.v1_secret));
		free(c->hooks.v1_secret);
	}
	free(c->hooks.v2_jwks_url);
	free(c->hooks.public_url);
	free_clients(c);
	free(c);
}
