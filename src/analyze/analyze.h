// SPDX-License-Identifier: MIT
// The one leak analyzer: classifies, groups and ranks goroutines from any producer.
#ifndef CW_ANALYZE_H
#define CW_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "model/goroutine.h"

#define ANALYZER_DEFAULT_MIN_COUNT 10

struct analyzer_options {
	/* A site is a threshold suspect with at least min_count goroutines (0 = default 10)... */
	uint64_t min_count;
	/* ...and, when non-zero, whose longest wait is at least min_minutes. */
	uint32_t min_minutes;
	/* Goroutines whose top frame or blocking site matches are dropped ("pkg.Func", or a
	 * prefix ending in '*'). */
	const char *const *ignore_top;
	size_t nignore_top;
	/* Goroutines whose creator matches are dropped. */
	const char *const *ignore_created_by;
	size_t nignore_created_by;
	/* Also rank sites in the standard library (off: LeakProf reports only user code). */
	bool include_std;
	/* Do not read source files to tell `for range ch` from `<-ch` (text dumps hide the
	 * runtime frames that would say). */
	bool no_source;
	/* Where to look for sources the dump names by paths this machine lacks (NULL: none). */
	const char *source_dir;
	/* Two snapshots, OLD (0) and NEW (1): must be known before OLD is fed. */
	bool diff;
};

struct analyzer;

/* Returns a new analyzer; opt is copied (the strings it points at must outlive the analyzer). */
struct analyzer *analyzer_new(const struct analyzer_options *opt);

/*
 * Fills *sink so that a producer feeds snapshot `which` of the analyzer:
 * 0 for a single dump, or OLD in a diff; 1 for NEW in a diff (opt.diff).
 */
void analyzer_sink(struct analyzer *a, int which, struct dump_sink *sink);

/*
 * Brackets one input of snapshot `which`: call begin before feeding its
 * goroutines and end after, with what the producer reported (copied).
 * time_ns is the input's time when the producer gave none (file mtime).
 */
void analyzer_begin_input(struct analyzer *a, int which, const char *name);
void analyzer_end_input(struct analyzer *a, const struct dump_info *info, int64_t time_ns);

/* Ranks and moves the result into *out, then frees the analyzer. */
void analyzer_finish(struct analyzer *a, struct analysis *out);

void analysis_release(struct analysis *an);

/* Classifies one goroutine from its wait reason, or its frames when it has none. */
enum block_class classify_goroutine(const struct goroutine *g);

/*
 * Index of the blocking-site frame: the first frame outside the runtime,
 * internal/ packages, sync and time.Sleep; 0 when every frame is such; -1
 * when there are no frames.
 */
int blocking_frame_index(const struct goroutine *g);

/* Whether func (an "import/path.Name" as Go prints it) is in the standard library. */
bool func_is_std(const char *func, size_t len, const char *file, size_t filelen);
#endif
