/*
 * JWT minting for X3 connected applications (core/token.c): base64url,
 * HMAC-SHA256 and whole tokens against known-answer vectors (RFC 4231,
 * RFC 7515 A.1, and tokens computed independently with Python's hmac).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void
b64url_vectors(void **state)
{
	char	 out[64];

	(void)state;
	/* RFC 4648 section 10 vectors, url alphabet, no padding. */
	assert_int_equal(token_b64url("", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(token_b64url("f", 1, out, sizeof(out)), 2);
	assert_string_equal(out, "Zg");
	assert_int_equal(token_b64url("fo", 2, out, sizeof(out)), 3);
	assert_string_equal(out, "Zm8");
	assert_int_equal(token_b64url("foo", 3, out, sizeof(out)), 4);
	assert_string_equal(out, "Zm9v");
	assert_int_equal(token_b64url("foobar", 6, out, sizeof(out)), 8);
	assert_string_equal(out, "Zm9vYmFy");
	assert_int_equal(token_b64url("\xfb\xff", 2, out, sizeof(out)), 3);
	assert_string_equal(out, "-_8");
	assert_int_equal(token_b64url("foobar", 6, out, 8), -1);
}

static void
hmac_sha256_vectors(void **state)
{
	/* RFC 7515 A.1 key (the JWK "k", decoded). */
	static const unsigned char key[] = {
		0x03, 0x23, 0x35, 0x4b, 0x2b, 0x0f, 0xa5, 0xbc, 0x83, 0x7e,
		0x06, 0x65, 0x77, 0x7b, 0xa6, 0x8f, 0x5a, 0xb3, 0x28, 0xe6,
		0xf0, 0x54, 0xc9, 0x28, 0xa9, 0x0f, 0x84, 0xb2, 0xd2, 0x50,
		0x2e, 0xbf, 0xd3, 0xfb, 0x5a, 0x92, 0xd2, 0x06, 0x47, 0xef,
		0x96, 0x8a, 0xb4, 0xc3, 0x77, 0x62, 0x3d, 0x22, 0x3d, 0x2e,
		0x21, 0x72, 0x05, 0x2e, 0x4f, 0x08, 0xc0, 0xcd, 0x9a, 0xf5,
		0x67, 0xd0, 0x80, 0xa3,
	};
	static const char si[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
	    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
	    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
	static const char jwtio[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
	    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2"
	    "MjM5MDIyfQ";
	unsigned char	 mac[32];
	char		 out[65];

	(void)state;
	/* RFC 4231 test case 2. */
	assert_int_equal(token_hs256("Jefe", 4, "what do ya want for nothing?",
	    28, mac), 0);
	hex(mac, 32, out);
	assert_string_equal(out, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	assert_int_equal(token_hs256(key, sizeof(key), si, strlen(si), mac), 0);
	assert_int_equal(token_b64url(mac, 32, out, sizeof(out)), 43);
	assert_string_equal(out, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
	assert_int_equal(token_hs256("your-256-bit-secret", 19, jwtio,
	    strlen(jwtio), mac), 0);
	assert_int_equal(token_b64url(mac, 32, out, sizeof(out)), 43);
	assert_string_equal(out, "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
}

static void
mint_known_answers(void **state)
{
	char	*jwt;

	(void)state;
	/* iat back-dated 30 s, exp = iat + 300 (X3 refuses exp - iat above
	 * the validity), empty aud (Sage samples). */
	assert_int_equal(token_jwt_mint("0123abcd", "ADMIN", "", "s3cr3t",
	    1700000000, 300, 30, &jwt), CORE_OK);
	assert_string_equal(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
	    "eyJpc3MiOiIwMTIzYWJjZCIsInN1YiI6IkFETUlOIiwiYXVkIjoiIiwiaWF0Ij"
	    "oxNjk5OTk5OTcwLCJleHAiOjE3MDAwMDAyNzB9."
	    "JRCYmAvILYxm3JtqXgFPAxHVH1EK1PnPSbJOFg2QiBc");
	free(jwt);
	/* No user: sub omitted; aud = the GraphQL URL (some servers). */
	assert_int_equal(token_jwt_mint("c1", NULL, "http://x3:8124/xtrem/api",
	    "k", 1700000000, 600, 0, &jwt), CORE_OK);
	assert_string_equal(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
	    "eyJpc3MiOiJjMSIsImF1ZCI6Imh0dHA6Ly94Mzo4MTI0L3h0cmVtL2FwaSIsIm"
	    "lhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwNjAwfQ."
	    "kci3iBq7dJo0EWszQ8eXi0IMSFByd67tcPOJSqAJOZc");
	free(jwt);
}

static void
mint_rejects_bad_input(void **state)
{
	char	*jwt = (char *)1;

	(void)state;
	assert_int_equal(token_jwt_mint(NULL, "u", "", "k", 1, 60, 0, &jwt),
	    CORE_EINPUT);
	assert_null(jwt);
	assert_int_equal(token_jwt_mint("i", "u", "", NULL, 1, 60, 0, &jwt),
	    CORE_EINPUT);
	assert_int_equal(token_jwt_mint("i", "u", "", "k", 1, 0, 0, &jwt),
	    CORE_EINPUT);
	/* Quotes and controls in claims are JSON-escaped, not spliced. */
	assert_int_equal(token_jwt_mint("a\"b", "c\nd", "", "k", 1, 60, 0,
	    &jwt), CORE_OK);
	assert_non_null(strchr(jwt, '.'));
	free(jwt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64url_vectors),
		cmocka_unit_test(hmac_sha256_vectors),
		cmocka_unit_test(mint_known_answers),
		cmocka_unit_test(mint_rejects_bad_input),
	};

	return cmocka_run_group_tests_name("jwt", tests, NULL, NULL);
}
