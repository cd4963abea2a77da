// SPDX-License-Identifier: MIT
// A pprof profile in symbolised form: what the proto reader fills and the pprof writer encodes.
#ifndef CW_MODEL_PROFILE_H
#define CW_MODEL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "model/goroutine.h"

struct profile_value_type {
	const char *type; /* "goroutine", "inuse_space", ... */
	const char *unit; /* "count", "bytes", ... */
};

struct profile_label {
	const char *key;
	const char *str; /* NULL for a numeric label */
	int64_t num;
	const char *num_unit; /* may be NULL */
};

/*
 * One sample. frames are innermost first with inlined calls expanded (one
 * pprof Location with several Lines becomes several frames, the inlined
 * callee first, as Go prints them).
 */
struct profile_sample {
	int64_t *values; /* nsample_types entries */
	struct frame *frames;
	size_t nframes;
	struct profile_label *labels;
	size_t nlabels;
};

/*
 * Everything, strings included, lives in `arena` and is freed by
 * profile_release(). Frame slices point into the arena and are NUL-terminated.
 */
struct profile {
	struct arena arena;
	struct profile_value_type *sample_types;
	size_t nsample_types;
	struct profile_sample *samples;
	size_t nsamples;
	struct profile_value_type period_type;
	int64_t period;
	int64_t time_nanos;
	int64_t duration_nanos;
	const char *default_sample_type; /* may be NULL */
	const char **comments;
	size_t ncomments;
};

void profile_init(struct profile *p);
void profile_release(struct profile *p);
/* Index of the sample type named type, or -1. */
int profile_sample_type_index(const struct profile *p, const char *type);
#endif
