// SPDX-License-Identifier: MIT
// UTF-8 sequence validation shared by the JSON reader and writer.
#include "lib/utf8.h"

#include <stdint.h>

#include "lib/banned.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 if invalid. */
size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t len;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0; /* continuation byte, overlong 2-byte lead, or past U+10FFFF */
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}
