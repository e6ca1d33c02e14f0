/*
 * libFuzzer driver for the code that reads untrusted webhook input:
 * CONTENT_LENGTH, the JSON body validator, and the V2 signature path
 * (JWKS documents and signatures). Run by tests/fuzz/fuzz.test for a
 * bounded time; any crash, leak or sanitizer report fails it.
 *
 * It is also a differential test of core/jscan.c: every input goes
 * through jscan and through json_loadb(JSON_REJECT_DUPLICATES), and a
 * different verdict (within the depth limit) or a different extracted
 * resource_url / resource_type aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "jscan.h"
#include "app.h"

static const char *const types[] = {
	"ORDER_NOTIFY", "SHIP_NOTIFY", "SHIPMENT_CREATED_V2", NULL,
};

/* A real JWKS the signature path can use with fuzzed signatures. */
static const char jwks_doc[] = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\","
    "\"n\":\"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1Wl"
    "UzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTc"
    "QkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLw"
    "AEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAu"
    "mRFe7FS9SuQYvBcWZqVaQSWsBqh8m5F5E8Fj1u4bQfnm4x-IW6Kof_CZfMjWfwpj_wxs"
    "RcRrYbwKk9GRNQ\",\"e\":\"AQAB\"}]}";

static struct jwks *keys;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* jscan's copy of a top-level string member against jansson's. */
static void
same_member(json_t *doc, const struct jscan_want *w)
{
	json_t	*v = json_is_object(doc) ? json_object_get(doc, w->key) : NULL;

	if ((v != NULL) != w->found)
		abort();
	if (v == NULL)
		return;
	if (json_is_string(v) != w->is_string)
		abort();
	if (!w->is_string)
		return;
	if (json_string_length(v) != w->len || w->len >= w->bufsz ||
	    memcmp(json_string_value(v), w->buf, w->len + 1) != 0)
		abort();
}

/* jscan and json_loadb must agree on every input within the depth. */
static void
differential(const char *s, size_t size)
{
	static char		 ubuf[8200], tbuf[8200];
	struct jscan_want	 w[2];
	struct jscan_err	 e;
	json_error_t		 je;
	json_t			*doc;
	int			 rc;

	memset(w, 0, sizeof(w));
	w[0].key = "resource_url";
	w[0].buf = ubuf;
	w[0].bufsz = sizeof(ubuf);
	w[1].key = "resource_type";
	w[1].buf = tbuf;
	w[1].bufsz = sizeof(tbuf);
	rc = jscan_validate(s, size, ML_MAX_JSON_DEPTH, w, 2, &e);
	if (rc == -1 && e.code == JSCAN_E_DEPTH)
		return;		/* jansson goes deeper; hook_parse refuses */
	doc = json_loadb(s, size, JSON_REJECT_DUPLICATES, &je);
	if ((rc == 0) != (doc != NULL))
		abort();
	if (doc != NULL) {
		same_member(doc, &w[0]);
		same_member(doc, &w[1]);
	}
	json_decref(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, msg[256], type[HOOK_TYPE_MAX], url[HOOK_URL_MAX + 1];
	struct jwks	*j = NULL;
	size_t		 clen, half;
	int		 status;

	if (keys == NULL && jwks_parse(jwks_doc, sizeof(jwks_doc) - 1,
	    &keys) != CORE_OK)
		abort();
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	(void)req_parse_clen(s, &clen);
	differential(s, size);
	if (hook_parse(s, size, types, type, sizeof(type), url, sizeof(url),
	    &status, msg, sizeof(msg)) == 0) {
		if (url[0] == '\0' || strlen(url) > HOOK_URL_MAX)
			abort();
	} else if (status != 400 && status != 422)
		abort();
	if (jwks_parse(s, size, &j) == CORE_OK)
		jwks_free(j);
	/* First half as the signature text, the rest as the body. */
	half = strnlen(s, size / 2);
	s[half] = '\0';
	(void)jwks_verify(keys, "k1", "2026-01-01T00:00:00Z",
	    s + half + (half < size), size - half - (half < size), s);
	free(s);
	return 0;
}
