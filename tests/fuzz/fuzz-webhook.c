/*
 * libFuzzer driver for the code that reads untrusted webhook input:
 * CONTENT_LENGTH, the JSON body validator, and the V2 signature path
 * (JWKS documents and signatures). Run by tests/fuzz/fuzz.test for a
 * bounded time; any crash, leak or sanitizer report fails it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, msg[256];
	const char	*type, *url;
	json_t		*doc = NULL;
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
	(void)hook_json_depth(s, size);
	if (hook_parse(s, size, types, &doc, &type, &url, &status, msg,
	    sizeof(msg)) == 0) {
		if (type == NULL || url == NULL)
			abort();
		json_decref(doc);
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
