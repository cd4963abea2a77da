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
 */
int runtime_layout_from_dwarf(const char *path, struct runtime_layout *out, struct cw_error *err);

/* "amd64" / "arm64". */
const char *go_arch_name(enum go_arch arch);

/* ELF e_machine (EM_X86_64, EM_AARCH64) -> *arch; 0, or -1 for any other machine. */
int go_arch_from_elf_machine(unsigned machine, enum go_arch *arch);

#endif
