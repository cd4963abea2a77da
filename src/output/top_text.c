// SPDX-License-Identifier: MIT
// `chanwatch top`: one frame of the live view of blocked sites.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/top_text.h"
#include "lib/banned.h"

/* The same site in prev (class, function, file and line), or NULL. */
static const struct group *same_site(const struct analysis *prev, const struct group *g)
{
	if (!prev)
		return NULL;
	for (size_t i = 0; i < prev->ngroups; i++) {
		const struct group *p = &prev->groups[i];
		if (p->class == g->class && p->site.line == g->site.line &&
		    !strcmp(p->site.func, g->site.func) && !strcmp(p->site.file, g->site.file))
			return p;
	}
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

void top_text_frame(FILE *out, const struct analysis *an, const struct analysis *prev,
		    const struct top_frame *f)
{
	const char *bold = f->color ? "\033[1m" : "", *red = f->color ? "\033[31m" : "",
		   *green = f->color ? "\033[32m" : "", *reset = f->color ? "\033[0m" : "";
	size_t *order, n = 0;
	char line[1024];

	if (f->clear)
		fputs("\033[H\033[2J", out);
	fprintf(out, "%s%s%s  snapshot %.1f ms", bold, f->title, reset, f->snapshot_ms);
	if (f->interval_s > 0)
		fprintf(out, ", every %.1f s", f->interval_s);
	fputc('\n', out);
	fprintf(out, "%" PRIu64 " goroutines", an->goroutines);
	if (prev)
		fprintf(out, " (%+" PRId64 ")", (int64_t)(an->goroutines - prev->goroutines));
	fprintf(out, ", %" PRIu64 " channel%s waited on, %zu leak suspect%s\n", f->channels,
		f->channels == 1 ? "" : "s", an->nsuspects, an->nsuspects == 1 ? "" : "s");
	for (int c = 0, shown = 0; c < BLOCK__COUNT; c++) {
		if (!an->class_counts[c])
			continue;
		fprintf(out, "%s%s %" PRIu64, shown++ ? ", " : "  ", block_class_name(c),
			an->class_counts[c]);
	}
	fprintf(out, "\n\n%s%10s %8s  %-16s %5s  %s%s\n", bold, "GOROUTINES", "CHANGE", "CLASS",
		"MIN", "SITE", reset);
	/* suspects come first in the analysis; the view orders every site by count */
	order = calloc(an->ngroups ? an->ngroups : 1, sizeof(*order));
	if (!order)
		return;
	for (size_t i = 0; i < an->ngroups; i++) {
		size_t k = n++;
		while (k && an->groups[order[k - 1]].count < an->groups[i].count) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	for (size_t r = 0; r < n && r < f->rows; r++) {
		const struct group *g = &an->groups[order[r]];
		const struct group *p = same_site(prev, g);
		int64_t d = (int64_t)g->count - (int64_t)(p ? p->count : 0);
		char change[24] = "", minutes[16] = "";
		int len;
		if (prev && d)
			snprintf(change, sizeof(change), "%+" PRId64, d);
		if (g->with_minutes)
			snprintf(minutes, sizeof(minutes), "%" PRIu32, g->max_minutes);
		len = snprintf(
		    line, sizeof(line), "%c%9" PRIu64 " %s%8s%s  %-16s %5s  %s  %s:%" PRIu32,
		    order[r] < an->nsuspects ? '*' : ' ', g->count, d > 0 ? red : green, change,
		    reset, block_class_name(g->class), minutes,
		    g->site.func[0] ? g->site.func : "?", base_name(g->site.file), g->site.line);
		if (len < 0)
			continue;
		/* cut at the terminal's width, counting only what is shown (not colour codes) */
		if (f->width &&
		    (size_t)len > f->width + strlen(d > 0 ? red : green) + strlen(reset))
			line[f->width + strlen(d > 0 ? red : green) + strlen(reset)] = '\0';
		fprintf(out, "%s\n", line);
	}
	if (n > f->rows)
		fprintf(out, "  ... %zu more sites\n", n - f->rows);
	free(order);
}
