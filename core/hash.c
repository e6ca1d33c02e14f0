/*
 * SHA-256 as lowercase hex: dedupe keys, content hashes, row names for
 * secrets (a key is never stored, only its hash).
 */
#include "config.h"

#include <openssl/sha.h>

#include "core.h"

void
hash_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[SHA256_DIGEST_LENGTH];
	size_t			 i;

	(void)SHA256(data, len, md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}
