// SPDX-License-Identifier: MIT
// The result of the leak analyzer: classified, grouped and ranked goroutines. Outputs read this.
#ifndef CW_MODEL_ANALYSIS_H
#define CW_MODEL_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "model/goroutine.h"

/* What a goroutine is doing. Names (block_class_name) are a stable interface. */
enum block_class {
	BLOCK_CHAN_SEND = 0,	/* chan-send */
	BLOCK_CHAN_RECEIVE,	/* chan-receive: <-ch */
	BLOCK_CHAN_RANGE,	/* chan-range: for range ch, or v, ok := <-ch */
	BLOCK_SELECT,		/* select */
	BLOCK_SELECT_NO_CASES,	/* select-no-cases: select {} */
	BLOCK_NIL_CHAN_SEND,	/* nil-chan-send */
	BLOCK_NIL_CHAN_RECEIVE, /* nil-chan-receive */
	BLOCK_MUTEX,		/* mutex: sync.Mutex.Lock */
	BLOCK_RWMUTEX,		/* rwmutex: sync.RWMutex.Lock/RLock */
	BLOCK_WAITGROUP,	/* waitgroup: sync.WaitGroup.Wait */
	BLOCK_COND,		/* cond: sync.Cond.Wait */
	BLOCK_SEMACQUIRE,	/* semacquire: other semaphore waits */
	BLOCK_PARKED,		/* parked: in the runtime, debug=1 hides on what */
	BLOCK_IO_WAIT,		/* io-wait: network poller */
	BLOCK_SYSCALL,		/* syscall */
	BLOCK_SLEEP,		/* sleep: time.Sleep */
	BLOCK_RUNNING,		/* running */
	BLOCK_RUNNABLE,		/* runnable */
	BLOCK_RUNTIME, /* runtime: GC workers, finalizers and other runtime-internal waits */
	BLOCK_OTHER,   /* other: any other wait reason */
	BLOCK_UNKNOWN, /* unknown: a profile record we could not classify */
	BLOCK__COUNT
};

const char *block_class_name(enum block_class c);  /* "chan-send" */
const char *block_class_title(enum block_class c); /* "chan send" */
/* Channel operations (incl. select and nil channels). */
bool block_class_is_channel(enum block_class c);
/* Waits that can last forever: channel operations and sync primitives. */
bool block_class_can_leak(enum block_class c);

/* A source location. Strings are owned by the analysis arena. */
struct site {
	const char *func;
	const char *file;
	uint32_t line;
};

struct creator_count {
	struct site site; /* the go statement; func "" when the goroutine has no creator */
	uint64_t count;
};

enum suspect_reason {
	SUSPECT_NONE = 0,
	SUSPECT_LEAKED,	      /* Go's goroutineleak profile marked them (leaked): proof */
	SUSPECT_FOREVER,      /* nil channel or select {}: can never wake */
	SUSPECT_STUCK,	      /* --diff: blocked at the same PC in both snapshots */
	SUSPECT_THRESHOLD,    /* many goroutines, or long waits, at one site */
	SUSPECT_DEADLOCK,     /* the runtime found all goroutines asleep: all are stuck */
	SUSPECT_TEST_TIMEOUT, /* blocked in your code when `go test` timed out */
	SUSPECT_TRACED,	      /* chanwatch trace measured them blocked past --leak-after, or
				 still blocked when the program exited */
};

const char *suspect_reason_name(enum suspect_reason r); /* "leaked", "forever", ... */

#define GROUP_MAX_EXAMPLE_IDS 8
#define GROUP_MAX_CREATORS    4

/*
 * Goroutines that wait the same way at the same blocking site: the first
 * frame outside the runtime (and outside sync, internal/ and time.Sleep,
 * which wrap the runtime's park).
 */
struct group {
	enum block_class class;
	struct site site;
	bool std_site;	/* the site is in the Go standard library */
	uint64_t count; /* goroutines */
	uint64_t leaked;
	uint64_t durable;
	uint64_t locked;
	uint64_t with_minutes; /* goroutines that carried ", N minutes" */
	uint32_t min_minutes, max_minutes;
	uint64_t example_ids[GROUP_MAX_EXAMPLE_IDS];
	uint32_t nexample_ids;
	struct creator_count creators[GROUP_MAX_CREATORS]; /* most frequent first */
	uint32_t ncreators;
	uint64_t other_creators; /* goroutines whose creator is not in creators[] */
	/* Channels the goroutines wait on, by make(chan) site, when the producer knows them. */
	struct chan_site_count {
		struct site made_at;
		uint64_t count;	 /* goroutines waiting on channels made there */
		uint64_t closed; /* of which on a channel that was closed */
		/* When the make site is unknown but the channel itself is (the live reader):
		 * one entry per channel. addr 0 otherwise. */
		uint64_t addr;
		const char *elem; /* element type; "" unknown */
		uint64_t cap;
	} chans[GROUP_MAX_CREATORS];
	uint32_t nchans;
	uint64_t max_blocked_ns; /* longest measured block (tracer), 0 if unknown */
	const char *status;	 /* wait reason of the first goroutine, "" if unknown */
	const char *labels;	 /* labels of the first goroutine that had any, or NULL */
	struct frame *stack;	 /* stack of the first goroutine (strings in the arena) */
	uint32_t nstack;
	uint32_t stack_elided;

	enum suspect_reason reason; /* SUSPECT_NONE when not a suspect */
	uint32_t rank;		    /* 1-based among suspects, 0 otherwise */

	/* --diff only */
	uint64_t old_count; /* goroutines at this site in the old snapshot */
	uint64_t stuck;	    /* matched by ID and blocked at the same PC in both */
};

/* Goroutines per creator (go statement), all classes. */
struct creator_group {
	struct site site;
	uint64_t count;
	uint64_t blocked; /* of which in a class that can leak */
};

struct panic_info {
	enum panic_kind kind;
	const char *message;
	bool has_goroutine; /* the goroutine Go printed right after the panic */
	uint64_t goroutine_id;
	const char *status;
	struct site site; /* where it panicked: first frame outside the runtime */
	const char *input;
	bool has_chan;	       /* the misused channel is known (tracer) */
	struct site made_at;   /* its make(chan) site */
	struct site closed_at; /* where it was closed; func "" when it was not */
};

struct input_summary {
	const char *name;
	int snapshot;	 /* 0, or 1 for NEW in --diff */
	int64_t time_ns; /* profile time, else file mtime or fetch time */
	struct dump_info info;
};

struct analysis {
	struct arena arena;
	struct input_summary *inputs; /* in the order read; in --diff OLD then NEW */
	size_t ninputs;
	uint64_t goroutines; /* counted after filters */
	uint64_t ignored;    /* removed by --ignore-top / --ignore-created-by */
	uint64_t class_counts[BLOCK__COUNT];
	struct group *groups; /* suspects first (by rank), then the rest by count */
	size_t ngroups;
	size_t nsuspects;
	struct creator_group *creators; /* by count, descending */
	size_t ncreators;
	struct panic_info *panics;
	size_t npanics;
	bool has_minutes; /* any goroutine carried ", N minutes" */
	bool has_ids;	  /* the source had goroutine IDs (text dumps) */
	uint64_t min_count;
	uint32_t min_minutes;

	/* --diff only */
	bool is_diff;
	double interval_seconds; /* NEW's time minus OLD's (file mtimes or fetch times) */
	uint64_t matched;	 /* goroutine IDs present in both */
	uint64_t stuck;		 /* of which blocked at the same PC in both */
};
#endif
