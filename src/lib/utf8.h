// SPDX-License-Identifier: MIT
// UTF-8 sequence validation shared by the JSON reader and writer.
#ifndef CW_UTF8_H
#define CW_UTF8_H

#include <stddef.h>

/*
 * Length (2 to 4) of the valid multi-byte UTF-8 sequence at p, reading at most n bytes, or 0
 * when it is invalid: a continuation or overlong lead byte, a truncated or overlong sequence,
 * a surrogate, or a code point past U+10FFFF. ASCII (< 0x80) is the caller's business.
 */
size_t utf8_seq_len(const unsigned char *p, size_t n);
#endif
