// SPDX-License-Identifier: MIT
// `chanwatch dump`: read goroutine dumps and profiles, analyse, report.
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "cmd/cmds.h"
#include "dump/dump.h"
#include "lib/jsonw.h"
#include "lib/num.h"
#include "lib/strbuf.h"
#include "lib/usage.h"
#include "output/pprof_write.h"
#include "output/records.h"
#include "output/report.h"
#include "lib/banned.h"

static const char dump_usage[] =
    "usage: chanwatch dump [OPTIONS] [FILE|URL|-]...\n"
    "       chanwatch dump --diff [OPTIONS] OLD NEW\n"
    "\n"
    "Reads goroutine dumps and profiles of any Go version (1.19 to 1.26): debug=2 text,\n"
    "crash and SIGQUIT dumps, `go test` timeout panics, debug=1 text and debug=0\n"
    "profile.proto of the goroutine and goroutineleak profiles. Groups goroutines by\n"
    "what they wait on and where (the first frame outside the runtime), and ranks leak\n"
    "suspects. Several inputs (e.g. replicas) are analysed together. With no input,\n"
    "reads standard input.\n"
    "\n"
    "A site is a suspect when Go's goroutineleak profile marked its goroutines\n"
    "(leaked), when they can never wake (nil channel, select {}), when --diff shows\n"
    "them stuck at the same PC while the site grew, or when at least --min-count of\n"
    "them wait on a channel or sync primitive there. Only sites in your code are\n"
    "ranked unless --include-std.\n"
    "\n"
    "options:\n"
    "  --diff                 OLD NEW: match goroutines by ID; those blocked at the same\n"
    "                         PC in both are stuck for at least the interval; per-site growth\n"
    "  --json                 machine-readable report (schema: docs/json-schema.md)\n"
    "  --pprof FILE           also write the suspects as a profile for `go tool pprof`\n"
    "  --records              print every goroutine record as JSON Lines, no analysis\n"
    "  --min-count N          goroutines at one site to make a suspect (default 10)\n"
    "  --min-minutes M        only suspects whose longest wait is >= M minutes\n"
    "  --ignore-top FUNC      drop goroutines whose top frame or blocking site is FUNC\n"
    "                         (a trailing * matches a prefix); repeatable\n"
    "  --ignore-created-by FUNC  drop goroutines created by FUNC; repeatable\n"
    "  --include-std          also rank sites in the Go standard library\n"
    "  --no-source            do not read Go source files named by the dump (they are\n"
    "                         read, when present, to tell `for range ch` from `<-ch`)\n"
    "  --source-dir DIR       where to find sources the dump names by paths this machine\n"
    "                         lacks (-trimpath builds, another checkout)\n"
    "  --top N                suspects shown in full in the text report (default all)\n"
    "  --color WHEN           auto (default: only on a terminal), always, never\n"
    "  --timeout SECONDS      URL fetch timeout (default 30)\n"
    "  --max-bytes N          URL body cap in bytes (default 1073741824)\n"
    "  -h, --help             this text\n"
    "\n"
    "examples:\n"
    "  chanwatch dump 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=2'\n"
    "  curl -s localhost:6060/debug/pprof/goroutine?debug=2 | chanwatch dump -\n"
    "  go test -timeout 30s ./... 2>&1 | chanwatch dump -\n"
    "  chanwatch dump --diff --min-count 1 before.txt after.txt\n"
    "  chanwatch dump --json --pprof suspects.pb.gz goroutine.pb.gz\n"
    "  chanwatch dump 'http://127.0.0.1:6060/debug/pprof/goroutineleak?debug=1'\n"
    "\n"
    "exit status: 0 no suspect, 1 suspects or channel panics found, 2 usage or input error\n";

enum {
	OPT_DIFF = 256,
	OPT_JSON,
	OPT_PPROF,
	OPT_RECORDS,
	OPT_MIN_MINUTES,
	OPT_IGNORE_TOP,
	OPT_IGNORE_CREATED_BY,
	OPT_TOP,
	OPT_COLOR,
	OPT_TIMEOUT,
	OPT_MAX_BYTES,
};

static const struct option dump_options[] = {
    {"diff", no_argument, NULL, OPT_DIFF},
    {"json", no_argument, NULL, OPT_JSON},
    {"pprof", required_argument, NULL, OPT_PPROF},
    {"records", no_argument, NULL, OPT_RECORDS},
    {"min-minutes", required_argument, NULL, OPT_MIN_MINUTES},
    {"ignore-top", required_argument, NULL, OPT_IGNORE_TOP},
    {"ignore-created-by", required_argument, NULL, OPT_IGNORE_CREATED_BY},
    {"top", required_argument, NULL, OPT_TOP},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
    ANALYZER_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct dump_cmd {
	bool diff, json, records;
	const char *pprof_path;
	const char *color;
	struct analyzer_options aopt;
	struct input_options iopt;
	const char **ignore_top, **ignore_created_by;
	size_t nignore_top, nignore_created_by;
	uint64_t top;
};

static void push(const char ***list, size_t *n, const char *s)
{
	*list = realloc(*list, (*n + 1) * sizeof(**list));
	if (!*list)
		die("out of memory");
	(*list)[(*n)++] = s;
}

static void parse_options(struct dump_cmd *c, int argc, char **argv)
{
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", dump_options, NULL)) != -1) {
		if (analyzer_option(opt, optarg, &c->aopt))
			continue;
		switch (opt) {
		case OPT_DIFF:
			c->diff = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_PPROF:
			c->pprof_path = optarg;
			break;
		case OPT_RECORDS:
			c->records = true;
			break;
		case OPT_MIN_MINUTES: {
			uint64_t m = option_u64("--min-minutes", optarg);
			if (m > UINT32_MAX)
				die("--min-minutes is too large: '%s'", optarg);
			c->aopt.min_minutes = (uint32_t)m;
			break;
		}
		case OPT_IGNORE_TOP:
			push(&c->ignore_top, &c->nignore_top, optarg);
			break;
		case OPT_IGNORE_CREATED_BY:
			push(&c->ignore_created_by, &c->nignore_created_by, optarg);
			break;
		case OPT_TOP:
			c->top = option_u64("--top", optarg);
			break;
		case OPT_COLOR:
			c->color = optarg;
			want_color(optarg, STDOUT_FILENO); /* validates */
			break;
		case OPT_TIMEOUT:
			c->iopt.timeout_ms = option_timeout_ms("--timeout", optarg);
			break;
		case OPT_MAX_BYTES:
			c->iopt.max_bytes = option_u64("--max-bytes", optarg);
			break;
		case 'h':
			fputs(dump_usage, stdout);
			exit(CW_EXIT_OK);
		default:
			fputs("see 'chanwatch dump --help'\n", stderr);
			exit(CW_EXIT_ERROR);
		}
	}
	c->aopt.ignore_top = c->ignore_top;
	c->aopt.nignore_top = c->nignore_top;
	c->aopt.ignore_created_by = c->ignore_created_by;
	c->aopt.nignore_created_by = c->nignore_created_by;
}

/* --records: every record as one JSON line, in input order. */
struct records_ctx {
	struct jsonw w;
};

static int records_goroutine(void *ctx, const struct goroutine *g)
{
	struct records_ctx *rc = ctx;
	records_write_goroutine(&rc->w, g);
	return 0;
}

static int records_panic(void *ctx, const struct panic_report *p)
{
	struct records_ctx *rc = ctx;
	records_write_panic(&rc->w, p);
	return 0;
}

static void report_truncation(const char *name, const struct dump_info *info)
{
	if (info->truncated)
		warning("'%s': input is truncated: %s", name, info->truncated_why);
}

/* Reads one input into sink; dies with "'NAME': msg" on any error. */
static void read_one(const char *spec, const struct input_options *iopt,
		     const struct dump_sink *sink, struct dump_info *info, int64_t *time_ns)
{
	struct input in;
	struct cw_error err = {{0}};

	memset(info, 0, sizeof(*info));
	if (input_open(&in, spec, iopt, &err))
		die("cannot read '%s': %s", spec, err.msg);
	if (dump_read(&in, sink, info, &err))
		die("'%s': %s", spec, err.msg[0] ? err.msg : "read failed");
	*time_ns = in.mtime_ns;
	input_close(&in);
	report_truncation(spec, info);
}

static void write_pprof(const char *path, const struct analysis *an)
{
	struct profile p;
	struct strbuf out = STRBUF_INIT;
	FILE *f;

	profile_init(&p);
	report_suspects_profile(an, &p);
	if (pprof_encode(&p, &out))
		die("cannot encode the suspects profile");
	f = fopen(path, "wb");
	if (!f)
		die("cannot write '%s': %s", path, strerror(errno));
	if (fwrite(out.buf, 1, out.len, f) != out.len || fclose(f))
		die("cannot write '%s': %s", path, strerror(errno));
	strbuf_release(&out);
	profile_release(&p);
}

int cmd_dump(int argc, char **argv)
{
	struct dump_cmd c;
	struct analyzer *a;
	struct analysis an;
	char *stdin_only[] = {"-"};
	char **inputs;
	int ninputs;
	int status;

	memset(&c, 0, sizeof(c));
	parse_options(&c, argc, argv);
	inputs = argv + optind;
	ninputs = argc - optind;
	if (!ninputs) {
		if (c.diff)
			die("--diff needs two inputs: OLD NEW");
		inputs = stdin_only;
		ninputs = 1;
	}
	for (int i = 0, stdin_seen = 0; i < ninputs; i++)
		if (!strcmp(inputs[i], "-") && stdin_seen++)
			die("standard input ('-') can be read only once");
	if (c.diff && ninputs != 2)
		die("--diff needs exactly two inputs: OLD NEW (got %d)", ninputs);
	if (c.records && (c.diff || c.json || c.pprof_path))
		die("--records cannot be combined with --diff, --json or --pprof");

	if (c.records) {
		struct records_ctx rc;
		struct dump_sink sink = {records_goroutine, records_panic, &rc};
		jsonw_init(&rc.w, stdout, false);
		for (int i = 0; i < ninputs; i++) {
			struct dump_info info;
			int64_t t;
			read_one(inputs[i], &c.iopt, &sink, &info, &t);
		}
		if (fflush(stdout))
			die("cannot write standard output: %s", strerror(errno));
		return CW_EXIT_OK;
	}

	c.aopt.diff = c.diff;
	a = analyzer_new(&c.aopt);
	for (int i = 0; i < ninputs; i++) {
		struct dump_sink sink;
		struct dump_info info;
		int which = c.diff ? i : 0;
		int64_t t;

		analyzer_sink(a, which, &sink);
		analyzer_begin_input(a, which, inputs[i]);
		read_one(inputs[i], &c.iopt, &sink, &info, &t);
		analyzer_end_input(a, &info, t);
	}
	analyzer_finish(a, &an);

	if (c.json) {
		report_json(stdout, &an);
	} else {
		struct report_options ro = {.color = want_color(c.color, STDOUT_FILENO),
					    .max_suspects = c.top};
		report_text(stdout, &an, &ro);
	}
	if (c.pprof_path)
		write_pprof(c.pprof_path, &an);
	if (fflush(stdout))
		die("cannot write standard output: %s", strerror(errno));
	status = an.nsuspects ? CW_EXIT_FOUND : CW_EXIT_OK;
	for (size_t i = 0; i < an.npanics; i++)
		if (an.panics[i].kind != PANIC_OTHER && an.panics[i].kind != PANIC_FATAL_OTHER)
			status = CW_EXIT_FOUND;
	analysis_release(&an);
	free(c.ignore_top);
	free(c.ignore_created_by);
	return status;
}
