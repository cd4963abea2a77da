// SPDX-License-Identifier: MIT
// Sorting records by a 64-bit key (see sort.h).
#include <stdint.h>
#include <string.h>

#include "lib/sort.h"
#include "lib/banned.h"

static uint64_t key_of(const unsigned char *rec)
{
	uint64_t k;
	memcpy(&k, rec, sizeof(k));
	return k;
}

/* Inlined for each record size the callers use, so the copies and key loads are fixed-size
 * moves: a generic memcpy per record made the sort three times slower. */
static inline __attribute__((always_inline)) void
sort_sized(unsigned char *recs, unsigned char *tmp, size_t n, size_t size)
{
	unsigned char *from = recs, *to = tmp, *swap;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_of(from + i * size);
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	/* the digits of key - lo that can be non-zero: up to the top bit of hi - lo */
	for (unsigned shift = 0; n > 1 && shift < 64 && ((hi - lo) >> shift); shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[((key_of(from + i * size) - lo) >> shift & 0xff) + 1]++;
		for (size_t d = 1; d <= 256; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++) {
			size_t d = (key_of(from + i * size) - lo) >> shift & 0xff;
			memcpy(to + count[d]++ * size, from + i * size, size);
		}
		swap = from, from = to, to = swap;
	}
	if (from != recs)
		memcpy(recs, from, n * size);
}

void sort_by_u64_key(void *recs, void *tmp, size_t n, size_t size)
{
	switch (size) {
	case 16:
		sort_sized(recs, tmp, n, 16);
		break;
	case 32:
		sort_sized(recs, tmp, n, 32);
		break;
	default:
		sort_sized(recs, tmp, n, size);
	}
}

size_t find_by_u64_key(const void *recs, size_t n, size_t size, uint64_t key, size_t *finger)
{
	const unsigned char *r = recs;
	size_t f = *finger < n ? *finger : 0, lo, hi, step;

	if (!n)
		return SIZE_MAX;
	if (key_of(r + f * size) == key)
		return f;
	/* a bracket: every record before lo is below key; hi is n, or its record is not */
	if (key_of(r + f * size) < key) {
		lo = f + 1;
		for (step = 1;; step *= 2) {
			if (step >= n - f) {
				hi = n;
				break;
			}
			if (key_of(r + (f + step) * size) >= key) {
				hi = f + step;
				break;
			}
			lo = f + step + 1;
		}
	} else {
		hi = f;
		for (step = 1;; step *= 2) {
			if (step > f) {
				lo = 0;
				break;
			}
			if (key_of(r + (f - step) * size) < key) {
				lo = f - step + 1;
				break;
			}
			hi = f - step;
		}
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_of(r + mid * size) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n || key_of(r + lo * size) != key)
		return SIZE_MAX;
	*finger = lo;
	return lo;
}
