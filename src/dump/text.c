// SPDX-License-Identifier: MIT
// Streaming reader of text goroutine dumps (debug=2, runtime.Stack, crash output) and debug=1.
#define _GNU_SOURCE
#include "dump/dump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/num.h"
#include "lib/banned.h"

/*
 * The input is read into one buffer; a goroutine record (header .. blank
 * line) is parsed only once it is wholly in the buffer, so frames can point
 * into it. When a record runs past the end of the buffered data, the unread
 * tail is moved to the front, more is read (the buffer grows only if one
 * record fills it), and the record is parsed again from its header.
 */
#define TEXT_BUF_INIT	(4u << 20)
#define TEXT_RECORD_MAX (64u << 20) /* largest record or line held in memory */
#define TEXT_FRAMES_MAX 65536u	    /* frames in one record */
#define GO_DEBUG2_CAP	67108864ull /* Go silently cuts debug=2 dumps here */

/* Internal status codes; ST_ERR has err set, ST_SINK keeps the sink's value. */
enum { ST_OK = 0, ST_MORE = 1, ST_ERR = -1, ST_SINK = -2 };

enum { LINE_OK, LINE_MORE, LINE_PARTIAL, LINE_EOF };

struct text_reader {
	struct input *in;
	const struct dump_sink *sink;
	struct dump_info *info;
	struct cw_error *err;
	char *buf;
	size_t cap, pos, end; /* unparsed bytes are buf[pos, end) */
	bool eof;
	uint64_t line;	/* lines before pos */
	uint64_t total; /* bytes read */
	struct frame *frames;
	uint32_t nframes, frames_cap;
	int sink_ret;
	bool seen_dump;	   /* a goroutine header or profile header was seen */
	bool debug1;	   /* inside a debug=1 profile */
	bool ended_at_eof; /* the last record ended at end of input, not a blank line */
	bool mapped;	   /* buf is a read-only mapping of the whole file */
	size_t released;   /* mapped bytes before this were dropped from memory */
};

/* Mapped input is dropped from memory behind the parser in steps of this much. */
#define TEXT_MAP_RELEASE (16u << 20)

/*
 * Maps a regular file read-only instead of copying it through read(): no
 * copy, and the parser sees the whole file at once. Only when nothing but the
 * format sniff has been consumed (the peeked bytes are the file's first).
 * Returns true when mapped.
 */
static bool map_input(struct text_reader *r)
{
	struct input *in = r->in;
	struct stat st;
	void *m;

	if (in->offset || fstat(in->fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size <= TEXT_BUF_INIT || (uint64_t)st.st_size > SIZE_MAX / 2 ||
	    lseek(in->fd, 0, SEEK_CUR) != (off_t)in->peek_len)
		return false;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, in->fd, 0);
	if (m == MAP_FAILED)
		return false;
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	r->buf = m;
	r->cap = r->end = (size_t)st.st_size;
	r->total = (uint64_t)st.st_size;
	r->eof = true;
	r->mapped = true;
	in->offset = (uint64_t)st.st_size;
	return true;
}

/* Keeps peak RSS flat on huge files: drops mapped pages the parser is done with. */
static inline void release_mapped(struct text_reader *r)
{
	size_t upto;

	if (!r->mapped || r->pos - r->released < TEXT_MAP_RELEASE)
		return;
	upto = r->pos & ~((size_t)sysconf(_SC_PAGESIZE) - 1);
	madvise(r->buf + r->released, upto - r->released, MADV_DONTNEED);
	r->released = upto;
}

static int fill(struct text_reader *r)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->end == r->cap) {
		size_t ncap = r->cap < TEXT_BUF_INIT / 2 ? TEXT_BUF_INIT : r->cap * 2;
		char *nb;
		if (r->cap >= TEXT_RECORD_MAX)
			return cw_error_set(r->err,
					    "line %llu: goroutine record longer than %u MiB",
					    (unsigned long long)r->line + 1, TEXT_RECORD_MAX >> 20);
		if (ncap > TEXT_RECORD_MAX)
			ncap = TEXT_RECORD_MAX;
		nb = realloc(r->buf, ncap);
		if (!nb)
			return cw_error_set(r->err, "out of memory");
		r->buf = nb;
		r->cap = ncap;
	}
	n = input_read(r->in, r->buf + r->end, r->cap - r->end);
	if (n < 0)
		return cw_error_set(r->err, "byte %llu: %s", (unsigned long long)r->total,
				    strerror((int)-n));
	if (n == 0) {
		r->eof = true;
		return 0;
	}
	r->end += (size_t)n;
	r->total += (uint64_t)n;
	return 1;
}

/* The line starting at buf[q], without "\n" or "\r\n"; *next is where the following starts. */
static inline int line_at(const struct text_reader *r, size_t q, struct slice *line, size_t *next)
{
	const char *p = r->buf + q;
	size_t avail = r->end - q, len;
	const char *nl = memchr(p, '\n', avail);
	int kind = LINE_OK;

	if (nl) {
		len = (size_t)(nl - p);
		*next = q + len + 1;
	} else if (!r->eof) {
		return LINE_MORE;
	} else if (!avail) {
		return LINE_EOF;
	} else {
		len = avail;
		*next = r->end;
		kind = LINE_PARTIAL;
	}
	if (len && p[len - 1] == '\r')
		len--;
	*line = slice_from(p, len);
	return kind;
}

static bool has_prefix(struct slice s, const char *lit, size_t n)
{
	return s.len >= n && !memcmp(s.ptr, lit, n);
}
#define HAS_PREFIX(s, lit) has_prefix((s), (lit), sizeof(lit) - 1)

static bool has_suffix(struct slice s, const char *lit, size_t n)
{
	return s.len >= n && !memcmp(s.ptr + s.len - n, lit, n);
}
#define HAS_SUFFIX(s, lit) has_suffix((s), (lit), sizeof(lit) - 1)

static inline struct slice skip(struct slice s, size_t n)
{
	return slice_from(s.ptr + n, s.len - n);
}

/* Parses all of s as a decimal number no larger than max. */
static inline bool parse_dec(struct slice s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!s.len || s.len > 20)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.ptr[i] - '0';
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	if (x > max)
		return false;
	*v = x;
	return true;
}

/* Parses all of s, "0x" then hex digits, as a number no larger than max. */
static bool parse_hex0x(struct slice s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (s.len < 3 || s.len > 18 || s.ptr[0] != '0' || s.ptr[1] != 'x')
		return false;
	for (size_t i = 2; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return false;
		x = x << 4 | d;
	}
	if (x > max)
		return false;
	*v = x;
	return true;
}

/* Index of the last c in s, or -1. */
static inline ssize_t last_index(struct slice s, char c)
{
	/* The wanted byte is nearly always a few bytes from the end ("...go:123 +0x1d"):
	 * a plain loop beats memrchr's call and setup there. */
	for (size_t i = s.len; i-- > 0;)
		if (s.ptr[i] == c)
			return (ssize_t)i;
	return -1;
}

static int set_error(struct text_reader *r, uint64_t line, const char *what, struct slice ctx)
{
	int n = ctx.len > 80 ? 80 : (int)ctx.len;
	if (ctx.len)
		cw_error_set(r->err, "line %llu: %s: '%.*s%s'", (unsigned long long)line, what, n,
			     ctx.ptr, ctx.len > 80 ? "..." : "");
	else
		cw_error_set(r->err, "line %llu: %s", (unsigned long long)line, what);
	return ST_ERR;
}

static void set_truncated(struct text_reader *r, const char *why, uint64_t line)
{
	struct dump_info *info = r->info;

	info->truncated = true;
	if (r->total == GO_DEBUG2_CAP)
		snprintf(info->truncated_why, sizeof(info->truncated_why),
			 "input is exactly 64 MiB, where Go cuts debug=2 dumps, and ends inside a "
			 "record (line %llu)",
			 (unsigned long long)line);
	else
		snprintf(info->truncated_why, sizeof(info->truncated_why), "line %llu: %s",
			 (unsigned long long)line, why);
}

static struct frame *push_frame(struct text_reader *r)
{
	struct frame *f;

	if (r->nframes == r->frames_cap) {
		uint32_t ncap = r->frames_cap ? r->frames_cap * 2 : 128;
		struct frame *nf;
		if (r->frames_cap >= TEXT_FRAMES_MAX)
			return NULL;
		nf = realloc(r->frames, ncap * sizeof(*nf));
		if (!nf)
			return NULL;
		r->frames = nf;
		r->frames_cap = ncap;
	}
	f = &r->frames[r->nframes++];
	memset(f, 0, sizeof(*f));
	return f;
}

/*
 * "func(args)": the args are the trailing balanced "(...)" group, so that
 * "main.(*T).m(0x1, {0x2, 0x3})" splits after "main.(*T).m". Go function
 * names contain no blanks, which tells frames from most other text.
 */
static bool split_func(struct slice line, struct slice *func, struct slice *args)
{
	size_t depth = 0, i = line.len;

	const char *open;

	if (line.len < 3 || line.ptr[line.len - 1] != ')')
		return false;
	/* Go's args never contain parentheses: the last '(' opens them, unless that fails. */
	open = NULL;
	for (size_t k = line.len - 1; k-- > 0;) {
		if (line.ptr[k] == ')')
			break;
		if (line.ptr[k] == '(') {
			open = line.ptr + k;
			break;
		}
	}
	if (open && open > line.ptr) {
		i = (size_t)(open - line.ptr);
		goto found;
	}
	while (i-- > 0) {
		char c = line.ptr[i];
		if (c == ')')
			depth++;
		else if (c == '(' && --depth == 0)
			break;
	}
	if (depth != 0 || i == 0 || i == SIZE_MAX)
		return false;
found:
	*func = slice_from(line.ptr, i);
	*args = slice_from(line.ptr + i + 1, line.len - i - 2);
	return !memchr(func->ptr, ' ', func->len) && !memchr(func->ptr, '\t', func->len);
}

/*
 * "FILE:LINE[ +0xOFF][ fp=0x.. sp=0x.. pc=0x..]" (the leading tab removed), or
 * for cgo frames "[FILE:LINE ]pc=0x..". FILE may contain blanks and colons.
 */
/*
 * The common "FILE:LINE +0xOFF" and "FILE:LINE" in one backward pass; false
 * sends the line to the general parser below.
 */
static inline bool parse_file_line_fast(struct slice s, struct frame *f)
{
	const char *end = s.ptr + s.len, *b = s.ptr, *p = end;
	uint64_t off = 0, line = 0, mul = 1;
	unsigned shift = 0;

	/* Hex digits back from the end: an offset if "+0x" and a blank precede them. */
	while (p > b) {
		unsigned char c = (unsigned char)p[-1];
		unsigned d;
		if (c - '0' <= 9)
			d = c - '0';
		else if ((c | 0x20) - 'a' <= 5)
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		if (shift > 28)
			return false;
		off |= (uint64_t)d << shift;
		shift += 4;
		p--;
	}
	if (shift && p - b >= 5 && p[-1] == 'x' && p[-2] == '0' && p[-3] == '+' && p[-4] == ' ') {
		p -= 4;
	} else {
		p = end; /* no offset: "FILE:LINE" (inlined frames) */
		off = 0;
	}
	/* Decimal line number back to ':'. */
	while (p > b && (unsigned char)(p[-1] - '0') <= 9) {
		if (mul > 1000000000)
			return false;
		line += (uint64_t)(p[-1] - '0') * mul;
		mul *= 10;
		p--;
	}
	if (mul == 1 || p <= b + 1 || p[-1] != ':' || line > UINT32_MAX)
		return false;
	f->file = slice_from(b, (size_t)(p - 1 - b));
	f->line = (uint32_t)line;
	f->offset = (uint32_t)off;
	return true;
}

static bool parse_file_line(struct slice s, struct frame *f)
{
	if (parse_file_line_fast(s, f))
		return true;
	uint64_t v;
	ssize_t sp;
	bool have_pc = false;

	sp = last_index(s, ' ');
	for (int i = 0; i < 3; i++) {
		struct slice tok = skip(s, (size_t)(sp + 1));
		if (tok.len < 4 || tok.ptr[2] != '=')
			break;
		if (HAS_PREFIX(tok, "pc=")) {
			if (!parse_hex0x(skip(tok, 3), UINT64_MAX, &f->pc))
				return false;
			have_pc = true;
		} else if (!HAS_PREFIX(tok, "sp=") && !HAS_PREFIX(tok, "fp=")) {
			break;
		}
		s.len = sp < 0 ? 0 : (size_t)sp;
		sp = last_index(s, ' ');
	}
	if (!s.len && have_pc)
		return true;
	if (sp >= 0 && s.len - (size_t)sp > 3 && s.ptr[sp + 1] == '+') {
		if (!parse_hex0x(skip(s, (size_t)sp + 2), UINT32_MAX, &v))
			return false;
		f->offset = (uint32_t)v;
		s.len = (size_t)sp;
	}
	sp = last_index(s, ':');
	if (sp <= 0 || !parse_dec(skip(s, (size_t)sp + 1), UINT32_MAX, &v))
		return false;
	f->file = slice_from(s.ptr, (size_t)sp);
	f->line = (uint32_t)v;
	return true;
}

/* "...additional frames elided..." or "...N frames elided...", maybe tab-indented. */
static bool parse_elision(struct slice s, uint32_t *n)
{
	uint64_t v;

	if (s.len && s.ptr[0] == '\t')
		s = skip(s, 1);
	if (!HAS_PREFIX(s, "...") || !HAS_SUFFIX(s, " elided..."))
		return false;
	s = slice_from(s.ptr + 3, s.len - 3 - (sizeof(" elided...") - 1));
	if (slice_eq_cstr(s, "additional frames")) {
		*n = FRAMES_ELIDED_UNKNOWN;
		return true;
	}
	if (!HAS_SUFFIX(s, " frames"))
		return false;
	s.len -= sizeof(" frames") - 1;
	if (!parse_dec(s, UINT32_MAX - 1, &v))
		return false;
	*n = (uint32_t)v;
	return true;
}

/* `{"k": "v", ...}` at s: returns the index just past the closing brace, or 0. */
static size_t scan_labels(struct slice s)
{
	bool quoted = false;

	if (!s.len || s.ptr[0] != '{')
		return 0;
	for (size_t i = 1; i < s.len; i++) {
		char c = s.ptr[i];
		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
		} else if (c == '"') {
			quoted = true;
		} else if (c == '}') {
			return i + 1;
		}
	}
	return 0;
}

static bool header_item(struct slice item, struct goroutine *g)
{
	uint64_t v;

	if (slice_eq_cstr(item, "locked to thread")) {
		g->flags |= G_LOCKED;
	} else if (HAS_SUFFIX(item, " minutes")) {
		if (!parse_dec(slice_from(item.ptr, item.len - 8), UINT32_MAX, &v))
			return false;
		g->wait_minutes = (uint32_t)v;
		g->flags |= G_HAS_MINUTES;
	} else if (HAS_PREFIX(item, "synctest group ") || HAS_PREFIX(item, "synctest bubble ")) {
		if (!parse_dec(skip(item, (size_t)last_index(item, ' ') + 1), UINT64_MAX, &v))
			return false;
		g->synctest_group = v;
		g->flags |= G_SYNCTEST;
	}
	/* Anything else is a modifier from a newer Go: kept out of status, ignored. */
	return true;
}

/* The first ", " in s, or NULL. */
static const char *find_comma_space(struct slice s)
{
	const char *p = s.ptr, *e = s.ptr + s.len;

	while ((p = memchr(p, ',', (size_t)(e - p))) && p + 1 < e) {
		if (p[1] == ' ')
			return p;
		p++;
	}
	return NULL;
}

/*
 * "goroutine N[ gp=0x.. m=N mp=0x..| gp=0x.. m=nil] [STATUS[ (leaked)][ (scan)][ (durable)]
 * [, N minutes][, locked to thread][, synctest group|bubble N][ labels:{...}]]:"
 */
static int parse_header(struct text_reader *r, struct slice line, uint64_t lno, struct goroutine *g)
{
	struct slice s = skip(line, sizeof("goroutine ") - 1), id, b, rest;
	const char *open, *sp;
	size_t n;

	sp = memchr(s.ptr, ' ', s.len);
	if (!sp)
		return set_error(r, lno, "malformed goroutine header", line);
	id = slice_from(s.ptr, (size_t)(sp - s.ptr));
	if (!parse_dec(id, UINT64_MAX, &g->id))
		return set_error(r, lno, "malformed goroutine header: bad goroutine id", line);
	s = skip(s, id.len);
	open = memchr(s.ptr, '[', s.len);
	if (!open || open == s.ptr || open[-1] != ' ')
		return set_error(r, lno, "malformed goroutine header", line);
	if (open - s.ptr > 1) {
		if (!HAS_PREFIX(s, " gp=0x"))
			return set_error(r, lno, "malformed goroutine header", line);
		g->flags |= G_CRASH_INFO;
	}
	b = slice_from(open + 1, (size_t)(s.ptr + s.len - open - 1 - 2)); /* minus "]:" */

	/* No wait reason has a '{': only headers with labels pay for memmem. */
	sp = memchr(b.ptr, '{', b.len) ? memmem(b.ptr, b.len, " labels:{", 9) : NULL;
	if (sp) {
		struct slice lab = slice_from(sp + 8, (size_t)(b.ptr + b.len - sp - 8));
		n = scan_labels(lab);
		if (!n || n != lab.len)
			return set_error(r, lno, "malformed goroutine header: bad labels", line);
		g->labels = slice_from(lab.ptr + 1, lab.len - 2);
		b.len = (size_t)(sp - b.ptr);
	}

	/* b is now "STATUS[, item]..." */
	sp = find_comma_space(b);
	g->status = slice_from(b.ptr, sp ? (size_t)(sp - b.ptr) : b.len);
	rest = sp ? slice_from(sp + 2, (size_t)(b.ptr + b.len - sp - 2)) : SLICE_NULL;
	for (;;) {
		if (HAS_SUFFIX(g->status, " (leaked)")) {
			g->flags |= G_LEAKED;
			g->status.len -= 9;
		} else if (HAS_SUFFIX(g->status, " (scan)")) {
			g->flags |= G_SCAN;
			g->status.len -= 7;
		} else if (HAS_SUFFIX(g->status, " (durable)")) {
			g->flags |= G_DURABLE;
			g->status.len -= 10;
		} else {
			break;
		}
	}
	if (!g->status.len)
		return set_error(r, lno, "malformed goroutine header: empty status", line);
	g->flags |= G_HAS_STATUS;
	while (rest.len) {
		struct slice item;
		sp = find_comma_space(rest);
		item = slice_from(rest.ptr, sp ? (size_t)(sp - rest.ptr) : rest.len);
		if (!header_item(item, g))
			return set_error(r, lno, "malformed goroutine header", line);
		rest = sp ? skip(rest, item.len + 2) : SLICE_NULL;
	}
	return ST_OK;
}

static bool is_header(struct slice line)
{
	return HAS_PREFIX(line, "goroutine ") && HAS_SUFFIX(line, "]:") &&
	       memchr(line.ptr, '[', line.len);
}

static int emit(struct text_reader *r, struct goroutine *g)
{
	int ret;

	g->frames = r->frames;
	g->nframes = r->nframes;
	r->info->records++;
	r->info->goroutines = sat_add(r->info->goroutines, g->count);
	if (!r->sink->goroutine)
		return ST_OK;
	ret = r->sink->goroutine(r->sink->ctx, g);
	if (ret < 0) {
		r->sink_ret = ret;
		return ST_SINK;
	}
	return ST_OK;
}

/* "created by FUNC[ in goroutine N]" */
static int parse_created(struct text_reader *r, struct slice s, uint64_t lno, struct goroutine *g)
{
	struct slice func = skip(s, sizeof("created by ") - 1);
	ssize_t sp = last_index(func, ' ');

	if (sp >= 0 && has_suffix(slice_from(func.ptr, (size_t)sp), " in goroutine", 13)) {
		if (!parse_dec(skip(func, (size_t)sp + 1), UINT64_MAX, &g->creator_id))
			return set_error(r, lno, "malformed 'created by' line", s);
		func.len = (size_t)sp - 13;
	}
	if (!func.len)
		return set_error(r, lno, "malformed 'created by' line", s);
	memset(&g->created_by, 0, sizeof(g->created_by));
	g->created_by.func = func;
	return ST_OK;
}

enum g_state { GS_FRAMES, GS_ANCESTOR };

/* Parses the goroutine whose header is at r->pos and hands it to the sink. */
static int parse_goroutine(struct text_reader *r)
{
	struct goroutine g = {.count = 1};
	struct frame *pending = NULL; /* a frame or created-by waiting for its file line */
	enum g_state state = GS_FRAMES;
	uint64_t lno = r->line + 1;
	size_t q = r->pos, next = 0;
	struct slice line;
	bool ends_at_eof = false;
	int k, rc;

	k = line_at(r, q, &line, &next);
	if (k == LINE_MORE)
		return ST_MORE;
	r->seen_dump = true;
	if (r->info->format == DUMP_FORMAT_UNKNOWN)
		r->info->format = DUMP_FORMAT_TEXT;
	if (k == LINE_PARTIAL) {
		set_truncated(r, "input ends inside a goroutine header", lno);
		goto consumed;
	}
	rc = parse_header(r, line, lno, &g);
	if (rc)
		return rc;
	g.input_line = lno;
	q = next;
	r->nframes = 0;

	for (;;) {
		k = line_at(r, q, &line, &next);
		if (k == LINE_MORE)
			return ST_MORE;
		if (k == LINE_EOF) {
			if (pending) {
				set_truncated(r, "input ends before the file line of a frame", lno);
				goto consumed;
			}
			if (!r->nframes && !g.created_by.func.len) {
				set_truncated(r, "input ends after a goroutine header",
					      g.input_line);
				goto consumed;
			}
			ends_at_eof = true;
			break;
		}
		lno++;
		if (k == LINE_PARTIAL) {
			set_truncated(r, "input ends inside a goroutine (no final newline)", lno);
			q = next;
			goto consumed;
		}
		if (pending) {
			if (!line.len || line.ptr[0] != '\t' ||
			    !parse_file_line(skip(line, 1), pending))
				return set_error(r, lno, "expected a tab-indented 'file:line' line",
						 line);
			pending = NULL;
			q = next;
			continue;
		}
		if (!line.len) {
			q = next; /* the blank line belongs to this record */
			break;
		}
		if (state == GS_ANCESTOR) {
			struct slice fn, args;
			if (line.ptr[0] == '\t' || HAS_PREFIX(line, "...") ||
			    HAS_PREFIX(line, "created by ") || split_func(line, &fn, &args)) {
				q = next;
				continue;
			}
			if (HAS_PREFIX(line, "[originating from goroutine ")) {
				g.nancestors++;
				q = next;
				continue;
			}
			lno--;
			break; /* not ours: the caller reads it again */
		}
		if (line.ptr[0] == '\t') {
			uint32_t n;
			if (slice_eq_cstr(
				line, "\tgoroutine running on other thread; stack unavailable")) {
				struct frame *f = push_frame(r);
				if (!f)
					return set_error(r, lno, "too many frames", SLICE_NULL);
				f->flags = FRAME_UNAVAILABLE;
			} else if (parse_elision(line, &n)) {
				g.frames_elided = n;
			} else {
				lno--;
				break;
			}
			q = next;
			continue;
		}
		if (line.ptr[0] == '.') {
			uint32_t n;
			if (parse_elision(line, &n)) {
				g.frames_elided = n;
				q = next;
				continue;
			}
		}
		if (HAS_PREFIX(line, "created by ")) {
			rc = parse_created(r, line, lno, &g);
			if (rc)
				return rc;
			pending = &g.created_by;
			q = next;
			continue;
		}
		if (HAS_PREFIX(line, "[originating from goroutine ")) {
			g.nancestors++;
			state = GS_ANCESTOR;
			q = next;
			continue;
		}
		if (HAS_PREFIX(line, "non-Go function")) {
			struct frame *f = push_frame(r);
			if (!f)
				return set_error(r, lno, "too many frames", SLICE_NULL);
			f->func = slice_from(line.ptr, 15);
			f->flags = FRAME_NON_GO;
			if (HAS_PREFIX(line, "non-Go function at pc=")) {
				if (!parse_hex0x(skip(line, 22), UINT64_MAX, &f->pc))
					return set_error(r, lno, "malformed non-Go frame", line);
			} else if (line.len == 15) {
				pending = f; /* cgo traceback: "\t[file:line ]pc=0x.." follows */
			} else {
				return set_error(r, lno, "malformed non-Go frame", line);
			}
			q = next;
			continue;
		}
		{
			struct slice fn, args;
			struct frame *f;
			if (is_header(line) || !split_func(line, &fn, &args)) {
				lno--;
				break; /* the next goroutine, or text that is not part of the dump
					*/
			}
			f = push_frame(r);
			if (!f)
				return set_error(r, lno, "too many frames", SLICE_NULL);
			f->func = fn;
			if (args.len == 3 && !memcmp(args.ptr, "...", 3))
				f->flags = FRAME_INLINED;
			pending = f;
			q = next;
		}
	}
	r->ended_at_eof = ends_at_eof;
	r->pos = q;
	r->line = lno;
	return emit(r, &g);

consumed: /* truncated: drop the partial record */
	r->pos = r->end;
	r->line = lno;
	return ST_OK;
}

/* "#\t0xPC\tFUNC+0xOFF\tFILE:LINE" (tabwriter may pad with more tabs), or "#\t0xPC". */
static bool parse_profile_frame(struct slice s, struct frame *f)
{
	const char *t;
	ssize_t plus;
	uint64_t v;

	s = skip(s, 2);
	t = memchr(s.ptr, '\t', s.len);
	if (!parse_hex0x(slice_from(s.ptr, t ? (size_t)(t - s.ptr) : s.len), UINT64_MAX, &f->pc))
		return false;
	if (!t)
		return true;
	s = skip(s, (size_t)(t - s.ptr));
	while (s.len && (s.ptr[0] == '\t' || s.ptr[0] == ' '))
		s = skip(s, 1);
	t = memchr(s.ptr, '\t', s.len);
	f->func = slice_from(s.ptr, t ? (size_t)(t - s.ptr) : s.len);
	plus = last_index(f->func, '+');
	if (plus > 0 && parse_hex0x(skip(f->func, (size_t)plus + 1), UINT32_MAX, &v)) {
		f->offset = (uint32_t)v;
		f->func.len = (size_t)plus;
	}
	if (!t)
		return f->func.len > 0;
	s = skip(s, (size_t)(t - s.ptr));
	while (s.len && (s.ptr[0] == '\t' || s.ptr[0] == ' '))
		s = skip(s, 1);
	plus = last_index(s, ':');
	if (plus <= 0 || !parse_dec(skip(s, (size_t)plus + 1), UINT32_MAX, &v))
		return false;
	f->file = slice_from(s.ptr, (size_t)plus);
	f->line = (uint32_t)v;
	return f->func.len > 0;
}

/* "COUNT @ 0x.. 0x..": the first line of a debug=1 record. */
static bool is_profile_record(struct slice line, uint64_t *count)
{
	const char *at = memchr(line.ptr, ' ', line.len);

	if (!at || (size_t)(line.ptr + line.len - at) < 2 || at[1] != '@')
		return false;
	return parse_dec(slice_from(line.ptr, (size_t)(at - line.ptr)), UINT64_MAX, count);
}

/* The first PC of a "COUNT @ 0x.. 0x.." line, or 0. */
static uint64_t first_record_pc(struct slice line)
{
	const char *at = memchr(line.ptr, '@', line.len);
	struct slice rest;
	const char *sp;
	uint64_t pc = 0;

	if (!at || (size_t)(line.ptr + line.len - at) < 3)
		return 0;
	rest = slice_from(at + 2, (size_t)(line.ptr + line.len - at - 2));
	sp = memchr(rest.ptr, ' ', rest.len);
	if (sp)
		rest.len = (size_t)(sp - rest.ptr);
	return parse_hex0x(rest, UINT64_MAX, &pc) ? pc : 0;
}

/* Parses the debug=1 record at r->pos: count line, optional labels, frames, blank line. */
static int parse_profile_record(struct text_reader *r)
{
	struct goroutine g = {0};
	uint64_t lno = r->line + 1, first_pc;
	size_t q = r->pos, next = 0;
	struct slice line;
	int k;

	k = line_at(r, q, &line, &next);
	if (k == LINE_MORE)
		return ST_MORE;
	if (!is_profile_record(line, &g.count))
		return set_error(r, lno, "malformed profile record", line);
	g.input_line = lno;
	first_pc = first_record_pc(line);
	if (k == LINE_PARTIAL) {
		set_truncated(r, "input ends inside a profile record", lno);
		goto consumed;
	}
	q = next;
	r->nframes = 0;
	for (;;) {
		k = line_at(r, q, &line, &next);
		if (k == LINE_MORE)
			return ST_MORE;
		if (k == LINE_EOF) {
			set_truncated(r, "input ends inside a profile record", lno);
			goto consumed;
		}
		lno++;
		if (k == LINE_PARTIAL) {
			set_truncated(r, "input ends inside a profile record (no final newline)",
				      lno);
			goto consumed;
		}
		q = next;
		if (!line.len)
			break;
		if (HAS_PREFIX(line, "# labels: {") && HAS_SUFFIX(line, "}") && !r->nframes) {
			g.labels = slice_from(line.ptr + 11, line.len - 12);
		} else if (HAS_PREFIX(line, "#\t")) {
			struct frame *f = push_frame(r);
			if (!f)
				return set_error(r, lno, "too many frames", SLICE_NULL);
			if (!parse_profile_frame(line, f))
				return set_error(r, lno, "malformed profile frame", line);
		} else {
			return set_error(r, lno, "unexpected line in a profile record", line);
		}
	}
	/* debug=1 hides leading runtime frames: the first "@" PC (a return address) is
	 * then not the first printed frame's (which Go prints as PC-1). */
	if (first_pc && r->nframes && r->frames[0].pc && first_pc - 1 != r->frames[0].pc &&
	    first_pc != r->frames[0].pc)
		g.flags |= G_RUNTIME_HIDDEN;
	/* Every record of the goroutineleak profile is a leaked goroutine. */
	if (!strcmp(r->info->profile_name, "goroutineleak"))
		g.flags |= G_LEAKED;
	/* debug=1 hides leading runtime frames: the first "@" PC (a return address) is
	 * then not the first printed frame's (which Go prints as PC-1). */
	if (first_pc && r->nframes && r->frames[0].pc && first_pc - 1 != r->frames[0].pc &&
	    first_pc != r->frames[0].pc)
		g.flags |= G_RUNTIME_HIDDEN;
	r->pos = q;
	r->line = lno;
	return emit(r, &g);

consumed:
	r->pos = r->end;
	r->line = lno;
	return ST_OK;
}

static enum panic_kind classify_panic(struct slice msg, bool fatal)
{
	/* Go marks re-raised panics: "X [recovered]", "X [recovered, repanicked]" (1.25+). */
	if (HAS_SUFFIX(msg, " [recovered]"))
		msg.len -= sizeof(" [recovered]") - 1;
	else if (HAS_SUFFIX(msg, " [recovered, repanicked]"))
		msg.len -= sizeof(" [recovered, repanicked]") - 1;
	if (fatal)
		return slice_eq_cstr(msg, "all goroutines are asleep - deadlock!")
			   ? PANIC_DEADLOCK
			   : PANIC_FATAL_OTHER;
	if (slice_eq_cstr(msg, "send on closed channel"))
		return PANIC_SEND_ON_CLOSED;
	if (slice_eq_cstr(msg, "close of closed channel"))
		return PANIC_CLOSE_OF_CLOSED;
	if (slice_eq_cstr(msg, "close of nil channel"))
		return PANIC_CLOSE_OF_NIL;
	if (HAS_PREFIX(msg, "test timed out after "))
		return PANIC_TEST_TIMEOUT;
	return PANIC_OTHER;
}

/* A line outside any record: a panic, a profile header, or text to skip. */
static int top_line(struct text_reader *r, struct slice line)
{
	struct panic_report p = {.input_line = r->line + 1};
	struct slice s = line;
	bool fatal = false;
	uint64_t total;

	if (s.len && s.ptr[0] == '\t') /* nested "\tpanic: ..." of a re-raised panic */
		s = skip(s, 1);
	if (HAS_PREFIX(s, "panic: ")) {
		p.message = skip(s, 7);
	} else if (HAS_PREFIX(line, "fatal error: ")) {
		p.message = skip(s, 13);
		fatal = true;
	} else {
		struct slice name = SLICE_NULL;
		if (HAS_PREFIX(line, "goroutine profile: total "))
			name = slice_from(line.ptr, 9);
		else if (HAS_PREFIX(line, "goroutineleak profile: total "))
			name = slice_from(line.ptr, 13);
		if (name.len && parse_dec(skip(line, name.len + 16), UINT64_MAX, &total) &&
		    !r->info->records) {
			r->debug1 = true;
			r->seen_dump = true;
			r->info->format = DUMP_FORMAT_DEBUG1;
			memcpy(r->info->profile_name, name.ptr, name.len);
			r->info->profile_name[name.len] = '\0';
			r->info->declared_total = total;
		}
		return ST_OK;
	}
	p.kind = classify_panic(p.message, fatal);
	if (r->sink->panic) {
		int ret = r->sink->panic(r->sink->ctx, &p);
		if (ret < 0) {
			r->sink_ret = ret;
			return ST_SINK;
		}
	}
	return ST_OK;
}

/* Whether a last line without newline is the start of a goroutine header cut short. */
static bool cut_header(const struct text_reader *r, struct slice line)
{
	if (HAS_PREFIX(line, "goroutine "))
		return line.len > 10 && line.ptr[10] >= '0' && line.ptr[10] <= '9';
	return (r->seen_dump && line.len < 10 && !memcmp(line.ptr, "goroutine ", line.len)) ||
	       (r->seen_dump && r->total == GO_DEBUG2_CAP);
}

static int read_all(struct text_reader *r)
{
	for (;;) {
		struct slice line;
		size_t next;
		uint64_t count;
		int k = line_at(r, r->pos, &line, &next), rc;

		if (k == LINE_MORE) {
			rc = fill(r);
			if (rc < 0)
				return ST_ERR;
			continue;
		}
		if (k == LINE_EOF)
			return ST_OK;
		release_mapped(r);
		if (is_header(line)) {
			r->debug1 = false;
			rc = parse_goroutine(r);
		} else if (r->debug1 && line.len && line.ptr[0] >= '0' && line.ptr[0] <= '9' &&
			   is_profile_record(line, &count)) {
			rc = parse_profile_record(r);
		} else if (k == LINE_PARTIAL && cut_header(r, line)) {
			r->seen_dump = true;
			set_truncated(r, "input ends inside a goroutine header", r->line + 1);
			r->pos = next;
			r->line++;
			rc = ST_OK;
		} else {
			rc = top_line(r, line);
			r->pos = next;
			r->line++;
		}
		if (rc == ST_MORE) {
			rc = fill(r);
			if (rc < 0)
				return ST_ERR;
			continue;
		}
		if (rc)
			return rc;
	}
}

/* A small regular file gets a buffer its size; anything else TEXT_BUF_INIT. */
static size_t initial_cap(const struct input *in)
{
	struct stat st;

	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size < TEXT_BUF_INIT - 4096)
		return (size_t)st.st_size + 4096;
	return TEXT_BUF_INIT;
}

int dump_read_text(struct input *in, const struct dump_sink *sink, struct dump_info *info,
		   struct cw_error *err)
{
	struct text_reader r = {.in = in, .sink = sink, .info = info, .err = err};
	int rc;

	memset(info, 0, sizeof(*info));
	if (!map_input(&r)) {
		r.cap = initial_cap(in);
		r.buf = malloc(r.cap);
	}
	if (!r.buf) {
		rc = cw_error_set(err, "out of memory");
		goto cleanup;
	}
	rc = read_all(&r);
	info->bytes = r.total;
	info->lines = r.line;
	if (rc == ST_SINK) {
		rc = r.sink_ret;
		goto cleanup;
	}
	if (rc)
		goto cleanup;
	if (!r.seen_dump) {
		rc = cw_error_set(err, "line %llu: no goroutine dump or profile found",
				  (unsigned long long)(r.line ? r.line : 1));
		goto cleanup;
	}
	if (!info->truncated && r.ended_at_eof && r.total == GO_DEBUG2_CAP) {
		info->truncated = true;
		snprintf(info->truncated_why, sizeof(info->truncated_why),
			 "input is exactly 64 MiB, where Go cuts debug=2 dumps");
	}
cleanup:
	free(r.frames);
	if (r.mapped)
		munmap(r.buf, r.cap);
	else
		free(r.buf);
	return rc < 0 ? rc : 0;
}
