// SPDX-License-Identifier: MIT
// Where to put the tracer's uprobes in a Go binary: after stack checks, and on every RET.
#ifndef CW_TRACE_PROBES_H
#define CW_TRACE_PROBES_H

#include <stddef.h>
#include <stdint.h>

#include "gobin/gobin.h"
#include "lib/usage.h"

#define PROBE_MAX_RETS 16

/* One probe: the function it belongs to and where, as a virtual address and a file offset. */
struct probe_point {
	uint64_t vaddr;
	uint64_t offset;
};

/*
 * The probes of `chanwatch trace`. Entry probes sit on the PUSH BP right after
 * the goroutine stack-bound check (CMP SP, 16(R14); JBE morestack), so they
 * fire once per call even when the prologue grows the stack and re-enters, and
 * the kernel emulates PUSH instead of single-stepping it. makechan has one
 * probe per RET instead of a uretprobe, which Go cannot survive.
 */
struct trace_probes {
	struct probe_point makechan;
	struct probe_point makechan_rets[PROBE_MAX_RETS];
	size_t nmakechan_rets;
	struct probe_point closechan;
	struct probe_point gopark;
	struct probe_point ready;
	struct probe_point goexit1;
	/* CALL runtime.gopanic sites in runtime.chansend ("send on closed channel") */
	struct probe_point send_panics[PROBE_MAX_RETS];
	size_t nsend_panics;
	/* CALL runtime.gopanic sites in runtime.selectgo (a select's send on a closed channel) */
	struct probe_point select_panics[PROBE_MAX_RETS];
	size_t nselect_panics;
};

/*
 * Finds every probe in b (x86-64 only for now). Returns 0, or -1 with err set
 * naming the function ("runtime.gopark: not found", "...: no RET").
 */
int trace_find_probes(const struct gobin *b, struct trace_probes *out, struct cw_error *err);

/*
 * Offset from `code` (the function's first bytes, len of them) of the
 * instruction after the x86-64 goroutine stack-bound check when it is a PUSH
 * BP, else 0 (the entry). Exposed for tests.
 */
size_t probe_after_stack_check(const uint8_t *code, size_t len);

/* Offsets of every RET in the x86-64 code, up to max; returns how many, or -1 on bad code. */
int probe_find_rets(const uint8_t *code, size_t len, size_t *offs, size_t max);

/*
 * Offsets of every CALL to absolute address `target` in the x86-64 code that
 * starts at address `base`, up to max; returns how many, or -1 on bad code.
 */
int probe_find_calls(const uint8_t *code, size_t len, uint64_t base, uint64_t target, size_t *offs,
		     size_t max);
#endif
