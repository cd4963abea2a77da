// SPDX-License-Identifier: MIT
// Opening a live Go process (or a recording of one) for the walker: binary, layout, roots.
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inspect/inspect.h"
#include "lib/banned.h"

static int64_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The load bias of a PIE: where the kernel mapped the segment at file offset 0, minus its
 * link-time address. Mappings of the executable are those whose file is the same inode as
 * /proc/PID/exe.
 */
static int load_bias(const struct gobin *b, pid_t pid, uint64_t *bias)
{
	char path[64], line[4096], file[PATH_MAX];
	struct stat want, st;
	int rc = -ENOENT;
	FILE *f;

	*bias = 0;
	if (!b->pie)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &want))
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off;
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095s", &start, &end, &off, file) !=
		    4)
			continue;
		if (stat(file, &st) || st.st_ino != want.st_ino || st.st_dev != want.st_dev)
			continue;
		for (size_t i = 0; i < b->nsegments; i++) {
			const struct gobin_segment *s = &b->segments[i];
			uint64_t seg_page = s->offset & ~0xfffull;
			if (seg_page != off)
				continue;
			*bias = start - (s->vaddr & ~0xfffull);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* The layout of the binary's runtime: its DWARF when present, else the generated table. */
static int pick_layout(struct live_target *t, const char *path, struct cw_error *err)
{
	t->layout = runtime_layout_pick(&t->bin, path, &t->dwarf_layout, &t->layout_source, err);
	return t->layout ? 0 : -ENOTSUP;
}

/* A candidate pair of roots holds up in memory: 0 < len <= cap, ptr set, allglen == len. */
static bool roots_plausible(struct remote_mem *m, uint64_t allgs, uint64_t allglen)
{
	uint64_t hdr[3], glen;
	if (remote_mem_read(m, allgs, hdr, sizeof(hdr)) || !hdr[0] || !hdr[1] || hdr[1] > hdr[2] ||
	    (hdr[0] & 7))
		return false;
	if (!allglen)
		return true;
	return !remote_mem_read(m, allglen, &glen, 8) && glen && glen <= hdr[1] &&
	       hdr[1] - glen < 64;
}

static int find_roots(struct live_target *t, struct cw_error *err)
{
	struct gobin_allgs a;
	uint64_t bias = t->meta.load_bias;
	int rc = gobin_find_allgs(&t->bin, &a, err);

	if (rc)
		return rc;
	t->roots_source = a.source;
	if (a.allgs && a.allglen) {
		t->meta.allgs_addr = a.allgs + bias;
		t->meta.allglen_addr = a.allglen + bias;
		return 0;
	}
	for (size_t i = 0; i < a.nallgs_cand; i++)
		for (size_t k = 0; k <= a.nallglen_cand; k++) {
			uint64_t glen = k < a.nallglen_cand ? a.allglen_cand[k] + bias : 0;
			if (roots_plausible(t->mem, a.allgs_cand[i] + bias, glen)) {
				t->meta.allgs_addr = a.allgs_cand[i] + bias;
				t->meta.allglen_addr = glen;
				return 0;
			}
		}
	cw_error_set(err, "cannot find the runtime's goroutine list (runtime.allgs)");
	return -ENOENT;
}

int live_target_open(struct live_target *t, pid_t pid, const char *record_path,
		     struct cw_error *err)
{
	char exe[64], msg[sizeof(err->msg)];
	ssize_t n;
	enum go_arch arch = GO_ARCH_AMD64;
	int rc;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->meta.pid = pid;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	if (access(exe, F_OK) && errno == ENOENT) {
		snprintf(exe, sizeof(exe), "/proc/%d", (int)pid);
		if (access(exe, F_OK)) {
			cw_error_set(err, "process %d does not exist", (int)pid);
			return -ESRCH;
		}
		cw_error_set(err, "process %d has no executable (a kernel thread?)", (int)pid);
		return -ENOENT;
	}
	n = readlink(exe, t->meta.exe, sizeof(t->meta.exe) - 1);
	if (n < 0) {
		rc = -errno;
		cw_error_set(err,
			     rc == -EACCES || rc == -EPERM
				 ? "no permission to inspect process %d: needs ptrace permission "
				   "(run as root, or as its user with kernel.yama.ptrace_scope=0)"
				 : "cannot read process %d's executable link",
			     (int)pid);
		return rc;
	}
	t->meta.exe[n] = '\0';
	rc = remote_mem_open_pid(&t->mem, pid, err);
	if (rc)
		return rc;
	if (gobin_open(&t->bin, exe, err)) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		cw_error_set(err, "process %d (%s): %s", (int)pid, t->meta.exe, msg);
		rc = -EINVAL;
		goto fail;
	}
	t->have_bin = true;
	rc = pick_layout(t, exe, err);
	if (!rc)
		rc = load_bias(&t->bin, pid, &t->meta.load_bias);
	if (!rc)
		rc = find_roots(t, err);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s", err->msg[0] ? err->msg : strerror(-rc));
		cw_error_set(err, "process %d (%s): %s", (int)pid, t->meta.exe, msg);
		goto fail;
	}
	snprintf(t->meta.go_version, sizeof(t->meta.go_version), "%s", t->bin.info.go_version);
	go_arch_from_elf_machine(t->bin.machine, &arch);
	t->meta.arch = arch;
	if (record_path) {
		rc = remote_mem_record(t->mem, record_path, err);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	live_target_close(t, NULL);
	return rc;
}

int live_target_open_replay(struct live_target *t, const char *snap_path, const char *exe,
			    struct cw_error *err)
{
	struct cw_error ignored = {""};
	int rc;

	memset(t, 0, sizeof(*t));
	rc = remote_mem_open_replay(&t->mem, snap_path, &t->meta, err);
	if (rc)
		return rc;
	t->replayed = true;
	t->pid = t->meta.pid;
	if (!exe)
		exe = t->meta.exe;
	if (exe[0] && !gobin_open(&t->bin, exe, &ignored))
		t->have_bin = true;
	if (t->have_bin && !pick_layout(t, exe, &ignored))
		return 0;
	{
		int major = 0, minor = 0;
		if (sscanf(t->meta.go_version, "go%d.%d", &major, &minor) == 2)
			t->layout = runtime_layout_for(major, minor, (enum go_arch)t->meta.arch);
	}
	if (!t->layout) {
		cw_error_set(err, "%s: no runtime layout for %s (and no binary with DWARF)",
			     snap_path,
			     t->meta.go_version[0] ? t->meta.go_version : "an unknown Go version");
		live_target_close(t, NULL);
		return -ENOTSUP;
	}
	t->layout_source = "table";
	return 0;
}

int live_target_close(struct live_target *t, struct cw_error *err)
{
	struct cw_error ignored = {""};
	int rc = remote_mem_close(t->mem, err ? err : &ignored);
	t->mem = NULL;
	if (t->have_bin)
		gobin_close(&t->bin);
	t->have_bin = false;
	return rc;
}

/* moduledata.types, read from the target (relocated in a PIE) and made link-time. */
static uint64_t types_base(const struct live_target *t)
{
	const struct runtime_layout *l = t->layout;
	uint64_t types = 0;
	if (!t->have_bin || !t->bin.moduledata || !l->moduledata_types.known)
		return 0;
	if (remote_mem_read(t->mem, t->bin.moduledata + t->meta.load_bias + l->moduledata_types.off,
			    &types, 8))
		return 0;
	return types >= t->meta.load_bias ? types - t->meta.load_bias : 0;
}

/* Names every channel's element type through the binary's type data. */
static void name_elems(const struct live_target *t, struct live_snapshot *s)
{
	uint64_t types = types_base(t);
	char buf[256];
	for (size_t i = 0; i < s->nchans && types; i++) {
		struct live_chan *c = &s->chans[i];
		uint64_t et = c->elemtype;
		if (!et || et < t->meta.load_bias ||
		    gobin_type_name(&t->bin, t->layout, et - t->meta.load_bias, types, buf,
				    sizeof(buf)))
			continue;
		c->elem = arena_strndup(&s->arena, buf, strlen(buf));
	}
}

static int sp_delta(void *ctx, uint64_t pc, int32_t *delta)
{
	const struct live_target *t = ctx;
	if (pc < t->meta.load_bias)
		return -ENOENT;
	return gobin_sp_delta(&t->bin, pc - t->meta.load_bias, delta);
}

int live_snapshot_take(struct live_target *t, struct live_snapshot *s, struct cw_error *err)
{
	struct live_binary_hooks hooks = {sp_delta, t};
	int rc;
	if (!t->replayed)
		t->meta.mono_ns = mono_now(); /* a replay keeps the recorded time */
	rc = live_snapshot_walk(t->mem, t->layout, &t->meta, t->have_bin ? &hooks : NULL, s, err);
	if (!rc)
		name_elems(t, s);
	remote_mem_set_meta(t->mem, &t->meta);
	return rc;
}
