// SPDX-License-Identifier: MIT
// `chanwatch heap`: channel allocations by make(chan) site in heap profiles, and their growth.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/heap.h"
#include "cmd/cmds.h"
#include "dump/dump.h"
#include "lib/num.h"
#include "lib/usage.h"
#include "output/heap.h"
#include "lib/banned.h"

static const char heap_usage[] =
    "usage: chanwatch heap [OPTIONS] PROFILE\n"
    "       chanwatch heap [OPTIONS] OLD NEW\n"
    "\n"
    "Reads Go heap profiles (profile.proto, gzipped or not: /debug/pprof/heap or\n"
    "pprof.WriteHeapProfile) and lists the make(chan) call sites whose channels\n"
    "are on the heap: in-use objects and bytes, and allocations since the program\n"
    "started. With two profiles, shows how much each site grew from OLD to NEW and\n"
    "ranks by that growth. Each argument is a file, '-' (standard input) or an\n"
    "http(s) URL.\n"
    "\n"
    "Go drops the runtime frames (runtime.makechan) from heap profiles, so a site is\n"
    "recognised by reflect.makechan in its stack (reflect.MakeChan), or by its\n"
    "source line reading make(chan ...): the file named in the profile is read, or\n"
    "looked up under --source-dir for -trimpath builds. Numbers are the profile's\n"
    "sampled estimates (exact with runtime.MemProfileRate = 1) as of the last GC;\n"
    "objects are heap objects (a buffered channel of pointers is two).\n"
    "\n"
    "options:\n"
    "  --json              one JSON document (schema: docs/heap-json-schema.md)\n"
    "  --top N             show the N biggest sites (default all)\n"
    "  --min-objects N     hide sites with fewer in-use objects (with OLD NEW: fewer\n"
    "                      new in-use objects)\n"
    "  --source-dir DIR    where to look for source files the profile names\n"
    "  --no-source         recognise sites by their stack only (reflect.MakeChan)\n"
    "  --timeout SECONDS   URL fetch timeout (default 30)\n"
    "  --max-bytes N       URL body cap in bytes (default 1073741824)\n"
    "  -h, --help          this text\n"
    "\n"
    "examples:\n"
    "  chanwatch heap http://127.0.0.1:6060/debug/pprof/heap\n"
    "  curl -so old.pb.gz localhost:6060/debug/pprof/heap; sleep 600\n"
    "  chanwatch heap old.pb.gz http://127.0.0.1:6060/debug/pprof/heap\n"
    "  chanwatch heap --json --top 10 --source-dir ~/src/app old.pb.gz new.pb.gz\n"
    "\n"
    "exit status: 0 the profiles were read (whether or not channel sites were\n"
    "found), 2 usage or input error\n";

enum {
	OPT_JSON = 256,
	OPT_TOP,
	OPT_MIN_OBJECTS,
	OPT_SOURCE_DIR,
	OPT_NO_SOURCE,
	OPT_TIMEOUT,
	OPT_MAX_BYTES,
};

static const struct option heap_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"top", required_argument, NULL, OPT_TOP},
    {"min-objects", required_argument, NULL, OPT_MIN_OBJECTS},
    {"source-dir", required_argument, NULL, OPT_SOURCE_DIR},
    {"no-source", no_argument, NULL, OPT_NO_SOURCE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct heap_cmd {
	bool json;
	struct heapchan_options hopt;
	struct input_options iopt;
};

static void parse_options(struct heap_cmd *c, int argc, char **argv)
{
	uint64_t v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", heap_options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_TOP:
			c->hopt.top = option_u64("--top", optarg);
			break;
		case OPT_MIN_OBJECTS:
			v = option_u64("--min-objects", optarg);
			if (v > INT64_MAX)
				die("--min-objects is too large: '%s'", optarg);
			c->hopt.min_objects = (int64_t)v;
			break;
		case OPT_SOURCE_DIR:
			c->hopt.source_dir = optarg;
			break;
		case OPT_NO_SOURCE:
			c->hopt.use_source = false;
			break;
		case OPT_TIMEOUT:
			c->iopt.timeout_ms = option_timeout_ms("--timeout", optarg);
			break;
		case OPT_MAX_BYTES:
			c->iopt.max_bytes = option_u64("--max-bytes", optarg);
			break;
		case 'h':
			fputs(heap_usage, stdout);
			exit(CW_EXIT_OK);
		default:
			fputs("see 'chanwatch heap --help'\n", stderr);
			exit(CW_EXIT_ERROR);
		}
	}
}

/* Reads one profile; dies with "'NAME': msg" on any error. */
static void read_profile(const char *spec, const struct input_options *iopt, struct profile *p)
{
	struct input in;
	struct cw_error err = {{0}};

	if (input_open(&in, spec, iopt, &err))
		die("cannot read '%s': %s", spec, err.msg);
	if (pprof_read(&in, p, &err) || heapchan_check(p, &err))
		die("'%s': %s", spec, err.msg[0] ? err.msg : "read failed");
	input_close(&in);
}

int cmd_heap(int argc, char **argv)
{
	struct heap_cmd c = {.hopt = {.use_source = true}};
	struct profile now, base;
	struct heapchan_result res;
	struct cw_error err = {{0}};
	const char *now_spec, *base_spec = NULL;

	parse_options(&c, argc, argv);
	if (argc - optind < 1 || argc - optind > 2) {
		fputs("usage: chanwatch heap [OPTIONS] [OLD] NEW (see 'chanwatch heap --help')\n",
		      stderr);
		return CW_EXIT_ERROR;
	}
	now_spec = argv[argc - 1];
	if (argc - optind == 2)
		base_spec = argv[optind];
	if (base_spec && !strcmp(base_spec, "-") && !strcmp(now_spec, "-"))
		die("only one of OLD and NEW can be standard input");
	profile_init(&now);
	profile_init(&base);
	memset(&res, 0, sizeof(res));
	if (base_spec)
		read_profile(base_spec, &c.iopt, &base);
	read_profile(now_spec, &c.iopt, &now);
	if (heapchan_analyze(&now, base_spec ? &base : NULL, &c.hopt, &res, &err))
		die("%s", err.msg);
	res.input_now = now_spec;
	res.input_base = base_spec;
	if (res.sources_missing)
		warning("%zu source file%s not found (e.g. '%s'): make(chan) sites there are not "
			"recognised; see --source-dir",
			res.sources_missing, res.sources_missing == 1 ? "" : "s",
			res.source_missing_example);
	if (c.json)
		heap_write_json(&res, stdout);
	else
		heap_write_text(&res, stdout);
	if (fflush(stdout) || ferror(stdout))
		die("cannot write the report: write error");
	heapchan_result_release(&res);
	profile_release(&base);
	profile_release(&now);
	return CW_EXIT_OK;
}
