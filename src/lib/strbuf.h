// SPDX-License-Identifier: MIT
// Growable, always NUL-terminated byte buffer with a maximum size (git strbuf, curl dynbuf).
#ifndef CW_STRBUF_H
#define CW_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A strbuf owns buf (or points at a static "" while empty). max, when
 * non-zero, caps len: appends past it fail with -E2BIG and leave the
 * buffer unchanged. Allocation failure aborts (die()).
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};

#define STRBUF_INIT                                                                                \
	{                                                                                          \
		.buf = strbuf_empty, .len = 0, .alloc = 0, .max = 0                                \
	}
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb, size_t max);
/* Frees the buffer and returns sb to STRBUF_INIT (keeping max). */
void strbuf_release(struct strbuf *sb);
/* Empties sb, keeping its allocation. */
static inline void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}
/* Ensures room for extra more bytes. 0, or -E2BIG past max. */
int strbuf_grow(struct strbuf *sb, size_t extra);
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
__attribute__((format(printf, 2, 3))) int strbuf_addf(struct strbuf *sb, const char *fmt, ...);
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Detaches the buffer: the caller frees the result. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
#endif
