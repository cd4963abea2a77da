// SPDX-License-Identifier: MIT
// chanwatch heap as an aligned human-readable table.
#include "output/heap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

#define NCOLS_MAX 6
#define CELL	  32

static void human_bytes(char *buf, size_t n, int64_t v)
{
	const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)(v < 0 ? -v : v);
	unsigned u = 0;

	while (d >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%s%" PRId64 " B", v < 0 ? "-" : "", v < 0 ? -v : v);
	else
		snprintf(buf, n, "%s%.1f %s", v < 0 ? "-" : "", d, units[u]);
}

static void signed_count(char *buf, size_t n, int64_t v)
{
	snprintf(buf, n, "%+" PRId64, v);
}

static void signed_bytes(char *buf, size_t n, int64_t v)
{
	if (v >= 0 && n > 1) {
		buf[0] = '+';
		human_bytes(buf + 1, n - 1, v);
	} else {
		human_bytes(buf, n, v);
	}
}

static size_t row_cells(const struct heapchan_result *res, const struct heapchan_counts *now,
			const struct heapchan_counts *delta, char cells[][CELL])
{
	size_t n = 0;

	snprintf(cells[n++], CELL, "%" PRId64, now->inuse_objects);
	if (res->has_base)
		signed_count(cells[n++], CELL, delta->inuse_objects);
	human_bytes(cells[n++], CELL, now->inuse_bytes);
	if (res->has_base)
		signed_bytes(cells[n++], CELL, delta->inuse_bytes);
	snprintf(cells[n++], CELL, "%" PRId64, now->alloc_objects);
	human_bytes(cells[n++], CELL, now->alloc_bytes);
	return n;
}

void heap_write_text(const struct heapchan_result *res, FILE *out)
{
	static const char *const head1[] = {"INUSE-OBJS", "INUSE-BYTES", "ALLOC-OBJS",
					    "ALLOC-BYTES"};
	static const char *const head2[] = {"INUSE-OBJS", "+OBJS",	"INUSE-BYTES",
					    "+BYTES",	  "ALLOC-OBJS", "ALLOC-BYTES"};
	const char *const *head = res->has_base ? head2 : head1;
	size_t ncols = res->has_base ? 6 : 4, width[NCOLS_MAX];
	char cells[NCOLS_MAX][CELL], hb[CELL], cb[CELL];

	human_bytes(cb, sizeof(cb), res->total_now.inuse_bytes);
	human_bytes(hb, sizeof(hb), res->heap_now.inuse_bytes);
	fprintf(out,
		"%zu channel allocation site%s in %s: %" PRId64 " in-use objects (%s) of %" PRId64
		" in the heap (%s)",
		res->nsites_found, res->nsites_found == 1 ? "" : "s",
		res->input_now ? res->input_now : "the profile", res->total_now.inuse_objects, cb,
		res->heap_now.inuse_objects, hb);
	if (res->has_base) {
		struct heapchan_counts d = {
		    .inuse_objects = res->total_now.inuse_objects - res->total_base.inuse_objects,
		    .inuse_bytes = res->total_now.inuse_bytes - res->total_base.inuse_bytes,
		};
		signed_bytes(cb, sizeof(cb), d.inuse_bytes);
		fprintf(out, "; since %s: %+" PRId64 " objects (%s)",
			res->input_base ? res->input_base : "the base", d.inuse_objects, cb);
	}
	fputc('\n', out);
	if (res->nsites < res->nsites_found)
		fprintf(out, "showing %zu of them\n", res->nsites);
	if (!res->nsites)
		return;
	fputc('\n', out);
	for (size_t c = 0; c < ncols; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < res->nsites; i++) {
		row_cells(res, &res->sites[i].now, &res->sites[i].delta, cells);
		for (size_t c = 0; c < ncols; c++)
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
	}
	for (size_t c = 0; c < ncols; c++)
		fprintf(out, "%*s  ", (int)width[c], head[c]);
	fputs("SITE\n", out);
	for (size_t i = 0; i < res->nsites; i++) {
		const struct heapchan_site *s = &res->sites[i];

		row_cells(res, &s->now, &s->delta, cells);
		for (size_t c = 0; c < ncols; c++)
			fprintf(out, "%*s  ", (int)width[c], cells[c]);
		fprintf(out, "%s %s:%u", s->func, s->file, s->line);
		if (s->evidence == HEAPCHAN_EVIDENCE_STACK)
			fprintf(out, " (%s)", s->via);
		fputc('\n', out);
	}
}
