// SPDX-License-Identifier: MIT
// Goroutines written back as a Go debug=2 dump.
#include <inttypes.h>

#include "output/goroutine_text.h"
#include "lib/banned.h"

#define INNER_FRAMES 50 /* frames Go prints before "...N frames elided..." */

static void write_frame(FILE *out, const struct frame *f, bool creator, uint64_t creator_id)
{
	if (creator) {
		fprintf(out, "created by %.*s", (int)f->func.len, f->func.ptr);
		if (creator_id)
			fprintf(out, " in goroutine %" PRIu64, creator_id);
		fputc('\n', out);
	} else {
		fprintf(out, "%.*s(%s)\n", (int)f->func.len, f->func.ptr,
			f->flags & FRAME_INLINED ? "..." : "");
	}
	if (!f->file.len)
		return;
	fprintf(out, "\t%.*s:%" PRIu32, (int)f->file.len, f->file.ptr, f->line);
	if (!(f->flags & FRAME_INLINED))
		fprintf(out, " +0x%" PRIx32, f->offset);
	fputc('\n', out);
}

void goroutine_text_write(FILE *out, const struct goroutine *g)
{
	fprintf(out, "goroutine %" PRIu64 " [%.*s", g->id, (int)g->status.len, g->status.ptr);
	if (g->flags & G_LEAKED)
		fputs(" (leaked)", out);
	if (g->flags & G_SCAN)
		fputs(" (scan)", out);
	if (g->flags & G_DURABLE)
		fputs(" (durable)", out);
	if (g->flags & G_HAS_MINUTES)
		fprintf(out, ", %" PRIu32 " minutes", g->wait_minutes);
	if (g->flags & G_LOCKED)
		fputs(", locked to thread", out);
	fputs("]:\n", out);
	/* Go 1.21+ elides the middle of a deep stack: 50 frames, "...N frames elided...", 50 */
	uint32_t elide_at = g->frames_elided && g->frames_elided != FRAMES_ELIDED_UNKNOWN &&
				    g->nframes > INNER_FRAMES
				? INNER_FRAMES
				: UINT32_MAX;
	for (uint32_t i = 0; i < g->nframes; i++) {
		if (i == elide_at)
			fprintf(out, "...%" PRIu32 " frames elided...\n", g->frames_elided);
		if (g->frames[i].flags & FRAME_UNAVAILABLE)
			fputs("\tgoroutine running on other thread; stack unavailable\n", out);
		else
			write_frame(out, &g->frames[i], false, 0);
	}
	if (g->frames_elided == FRAMES_ELIDED_UNKNOWN)
		fputs("...additional frames elided...\n", out);
	if (g->created_by.func.len)
		write_frame(out, &g->created_by, true, g->creator_id);
	fputc('\n', out);
}
