/*
 * ShipStation V2 webhook signatures: RSA-SHA256 (PKCS#1 v1.5) over
 * "<x-shipengine-timestamp>.<raw body>", the key chosen by the
 * x-shipengine-rsa-sha256-key-id header from a JWKS document
 * (RFC 7517: {"keys":[{"kty":"RSA","kid":…,"n":…,"e":…}]}).
 * Public keys only; libcrypto does the mathematics.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core.h"

#define JWKS_MAX_KEYS	16

struct jwks_key {
	char		*kid;
	EVP_PKEY	*pkey;
};

struct jwks {
	struct jwks_key	 keys[JWKS_MAX_KEYS];
	size_t		 nkeys;
};

/* Decode base64url (RFC 4648 §5, no padding) into a new buffer. */
static unsigned char *
b64url_decode(const char *in, size_t *outlen)
{
	size_t		 len = strlen(in), i, o = 0;
	unsigned int	 acc = 0;
	int		 bits = 0, v;
	unsigned char	*out;

	if ((out = malloc(len * 3 / 4 + 3)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = in[i];
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else if (c == '=')
			break;
		else {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	*outlen = o;
	return out;
}

/* Standard base64 (with padding) into a new buffer; NULL on bad input. */
static unsigned char *
b64_decode(const char *in, size_t *outlen)
{
	size_t		 len = strlen(in), cap;
	unsigned char	*out;
	int		 n;

	if (len == 0 || len % 4 != 0 || len > 8192)
		return NULL;
	cap = len / 4 * 3;
	if ((out = malloc(cap + 1)) == NULL)
		return NULL;
	if ((n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len)) < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding bytes as data. */
	if (len >= 1 && in[len - 1] == '=')
		n--;
	if (len >= 2 && in[len - 2] == '=')
		n--;
	*outlen = (size_t)n;
	return out;
}

static EVP_PKEY *
rsa_from_ne(const char *n64, const char *e64)
{
	unsigned char	*n = NULL, *e = NULL;
	size_t		 nlen = 0, elen = 0;
	BIGNUM		*bn = NULL, *be = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((n = b64url_decode(n64, &nlen)) == NULL ||
	    (e = b64url_decode(e64, &elen)) == NULL ||
	    nlen < 128 || nlen > 1024 || elen == 0 || elen > 8)
		goto out;
	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return pkey;
}

enum core_err
jwks_parse(const char *text, size_t len, struct jwks **out)
{
	json_t		*doc, *keys, *k;
	json_error_t	 err;
	struct jwks	*j;
	const char	*kty, *kid, *n, *e, *use;
	size_t		 i;

	*out = NULL;
	if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return CORE_EINPUT;
	if ((keys = json_object_get(doc, "keys")) == NULL ||
	    !json_is_array(keys)) {
		json_decref(doc);
		return CORE_EINPUT;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		json_decref(doc);
		return CORE_ENOMEM;
	}
	json_array_foreach(keys, i, k) {
		kty = kid = n = e = use = NULL;
		if (json_unpack(k, "{s:s, s:s, s:s, s:s, s?s}", "kty", &kty,
		    "kid", &kid, "n", &n, "e", &e, "use", &use) != 0 ||
		    strcmp(kty, "RSA") != 0 ||
		    (use != NULL && strcmp(use, "sig") != 0) ||
		    j->nkeys == JWKS_MAX_KEYS)
			continue;
		if ((j->keys[j->nkeys].pkey = rsa_from_ne(n, e)) == NULL)
			continue;
		if ((j->keys[j->nkeys].kid = strdup(kid)) == NULL) {
			EVP_PKEY_free(j->keys[j->nkeys].pkey);
			break;
		}
		j->nkeys++;
	}
	json_decref(doc);
	if (j->nkeys == 0) {
		jwks_free(j);
		return CORE_EINPUT;
	}
	*out = j;
	return CORE_OK;
}

int
jwks_has(const struct jwks *j, const char *kid)
{
	size_t	 i;

	for (i = 0; j != NULL && i < j->nkeys; i++)
		if (strcmp(j->keys[i].kid, kid) == 0)
			return 1;
	return 0;
}

enum core_err
jwks_verify(const struct jwks *j, const char *kid, const char *timestamp,
    const char *body, size_t bodylen, const char *sig_b64)
{
	EVP_MD_CTX	*md = NULL;
	unsigned char	*sig = NULL;
	size_t		 siglen = 0, i;
	EVP_PKEY	*pkey = NULL;
	enum core_err	 rc = CORE_EINPUT;

	for (i = 0; j != NULL && i < j->nkeys; i++)
		if (strcmp(j->keys[i].kid, kid) == 0)
			pkey = j->keys[i].pkey;
	if (pkey == NULL)
		return CORE_ENOTFOUND;
	if ((sig = b64_decode(sig_b64, &siglen)) == NULL)
		return CORE_EINPUT;
	if ((md = EVP_MD_CTX_new()) == NULL) {
		rc = CORE_ENOMEM;
		goto out;
	}
	/* The signed message is "<timestamp>.<raw body>". */
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestVerifyUpdate(md, timestamp, strlen(timestamp)) != 1 ||
	    EVP_DigestVerifyUpdate(md, ".", 1) != 1 ||
	    EVP_DigestVerifyUpdate(md, body, bodylen) != 1)
		goto out;
	if (EVP_DigestVerifyFinal(md, sig, siglen) == 1)
		rc = CORE_OK;
out:
	EVP_MD_CTX_free(md);
	free(sig);
	return rc;
}

void
jwks_free(struct jwks *j)
{
	size_t	 i;

	if (j == NULL)
		return;
	for (i = 0; i < j->nkeys; i++) {
		free(j->keys[i].kid);
		EVP_PKEY_free(j->keys[i].pkey);
	}
	free(j);
}
