// SPDX-License-Identifier: MIT
// The goroutine model every producer fills and the analyzer and outputs read.
#ifndef CW_MODEL_GOROUTINE_H
#define CW_MODEL_GOROUTINE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/slice.h"

enum frame_flags {
	FRAME_INLINED = 1 << 0,	    /* printed with args "(...)": an inlined call */
	FRAME_NON_GO = 1 << 1,	    /* "non-Go function at pc=0x..." (cgo) */
	FRAME_UNAVAILABLE = 1 << 2, /* "goroutine running on other thread; stack unavailable" */
};

/*
 * One stack frame. Strings point into the producer's buffer and are valid
 * only as long as the goroutine that holds the frame (see struct goroutine).
 */
struct frame {
	struct slice func; /* "main.worker", "main.(*T).run[...]", "panic" */
	struct slice file; /* "/src/app/main.go"; empty when unknown */
	uint32_t line;	   /* 0 when unknown */
	uint32_t offset;   /* "+0x1d" in text dumps; 0 when absent */
	uint64_t pc;	   /* absolute PC when the source gives one (debug=0/1, non-Go), else 0 */
	unsigned flags;	   /* enum frame_flags */
};

enum goroutine_flags {
	G_LEAKED = 1 << 0,	   /* " (leaked)": proven unreachable by Go's goroutineleak GC */
	G_DURABLE = 1 << 1,	   /* " (durable)": synctest durably blocked (Go 1.26) */
	G_LOCKED = 1 << 2,	   /* ", locked to thread" */
	G_SCAN = 1 << 3,	   /* " (scan)" */
	G_HAS_MINUTES = 1 << 4,	   /* wait_minutes is set */
	G_CRASH_INFO = 1 << 5,	   /* header carried gp=/m= fields (crash dump) */
	G_SYNCTEST = 1 << 6,	   /* synctest_group is set */
	G_HAS_STATUS = 1 << 7,	   /* status is known (text dumps); debug=0/1 have none */
	G_RUNTIME_HIDDEN = 1 << 8, /* debug=1 hid leading runtime frames: the record's "@" PCs
				    start above its first printed frame */
};

/* Marker for "...additional frames elided..." (Go <= 1.20), whose count is unknown. */
#define FRAMES_ELIDED_UNKNOWN UINT32_MAX

/*
 * A channel, when the producer knows it (the tracer sees every make and close).
 * Strings and frames are owned by the producer, valid during the sink callback.
 */
struct chan_info {
	uint64_t addr;		/* hchan address */
	uint64_t gen;		/* generation: addresses are reused after collection */
	uint64_t cap;		/* buffer capacity */
	struct frame made_at;	/* the make(chan) site; func empty when unknown */
	struct frame closed_at; /* the close(ch) site; func empty when never closed */
	bool closed;
	/* What the live reader sees (zero from other producers): */
	uint64_t len;			     /* values buffered now */
	struct slice elem_type;		     /* element type ("int", "*main.job"); empty unknown */
	const uint64_t *senders, *receivers; /* goids waiting in its send / receive queue */
	uint32_t nsenders, nreceivers;
};

/*
 * One goroutine, or in debug=0/1 profiles one record standing for `count`
 * goroutines with the same stack and labels.
 *
 * Producers stream goroutines to a sink one at a time: every pointer in here
 * (frames, strings) is owned by the producer and valid only during the sink
 * callback. Consumers copy (intern) what they keep.
 */
struct goroutine {
	uint64_t id;		 /* goroutine ID; 0 when the source has none (debug=0/1) */
	uint64_t count;		 /* goroutines this record stands for: 1 for a text dump */
	struct slice status;	 /* wait reason or state without modifiers: "chan receive",
				    "running", "select (no cases)"; empty if unknown */
	uint32_t wait_minutes;	 /* ", N minutes" (lags by up to one GC cycle) */
	unsigned flags;		 /* enum goroutine_flags */
	uint64_t synctest_group; /* "synctest group N" (1.24) / "synctest bubble N" (1.26) */
	struct slice labels;	 /* raw "k": "v", ... text (text dumps) or "k=v" pairs joined
				    by ", " (profiles); empty when none */

	const struct frame *frames; /* innermost first */
	uint32_t nframes;
	uint32_t frames_elided; /* N of "...N frames elided...", FRAMES_ELIDED_UNKNOWN, or 0 */
	uint32_t stack_id;	/* 0, or the producer's number for this stack, counting 1, 2, 3...
				   (small and dense: writers index arrays by it): every goroutine
				   it gives one stack_id has the same frames, nframes and
				   frames_elided (writers may format a shared stack once) */

	struct frame created_by; /* creator's go statement; func empty when absent */
	uint64_t creator_id;	 /* "in goroutine N" (Go 1.21+), 0 when absent */
	uint32_t nancestors;	 /* "[originating from goroutine N]" blocks seen */

	uint64_t input_line; /* 1-based line of the header (text) or 0 */
	uint64_t
	    blocked_ns; /* how long it has been blocked, when measured (tracer); 0 if unknown */
	const struct chan_info *chan; /* the channel it waits on, when known; NULL otherwise */
};

/* Panics and fatal errors that matter for channels, recognised in crash output. */
enum panic_kind {
	PANIC_OTHER = 0,       /* "panic: ..." we do not classify */
	PANIC_SEND_ON_CLOSED,  /* panic: send on closed channel */
	PANIC_CLOSE_OF_CLOSED, /* panic: close of closed channel */
	PANIC_CLOSE_OF_NIL,    /* panic: close of nil channel */
	PANIC_DEADLOCK,	       /* fatal error: all goroutines are asleep - deadlock! */
	PANIC_TEST_TIMEOUT,    /* panic: test timed out after ... */
	PANIC_FATAL_OTHER,     /* other "fatal error: ..." */
};

/*
 * A panic or fatal error line. The goroutine that panicked is the next one
 * the producer emits (Go prints it first). Strings valid during the callback.
 */
struct panic_report {
	enum panic_kind kind;
	struct slice message; /* text after "panic: " / "fatal error: " */
	uint64_t input_line;
	const struct chan_info *chan; /* the misused channel, when known (tracer); may be NULL */
};

enum dump_format {
	DUMP_FORMAT_UNKNOWN = 0,
	DUMP_FORMAT_TEXT,   /* debug=2, runtime.Stack, crash, SIGQUIT, go test timeout */
	DUMP_FORMAT_DEBUG1, /* "goroutine profile: total N" */
	DUMP_FORMAT_PROTO,  /* gzipped profile.proto (debug=0) */
	DUMP_FORMAT_TRACE,  /* chanwatch trace: eBPF uprobes on a running program */
	DUMP_FORMAT_LIVE,   /* chanwatch ps: read from a running program's memory */
};

/* What a producer learnt about its input as a whole. */
struct dump_info {
	enum dump_format format;
	char profile_name[32];	 /* "goroutine", "goroutineleak"; empty for text dumps */
	uint64_t declared_total; /* "total N" of debug=1 / sum of counts in proto; 0 if unknown */
	uint64_t goroutines;	 /* goroutines emitted (sum of counts) */
	uint64_t records;	 /* records emitted */
	uint64_t bytes;		 /* input bytes consumed */
	uint64_t lines;		 /* input lines consumed (text) */
	int64_t time_nanos;	 /* profile time (proto), 0 if unknown */
	bool truncated;		 /* input ended inside a goroutine, or at the 64 MiB debug=2 cap */
	char truncated_why[128];
};

/* Where producers deliver goroutines. Callbacks return 0, or negative to stop. */
struct dump_sink {
	int (*goroutine)(void *ctx, const struct goroutine *g);
	int (*panic)(void *ctx, const struct panic_report *p); /* may be NULL */
	void *ctx;
};
#endif
