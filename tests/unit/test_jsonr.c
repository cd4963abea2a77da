// SPDX-License-Identifier: MIT
// Unit tests for the strict JSON reader: values, escapes, lookups, and every rejection with its
// offset.
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/jsonr.h"

static const struct jsonr_value *parse_ok(struct arena *a, const char *text)
{
	const struct jsonr_value *v = NULL;
	struct cw_error err = {""};
	int rc = jsonr_parse(text, strlen(text), 0, a, &v, &err);

	if (rc)
		fail_msg("parse of %s failed: %s", text, err.msg);
	assert_non_null(v);
	return v;
}

/* Expects rejection with rc and a message starting "offset N: " and containing what. */
static void parse_bad(const char *text, size_t len, int rc, size_t offset, const char *what)
{
	struct arena a = ARENA_INIT;
	const struct jsonr_value *v = (void *)1;
	struct cw_error err = {""};
	char prefix[32];

	assert_int_equal(jsonr_parse(text, len, 0, &a, &v, &err), rc);
	assert_null(v);
	snprintf(prefix, sizeof(prefix), "offset %zu: ", offset);
	if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, what))
		fail_msg("input %.*s: got \"%s\", want prefix \"%s\" and \"%s\"", (int)len, text,
			 err.msg, prefix, what);
	arena_release(&a);
}

static void scalars(void **state)
{
	struct arena a = ARENA_INIT;
	const struct jsonr_value *v;
	bool b;
	double d;
	int64_t i;

	v = parse_ok(&a, " true ");
	assert_int_equal(jsonr_bool(v, &b), 0);
	assert_true(b);
	v = parse_ok(&a, "false");
	assert_int_equal(jsonr_bool(v, &b), 0);
	assert_false(b);
	v = parse_ok(&a, "null");
	assert_int_equal(v->type, JSONR_NULL);
	assert_int_equal(jsonr_bool(v, &b), -EINVAL);

	v = parse_ok(&a, "-12.5e2");
	assert_int_equal(jsonr_number(v, &d), 0);
	assert_true(d == -1250.0);
	assert_int_equal(jsonr_int64(v, &i), -EINVAL); /* not written as an integer */
	assert_string_equal(v->str, "-12.5e2");

	v = parse_ok(&a, "9223372036854775807");
	assert_int_equal(jsonr_int64(v, &i), 0);
	assert_true(i == INT64_MAX);
	v = parse_ok(&a, "-9223372036854775808");
	assert_int_equal(jsonr_int64(v, &i), 0);
	assert_true(i == INT64_MIN);
	v = parse_ok(&a, "9223372036854775808");
	assert_int_equal(jsonr_int64(v, &i), -ERANGE);
	v = parse_ok(&a, "0");
	assert_int_equal(jsonr_int64(v, &i), 0);
	assert_int_equal(i, 0);
	v = parse_ok(&a, "1E+3");
	assert_int_equal(jsonr_number(v, &d), 0);
	assert_true(d == 1000.0);
	arena_release(&a);
}

static void strings_and_escapes(void **state)
{
	struct arena a = ARENA_INIT;
	const struct jsonr_value *v;
	size_t len;
	const char *s;

	v = parse_ok(&a, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
	s = jsonr_string(v, &len);
	assert_string_equal(s, "a\"b\\c/d\b\f\n\r\t");
	assert_int_equal(len, 12);

	/* As cmd/go escapes & < > in paths. */
	v = parse_ok(&a, "\"x\\u0026y\\u003cz\\u003e.go\"");
	assert_string_equal(jsonr_cstr(v), "x&y<z>.go");

	v = parse_ok(&a, "\"\\u00e9\\u20AC\"");
	assert_string_equal(jsonr_cstr(v), "\xc3\xa9\xe2\x82\xac");

	/* A surrogate pair becomes one 4-byte sequence. */
	v = parse_ok(&a, "\"\\ud83d\\ude00!\"");
	assert_string_equal(jsonr_cstr(v), "\xf0\x9f\x98\x80!");

	/* Raw UTF-8 passes through. */
	v = parse_ok(&a, "\"h\xc3\xa9llo\"");
	assert_string_equal(jsonr_cstr(v), "h\xc3\xa9llo");

	/* An escaped NUL is kept, counted, and refused by jsonr_cstr. */
	v = parse_ok(&a, "\"a\\u0000b\"");
	s = jsonr_string(v, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 3);
	assert_null(jsonr_cstr(v));

	v = parse_ok(&a, "\"\"");
	assert_string_equal(jsonr_cstr(v), "");
	assert_null(jsonr_string(parse_ok(&a, "1"), NULL));
	arena_release(&a);
}

static void containers_and_lookup(void **state)
{
	struct arena a = ARENA_INIT;
	const struct jsonr_value *v, *arr, *item;
	const struct jsonr_member *m;
	size_t i, n = 0;
	bool b;

	v = parse_ok(&a,
		     "{\"GoFiles\": [\"/a.go\", \"/b.go\"], \"VetxOnly\": true,"
		     " \"Empty\": {}, \"None\": [], \"zeta\": 1, \"alpha\": {\"x\": [[], [1]]}}");
	assert_int_equal(v->type, JSONR_OBJECT);
	assert_int_equal(jsonr_len(v), 6);
	arr = jsonr_get(v, "GoFiles");
	assert_int_equal(jsonr_len(arr), 2);
	jsonr_for_each(arr, i, item)
	{
		assert_string_equal(jsonr_cstr(item), i ? "/b.go" : "/a.go");
		n++;
	}
	assert_int_equal(n, 2);
	assert_null(jsonr_at(arr, 2));
	assert_int_equal(jsonr_bool(jsonr_get(v, "VetxOnly"), &b), 0);
	assert_true(b);
	assert_int_equal(jsonr_get(v, "Empty")->type, JSONR_OBJECT);
	assert_int_equal(jsonr_len(jsonr_get(v, "Empty")), 0);
	assert_null(jsonr_get(jsonr_get(v, "Empty"), "x"));
	assert_int_equal(jsonr_len(jsonr_get(v, "None")), 0);
	assert_null(jsonr_get(v, "gofiles")); /* keys are case-sensitive */
	assert_null(jsonr_get(v, "Missing"));
	assert_null(jsonr_get(arr, "GoFiles")); /* not an object */
	assert_int_equal(jsonr_len(jsonr_at(jsonr_at(jsonr_get(jsonr_get(v, "alpha"), "x"), 1), 0)),
			 0);
	/* Members keep document order. */
	m = jsonr_member_at(v, 4);
	assert_string_equal(m->key, "zeta");
	assert_null(jsonr_member_at(v, 6));
	assert_null(jsonr_member_at(arr, 0));
	arena_release(&a);
}

static void many_keys_lookup(void **state)
{
	struct arena a = ARENA_INIT;
	char *text = malloc(64 * 1024);
	size_t len = 0;
	const struct jsonr_value *v;
	int64_t n;

	len += snprintf(text + len, 64 * 1024 - len, "{");
	for (int i = 999; i >= 0; i--)
		len += snprintf(text + len, 64 * 1024 - len, "%s\"k%d\":%d", i == 999 ? "" : ",", i,
				i);
	len += snprintf(text + len, 64 * 1024 - len, "}");
	v = parse_ok(&a, text);
	for (int i = 0; i < 1000; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(jsonr_int64(jsonr_get(v, key), &n), 0);
		assert_int_equal(n, i);
	}
	free(text);
	arena_release(&a);
}

static void depth_limit(void **state)
{
	char buf[2 * (JSONR_MAX_DEPTH + 1) + 1];
	struct arena a = ARENA_INIT;
	size_t d = JSONR_MAX_DEPTH;

	memset(buf, '[', d);
	memset(buf + d, ']', d);
	buf[2 * d] = '\0';
	parse_ok(&a, buf); /* exactly the limit */
	arena_release(&a);

	d = JSONR_MAX_DEPTH + 1;
	memset(buf, '[', d);
	memset(buf + d, ']', d);
	parse_bad(buf, 2 * d, -E2BIG, JSONR_MAX_DEPTH, "nesting deeper than 64");
}

static void size_cap(void **state)
{
	struct arena a = ARENA_INIT;
	const struct jsonr_value *v;
	struct cw_error err = {""};

	assert_int_equal(jsonr_parse("[1, 2, 3]", 9, 8, &a, &v, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "more than the limit of 8"));
	assert_int_equal(jsonr_parse("[1, 2, 3]", 9, 9, &a, &v, &err), 0);
	assert_int_equal(jsonr_len(v), 3);
	arena_release(&a);
}

static void rejections_name_the_offset(void **state)
{
	parse_bad("", 0, -EINVAL, 0, "unexpected end of input");
	parse_bad("   ", 3, -EINVAL, 3, "expected a value");
	parse_bad("[1,]", 4, -EINVAL, 3, "unexpected ']', expected a value");
	parse_bad("{\"a\":1,}", 8, -EINVAL, 7, "expected a string key");
	parse_bad("{\"a\" 1}", 7, -EINVAL, 5, "expected ':'");
	parse_bad("[1 2]", 5, -EINVAL, 3, "expected ',' or ']'");
	parse_bad("{} x", 4, -EINVAL, 3, "expected end of input after the value");
	parse_bad("01", 2, -EINVAL, 1, "leading zero");
	parse_bad("-", 1, -EINVAL, 1, "expected a digit");
	parse_bad("1.", 2, -EINVAL, 2, "after '.'");
	parse_bad("1e", 2, -EINVAL, 2, "exponent");
	parse_bad("+1", 2, -EINVAL, 0, "unexpected '+'");
	parse_bad("tru", 3, -EINVAL, 0, "expected a value");
	parse_bad("nul1", 4, -EINVAL, 0, "expected a value");
	parse_bad("NaN", 3, -EINVAL, 0, "expected a value");
	parse_bad("\"abc", 4, -EINVAL, 0, "unterminated string");
	parse_bad("\"abc\\\"", 6, -EINVAL, 0, "unterminated string");
	parse_bad("\"a\tb\"", 5, -EINVAL, 2, "control character \\x09");
	parse_bad("\"a\\xb\"", 6, -EINVAL, 2, "invalid escape");
	parse_bad("\"\\u12g4\"", 8, -EINVAL, 5, "invalid hex digit");
	parse_bad("\"\\u12\"", 6, -EINVAL, 3, "truncated \\u escape");
	parse_bad("\"\\u12\" ", 7, -EINVAL, 5, "invalid hex digit");
	parse_bad("\"\\ud800\"", 8, -EINVAL, 1, "lone high surrogate");
	parse_bad("\"\\ud800\\u0041\"", 14, -EINVAL, 7, "not followed by a low one");
	parse_bad("\"\\udc00\"", 8, -EINVAL, 1, "lone low surrogate");
	parse_bad("\"\xc3\"", 3, -EINVAL, 1, "invalid UTF-8");
	parse_bad("\"\xc0\xaf\"", 4, -EINVAL, 1, "invalid UTF-8");     /* overlong '/' */
	parse_bad("\"\xed\xa0\x80\"", 5, -EINVAL, 1, "invalid UTF-8"); /* encoded surrogate */
	parse_bad("\"\xff\"", 3, -EINVAL, 1, "invalid UTF-8");
	parse_bad("{\"a\":1,\"b\":2,\"a\":3}", 19, -EINVAL, 13, "duplicate key");
	parse_bad("// c\n{}", 7, -EINVAL, 0, "unexpected '/'");
	parse_bad("[1]\0", 4, -EINVAL, 3, "unexpected \\x00");
	parse_bad("\xef\xbb\xbf{}", 5, -EINVAL, 0, "unexpected \\xef"); /* no BOM */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(scalars),
	    cmocka_unit_test(strings_and_escapes),
	    cmocka_unit_test(containers_and_lookup),
	    cmocka_unit_test(many_keys_lookup),
	    cmocka_unit_test(depth_limit),
	    cmocka_unit_test(size_cap),
	    cmocka_unit_test(rejections_name_the_offset),
	};
	return cmocka_run_group_tests_name("jsonr", tests, NULL, NULL);
}
