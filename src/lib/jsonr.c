// SPDX-License-Identifier: MIT
// Strict, bounded JSON reader: recursive descent, children collected on scratch stacks.
#include "lib/jsonr.h"

#include "lib/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/grow.h"
#include "lib/banned.h"

struct parser {
	const unsigned char *p;
	size_t len;
	size_t pos;
	int depth;
	struct arena *a;
	struct cw_error *err;
	/* Children of the containers being parsed, innermost last. */
	struct jsonr_value **vals;
	size_t nvals, avals;
	struct jsonr_member *mems;
	size_t nmems, amems;
};

__attribute__((format(printf, 4, 5))) static int fail(struct parser *ps, int rc, size_t at,
						      const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cw_error_set(ps->err, "offset %zu: %s", at, msg);
	return rc;
}

/* A byte for a message: itself when printable ASCII, else \xNN. */
static const char *show_byte(unsigned char c, char buf[8])
{
	if (c >= 0x21 && c < 0x7f && c != '\'')
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "\\x%02x", c);
	return buf;
}

static int unexpected(struct parser *ps, const char *what)
{
	char b[8];

	if (ps->pos >= ps->len)
		return fail(ps, -EINVAL, ps->pos, "unexpected end of input, expected %s", what);
	return fail(ps, -EINVAL, ps->pos, "unexpected %s, expected %s",
		    show_byte(ps->p[ps->pos], b), what);
}

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

static struct jsonr_value *new_value(struct parser *ps, enum jsonr_type t)
{
	struct jsonr_value *v = arena_alloc(ps->a, sizeof(*v));
	v->type = t;
	return v;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hex4(struct parser *ps, size_t at, uint32_t *out)
{
	uint32_t v = 0;

	if (ps->len - at < 4)
		return fail(ps, -EINVAL, at, "truncated \\u escape");
	for (size_t i = 0; i < 4; i++) {
		unsigned char c = ps->p[at + i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return fail(ps, -EINVAL, at + i, "invalid hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

/* Parses the string at ps->pos (an opening quote) into *s / *slen. */
static int parse_string(struct parser *ps, const char **s, size_t *slen)
{
	size_t start = ps->pos, end, i, n = 0;
	char *out;
	int rc;

	/* Find the closing quote first: the decoded text is never longer. */
	for (end = start + 1; end < ps->len && ps->p[end] != '"'; end++)
		if (ps->p[end] == '\\')
			end++;
	if (end >= ps->len)
		return fail(ps, -EINVAL, start, "unterminated string");
	out = arena_alloc(ps->a, end - start);

	for (i = start + 1; i < end;) {
		unsigned char c = ps->p[i];
		uint32_t cp, lo;

		if (c < 0x20)
			return fail(ps, -EINVAL, i, "control character \\x%02x in string", c);
		if (c >= 0x80) {
			size_t k = utf8_seq_len(ps->p + i, end - i);
			if (!k)
				return fail(ps, -EINVAL, i, "invalid UTF-8 in string");
			memcpy(out + n, ps->p + i, k);
			n += k;
			i += k;
			continue;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			i++;
			continue;
		}
		switch (ps->p[i + 1]) {
		case '"':
			out[n++] = '"';
			break;
		case '\\':
			out[n++] = '\\';
			break;
		case '/':
			out[n++] = '/';
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u':
			rc = hex4(ps, i + 2, &cp);
			if (rc)
				return rc;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(ps, -EINVAL, i, "lone low surrogate in \\u escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 12 > end || ps->p[i + 6] != '\\' || ps->p[i + 7] != 'u')
					return fail(ps, -EINVAL, i,
						    "lone high surrogate in \\u escape");
				rc = hex4(ps, i + 8, &lo);
				if (rc)
					return rc;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(ps, -EINVAL, i + 6,
						    "high surrogate not followed by a low one");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			n += put_utf8(out + n, cp);
			i += 6;
			continue;
		default:
			return fail(ps, -EINVAL, i, "invalid escape in string");
		}
		i += 2;
	}
	out[n] = '\0';
	*s = out;
	*slen = n;
	ps->pos = end + 1;
	return 0;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *ps, struct jsonr_value **out)
{
	size_t start = ps->pos, i = start;
	struct jsonr_value *v;
	char *text, *endp;

	if (i < ps->len && ps->p[i] == '-')
		i++;
	if (i >= ps->len || !is_digit(ps->p[i]))
		return fail(ps, -EINVAL, i, "invalid number: expected a digit");
	if (ps->p[i] == '0') {
		i++;
		if (i < ps->len && is_digit(ps->p[i]))
			return fail(ps, -EINVAL, i, "invalid number: leading zero");
	} else {
		while (i < ps->len && is_digit(ps->p[i]))
			i++;
	}
	if (i < ps->len && ps->p[i] == '.') {
		i++;
		if (i >= ps->len || !is_digit(ps->p[i]))
			return fail(ps, -EINVAL, i, "invalid number: expected a digit after '.'");
		while (i < ps->len && is_digit(ps->p[i]))
			i++;
	}
	if (i < ps->len && (ps->p[i] == 'e' || ps->p[i] == 'E')) {
		i++;
		if (i < ps->len && (ps->p[i] == '+' || ps->p[i] == '-'))
			i++;
		if (i >= ps->len || !is_digit(ps->p[i]))
			return fail(ps, -EINVAL, i, "invalid number: expected an exponent");
		while (i < ps->len && is_digit(ps->p[i]))
			i++;
	}
	text = arena_strndup(ps->a, (const char *)ps->p + start, i - start);
	v = new_value(ps, JSONR_NUMBER);
	v->str = text;
	v->len = i - start;
	v->number = strtod(text, &endp); /* overflow gives +-HUGE_VAL, which is fine */
	ps->pos = i;
	*out = v;
	return 0;
}

static int parse_literal(struct parser *ps, const char *word, struct jsonr_value **out,
			 enum jsonr_type t, bool b)
{
	size_t n = strlen(word);

	if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n))
		return unexpected(ps, "a value");
	ps->pos += n;
	*out = new_value(ps, t);
	(*out)->boolean = b;
	return 0;
}

static int parse_value(struct parser *ps, struct jsonr_value **out);

static int enter(struct parser *ps)
{
	if (++ps->depth > JSONR_MAX_DEPTH)
		return fail(ps, -E2BIG, ps->pos, "nesting deeper than %d", JSONR_MAX_DEPTH);
	ps->pos++; /* the '[' or '{' */
	return 0;
}

static int parse_array(struct parser *ps, struct jsonr_value **out)
{
	size_t base = ps->nvals;
	struct jsonr_value *v, *item;
	int rc;

	rc = enter(ps);
	if (rc)
		return rc;
	skip_ws(ps);
	if (ps->pos < ps->len && ps->p[ps->pos] == ']') {
		ps->pos++;
		goto done;
	}
	for (;;) {
		rc = parse_value(ps, &item);
		if (rc)
			return rc;
		ps->vals = grow_array(ps->vals, &ps->avals, ps->nvals + 1, sizeof(*ps->vals));
		ps->vals[ps->nvals++] = item;
		skip_ws(ps);
		if (ps->pos < ps->len && ps->p[ps->pos] == ',') {
			ps->pos++;
			continue;
		}
		if (ps->pos < ps->len && ps->p[ps->pos] == ']') {
			ps->pos++;
			break;
		}
		return unexpected(ps, "',' or ']'");
	}
done:
	v = new_value(ps, JSONR_ARRAY);
	v->len = ps->nvals - base;
	if (v->len) {
		v->items = arena_alloc(ps->a, v->len * sizeof(*v->items));
		memcpy(v->items, ps->vals + base, v->len * sizeof(*v->items));
	}
	ps->nvals = base;
	ps->depth--;
	*out = v;
	return 0;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int member_cmp(const void *x, const void *y)
{
	const struct jsonr_member *a = *(const struct jsonr_member *const *)x;
	const struct jsonr_member *b = *(const struct jsonr_member *const *)y;
	int c = key_cmp(a->key, a->keylen, b->key, b->keylen);

	if (c)
		return c;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Sorts the members for lookup and rejects duplicate keys. */
static int index_members(struct parser *ps, struct jsonr_value *v)
{
	v->sorted = arena_alloc(ps->a, v->len * sizeof(*v->sorted));
	for (size_t i = 0; i < v->len; i++)
		v->sorted[i] = &v->members[i];
	qsort(v->sorted, v->len, sizeof(*v->sorted), member_cmp);
	for (size_t i = 1; i < v->len; i++) {
		const struct jsonr_member *a = v->sorted[i - 1], *b = v->sorted[i];
		if (!key_cmp(a->key, a->keylen, b->key, b->keylen))
			return fail(ps, -EINVAL, b->offset, "duplicate key in object");
	}
	return 0;
}

static int parse_object(struct parser *ps, struct jsonr_value **out)
{
	size_t base = ps->nmems;
	struct jsonr_value *v;
	int rc;

	rc = enter(ps);
	if (rc)
		return rc;
	skip_ws(ps);
	if (ps->pos < ps->len && ps->p[ps->pos] == '}') {
		ps->pos++;
		goto done;
	}
	for (;;) {
		struct jsonr_member m = {0};

		skip_ws(ps);
		if (ps->pos >= ps->len || ps->p[ps->pos] != '"')
			return unexpected(ps, "a string key");
		m.offset = ps->pos;
		rc = parse_string(ps, &m.key, &m.keylen);
		if (rc)
			return rc;
		skip_ws(ps);
		if (ps->pos >= ps->len || ps->p[ps->pos] != ':')
			return unexpected(ps, "':'");
		ps->pos++;
		rc = parse_value(ps, &m.value);
		if (rc)
			return rc;
		ps->mems = grow_array(ps->mems, &ps->amems, ps->nmems + 1, sizeof(*ps->mems));
		ps->mems[ps->nmems++] = m;
		skip_ws(ps);
		if (ps->pos < ps->len && ps->p[ps->pos] == ',') {
			ps->pos++;
			continue;
		}
		if (ps->pos < ps->len && ps->p[ps->pos] == '}') {
			ps->pos++;
			break;
		}
		return unexpected(ps, "',' or '}'");
	}
done:
	v = new_value(ps, JSONR_OBJECT);
	v->len = ps->nmems - base;
	if (v->len) {
		v->members = arena_alloc(ps->a, v->len * sizeof(*v->members));
		memcpy(v->members, ps->mems + base, v->len * sizeof(*v->members));
		rc = index_members(ps, v);
		if (rc)
			return rc;
	}
	ps->nmems = base;
	ps->depth--;
	*out = v;
	return 0;
}

static int parse_value(struct parser *ps, struct jsonr_value **out)
{
	struct jsonr_value *v;
	int rc;

	skip_ws(ps);
	if (ps->pos >= ps->len)
		return unexpected(ps, "a value");
	switch (ps->p[ps->pos]) {
	case '{':
		return parse_object(ps, out);
	case '[':
		return parse_array(ps, out);
	case '"':
		v = new_value(ps, JSONR_STRING);
		rc = parse_string(ps, &v->str, &v->len);
		if (rc)
			return rc;
		*out = v;
		return 0;
	case 't':
		return parse_literal(ps, "true", out, JSONR_BOOL, true);
	case 'f':
		return parse_literal(ps, "false", out, JSONR_BOOL, false);
	case 'n':
		return parse_literal(ps, "null", out, JSONR_NULL, false);
	default:
		if (ps->p[ps->pos] == '-' || is_digit(ps->p[ps->pos]))
			return parse_number(ps, out);
		return unexpected(ps, "a value");
	}
}

int jsonr_parse(const char *buf, size_t len, size_t max, struct arena *a,
		const struct jsonr_value **out, struct cw_error *err)
{
	struct parser ps = {.p = (const unsigned char *)buf, .len = len, .a = a, .err = err};
	struct jsonr_value *v = NULL;
	int rc;

	*out = NULL;
	if (!max)
		max = JSONR_MAX_INPUT;
	if (len > max)
		return fail(&ps, -E2BIG, max, "input is %zu bytes, more than the limit of %zu", len,
			    max);
	rc = parse_value(&ps, &v);
	if (rc)
		goto cleanup;
	skip_ws(&ps);
	if (ps.pos != ps.len) {
		rc = unexpected(&ps, "end of input after the value");
		goto cleanup;
	}
	*out = v;
cleanup:
	free(ps.vals);
	free(ps.mems);
	return rc;
}

const struct jsonr_value *jsonr_get(const struct jsonr_value *obj, const char *key)
{
	size_t lo = 0, hi, klen;

	if (!obj || obj->type != JSONR_OBJECT || !key)
		return NULL;
	klen = strlen(key);
	hi = obj->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct jsonr_member *m = obj->sorted[mid];
		int c = key_cmp(m->key, m->keylen, key, klen);
		if (!c)
			return m->value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t jsonr_len(const struct jsonr_value *v)
{
	if (!v || (v->type != JSONR_ARRAY && v->type != JSONR_OBJECT))
		return 0;
	return v->len;
}

const struct jsonr_value *jsonr_at(const struct jsonr_value *arr, size_t i)
{
	if (!arr || arr->type != JSONR_ARRAY || i >= arr->len)
		return NULL;
	return arr->items[i];
}

const struct jsonr_member *jsonr_member_at(const struct jsonr_value *obj, size_t i)
{
	if (!obj || obj->type != JSONR_OBJECT || i >= obj->len)
		return NULL;
	return &obj->members[i];
}

const char *jsonr_string(const struct jsonr_value *v, size_t *len)
{
	if (!v || v->type != JSONR_STRING)
		return NULL;
	if (len)
		*len = v->len;
	return v->str;
}

const char *jsonr_cstr(const struct jsonr_value *v)
{
	if (!v || v->type != JSONR_STRING || strlen(v->str) != v->len)
		return NULL;
	return v->str;
}

int jsonr_bool(const struct jsonr_value *v, bool *out)
{
	if (!v || v->type != JSONR_BOOL)
		return -EINVAL;
	*out = v->boolean;
	return 0;
}

int jsonr_number(const struct jsonr_value *v, double *out)
{
	if (!v || v->type != JSONR_NUMBER)
		return -EINVAL;
	*out = v->number;
	return 0;
}

int jsonr_int64(const struct jsonr_value *v, int64_t *out)
{
	char *end;
	long long n;

	if (!v || v->type != JSONR_NUMBER || strpbrk(v->str, ".eE"))
		return -EINVAL;
	errno = 0;
	n = strtoll(v->str, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = n;
	return 0;
}
