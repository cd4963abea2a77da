// SPDX-License-Identifier: MIT
// chanwatch lint as go vet prints: "file:line:col: message (CWnnn)", one finding a line.
#include "output/lint_text.h"

#include <inttypes.h>

#include "lib/banned.h"

#define BOLD  "\033[1m"
#define DIM   "\033[2m"
#define RESET "\033[0m"

/* Writes s with control bytes (and DEL) as '?': one finding stays one line, no escapes. */
static void put_clean(FILE *out, const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
}

static void put_finding(FILE *out, const struct lint_finding *f, bool color)
{
	if (color)
		fputs(BOLD, out);
	put_clean(out, f->pos.file ? f->pos.file : "-");
	fprintf(out, ":%" PRIu32 ":%" PRIu32 ":", f->pos.line, f->pos.col);
	if (color)
		fputs(RESET, out);
	fputc(' ', out);
	put_clean(out, f->message);
	fputs(" (", out);
	if (color)
		fputs(DIM, out);
	put_clean(out, f->rule);
	if (color)
		fputs(RESET, out);
	fputs(")\n", out);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void lint_write_summary(const struct lint_result *r, FILE *out)
{
	fprintf(out, "chanwatch lint: %zu %s in %zu %s (%zu %s), %" PRIu64 " %s", r->nfindings,
		plural(r->nfindings, "finding", "findings"), r->files,
		plural(r->files, "file", "files"), r->packages,
		plural(r->packages, "package", "packages"), r->bytes,
		plural(r->bytes, "byte", "bytes"));
	if (r->parse_errors)
		fprintf(out, "; %zu %s syntax errors", r->parse_errors,
			plural(r->parse_errors, "file has", "files have"));
	fputc('\n', out);
}

void lint_write_text(const struct lint_result *r, FILE *out, FILE *summary_out,
		     const struct lint_text_options *opt)
{
	bool color = opt && opt->color;

	for (size_t i = 0; i < r->nfindings; i++)
		put_finding(out, &r->findings[i], color);
	if (opt && opt->summary && summary_out)
		lint_write_summary(r, summary_out);
}
