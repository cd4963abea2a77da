// SPDX-License-Identifier: MIT
// A tracing session: tracer events -> channel and goroutine state -> model records and events.
#ifndef CW_TRACE_SESSION_H
#define CW_TRACE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "analyze/analyze.h"
#include "model/profile.h"
#include "gobin/gobin.h"
#include "gobin/layout.h"
#include "trace/trace.h"

/* Channels and goroutines held at once; beyond, new ones are dropped and counted. */
#define SESSION_MAX_CHANS      (1u << 20)
#define SESSION_MAX_GOROUTINES (1u << 20)

struct trace_session_options {
	const struct gobin *bin;	     /* the traced binary (symbolization) */
	const char *binary_path;	     /* its path, to find its mappings */
	const struct runtime_layout *layout; /* waitReason numbers */
	struct tracer *tracer;		     /* stacks */
	pid_t pid;			     /* the traced process (its /proc maps for PIE) */
	uint64_t leak_after_ns;		     /* a channel wait longer than this is a leak */
	FILE *json;			     /* JSON Lines events (docs/trace-events.md), or NULL */
	FILE *perfetto; /* Chrome trace JSON timeline (ui.perfetto.dev), or NULL */
	const struct trace_probes *probes; /* where the probes are: PIE load bias */
};

struct trace_session_counts {
	uint64_t events, leaks, misuses, blocked_on_chans;
	uint64_t dropped_events, dropped_stacks, dropped_state;
};

struct trace_session;

/* A new session; options are copied (the pointed-to objects must outlive it). */
struct trace_session *trace_session_new(const struct trace_session_options *opt);

/* Handles one tracer event: a tracer_poll() callback. Returns 0. */
int trace_session_event(void *session, const struct trace_event *e);

/*
 * Reports (once each, as JSON `leak` events) goroutines blocked on a channel for
 * longer than leak_after as of now_ns (CLOCK_MONOTONIC, like the events).
 */
void trace_session_check(struct trace_session *s, uint64_t now_ns);

/*
 * Feeds the analyzer (its snapshot 0): every misuse as a panic report followed by
 * the goroutine, and every goroutine blocked on a channel longer than leak_after,
 * or every one still blocked when at_exit (those blocked for less than
 * leak_after carry no measured time, so they rank only on their own merits).
 * Emits their JSON `leak` events (at_exit ones too) and the final `summary`.
 */
void trace_session_finish(struct trace_session *s, struct analyzer *a, uint64_t now_ns,
			  bool at_exit);

void trace_session_counts(const struct trace_session *s, struct trace_session_counts *out);

/*
 * Blocking on channels by stack, as a profile for `go tool pprof`: sample types
 * blocked/nanoseconds (time spent blocked, finished waits and leaks so far),
 * waits/count and leaked/count. Call after trace_session_finish(); p is
 * profile_init()ed by the caller, its strings live in p's arena.
 */
void trace_session_profile(struct trace_session *s, struct profile *p);
void trace_session_free(struct trace_session *s);
#endif
