// SPDX-License-Identifier: MIT
// Growing a malloc'd array by doubling.
#ifndef CW_GROW_H
#define CW_GROW_H

#include <stddef.h>

/*
 * Returns p (an array of *alloc elements of size bytes, or NULL) reallocated to
 * hold at least need elements, doubling; updates *alloc. Aborts (die) when out of
 * memory or when the size overflows.
 */
void *grow_array(void *p, size_t *alloc, size_t need, size_t size);
#endif
