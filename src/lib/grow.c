// SPDX-License-Identifier: MIT
// Growing a malloc'd array by doubling.
#include "lib/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/usage.h"
#include "lib/banned.h"

#define HUGE_PAGE (2u << 20)

void *big_alloc(size_t bytes)
{
	void *p = NULL;

	if (bytes < HUGE_PAGE)
		return malloc(bytes);
	if (posix_memalign(&p, HUGE_PAGE, bytes))
		return NULL;
	(void)madvise(p, bytes, MADV_HUGEPAGE); /* only a hint: 4 KiB pages work too */
	return p;
}

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
	if (n * size < HUGE_PAGE) {
		p = realloc(p, n * size);
	} else { /* realloc would leave it on 4 KiB pages */
		void *q = big_alloc(n * size);
		if (q && p)
			memcpy(q, p, *alloc * size);
		free(p);
		p = q;
	}
	if (!p)
		die("out of memory (%zu bytes)", n * size);
	*alloc = n;
	return p;
}
