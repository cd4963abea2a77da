// SPDX-License-Identifier: MIT
// Goroutines written back as a Go debug=2 dump.
#define _GNU_SOURCE /* fputs_unlocked */
#include <inttypes.h>

#include "output/goroutine_text.h"
#include "lib/banned.h"

#define INNER_FRAMES 50 /* frames Go prints before "...N frames elided..." */

/* Numbers without printf: this writer runs once per goroutine of dumps a million long. */
static void put_dec(FILE *out, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), out);
}

static void put_hex(FILE *out, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), out);
}

static void put_slice(FILE *out, struct slice s)
{
	fwrite_unlocked(s.ptr, 1, s.len, out);
}

static void write_frame(FILE *out, const struct frame *f, bool creator, uint64_t creator_id)
{
	if (creator) {
		fputs_unlocked("created by ", out);
		put_slice(out, f->func);
		if (creator_id) {
			fputs_unlocked(" in goroutine ", out);
			put_dec(out, creator_id);
		}
		putc_unlocked('\n', out);
	} else {
		put_slice(out, f->func);
		fputs_unlocked(f->flags & FRAME_INLINED ? "(...)\n" : "()\n", out);
	}
	if (!f->file.len)
		return;
	putc_unlocked('\t', out);
	put_slice(out, f->file);
	putc_unlocked(':', out);
	put_dec(out, f->line);
	if (!(f->flags & FRAME_INLINED)) {
		fputs_unlocked(" +0x", out);
		put_hex(out, f->offset);
	}
	putc_unlocked('\n', out);
}

void goroutine_text_write(FILE *out, const struct goroutine *g)
{
	fputs_unlocked("goroutine ", out);
	put_dec(out, g->id);
	fputs_unlocked(" [", out);
	put_slice(out, g->status);
	if (g->flags & G_LEAKED)
		fputs_unlocked(" (leaked)", out);
	if (g->flags & G_SCAN)
		fputs_unlocked(" (scan)", out);
	if (g->flags & G_DURABLE)
		fputs_unlocked(" (durable)", out);
	if (g->flags & G_HAS_MINUTES)
		fprintf(out, ", %" PRIu32 " minutes", g->wait_minutes);
	if (g->flags & G_LOCKED)
		fputs_unlocked(", locked to thread", out);
	fputs_unlocked("]:\n", out);
	/* Go 1.21+ elides the middle of a deep stack: 50 frames, "...N frames elided...", 50 */
	uint32_t elide_at = g->frames_elided && g->frames_elided != FRAMES_ELIDED_UNKNOWN &&
				    g->nframes > INNER_FRAMES
				? INNER_FRAMES
				: UINT32_MAX;
	for (uint32_t i = 0; i < g->nframes; i++) {
		if (i == elide_at)
			fprintf(out, "...%" PRIu32 " frames elided...\n", g->frames_elided);
		if (g->frames[i].flags & FRAME_UNAVAILABLE)
			fputs_unlocked("\tgoroutine running on other thread; stack unavailable\n",
				       out);
		else
			write_frame(out, &g->frames[i], false, 0);
	}
	if (g->frames_elided == FRAMES_ELIDED_UNKNOWN)
		fputs_unlocked("...additional frames elided...\n", out);
	if (g->created_by.func.len)
		write_frame(out, &g->created_by, true, g->creator_id);
	fputc_unlocked('\n', out);
}
