// SPDX-License-Identifier: MIT
// Loader of the chanwatch BPF programs: attach uprobes to a Go binary, stream events.
#ifndef CW_TRACE_H
#define CW_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gobin/layout.h"
#include "lib/usage.h"
#include "trace/chanwatch.h"
#include "trace/probes.h"

/* Host view of one event (see chanwatch.h for the fields). */
struct trace_event {
	uint64_t ts_ns;
	uint64_t goid;
	uint64_t chan;
	uint64_t arg;
	uint64_t aux;  /* MAKE: *chantype; BLOCK: g.gopc */
	uint32_t type; /* enum cw_event_type */
	uint32_t tgid;
	int32_t stack_id;
	uint8_t reason;
	uint8_t nsel;		       /* BLOCK on select: channels in sel[] */
	uint64_t sel[CW_SELECT_CHANS]; /* BLOCK on select: its channels */
};

struct trace_options {
	const char *binary;		     /* path of the Go binary to probe */
	pid_t pid;			     /* only this process; 0 = every process of binary */
	const struct runtime_layout *layout; /* offsets and waitReasons of its Go version */
	const struct trace_probes *probes;   /* from trace_find_probes() */
	bool empty_probes; /* attach every probe, but each returns at once: the floor of what
			      the uprobe traps alone cost, for bench/trace (no events) */
};

struct tracer;

/*
 * Loads the BPF programs with the layout's offsets and attaches every probe.
 * Returns 0, or a negative errno with err set: -EPERM/-EACCES name the missing
 * privilege ("needs root, or CAP_BPF and CAP_PERFMON").
 */
int tracer_open(struct tracer **out, const struct trace_options *opt, struct cw_error *err);

/*
 * Waits up to timeout_ms (the BPF side wakes the consumer only once 1 MiB is
 * waiting) and calls fn for every event there is (fn returning negative stops
 * and is returned). Returns the number handled, or negative. -EINTR (a signal)
 * is not an error: it returns 0.
 */
int tracer_poll(struct tracer *t, int timeout_ms, int (*fn)(void *ctx, const struct trace_event *e),
		void *ctx);

/* Copies up to max user-stack PCs of stack_id, innermost first; returns how many (0 if gone). */
size_t tracer_stack(struct tracer *t, int32_t stack_id, uint64_t *pcs, size_t max);

/* Events lost because the ring buffer was full, and stacks that could not be captured. */
void tracer_dropped(struct tracer *t, uint64_t *events, uint64_t *stacks);

/* Detaches and frees; accepts NULL. */
void tracer_close(struct tracer *t);
#endif
