// SPDX-License-Identifier: MIT
// Go runtime struct layouts and constants per Go version: plain data, from DWARF or a table.
#ifndef CW_GOBIN_LAYOUT_H
#define CW_GOBIN_LAYOUT_H

#include <stdint.h>

struct cw_error;

#ifndef CW_GO_ARCH_DEFINED
#define CW_GO_ARCH_DEFINED
/* The architectures chanwatch reads Go binaries for (moves to gobin.h once it exists). */
enum go_arch {
	GO_ARCH_AMD64,
	GO_ARCH_ARM64,
};
#endif

/*
 * The single list of what a layout holds. tools/runtime-layouts parses these lines
 * (one entry per line, exactly this shape), so keep them simple.
 *
 * RL_FIELDS: X(member, "Go struct type name", "member path").
 *   A path is dotted member names ("sched.sp"); alternatives are separated by '|' and
 *   the first that resolves wins. An empty path means the struct itself (offset 0,
 *   size = sizeof). For 1.26 sudog.c / sudog.elem (maybeTraceablePtr{vp, vu}) the
 *   entry names the uintptr that is the source of truth (vu), so `off` is always where
 *   the pointer value lives; sudog_c_field is the whole field (8 bytes before 1.26,
 *   16 in 1.26).
 * RL_CONSTS: C(member, "Go constant name") for runtime.waitReason* and runtime._G*.
 *
 * Symbols are not offsets: the live reader finds "runtime.allgs", "runtime.allglen",
 * "runtime.firstmoduledata" and "runtime.text" in the symbol table.
 */
#define RL_FIELDS(X)                                                                               \
	X(size_g, "runtime.g", "")                                                                 \
	X(g_stack_lo, "runtime.g", "stack.lo")                                                     \
	X(g_stack_hi, "runtime.g", "stack.hi")                                                     \
	X(g_m, "runtime.g", "m")                                                                   \
	X(g_sched_sp, "runtime.g", "sched.sp")                                                     \
	X(g_sched_pc, "runtime.g", "sched.pc")                                                     \
	X(g_sched_bp, "runtime.g", "sched.bp")                                                     \
	X(g_param, "runtime.g", "param")                                                           \
	X(g_atomicstatus, "runtime.g", "atomicstatus")                                             \
	X(g_goid, "runtime.g", "goid")                                                             \
	X(g_waitsince, "runtime.g", "waitsince")                                                   \
	X(g_waitreason, "runtime.g", "waitreason")                                                 \
	X(g_parking_on_chan, "runtime.g", "parkingOnChan")                                         \
	X(g_parent_goid, "runtime.g", "parentGoid")                                                \
	X(g_gopc, "runtime.g", "gopc")                                                             \
	X(g_startpc, "runtime.g", "startpc")                                                       \
	X(g_waiting, "runtime.g", "waiting")                                                       \
	X(g_labels, "runtime.g", "labels")                                                         \
	X(m_curg, "runtime.m", "curg")                                                             \
	X(size_hchan, "runtime.hchan", "")                                                         \
	X(hchan_qcount, "runtime.hchan", "qcount")                                                 \
	X(hchan_dataqsiz, "runtime.hchan", "dataqsiz")                                             \
	X(hchan_buf, "runtime.hchan", "buf")                                                       \
	X(hchan_elemsize, "runtime.hchan", "elemsize")                                             \
	X(hchan_closed, "runtime.hchan", "closed")                                                 \
	X(hchan_timer, "runtime.hchan", "timer")                                                   \
	X(hchan_elemtype, "runtime.hchan", "elemtype")                                             \
	X(hchan_sendx, "runtime.hchan", "sendx")                                                   \
	X(hchan_recvx, "runtime.hchan", "recvx")                                                   \
	X(hchan_recvq, "runtime.hchan", "recvq")                                                   \
	X(hchan_sendq, "runtime.hchan", "sendq")                                                   \
	X(hchan_lock, "runtime.hchan", "lock")                                                     \
	X(waitq_first, "runtime.waitq", "first")                                                   \
	X(waitq_last, "runtime.waitq", "last")                                                     \
	X(size_sudog, "runtime.sudog", "")                                                         \
	X(sudog_g, "runtime.sudog", "g")                                                           \
	X(sudog_next, "runtime.sudog", "next")                                                     \
	X(sudog_prev, "runtime.sudog", "prev")                                                     \
	X(sudog_elem, "runtime.sudog", "elem.vu|elem")                                             \
	X(sudog_is_select, "runtime.sudog", "isSelect")                                            \
	X(sudog_success, "runtime.sudog", "success")                                               \
	X(sudog_waitlink, "runtime.sudog", "waitlink")                                             \
	X(sudog_c, "runtime.sudog", "c.maybeTraceablePtr.vu|c")                                    \
	X(sudog_c_field, "runtime.sudog", "c")                                                     \
	X(type_size, "internal/abi.Type", "Size_")                                                 \
	X(type_tflag, "internal/abi.Type", "TFlag")                                                \
	X(type_kind, "internal/abi.Type", "Kind_")                                                 \
	X(type_str, "internal/abi.Type", "Str")                                                    \
	X(chantype_elem, "internal/abi.ChanType", "Elem")                                          \
	X(chantype_dir, "internal/abi.ChanType", "Dir")                                            \
	X(moduledata_pcheader, "runtime.moduledata", "pcHeader")                                   \
	X(moduledata_funcnametab, "runtime.moduledata", "funcnametab")                             \
	X(moduledata_pclntable, "runtime.moduledata", "pclntable")                                 \
	X(moduledata_ftab, "runtime.moduledata", "ftab")                                           \
	X(moduledata_minpc, "runtime.moduledata", "minpc")                                         \
	X(moduledata_maxpc, "runtime.moduledata", "maxpc")                                         \
	X(moduledata_text, "runtime.moduledata", "text")                                           \
	X(moduledata_etext, "runtime.moduledata", "etext")                                         \
	X(moduledata_types, "runtime.moduledata", "types")                                         \
	X(moduledata_etypes, "runtime.moduledata", "etypes")

#define RL_CONSTS(C)                                                                               \
	C(wr_zero, "runtime.waitReasonZero")                                                       \
	C(wr_io_wait, "runtime.waitReasonIOWait")                                                  \
	C(wr_chan_receive_nil_chan, "runtime.waitReasonChanReceiveNilChan")                        \
	C(wr_chan_send_nil_chan, "runtime.waitReasonChanSendNilChan")                              \
	C(wr_select, "runtime.waitReasonSelect")                                                   \
	C(wr_select_no_cases, "runtime.waitReasonSelectNoCases")                                   \
	C(wr_chan_receive, "runtime.waitReasonChanReceive")                                        \
	C(wr_chan_send, "runtime.waitReasonChanSend")                                              \
	C(wr_semacquire, "runtime.waitReasonSemacquire")                                           \
	C(wr_sleep, "runtime.waitReasonSleep")                                                     \
	C(wr_sync_cond_wait, "runtime.waitReasonSyncCondWait")                                     \
	C(wr_sync_mutex_lock, "runtime.waitReasonSyncMutexLock")                                   \
	C(wr_sync_rwmutex_rlock, "runtime.waitReasonSyncRWMutexRLock")                             \
	C(wr_sync_rwmutex_lock, "runtime.waitReasonSyncRWMutexLock")                               \
	C(wr_sync_waitgroup_wait, "runtime.waitReasonSyncWaitGroupWait")                           \
	C(wr_preempted, "runtime.waitReasonPreempted")                                             \
	C(wr_synctest_run, "runtime.waitReasonSynctestRun")                                        \
	C(wr_synctest_wait, "runtime.waitReasonSynctestWait")                                      \
	C(wr_synctest_chan_receive, "runtime.waitReasonSynctestChanReceive")                       \
	C(wr_synctest_chan_send, "runtime.waitReasonSynctestChanSend")                             \
	C(wr_synctest_select, "runtime.waitReasonSynctestSelect")                                  \
	C(wr_synctest_waitgroup_wait, "runtime.waitReasonSynctestWaitGroupWait")                   \
	C(gs_idle, "runtime._Gidle")                                                               \
	C(gs_runnable, "runtime._Grunnable")                                                       \
	C(gs_running, "runtime._Grunning")                                                         \
	C(gs_syscall, "runtime._Gsyscall")                                                         \
	C(gs_waiting, "runtime._Gwaiting")                                                         \
	C(gs_dead, "runtime._Gdead")                                                               \
	C(gs_copystack, "runtime._Gcopystack")                                                     \
	C(gs_preempted, "runtime._Gpreempted")                                                     \
	C(gs_leaked, "runtime._Gleaked")                                                           \
	C(gs_deadextra, "runtime._Gdeadextra")                                                     \
	C(gs_scan, "runtime._Gscan")

/* Where a struct member lives; known == 0 when the member is absent in that Go version. */
struct rl_field {
	uint32_t off;
	uint32_t size;
	uint8_t known;
};

/* A runtime constant; known == 0 when that Go version does not define it. */
struct rl_const {
	int64_t value;
	uint8_t known;
};

/* A Go version "major.minor"; 0.0 when unknown. */
struct rl_version {
	int major;
	int minor;
};

/*
 * Offsets (bytes, from the start of the named struct) and constants of one Go runtime,
 * valid for Go versions go_min..go_max (inclusive, by minor version) on one arch.
 * Read only through the members named in RL_FIELDS / RL_CONSTS.
 */
struct runtime_layout {
	struct rl_version go_min;
	struct rl_version go_max;
	enum go_arch arch;
	uint32_t ptr_size;
	char toolchain[32]; /* the toolchain it came from, e.g. "go1.26.8" */
#define RL_FIELD_MEMBER(name, type, path) struct rl_field name;
	RL_FIELDS(RL_FIELD_MEMBER)
#undef RL_FIELD_MEMBER
#define RL_CONST_MEMBER(name, cname) struct rl_const name;
	RL_CONSTS(RL_CONST_MEMBER)
#undef RL_CONST_MEMBER
	/*
	 * The names Go itself prints, indexed by value: runtime.waitReasonStrings by
	 * g.waitreason and runtime.gStatusStrings by g.atomicstatus without _Gscan. A NULL
	 * element is a value without a name (e.g. 5, _Gmoribund_unused). Static strings; both
	 * pointers are NULL (counts 0) when the names are unknown. Read them through
	 * runtime_layout_wait_reason() / runtime_layout_status_name().
	 */
	const char *const *wait_reasons;
	uint32_t nwait_reasons;
	const char *const *status_names;
	uint32_t nstatus_names;
};

/*
 * The generated table (src/gobin/layout_table.c, from tools/gen-runtime-layouts).
 * Entries are sorted by version, then arch.
 */
extern const struct runtime_layout runtime_layout_table[];
extern const unsigned runtime_layout_table_len;

/*
 * The table entry for Go major.minor on arch, or NULL when the table has none (a
 * newer or older Go: use DWARF, or refuse). The result is static; do not free.
 */
const struct runtime_layout *runtime_layout_for(int major, int minor, enum go_arch arch);

/*
 * Fill *out from the DWARF of the Go ELF binary at path, resolving every RL_FIELDS
 * member and RL_CONSTS constant by name; what is absent stays known == 0. go_min and
 * go_max are both the version in the compile units' DW_AT_producer ("Go cmd/compile
 * go1.26.8"), 0.0 if none. Returns 0, or -1 with err set: the file cannot be read or
 * is not a 64-bit amd64/arm64 ELF, "no DWARF (stripped binary?)", or no runtime.g in
 * the DWARF (not a Go binary); *out is then all zero. The file is hostile input.
 * DWARF has no strings for the names: they come from the table through
 * runtime_layout_names_from_table() (NULL when the enums do not match any entry).
 */
int runtime_layout_from_dwarf(const char *path, struct runtime_layout *out, struct cw_error *err);

/*
 * How debug=2 (runtime.Stack(all), pprof goroutine?debug=2, SIGQUIT) writes a goroutine's
 * header, from goroutineheader() in runtime/traceback.go (read in 1.22.12 .. 1.26.8):
 *
 *   goroutine GOID [STATE{ (leaked)}{ (scan)}{ (durable)}{, N minutes}{, locked to thread}
 *                   {, synctest group G | , synctest bubble B}{ labels:{...}}]:
 *
 *   s = atomicstatus &^ _Gscan.
 *   STATE = gStatusStrings[s], "???" when s is past the end ("" for a gap such as 5).
 *     It is replaced by waitReasonStrings[waitreason] ("unknown wait reason" when past
 *     the end) when waitreason != waitReasonZero and
 *       1.22-1.25: s == _Gwaiting;
 *       1.26:      s == _Gwaiting || s == _Gleaked.
 *     So a parked goroutine prints "chan receive", "select", "sync.WaitGroup.Wait",
 *     "sleep", "IO wait", ...; one with waitreason 0 prints "waiting"; others print
 *     "runnable", "running", "syscall", "dead", "copystack", "preempted", "idle", and in
 *     1.26 also "leaked" / "waiting for cgo callback" (_Gdeadextra).
 *   " (leaked)"  1.26 only: s == _Gleaked (GOEXPERIMENT=goroutineleakprofile).
 *   " (scan)"    the _Gscan bit was set.
 *   " (durable)" 1.25: in a synctest bubble and isIdleInSynctest(waitreason); 1.26 also
 *                needs s == _Gwaiting; never when STATE already ends in "(durable)"
 *                (1.25+ names the synctest chan/select/WaitGroup reasons "... (durable)";
 *                1.24 named them "... (synctest)").
 *   ", N minutes" N = (now - waitsince) / 60e9 >= 1, when s is _Gwaiting or _Gsyscall and
 *                waitsince != 0 (all versions).
 *   ", locked to thread" g.lockedm != 0 (all versions).
 *   ", synctest group G" 1.24 (G = the group's root goid); ", synctest bubble B" 1.25+.
 *   " labels:{"k": "v", ...}" 1.26 only, with GODEBUG=tracebacklabels=1 (default off).
 *   With GOTRACEBACK=system or higher (or while throwing) " gp=0x... m=N mp=0x..." (or
 *   " m=nil") follows GOID, before " [".
 * e.g. "goroutine 7 [chan receive, 3 minutes]:", "goroutine 9 [select, locked to thread]:",
 * "goroutine 12 [sync.WaitGroup.Wait]:", "goroutine 1 [running]:".
 */

/*
 * waitReasonStrings[value] of l's Go version ("chan receive", "select", "IO wait", ...;
 * "" for 0, waitReasonZero), or NULL when l has no names, value is past the end, or no
 * reason has that value.
 */
const char *runtime_layout_wait_reason(const struct runtime_layout *l, unsigned value);

/*
 * gStatusStrings[status &^ _Gscan] of l's Go version ("runnable", "running", "syscall",
 * "waiting", ...): the _Gscan bit (l->gs_scan, 0x1000 when unknown) is stripped first, so
 * 0x1004 is "waiting". NULL when l has no names, the value is past the end or unnamed.
 */
const char *runtime_layout_status_name(const struct runtime_layout *l, unsigned status);

/*
 * The STATE word of the debug=2 header above for a goroutine with this atomicstatus and
 * waitreason, exactly as l's Go version prints it: the wait reason for a waiting (1.26:
 * or leaked) goroutine with waitreason != 0, else the status name; "???" / "unknown wait
 * reason" / "" where Go prints those. Never NULL; "???" when l has no names. Suffixes
 * (" (scan)", " (leaked)", minutes, ...) are the caller's.
 */
const char *runtime_layout_goroutine_state(const struct runtime_layout *l, unsigned status,
					   unsigned waitreason);

/*
 * Gives l (one not from the table, e.g. from DWARF, which has no strings) the names of
 * the table entry for the same arch with the newest Go version <= l->go_min, but only
 * when every RL_CONSTS constant (waitReason* and _G*) of l equals that entry's, known
 * flag and value: then the enums are numbered alike. Otherwise (a renumbered newer Go, an
 * older Go than the table, version 0.0) the names are left NULL. runtime_layout_from_dwarf
 * calls it; the pointers are static.
 */
void runtime_layout_names_from_table(struct runtime_layout *l);

/*
 * The layout of the runtime in Go binary b, opened from path: the table entry made from the
 * very toolchain that built b (same version, no GOEXPERIMENT); else its DWARF when present
 * (filled into *from_dwarf, which is returned); else the table entry of its Go version and
 * arch. *source says which: "DWARF" or "table". Returns NULL with err set to one line
 * (no build info, unsupported architecture, a Go version the table lacks).
 */
struct gobin;
const struct runtime_layout *runtime_layout_pick(const struct gobin *b, const char *path,
						 struct runtime_layout *from_dwarf,
						 const char **source, struct cw_error *err);

/* "amd64" / "arm64". */
const char *go_arch_name(enum go_arch arch);

/* ELF e_machine (EM_X86_64, EM_AARCH64) -> *arch; 0, or -1 for any other machine. */
int go_arch_from_elf_machine(unsigned machine, enum go_arch *arch);

#endif
