// SPDX-License-Identifier: MIT
// Streaming JSON writer: commas, nesting and string escaping handled here.
#ifndef CW_JSONW_H
#define CW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 32

/*
 * Writes to out. pretty indents with two spaces; otherwise the output is one
 * line (JSON Lines friendly). Misnesting is a BUG().
 */
struct jsonw {
	FILE *out;
	bool pretty;
	int depth;
	bool first[JSONW_MAX_DEPTH];
	bool after_key;
};

void jsonw_init(struct jsonw *w, FILE *out, bool pretty);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* Object key; the next value call writes its value. */
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_stringn(struct jsonw *w, const char *s, size_t len);
void jsonw_u64(struct jsonw *w, uint64_t v);
void jsonw_i64(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Writes a trailing newline after the top-level value. */
void jsonw_finish(struct jsonw *w);
#endif
