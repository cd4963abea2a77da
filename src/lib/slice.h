// SPDX-License-Identifier: MIT
// Non-owning byte slices: a pointer and a length into someone else's buffer.
#ifndef CW_SLICE_H
#define CW_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct slice {
	const char *ptr;
	size_t len;
};

#define SLICE_NULL   ((struct slice){NULL, 0})
#define SLICE_LIT(s) ((struct slice){(s), sizeof(s) - 1})

static inline struct slice slice_from(const char *p, size_t len)
{
	return (struct slice){p, len};
}

static inline struct slice slice_cstr(const char *s)
{
	return (struct slice){s, s ? strlen(s) : 0};
}

static inline bool slice_eq(struct slice a, struct slice b)
{
	return a.len == b.len && (a.len == 0 || !memcmp(a.ptr, b.ptr, a.len));
}

static inline bool slice_eq_cstr(struct slice a, const char *s)
{
	return slice_eq(a, slice_cstr(s));
}

static inline bool slice_has_prefix(struct slice a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && !memcmp(a.ptr, prefix, n);
}

static inline bool slice_has_suffix(struct slice a, const char *suffix)
{
	size_t n = strlen(suffix);
	return a.len >= n && !memcmp(a.ptr + a.len - n, suffix, n);
}
#endif
