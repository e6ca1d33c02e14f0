/*
 * X3 authentication: connected-application JWTs (sage-x3.md §5.2,
 * RFC 7519, RFC 7515 HS256) and Basic (§5.1, RFC 7617).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <jansson.h>

#include "sandbox.h"
#include "x3.h"

/*
 * "Error NN: Invalid token" codes (§5.2, from one vendor's doc,
 * UNVERIFIED against Sage): 41 iss, 42 sub, 45 aud, 50 signature or
 * expired; 21 is the sample's "iat in the future".
 */
#define JWT_E_ISS	41
#define JWT_E_SUB	42
#define JWT_E_AUD	45
#define JWT_E_SIG	50
#define JWT_E_FUTURE	21

/* Decode base64 or base64url (padding optional); length or -1. */
static int
b64dec(const char *in, size_t inlen, unsigned char *out, size_t outsz)
{
	size_t		 i, o = 0;
	unsigned int	 acc = 0;
	int		 bits = 0, v;
	unsigned char	 c;

	for (i = 0; i < inlen; i++) {
		c = (unsigned char)in[i];
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == '=') {
			/* Padding only at the end. */
			for (; i < inlen; i++)
				if (in[i] != '=')
					return -1;
			break;
		} else
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return (int)o;
}

static int
claim_int(const json_t *p, const char *name, int64_t *out)
{
	const json_t	*v = json_object_get(p, name);

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		*out = (int64_t)json_real_value(v);
		return 0;
	}
	return -1;
}

/* aud is a string or an array of strings (RFC 7519 4.1.3). */
static int
aud_ok(const json_t *aud, const char *want)
{
	size_t		 i;
	const json_t	*v;

	if (want == NULL)
		want = "";
	if (aud == NULL)
		return *want == '\0';
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), want) == 0;
	json_array_foreach(aud, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
			return 1;
	return 0;
}

/* Check a bearer JWT; see x3.h. */
int
x3_jwt_check(const struct x3_state *x, const char *tok, int *code)
{
	const struct sb_config	*cfg = x->cfg;
	const char		*d1, *d2, *alg, *iss, *sub;
	unsigned char		 hdr[512], pay[2048], sig[64], mac[EVP_MAX_MD_SIZE];
	unsigned int		 maclen = 0;
	int			 hl, pl, sl, rc = -1;
	json_t			*h = NULL, *p = NULL;
	int64_t			 now, iat, exp, validity;

	*code = JWT_E_SIG;
	if (strlen(tok) > X3_MAX_TOKEN ||
	    (d1 = strchr(tok, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return -1;
	if ((hl = b64dec(tok, (size_t)(d1 - tok), hdr, sizeof(hdr))) < 0 ||
	    (pl = b64dec(d1 + 1, (size_t)(d2 - d1 - 1), pay,
	    sizeof(pay))) < 0 ||
	    (sl = b64dec(d2 + 1, strlen(d2 + 1), sig, sizeof(sig))) < 0)
		return -1;
	if ((h = json_loadb((const char *)hdr, (size_t)hl,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    (p = json_loadb((const char *)pay, (size_t)pl,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(h) || !json_is_object(p))
		goto out;
	/* HS256 only: "none" and asymmetric algorithms are refused. */
	if ((alg = json_string_value(json_object_get(h, "alg"))) == NULL ||
	    strcmp(alg, "HS256") != 0)
		goto out;
	/* X3 finds the application by iss first (the client id). */
	iss = json_string_value(json_object_get(p, "iss"));
	if (iss == NULL || cfg == NULL || cfg->x3_client_id == NULL ||
	    strcmp(iss, cfg->x3_client_id) != 0) {
		*code = JWT_E_ISS;
		goto out;
	}
	if (cfg->x3_secret == NULL || HMAC(EVP_sha256(), cfg->x3_secret,
	    (int)strlen(cfg->x3_secret), (const unsigned char *)tok,
	    (size_t)(d2 - tok), mac, &maclen) == NULL ||
	    (unsigned int)sl != maclen || CRYPTO_memcmp(mac, sig, maclen) != 0) {
		*code = JWT_E_SIG;
		goto out;
	}
	/* sub names the allowed user when one is configured. */
	sub = json_string_value(json_object_get(p, "sub"));
	if (cfg->x3_user != NULL && *cfg->x3_user != '\0' &&
	    (sub == NULL || strcmp(sub, cfg->x3_user) != 0)) {
		*code = JWT_E_SUB;
		goto out;
	}
	/* aud matched literally (§6.9): "" or the full URL, per config. */
	if (!aud_ok(json_object_get(p, "aud"), cfg->x3_audience)) {
		*code = JWT_E_AUD;
		goto out;
	}
	now = sb_now_ms() / 1000;
	if (claim_int(p, "iat", &iat) == -1 || claim_int(p, "exp", &exp) == -1) {
		*code = JWT_E_SIG;
		goto out;
	}
	if (iat > now + X3_JWT_SKEW) {
		*code = JWT_E_FUTURE;
		goto out;
	}
	validity = cfg->x3_token_validity > 0 ? cfg->x3_token_validity : 300;
	if (exp < now || exp - iat > validity || exp < iat ||
	    iat < x->token_nbf) {
		*code = JWT_E_SIG;
		goto out;
	}
	*code = 0;
	rc = 0;
out:
	json_decref(h);
	json_decref(p);
	return rc;
}

/* Check "Basic base64(user:password)"; 0 when it matches. */
int
x3_basic_check(const struct x3_state *x, const char *authz)
{
	unsigned char	 buf[512];
	const char	*b, *colon;
	int		 n;
	size_t		 ul;
	const char	*u = x->cfg != NULL ? x->cfg->x3_basic_user : NULL;
	const char	*pw = x->cfg != NULL ? x->cfg->x3_basic_password : NULL;

	if (authz == NULL || u == NULL || pw == NULL ||
	    strncasecmp(authz, "Basic ", 6) != 0)
		return -1;
	for (b = authz + 6; *b == ' '; b++)
		continue;
	if ((n = b64dec(b, strlen(b), buf, sizeof(buf) - 1)) < 0)
		return -1;
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n) != NULL ||
	    (colon = strchr((const char *)buf, ':')) == NULL)
		return -1;
	ul = (size_t)(colon - (const char *)buf);
	if (ul != strlen(u) || memcmp(buf, u, ul) != 0 ||
	    strlen(colon + 1) != strlen(pw) ||
	    CRYPTO_memcmp(colon + 1, pw, strlen(pw)) != 0)
		return -1;
	return 0;
}
