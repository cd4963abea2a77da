// SPDX-License-Identifier: MIT
// Growing a malloc'd array by doubling; memory for large arrays.
#ifndef CW_GROW_H
#define CW_GROW_H

#include <stddef.h>

/*
 * Memory for a large array that will be written whole (bytes of it). From 2 MiB on it is
 * aligned to 2 MiB and asked (madvise, a hint) to live on transparent huge pages: first
 * touching it then costs one page fault per 2 MiB, not 512 (a 100k-goroutine snapshot spent
 * 10% of its time in page faults). Released by free(); NULL when out of memory.
 */
void *big_alloc(size_t bytes);

/*
 * Returns p (an array of *alloc elements of size bytes, or NULL) reallocated to
 * hold at least need elements, doubling (from 2 MiB on through big_alloc, copying); updates
 * *alloc. Aborts (die) when out of
 * memory or when the size overflows.
 */
void *grow_array(void *p, size_t *alloc, size_t need, size_t size);
#endif
