// SPDX-License-Identifier: MIT
// chanwatch lint: channel-lifecycle rules over Go source, parsed with tree-sitter-go.
#ifndef CW_LINT_LINT_H
#define CW_LINT_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/usage.h"
#include "model/lint.h"

/* One Go package: the .go files of one directory (go vet's unit of work). */
struct lint_package {
	char *dir;    /* as the user named it, without a trailing slash */
	char **files; /* paths (dir/name.go), sorted */
	size_t nfiles, files_alloc;
	char *go_version; /* "1.21" from the nearest go.mod's go directive, or NULL */
	/* Tests and fuzzing: the files' contents, used instead of reading files[]; NULL
	 * normally. Not owned (lint_package_list_release leaves them alone). */
	const char *const *mem_src;
	const size_t *mem_len;
};

struct lint_package_list {
	struct lint_package *pkgs;
	size_t n, alloc;
};

/*
 * Expands go-style patterns into packages: FILE.go, DIR, DIR/... (recursive, skipping
 * vendor/, testdata/, directories whose names start with '.' or '_', symbolic links to
 * directories, and nested modules (a directory with its own go.mod), as go does), and ./... . Files
 * named on the command line form one package per directory. Returns 0, or -1 with err naming the
 * pattern that matched nothing or could not be read.
 */
int lint_expand(const char *const *patterns, size_t n, struct lint_package_list *out,
		struct cw_error *err);
void lint_package_list_release(struct lint_package_list *l);

/* The go directive of the go.mod nearest above dir ("1.22"), malloc'd, or NULL. */
char *lint_go_version_for(const char *dir);

struct lint_options {
	int jobs; /* threads; <= 0: one per online CPU */
	/* Called on stderr-bound progress; may be NULL. */
	void (*progress)(size_t done, size_t total, void *arg);
	void *progress_arg;
};

/*
 * Parses and analyses every package, in parallel, and fills out (findings sorted by file,
 * line, column, rule; watch directives; counts). A file that cannot be read is an error:
 * returns -1 with err naming it. Syntax errors are counted, not fatal.
 */
int lint_run(const struct lint_package_list *pkgs, const struct lint_options *o,
	     struct lint_result *out, struct cw_error *err);

/* Major and minor of a Go version such as "1.22", "go1.21.3", "1.23rc1"; -1 when unknown. */
int lint_go_minor(const char *version);
#endif
