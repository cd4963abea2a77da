// SPDX-License-Identifier: MIT
// Go binaries: the .go.buildinfo section (Go version, module path, build settings).
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gobin/internal.h"

#include "lib/banned.h"

#define BUILDINFO_MAGIC	    "\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN 14
#define MODINFO_MAX	    (1u << 20) /* far above any real module list */
#define VERSION_MAX	    256

/* Reads a uvarint at *pos in p[0..len). Returns 0, or -1 when truncated or too long. */
static int uvarint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t c = p[(*pos)++];

		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Go 1.18+: two varint-prefixed strings right after the 32-byte header. */
static int inline_strings(const uint8_t *p, size_t len, struct slice *vers, struct slice *mod)
{
	size_t pos = 32;
	uint64_t n;

	if (uvarint(p, len, &pos, &n) || n > len - pos)
		return -1;
	*vers = slice_from((const char *)p + pos, (size_t)n);
	pos += (size_t)n;
	if (uvarint(p, len, &pos, &n) || n > len - pos)
		return -1;
	*mod = slice_from((const char *)p + pos, (size_t)n);
	return 0;
}

/* A Go string header {ptr, len} at vaddr, resolved to file bytes. */
static int go_string(const struct gobin *b, uint64_t vaddr, size_t max, struct slice *s)
{
	uint64_t ptr, len;
	const uint8_t *p;

	if (gobin_read_ptr(b, vaddr, &ptr) || gobin_read_ptr(b, vaddr + 8, &len) || len > max)
		return -1;
	if (!len) {
		*s = SLICE_NULL;
		return 0;
	}
	if (gobin_read_vaddr(b, ptr, (size_t)len, &p))
		return -1;
	*s = slice_from((const char *)p, (size_t)len);
	return 0;
}

/* Before Go 1.18: two pointers to string headers after the 16-byte header. */
static int pointer_strings(const struct gobin *b, const uint8_t *p, size_t len, struct slice *vers,
			   struct slice *mod)
{
	if (len < 32 || p[14] != 8)
		return -1;
	if (go_string(b, gobin_le64(p + 16), VERSION_MAX, vers) ||
	    go_string(b, gobin_le64(p + 24), MODINFO_MAX, mod))
		return -1;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *out, uint32_t r)
{
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xc0 | r >> 6);
		out[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xe0 | r >> 12);
		out[1] = (char)(0x80 | (r >> 6 & 0x3f));
		out[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	if (r > 0x10ffff)
		r = 0xfffd;
	out[0] = (char)(0xf0 | r >> 18);
	out[1] = (char)(0x80 | (r >> 12 & 0x3f));
	out[2] = (char)(0x80 | (r >> 6 & 0x3f));
	out[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

/*
 * Unquotes a whole Go string literal s ("..." or `...`) in place. Returns the
 * result length, or -1 when s is not exactly one valid literal.
 */
static long unquote(char *s, size_t len)
{
	size_t i = 1, o = 0;
	char q;

	if (len < 2 || (s[0] != '"' && s[0] != '`') || s[len - 1] != s[0])
		return -1;
	q = s[0];
	if (q == '`') {
		if (memchr(s + 1, '`', len - 2))
			return -1;
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
		return (long)(len - 2);
	}
	while (i < len - 1) {
		char c = s[i++];
		uint32_t r = 0;
		int digits = 0, base = 16;

		if (c == '"')
			return -1;
		if (c != '\\') {
			s[o++] = c;
			continue;
		}
		if (i >= len - 1)
			return -1;
		c = s[i++];
		switch (c) {
		case 'a':
			s[o++] = '\a';
			continue;
		case 'b':
			s[o++] = '\b';
			continue;
		case 'f':
			s[o++] = '\f';
			continue;
		case 'n':
			s[o++] = '\n';
			continue;
		case 'r':
			s[o++] = '\r';
			continue;
		case 't':
			s[o++] = '\t';
			continue;
		case 'v':
			s[o++] = '\v';
			continue;
		case '\\':
		case '"':
		case '\'':
			s[o++] = c;
			continue;
		case 'x':
			digits = 2;
			break;
		case 'u':
			digits = 4;
			break;
		case 'U':
			digits = 8;
			break;
		default:
			if (c < '0' || c > '7')
				return -1;
			digits = 3;
			base = 8;
			i--;
		}
		if (i + (size_t)digits > len - 1)
			return -1;
		for (int d = 0; d < digits; d++) {
			int v = hexval(s[i++]);

			if (v < 0 || v >= base)
				return -1;
			r = r * (uint32_t)base + (uint32_t)v;
		}
		if (c == 'x' || base == 8) {
			if (r > 255)
				return -1;
			s[o++] = (char)r; /* a byte, not a rune */
		} else {
			/* the UTF-8 form (<= 4 bytes) never outgrows the 6/10-byte escape */
			o += put_utf8(s + o, r);
		}
	}
	s[o] = '\0';
	return (long)o;
}

/* Splits a "build" line's key=value (either side may be quoted) into a setting. */
static int parse_setting(char *kv, struct gobin_setting *out)
{
	char *eq;

	if (kv[0] == '"' || kv[0] == '`') {
		/* a quoted key ends at the first unescaped closing quote */
		char *p = kv + 1;

		while (*p && *p != kv[0])
			p += (*p == '\\' && kv[0] == '"' && p[1]) ? 2 : 1;
		if (*p != kv[0] || p[1] != '=')
			return -1;
		eq = p + 1;
		*eq = '\0';
		if (unquote(kv, (size_t)(eq - kv)) < 0)
			return -1;
	} else {
		eq = strchr(kv, '=');
		if (!eq || eq == kv)
			return -1;
		*eq = '\0';
	}
	out->key = kv;
	out->value = eq + 1;
	if ((eq[1] == '"' || eq[1] == '`') && unquote(eq + 1, strlen(eq + 1)) < 0)
		return -1;
	return 0;
}

static void parse_modinfo(struct gobin *b, char *text)
{
	char *line = text, *next;

	b->info.settings = arena_alloc(&b->arena, GOBIN_MAX_SETTINGS * sizeof(*b->info.settings));
	for (; line && *line; line = next) {
		char *f[4] = {NULL, NULL, NULL, NULL};
		int nf = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "build\t", 6)) {
			struct gobin_setting *s = &b->info.settings[b->info.nsettings];

			if (b->info.nsettings < GOBIN_MAX_SETTINGS && !parse_setting(line + 6, s))
				b->info.nsettings++;
			continue;
		}
		for (char *p = line; p && nf < 4; nf++) {
			f[nf] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (nf >= 2 && !strcmp(f[0], "path"))
			b->info.path = f[1];
		else if (nf >= 2 && !strcmp(f[0], "mod")) {
			b->info.main_module = f[1];
			b->info.main_version = nf >= 3 ? f[2] : "";
		}
	}
}

int gobin_buildinfo_parse(struct gobin *b, struct cw_error *err)
{
	const struct gobin_section *s = gobin_section(b, ".go.buildinfo");
	struct slice vers = SLICE_NULL, mod = SLICE_NULL;
	const uint8_t *p;
	size_t len;

	b->info.go_version = b->info.path = b->info.main_module = b->info.main_version = "";
	b->info.modinfo = "";
	if (!s || s->type == 8 /* SHT_NOBITS */ || s->size < 32)
		return 0;
	p = b->data + s->offset;
	len = (size_t)s->size;
	if (memcmp(p, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
		return 0; /* not build info we understand; the pclntab may still do */
	if (p[15] & 1)
		return 0; /* big-endian target */
	if (p[15] & 2 ? inline_strings(p, len, &vers, &mod)
		      : pointer_strings(b, p, len, &vers, &mod))
		return 0;
	if (vers.len > VERSION_MAX || mod.len > MODINFO_MAX)
		return 0;
	b->info.go_version = arena_strndup(&b->arena, vers.ptr ? vers.ptr : "", vers.len);
	/* the module text sits between two 16-byte sentinels */
	if (mod.len >= 33 && mod.ptr[mod.len - 17] == '\n')
		mod = slice_from(mod.ptr + 16, mod.len - 32);
	else
		mod = SLICE_NULL;
	b->info.modinfo = arena_strndup(&b->arena, mod.ptr ? mod.ptr : "", mod.len);
	parse_modinfo(b, arena_strndup(&b->arena, mod.ptr ? mod.ptr : "", mod.len));
	return 0;
}

const char *gobin_setting(const struct gobin *b, const char *key)
{
	for (size_t i = 0; i < b->info.nsettings; i++)
		if (!strcmp(b->info.settings[i].key, key))
			return b->info.settings[i].value;
	return NULL;
}
