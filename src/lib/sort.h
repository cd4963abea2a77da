// SPDX-License-Identifier: MIT
// Sorting records by a 64-bit key: addresses read from another process, in bulk.
#ifndef CW_SORT_H
#define CW_SORT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sorts the n records of size bytes at recs (size a multiple of 8, at least 8) by the
 * uint64_t each starts with, ascending and stable: records with equal keys keep their
 * order. A least-significant-digit radix sort of key - lowest key, 8 bits a pass up to the
 * top bit of the keys' span: a batch of addresses from one heap spans a few hundred MB
 * (four passes), where qsort took 4% of a 100k-goroutine snapshot. tmp is caller-owned
 * scratch with room for n records; recs is sorted in place.
 */
void sort_by_u64_key(void *recs, void *tmp, size_t n, size_t size);

/*
 * The index of a record of recs (n records of size bytes, sorted by sort_by_u64_key, keys
 * distinct) whose key is key, or SIZE_MAX. *finger is where the last search ended (any
 * value; start at 0) and is updated: the search gallops out from it, then bisects the
 * bracket found, in O(log distance). Lookups in key order cost O(1) each.
 */
size_t find_by_u64_key(const void *recs, size_t n, size_t size, uint64_t key, size_t *finger);
#endif
