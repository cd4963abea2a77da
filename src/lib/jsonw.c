// SPDX-License-Identifier: MIT
// Streaming JSON writer.
#include "jsonw.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "usage.h"
#include "utf8.h"
#include "banned.h"

void jsonw_init(struct jsonw *w, FILE *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
	w->first[0] = true;
}

static void indent(struct jsonw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

static void before_value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		fputc(',', w->out);
	w->first[w->depth] = false;
	indent(w);
}

static void open(struct jsonw *w, char c)
{
	before_value(w);
	fputc(c, w->out);
	if (++w->depth >= JSONW_MAX_DEPTH)
		BUG("json nesting too deep");
	w->first[w->depth] = true;
}

static void close_(struct jsonw *w, char c)
{
	bool empty = w->first[w->depth];
	if (w->depth <= 0)
		BUG("json close without open");
	w->depth--;
	if (!empty)
		indent(w);
	fputc(c, w->out);
}

void jsonw_object_begin(struct jsonw *w)
{
	open(w, '{');
}
void jsonw_object_end(struct jsonw *w)
{
	close_(w, '}');
}
void jsonw_array_begin(struct jsonw *w)
{
	open(w, '[');
}
void jsonw_array_end(struct jsonw *w)
{
	close_(w, ']');
}

/* Writes s as a JSON string; invalid UTF-8 bytes become U+FFFD so the output is valid JSON. */
static void write_string(FILE *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0;

	fputc('"', out);
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq_len(p + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		}
		fwrite(p + run, 1, i - run, out);
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (c >= 0x80) {
				fputs("\\ufffd", out);
			} else {
				fputs("\\u00", out);
				fputc(hex[c >> 4], out);
				fputc(hex[c & 15], out);
			}
		}
		run = ++i;
	}
	fwrite(p + run, 1, len - run, out);
	fputc('"', out);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	before_value(w);
	write_string(w->out, key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void jsonw_stringn(struct jsonw *w, const char *s, size_t len)
{
	before_value(w);
	write_string(w->out, s ? s : "", s ? len : 0);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	jsonw_stringn(w, s, s ? strlen(s) : 0);
}

void jsonw_u64(struct jsonw *w, uint64_t v)
{
	before_value(w);
	fprintf(w->out, "%llu", (unsigned long long)v);
}

void jsonw_i64(struct jsonw *w, int64_t v)
{
	before_value(w);
	fprintf(w->out, "%lld", (long long)v);
}

void jsonw_double(struct jsonw *w, double v)
{
	before_value(w);
	if (!isfinite(v))
		fputs("null", w->out);
	else
		fprintf(w->out, "%.15g", v);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_value(w);
	fputs(v ? "true" : "false", w->out);
}

void jsonw_null(struct jsonw *w)
{
	before_value(w);
	fputs("null", w->out);
}

void jsonw_finish(struct jsonw *w)
{
	if (w->depth != 0)
		BUG("json document not closed");
	fputc('\n', w->out);
}
