/*
 * Webhook body validation, kept free of I/O so that the fuzz driver
 * (tests/fuzz/) can drive it directly.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "app.h"

#define HOOK_URL_MAX	1024	/* reference: resource_url <= 200 chars */

static int
known(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/*
 * Nesting depth of a JSON text, counted outside strings, so a deeply
 * nested body is refused before jansson recurses into it.
 */
int
hook_json_depth(const char *s, size_t len)
{
	int	 depth = 0, max = 0, instr = 0;
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
			continue;
		}
		switch (s[i]) {
		case '"':
			instr = 1;
			break;
		case '{':
		case '[':
			if (++depth > max)
				max = depth;
			break;
		case '}':
		case ']':
			depth--;
			break;
		default:
			break;
		}
	}
	return max;
}

/*
 * Validate a webhook body. On 0, *type and *url point into *doc (new;
 * json_decref it). On -1, status and msg say why (msg static or in buf).
 */
int
hook_parse(const char *body, size_t len, const char *const *types,
    json_t **doc, const char **type, const char **url, int *status,
    char *msg, size_t msgsz)
{
	json_error_t	 e;
	json_t		*d;

	*doc = NULL;
	if (hook_json_depth(body, len) > ML_MAX_JSON_DEPTH) {
		*status = 400;
		(void)snprintf(msg, msgsz, "JSON nested deeper than %d",
		    ML_MAX_JSON_DEPTH);
		return -1;
	}
	if ((d = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e)) == NULL) {
		*status = 400;
		(void)snprintf(msg, msgsz, "malformed JSON at line %d column "
		    "%d: %s", e.line, e.column, e.text);
		return -1;
	}
	if (!json_is_object(d)) {
		*status = 422;
		(void)snprintf(msg, msgsz, "body must be a JSON object");
		goto fail;
	}
	/* Unknown extra keys are kept (V2 tracking events carry data). */
	if (json_unpack_ex(d, &e, 0, "{s:s, s:s}", "resource_url", url,
	    "resource_type", type) != 0) {
		*status = 422;
		(void)snprintf(msg, msgsz, "resource_url and resource_type "
		    "must be strings: %s", e.text);
		goto fail;
	}
	if (!known(types, *type)) {
		*status = 422;
		(void)snprintf(msg, msgsz, "unknown resource_type");
		goto fail;
	}
	if (strlen(*url) > HOOK_URL_MAX || (*url)[0] == '\0') {
		*status = 422;
		(void)snprintf(msg, msgsz, "resource_url is empty or too long");
		goto fail;
	}
	*doc = d;
	return 0;
fail:
	json_decref(d);
	return -1;
}

