// SPDX-License-Identifier: MIT
// Goroutines written back as a Go debug=2 dump.
#define _GNU_SOURCE /* fputs_unlocked */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "output/goroutine_text.h"
#include "lib/grow.h"
#include "lib/banned.h"

#define INNER_FRAMES 50 /* frames Go prints before "...N frames elided..." */

/*
 * One goroutine is formatted into a buffer on the stack and handed to stdio in one call:
 * this writer runs once per goroutine of dumps a million long, where forty small fwrites a
 * goroutine cost more than the formatting itself. A buffer without a FILE fills a cache's
 * text instead (a shared stack, formatted once).
 */
struct text_buf {
	FILE *out;			   /* where the bytes go, or NULL: */
	struct goroutine_text_cache *keep; /* appended to its text */
	size_t len;
	char buf[8192];
};

/* Bytes of formatted stacks a cache keeps at most; past them stacks are formatted each time. */
#define CACHE_MAX_TEXT (64u << 20)

struct goroutine_text_cache {
	struct cached_stack {
		size_t off; /* in text */
		size_t len;
		bool have;
	} * stacks; /* by stack_id */
	size_t nstacks, stacks_alloc;
	char *text;
	size_t len, alloc;
	bool full; /* an append would pass CACHE_MAX_TEXT: the stack being kept is dropped */
};

static void cache_append(struct goroutine_text_cache *c, const char *s, size_t n)
{
	if (c->full || n > CACHE_MAX_TEXT - c->len) {
		c->full = true;
		return;
	}
	c->text = grow_array(c->text, &c->alloc, c->len + n, 1);
	memcpy(c->text + c->len, s, n);
	c->len += n;
}

static void tb_write(struct text_buf *t, const char *s, size_t n)
{
	if (t->out)
		fwrite_unlocked(s, 1, n, t->out);
	else
		cache_append(t->keep, s, n);
}

static void tb_flush(struct text_buf *t)
{
	tb_write(t, t->buf, t->len);
	t->len = 0;
}

static void tb_put(struct text_buf *t, const char *s, size_t n)
{
	if (n > sizeof(t->buf) - t->len) {
		tb_flush(t);
		if (n > sizeof(t->buf)) {
			tb_write(t, s, n);
			return;
		}
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

#define TB_LIT(t, lit) tb_put((t), (lit), sizeof(lit) - 1)

static void tb_char(struct text_buf *t, char c)
{
	if (t->len == sizeof(t->buf))
		tb_flush(t);
	t->buf[t->len++] = c;
}

static void put_dec(struct text_buf *t, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	tb_put(t, p, (size_t)(buf + sizeof(buf) - p));
}

static void put_hex(struct text_buf *t, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	tb_put(t, p, (size_t)(buf + sizeof(buf) - p));
}

static void put_slice(struct text_buf *t, struct slice s)
{
	tb_put(t, s.ptr, s.len);
}

static void write_frame(struct text_buf *t, const struct frame *f, bool creator,
			uint64_t creator_id)
{
	if (creator) {
		TB_LIT(t, "created by ");
		put_slice(t, f->func);
		if (creator_id) {
			TB_LIT(t, " in goroutine ");
			put_dec(t, creator_id);
		}
		tb_char(t, '\n');
	} else {
		put_slice(t, f->func);
		if (f->flags & FRAME_INLINED)
			TB_LIT(t, "(...)\n");
		else
			TB_LIT(t, "()\n");
	}
	if (!f->file.len)
		return;
	tb_char(t, '\t');
	put_slice(t, f->file);
	tb_char(t, ':');
	put_dec(t, f->line);
	if (!(f->flags & FRAME_INLINED)) {
		TB_LIT(t, " +0x");
		put_hex(t, f->offset);
	}
	tb_char(t, '\n');
}

/* g's frames, "...N frames elided..." included; not its creator. */
static void write_frames(struct text_buf *t, const struct goroutine *g)
{
	/* Go 1.21+ elides the middle of a deep stack: 50 frames, "...N frames elided...", 50 */
	uint32_t elide_at = g->frames_elided && g->frames_elided != FRAMES_ELIDED_UNKNOWN &&
				    g->nframes > INNER_FRAMES
				? INNER_FRAMES
				: UINT32_MAX;
	for (uint32_t i = 0; i < g->nframes; i++) {
		if (i == elide_at) {
			TB_LIT(t, "...");
			put_dec(t, g->frames_elided);
			TB_LIT(t, " frames elided...\n");
		}
		if (g->frames[i].flags & FRAME_UNAVAILABLE)
			TB_LIT(t, "\tgoroutine running on other thread; stack unavailable\n");
		else
			write_frame(t, &g->frames[i], false, 0);
	}
	if (g->frames_elided == FRAMES_ELIDED_UNKNOWN)
		TB_LIT(t, "...additional frames elided...\n");
}

/* g's frames from the cache, formatted into it the first time its stack_id is seen. */
static void write_frames_cached(struct text_buf *t, const struct goroutine *g,
				struct goroutine_text_cache *c)
{
	struct cached_stack *cs;

	if (g->stack_id >= c->nstacks) {
		c->stacks = grow_array(c->stacks, &c->stacks_alloc, (size_t)g->stack_id + 1,
				       sizeof(*c->stacks));
		memset(c->stacks + c->nstacks, 0,
		       ((size_t)g->stack_id + 1 - c->nstacks) * sizeof(*c->stacks));
		c->nstacks = (size_t)g->stack_id + 1;
	}
	cs = &c->stacks[g->stack_id];
	if (!cs->have && !c->full) {
		struct text_buf keep = {.out = NULL, .keep = c};
		size_t start = c->len;
		write_frames(&keep, g);
		tb_flush(&keep);
		if (c->full)
			c->len = start;
		else
			*cs = (struct cached_stack){start, c->len - start, true};
	}
	if (cs->have)
		tb_put(t, c->text + cs->off, cs->len);
	else
		write_frames(t, g);
}

void goroutine_text_write(FILE *out, const struct goroutine *g, struct goroutine_text_cache *cache)
{
	struct text_buf tb, *t = &tb;

	t->out = out;
	t->keep = NULL;
	t->len = 0;
	TB_LIT(t, "goroutine ");
	put_dec(t, g->id);
	TB_LIT(t, " [");
	put_slice(t, g->status);
	if (g->flags & G_LEAKED)
		TB_LIT(t, " (leaked)");
	if (g->flags & G_SCAN)
		TB_LIT(t, " (scan)");
	if (g->flags & G_DURABLE)
		TB_LIT(t, " (durable)");
	if (g->flags & G_HAS_MINUTES) {
		TB_LIT(t, ", ");
		put_dec(t, g->wait_minutes);
		TB_LIT(t, " minutes");
	}
	if (g->flags & G_LOCKED)
		TB_LIT(t, ", locked to thread");
	TB_LIT(t, "]:\n");
	if (cache && g->stack_id)
		write_frames_cached(t, g, cache);
	else
		write_frames(t, g);
	if (g->created_by.func.len)
		write_frame(t, &g->created_by, true, g->creator_id);
	tb_char(t, '\n');
	tb_flush(t);
}

struct goroutine_text_cache *goroutine_text_cache_new(void)
{
	return calloc(1, sizeof(struct goroutine_text_cache));
}

void goroutine_text_cache_free(struct goroutine_text_cache *cache)
{
	if (!cache)
		return;
	free(cache->stacks);
	free(cache->text);
	free(cache);
}
