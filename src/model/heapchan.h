// SPDX-License-Identifier: MIT
// Channel allocation sites found in heap profiles: what the heap analyzer fills and outputs read.
#ifndef CW_MODEL_HEAPCHAN_H
#define CW_MODEL_HEAPCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"

/*
 * Heap-profile numbers for one site. Values are what runtime/pprof wrote:
 * estimates already scaled for sampling (see analyze/heap.h). Objects are
 * heap objects, not channels: a channel whose element type holds pointers
 * and that has a buffer is two objects (hchan and buffer).
 */
struct heapchan_counts {
	int64_t alloc_objects;
	int64_t alloc_bytes;
	int64_t inuse_objects;
	int64_t inuse_bytes;
};

/* How a site was recognised as a make(chan) call site. */
enum heapchan_evidence {
	/* The stack holds runtime.makechan/makechan64 or reflect.makechan (reflect.MakeChan). */
	HEAPCHAN_EVIDENCE_STACK = 0,
	/* Go hides leading runtime frames: the source line of the innermost frame reads make(chan.
	 */
	HEAPCHAN_EVIDENCE_SOURCE,
};

/* One make(chan T) call site: the first frame outside the runtime above makechan. */
struct heapchan_site {
	const char *func;
	const char *file;
	uint32_t line;
	enum heapchan_evidence evidence;
	const char *via;	      /* "runtime.makechan", "reflect.makechan", ... or "source" */
	struct heapchan_counts now;   /* the (NEW) profile */
	struct heapchan_counts base;  /* the OLD profile; zero without one */
	struct heapchan_counts delta; /* now - base; zero without a base */
	uint64_t samples;	      /* profile samples merged into this site (now + base) */
};

/*
 * Everything, strings included, lives in arena; heapchan_result_release()
 * frees it. sites are sorted (see analyze/heap.h) and already cut to the
 * --top / --min-objects limits; nsites_found counts them before the cut.
 */
struct heapchan_result {
	struct arena arena;
	const char *input_now;	/* the inputs as the user named them (set by the caller) */
	const char *input_base; /* NULL without a base */
	bool has_base;
	struct heapchan_site *sites;
	size_t nsites;
	size_t nsites_found;
	struct heapchan_counts total_now; /* all channel sites found, before the cut */
	struct heapchan_counts total_base;
	struct heapchan_counts heap_now; /* the whole heap profile, channels or not */
	struct heapchan_counts heap_base;
	int64_t period_now, period_base; /* sampling rate in bytes (MemProfileRate) */
	int64_t time_nanos_now, time_nanos_base;
	size_t
	    sources_missing; /* source files that could not be read for HEAPCHAN_EVIDENCE_SOURCE */
	const char *source_missing_example; /* one of them, or NULL */
};

void heapchan_result_release(struct heapchan_result *res);
#endif
