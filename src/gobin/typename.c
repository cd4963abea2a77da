// SPDX-License-Identifier: MIT
// A Go type's name from its runtime type descriptor (abi.Type) in the binary's read-only data.
#include <string.h>

#include "gobin/gobin.h"
#include "gobin/layout.h"
#include "lib/banned.h"

#define TFLAG_EXTRA_STAR 2 /* abi.TFlagExtraStar: the stored name has a '*' the type lacks */

int gobin_type_name(const struct gobin *b, const struct runtime_layout *l, uint64_t type,
		    uint64_t types, char *buf, size_t len)
{
	const uint8_t *p;
	int32_t str;
	uint8_t tflag;
	size_t n = 0, shift = 0, i;

	if (len)
		buf[0] = '\0';
	if (!type || !types || len < 2 || !l->type_str.known || !l->type_tflag.known ||
	    gobin_read_vaddr(b, type + l->type_str.off, 4, &p))
		return -1;
	memcpy(&str, p, 4);
	if (gobin_read_vaddr(b, type + l->type_tflag.off, 1, &p))
		return -1;
	tflag = p[0];
	/* a name: one flag byte, a varint length, the bytes */
	if (gobin_read_vaddr(b, types + (uint64_t)(int64_t)str, 4, &p))
		return -1;
	for (i = 1; i < 4; i++) {
		n |= (size_t)(p[i] & 0x7f) << shift;
		shift += 7;
		if (!(p[i] & 0x80))
			break;
	}
	if (i == 4 || !n || n >= len ||
	    gobin_read_vaddr(b, types + (uint64_t)(int64_t)str + i + 1, n, &p))
		return -1;
	if ((tflag & TFLAG_EXTRA_STAR) && p[0] == '*') {
		p++;
		n--;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}
