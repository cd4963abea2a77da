// SPDX-License-Identifier: MIT
// libFuzzer target for chanwatch lint: arbitrary bytes as a Go file through the parser, every
// rule and the directives, then every writer.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/lint.h"
#include "output/lint_json.h"
#include "output/lint_sarif.h"
#include "output/lint_text.h"
#include "output/lint_watch.h"

#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[] = "fuzz", file[] = "fuzz/input.go";
	char *files[] = {file};
	const char *src[] = {(const char *)data};
	size_t len[] = {size};
	/* The first byte picks the go directive, so CW109 runs too. */
	char version[8];
	struct lint_package pkg = {
	    .dir = dir, .files = files, .nfiles = 1, .mem_src = src, .mem_len = len};
	struct lint_package_list pkgs = {.pkgs = &pkg, .n = 1, .alloc = 1};
	struct lint_options o = {.jobs = 1};
	struct lint_result r = {0};
	struct cw_error err = {""};
	FILE *devnull = fopen("/dev/null", "w");
	struct lint_text_options to = {.color = true, .summary = true};
	struct lint_sarif_options so = {.version = "fuzz", .srcroot = "/src"};

	snprintf(version, sizeof(version), "1.%u", size ? data[0] % 30u : 22u);
	pkg.go_version = version;
	if (!devnull)
		abort();
	if (lint_run(&pkgs, &o, &r, &err) == 0) {
		for (size_t i = 0; i < r.nfindings; i++)
			if (!r.findings[i].rule || !r.findings[i].message ||
			    !r.findings[i].pos.line)
				abort();
		lint_write_text(&r, devnull, devnull, &to);
		lint_write_json(&r, devnull);
		lint_write_sarif(&r, devnull, &so);
		lint_write_watch(&r, devnull);
	}
	lint_result_release(&r);
	fclose(devnull);
	return 0;
}
