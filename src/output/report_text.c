// SPDX-License-Identifier: MIT
// The human report of an analysis: concise, aligned, colour only when asked.
#include "output/report.h"

#include <inttypes.h>
#include <string.h>

#include "analyze/analyze.h"
#include "lib/banned.h"

const char report_minutes_note[] =
    "wait minutes come from the runtime's GC timestamps: they lag by up to one GC cycle, "
    "can be missing, and can overstate; --diff of two snapshots proves a goroutine stuck";

struct style {
	const char *bold, *red, *yellow, *dim, *cyan, *reset;
};

static const struct style plain = {"", "", "", "", "", ""};
static const struct style ansi = {"\033[1m", "\033[31m", "\033[33m",
				  "\033[2m", "\033[36m", "\033[0m"};

static const char *format_name(enum dump_format f)
{
	switch (f) {
	case DUMP_FORMAT_TEXT:
		return "text dump";
	case DUMP_FORMAT_DEBUG1:
		return "debug=1 profile";
	case DUMP_FORMAT_PROTO:
		return "profile.proto";
	case DUMP_FORMAT_TRACE:
		return "blocked on channels (eBPF trace)";
	case DUMP_FORMAT_LIVE:
		return "live process memory";
	case DUMP_FORMAT_UNKNOWN:
		break;
	}
	return "input";
}

/* "12,345" */
static const char *thousands(char *buf, size_t len, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void print_site(FILE *out, const struct site *s)
{
	if (s->file[0])
		fprintf(out, "%s:%u", s->file, s->line);
}

static void print_minutes(FILE *out, const struct group *g)
{
	if (!g->with_minutes)
		return;
	if (g->min_minutes == g->max_minutes)
		fprintf(out, ", waiting %u min", g->max_minutes);
	else
		fprintf(out, ", waiting %u-%u min", g->min_minutes, g->max_minutes);
	if (g->with_minutes < g->count)
		fprintf(out, " (%" PRIu64 " of them)", g->with_minutes);
}

static const char *reason_text(const struct analysis *an, const struct group *g, char *buf,
			       size_t len)
{
	switch (g->reason) {
	case SUSPECT_LEAKED:
		snprintf(buf, len, "proven leaked by Go's goroutineleak profile (%" PRIu64 ")",
			 g->leaked);
		break;
	case SUSPECT_FOREVER:
		snprintf(buf, len, "can never wake: %s", block_class_title(g->class));
		break;
	case SUSPECT_STUCK:
		snprintf(buf, len,
			 "%" PRIu64 " stuck at the same PC for >= %.0f s, site grew %" PRIu64
			 " -> %" PRIu64,
			 g->stuck, an->interval_seconds, g->old_count, g->count);
		break;
	case SUSPECT_THRESHOLD:
		if (an->min_minutes)
			snprintf(buf, len,
				 ">= %" PRIu64 " goroutines at one site, waiting >= %u min",
				 an->min_count, an->min_minutes);
		else
			snprintf(buf, len, ">= %" PRIu64 " goroutines at one site", an->min_count);
		break;
	case SUSPECT_DEADLOCK:
		snprintf(buf, len,
			 "the runtime found all goroutines asleep: this wait is permanent");
		break;
	case SUSPECT_TEST_TIMEOUT:
		snprintf(buf, len, "blocked in your code when the test timed out");
		break;
	case SUSPECT_TRACED:
		snprintf(buf, len, "traced: blocked on a channel for up to %.1f s",
			 (double)g->max_blocked_ns / 1e9);
		break;
	case SUSPECT_NONE:
		buf[0] = '\0';
		break;
	}
	return buf;
}

static bool is_trace(const struct analysis *an)
{
	return an->ninputs && an->inputs[0].info.format == DUMP_FORMAT_TRACE;
}

static void print_panics(FILE *out, const struct analysis *an, const struct style *st)
{
	for (size_t i = 0; i < an->npanics; i++) {
		const struct panic_info *p = &an->panics[i];
		bool fatal = p->kind == PANIC_DEADLOCK || p->kind == PANIC_FATAL_OTHER;
		fprintf(out, "%s%s%s: %s%s%s\n", st->bold, st->red,
			is_trace(an) ? "misuse"
			: fatal	     ? "fatal error"
				     : "panic",
			p->message, is_trace(an) ? " (caught before the runtime panicked)" : "",
			st->reset);
		if (p->has_goroutine) {
			fprintf(out, "  in goroutine %" PRIu64 " [%s]", p->goroutine_id, p->status);
			if (p->site.func[0]) {
				fprintf(out, " at %s%s%s ", st->bold, p->site.func, st->reset);
				print_site(out, &p->site);
			}
			fputc('\n', out);
		}
		if (p->has_chan) {
			fputs("  channel made at ", out);
			if (p->made_at.func[0]) {
				fprintf(out, "%s ", p->made_at.func);
				print_site(out, &p->made_at);
			} else {
				fputs("(before tracing started)", out);
			}
			if (p->closed_at.func[0]) {
				fprintf(out, ", closed at %s ", p->closed_at.func);
				print_site(out, &p->closed_at);
			}
			fputc('\n', out);
		}
	}
	if (an->npanics)
		fputc('\n', out);
}

static void print_stack(FILE *out, const struct group *g, size_t max, const struct style *st)
{
	uint32_t n = g->nstack;
	for (uint32_t i = 0; i < n && i < max; i++) {
		const struct frame *f = &g->stack[i];
		fprintf(out, "      %s%.*s%s", st->dim, (int)f->func.len, f->func.ptr, st->reset);
		if (f->file.len)
			fprintf(out, "  %.*s:%u", (int)f->file.len, f->file.ptr, f->line);
		fputc('\n', out);
	}
	if (n > max)
		fprintf(out, "      %s... %u more frames%s\n", st->dim, n - (uint32_t)max,
			st->reset);
	if (g->stack_elided == FRAMES_ELIDED_UNKNOWN)
		fprintf(out, "      %s(Go elided further frames)%s\n", st->dim, st->reset);
	else if (g->stack_elided)
		fprintf(out, "      %s(Go elided %u frames)%s\n", st->dim, g->stack_elided,
			st->reset);
}

static void print_suspect(FILE *out, const struct analysis *an, const struct group *g,
			  const struct report_options *opt, const struct style *st)
{
	char num[32], why[256];

	fprintf(out, "%s#%u%s  %s%s goroutine%s%s  %s%s", st->bold, g->rank, st->reset, st->red,
		thousands(num, sizeof(num), g->count), g->count == 1 ? "" : "s", st->reset,
		block_class_title(g->class), "");
	print_minutes(out, g);
	if (an->is_diff)
		fprintf(out, ", %+" PRId64 " since OLD", (int64_t)(g->count - g->old_count));
	fprintf(out, "\n    why         %s\n", reason_text(an, g, why, sizeof(why)));
	fprintf(out, "    blocked at  %s%s%s", st->bold, g->site.func[0] ? g->site.func : "?",
		st->reset);
	if (g->site.file[0]) {
		fputs("  ", out);
		print_site(out, &g->site);
	}
	fputc('\n', out);
	for (uint32_t i = 0; i < g->ncreators; i++) {
		const struct creator_count *c = &g->creators[i];
		fprintf(out, "    %s  ", i ? "          " : "created by");
		if (c->site.func[0]) {
			fprintf(out, "%s%s%s  ", st->cyan, c->site.func, st->reset);
			print_site(out, &c->site);
		} else {
			fputs(an->has_ids ? "(none: the main goroutine or the runtime)"
					  : "(debug=0/1 profiles do not record creators)",
			      out);
		}
		fprintf(out, "  (%s)\n", thousands(num, sizeof(num), c->count));
	}
	if (g->other_creators)
		fprintf(out, "                (%" PRIu64 " from other creators)\n",
			g->other_creators);
	for (uint32_t i = 0; i < g->nchans; i++) {
		const struct chan_site_count *c = &g->chans[i];
		if (c->addr) { /* seen in memory: its identity, not its make site */
			fprintf(out, "    %s  0x%" PRIx64 "  chan %s", i ? "       " : "channel",
				c->addr, c->elem[0] ? c->elem : "?");
			if (c->cap)
				fprintf(out, ", buffer %" PRIu64, c->cap);
			else
				fputs(", unbuffered", out);
			fprintf(out, "  (%s, %s)\n", thousands(num, sizeof(num), c->count),
				c->closed ? "closed" : "open");
			continue;
		}
		fprintf(out, "    %s  ", i ? "        " : "channel made");
		if (c->made_at.func[0]) {
			fprintf(out, "%s  ", c->made_at.func);
			print_site(out, &c->made_at);
		} else {
			fputs("(before tracing started)", out);
		}
		if (!c->closed)
			fprintf(out, "  (%s, never closed)\n",
				thousands(num, sizeof(num), c->count));
		else
			fprintf(out, "  (%s, %" PRIu64 " of them on closed channels)\n",
				thousands(num, sizeof(num), c->count), c->closed);
	}
	if (g->max_blocked_ns)
		fprintf(out, "    blocked     up to %.1f s\n", (double)g->max_blocked_ns / 1e9);
	if (g->nexample_ids) {
		fputs("    goroutines ", out);
		for (uint32_t i = 0; i < g->nexample_ids; i++)
			fprintf(out, " %" PRIu64, g->example_ids[i]);
		if (g->count > g->nexample_ids)
			fputs(" ...", out);
		fputc('\n', out);
	}
	if (g->labels)
		fprintf(out, "    labels      %s\n", g->labels);
	fputs("    stack\n", out);
	print_stack(out, g, opt->max_stack ? opt->max_stack : 12, st);
	fputc('\n', out);
}

/* Blocked sites that are not suspects; in --diff also those gone since OLD. */
static bool listed_other(const struct analysis *an, const struct group *g)
{
	return block_class_can_leak(g->class) && (g->count || (an->is_diff && g->old_count));
}

static void print_others(FILE *out, const struct analysis *an, const struct report_options *opt,
			 const struct style *st)
{
	size_t max = opt->max_others ? opt->max_others : 10, shown = 0, total = 0;
	char num[32];

	for (size_t i = an->nsuspects; i < an->ngroups; i++)
		if (listed_other(an, &an->groups[i]))
			total++;
	if (!total)
		return;
	fprintf(out, "%sother blocked sites%s (not suspects)\n", st->bold, st->reset);
	fprintf(out, "  %10s  %-16s  %s\n", "GOROUTINES", "CLASS", "SITE");
	for (size_t i = an->nsuspects; i < an->ngroups && shown < max; i++) {
		const struct group *g = &an->groups[i];
		if (!listed_other(an, g))
			continue;
		fprintf(out, "  %10s  %-16s  %s", thousands(num, sizeof(num), g->count),
			block_class_name(g->class), g->site.func);
		if (g->site.file[0])
			fprintf(out, "  %s%s:%u%s", st->dim, basename_of(g->site.file),
				g->site.line, st->reset);
		if (an->is_diff)
			fprintf(out, "  %+" PRId64, (int64_t)(g->count - g->old_count));
		if (g->std_site)
			fprintf(out, "  %s(std)%s", st->dim, st->reset);
		fputc('\n', out);
		shown++;
	}
	if (total > shown)
		fprintf(out, "  ... %zu more (see --json)\n", total - shown);
	fputc('\n', out);
}

void report_text(FILE *out, const struct analysis *an, const struct report_options *opt)
{
	static const struct report_options defaults;
	const struct style *st;
	char num[32];

	if (!opt)
		opt = &defaults;
	st = opt->color ? &ansi : &plain;

	for (size_t i = 0; i < an->ninputs; i++) {
		const struct input_summary *in = &an->inputs[i];
		fprintf(out, "%s%s%s: %s goroutines, %s", st->bold, in->name, st->reset,
			thousands(num, sizeof(num), in->info.goroutines),
			format_name(in->info.format));
		if (in->info.profile_name[0])
			fprintf(out, " (%s)", in->info.profile_name);
		fputc('\n', out);
		if (in->info.truncated)
			fprintf(out, "  %s%swarning: input is truncated: %s%s\n", st->bold,
				st->yellow, in->info.truncated_why, st->reset);
	}
	if (an->ignored)
		fprintf(out, "  %" PRIu64 " goroutines ignored by --ignore-* filters\n",
			an->ignored);
	fputs(an->goroutines ? "  " : "  no goroutines", out);
	for (int c = 0, first = 1; c < BLOCK__COUNT; c++) {
		if (!an->class_counts[c])
			continue;
		fprintf(out, "%s%s %s", first ? "" : ", ", block_class_name((enum block_class)c),
			thousands(num, sizeof(num), an->class_counts[c]));
		first = 0;
	}
	fputs("\n", out);
	if (an->is_diff)
		fprintf(out,
			"  diff: %.1f s apart; %" PRIu64 " blocked goroutines in both, %" PRIu64
			" of them at the same PC (stuck for >= %.1f s)\n",
			an->interval_seconds, an->matched, an->stuck, an->interval_seconds);
	fputc('\n', out);

	print_panics(out, an, st);
	if (an->nsuspects) {
		fprintf(out, "%s%zu leak suspect%s%s\n\n", st->bold, an->nsuspects,
			an->nsuspects == 1 ? "" : "s", st->reset);
		size_t shown = an->nsuspects;
		if (opt->max_suspects && opt->max_suspects < shown)
			shown = opt->max_suspects;
		for (size_t i = 0; i < shown; i++)
			print_suspect(out, an, &an->groups[i], opt, st);
		if (shown < an->nsuspects)
			fprintf(out, "... %zu more suspects (--top 0 or --json shows all)\n\n",
				an->nsuspects - shown);
	} else if (is_trace(an)) {
		fputs("no goroutine blocked on a channel past --leak-after\n\n", out);
	} else {
		fprintf(out, "no leak suspects (threshold: %" PRIu64 " goroutines at one site)\n\n",
			an->min_count);
	}
	print_others(out, an, opt, st);
	if (an->has_minutes)
		fprintf(out, "%snote: %s%s\n", st->dim, report_minutes_note, st->reset);
}
