/*
 * SHA-256 as lowercase hex: dedupe keys, content hashes, row names for
 * secrets (a key is never stored, only its hash).
 *
 * The digest is fetched from OpenSSL once and kept: OpenSSL 3's one-shot
 * SHA256() looks the algorithm up by name on every call, which costs
 * time on the webhook path and pulls much of libcrypto into each
 * worker's resident set.
 */
#include "config.h"

#include <pthread.h>

#include <openssl/evp.h>

#include "core.h"

static pthread_once_t	 md_once = PTHREAD_ONCE_INIT;
static EVP_MD		*md_sha256;	/* process lifetime */

static void
fetch_md(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
hash_warm_up(void)
{
	char	 out[65];

	(void)pthread_once(&md_once, fetch_md);
	hash_sha256_hex("", 0, out);
}

void
hash_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;
	size_t			 i;

	(void)pthread_once(&md_once, fetch_md);
	/* Without a digest there is no safe answer: no key may collide. */
	if (md_sha256 == NULL ||
	    EVP_Digest(data, len, md, &mdlen, md_sha256, NULL) != 1 ||
	    mdlen != 32)
		fatalx("SHA-256 is not available from OpenSSL");
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}
