// SPDX-License-Identifier: MIT
// Strict, bounded JSON reader (RFC 8259) into a tree that lives in an arena.
#ifndef CW_JSONR_H
#define CW_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "lib/usage.h"

#define JSONR_MAX_DEPTH 64	    /* nested arrays/objects */
#define JSONR_MAX_INPUT (16u << 20) /* bytes, when the caller passes max = 0 */

enum jsonr_type {
	JSONR_NULL,
	JSONR_BOOL,
	JSONR_NUMBER,
	JSONR_STRING,
	JSONR_ARRAY,
	JSONR_OBJECT,
};

struct jsonr_member;

/*
 * One value. Strings are decoded (escapes resolved, \uXXXX surrogate pairs
 * joined) to UTF-8 and NUL-terminated; len counts the bytes, which may include
 * a NUL from "\u0000". Numbers keep their text as well as a double.
 */
struct jsonr_value {
	enum jsonr_type type;
	bool boolean;
	double number;
	const char *str;	      /* JSONR_STRING: decoded text; JSONR_NUMBER: the literal */
	size_t len;		      /* bytes in str; JSONR_ARRAY / JSONR_OBJECT: element count */
	struct jsonr_value **items;   /* JSONR_ARRAY, in document order */
	struct jsonr_member *members; /* JSONR_OBJECT, in document order */
	const struct jsonr_member **sorted; /* JSONR_OBJECT, by key, for lookups */
};

struct jsonr_member {
	const char *key; /* decoded, NUL-terminated */
	size_t keylen;
	size_t offset; /* of the key's opening quote in the input */
	struct jsonr_value *value;
};

/*
 * Parses exactly one JSON value (surrounded by optional whitespace) from
 * buf[0..len). max caps len (0 = JSONR_MAX_INPUT). Everything is allocated
 * from a; the caller releases the arena. Strict: no comments, no trailing
 * commas, no leading zeros, no control characters or invalid UTF-8 in strings,
 * no lone surrogates, no duplicate keys in an object, nesting at most
 * JSONR_MAX_DEPTH. Returns 0 and *out, or -EINVAL (syntax) / -E2BIG (input
 * or nesting too large) with err saying "offset N: what" (N counts bytes from 0).
 */
int jsonr_parse(const char *buf, size_t len, size_t max, struct arena *a,
		const struct jsonr_value **out, struct cw_error *err);

/* The member value for key in obj, or NULL (also when obj is not an object). */
const struct jsonr_value *jsonr_get(const struct jsonr_value *obj, const char *key);
/* Element count of an array, member count of an object, 0 otherwise. */
size_t jsonr_len(const struct jsonr_value *v);
/* Element i of an array, or NULL (not an array, or out of range). */
const struct jsonr_value *jsonr_at(const struct jsonr_value *arr, size_t i);
/* Member i of an object in document order, or NULL. */
const struct jsonr_member *jsonr_member_at(const struct jsonr_value *obj, size_t i);

/* The decoded string and its length (len may be NULL), or NULL if v is not a string. */
const char *jsonr_string(const struct jsonr_value *v, size_t *len);
/* Like jsonr_string, but NULL also when the string contains a NUL byte (paths, names). */
const char *jsonr_cstr(const struct jsonr_value *v);
/* 0 and *out for a boolean, -EINVAL otherwise. */
int jsonr_bool(const struct jsonr_value *v, bool *out);
/* 0 and *out for a number, -EINVAL otherwise. */
int jsonr_number(const struct jsonr_value *v, double *out);
/* 0 and *out for a number written as an integer in int64 range; -EINVAL / -ERANGE. */
int jsonr_int64(const struct jsonr_value *v, int64_t *out);

/* Iterates an array: for (i = 0; (item = jsonr_at(arr, i)); i++). */
#define jsonr_for_each(arr, i, item) for ((i) = 0; ((item) = jsonr_at((arr), (i))) != NULL; (i)++)
#endif
