// SPDX-License-Identifier: MIT
// Stops every thread of a target with PTRACE_SEIZE + PTRACE_INTERRUPT and always detaches.
#define _GNU_SOURCE
#include "inspect/pause.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/num.h"

#include "lib/banned.h"

#define PAUSE_MAX_THREADS 16384
#define PAUSE_MAX_ROUNDS  64
#define PAUSE_STOP_NS	  (2LL * 1000 * 1000 * 1000)
#define PAUSE_NSIGNALS	  5

static const int pause_signals[PAUSE_NSIGNALS] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

/*
 * The threads held, where a signal handler can reach them: a slot is written before n
 * counts it, and a thread that is gone or detached has tid 0.
 */
static struct {
	volatile sig_atomic_t active;
	volatile sig_atomic_t n;
	volatile pid_t tids[PAUSE_MAX_THREADS];
	volatile int inject[PAUSE_MAX_THREADS]; /* signal to hand back at detach */
	bool stopped[PAUSE_MAX_THREADS];
} pause_g;

struct target_pause {
	pid_t pid;
	bool resumed;
	size_t nthreads;
	bool installed[PAUSE_NSIGNALS];
	struct sigaction old[PAUSE_NSIGNALS];
	struct timespec t0, t1;
	bool started;
};

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t);
}

/* Async-signal-safe: raw syscalls over the fixed table. */
static void pause_detach_all_raw(void)
{
	sig_atomic_t n = pause_g.n;

	for (sig_atomic_t i = 0; i < n && i < PAUSE_MAX_THREADS; i++) {
		pid_t tid = pause_g.tids[i];
		if (tid > 0)
			syscall(SYS_ptrace, PTRACE_DETACH, (long)tid, 0L, (long)pause_g.inject[i]);
		pause_g.tids[i] = 0;
	}
}

static void pause_on_signal(int sig)
{
	int saved = errno;
	struct sigaction dfl;
	sigset_t set;

	if (pause_g.active)
		pause_detach_all_raw();
	pause_g.active = 0;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	/* Pending while the handler blocks it; the unblock delivers it with the default. */
	raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	errno = saved;
}

static void pause_signals_mask(sigset_t *set)
{
	sigemptyset(set);
	for (int i = 0; i < PAUSE_NSIGNALS; i++)
		sigaddset(set, pause_signals[i]);
}

static void handlers_install(struct target_pause *p)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pause_on_signal;
	pause_signals_mask(&sa.sa_mask);
	for (int i = 0; i < PAUSE_NSIGNALS; i++) {
		if (sigaction(pause_signals[i], NULL, &p->old[i]))
			continue;
		/* An ignored signal cannot end chanwatch: leave it ignored. */
		if (!(p->old[i].sa_flags & SA_SIGINFO) && p->old[i].sa_handler == SIG_IGN)
			continue;
		if (!sigaction(pause_signals[i], &sa, NULL))
			p->installed[i] = true;
	}
}

static void handlers_restore(struct target_pause *p)
{
	for (int i = 0; i < PAUSE_NSIGNALS; i++) {
		if (p->installed[i])
			sigaction(pause_signals[i], &p->old[i], NULL);
		p->installed[i] = false;
	}
}

/* The scheduler state letter of a thread ('R', 'S', 't', 'Z'...), or 0 when unreadable. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[96], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	paren = strrchr(buf, ')'); /* the name may hold ')' */
	if (!paren || paren[1] != ' ' || !paren[2])
		return 0;
	return paren[2];
}

/* The TracerPid of pid's status, 0 when none or unreadable. */
static long tracer_of(pid_t pid)
{
	char path[64], line[256];
	long tracer = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	for (int i = 0; i < 128 && fgets(line, sizeof(line), f); i++) {
		if (!strncmp(line, "TracerPid:", 10)) {
			tracer = strtol(line + 10, NULL, 10);
			break;
		}
	}
	fclose(f);
	return tracer;
}

static bool tid_known(pid_t tid)
{
	for (sig_atomic_t i = 0; i < pause_g.n; i++)
		if (pause_g.tids[i] == tid)
			return true;
	return false;
}

static int seize_error(pid_t pid, pid_t tid, int e, struct cw_error *err)
{
	long tracer;

	if (e == EPERM || e == EACCES) {
		tracer = tracer_of(pid);
		if (tracer > 0 && tracer != (long)getpid())
			cw_error_set(err,
				     "cannot pause process %d: it is already traced by process %ld",
				     (int)pid, tracer);
		else
			cw_error_set(
			    err,
			    "cannot pause process %d: needs ptrace permission (run as root, "
			    "or as its user with kernel.yama.ptrace_scope=0)",
			    (int)pid);
	} else {
		cw_error_set(err, "cannot pause process %d: thread %d: %s", (int)pid, (int)tid,
			     strerror(e));
	}
	return -e;
}

/* Seizes and interrupts every thread not yet held. Returns how many, or a negative errno. */
static int seize_new(struct target_pause *p, struct cw_error *err)
{
	char path[64];
	struct dirent *de;
	int added = 0, ret = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
	d = opendir(path);
	if (!d) {
		ret = errno == ENOENT ? -ESRCH : -errno;
		if (ret == -ESRCH)
			cw_error_set(err, "process %d does not exist", (int)p->pid);
		else
			cw_error_set(err, "cannot pause process %d: %s: %s", (int)p->pid, path,
				     strerror(-ret));
		return ret;
	}
	while ((de = readdir(d))) {
		uint64_t v;
		pid_t tid;

		if (de->d_name[0] == '.' || parse_u64(de->d_name, &v) || !v || v > INT32_MAX)
			continue;
		tid = (pid_t)v;
		if (tid_known(tid) || task_state(p->pid, tid) == 'Z')
			continue;
		if (pause_g.n >= PAUSE_MAX_THREADS) {
			cw_error_set(err, "cannot pause process %d: more than %d threads",
				     (int)p->pid, PAUSE_MAX_THREADS);
			ret = -E2BIG;
			break;
		}
		if (ptrace(PTRACE_SEIZE, tid, 0L, 0L)) {
			if (errno == ESRCH)
				continue; /* exited meanwhile */
			ret = seize_error(p->pid, tid, errno, err);
			break;
		}
		pause_g.inject[pause_g.n] = 0;
		pause_g.stopped[pause_g.n] = false;
		pause_g.tids[pause_g.n] = tid;
		pause_g.n++;
		if (!p->started) {
			clock_gettime(CLOCK_MONOTONIC, &p->t0);
			p->started = true;
		}
		/* ESRCH here: the thread is exiting; the wait reports its exit. */
		ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
		added++;
	}
	closedir(d);
	return ret ? ret : added;
}

/* Waits until every held thread has stopped or is gone. Returns 0 or a negative errno. */
static int wait_stops(struct target_pause *p, struct cw_error *err)
{
	int64_t deadline = now_ns() + PAUSE_STOP_NS;
	unsigned spins = 0;

	for (;;) {
		size_t pending = 0;

		for (sig_atomic_t i = 0; i < pause_g.n; i++) {
			pid_t tid = pause_g.tids[i], r;
			int st;

			if (!tid || pause_g.stopped[i])
				continue;
			r = waitpid(tid, &st, __WALL | WNOHANG);
			if (r == tid && WIFSTOPPED(st)) {
				pause_g.stopped[i] = true;
				/* A signal-delivery-stop: the signal is handed back at detach. */
				if ((st >> 16) == 0)
					pause_g.inject[i] = WSTOPSIG(st);
			} else if (r == tid || (r < 0 && errno == ECHILD)) {
				pause_g.tids[i] = 0; /* exited */
			} else {
				pending++;
			}
		}
		if (!pending)
			return 0;
		if (now_ns() > deadline) {
			for (sig_atomic_t i = 0; i < pause_g.n; i++) {
				pid_t tid = pause_g.tids[i];
				if (tid && !pause_g.stopped[i] && task_state(p->pid, tid) != 'Z') {
					cw_error_set(
					    err, "cannot pause process %d: thread %d did not stop",
					    (int)p->pid, (int)tid);
					return -ETIMEDOUT;
				}
				if (tid && !pause_g.stopped[i])
					pause_g.tids[i] = 0; /* a zombie: never stops, never runs */
			}
			return 0;
		}
		if (spins++ < 64) {
			sched_yield();
		} else {
			struct timespec ts = {0, 100 * 1000};
			nanosleep(&ts, NULL);
		}
	}
}

int target_pause(struct target_pause **out, pid_t pid, struct cw_error *err)
{
	struct target_pause *p;
	int ret = 0, round;

	*out = NULL;
	if (pid <= 0) {
		cw_error_set(err, "invalid process id %d", (int)pid);
		return -EINVAL;
	}
	if (pid == getpid()) {
		cw_error_set(err, "cannot pause process %d: it is chanwatch itself", (int)pid);
		return -EINVAL;
	}
	if (pause_g.active) {
		cw_error_set(err, "cannot pause process %d: another pause is active", (int)pid);
		return -EBUSY;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		cw_error_set(err, "out of memory");
		return -ENOMEM;
	}
	p->pid = pid;
	pause_g.n = 0;
	pause_g.active = 1;
	handlers_install(p);
	/* New threads can only come from threads still running: scan until a scan adds none. */
	for (round = 0; round < PAUSE_MAX_ROUNDS; round++) {
		ret = seize_new(p, err);
		if (ret < 0)
			goto fail;
		if (ret == 0)
			break;
		ret = wait_stops(p, err);
		if (ret)
			goto fail;
	}
	if (round == PAUSE_MAX_ROUNDS) {
		cw_error_set(err, "cannot pause process %d: its threads keep multiplying",
			     (int)pid);
		ret = -EAGAIN;
		goto fail;
	}
	for (sig_atomic_t i = 0; i < pause_g.n; i++)
		p->nthreads += pause_g.tids[i] != 0;
	if (!p->nthreads) {
		cw_error_set(err, "process %d does not exist", (int)pid);
		ret = -ESRCH;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	target_pause_free(p);
	return ret;
}

int target_resume(struct target_pause *p)
{
	sigset_t block, old;
	int ret = 0;

	if (!p || p->resumed)
		return 0;
	/* The handlers must not detach concurrently with the loop below. */
	pause_signals_mask(&block);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (sig_atomic_t i = 0; i < pause_g.n; i++) {
		pid_t tid = pause_g.tids[i];

		if (!tid)
			continue;
		if (ptrace(PTRACE_DETACH, tid, 0L, (long)pause_g.inject[i]) && errno != ESRCH &&
		    !ret)
			ret = -errno;
		pause_g.tids[i] = 0;
	}
	if (p->started)
		clock_gettime(CLOCK_MONOTONIC, &p->t1);
	pause_g.n = 0;
	pause_g.active = 0;
	handlers_restore(p);
	p->resumed = true;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

void target_pause_free(struct target_pause *p)
{
	if (!p)
		return;
	target_resume(p);
	free(p);
}

size_t target_pause_threads(const struct target_pause *p)
{
	return p ? p->nthreads : 0;
}

int64_t target_pause_duration_ns(const struct target_pause *p)
{
	if (!p || !p->started)
		return 0;
	if (p->resumed)
		return ts_ns(&p->t1) - ts_ns(&p->t0);
	return now_ns() - ts_ns(&p->t0);
}
