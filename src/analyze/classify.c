// SPDX-License-Identifier: MIT
// What a goroutine waits on, and where: classification and blocking-site selection.
#include "analyze/analyze.h"

#include <string.h>

#include "lib/banned.h"

static const struct {
	const char *name;
	const char *title;
} class_names[BLOCK__COUNT] = {
    [BLOCK_CHAN_SEND] = {"chan-send", "chan send"},
    [BLOCK_CHAN_RECEIVE] = {"chan-receive", "chan receive"},
    [BLOCK_CHAN_RANGE] = {"chan-range", "range over chan"},
    [BLOCK_SELECT] = {"select", "select"},
    [BLOCK_SELECT_NO_CASES] = {"select-no-cases", "select {}"},
    [BLOCK_NIL_CHAN_SEND] = {"nil-chan-send", "send on nil chan"},
    [BLOCK_NIL_CHAN_RECEIVE] = {"nil-chan-receive", "receive from nil chan"},
    [BLOCK_MUTEX] = {"mutex", "sync.Mutex.Lock"},
    [BLOCK_RWMUTEX] = {"rwmutex", "sync.RWMutex lock"},
    [BLOCK_WAITGROUP] = {"waitgroup", "sync.WaitGroup.Wait"},
    [BLOCK_COND] = {"cond", "sync.Cond.Wait"},
    [BLOCK_SEMACQUIRE] = {"semacquire", "semacquire"},
    [BLOCK_PARKED] = {"parked", "parked in the runtime (debug=1 hides on what)"},
    [BLOCK_IO_WAIT] = {"io-wait", "IO wait"},
    [BLOCK_SYSCALL] = {"syscall", "syscall"},
    [BLOCK_SLEEP] = {"sleep", "sleep"},
    [BLOCK_RUNNING] = {"running", "running"},
    [BLOCK_RUNNABLE] = {"runnable", "runnable"},
    [BLOCK_RUNTIME] = {"runtime", "runtime-internal wait"},
    [BLOCK_OTHER] = {"other", "other wait"},
    [BLOCK_UNKNOWN] = {"unknown", "unknown"},
};

const char *block_class_name(enum block_class c)
{
	return (unsigned)c < BLOCK__COUNT && class_names[c].name ? class_names[c].name : "unknown";
}

const char *block_class_title(enum block_class c)
{
	return (unsigned)c < BLOCK__COUNT && class_names[c].title ? class_names[c].title
								  : "unknown";
}

bool block_class_is_channel(enum block_class c)
{
	return c <= BLOCK_NIL_CHAN_RECEIVE;
}

bool block_class_can_leak(enum block_class c)
{
	return c <= BLOCK_PARKED;
}

const char *suspect_reason_name(enum suspect_reason r)
{
	switch (r) {
	case SUSPECT_LEAKED:
		return "leaked";
	case SUSPECT_FOREVER:
		return "forever";
	case SUSPECT_STUCK:
		return "stuck";
	case SUSPECT_THRESHOLD:
		return "threshold";
	case SUSPECT_DEADLOCK:
		return "deadlock";
	case SUSPECT_TEST_TIMEOUT:
		return "test-timeout";
	case SUSPECT_TRACED:
		return "traced";
	case SUSPECT_NONE:
		break;
	}
	return "none";
}

static bool func_is(const struct frame *f, const char *name)
{
	return slice_eq_cstr(f->func, name);
}

/* Wait reasons of runtime-internal goroutines (runtime2.go waitReasonStrings). */
static const char *const runtime_waits[] = {
    "GC assist marking",
    "GC sweep wait",
    "GC scavenge wait",
    "GC worker (idle)",
    "GC worker (active)",
    "GC assist wait",
    "GC weak to strong wait",
    "finalizer wait",
    "force gc (idle)",
    "trace reader (blocked)",
    "trace goroutine status",
    "trace proc status",
    "wait for GC cycle",
    "stopping the world",
    "debug call",
    "preempted",
    "garbage collection",
    "garbage collection scan",
    "panicwait",
    "flushing proc caches",
    "cleanup wait",
    "synctest",
    "page trace flush",
    "coroutine",
    "waiting for cgo callback",
    "idle",
    "copystack",
    "dead",
    "GOMAXPROCS updater (idle)",
    "wait until GC ends",
};

/* Classify from the runtime frames above the first user frame (profiles have no status). */
static enum block_class classify_frames(const struct goroutine *g)
{
	for (uint32_t i = 0; i < g->nframes && i < 12; i++) {
		const struct frame *f = &g->frames[i];
		if (func_is(f, "runtime.chansend1") || func_is(f, "runtime.chansend"))
			return BLOCK_CHAN_SEND;
		if (func_is(f, "runtime.chanrecv1"))
			return BLOCK_CHAN_RECEIVE;
		if (func_is(f, "runtime.chanrecv2"))
			return BLOCK_CHAN_RANGE;
		if (func_is(f, "runtime.selectgo"))
			return BLOCK_SELECT;
		if (func_is(f, "runtime.block"))
			return BLOCK_SELECT_NO_CASES;
		if (slice_has_prefix(f->func, "sync.(*Mutex).Lock"))
			return BLOCK_MUTEX;
		if (slice_has_prefix(f->func, "sync.(*RWMutex)."))
			return BLOCK_RWMUTEX;
		if (func_is(f, "sync.(*WaitGroup).Wait"))
			return BLOCK_WAITGROUP;
		if (func_is(f, "sync.(*Cond).Wait"))
			return BLOCK_COND;
		if (func_is(f, "internal/poll.runtime_pollWait"))
			return BLOCK_IO_WAIT;
		if (func_is(f, "time.Sleep"))
			return BLOCK_SLEEP;
		if (slice_has_prefix(f->func, "syscall.Syscall") ||
		    slice_has_prefix(f->func, "syscall.RawSyscall") ||
		    func_is(f, "internal/runtime/syscall.Syscall6") ||
		    func_is(f, "runtime/internal/syscall.Syscall6"))
			return BLOCK_SYSCALL;
		if (!slice_has_prefix(f->func, "runtime.") && !slice_has_prefix(f->func, "sync.") &&
		    !slice_has_prefix(f->func, "internal/"))
			break;
	}
	return BLOCK_UNKNOWN;
}

static bool all_frames_runtime(const struct goroutine *g)
{
	for (uint32_t i = 0; i < g->nframes; i++)
		if (!slice_has_prefix(g->frames[i].func, "runtime.") &&
		    !slice_has_prefix(g->frames[i].func, "internal/runtime/"))
			return false;
	return g->nframes > 0;
}

enum block_class classify_goroutine(const struct goroutine *g)
{
	struct slice s = g->status;
	enum block_class from_frames = classify_frames(g);

	if (!(g->flags & G_HAS_STATUS) || !s.len) {
		/* The goroutine writing a debug=1 profile is running in runtime/pprof. */
		if (g->nframes && slice_has_prefix(g->frames[0].func, "runtime/pprof."))
			return BLOCK_RUNNING;
		if (from_frames == BLOCK_UNKNOWN && (g->flags & G_RUNTIME_HIDDEN))
			return BLOCK_PARKED;
		return from_frames;
	}
	/* Go 1.24's "(synctest)" suffix is part of the reason; (durable) is a flag. */
	if (slice_has_prefix(s, "chan send (nil chan)"))
		return BLOCK_NIL_CHAN_SEND;
	if (slice_has_prefix(s, "chan receive (nil chan)"))
		return BLOCK_NIL_CHAN_RECEIVE;
	if (slice_has_prefix(s, "chan send"))
		return BLOCK_CHAN_SEND;
	if (slice_has_prefix(s, "chan receive"))
		return from_frames == BLOCK_CHAN_RANGE ? BLOCK_CHAN_RANGE : BLOCK_CHAN_RECEIVE;
	if (slice_has_prefix(s, "select (no cases)"))
		return BLOCK_SELECT_NO_CASES;
	if (slice_has_prefix(s, "select"))
		return BLOCK_SELECT;
	if (slice_has_prefix(s, "sync.Mutex.Lock"))
		return BLOCK_MUTEX;
	if (slice_has_prefix(s, "sync.RWMutex."))
		return BLOCK_RWMUTEX;
	if (slice_has_prefix(s, "sync.WaitGroup.Wait"))
		return BLOCK_WAITGROUP;
	if (slice_has_prefix(s, "sync.Cond.Wait"))
		return BLOCK_COND;
	if (slice_has_prefix(s, "semacquire")) {
		/* Before Go 1.21/1.24 sync waits were all "semacquire": use the frames. */
		if (from_frames == BLOCK_MUTEX || from_frames == BLOCK_RWMUTEX ||
		    from_frames == BLOCK_WAITGROUP || from_frames == BLOCK_COND)
			return from_frames;
		return BLOCK_SEMACQUIRE;
	}
	if (slice_eq_cstr(s, "IO wait"))
		return BLOCK_IO_WAIT;
	if (slice_eq_cstr(s, "syscall"))
		return BLOCK_SYSCALL;
	if (slice_eq_cstr(s, "sleep"))
		return BLOCK_SLEEP;
	if (slice_eq_cstr(s, "running"))
		return BLOCK_RUNNING;
	if (slice_eq_cstr(s, "runnable"))
		return BLOCK_RUNNABLE;
	for (size_t i = 0; i < sizeof(runtime_waits) / sizeof(runtime_waits[0]); i++)
		if (slice_eq_cstr(s, runtime_waits[i]))
			return BLOCK_RUNTIME;
	if (all_frames_runtime(g))
		return BLOCK_RUNTIME;
	return BLOCK_OTHER;
}

/* Frames that wrap the runtime's park and are never the place a user can fix. */
static bool frame_is_wrapper(const struct frame *f)
{
	struct slice fn = f->func;
	if (f->flags & (FRAME_NON_GO | FRAME_UNAVAILABLE))
		return true;
	return slice_has_prefix(fn, "runtime.") || slice_has_prefix(fn, "internal/") ||
	       slice_has_prefix(fn, "sync.") || slice_has_prefix(fn, "sync/atomic.") ||
	       slice_eq_cstr(fn, "time.Sleep") || slice_eq_cstr(fn, "panic") ||
	       slice_has_prefix(fn, "runtime/internal/");
}

int blocking_frame_index(const struct goroutine *g)
{
	int first_std = -1;

	if (!g->nframes)
		return -1;
	/* The user's call into a blocking standard-library API (net.Conn.Read, http.Get) is
	 * the site to fix; a goroutine entirely in the standard library keeps its own. */
	for (uint32_t i = 0; i < g->nframes; i++) {
		const struct frame *f = &g->frames[i];
		if (frame_is_wrapper(f))
			continue;
		if (!func_is_std(f->func.ptr, f->func.len, f->file.ptr, f->file.len))
			return (int)i;
		if (first_std < 0)
			first_std = (int)i;
	}
	return first_std >= 0 ? first_std : 0;
}

bool func_is_std(const char *func, size_t len, const char *file, size_t filelen)
{
	size_t slash = 0, end, first;
	bool dotted = false;

	if (len >= 5 && !memcmp(func, "main.", 5))
		return false;
	/* The import path ends at the first '.' after the last '/'. */
	for (size_t i = 0; i < len; i++)
		if (func[i] == '/')
			slash = i + 1;
	end = slash;
	while (end < len && func[end] != '.')
		end++;
	if (end >= len)
		return false;
	first = 0;
	while (first < end && func[first] != '/')
		first++;
	for (size_t i = 0; i < first; i++)
		if (func[i] == '.')
			dotted = true;
	if (dotted || (end == 4 && !memcmp(func, "main", 4)))
		return false;
	if (!filelen)
		return true;
	/* A module path without a dot ("leaky/worker") looks like std: check the file too. */
	if (filelen > end && !memcmp(file, func, end) && file[end] == '/')
		return true; /* -trimpath: "net/http/server.go" */
	for (size_t i = 0; i + 5 + end < filelen; i++) {
		if (memcmp(file + i, "/src/", 5))
			continue;
		if (!memcmp(file + i + 5, func, end) && file[i + 5 + end] == '/')
			return true;
	}
	return false;
}
