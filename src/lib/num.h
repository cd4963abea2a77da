// SPDX-License-Identifier: MIT
// Strict number parsing for options and outside text (no atoi, no silent garbage).
#ifndef CW_NUM_H
#define CW_NUM_H

#include <stdint.h>

/* a + b, or UINT64_MAX when that overflows: counts from outside never wrap. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Parses a whole decimal string into *out. Returns 0, or -EINVAL / -ERANGE. */
int parse_u64(const char *s, uint64_t *out);
/* Parses a whole decimal or fractional number of seconds ("2", "0.5"). */
int parse_seconds(const char *s, double *out);
/* Parses a Go-style duration: a number and a unit, "500ms", "10s", "1.5m", "2h"; or "0". */
int parse_duration_ns(const char *s, uint64_t *out);
#endif
