// SPDX-License-Identifier: MIT
// `chanwatch ps`: what every goroutine of a running Go program waits on, read from its memory.
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "cmd/cmds.h"
#include "cmd/live.h"
#include "lib/jsonw.h"
#include "lib/usage.h"
#include "output/goroutine_text.h"
#include "output/records.h"
#include "output/report.h"
#include "lib/banned.h"

static const char ps_usage[] =
    "usage: chanwatch ps [OPTIONS] PID\n"
    "       chanwatch ps --replay FILE [OPTIONS]\n"
    "\n"
    "Reads a running Go program's goroutines from its memory, without stopping it and\n"
    "without any change to the program: no pprof endpoint, no restart. Prints every\n"
    "goroutine as Go's debug=2 dump does (so any tool that reads dumps reads it), then\n"
    "the leak analysis of `chanwatch dump`: goroutines grouped by where they wait and\n"
    "ranked as leak suspects. Go 1.22 to 1.26 on amd64: plain, stripped, PIE and cgo\n"
    "binaries. Needs ptrace permission over the process (root, or its user where\n"
    "kernel.yama.ptrace_scope allows). Nothing is written to the process.\n"
    "\n"
    "options:\n"
    "  --channels             list the channels goroutines wait on: element type, buffer\n"
    "                         length and capacity, closed, and the goroutines queued to\n"
    "                         send and to receive\n"
    "  --json                 one JSON document: process, snapshot, goroutines, channels\n"
    "                         and the analysis (schema: docs/ps-json-schema.md)\n"
    "  --no-analysis          the debug=2 dump alone\n"
    "  --no-dump              the analysis alone\n"
    "  --pause                stop the process (ptrace) for an exact snapshot; it is\n"
    "                         always resumed, also on errors and signals\n"
    "  -j, --jobs N           read the process with N threads (default 2, or 1 where\n"
    "                         fewer than 3 CPUs are online: a reader on every CPU can\n"
    "                         delay the program's own threads)\n"
    "  --system               also runtime goroutines and frames (as GOTRACEBACK=system)\n"
    "  --record FILE          save every byte read to FILE, to replay it later\n"
    "  --replay FILE          read a recorded snapshot instead of a process\n"
    "  --exe PATH             with --replay: the program's binary (default: the recorded\n"
    "                         path)\n"
    "  --stats                print what the snapshot took to standard error\n"
    "  --min-count N          goroutines at one site to make a suspect (default 10)\n"
    "  --include-std          also rank sites in the Go standard library\n"
    "  --no-source            do not read Go source files named by the frames\n"
    "  --source-dir DIR       where to find sources this machine lacks at their paths\n"
    "  --top N                suspects shown in full (default all)\n"
    "  --color WHEN           auto (default: only on a terminal), always, never\n"
    "  -h, --help             this text\n"
    "\n"
    "examples:\n"
    "  sudo chanwatch ps $(pidof myserver)\n"
    "  chanwatch ps --no-analysis 4242 | chanwatch dump --diff before.txt -\n"
    "  chanwatch ps --channels 4242\n"
    "  chanwatch ps --json 4242 | jq '.channels[] | select(.senders | length > 100)'\n"
    "  chanwatch ps --record incident.cws 4242 && chanwatch ps --replay incident.cws\n"
    "  chanwatch top 4242\n"
    "\n"
    "exit status: 0 no suspect, 1 suspects found, 2 usage error or the process cannot be\n"
    "read\n";

enum {
	OPT_CHANNELS = 256,
	OPT_JSON,
	OPT_NO_ANALYSIS,
	OPT_NO_DUMP,
	OPT_PAUSE,
	OPT_SYSTEM,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_EXE,
	OPT_STATS,
	OPT_TOP,
	OPT_COLOR,
};

static const struct option ps_options[] = {
    {"channels", no_argument, NULL, OPT_CHANNELS},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-analysis", no_argument, NULL, OPT_NO_ANALYSIS},
    {"no-dump", no_argument, NULL, OPT_NO_DUMP},
    {"pause", no_argument, NULL, OPT_PAUSE},
    {"jobs", required_argument, NULL, 'j'},
    {"system", no_argument, NULL, OPT_SYSTEM},
    {"record", required_argument, NULL, OPT_RECORD},
    {"replay", required_argument, NULL, OPT_REPLAY},
    {"exe", required_argument, NULL, OPT_EXE},
    {"stats", no_argument, NULL, OPT_STATS},
    {"top", required_argument, NULL, OPT_TOP},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    ANALYZER_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct ps_cmd {
	bool channels, json, no_analysis, no_dump, stats;
	struct live_options lopt;
	struct analyzer_options aopt;
	uint64_t top;
	const char *color;
};

static void parse_options(struct ps_cmd *c, int argc, char **argv)
{
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hj:", ps_options, NULL)) != -1) {
		if (analyzer_option(opt, optarg, &c->aopt))
			continue;
		switch (opt) {
		case OPT_CHANNELS:
			c->channels = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_NO_ANALYSIS:
			c->no_analysis = true;
			break;
		case OPT_NO_DUMP:
			c->no_dump = true;
			break;
		case OPT_PAUSE:
			c->lopt.pause = true;
			break;
		case 'j':
			c->lopt.jobs = live_option_jobs(optarg);
			break;
		case OPT_SYSTEM:
			c->lopt.emit.system = true;
			break;
		case OPT_RECORD:
			c->lopt.record = optarg;
			break;
		case OPT_REPLAY:
			c->lopt.replay = optarg;
			break;
		case OPT_EXE:
			c->lopt.exe = optarg;
			break;
		case OPT_STATS:
			c->stats = true;
			break;
		case OPT_TOP:
			c->top = option_u64("--top", optarg);
			break;
		case OPT_COLOR:
			c->color = optarg;
			want_color(optarg, STDOUT_FILENO); /* validates */
			break;
		case 'h':
			fputs(ps_usage, stdout);
			exit(CW_EXIT_OK);
		default:
			fputs("see 'chanwatch ps --help'\n", stderr);
			exit(CW_EXIT_ERROR);
		}
	}
}

/* --- the dump and the analysis, fed from one emission ------------------------------------ */

struct ps_sink {
	struct dump_sink analyzer;	     /* .goroutine NULL when there is no analysis */
	FILE *dump;			     /* debug=2 text, or NULL */
	struct goroutine_text_cache *stacks; /* the dump's shared stacks, formatted once */
	struct jsonw *json;		     /* goroutine records inside "goroutines", or NULL */
};

static int ps_goroutine(void *ctx, const struct goroutine *g)
{
	struct ps_sink *p = ctx;
	if (p->dump)
		goroutine_text_write(p->dump, g, p->stacks);
	if (p->json)
		records_goroutine_object(p->json, g);
	if (p->analyzer.goroutine)
		return p->analyzer.goroutine(p->analyzer.ctx, g);
	return 0;
}

/* --- --channels ---------------------------------------------------------------------- */

static void write_ids(FILE *out, const uint64_t *ids, uint32_t n)
{
	const uint32_t shown = 8;
	if (!n) {
		fputs("-", out);
		return;
	}
	for (uint32_t i = 0; i < n && i < shown; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", ids[i]);
	if (n > shown)
		fprintf(out, ",... (%" PRIu32 ")", n);
}

static void channels_text(FILE *out, const struct live_session *ls)
{
	const struct live_snapshot *s = &ls->snap;
	fprintf(out, "%-18s %-24s %9s %9s %-6s %-28s %s\n", "CHANNEL", "ELEM", "LEN", "CAP",
		"CLOSED", "SENDERS (goroutines)", "RECEIVERS (goroutines)");
	for (size_t i = 0; i < s->nchans; i++) {
		const struct live_chan *c = &s->chans[i];
		struct chan_info ci;
		live_chan_info(c, &ci);
		if (!c->readable) {
			fprintf(out, "0x%-16" PRIx64 " (unreadable)\n", c->addr);
			continue;
		}
		fprintf(out, "0x%-16" PRIx64 " %-24.*s %9" PRIu64 " %9" PRIu64 " %-6s ", c->addr,
			(int)(ci.elem_type.len ? ci.elem_type.len : 1),
			ci.elem_type.len ? ci.elem_type.ptr : "?", c->qcount, c->dataqsiz,
			c->closed ? "yes" : "no");
		write_ids(out, c->senders, c->nsenders);
		fputs("  ", out);
		write_ids(out, c->receivers, c->nreceivers);
		fputc('\n', out);
	}
	fprintf(out, "%zu channel%s with waiting goroutines\n", s->nchans,
		s->nchans == 1 ? "" : "s");
}

/* --- --json ------------------------------------------------------------------------------ */

static void json_head(struct jsonw *w, const struct live_session *ls)
{
	const struct live_target *t = &ls->target;
	const struct live_snapshot *s = &ls->snap;

	jsonw_key(w, "schema");
	jsonw_string(w, "chanwatch.ps/v1");
	jsonw_key(w, "process");
	jsonw_object_begin(w);
	jsonw_key(w, "pid");
	jsonw_i64(w, t->meta.pid);
	jsonw_key(w, "exe");
	jsonw_string(w, t->meta.exe);
	jsonw_key(w, "go_version");
	jsonw_string(w, t->meta.go_version);
	jsonw_key(w, "layout");
	jsonw_string(w, t->layout_source ? t->layout_source : "");
	jsonw_key(w, "replayed");
	jsonw_bool(w, ls->replayed);
	jsonw_object_end(w);
	jsonw_key(w, "snapshot");
	jsonw_object_begin(w);
	jsonw_key(w, "goroutines_read");
	jsonw_u64(w, s->ngs);
	jsonw_key(w, "allglen");
	jsonw_u64(w, s->allglen);
	jsonw_key(w, "unreadable");
	jsonw_u64(w, s->unreadable);
	jsonw_key(w, "changed");
	jsonw_u64(w, s->changed);
	jsonw_key(w, "retries");
	jsonw_u64(w, s->retries);
	jsonw_key(w, "took_ns");
	jsonw_i64(w, s->took_ns);
	jsonw_key(w, "paused_ns");
	if (ls->paused)
		jsonw_i64(w, ls->pause_ns);
	else
		jsonw_null(w);
	jsonw_key(w, "bytes_read");
	jsonw_u64(w, s->bytes_read);
	jsonw_key(w, "read_calls");
	jsonw_u64(w, s->read_calls);
	jsonw_object_end(w);
}

static void json_channels(struct jsonw *w, const struct live_session *ls)
{
	jsonw_key(w, "channels");
	jsonw_array_begin(w);
	for (size_t i = 0; i < ls->snap.nchans; i++) {
		struct chan_info ci;
		if (!ls->snap.chans[i].readable)
			continue;
		live_chan_info(&ls->snap.chans[i], &ci);
		records_chan_object(w, &ci, true);
	}
	jsonw_array_end(w);
}

static void print_stats(const struct live_session *ls)
{
	const struct live_snapshot *s = &ls->snap;
	fprintf(stderr,
		"chanwatch ps: %zu goroutines (allglen %" PRIu64 "), %zu channels in %.3f ms: "
		"%" PRIu64 " bytes in %" PRIu64 " reads; %" PRIu64 " unreadable, %" PRIu64
		" changed, %" PRIu64 " re-read",
		s->ngs, s->allglen, s->nchans, (double)s->took_ns / 1e6, s->bytes_read,
		s->read_calls, s->unreadable, s->changed, s->retries);
	if (ls->paused)
		fprintf(stderr, "; paused %.3f ms", (double)ls->pause_ns / 1e6);
	fputc('\n', stderr);
}

int cmd_ps(int argc, char **argv)
{
	struct ps_cmd c;
	struct live_session ls;
	struct analyzer *a = NULL;
	struct analysis an;
	struct ps_sink sink = {0};
	struct dump_sink ds = {ps_goroutine, NULL, &sink};
	struct jsonw w;
	int status = CW_EXIT_OK;

	/* A snapshot of a million goroutines is half a gigabyte of text: write it in large
	 * blocks when it goes to a file or a pipe. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1u << 20);
	memset(&c, 0, sizeof(c));
	parse_options(&c, argc, argv);
	if (c.lopt.replay) {
		if (optind != argc)
			die("--replay reads a recording: no PID (got '%s')", argv[optind]);
	} else {
		if (optind + 1 != argc)
			die(optind == argc ? "which process? see 'chanwatch ps --help'"
					   : "one PID at a time (got %d arguments)",
			    argc - optind);
		c.lopt.pid = option_pid(NULL, argv[optind]);
	}
	if (c.lopt.exe && !c.lopt.replay)
		die("--exe goes with --replay (a live process's binary is /proc/PID/exe)");
	if (c.no_analysis && c.no_dump)
		die("--no-analysis and --no-dump together leave nothing to print");

	live_session_take(&ls, &c.lopt);
	if (c.stats)
		print_stats(&ls);

	if (c.channels && !c.json) {
		channels_text(stdout, &ls);
		goto done;
	}
	if (!c.no_analysis) {
		a = analyzer_new(&c.aopt);
		analyzer_sink(a, 0, &sink.analyzer);
		analyzer_begin_input(a, 0, ls.name);
	}
	if (c.json) {
		jsonw_init(&w, stdout, true);
		jsonw_object_begin(&w);
		json_head(&w, &ls);
		jsonw_key(&w, "goroutines");
		jsonw_array_begin(&w);
		sink.json = &w;
	} else if (!c.no_dump) {
		sink.dump = stdout;
		sink.stacks = goroutine_text_cache_new(); /* NULL: each stack formatted each time */
	}
	live_session_emit(&ls, &c.lopt, &ds);
	if (a) {
		struct dump_info info = {.format = DUMP_FORMAT_LIVE};
		info.goroutines = info.records = ls.emitted;
		info.bytes = ls.snap.bytes_read;
		analyzer_end_input(a, &info, ls.wall_ns);
		analyzer_finish(a, &an);
	}
	if (c.json) {
		jsonw_array_end(&w);
		json_channels(&w, &ls);
		if (a) {
			jsonw_key(&w, "analysis");
			report_json_object(&w, &an);
		}
		jsonw_object_end(&w);
		jsonw_finish(&w);
	} else if (a) {
		struct report_options ro = {.color = want_color(c.color, STDOUT_FILENO),
					    .max_suspects = c.top};
		report_text(stdout, &an, &ro);
	}
	if (a) {
		status = an.nsuspects ? CW_EXIT_FOUND : CW_EXIT_OK;
		analysis_release(&an);
	}
done:
	goroutine_text_cache_free(sink.stacks);
	if (fflush(stdout))
		die("cannot write standard output: %s", strerror(errno));
	live_session_end(&ls);
	return status;
}
