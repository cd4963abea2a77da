// SPDX-License-Identifier: MIT
// The one read operation on another process's memory: live, recorded, or replayed.
#ifndef CW_INSPECT_MEM_H
#define CW_INSPECT_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/usage.h"

/*
 * Every access chanwatch makes to a target's memory goes through struct remote_mem, so a
 * recorded snapshot can stand in for a live process (tests, fuzzing, bug reports). It only
 * ever reads: nothing here writes to the target.
 *
 * Errors of a single read are local (-EFAULT: not mapped / not recorded; -EIO: short read);
 * the caller records the object as unreadable and goes on. Errors that make every read fail
 * (-EPERM/-EACCES: no ptrace permission; -ESRCH: the process is gone) are returned from the
 * read that hits them and also latched: remote_mem_fatal() then returns them.
 */
struct remote_mem;

/* One read of a batch. */
struct mem_req {
	uint64_t addr;
	void *buf;
	size_t len;
	int result; /* out: 0, or a negative errno for this request alone */
};

/*
 * What a replay needs besides the bytes, written into a recording and read back from it.
 * The live reader fills it (remote_mem_set_meta) before closing a recording.
 */
struct snapshot_meta {
	int32_t pid;	       /* the target when recorded */
	char exe[4096];	       /* its executable's path (/proc/PID/exe target) when recorded */
	char go_version[32];   /* "go1.26.8" */
	uint32_t arch;	       /* enum go_arch */
	uint64_t load_bias;    /* runtime address - ELF virtual address (PIE); 0 otherwise */
	uint64_t allgs_addr;   /* runtime address of runtime.allgs (a []*g header) */
	uint64_t allglen_addr; /* runtime address of runtime.allglen; 0 = use len(allgs) */
	int64_t mono_ns;       /* the target's nanotime (CLOCK_MONOTONIC) at the snapshot */
};

/*
 * Opens pid's memory for reading: process_vm_readv, falling back to /proc/PID/mem where
 * that syscall is refused (ENOSYS). Returns 0, or a negative errno with err set to one
 * line: "process 1234 does not exist", "no permission to read process 1234's memory: needs
 * ptrace permission (run as root, or as its user with kernel.yama.ptrace_scope=0)".
 * The open itself probes one readable address of the target so permission errors show here.
 */
int remote_mem_open_pid(struct remote_mem **out, pid_t pid, struct cw_error *err);

/*
 * Opens a recording made by remote_mem_record() for replay; *meta receives its meta data.
 * Reads inside a recorded range succeed with the recorded bytes; any other read gives
 * -EFAULT. The file is hostile input: a malformed one gives -EINVAL with err naming the
 * file and what is wrong ("snap.cws: range 3 runs past the end of the file").
 */
int remote_mem_open_replay(struct remote_mem **out, const char *path, struct snapshot_meta *meta,
			   struct cw_error *err);

/*
 * The same from a recording already in memory (data, len: not kept, copied); name is used in
 * messages (NULL: "snapshot"). For fuzzing and for recordings that do not come from a file.
 */
int remote_mem_open_replay_mem(struct remote_mem **out, const void *data, size_t len,
			       const char *name, struct snapshot_meta *meta, struct cw_error *err);

/*
 * Makes a live reader use pread on /proc/PID/mem instead of process_vm_readv from now on (the
 * fallback taken by itself on ENOSYS; tests use it to cover that path). Returns 0, or a
 * negative errno (-EINVAL for a replay; the open's errors) with err set.
 */
int remote_mem_use_procfs(struct remote_mem *m, struct cw_error *err);

/* Reads len bytes at addr into buf: 0 or a negative errno (see above; buf is then undefined). */
int remote_mem_read(struct remote_mem *m, uint64_t addr, void *buf, size_t len);

/*
 * Reads every request of reqs (as few syscalls as the kernel allows: process_vm_readv
 * with up to IOV_MAX iovecs; a live read of many requests reads those close together as
 * one range, unless recording, and makes its calls on remote_mem_set_threads() threads).
 * Each request gets its own result. Returns the number of requests that
 * succeeded, or a fatal negative errno (-EPERM, -ESRCH).
 */
long remote_mem_readv(struct remote_mem *m, struct mem_req *reqs, size_t n);

/*
 * Sets how many threads a live read may use for its process_vm_readv calls, the caller's
 * included (1 to 64; others are clamped). The default is 2 where more than two CPUs are
 * online, else 1: a reader on every CPU delays the target's own threads. Replays read on
 * the calling thread whatever the setting.
 */
void remote_mem_set_threads(struct remote_mem *m, unsigned threads);

/* The latched fatal error (-EPERM, -ESRCH...), or 0. */
int remote_mem_fatal(const struct remote_mem *m);

/*
 * From now on, every successful read of m is also kept, to be written to path by
 * remote_mem_close() with the meta data set by remote_mem_set_meta(). Returns 0 or -errno
 * (the file cannot be created; -EBUSY: already recording) with err set. Overlapping and
 * adjacent reads are coalesced (a later read of the same bytes wins); past 4 GiB of distinct
 * bytes the recording is dropped and remote_mem_close() reports -E2BIG. Format:
 * docs/snapshot-format.md.
 */
int remote_mem_record(struct remote_mem *m, const char *path, struct cw_error *err);
void remote_mem_set_meta(struct remote_mem *m, const struct snapshot_meta *meta);

/*
 * Bytes read so far and read calls made (syscalls for a live target, one per read or readv
 * for a replay): for --stats and bench. m may be NULL (zeros).
 */
void remote_mem_stats(const struct remote_mem *m, uint64_t *bytes, uint64_t *calls);

/*
 * Writes a pending recording (returns its error, with err set, if that fails) and
 * releases everything. m may be NULL.
 */
int remote_mem_close(struct remote_mem *m, struct cw_error *err);
#endif
