// SPDX-License-Identifier: MIT
// Lines of Go source named by stack frames, when the files are on this machine.
#ifndef CW_ANALYZE_SOURCE_H
#define CW_ANALYZE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/slice.h"
#include "model/analysis.h"

/* Source files larger than this are not read. */
#define SOURCE_FILE_MAX ((size_t)16 << 20)
/* Distinct files read by one cache; later ones count as missing. */
#define SOURCE_FILES_MAX 4096

struct source_cache;

/*
 * A cache of source files, each read once. source_dir, when not NULL, is
 * where to look for files the dump names by a path this machine does not have
 * (-trimpath builds, another checkout): successively shorter suffixes of the
 * path are tried under it. The string must outlive the cache.
 */
struct source_cache *source_cache_new(const char *source_dir);
void source_cache_free(struct source_cache *c);

enum source_file_status {
	SOURCE_FOUND,	      /* the file was read */
	SOURCE_MISSING_FIRST, /* not readable, and this is the first look-up of that path */
	SOURCE_MISSING,	      /* not readable, looked up before */
};

/*
 * Points *text at line `line` (1-based) of `path`, without its newline, and
 * returns its length; returns -1 when the file is not a readable regular file
 * of at most SOURCE_FILE_MAX bytes, or has no such line. *status (may be NULL)
 * says which. Never blocks on FIFOs or devices named by a hostile dump.
 */
ssize_t source_cache_line(struct source_cache *c, struct slice path, uint32_t line,
			  const char **text, enum source_file_status *status);

/* Whether a Go source line is a for-range statement ("for v := range ch {"). */
bool source_is_range(const char *text, size_t len);

/* Whether a Go source line holds make(chan T), make(<-chan T) or make(chan<- T). */
bool source_makes_chan(const char *text, size_t len);

/*
 * What channel operation a Go source line blocks in, for records whose
 * runtime frames are hidden (debug=1): "select {}" -> BLOCK_SELECT_NO_CASES,
 * "select {" -> BLOCK_SELECT, "for ... range" -> BLOCK_CHAN_RANGE, "ch <- v"
 * -> BLOCK_CHAN_SEND, "<-ch" -> BLOCK_CHAN_RECEIVE; BLOCK_UNKNOWN otherwise.
 * A heuristic: the line is not parsed as Go. A "//" comment ends the line.
 */
enum block_class source_classify(const char *text, size_t len);
#endif
