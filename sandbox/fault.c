/*
 * Fault rules armed through POST /_sandbox/fault: the next N matching
 * requests fail with a status, wait, lose their connection, hit a 429,
 * or are carried out and then lose their answer ("commit but lose the
 * response", the case exactly-once delivery has to survive).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

#define FAULT_RULES_MAX	64

enum fault_kind {
	FAULT_STATUS,		/* answer status instead of the handler */
	FAULT_DELAY,		/* add delay_ms before the answer */
	FAULT_DROP,		/* close without running the handler */
	FAULT_RATE,		/* 429 with the face's headers */
	FAULT_LOSE,		/* run the handler, then close unanswered */
	FAULT__MAX
};

static const char *const kinds[FAULT__MAX] = {
	"status",		/* FAULT_STATUS */
	"delay",		/* FAULT_DELAY */
	"drop",			/* FAULT_DROP */
	"rate_limit",		/* FAULT_RATE */
	"lose_response",	/* FAULT_LOSE */
};

static const char *const systems[SYS__MAX] = {
	"v1",			/* SYS_V1 */
	"v2",			/* SYS_V2 */
	"x3",			/* SYS_X3 */
	"control",		/* SYS_CTL */
};

struct rule {
	enum fault_kind	 kind;
	int		 status;
	unsigned int	 delay_ms;
	int		 left;		/* requests still to hit; -1 forever */
	int		 sys;		/* enum sb_sys; -1 ShipStation; -2 any */
	char		 method[16];	/* "" any */
	char		 path[256];	/* prefix; "" any */
	char		 body[128];	/* substring of the request body; "" any */
	int		 hits;
	int		 every;		/* hit one matching request in N */
	int		 seen;		/* matching requests so far */
};

static struct rule	 rules[FAULT_RULES_MAX];
static size_t		 nrules;

int
fault_add(json_t *a, char *err, size_t errsz)
{
	struct rule	 r;
	const char	*kind, *sys, *s;
	json_int_t	 v;
	size_t		 i;

	memset(&r, 0, sizeof(r));
	r.left = 1;
	r.sys = -2;
	if (!json_is_object(a) || (kind = ss_str(a, "kind")) == NULL) {
		(void)snprintf(err, errsz, "body must be an object with "
		    "\"kind\"");
		return -1;
	}
	for (i = 0; i < FAULT__MAX; i++)
		if (strcasecmp(kind, kinds[i]) == 0)
			break;
	if (strcasecmp(kind, "error") == 0)
		i = FAULT_STATUS;
	else if (strcasecmp(kind, "429") == 0 ||
	    strcasecmp(kind, "storm") == 0)
		i = FAULT_RATE;
	else if (strcasecmp(kind, "lose") == 0)
		i = FAULT_LOSE;
	if (i == FAULT__MAX) {
		(void)snprintf(err, errsz, "unknown kind \"%.64s\"", kind);
		return -1;
	}
	r.kind = (enum fault_kind)i;
	v = ss_int(a, "status", r.kind == FAULT_STATUS ? 500 : 0);
	if (r.kind == FAULT_STATUS && (v < 400 || v > 599)) {
		(void)snprintf(err, errsz, "status must be 400..599");
		return -1;
	}
	r.status = (int)v;
	v = ss_int(a, "delay_ms", 0);
	if (v < 0 || v > 600000) {
		(void)snprintf(err, errsz, "delay_ms must be 0..600000");
		return -1;
	}
	r.delay_ms = (unsigned int)v;
	if (r.kind == FAULT_DELAY && r.delay_ms == 0) {
		(void)snprintf(err, errsz, "delay needs delay_ms");
		return -1;
	}
	v = ss_int(a, "count", 1);
	if (v > 1000000) {
		(void)snprintf(err, errsz, "count too large");
		return -1;
	}
	r.left = v <= 0 ? -1 : (int)v;
	/* "every": N spreads the rule over traffic (N = 10: 10 %). */
	v = ss_int(a, "every", 1);
	if (v < 1 || v > 1000000) {
		(void)snprintf(err, errsz, "every must be 1..1000000");
		return -1;
	}
	r.every = (int)v;
	if ((sys = ss_str(a, "system")) != NULL &&
	    strcasecmp(sys, "any") != 0) {
		if (strcasecmp(sys, "shipstation") == 0)
			r.sys = -1;
		else {
			for (i = 0; i < SYS_CTL; i++)
				if (strcasecmp(sys, systems[i]) == 0)
					break;
			if (i == SYS_CTL) {
				(void)snprintf(err, errsz, "system is v1, v2, "
				    "x3, shipstation or any");
				return -1;
			}
			r.sys = (int)i;
		}
	}
	if ((s = ss_str(a, "method")) != NULL &&
	    snprintf(r.method, sizeof(r.method), "%s", s) >=
	    (int)sizeof(r.method)) {
		(void)snprintf(err, errsz, "method too long");
		return -1;
	}
	if ((s = ss_str(a, "path")) != NULL &&
	    snprintf(r.path, sizeof(r.path), "%s", s) >=
	    (int)sizeof(r.path)) {
		(void)snprintf(err, errsz, "path too long");
		return -1;
	}
	/* One request among several to the same path (GraphQL). */
	if ((s = ss_str(a, "body")) != NULL &&
	    snprintf(r.body, sizeof(r.body), "%s", s) >=
	    (int)sizeof(r.body)) {
		(void)snprintf(err, errsz, "body too long");
		return -1;
	}
	if (nrules == FAULT_RULES_MAX) {
		(void)snprintf(err, errsz, "too many rules armed");
		return -1;
	}
	rules[nrules++] = r;
	return 0;
}

void
fault_clear(void)
{
	nrules = 0;
}

json_t *
fault_dump(void)
{
	json_t	*a = json_array(), *o;
	size_t	 i;

	for (i = 0; i < nrules; i++) {
		o = json_pack("{s:s, s:i, s:i, s:i, s:s, s:s, s:s, s:s, s:i, "
		    "s:i}",
		    "kind", kinds[rules[i].kind],
		    "status", rules[i].status,
		    "delay_ms", (int)rules[i].delay_ms,
		    "count", rules[i].left,
		    "system", rules[i].sys == -2 ? "any" : rules[i].sys == -1 ?
		    "shipstation" : systems[rules[i].sys],
		    "method", rules[i].method, "path", rules[i].path,
		    "body", rules[i].body,
		    "hits", rules[i].hits, "every", rules[i].every);
		(void)json_array_append_new(a, o);
	}
	return a;
}

static int
matches(const struct rule *r, enum sb_sys sys, const char *method,
    const char *path, const char *body, size_t bodylen)
{
	if (r->sys == -1 && sys != SYS_V1 && sys != SYS_V2)
		return 0;
	if (r->sys >= 0 && (enum sb_sys)r->sys != sys)
		return 0;
	if (r->method[0] != '\0' && strcasecmp(r->method, method) != 0)
		return 0;
	if (r->body[0] != '\0' && (body == NULL || memmem(body, bodylen,
	    r->body, strlen(r->body)) == NULL))
		return 0;
	return r->path[0] == '\0' || ss_prefix(path, r->path);
}

void
fault_match(enum sb_sys sys, const char *method, const char *path,
    const char *body, size_t bodylen, struct fault_hit *hit)
{
	size_t	 i;
	int	 taken = 0;

	memset(hit, 0, sizeof(*hit));
	for (i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];

		if (!matches(r, sys, method, path, body, bodylen))
			continue;
		if (r->kind != FAULT_DELAY && taken)
			continue;
		if (r->every > 1 && r->seen++ % r->every != r->every - 1)
			continue;
		switch (r->kind) {
		case FAULT_STATUS:
			hit->status = r->status;
			break;
		case FAULT_DELAY:
			break;
		case FAULT_DROP:
			hit->drop = 1;
			break;
		case FAULT_RATE:
			hit->rate = 1;
			break;
		case FAULT_LOSE:
			hit->lose = 1;
			break;
		default:
			break;
		}
		hit->delay_ms += r->delay_ms;
		if (r->kind != FAULT_DELAY)
			taken = 1;
		r->hits++;
		if (r->left > 0)
			r->left--;
	}
	/* Spent rules go. */
	for (i = 0; i < nrules; ) {
		if (rules[i].left == 0) {
			memmove(&rules[i], &rules[i + 1],
			    (nrules - i - 1) * sizeof(rules[0]));
			nrules--;
		} else
			i++;
	}
}
