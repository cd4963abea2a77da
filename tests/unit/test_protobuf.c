// SPDX-License-Identifier: MIT
// Unit tests for the protobuf wire codec and the gzip helpers.
#include "cmocka_all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/gzip.h"
#include "lib/protobuf.h"

#include "lib/banned.h"

static void test_varint_round_trip(void **state)
{
	static const uint64_t vals[] = {0,	    1,		127,	     128,
					300,	    16383,	16384,	     UINT32_MAX,
					1ull << 63, UINT64_MAX, (uint64_t)-1 /* int64 -1 */};
	struct strbuf sb = STRBUF_INIT;
	struct pb_reader r;
	struct cw_error err = {{0}};

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		assert_int_equal(pb_put_varint(&sb, vals[i]), 0);
	pb_reader_init(&r, sb.buf, sb.len);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint64_t v;

		assert_int_equal(pb_read_varint(&r, &v, &err), 0);
		assert_true(v == vals[i]);
	}
	assert_true(pb_reader_done(&r));
	strbuf_release(&sb);
}

static void test_varint_lengths(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	pb_put_varint(&sb, 127);
	assert_int_equal(sb.len, 1);
	strbuf_reset(&sb);
	pb_put_varint(&sb, 128);
	assert_int_equal(sb.len, 2);
	strbuf_reset(&sb);
	pb_put_varint(&sb, UINT64_MAX);
	assert_int_equal(sb.len, 10);
	strbuf_release(&sb);
}

static int read_one(const unsigned char *b, size_t n, uint64_t *v, struct cw_error *err)
{
	struct pb_reader r;

	pb_reader_init(&r, b, n);
	return pb_read_varint(&r, v, err);
}

static void test_varint_errors(void **state)
{
	static const unsigned char empty[1] = {0};
	static const unsigned char trunc[] = {0x80, 0x80};
	static const unsigned char max[] = {0xff, 0xff, 0xff, 0xff, 0xff,
					    0xff, 0xff, 0xff, 0xff, 0x01};
	static const unsigned char over[] = {0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0x02};
	static const unsigned char eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
					       0x80, 0x80, 0x80, 0x80, 0x00};
	static const unsigned char tagged[] = {0x08, 0x96};
	struct cw_error err = {{0}};
	struct pb_reader r;
	uint64_t v;
	uint32_t f;
	enum pb_wire w;

	assert_int_equal(read_one(empty, 0, &v, &err), -1);
	assert_string_equal(err.msg, "byte 0: truncated varint");
	assert_int_equal(read_one(trunc, sizeof(trunc), &v, &err), -1);
	assert_string_equal(err.msg, "byte 0: truncated varint");
	assert_int_equal(read_one(max, sizeof(max), &v, &err), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(read_one(over, sizeof(over), &v, &err), -1);
	assert_string_equal(err.msg, "byte 0: varint overflows 64 bits");
	assert_int_equal(read_one(eleven, sizeof(eleven), &v, &err), -1);
	assert_non_null(strstr(err.msg, "byte 0: varint"));
	/* The offset is the varint's, not the buffer's start. */
	pb_reader_init(&r, tagged, sizeof(tagged));
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(f, 1);
	assert_int_equal(w, PB_WIRE_VARINT);
	assert_int_equal(pb_read_varint(&r, &v, &err), -1);
	assert_string_equal(err.msg, "byte 1: truncated varint");
}

static void test_tag_errors(void **state)
{
	static const unsigned char wire6[] = {0x0e};
	static const unsigned char field0[] = {0x00};
	static const unsigned char bigfield[] = {0xf8, 0xff, 0xff, 0xff, 0x7f};
	struct cw_error err = {{0}};
	struct pb_reader r;
	uint32_t f;
	enum pb_wire w;

	pb_reader_init(&r, wire6, sizeof(wire6));
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), -1);
	assert_string_equal(err.msg, "byte 0: invalid wire type 6");
	pb_reader_init(&r, field0, sizeof(field0));
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), -1);
	assert_string_equal(err.msg, "byte 0: invalid field number 0");
	pb_reader_init(&r, bigfield, sizeof(bigfield));
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), -1);
	assert_non_null(strstr(err.msg, "invalid field number"));
}

static void test_length_errors(void **state)
{
	static const unsigned char longer[] = {0x0a, 0x05, 'a', 'b'};
	static const unsigned char huge[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0x01};
	static const unsigned char ok[] = {0x0a, 0x02, 'a', 'b', 0x10, 0x01};
	struct cw_error err = {{0}};
	struct pb_reader r, sub;
	uint32_t f;
	enum pb_wire w;
	uint64_t v;

	pb_reader_init(&r, longer, sizeof(longer));
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(pb_read_len(&r, &sub, &err), -1);
	assert_string_equal(err.msg, "byte 1: length 5 exceeds the 2 bytes left");
	pb_reader_init(&r, huge, sizeof(huge));
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(pb_read_len(&r, &sub, &err), -1);
	assert_non_null(strstr(err.msg, "exceeds"));
	/* A sub-reader stops at its end and reports offsets from the outer start. */
	pb_reader_init(&r, ok, sizeof(ok));
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(pb_read_len(&r, &sub, &err), 0);
	assert_int_equal(pb_reader_offset(&sub), 2);
	assert_int_equal(sub.end - sub.p, 2);
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(f, 2);
	assert_int_equal(pb_read_varint(&r, &v, &err), 0);
	assert_true(pb_reader_done(&r));
}

static void test_fixed(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	struct pb_reader r;
	uint32_t f, v32;
	uint64_t v64;
	enum pb_wire w;

	pb_put_fixed64(&sb, 3, 0x0102030405060708ull);
	pb_put_fixed32(&sb, 4, 0xdeadbeef);
	pb_reader_init(&r, sb.buf, sb.len);
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(w, PB_WIRE_I64);
	assert_int_equal(pb_read_fixed64(&r, &v64, &err), 0);
	assert_true(v64 == 0x0102030405060708ull);
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(w, PB_WIRE_I32);
	assert_int_equal(pb_read_fixed32(&r, &v32, &err), 0);
	assert_true(v32 == 0xdeadbeef);
	/* Truncated: drop the last byte. */
	pb_reader_init(&r, sb.buf, sb.len - 1);
	pb_read_tag(&r, &f, &w, &err);
	pb_read_fixed64(&r, &v64, &err);
	pb_read_tag(&r, &f, &w, &err);
	assert_int_equal(pb_read_fixed32(&r, &v32, &err), -1);
	assert_string_equal(err.msg, "byte 10: truncated fixed32");
	strbuf_release(&sb);
}

/* Every wire type, a nested group among them, skipped to the end. */
static void test_skip_all_wire_types(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	struct pb_reader r;
	size_t fields = 0;

	pb_put_uint64(&sb, 1, 300);
	pb_put_fixed64(&sb, 2, 7);
	pb_put_string(&sb, 3, "hello");
	pb_put_fixed32(&sb, 4, 9);
	pb_put_tag(&sb, 5, PB_WIRE_SGROUP);
	pb_put_uint64(&sb, 1, 1);
	pb_put_tag(&sb, 6, PB_WIRE_SGROUP);
	pb_put_string(&sb, 2, "x");
	pb_put_tag(&sb, 6, PB_WIRE_EGROUP);
	pb_put_tag(&sb, 5, PB_WIRE_EGROUP);
	pb_put_uint64(&sb, 7, 1);
	pb_reader_init(&r, sb.buf, sb.len);
	while (!pb_reader_done(&r)) {
		uint32_t f;
		enum pb_wire w;

		assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
		assert_int_equal(pb_skip(&r, f, w, &err), 0);
		fields++;
	}
	assert_int_equal(fields, 6);
	strbuf_release(&sb);
}

static int skip_first(const struct strbuf *sb, struct cw_error *err)
{
	struct pb_reader r;
	uint32_t f;
	enum pb_wire w;

	pb_reader_init(&r, sb->buf, sb->len);
	if (pb_read_tag(&r, &f, &w, err))
		return -1;
	return pb_skip(&r, f, w, err);
}

static void test_group_errors(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};

	pb_put_tag(&sb, 5, PB_WIRE_SGROUP);
	pb_put_uint64(&sb, 1, 1);
	assert_int_equal(skip_first(&sb, &err), -1);
	assert_string_equal(err.msg, "byte 3: unterminated group 5");
	strbuf_reset(&sb);
	pb_put_tag(&sb, 5, PB_WIRE_SGROUP);
	pb_put_tag(&sb, 6, PB_WIRE_EGROUP);
	assert_int_equal(skip_first(&sb, &err), -1);
	assert_string_equal(err.msg, "byte 1: end of group 6 inside group 5");
	strbuf_reset(&sb);
	pb_put_tag(&sb, 5, PB_WIRE_EGROUP);
	assert_int_equal(skip_first(&sb, &err), -1);
	assert_non_null(strstr(err.msg, "unexpected end of group"));
	strbuf_reset(&sb);
	for (int i = 0; i < 1000; i++)
		pb_put_tag(&sb, 5, PB_WIRE_SGROUP);
	assert_int_equal(skip_first(&sb, &err), -1);
	assert_non_null(strstr(err.msg, "nested deeper than 64"));
	strbuf_release(&sb);
}

static void test_packed_and_unpacked(void **state)
{
	static const uint64_t vals[] = {1, 2, 300, UINT64_MAX, 0};
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	struct pb_reader r;
	uint64_t got[16];
	size_t n = 0;

	assert_int_equal(pb_put_packed_uint64(&sb, 2, vals, 5), 0);
	pb_put_uint64(&sb, 2, 42); /* an unpacked element of the same field */
	assert_int_equal(pb_put_packed_uint64(&sb, 2, vals, 0), 0);
	pb_reader_init(&r, sb.buf, sb.len);
	while (!pb_reader_done(&r)) {
		uint32_t f;
		enum pb_wire w;
		struct pb_reader items;

		assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
		assert_int_equal(f, 2);
		assert_int_equal(pb_read_repeated(&r, w, &items, &err), 0);
		assert_true(pb_count_varints(&items) <= 16 - n);
		while (!pb_reader_done(&items))
			assert_int_equal(pb_read_varint(&items, &got[n++], &err), 0);
	}
	assert_int_equal(n, 6);
	assert_memory_equal(got, vals, sizeof(vals));
	assert_true(got[5] == 42);
	strbuf_release(&sb);
}

static void test_packed_wrong_wire(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	struct pb_reader r, items;
	uint32_t f;
	enum pb_wire w;

	pb_put_fixed32(&sb, 1, 5);
	pb_reader_init(&r, sb.buf, sb.len);
	pb_read_tag(&r, &f, &w, &err);
	assert_int_equal(pb_read_repeated(&r, w, &items, &err), -1);
	assert_string_equal(err.msg, "byte 1: wire type 5 for a varint field");
	/* A packed run that ends inside a varint. */
	strbuf_reset(&sb);
	pb_put_tag(&sb, 1, PB_WIRE_LEN);
	pb_put_varint(&sb, 2);
	strbuf_add(&sb, "\x01\x80", 2);
	pb_reader_init(&r, sb.buf, sb.len);
	pb_read_tag(&r, &f, &w, &err);
	assert_int_equal(pb_read_repeated(&r, w, &items, &err), 0);
	uint64_t v;
	assert_int_equal(pb_read_varint(&items, &v, &err), 0);
	assert_int_equal(pb_read_varint(&items, &v, &err), -1);
	assert_string_equal(err.msg, "byte 3: truncated varint");
	strbuf_release(&sb);
}

/* Backpatched submessages: nested, and bodies that need a 2- and 3-byte length. */
static void test_nested_messages(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	struct pb_reader r, m1, m2;
	char big[20000];
	size_t outer, inner;
	uint32_t f;
	enum pb_wire w;

	memset(big, 'z', sizeof(big));
	outer = pb_msg_begin(&sb);
	pb_put_uint64(&sb, 1, 7);
	inner = pb_msg_begin(&sb);
	pb_put_bytes(&sb, 9, big, sizeof(big));
	assert_int_equal(pb_msg_end(&sb, 3, inner), 0);
	assert_int_equal(pb_msg_end(&sb, 4, outer), 0);
	pb_reader_init(&r, sb.buf, sb.len);
	assert_int_equal(pb_read_tag(&r, &f, &w, &err), 0);
	assert_int_equal(f, 4);
	assert_int_equal(pb_read_len(&r, &m1, &err), 0);
	assert_true(pb_reader_done(&r));
	assert_int_equal(pb_read_tag(&m1, &f, &w, &err), 0);
	assert_int_equal(pb_skip(&m1, f, w, &err), 0);
	assert_int_equal(pb_read_tag(&m1, &f, &w, &err), 0);
	assert_int_equal(f, 3);
	assert_int_equal(pb_read_len(&m1, &m2, &err), 0);
	assert_true(pb_reader_done(&m1));
	assert_int_equal(pb_read_tag(&m2, &f, &w, &err), 0);
	assert_int_equal(f, 9);
	{
		struct pb_reader bytes;

		assert_int_equal(pb_read_len(&m2, &bytes, &err), 0);
		assert_int_equal(bytes.end - bytes.p, sizeof(big));
		assert_memory_equal(bytes.p, big, sizeof(big));
	}
	strbuf_release(&sb);
}

static void test_encoder_cap(void **state)
{
	struct strbuf sb;
	size_t start;

	strbuf_init(&sb, 8);
	assert_int_equal(pb_put_string(&sb, 1, "abcde"), 0); /* 7 bytes */
	assert_int_equal(pb_put_uint64(&sb, 2, 300), -E2BIG);
	strbuf_release(&sb);
	strbuf_init(&sb, 4);
	start = pb_msg_begin(&sb);
	assert_int_equal(pb_put_uint64(&sb, 1, 1), 0);
	assert_int_equal(pb_put_uint64(&sb, 1, 1), 0);
	assert_int_equal(pb_msg_end(&sb, 2, start), -E2BIG);
	strbuf_release(&sb);
}

static void test_opt_encoders(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	pb_put_uint64_opt(&sb, 1, 0);
	pb_put_int64_opt(&sb, 1, 0);
	assert_int_equal(sb.len, 0);
	pb_put_int64_opt(&sb, 1, -1);
	assert_int_equal(sb.len, 11);
	strbuf_release(&sb);
}

static void test_gzip_round_trip(void **state)
{
	struct strbuf z = STRBUF_INIT, plain = STRBUF_INIT;
	struct cw_error err = {{0}};
	char data[100000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 % 251);
	assert_int_equal(gzip_deflate(data, sizeof(data), &z, &err), 0);
	assert_true(gzip_is(z.buf, z.len));
	assert_int_equal(gzip_inflate(z.buf, z.len, 0, &plain, &err), 0);
	assert_int_equal(plain.len, sizeof(data));
	assert_memory_equal(plain.buf, data, sizeof(data));
	/* Two members concatenated decompress to both (gzip -d does). */
	strbuf_reset(&plain);
	strbuf_add(&z, z.buf, z.len);
	assert_int_equal(gzip_inflate(z.buf, z.len, 0, &plain, &err), 0);
	assert_int_equal(plain.len, 2 * sizeof(data));
	strbuf_release(&z);
	strbuf_release(&plain);
}

static void test_gzip_errors(void **state)
{
	struct strbuf z = STRBUF_INIT, plain = STRBUF_INIT;
	struct cw_error err = {{0}};
	char *zeros = calloc(1, 4 << 20);

	assert_non_null(zeros);
	assert_false(gzip_is("\x1f", 1));
	assert_int_equal(gzip_inflate("abc", 3, 0, &plain, &err), -1);
	assert_string_equal(err.msg, "byte 0: gzip: missing magic 1f 8b");
	/* A bomb: 4 MiB of zeros compress to a few KiB; a 1 MiB cap refuses them. */
	assert_int_equal(gzip_deflate(zeros, 4 << 20, &z, &err), 0);
	assert_true(z.len < 16384);
	assert_int_equal(gzip_inflate(z.buf, z.len, 1 << 20, &plain, &err), -1);
	assert_non_null(strstr(err.msg, "gzip: decompressed size exceeds 1048576 bytes"));
	/* Truncated in the middle, and in the trailer. */
	strbuf_reset(&plain);
	assert_int_equal(gzip_inflate(z.buf, z.len / 2, 0, &plain, &err), -1);
	assert_non_null(strstr(err.msg, "gzip: truncated stream"));
	strbuf_reset(&plain);
	assert_int_equal(gzip_inflate(z.buf, z.len - 3, 0, &plain, &err), -1);
	assert_non_null(strstr(err.msg, "gzip: truncated stream"));
	/* Trailing garbage. */
	strbuf_reset(&plain);
	strbuf_add(&z, "junk", 4);
	assert_int_equal(gzip_inflate(z.buf, z.len, 0, &plain, &err), -1);
	assert_non_null(strstr(err.msg, "trailing garbage"));
	/* Corrupt deflate data. */
	strbuf_reset(&plain);
	z.buf[12] ^= 0xff;
	z.buf[13] ^= 0xff;
	assert_int_equal(gzip_inflate(z.buf, z.len - 4, 0, &plain, &err), -1);
	assert_non_null(strstr(err.msg, "gzip: "));
	free(zeros);
	strbuf_release(&z);
	strbuf_release(&plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_varint_round_trip),	cmocka_unit_test(test_varint_lengths),
	    cmocka_unit_test(test_varint_errors),	cmocka_unit_test(test_tag_errors),
	    cmocka_unit_test(test_length_errors),	cmocka_unit_test(test_fixed),
	    cmocka_unit_test(test_skip_all_wire_types), cmocka_unit_test(test_group_errors),
	    cmocka_unit_test(test_packed_and_unpacked), cmocka_unit_test(test_packed_wrong_wire),
	    cmocka_unit_test(test_nested_messages),	cmocka_unit_test(test_encoder_cap),
	    cmocka_unit_test(test_opt_encoders),	cmocka_unit_test(test_gzip_round_trip),
	    cmocka_unit_test(test_gzip_errors),
	};
	return cmocka_run_group_tests_name("protobuf", tests, NULL, NULL);
}
