// SPDX-License-Identifier: MIT
// The per-package config file `go vet -vettool=chanwatch` passes as the tool's last argument.
#ifndef CW_LINT_VETCFG_H
#define CW_LINT_VETCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/arena.h"
#include "lib/usage.h"

/* Largest config file read (a package with many dependencies is a few hundred KiB). */
#define VET_CONFIG_MAX (16u << 20)

/* One entry of a string -> string map (ImportMap, PackageFile, PackageVetx). */
struct vet_config_pair {
	const char *key;
	const char *value;
};

/*
 * cmd/go's vetConfig (cmd/go/internal/work/exec.go), Go 1.21 .. 1.26.
 * String fields are NULL when absent or empty. Fields only newer toolchains
 * write: ModulePath/ModuleVersion (1.23+), Stdout/FixArchive (1.26+).
 * Everything, the struct's arrays included, lives in arena.
 */
struct vet_config {
	char *id;	   /* "ID": package ID, e.g. "fmt [fmt.test]" */
	char *compiler;	   /* "gc" or "gccgo" */
	char *dir;	   /* the package directory */
	char *import_path; /* "ImportPath" */
	char **go_files;   /* absolute paths, in cmd/go's order */
	size_t ngo_files;
	char **non_go_files;
	size_t nnon_go_files;
	char **ignored_files; /* files excluded by build constraints */
	size_t nignored_files;
	char *module_path;
	char *module_version;
	struct vet_config_pair *import_map; /* import path in source -> package path */
	size_t nimport_map;
	struct vet_config_pair *package_file; /* package path -> export data file */
	size_t npackage_file;
	char **standard; /* package paths marked true in "Standard" */
	size_t nstandard;
	struct vet_config_pair *package_vetx; /* package path -> facts from an earlier run */
	size_t npackage_vetx;
	bool vetx_only;	   /* compute facts only: report nothing */
	char *vetx_output; /* where facts go (see the lint notes on caching) */
	char *stdout_path; /* "Stdout" (Go 1.26+): where -json output must be written */
	char *go_version;  /* "go1.22", "go1.23.4" ... */
	char *fix_archive; /* "FixArchive" (Go 1.26+) */
	bool succeed_on_typecheck_failure;
	struct arena arena;
};

/*
 * Parses a config from buf[0..len). Unknown fields are ignored (newer
 * toolchains add some); a known field of the wrong type is an error. Returns
 * 0, or negative with err saying what is wrong (no file name: the caller adds
 * it). On error cfg holds nothing to release. Call vet_config_release after
 * success.
 */
int vet_config_parse(struct vet_config *cfg, const char *buf, size_t len, struct cw_error *err);

/* Reads the file at path (at most VET_CONFIG_MAX bytes) and parses it. */
int vet_config_read(struct vet_config *cfg, const char *path, struct cw_error *err);

/* Frees everything and zeroes cfg. Safe on a zeroed struct. */
void vet_config_release(struct vet_config *cfg);

/*
 * Parses a Go version "go1.22", "go1.22.3", "go1.23rc1" or "1.21" into major
 * and minor. Returns 0, or -EINVAL.
 */
int vet_go_version_parse(const char *v, int *major, int *minor);
#endif
