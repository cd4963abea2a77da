// SPDX-License-Identifier: MIT
// Unit tests for src/inspect/mem.c (live reads, recording, replay) and pause.c, on a child.
// Needs ptrace: skips with the reason where it is refused, fails with CHANWATCH_REQUIRE_BPF=1.
#define _GNU_SOURCE
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "inspect/mem.h"
#include "inspect/pause.h"

#include "lib/banned.h"

/* The documented file format (docs/snapshot-format.md), restated to check the writer. */
#define HDR_LEN 4184

#define KNOWN_LEN 8192
static unsigned char known[KNOWN_LEN] __attribute__((aligned(4096)));
static volatile uint64_t counter;
static char tmpdir[64];

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 131 + 7) ^ 0xa5);
}

struct child {
	pid_t pid;
	unsigned char *map; /* 3 pages; the child unmaps the middle one */
	size_t pg;
};

static void *spin(void *arg)
{
	for (;;) {
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		usleep(200);
	}
	return NULL;
}

static int count_tasks(pid_t pid)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Forks a child holding known[] = pattern, map with a hole, threads-1 spinning threads. */
static void child_start(struct child *c, int threads)
{
	int fds[2];
	char ch;

	c->pg = (size_t)sysconf(_SC_PAGESIZE);
	c->map = mmap(NULL, 3 * c->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c->map != MAP_FAILED);
	memset(known, 0xee, KNOWN_LEN); /* our copy differs from the child's */
	memset(c->map, 0xee, 3 * c->pg);
	counter = 0;
	assert_int_equal(pipe(fds), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		for (size_t i = 0; i < KNOWN_LEN; i++)
			known[i] = pattern(i);
		for (size_t i = 0; i < 3 * c->pg; i++)
			c->map[i] = pattern(i + 17);
		munmap(c->map + c->pg, c->pg);
		for (int t = 1; t < threads; t++) {
			pthread_t th;
			if (pthread_create(&th, NULL, spin, NULL))
				_exit(3);
		}
		if (write(fds[1], "r", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ch, 1), 1);
	close(fds[0]);
	for (int i = 0; i < 2000 && count_tasks(c->pid) < threads; i++)
		usleep(1000);
	assert_int_equal(count_tasks(c->pid), threads);
}

static void child_stop(struct child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	if (c->map) {
		munmap(c->map, 3 * c->pg);
		c->map = NULL;
	}
}

static bool require_ptrace(void)
{
	const char *v = getenv("CHANWATCH_REQUIRE_BPF");
	return v && !strcmp(v, "1");
}

/* NULL when this sandbox lets us read and ptrace a child, else why not. */
static const char *ptrace_unavailable(void)
{
	static char why[128];
	static int checked;
	unsigned char b;
	struct iovec l = {&b, 1}, r = {known, 1};
	pid_t pid;

	if (checked)
		return why[0] ? why : NULL;
	checked = 1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	if (pid < 0) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		return why;
	}
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != 1)
		snprintf(why, sizeof(why), "process_vm_readv: %s", strerror(errno));
	else if (ptrace(PTRACE_SEIZE, pid, 0L, 0L))
		snprintf(why, sizeof(why), "PTRACE_SEIZE: %s", strerror(errno));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, __WALL);
	return why[0] ? why : NULL;
}

#define NEED_PTRACE()                                                                              \
	do {                                                                                       \
		const char *why_ = ptrace_unavailable();                                           \
		if (why_ && require_ptrace())                                                      \
			fail_msg("ptrace refused (CHANWATCH_REQUIRE_BPF=1): %s", why_);            \
		if (why_) {                                                                        \
			print_message("skipped: ptrace refused here: %s\n", why_);                 \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static void check_pattern(const unsigned char *buf, size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(off + i))
			fail_msg("byte %zu: %#x, want %#x", off + i, buf[i], pattern(off + i));
}

/* ---- live ---- */

static void live_reads_child_memory(void **state)
{
	struct child c = {0};
	struct remote_mem *m = NULL;
	struct cw_error err = {{0}};
	unsigned char buf[KNOWN_LEN];
	uint64_t bytes, calls;

	NEED_PTRACE();
	child_start(&c, 1);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	assert_int_equal(remote_mem_read(m, (uintptr_t)known, buf, KNOWN_LEN), 0);
	check_pattern(buf, 0, KNOWN_LEN);
	assert_int_equal(remote_mem_read(m, 0x10, buf, 8), -EFAULT);
	assert_int_equal(remote_mem_read(m, (uintptr_t)known, buf, 0), 0);
	assert_int_equal(remote_mem_fatal(m), 0);
	remote_mem_stats(m, &bytes, &calls);
	assert_int_equal(bytes, KNOWN_LEN);
	assert_int_equal(calls, 2);
	assert_int_equal(remote_mem_close(m, &err), 0);
	child_stop(&c);
}

/* A batch with good, unmapped and half-mapped requests; each result checked. */
static void check_mixed_batch(struct remote_mem *m, struct child *c)
{
	unsigned char b[8][256];
	uint64_t hole = (uintptr_t)c->map + c->pg;
	struct mem_req r[] = {
	    {(uintptr_t)known, b[0], 100, 1},
	    {0x10, b[1], 8, 1},
	    {(uintptr_t)known + 4096, b[2], 200, 1},
	    {hole - 16, b[3], 32, 1}, /* runs into the hole */
	    {hole + c->pg, b[4], 64, 1},
	    {hole, b[5], 8, 1},
	    {(uintptr_t)known, b[6], 0, 1},
	    {(uintptr_t)known + 5000, b[7], 1, 1},
	};
	int want[] = {0, -EFAULT, 0, -EFAULT, 0, -EFAULT, 0, 0};

	memset(b, 0, sizeof(b));
	assert_int_equal(remote_mem_readv(m, r, 8), 5);
	for (int i = 0; i < 8; i++)
		if (r[i].result != want[i])
			fail_msg("request %d: %d, want %d", i, r[i].result, want[i]);
	check_pattern(b[0], 0, 100);
	check_pattern(b[2], 4096, 200);
	for (int i = 0; i < 64; i++)
		assert_int_equal(b[4][i], pattern(2 * c->pg + 17 + (size_t)i));
	check_pattern(b[7], 5000, 1);
	assert_int_equal(remote_mem_fatal(m), 0);
}

static void live_batch_mixed(void **state)
{
	struct child c = {0};
	struct remote_mem *m = NULL;
	struct cw_error err = {{0}};

	NEED_PTRACE();
	child_start(&c, 1);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	check_mixed_batch(m, &c);
	assert_int_equal(remote_mem_close(m, &err), 0);
	child_stop(&c);
}

/* 3000 requests: all good take ceil(3000/1024) calls; bad ones each cost one more. On
 * threads threads (the calls planned, then made by whichever thread claims them). */
static void batch_large(unsigned threads)
{
	enum { N = 3000 };
	static struct mem_req r[N];
	static uint64_t vals[N];
	struct child c = {0};
	struct remote_mem *m = NULL;
	struct cw_error err = {{0}};
	uint64_t calls0, calls1, bytes;
	size_t bad = 0;

	child_start(&c, 1);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	remote_mem_set_threads(m, threads);
	memset(vals, 0, sizeof(vals));
	for (size_t i = 0; i < N; i++)
		r[i] =
		    (struct mem_req){(uintptr_t)known + (i * 13) % (KNOWN_LEN - 8), &vals[i], 8, 1};
	remote_mem_stats(m, NULL, &calls0);
	assert_int_equal(remote_mem_readv(m, r, N), N);
	remote_mem_stats(m, &bytes, &calls1);
	assert_true(calls1 - calls0 <= 3); /* at most 1024 ranges a call */
	/* each request read once, overlapping ones each in a range of its own */
	assert_true(bytes > 0 && bytes <= N * 8);
	for (size_t i = 0; i < N; i++)
		check_pattern((unsigned char *)&vals[i], (i * 13) % (KNOWN_LEN - 8), 8);

	memset(vals, 0, sizeof(vals));
	for (size_t i = 0; i < N; i++) {
		if (i % 7 == 3) {
			r[i].addr = 0x10 + i;
			bad++;
		}
		r[i].result = 1;
	}
	assert_int_equal(remote_mem_readv(m, r, N), N - bad);
	remote_mem_stats(m, NULL, &calls0);
	/* each bad request ends a call, at most: bad + 3 + 1 calls */
	assert_true(calls0 - calls1 <= bad + 4);
	for (size_t i = 0; i < N; i++) {
		if (i % 7 == 3) {
			assert_int_equal(r[i].result, -EFAULT);
		} else {
			assert_int_equal(r[i].result, 0);
			check_pattern((unsigned char *)&vals[i], (i * 13) % (KNOWN_LEN - 8), 8);
		}
	}
	assert_int_equal(remote_mem_close(m, &err), 0);
	child_stop(&c);
}

static void live_batch_large(void **state)
{
	NEED_PTRACE();
	batch_large(1);
	batch_large(2);
	batch_large(5);
}

/* Requests in two far-apart ranges (the child's data and page 0 of its map), shuffled: the
 * reader sorts them, reads each range once, both in one call, and puts every request's bytes
 * in its own buffer. A sort of one digit, or one that leaves out a request, fails here. */
static void batch_shuffled(struct remote_mem *m, const struct child *c)
{
	enum { N = 256, LEN = 16, STEP = 48, MAP_STEP = 32 };
	static struct mem_req r[N];
	static unsigned char got[N][LEN];
	size_t order[N];
	uint64_t calls0, calls1, bytes0, bytes1;

	for (size_t i = 0; i < N; i++)
		order[i] = i;
	for (size_t i = N - 1; i > 0; i--) { /* a fixed shuffle */
		size_t j = (i * 2654435761u + 12345) % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < N; i++) {
		size_t k = order[i]; /* even k: data at k/2 * STEP; odd k: map at k/2 * MAP_STEP */
		uintptr_t at =
		    k % 2 ? (uintptr_t)c->map + k / 2 * MAP_STEP : (uintptr_t)known + k / 2 * STEP;
		r[i] = (struct mem_req){at, got[i], LEN, 1};
	}
	remote_mem_stats(m, &bytes0, &calls0);
	assert_int_equal(remote_mem_readv(m, r, N), N);
	remote_mem_stats(m, &bytes1, &calls1);
	assert_int_equal(calls1 - calls0, 1);
	assert_int_equal(bytes1 - bytes0, (N / 2 - 1) * STEP + LEN + (N / 2 - 1) * MAP_STEP + LEN);
	for (size_t i = 0; i < N; i++) {
		size_t k = order[i];
		assert_int_equal(r[i].result, 0);
		if (k % 2 == 0) {
			check_pattern(got[i], k / 2 * STEP, LEN);
			continue;
		}
		for (size_t b = 0; b < LEN; b++)
			assert_int_equal(got[i][b], pattern(k / 2 * MAP_STEP + b + 17));
	}
}

/*
 * Requests a little apart are read as one range, the gaps into a sink: one call, the bytes of
 * the whole span, every request's bytes where they belong. A range across the unmapped page
 * stops short there; what it did not read is read on its own.
 */
static void live_batch_gaps(void **state)
{
	enum { N = 128, LEN = 16, STEP = 48, SIDE = 64 };
	static struct mem_req r[N];
	static unsigned char got[N][LEN];
	struct child c = {0};
	struct remote_mem *m = NULL;
	struct cw_error err = {{0}};
	uint64_t calls0, calls1, bytes0, bytes1;

	NEED_PTRACE();
	child_start(&c, 1);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	for (size_t i = 0; i < N; i++) /* in reverse: the reader sorts them */
		r[N - 1 - i] =
		    (struct mem_req){(uintptr_t)known + i * STEP, got[N - 1 - i], LEN, 1};
	remote_mem_stats(m, &bytes0, &calls0);
	assert_int_equal(remote_mem_readv(m, r, N), N);
	remote_mem_stats(m, &bytes1, &calls1);
	assert_int_equal(calls1 - calls0, 1);
	assert_int_equal(bytes1 - bytes0, (N - 1) * STEP + LEN);
	for (size_t i = 0; i < N; i++)
		check_pattern(got[N - 1 - i], i * STEP, LEN);

	/* SIDE requests end page 0 of the map, SIDE start page 2; page 1 is a hole */
	memset(got, 0, sizeof(got));
	for (size_t i = 0; i < N; i++) {
		size_t off = i < SIDE ? c.pg - (SIDE - i) * LEN : 2 * c.pg + (i - SIDE) * LEN;
		r[i] = (struct mem_req){(uintptr_t)c.map + off, got[i], LEN, 1};
	}
	assert_int_equal(remote_mem_readv(m, r, N), N);
	for (size_t i = 0; i < N; i++) {
		size_t off = i < SIDE ? c.pg - (SIDE - i) * LEN : 2 * c.pg + (i - SIDE) * LEN;
		assert_int_equal(r[i].result, 0);
		for (size_t k = 0; k < LEN; k++)
			assert_int_equal(got[i][k], pattern(off + k + 17));
	}
	batch_shuffled(m, &c);
	assert_int_equal(remote_mem_close(m, &err), 0);
	child_stop(&c);
}

static void live_procfs_fallback(void **state)
{
	struct child c = {0};
	struct remote_mem *m = NULL;
	struct cw_error err = {{0}};
	uint64_t bytes, calls;

	NEED_PTRACE();
	child_start(&c, 1);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	assert_int_equal(remote_mem_use_procfs(m, &err), 0);
	check_mixed_batch(m, &c);
	remote_mem_stats(m, &bytes, &calls);
	assert_int_equal(bytes, 100 + 200 + 64 + 1 + 16); /* 16: the half-mapped one's first part */
	kill(c.pid, SIGKILL);
	waitpid(c.pid, NULL, 0);
	c.pid = 0;
	assert_int_equal(remote_mem_read(m, (uintptr_t)known, &bytes, 8), -ESRCH);
	assert_int_equal(remote_mem_fatal(m), -ESRCH);
	assert_int_equal(remote_mem_close(m, &err), 0);
	child_stop(&c);
}

/* Where process_vm_readv gives ENOSYS (seccomp here), the reads go by /proc/PID/mem. */
static void live_enosys_falls_back(void **state)
{
	struct child c = {0};
	int st;
	pid_t pid;

	NEED_PTRACE();
	child_start(&c, 1);
	pid = fork();
	if (pid == 0) {
		struct sock_filter f[] = {
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 0, 1),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
		struct remote_mem *m = NULL;
		struct cw_error err = {{0}};
		unsigned char b[2][200];
		struct iovec l = {b, 1}, r = {known, 1};
		struct mem_req q[3] = {
		    {(uintptr_t)known + 4096, b[0], 200, 1},
		    {0x10, b[1], 8, 1},
		    {(uintptr_t)known, b[1], 200, 1},
		};

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(20);
		if (process_vm_readv(c.pid, &l, 1, &r, 1, 0) != -1 || errno != ENOSYS)
			_exit(21);
		if (remote_mem_open_pid(&m, c.pid, &err))
			_exit(22);
		if (remote_mem_readv(m, q, 3) != 2 || q[0].result || q[1].result != -EFAULT ||
		    q[2].result)
			_exit(23);
		for (size_t i = 0; i < 200; i++)
			if (b[0][i] != pattern(4096 + i) || b[1][i] != pattern(i))
				_exit(24);
		remote_mem_close(m, NULL);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	child_stop(&c);
}

static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : 0;
}

static void live_esrch_after_child_died(void **state)
{
	struct child c = {0};
	struct remote_mem *m = NULL;
	struct cw_error err = {{0}};
	struct mem_req r[2];
	uint64_t v[2];
	pid_t pid;

	NEED_PTRACE();
	child_start(&c, 1);
	pid = c.pid;
	assert_int_equal(remote_mem_open_pid(&m, pid, &err), 0);
	assert_int_equal(remote_mem_read(m, (uintptr_t)known, v, 8), 0);
	kill(pid, SIGKILL);
	for (int i = 0; i < 2000 && state_of(pid) != 'Z'; i++)
		usleep(1000);
	assert_int_equal(state_of(pid), 'Z');
	r[0] = (struct mem_req){(uintptr_t)known, &v[0], 8, 1};
	r[1] = (struct mem_req){(uintptr_t)known + 8, &v[1], 8, 1};
	assert_int_equal(remote_mem_readv(m, r, 2), -ESRCH);
	assert_int_equal(r[0].result, -ESRCH);
	assert_int_equal(r[1].result, -ESRCH);
	assert_int_equal(remote_mem_fatal(m), -ESRCH);
	waitpid(pid, NULL, 0);
	c.pid = 0;
	/* latched: no more syscalls */
	assert_int_equal(remote_mem_read(m, (uintptr_t)known, v, 8), -ESRCH);
	assert_int_equal(remote_mem_close(m, &err), 0);

	/* the pid is gone now */
	err.msg[0] = '\0';
	assert_int_equal(remote_mem_open_pid(&m, pid, &err), -ESRCH);
	assert_null(m);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_int_equal(remote_mem_open_pid(&m, 0, &err), -EINVAL);
	child_stop(&c);
}

/* As an unprivileged user, reading or pausing our (root's) child is refused at open. */
static void live_permission_denied_at_open(void **state)
{
	struct child c = {0};
	int fds[2], st;
	char msg[2][600] = {{0}};
	int rets[2] = {0};
	pid_t pid;

	if (geteuid() != 0) {
		print_message("skipped: needs root to drop to another user\n");
		skip();
	}
	NEED_PTRACE();
	child_start(&c, 1);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		struct remote_mem *m = NULL;
		struct target_pause *p = NULL;
		struct cw_error err = {{0}};
		close(fds[0]);
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(5);
		rets[0] = remote_mem_open_pid(&m, c.pid, &err);
		snprintf(msg[0], sizeof(msg[0]), "%s", err.msg);
		err.msg[0] = '\0';
		rets[1] = target_pause(&p, c.pid, &err);
		snprintf(msg[1], sizeof(msg[1]), "%s", err.msg);
		target_pause_free(p);
		remote_mem_close(m, NULL);
		if (write(fds[1], rets, sizeof(rets)) != sizeof(rets) ||
		    write(fds[1], msg, sizeof(msg)) != sizeof(msg))
			_exit(6);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], rets, sizeof(rets)), sizeof(rets));
	assert_int_equal(read(fds[0], msg, sizeof(msg)), sizeof(msg));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(rets[0] == -EPERM || rets[0] == -EACCES);
	assert_non_null(strstr(msg[0], "no permission to read process"));
	assert_non_null(strstr(msg[0], "needs ptrace permission"));
	assert_null(strchr(msg[0], '\n'));
	assert_true(rets[1] == -EPERM || rets[1] == -EACCES);
	assert_non_null(strstr(msg[1], "cannot pause process"));
	assert_non_null(strstr(msg[1], "needs ptrace permission"));
	child_stop(&c);
}

/* ---- recording and replay ---- */

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

static void record_then_replay(void **state)
{
	struct child c = {0};
	struct remote_mem *m = NULL, *r = NULL;
	struct cw_error err = {{0}};
	struct snapshot_meta meta = {0}, back;
	unsigned char buf[512], *file;
	uint64_t base = (uintptr_t)known;
	char path[128];
	size_t len;

	NEED_PTRACE();
	child_start(&c, 1);
	snprintf(path, sizeof(path), "%s/snap.cws", tmpdir);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	assert_int_equal(remote_mem_read(m, base, buf, 8), 0); /* before recording: not kept */
	assert_int_equal(remote_mem_record(m, path, &err), 0);
	assert_int_equal(remote_mem_record(m, path, &err), -EBUSY);
	assert_int_equal(remote_mem_read(m, base + 100, buf, 100), 0);
	assert_int_equal(remote_mem_read(m, base, buf, 100), 0);	/* adjacent */
	assert_int_equal(remote_mem_read(m, base + 1000, buf, 100), 0); /* apart */
	assert_int_equal(remote_mem_read(m, base + 1050, buf, 150), 0); /* overlaps */
	assert_int_equal(remote_mem_read(m, base + 1010, buf, 10), 0);	/* inside */
	assert_int_equal(remote_mem_read(m, 0x10, buf, 8), -EFAULT);	/* not kept */
	meta.pid = c.pid;
	snprintf(meta.exe, sizeof(meta.exe), "/proc/self/exe-ish");
	snprintf(meta.go_version, sizeof(meta.go_version), "go1.26.8");
	meta.arch = 1;
	meta.load_bias = 0x555500000000ULL;
	meta.allgs_addr = 0xc000010000ULL;
	meta.allglen_addr = 0xc000010018ULL;
	meta.mono_ns = -5;
	remote_mem_set_meta(m, &meta);
	assert_int_equal(remote_mem_close(m, &err), 0);

	/* the file is as documented: two coalesced ranges */
	file = slurp(path, &len);
	assert_int_equal(len, HDR_LEN + 16 + 200 + 16 + 200);
	assert_memory_equal(file, "CWSNAP1\n", 8);
	assert_int_equal(le64(file + 48), 2);
	assert_int_equal(le64(file + HDR_LEN), base);
	assert_int_equal(le64(file + HDR_LEN + 8), 200);
	assert_int_equal(le64(file + HDR_LEN + 16 + 200), base + 1000);
	assert_int_equal(le64(file + HDR_LEN + 16 + 200 + 8), 200);
	free(file);

	assert_int_equal(remote_mem_open_replay(&r, path, &back, &err), 0);
	assert_int_equal(back.pid, c.pid);
	assert_string_equal(back.exe, meta.exe);
	assert_string_equal(back.go_version, "go1.26.8");
	assert_int_equal(back.arch, 1);
	assert_int_equal(back.load_bias, meta.load_bias);
	assert_int_equal(back.allgs_addr, meta.allgs_addr);
	assert_int_equal(back.allglen_addr, meta.allglen_addr);
	assert_int_equal(back.mono_ns, -5);
	assert_int_equal(remote_mem_read(r, base, buf, 200), 0);
	check_pattern(buf, 0, 200);
	assert_int_equal(remote_mem_read(r, base + 1000, buf, 200), 0);
	check_pattern(buf, 1000, 200);
	assert_int_equal(remote_mem_read(r, base + 150, buf, 51), -EFAULT);
	assert_int_equal(remote_mem_read(r, base + 999, buf, 2), -EFAULT);
	assert_int_equal(remote_mem_read(r, 0x10, buf, 8), -EFAULT);
	assert_int_equal(remote_mem_read(r, UINT64_MAX - 2, buf, 8), -EFAULT);
	assert_int_equal(remote_mem_fatal(r), 0);
	assert_int_equal(remote_mem_close(r, &err), 0);
	child_stop(&c);
}

/* Many overlapping random reads: the replay has exactly the bytes read, coalesced. */
static void record_coalesces_random_reads(void **state)
{
	static bool covered[KNOWN_LEN];
	struct child c = {0};
	struct remote_mem *m = NULL, *r = NULL;
	struct cw_error err = {{0}};
	unsigned char buf[KNOWN_LEN], one, *file;
	uint64_t base = (uintptr_t)known, runs = 0;
	char path[128];
	unsigned seed = 12345;
	size_t len;

	NEED_PTRACE();
	child_start(&c, 1);
	memset(covered, 0, sizeof(covered));
	snprintf(path, sizeof(path), "%s/random.cws", tmpdir);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	assert_int_equal(remote_mem_record(m, path, &err), 0);
	for (int i = 0; i < 400; i++) {
		size_t off = rand_r(&seed) % KNOWN_LEN, n = 1 + rand_r(&seed) % 24;
		if (off + n > KNOWN_LEN)
			n = KNOWN_LEN - off;
		assert_int_equal(remote_mem_read(m, base + off, buf, n), 0);
		for (size_t j = 0; j < n; j++)
			covered[off + j] = true;
	}
	assert_int_equal(remote_mem_close(m, &err), 0);
	for (size_t i = 0; i < KNOWN_LEN; i++)
		runs += covered[i] && (i == 0 || !covered[i - 1]);
	file = slurp(path, &len);
	assert_int_equal(le64(file + 48), runs);
	free(file);
	assert_int_equal(remote_mem_open_replay(&r, path, NULL, &err), 0);
	for (size_t i = 0; i < KNOWN_LEN; i++) {
		int ret = remote_mem_read(r, base + i, &one, 1);
		if (ret != (covered[i] ? 0 : -EFAULT))
			fail_msg("byte %zu: %d", i, ret);
		if (covered[i])
			assert_int_equal(one, pattern(i));
	}
	assert_int_equal(remote_mem_close(r, &err), 0);
	child_stop(&c);
}

/* Past 16 MiB of reads the log is merged while recording; the file stays one range. */
static void record_merges_while_recording(void **state)
{
	struct child c = {0};
	struct remote_mem *m = NULL, *r = NULL;
	struct cw_error err = {{0}};
	static unsigned char buf[KNOWN_LEN];
	uint64_t base = (uintptr_t)known, bytes;
	char path[128];
	unsigned char *file;
	size_t len;

	NEED_PTRACE();
	child_start(&c, 1);
	snprintf(path, sizeof(path), "%s/big.cws", tmpdir);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	assert_int_equal(remote_mem_record(m, path, &err), 0);
	for (int i = 0; i < 4200; i++)
		assert_int_equal(remote_mem_read(m, base + (i % 3) * 2048, buf, 4096), 0);
	remote_mem_stats(m, &bytes, NULL);
	assert_int_equal(bytes, 4200 * 4096);
	assert_int_equal(remote_mem_close(m, &err), 0);
	file = slurp(path, &len);
	assert_int_equal(len, HDR_LEN + 16 + KNOWN_LEN);
	assert_int_equal(le64(file + 48), 1);
	free(file);
	assert_int_equal(remote_mem_open_replay(&r, path, NULL, &err), 0);
	assert_int_equal(remote_mem_read(r, base, buf, KNOWN_LEN), 0);
	check_pattern(buf, 0, KNOWN_LEN);
	assert_int_equal(remote_mem_close(r, &err), 0);
	child_stop(&c);
}

static void record_uncreatable_file(void **state)
{
	struct remote_mem *r = NULL;
	struct cw_error err = {{0}};
	unsigned char b[HDR_LEN];

	memset(b, 0, sizeof(b));
	memcpy(b, "CWSNAP1\n", 8);
	assert_int_equal(remote_mem_open_replay_mem(&r, b, sizeof(b), NULL, NULL, &err), 0);
	assert_int_equal(remote_mem_record(r, "/nonexistent-dir/x.cws", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x.cws"));
	assert_int_equal(remote_mem_close(r, &err), 0);
	assert_int_equal(remote_mem_close(NULL, &err), 0);
}

/* ---- hand-made snapshots ---- */

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

struct rg {
	uint64_t addr, len;
};

/* Writes a snapshot of ranges r (bytes: low byte of each address) into b; returns its size. */
static size_t snap_make(unsigned char *b, size_t cap, const struct rg *r, size_t n)
{
	size_t off = HDR_LEN;

	memset(b, 0, HDR_LEN);
	memcpy(b, "CWSNAP1\n", 8);
	put64(b + 8, 4242 | (2ULL << 32)); /* pid 4242, arch 2 */
	put64(b + 16, 0x1000);
	put64(b + 24, 0x2000);
	put64(b + 48, n);
	memcpy(b + 56, "go1.22.12", 9);
	memcpy(b + 88, "/bin/target", 11);
	for (size_t i = 0; i < n; i++) {
		assert_true(off + 16 + r[i].len <= cap);
		put64(b + off, r[i].addr);
		put64(b + off + 8, r[i].len);
		off += 16;
		for (uint64_t j = 0; j < r[i].len; j++)
			b[off + j] = (unsigned char)(r[i].addr + j);
		off += r[i].len;
	}
	return off;
}

static void replay_spans_adjacent_ranges(void **state)
{
	static unsigned char b[8192];
	const struct rg rs[] = {{0x1000, 16}, {0x1010, 16}, {0x2000, 8}};
	struct remote_mem *r = NULL;
	struct cw_error err = {{0}};
	struct snapshot_meta meta;
	unsigned char out[64];
	size_t len = snap_make(b, sizeof(b), rs, 3);
	struct mem_req q[4] = {
	    {0x1008, out, 16, 1},
	    {0x1018, out + 16, 16, 1},
	    {0x2000, out + 32, 8, 1},
	    {0xfff, out + 40, 2, 1},
	};

	assert_int_equal(remote_mem_open_replay_mem(&r, b, len, "mem.cws", &meta, &err), 0);
	assert_int_equal(meta.pid, 4242);
	assert_int_equal(meta.arch, 2);
	assert_int_equal(meta.load_bias, 0x1000);
	assert_string_equal(meta.go_version, "go1.22.12");
	assert_string_equal(meta.exe, "/bin/target");
	assert_int_equal(remote_mem_read(r, 0x1000, out, 32), 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(out[i], (unsigned char)(0x1000 + i));
	assert_int_equal(remote_mem_readv(r, q, 4), 2);
	assert_int_equal(q[0].result, 0);
	assert_int_equal(out[0], 0x08);
	assert_int_equal(out[15], 0x17);
	assert_int_equal(q[1].result, -EFAULT); /* past the second range */
	assert_int_equal(q[2].result, 0);
	assert_int_equal(q[3].result, -EFAULT);
	assert_int_equal(remote_mem_read(r, 0x1020, out, 1), -EFAULT);
	assert_int_equal(remote_mem_read(r, 0x1ff8, out, 16), -EFAULT);
	assert_int_equal(remote_mem_read(r, 0x2007, out, 1), 0);
	assert_int_equal(remote_mem_read(r, 0x2008, out, 0), 0);
	assert_int_equal(remote_mem_close(r, &err), 0);
}

static void expect_invalid(const unsigned char *b, size_t len, const char *what)
{
	struct remote_mem *r = (struct remote_mem *)1;
	struct cw_error err = {{0}};

	if (remote_mem_open_replay_mem(&r, b, len, "bad.cws", NULL, &err) != -EINVAL)
		fail_msg("%s: accepted", what);
	assert_null(r);
	if (strncmp(err.msg, "bad.cws: ", 9) || strlen(err.msg) < 12 || strchr(err.msg, '\n'))
		fail_msg("%s: message '%s'", what, err.msg);
}

static void replay_rejects_hostile_files(void **state)
{
	static unsigned char b[8192], t[8192];
	const struct rg ok[] = {{0x1000, 16}, {0x1010, 16}, {0x2000, 8}};
	const struct rg overlap[] = {{0x1000, 16}, {0x100f, 16}};
	const struct rg unsorted[] = {{0x2000, 8}, {0x1000, 16}};
	const struct rg wrap[] = {{UINT64_MAX - 3, 8}};
	const struct rg empty[] = {{0x1000, 0}};
	struct remote_mem *r = NULL;
	struct cw_error err = {{0}};
	size_t len = snap_make(b, sizeof(b), ok, 3);
	char path[128];
	FILE *f;

	assert_int_equal(remote_mem_open_replay_mem(&r, b, len, "ok.cws", NULL, &err), 0);
	remote_mem_close(r, NULL);
	for (size_t l = 0; l < len; l++) /* every truncation */
		expect_invalid(b, l, "truncated");

	memcpy(t, b, len);
	t[7] = '\r';
	expect_invalid(t, len, "bad magic");
	memcpy(t, b, len);
	memset(t + 56, 'x', 32);
	expect_invalid(t, len, "go version without NUL");
	memcpy(t, b, len);
	memset(t + 88, 'x', 4096);
	expect_invalid(t, len, "exe without NUL");
	memcpy(t, b, len);
	put64(t + 48, UINT64_MAX);
	expect_invalid(t, len, "huge range count");
	memcpy(t, b, len);
	put64(t + 48, 4);
	expect_invalid(t, len, "range count past the data");
	memcpy(t, b, len);
	put64(t + HDR_LEN + 8, UINT64_MAX); /* first range's length */
	expect_invalid(t, len, "length overflow");
	memcpy(t, b, len);
	put64(t + HDR_LEN + 8, UINT64_MAX - HDR_LEN - 8);
	expect_invalid(t, len, "length wrapping the offset");
	memcpy(t, b, len);
	t[len] = 0;
	expect_invalid(t, len + 1, "trailing byte");

	len = snap_make(t, sizeof(t), overlap, 2);
	expect_invalid(t, len, "overlapping ranges");
	len = snap_make(t, sizeof(t), unsorted, 2);
	expect_invalid(t, len, "unsorted ranges");
	len = snap_make(t, sizeof(t), wrap, 1);
	expect_invalid(t, len, "range wrapping the address space");
	len = snap_make(t, sizeof(t), empty, 1);
	expect_invalid(t, len, "empty range");

	/* through a file: the message names it */
	snprintf(path, sizeof(path), "%s/bad.cws", tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, 100, f), 100);
	fclose(f);
	assert_int_equal(remote_mem_open_replay(&r, path, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "truncated"));
	snprintf(path, sizeof(path), "%s/missing.cws", tmpdir);
	assert_true(remote_mem_open_replay(&r, path, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, path));
}

/* ---- pause ---- */

static int tasks_in_state(pid_t pid, char want, int *total)
{
	char path[320], buf[512], *p;
	struct dirent *de;
	int n = 0;
	DIR *d;

	*total = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		FILE *f;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		p = strrchr(buf, ')');
		(*total)++;
		n += p && p[1] && p[2] == want;
	}
	closedir(d);
	return n;
}

static uint64_t child_counter(struct remote_mem *m)
{
	uint64_t v = 0;

	assert_int_equal(remote_mem_read(m, (uintptr_t)&counter, &v, sizeof(v)), 0);
	return v;
}

static void pause_stops_every_thread(void **state)
{
	struct child c = {0};
	struct target_pause *p = NULL, *q = NULL;
	struct remote_mem *m = NULL;
	struct cw_error err = {{0}};
	int total, stopped = 0;
	uint64_t before;
	int64_t d1, d2;

	NEED_PTRACE();
	child_start(&c, 3);
	assert_int_equal(remote_mem_open_pid(&m, c.pid, &err), 0);
	assert_int_equal(target_pause(&p, c.pid, &err), 0);
	assert_int_equal(target_pause_threads(p), 3);
	assert_int_equal(tasks_in_state(c.pid, 't', &total), 3);
	assert_int_equal(total, 3);
	assert_int_equal(target_pause(&q, c.pid, &err), -EBUSY);
	assert_null(q);
	/* stopped means stopped: the spinning threads do not count while paused */
	before = child_counter(m);
	usleep(20 * 1000);
	assert_int_equal(child_counter(m), before);
	assert_true(target_pause_duration_ns(p) >= 20 * 1000 * 1000);

	assert_int_equal(target_resume(p), 0);
	d1 = target_pause_duration_ns(p);
	assert_true(d1 >= 20 * 1000 * 1000);
	for (int i = 0; i < 1000; i++) {
		stopped = tasks_in_state(c.pid, 't', &total);
		if (!stopped)
			break;
		usleep(1000);
	}
	assert_int_equal(stopped, 0);
	assert_int_equal(total, 3);
	usleep(20 * 1000);
	assert_true(child_counter(m) > before);
	assert_int_equal(target_resume(p), 0); /* twice */
	d2 = target_pause_duration_ns(p);
	assert_int_equal(d1, d2);
	assert_int_equal(target_resume(NULL), 0);
	print_message("# paused 3 threads for %.3f ms (including a 20 ms sleep)\n", d1 / 1e6);
	target_pause_free(p);
	target_pause_free(NULL);

	/* a second pause works once the first is over */
	assert_int_equal(target_pause(&p, c.pid, &err), 0);
	assert_int_equal(target_pause_threads(p), 3);
	assert_int_equal(target_resume(p), 0);
	print_message("# pause+resume of 3 threads: %.3f ms\n",
		      (double)target_pause_duration_ns(p) / 1e6);
	target_pause_free(p);
	assert_int_equal(remote_mem_close(m, &err), 0);
	child_stop(&c);
}

static int wait_unstopped(pid_t pid)
{
	int total, stopped = -1;

	for (int i = 0; i < 1000; i++) {
		stopped = tasks_in_state(pid, 't', &total);
		if (!stopped)
			break;
		usleep(1000);
	}
	return stopped;
}

/*
 * A pauser that gets SIGTERM while paused detaches, then dies of it. The kernel would
 * detach at its death anyway, so we trace the pauser to hold it between its handler and its
 * death: the target must be running by then.
 */
static void pause_signal_detaches(void **state)
{
	struct child c = {0};
	int fds[2], st, total;
	pid_t pauser;
	char ch;

	NEED_PTRACE();
	child_start(&c, 3);
	assert_int_equal(pipe(fds), 0);
	pauser = fork();
	if (pauser == 0) {
		struct target_pause *p = NULL;
		struct cw_error err = {{0}};
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		if (target_pause(&p, c.pid, &err))
			_exit(7);
		if (write(fds[1], "p", 1) != 1)
			_exit(8);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ch, 1), 1);
	close(fds[0]);
	assert_int_equal(tasks_in_state(c.pid, 't', &total), 3);
	assert_int_equal(ptrace(PTRACE_SEIZE, pauser, 0L, 0L), 0);
	kill(pauser, SIGTERM);
	/* signal-delivery-stop before the handler: still paused */
	assert_int_equal(waitpid(pauser, &st, __WALL), pauser);
	assert_true(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTERM);
	assert_int_equal(tasks_in_state(c.pid, 't', &total), 3);
	/* the handler runs, detaches, re-raises: stopped again, alive, the target running */
	assert_int_equal(ptrace(PTRACE_CONT, pauser, 0L, (long)SIGTERM), 0);
	assert_int_equal(waitpid(pauser, &st, __WALL), pauser);
	assert_true(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTERM);
	assert_int_equal(wait_unstopped(c.pid), 0);
	/* and it dies of the signal */
	assert_int_equal(ptrace(PTRACE_CONT, pauser, 0L, (long)SIGTERM), 0);
	assert_int_equal(waitpid(pauser, &st, __WALL), pauser);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	child_stop(&c);
}

static void pause_missing_process(void **state)
{
	struct target_pause *p = NULL;
	struct cw_error err = {{0}};
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	assert_int_equal(target_pause(&p, pid, &err), -ESRCH);
	assert_null(p);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_int_equal(target_pause(&p, -1, &err), -EINVAL);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int group_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cw-mem-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(live_reads_child_memory),
	    cmocka_unit_test(live_batch_mixed),
	    cmocka_unit_test(live_batch_large),
	    cmocka_unit_test(live_batch_gaps),
	    cmocka_unit_test(live_procfs_fallback),
	    cmocka_unit_test(live_enosys_falls_back),
	    cmocka_unit_test(live_esrch_after_child_died),
	    cmocka_unit_test(live_permission_denied_at_open),
	    cmocka_unit_test(record_then_replay),
	    cmocka_unit_test(record_coalesces_random_reads),
	    cmocka_unit_test(record_merges_while_recording),
	    cmocka_unit_test(record_uncreatable_file),
	    cmocka_unit_test(replay_spans_adjacent_ranges),
	    cmocka_unit_test(replay_rejects_hostile_files),
	    cmocka_unit_test(pause_stops_every_thread),
	    cmocka_unit_test(pause_signal_detaches),
	    cmocka_unit_test(pause_missing_process),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
