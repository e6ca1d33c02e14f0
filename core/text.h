/*
 * text.c: the byte-level checks that every reader of untrusted text
 * needs alike (the JSON validator, the form and multipart decoders):
 * hex digits and well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
#ifndef ML_TEXT_H
#define ML_TEXT_H

#include <stddef.h>

/* The value of hex digit c, or -1. */
int	 text_hexval(int c);
/* Length of the well-formed UTF-8 sequence at p (n >= 1 bytes left), or 0. */
size_t	 text_utf8_len(const unsigned char *p, size_t n);
/* 1 when s[0..n) is well-formed UTF-8, else 0. */
int	 text_utf8_valid(const unsigned char *s, size_t n);

#endif /* !ML_TEXT_H */
