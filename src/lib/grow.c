// SPDX-License-Identifier: MIT
// Growing a malloc'd array by doubling.
#include "lib/grow.h"

#include <stdint.h>
#include <stdlib.h>

#include "lib/usage.h"
#include "lib/banned.h"

void *grow_array(void *p, size_t *alloc, size_t need, size_t size)
{
	size_t n;

	if (need <= *alloc)
		return p;
	n = *alloc ? *alloc : 64;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			die("out of memory");
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		die("out of memory");
	p = realloc(p, n * size);
	if (!p)
		die("out of memory (%zu bytes)", n * size);
	*alloc = n;
	return p;
}
