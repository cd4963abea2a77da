// SPDX-License-Identifier: MIT
// Goroutines written back as a Go debug=2 dump.
#define _GNU_SOURCE /* fputs_unlocked */
#include <inttypes.h>
#include <string.h>

#include "output/goroutine_text.h"
#include "lib/banned.h"

#define INNER_FRAMES 50 /* frames Go prints before "...N frames elided..." */

/*
 * One goroutine is formatted into a buffer on the stack and handed to stdio in one call:
 * this writer runs once per goroutine of dumps a million long, where forty small fwrites a
 * goroutine cost more than the formatting itself.
 */
struct text_buf {
	FILE *out;
	size_t len;
	char buf[8192];
};

static void tb_flush(struct text_buf *t)
{
	fwrite_unlocked(t->buf, 1, t->len, t->out);
	t->len = 0;
}

static void tb_put(struct text_buf *t, const char *s, size_t n)
{
	if (n > sizeof(t->buf) - t->len) {
		tb_flush(t);
		if (n > sizeof(t->buf)) {
			fwrite_unlocked(s, 1, n, t->out);
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

void goroutine_text_write(FILE *out, const struct goroutine *g)
{
	struct text_buf tb, *t = &tb;

	t->out = out;
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
	if (g->created_by.func.len)
		write_frame(t, &g->created_by, true, g->creator_id);
	tb_char(t, '\n');
	tb_flush(t);
}
