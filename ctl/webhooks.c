/*
 * ml-connector-ctl webhooks: subscribe, list and remove our webhooks in
 * ShipStation, pointing them at webhooks.public_url. Subscribing is
 * idempotent: events already delivered to our URL are left alone.
 * The V1 URL carries the install secret, so it is never printed whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <jansson.h>

#include "core.h"
#include "ctl.h"

static const char *const v1_events[] = {
	"ORDER_NOTIFY", "SHIP_NOTIFY", "FULFILLMENT_SHIPPED", NULL,
};
static const char *const v2_events[] = {
	"shipment_created_v2", "label_created_v2", "fulfillment_shipped_v2",
	NULL,
};

/* One subscription, whichever API version listed it. */
struct sub {
	char		 id[64];
	const char	*event;
	const char	*url;
};

static int
read_sub(const struct cfg *cfg, json_t *w, struct sub *s)
{
	json_t	*id;

	if (cfg->ss.v2) {
		id = json_object_get(w, "webhook_id");
		s->event = json_string_value(json_object_get(w, "event"));
		s->url = json_string_value(json_object_get(w, "url"));
	} else {
		id = json_object_get(w, "WebHookID");
		s->event = json_string_value(json_object_get(w, "HookType"));
		s->url = json_string_value(json_object_get(w, "Url"));
	}
	if (json_is_integer(id))
		(void)snprintf(s->id, sizeof(s->id), "%lld",
		    (long long)json_integer_value(id));
	else if (json_is_string(id))
		(void)snprintf(s->id, sizeof(s->id), "%s",
		    json_string_value(id));
	else
		return -1;
	return s->event != NULL && s->url != NULL ? 0 : -1;
}

/* Our target URL. 0 or -1 when public_url or the V1 secret is missing. */
static int
target(const struct cfg *cfg, char *buf, size_t sz)
{
	const char	*base = cfg->hooks.public_url;
	size_t		 n;
	int		 w;

	if (base == NULL) {
		fprintf(stderr, "webhooks: set webhooks.public_url (the "
		    "https address ShipStation can reach us at)\n");
		return -1;
	}
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (cfg->ss.v2)
		w = snprintf(buf, sz, "%.*s/hooks/shipstation/v2", (int)n, base);
	else if (cfg->hooks.v1_secret == NULL) {
		fprintf(stderr, "webhooks: set webhooks.v1_secret_file\n");
		return -1;
	} else
		w = snprintf(buf, sz, "%.*s/hooks/shipstation/v1/%s", (int)n,
		    base, cfg->hooks.v1_secret);
	return w < 0 || (size_t)w >= sz ? -1 : 0;
}

/* The URL with any V1 secret masked, for printing. */
static void
masked(const char *url, char *buf, size_t sz)
{
	const char	*p = strstr(url, "/hooks/shipstation/v1/");

	if (p == NULL)
		(void)snprintf(buf, sz, "%s", url);
	else
		(void)snprintf(buf, sz, "%.*s/hooks/shipstation/v1/****",
		    (int)(p - url), url);
}

static int
is_ours(const struct cfg *cfg, const char *url)
{
	const char	*base = cfg->hooks.public_url;

	return base != NULL && strncmp(url, base, strlen(base)) == 0 &&
	    strstr(url, "/hooks/shipstation/") != NULL;
}

static void
report_fail(struct ss *ss, const char *what, enum core_err rc)
{
	const struct http_resp	*r = ss_last(ss);

	fprintf(stderr, "webhooks: %s failed: %s\n", what,
	    r != NULL && r->what[0] != '\0' ? r->what : core_strerror(rc));
}

int
ctl_webhooks(const struct cfg *cfg, struct db *db, int argc, char **argv)
{
	const char *const *events = NULL;
	struct ss	*ss = NULL;
	json_t		*list = NULL, *w;
	struct sub	 s;
	char		 url[1024], shown[1024], *id;
	enum core_err	 rc;
	size_t		 i, k;
	int		 ret = 1, have, removed = 0;

	if (argc < 2 || (strcmp(argv[1], "remove") == 0 && argc != 3) ||
	    (strcmp(argv[1], "remove") != 0 && argc != 2)) {
		fprintf(stderr, "usage: ml-connector-ctl webhooks "
		    "subscribe | list | remove ID|--all\n");
		return 1;
	}
	if (!cfg->ss.enabled) {
		fprintf(stderr, "webhooks: no shipstation group in %s\n",
		    cfg->path);
		return 1;
	}
	if ((rc = ss_new(&cfg->ss, db, &ss)) != CORE_OK) {
		fprintf(stderr, "webhooks: %s\n", core_strerror(rc));
		return 1;
	}
	if ((rc = ss_webhook_list(ss, &list)) != CORE_OK) {
		report_fail(ss, "listing", rc);
		goto out;
	}
	if (strcmp(argv[1], "list") == 0) {
		json_array_foreach(list, i, w) {
			if (read_sub(cfg, w, &s) == -1)
				continue;
			masked(s.url, shown, sizeof(shown));
			printf("%s\t%s\t%s%s\n", s.id, s.event, shown,
			    is_ours(cfg, s.url) ? "\t(ours)" : "");
		}
		ret = 0;
	} else if (strcmp(argv[1], "subscribe") == 0) {
		if (target(cfg, url, sizeof(url)) == -1)
			goto out;
		masked(url, shown, sizeof(shown));
		events = cfg->ss.v2 ? v2_events : v1_events;
		for (k = 0; events[k] != NULL; k++) {
			have = 0;
			json_array_foreach(list, i, w)
				if (read_sub(cfg, w, &s) == 0 &&
				    strcasecmp(s.event, events[k]) == 0 &&
				    strcmp(s.url, url) == 0)
					have = 1;
			if (have) {
				printf("%s\talready subscribed\n", events[k]);
				continue;
			}
			if ((rc = ss_webhook_subscribe(ss, url, events[k], NULL,
			    "ml-connector", &id)) != CORE_OK) {
				report_fail(ss, events[k], rc);
				goto out;
			}
			printf("%s\tsubscribed as %s -> %s\n", events[k], id,
			    shown);
			free(id);
		}
		ret = 0;
	} else if (strcmp(argv[1], "remove") == 0) {
		json_array_foreach(list, i, w) {
			if (read_sub(cfg, w, &s) == -1 ||
			    (strcmp(argv[2], "--all") == 0 ?
			    !is_ours(cfg, s.url) : strcmp(argv[2], s.id) != 0))
				continue;
			if ((rc = ss_webhook_unsubscribe(ss, s.id)) != CORE_OK) {
				report_fail(ss, "removing", rc);
				goto out;
			}
			printf("%s\tremoved (%s)\n", s.id, s.event);
			removed++;
		}
		if (removed == 0 && strcmp(argv[2], "--all") != 0) {
			fprintf(stderr, "webhooks: no webhook %s\n", argv[2]);
			goto out;
		}
		ret = 0;
	} else
		fprintf(stderr, "webhooks: unknown action %s\n", argv[1]);
out:
	json_decref(list);
	ss_free(ss);
	return ret;
}
