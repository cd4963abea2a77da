// SPDX-License-Identifier: MIT
// Protocol Buffers wire format: a bounds-checked decoding cursor and strbuf-backed encoders.
#ifndef CW_PROTOBUF_H
#define CW_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "lib/usage.h"

enum pb_wire {
	PB_WIRE_VARINT = 0,
	PB_WIRE_I64 = 1,
	PB_WIRE_LEN = 2,
	PB_WIRE_SGROUP = 3, /* deprecated groups: skipped, never produced */
	PB_WIRE_EGROUP = 4,
	PB_WIRE_I32 = 5,
};

/* Nesting limit for skipped groups (hostile input recursion guard). */
#define PB_MAX_GROUP_DEPTH 64
/* Longest valid varint encoding. */
#define PB_VARINT_MAX 10

/*
 * A cursor over [p, end) inside a buffer that starts at base. Readers never
 * touch memory outside [p, end); sub-readers made by pb_read_len share base,
 * so every error names the offset from the start of the outermost buffer.
 * A reader does not own its bytes.
 */
struct pb_reader {
	const unsigned char *base;
	const unsigned char *p;
	const unsigned char *end;
};

void pb_reader_init(struct pb_reader *r, const void *data, size_t len);

static inline bool pb_reader_done(const struct pb_reader *r)
{
	return r->p >= r->end;
}

/* Offset of the cursor from base, for messages. */
static inline size_t pb_reader_offset(const struct pb_reader *r)
{
	return (size_t)(r->p - r->base);
}

/*
 * Every reader below returns 0, or -1 with err set to "byte N: ..." where N
 * is the offset of the offending item; the cursor is then unspecified.
 */

/* A base-128 varint of at most 10 bytes whose value fits 64 bits. */
int pb_read_varint(struct pb_reader *r, uint64_t *v, struct cw_error *err);
/* Little-endian fixed-width values (wire types 1 and 5). */
int pb_read_fixed64(struct pb_reader *r, uint64_t *v, struct cw_error *err);
int pb_read_fixed32(struct pb_reader *r, uint32_t *v, struct cw_error *err);
/* A field key: field number 1..2^29-1 and a wire type 0..5. */
int pb_read_tag(struct pb_reader *r, uint32_t *field, enum pb_wire *wire, struct cw_error *err);
/* A length-delimited payload: sub covers it, r moves past it. */
int pb_read_len(struct pb_reader *r, struct pb_reader *sub, struct cw_error *err);
/* Skips the value of a field with the given wire type (groups included, nested to a limit). */
int pb_skip(struct pb_reader *r, uint32_t field, enum pb_wire wire, struct cw_error *err);
/*
 * A repeated scalar varint field, packed (wire 2) or not (wire 0): items
 * covers the varints (one for an unpacked value, all of a packed run) and r
 * moves past them. Read them with pb_read_varint until pb_reader_done(items).
 */
int pb_read_repeated(struct pb_reader *r, enum pb_wire wire, struct pb_reader *items,
		     struct cw_error *err);
/* Upper bound on the varints in items (bytes without the continuation bit). */
size_t pb_count_varints(const struct pb_reader *items);

/*
 * Encoders append to sb and return 0, or -E2BIG when sb's max is reached
 * (sb is then left with a partial message; callers discard it).
 */
int pb_put_varint(struct strbuf *sb, uint64_t v);
int pb_put_tag(struct strbuf *sb, uint32_t field, enum pb_wire wire);
/* Key + varint; the _opt forms write nothing for 0 (proto3 defaults). */
int pb_put_uint64(struct strbuf *sb, uint32_t field, uint64_t v);
int pb_put_uint64_opt(struct strbuf *sb, uint32_t field, uint64_t v);
int pb_put_int64(struct strbuf *sb, uint32_t field, int64_t v);
int pb_put_int64_opt(struct strbuf *sb, uint32_t field, int64_t v);
int pb_put_bool(struct strbuf *sb, uint32_t field, bool v);
int pb_put_fixed64(struct strbuf *sb, uint32_t field, uint64_t v);
int pb_put_fixed32(struct strbuf *sb, uint32_t field, uint32_t v);
/* Key + length + bytes. */
int pb_put_bytes(struct strbuf *sb, uint32_t field, const void *data, size_t len);
int pb_put_string(struct strbuf *sb, uint32_t field, const char *s);
/* Packed repeated varints: nothing is written when n is 0. */
int pb_put_packed_uint64(struct strbuf *sb, uint32_t field, const uint64_t *v, size_t n);
int pb_put_packed_int64(struct strbuf *sb, uint32_t field, const int64_t *v, size_t n);

/*
 * Submessages by reserve and backpatch: pb_msg_begin returns the current
 * length; encode the body into sb; pb_msg_end(sb, field, start) inserts the
 * key and length in front of the body.
 */
static inline size_t pb_msg_begin(const struct strbuf *sb)
{
	return sb->len;
}
int pb_msg_end(struct strbuf *sb, uint32_t field, size_t start);
#endif
