// SPDX-License-Identifier: MIT
// Channel allocation sites in Go heap profiles, and their growth between two profiles.
#ifndef CW_ANALYZE_HEAP_H
#define CW_ANALYZE_HEAP_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/usage.h"
#include "model/heapchan.h"
#include "model/profile.h"

/*
 * Input: Go heap profiles (sample types alloc_objects/count, alloc_space/bytes,
 * inuse_objects/count, inuse_space/bytes; period_type space/bytes, period =
 * runtime.MemProfileRate, 512 KiB by default).
 *
 * Sampling: runtime/pprof writes the proto heap profile with values already
 * scaled to estimates of the unsampled totals (scaleHeapSample in
 * runtime/pprof/protomem.go divides each record by 1-exp(-size/rate);
 * checked in the Go 1.22.12 and 1.26.8 sources). We use the values as they
 * are and never rescale. With MemProfileRate = 1 they are exact. Numbers are
 * as of the last completed GC cycle (what runtime.MemProfile reports).
 *
 * Recognising make(chan) sites. runtime/pprof drops the leading runtime.*
 * frames of every heap sample (the hideRuntime loop in protomem.go), so in
 * profiles Go writes, runtime.makechan never appears; reflect.makechan (the
 * linkname'd runtime.reflect_makechan behind reflect.MakeChan) does, since its
 * symbol is not in package runtime. A sample is a channel allocation when
 *   1. its stack holds runtime.makechan, runtime.makechan64,
 *      runtime.reflect_makechan or reflect.makechan (other producers, or Go
 *      profiles of reflect.MakeChan): the site is the first frame above it
 *      outside runtime.*, internal/runtime/... and reflect.*; or
 *   2. (opt->use_source) its innermost frame is not runtime code and the
 *      source line at that frame's file:line contains "make(chan",
 *      "make(<-chan" or "make(chan<-". The file is looked up as written in the
 *      profile, then under opt->source_dir by successively shorter path
 *      suffixes (for -trimpath builds). Other allocations on the same line as
 *      make(chan ...) are then counted too, and a make of a named channel
 *      type (type C chan int; make(C)) is not recognised.
 *
 * Sites are keyed by (function, file, line) and sorted by delta in-use bytes
 * (with a base) or in-use bytes, then alloc bytes, then file and line.
 */
struct heapchan_options {
	bool use_source;
	const char *source_dir; /* may be NULL */
	size_t top;		/* keep at most top sites; 0 = all */
	int64_t min_objects;	/* drop sites whose in-use objects (delta with a base) are below */
};

/* Returns 0 when p has the four heap sample types, else -1 with err set ("not a heap profile ...").
 */
int heapchan_check(const struct profile *p, struct cw_error *err);

/*
 * Fills res (zeroed by the caller) from the heap profile now and, when base
 * is not NULL, the older profile base. Returns 0, or -1 with err set ("not a
 * heap profile ..."); res is then to be released all the same.
 */
int heapchan_analyze(const struct profile *now, const struct profile *base,
		     const struct heapchan_options *opt, struct heapchan_result *res,
		     struct cw_error *err);
#endif
