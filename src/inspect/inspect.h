// SPDX-License-Identifier: MIT
// Live reader of a Go process's runtime: goroutines, the channels they wait on, their stacks.
#ifndef CW_INSPECT_H
#define CW_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gobin/gobin.h"
#include "gobin/layout.h"
#include "inspect/mem.h"
#include "lib/arena.h"
#include "lib/usage.h"
#include "model/goroutine.h"

/*
 * A snapshot is taken in three steps, every remote read going through struct remote_mem:
 *   1. runtime.allgs -> every g (one batched read per 1,024 goroutines);
 *   2. the sudogs of waiting goroutines -> the hchans they wait on -> each channel's
 *      send and receive queues;
 *   3. each goroutine's stack, unwound by frame pointers from its saved sched.{pc,sp,bp}
 *      inside one read of [sp, min(stack.hi, sp + LIVE_STACK_WINDOW)); the few deeper
 *      stacks are read again up to LIVE_STACK_WIDE.
 * Nothing is stopped (unless the caller pauses the target), so the runtime moves under
 * the reader: every g is read again after its stack, and a goroutine whose goid, status or
 * saved sp changed is read again (up to LIVE_RETRIES times), then marked LG_CHANGED. What
 * cannot be read is marked, never fatal. Every remote list walk is bounded.
 */

#define LIVE_STACK_WINDOW (64u * 1024) /* bytes of stack read per goroutine first */
#define LIVE_STACK_WIDE	  (4u << 20)   /* ...and for the deeper ones, at most */
#define LIVE_MAX_FRAMES	  4096	       /* PCs unwound per goroutine at most */
#define LIVE_MAX_SELECT	  64	       /* sudogs followed per goroutine (select cases) */
#define LIVE_MAX_WAITERS  (1u << 20)   /* sudogs followed per channel queue */
#define LIVE_MAX_GS	  (1u << 26)   /* goroutines read at most */
#define LIVE_RETRIES	  3

enum live_g_flags {
	LG_UNREADABLE = 1 << 0,	   /* the g itself could not be read */
	LG_NO_STACK = 1 << 1,	   /* running on a thread: no saved registers to unwind */
	LG_STACK_BAD = 1 << 2,	   /* the stack could not be read or unwound past frame 0 */
	LG_CHANGED = 1 << 3,	   /* kept changing while read: frames may be stale */
	LG_FRAMES_ELIDED = 1 << 4, /* deeper than LIVE_MAX_FRAMES or LIVE_STACK_WIDE: outer frames
				      missing */
	LG_WIDE = 1 << 5,	   /* read with the LIVE_STACK_WIDE window */
};

struct live_g {
	uint64_t addr; /* runtime address of the g */
	uint64_t goid, parent_goid;
	uint64_t gopc;	    /* the go statement's PC (runtime address) */
	uint64_t startpc;   /* the goroutine's function (runtime address) */
	int64_t waitsince;  /* nanotime when it started waiting; 0 unknown */
	uint32_t status;    /* atomicstatus without _Gscan */
	uint8_t waitreason; /* g.waitreason */
	bool scan;	    /* _Gscan was set */
	unsigned flags;	    /* enum live_g_flags */
	uint64_t *pcs;	    /* runtime PCs, innermost first: pcs[0] = sched.pc, then return
			       addresses (snapshot arena) */
	uint32_t npcs;
	uint32_t *chans; /* indices into live_snapshot.chans this goroutine waits on */
	uint32_t nchans;
	/* raw saved state (kept for --json and debugging) */
	uint64_t sp, pc, bp, stack_lo, stack_hi, waiting;
};

struct live_chan {
	uint64_t addr;	   /* hchan runtime address */
	uint64_t qcount;   /* values buffered */
	uint64_t dataqsiz; /* capacity */
	uint64_t elemtype; /* *abi.Type (runtime address) */
	uint32_t elemsize;
	bool closed;
	bool readable;	  /* false: the hchan could not be read (fields are zero) */
	const char *elem; /* element type name ("int", "*main.job"); "" unknown (snapshot arena;
			     named by live_snapshot_take through the binary) */
	uint64_t *senders, *receivers; /* goids waiting in sendq / recvq (snapshot arena) */
	uint32_t nsenders, nreceivers;
	bool queues_truncated; /* a queue was longer than LIVE_MAX_WAITERS or broken */
};

struct live_snapshot {
	struct live_g *gs; /* in allgs order, dead goroutines left out */
	size_t ngs;
	struct live_chan *chans; /* in first-seen order */
	size_t nchans;
	uint64_t allglen;    /* goroutines ever allocated (allgs length), dead ones included */
	int64_t mono_ns;     /* CLOCK_MONOTONIC (the target's nanotime) when taken */
	uint64_t unreadable; /* goroutines marked LG_UNREADABLE */
	uint64_t changed;    /* goroutines marked LG_CHANGED */
	uint64_t retries;    /* re-reads of goroutines that changed */
	int64_t took_ns;     /* wall time of the snapshot */
	uint64_t bytes_read, read_calls;
	struct arena arena; /* everything the snapshot points to */
};

/* A target: a live process or a replayed recording. Fields are read-only for callers. */
struct live_target {
	pid_t pid;
	struct remote_mem *mem;
	struct gobin bin;
	bool have_bin;
	bool replayed; /* a recording, not a live process */
	struct runtime_layout dwarf_layout;
	const struct runtime_layout *layout;
	struct snapshot_meta meta; /* roots, bias, go version, exe */
	const char *layout_source; /* "DWARF" or "table go1.26" (static or in bin's arena) */
	const char *roots_source;  /* "symtab" or "disassembly" */
};

/*
 * Opens process pid for reading: its executable (/proc/PID/exe), the runtime layout of
 * its Go version (DWARF, else the generated table), its load bias and where allgs is.
 * When record_path is not NULL, every read is recorded to that file, written by
 * live_target_close(). Returns 0, or a negative errno with err set to one line naming the
 * process: not there, not a Go program, Go version without a layout, no permission.
 */
int live_target_open(struct live_target *t, pid_t pid, const char *record_path,
		     struct cw_error *err);

/*
 * Opens a recording for replay. exe overrides the binary path recorded in it (NULL: use
 * the recorded one); without a readable binary, frames are not symbolized (only PCs).
 */
int live_target_open_replay(struct live_target *t, const char *snap_path, const char *exe,
			    struct cw_error *err);

/* Writes a pending recording (its error, with err set) and releases t. */
int live_target_close(struct live_target *t, struct cw_error *err);

/*
 * Takes a snapshot into *s (zeroed first; release with live_snapshot_release()). Returns
 * 0, or a negative errno with err set when nothing usable could be read (process gone,
 * permission, allgs unreadable or implausible); *s is then empty (released again harmlessly).
 * Single goroutines that cannot be read are marked, not errors.
 */
int live_snapshot_take(struct live_target *t, struct live_snapshot *s, struct cw_error *err);

/* What the walker may ask of the program's binary; NULL members are not asked. */
struct live_binary_hooks {
	/* The frame size at runtime address pc (gobin_sp_delta): 0, or negative. Needed by
	 * Go <= 1.22, which leaves sched.bp stale when a goroutine enters a system call. */
	int (*sp_delta)(void *ctx, uint64_t pc, int32_t *delta);
	void *ctx;
};

/*
 * The walker alone, over any memory: what live_snapshot_take() does once the target is
 * open (the fuzz target feeds it hostile memory). roots gives allgs/allglen addresses and
 * mono_ns; hooks may be NULL. On error *s is left released (empty).
 */
int live_snapshot_walk(struct remote_mem *mem, const struct runtime_layout *l,
		       const struct snapshot_meta *roots, const struct live_binary_hooks *hooks,
		       struct live_snapshot *s, struct cw_error *err);

void live_snapshot_release(struct live_snapshot *s);

/*
 * Delivers every goroutine of s to sink as the model's struct goroutine, as debug=2
 * would show it: status from the wait reason, wait minutes, frames symbolized through the
 * binary (inlined calls expanded, runtime.goexit left out), creator, and the first
 * channel it waits on. bin may be NULL (frames then carry only PCs, named "?").
 * Returns 0 or the sink's negative return.
 */
struct live_emit_options {
	bool system; /* also runtime-internal goroutines, all frames (GOTRACEBACK=system) */
};
int live_snapshot_emit(const struct live_snapshot *s, const struct live_target *t,
		       const struct live_emit_options *opt, const struct dump_sink *sink);

/* c as the model's chan_info (pointing into c: valid as long as the snapshot). */
void live_chan_info(const struct live_chan *c, struct chan_info *out);

#endif
