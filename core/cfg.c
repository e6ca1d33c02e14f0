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
	{ "fcgi", "workers", K_INT, 0, O(fcgi.workers), 1, ML_FCGI_WORKERS_MAX },
	{ "fcgi", "max_body", K_SIZE, 0, O(fcgi.max_body), 1024, ML_MAX_BODY_CEILING },
	{ "poller", "interval", K_INT, 0, O(poller.interval), 1, 86400 },
	{ "poller", "lease", K_INT, 0, O(poller.lease), 10, 86400 },
};

/* Groups that may appear; later subsystems add theirs here. */
static const char *const groups[] = {
	"paths", "database", "fcgi", "poller",
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
	c->fcgi.max_body = ML_MAX_BODY_DEFAULT;
	c->poller.interval = ML_POLL_INTERVAL_DEFAULT;
	c->poller.lease = ML_JOB_LEASE_DEFAULT;

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
	if (c->db.password == NULL && (env = getenv(ML_ENV_DB_PASSWORD)) != NULL &&
	    (c->db.password = strdup(env)) == NULL)
		l.errors++;
	if (c->db.host == NULL && c->db.socket == NULL &&
	    set_default(&c->db.socket, "/run/mysqld/mysqld.sock") == -1)
		l.errors++;
	if (set_default(&c->instance, "default") == -1 ||
	    set_default(&c->sql_dir, ML_SQL_DIR_DEFAULT) == -1 ||
	    set_default(&c->ui_dir, ML_UI_DIR_DEFAULT) == -1 ||
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
	free(c);
}
