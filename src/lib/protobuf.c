// SPDX-License-Identifier: MIT
// Protocol Buffers wire-format decoding cursor and encoders.
#include "lib/protobuf.h"

#include <errno.h>
#include <string.h>

#include "lib/banned.h"

#define PB_MAX_FIELD ((1u << 29) - 1)

void pb_reader_init(struct pb_reader *r, const void *data, size_t len)
{
	r->base = data;
	r->p = data;
	r->end = r->p + len;
}

static size_t remaining(const struct pb_reader *r)
{
	return (size_t)(r->end - r->p);
}

int pb_read_varint(struct pb_reader *r, uint64_t *v, struct cw_error *err)
{
	size_t at = pb_reader_offset(r);
	uint64_t x = 0;

	for (unsigned i = 0; i < PB_VARINT_MAX; i++) {
		unsigned char b;

		if (r->p >= r->end)
			return cw_error_set(err, "byte %zu: truncated varint", at);
		b = *r->p++;
		if (i == PB_VARINT_MAX - 1 && b > 1)
			return cw_error_set(err, "byte %zu: varint overflows 64 bits", at);
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return cw_error_set(err, "byte %zu: varint longer than 10 bytes", at);
}

int pb_read_fixed64(struct pb_reader *r, uint64_t *v, struct cw_error *err)
{
	uint64_t x = 0;

	if (remaining(r) < 8)
		return cw_error_set(err, "byte %zu: truncated fixed64", pb_reader_offset(r));
	for (int i = 7; i >= 0; i--)
		x = (x << 8) | r->p[i];
	r->p += 8;
	*v = x;
	return 0;
}

int pb_read_fixed32(struct pb_reader *r, uint32_t *v, struct cw_error *err)
{
	uint32_t x = 0;

	if (remaining(r) < 4)
		return cw_error_set(err, "byte %zu: truncated fixed32", pb_reader_offset(r));
	for (int i = 3; i >= 0; i--)
		x = (x << 8) | r->p[i];
	r->p += 4;
	*v = x;
	return 0;
}

int pb_read_tag(struct pb_reader *r, uint32_t *field, enum pb_wire *wire, struct cw_error *err)
{
	size_t at = pb_reader_offset(r);
	uint64_t key;

	if (pb_read_varint(r, &key, err))
		return -1;
	if ((key & 7) > PB_WIRE_I32)
		return cw_error_set(err, "byte %zu: invalid wire type %u", at, (unsigned)(key & 7));
	if ((key >> 3) == 0 || (key >> 3) > PB_MAX_FIELD)
		return cw_error_set(err, "byte %zu: invalid field number %llu", at,
				    (unsigned long long)(key >> 3));
	*field = (uint32_t)(key >> 3);
	*wire = (enum pb_wire)(key & 7);
	return 0;
}

int pb_read_len(struct pb_reader *r, struct pb_reader *sub, struct cw_error *err)
{
	size_t at = pb_reader_offset(r);
	uint64_t n;

	if (pb_read_varint(r, &n, err))
		return -1;
	if (n > remaining(r))
		return cw_error_set(err, "byte %zu: length %llu exceeds the %zu bytes left", at,
				    (unsigned long long)n, remaining(r));
	sub->base = r->base;
	sub->p = r->p;
	sub->end = r->p + n;
	r->p += n;
	return 0;
}

static int skip_value(struct pb_reader *r, uint32_t field, enum pb_wire wire, int depth,
		      struct cw_error *err)
{
	struct pb_reader sub;
	uint64_t u64;
	uint32_t u32;

	switch (wire) {
	case PB_WIRE_VARINT:
		return pb_read_varint(r, &u64, err);
	case PB_WIRE_I64:
		return pb_read_fixed64(r, &u64, err);
	case PB_WIRE_LEN:
		return pb_read_len(r, &sub, err);
	case PB_WIRE_I32:
		return pb_read_fixed32(r, &u32, err);
	case PB_WIRE_EGROUP:
		return cw_error_set(err, "byte %zu: unexpected end of group %u",
				    pb_reader_offset(r), field);
	case PB_WIRE_SGROUP:
		break;
	}
	if (depth >= PB_MAX_GROUP_DEPTH)
		return cw_error_set(err, "byte %zu: groups nested deeper than %d",
				    pb_reader_offset(r), PB_MAX_GROUP_DEPTH);
	for (;;) {
		uint32_t f;
		enum pb_wire w;
		size_t at = pb_reader_offset(r);

		if (pb_reader_done(r))
			return cw_error_set(err, "byte %zu: unterminated group %u", at, field);
		if (pb_read_tag(r, &f, &w, err))
			return -1;
		if (w == PB_WIRE_EGROUP) {
			if (f != field)
				return cw_error_set(
				    err, "byte %zu: end of group %u inside group %u", at, f, field);
			return 0;
		}
		if (skip_value(r, f, w, depth + 1, err))
			return -1;
	}
}

int pb_skip(struct pb_reader *r, uint32_t field, enum pb_wire wire, struct cw_error *err)
{
	return skip_value(r, field, wire, 0, err);
}

int pb_read_repeated(struct pb_reader *r, enum pb_wire wire, struct pb_reader *items,
		     struct cw_error *err)
{
	uint64_t v;

	if (wire == PB_WIRE_LEN)
		return pb_read_len(r, items, err);
	if (wire != PB_WIRE_VARINT)
		return cw_error_set(err, "byte %zu: wire type %u for a varint field",
				    pb_reader_offset(r), (unsigned)wire);
	items->base = r->base;
	items->p = r->p;
	if (pb_read_varint(r, &v, err))
		return -1;
	items->end = r->p;
	return 0;
}

size_t pb_count_varints(const struct pb_reader *items)
{
	size_t n = 0;

	for (const unsigned char *p = items->p; p < items->end; p++)
		n += !(*p & 0x80);
	return n;
}

static size_t varint_encode(unsigned char *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

int pb_put_varint(struct strbuf *sb, uint64_t v)
{
	unsigned char tmp[PB_VARINT_MAX];

	return strbuf_add(sb, tmp, varint_encode(tmp, v));
}

int pb_put_tag(struct strbuf *sb, uint32_t field, enum pb_wire wire)
{
	return pb_put_varint(sb, ((uint64_t)field << 3) | (unsigned)wire);
}

int pb_put_uint64(struct strbuf *sb, uint32_t field, uint64_t v)
{
	int r = pb_put_tag(sb, field, PB_WIRE_VARINT);

	return r ? r : pb_put_varint(sb, v);
}

int pb_put_uint64_opt(struct strbuf *sb, uint32_t field, uint64_t v)
{
	return v ? pb_put_uint64(sb, field, v) : 0;
}

int pb_put_int64(struct strbuf *sb, uint32_t field, int64_t v)
{
	return pb_put_uint64(sb, field, (uint64_t)v);
}

int pb_put_int64_opt(struct strbuf *sb, uint32_t field, int64_t v)
{
	return v ? pb_put_uint64(sb, field, (uint64_t)v) : 0;
}

int pb_put_bool(struct strbuf *sb, uint32_t field, bool v)
{
	return pb_put_uint64(sb, field, v ? 1 : 0);
}

int pb_put_fixed64(struct strbuf *sb, uint32_t field, uint64_t v)
{
	unsigned char b[8];
	int r = pb_put_tag(sb, field, PB_WIRE_I64);

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return r ? r : strbuf_add(sb, b, sizeof(b));
}

int pb_put_fixed32(struct strbuf *sb, uint32_t field, uint32_t v)
{
	unsigned char b[4];
	int r = pb_put_tag(sb, field, PB_WIRE_I32);

	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return r ? r : strbuf_add(sb, b, sizeof(b));
}

int pb_put_bytes(struct strbuf *sb, uint32_t field, const void *data, size_t len)
{
	int r = pb_put_tag(sb, field, PB_WIRE_LEN);

	if (!r)
		r = pb_put_varint(sb, len);
	if (!r)
		r = strbuf_add(sb, data, len);
	return r;
}

int pb_put_string(struct strbuf *sb, uint32_t field, const char *s)
{
	return pb_put_bytes(sb, field, s ? s : "", s ? strlen(s) : 0);
}

int pb_put_packed_uint64(struct strbuf *sb, uint32_t field, const uint64_t *v, size_t n)
{
	size_t start = pb_msg_begin(sb);
	int r = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < n && !r; i++)
		r = pb_put_varint(sb, v[i]);
	return r ? r : pb_msg_end(sb, field, start);
}

int pb_put_packed_int64(struct strbuf *sb, uint32_t field, const int64_t *v, size_t n)
{
	size_t start = pb_msg_begin(sb);
	int r = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < n && !r; i++)
		r = pb_put_varint(sb, (uint64_t)v[i]);
	return r ? r : pb_msg_end(sb, field, start);
}

int pb_msg_end(struct strbuf *sb, uint32_t field, size_t start)
{
	unsigned char hdr[2 * PB_VARINT_MAX];
	size_t body, n;
	int r;

	if (start > sb->len)
		return -EINVAL;
	body = sb->len - start;
	n = varint_encode(hdr, ((uint64_t)field << 3) | PB_WIRE_LEN);
	n += varint_encode(hdr + n, body);
	r = strbuf_grow(sb, n);
	if (r)
		return r;
	memmove(sb->buf + start + n, sb->buf + start, body);
	memcpy(sb->buf + start, hdr, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}
