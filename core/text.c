/*
 * Hex digits and well-formed UTF-8 (see text.h). The UTF-8 table is
 * jansson's utf8_check_full, so that the JSON validator (jscan.c)
 * accepts exactly what jansson does.
 */
#include "config.h"

#include "text.h"

int
text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
text_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xBF;
	size_t		 k, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		k = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		k = 3;
		if (p[0] == 0xE0)
			lo = 0xA0;		/* overlong */
		else if (p[0] == 0xED)
			hi = 0x9F;		/* surrogates */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		k = 4;
		if (p[0] == 0xF0)
			lo = 0x90;		/* overlong */
		else if (p[0] == 0xF4)
			hi = 0x8F;		/* above U+10FFFF */
	} else
		return 0;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return k;
}

int
text_utf8_valid(const unsigned char *s, size_t n)
{
	size_t	 i, k;

	for (i = 0; i < n; i += k)
		if ((k = text_utf8_len(s + i, n - i)) == 0)
			return 0;
	return 1;
}
