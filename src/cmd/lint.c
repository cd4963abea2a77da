// SPDX-License-Identifier: MIT
// `chanwatch lint`: channel-lifecycle rules over Go source; also go vet's -vettool protocol.
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "lib/hashmap.h"
#include "lib/usage.h"
#include "lint/lint.h"
#include "lint/vetcfg.h"
#include "output/lint_json.h"
#include "output/lint_sarif.h"
#include "output/lint_text.h"
#include "output/lint_vetjson.h"
#include "output/lint_watch.h"
#include "lib/banned.h"

#ifndef CHANWATCH_VERSION
#define CHANWATCH_VERSION "0.1.0"
#endif

static const char lint_usage[] =
    "usage: chanwatch lint [OPTIONS] [PATTERN|DIR|FILE.go]...\n"
    "       go vet -vettool=$(command -v chanwatch) ./...\n"
    "\n"
    "Finds channel-lifecycle bugs in Go source before they ship: ranges over\n"
    "channels nothing closes (CW101), goroutines left blocked sending when their\n"
    "receiver times out or returns early (CW102), double close and close in a loop\n"
    "(CW103), send after close (CW104), close by the receiver (CW105), operations on\n"
    "nil channels (CW106), goroutines blocked forever by construction (CW107), more\n"
    "senders than receives (CW108), and timers that leak before Go 1.23 (CW109).\n"
    "Rule pages: docs/rules/. Patterns work as go's: ./... recurses (vendor/ and\n"
    "testdata/ skipped); with none, the current directory. Files are parsed in\n"
    "parallel with tree-sitter; no build or type check is needed.\n"
    "\n"
    "Suppress one finding with a comment on its line or the line above:\n"
    "  //chanwatch:ignore CW102 the caller always drains results\n"
    "Mark a channel for the runtime tools (see --watch-file):\n"
    "  jobs := make(chan Job) //chanwatch:watch label=jobs timeout=30s\n"
    "\n"
    "options:\n"
    "  --json              one JSON document (docs/lint-json-schema.md)\n"
    "  --sarif             SARIF 2.1.0, for code-scanning upload\n"
    "  --watch-file FILE   write the //chanwatch:watch channels as JSON\n"
    "                      (docs/watch-file-schema.md)\n"
    "  -j, --jobs N        parse with N threads (default: one per CPU)\n"
    "  -q, --quiet         no summary line on standard error\n"
    "  --color WHEN        auto (default), always, never\n"
    "  -h, --help          this text\n"
    "\n"
    "examples:\n"
    "  chanwatch lint ./...\n"
    "  chanwatch lint --sarif ./... > chanwatch.sarif\n"
    "  chanwatch lint --json internal/worker\n"
    "  chanwatch lint --watch-file watch.json ./cmd/server\n"
    "  go vet -vettool=$(command -v chanwatch) ./...\n"
    "\n"
    "exit status: 0 no findings, 1 findings, 2 usage or input error\n";

enum {
	OPT_JSON = 256,
	OPT_SARIF,
	OPT_WATCH_FILE,
	OPT_COLOR,
};

static const struct option lint_options_long[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"sarif", no_argument, NULL, OPT_SARIF},
    {"watch-file", required_argument, NULL, OPT_WATCH_FILE},
    {"jobs", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void write_watch_file(const struct lint_result *r, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write '%s': %s", path, strerror(errno));
	lint_write_watch(r, f);
	if (fclose(f))
		die("cannot write '%s': %s", path, strerror(errno));
}

int cmd_lint(int argc, char **argv)
{
	bool json = false, sarif = false, quiet = false;
	const char *watch_path = NULL, *color = "auto";
	struct lint_options o = {0};
	struct lint_package_list pkgs = {0};
	struct lint_result r = {0};
	struct cw_error err = {""};
	const char *dot[] = {"."};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+j:qh", lint_options_long, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_SARIF:
			sarif = true;
			break;
		case OPT_WATCH_FILE:
			watch_path = optarg;
			break;
		case 'j': {
			uint64_t v = option_u64("--jobs", optarg);
			if (!v || v > 256)
				die("--jobs takes 1 to 256, not '%s'", optarg);
			o.jobs = (int)v;
			break;
		}
		case 'q':
			quiet = true;
			break;
		case OPT_COLOR:
			color = optarg;
			want_color(optarg, STDOUT_FILENO); /* validates */
			break;
		case 'h':
			fputs(lint_usage, stdout);
			return CW_EXIT_OK;
		default:
			fputs("see 'chanwatch lint --help'\n", stderr);
			return CW_EXIT_ERROR;
		}
	}
	if (json && sarif)
		die("--json and --sarif are alternatives: choose one");
	if (optind < argc) {
		if (lint_expand((const char *const *)argv + optind, (size_t)(argc - optind), &pkgs,
				&err))
			die("%s", err.msg);
	} else if (lint_expand(dot, 1, &pkgs, &err)) {
		die("%s", err.msg);
	}
	if (lint_run(&pkgs, &o, &r, &err))
		die("%s", err.msg);
	if (json) {
		lint_write_json(&r, stdout);
	} else if (sarif) {
		char cwd[PATH_MAX];
		struct lint_sarif_options so = {
		    .version = CHANWATCH_VERSION,
		    .rules_base_uri = "docs/rules/",
		    .srcroot = getcwd(cwd, sizeof(cwd)) ? cwd : NULL,
		};
		lint_write_sarif(&r, stdout, &so);
	} else {
		struct lint_text_options to = {.color = want_color(color, STDOUT_FILENO),
					       .summary = !quiet};
		lint_write_text(&r, stdout, stderr, &to);
	}
	if (watch_path)
		write_watch_file(&r, watch_path);
	if (fflush(stdout) || ferror(stdout))
		die("cannot write the report: %s", strerror(errno));
	opt = r.nfindings ? CW_EXIT_FOUND : CW_EXIT_OK;
	lint_result_release(&r);
	lint_package_list_release(&pkgs);
	return opt;
}

/* ---- go vet -vettool ------------------------------------------------------------- */

bool vettool_invocation(int argc, char **argv)
{
	size_t len;
	if (argc < 2)
		return false;
	if (!strncmp(argv[1], "-V", 2) || !strcmp(argv[1], "-flags"))
		return true;
	/* go vet runs TOOL [FLAGS] .../vet.cfg */
	len = strlen(argv[argc - 1]);
	return len > 4 && !strcmp(argv[argc - 1] + len - 4, ".cfg") &&
	       (argc == 2 || argv[1][0] == '-');
}

/* A build ID for go's cache: the hash of this executable, so a rebuild invalidates it. */
static void print_version_full(void)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	uint64_t h = HASH_SEED;
	char buf[65536];
	size_t n;
	if (f) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			h = hash_bytes(buf, n, h);
		fclose(f);
	}
	printf("chanwatch version devel buildID=%016llx\n", (unsigned long long)h);
}

static int touch_file(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	return fclose(f);
}

int cmd_vettool(int argc, char **argv)
{
	struct vet_config cfg = {0};
	struct lint_package_list pkgs = {0};
	struct lint_package *pkg;
	struct lint_result r = {0};
	struct lint_options o = {.jobs = 1};
	struct cw_error err = {""};
	const char *path = argv[argc - 1];
	bool json = false;
	int status;

	if (!strncmp(argv[1], "-V", 2)) {
		print_version_full();
		return CW_EXIT_OK;
	}
	if (!strcmp(argv[1], "-flags")) {
		/* No flags of ours for go vet to forward. */
		puts("[]");
		return CW_EXIT_OK;
	}
	for (int i = 1; i < argc - 1; i++)
		json = json || !strcmp(argv[i], "-json") || !strcmp(argv[i], "--json");
	if (vet_config_read(&cfg, path, &err))
		die("cannot read go vet config '%s': %s", path, err.msg);
	if (cfg.vetx_output && touch_file(cfg.vetx_output))
		die("cannot write '%s': %s", cfg.vetx_output, strerror(errno));
	if (cfg.vetx_only || !cfg.ngo_files) {
		vet_config_release(&cfg);
		return CW_EXIT_OK;
	}
	pkgs.pkgs = calloc(1, sizeof(*pkgs.pkgs));
	if (!pkgs.pkgs)
		die("out of memory");
	pkgs.n = pkgs.alloc = 1;
	pkg = &pkgs.pkgs[0];
	pkg->dir = strdup(cfg.dir ? cfg.dir : ".");
	pkg->files = calloc(cfg.ngo_files, sizeof(*pkg->files));
	pkg->go_version = cfg.go_version ? strdup(cfg.go_version) : NULL;
	if (!pkg->dir || !pkg->files)
		die("out of memory");
	for (size_t i = 0; i < cfg.ngo_files; i++) {
		pkg->files[i] = strdup(cfg.go_files[i]);
		if (!pkg->files[i])
			die("out of memory");
		pkg->nfiles++;
	}
	if (lint_run(&pkgs, &o, &r, &err))
		die("%s", err.msg);
	if (json) {
		/* Go 1.26 always asks for -json and reads the findings from cfg.Stdout; a clean
		 * exit lets it cache them. */
		FILE *out = cfg.stdout_path ? fopen(cfg.stdout_path, "w") : stdout;
		if (!out)
			die("cannot write '%s': %s", cfg.stdout_path, strerror(errno));
		lint_write_vetjson(&r, cfg.id ? cfg.id : cfg.import_path, out);
		if (out != stdout && fclose(out))
			die("cannot write '%s': %s", cfg.stdout_path, strerror(errno));
		status = CW_EXIT_OK;
	} else {
		struct lint_text_options to = {0};
		lint_write_text(&r, stderr, NULL, &to);
		status = r.nfindings ? CW_EXIT_FOUND : CW_EXIT_OK;
	}
	lint_result_release(&r);
	lint_package_list_release(&pkgs);
	vet_config_release(&cfg);
	return status;
}
