// SPDX-License-Identifier: MIT
// What `ps` and `top` share: opening a process or a recording, taking snapshots, dying well.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmds.h"
#include "cmd/live.h"
#include "inspect/mem.h"
#include "inspect/pause.h"
#include "lib/usage.h"
#include "lib/banned.h"

unsigned live_option_jobs(const char *arg)
{
	uint64_t v = option_u64("--jobs", arg);
	if (v < 1 || v > 64)
		die("--jobs takes 1 to 64, not '%s'", arg);
	return (unsigned)v;
}

void live_session_open(struct live_session *ls, const struct live_options *o)
{
	struct cw_error err = {{0}};

	memset(ls, 0, sizeof(*ls));
	if (o->replay) {
		if (live_target_open_replay(&ls->target, o->replay, o->exe, &err))
			die("%s", err.msg);
		ls->replayed = true;
		snprintf(ls->name, sizeof(ls->name), "%s", o->replay);
		return;
	}
	if (live_target_open(&ls->target, o->pid, o->record, &err))
		die("%s", err.msg);
	if (o->jobs)
		remote_mem_set_threads(ls->target.mem, o->jobs);
	snprintf(ls->name, sizeof(ls->name), "process %d", (int)o->pid);
}

void live_session_snapshot(struct live_session *ls, const struct live_options *o)
{
	struct cw_error err = {{0}};
	struct target_pause *p = NULL;
	struct timespec ts;
	int rc;

	if (ls->have_snap)
		live_snapshot_release(&ls->snap);
	ls->have_snap = false;
	if (o->pause && !ls->replayed && target_pause(&p, o->pid, &err))
		die("%s", err.msg);
	clock_gettime(CLOCK_REALTIME, &ts);
	ls->wall_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	rc = live_snapshot_take(&ls->target, &ls->snap, &err);
	if (p) {
		int rrc = target_resume(p);
		ls->paused = true;
		ls->pause_ns = target_pause_duration_ns(p);
		target_pause_free(p);
		if (rrc)
			warning("process %d may not have been resumed cleanly: %s", (int)o->pid,
				strerror(-rrc));
	}
	if (rc) {
		live_snapshot_release(&ls->snap);
		die("%s: %s", ls->name, err.msg);
	}
	ls->have_snap = true;
}

void live_session_take(struct live_session *ls, const struct live_options *o)
{
	live_session_open(ls, o);
	live_session_snapshot(ls, o);
}

struct counting_sink {
	const struct dump_sink *inner;
	uint64_t n;
};

static int count_goroutine(void *ctx, const struct goroutine *g)
{
	struct counting_sink *c = ctx;
	c->n++;
	return c->inner->goroutine(c->inner->ctx, g);
}

void live_session_emit(struct live_session *ls, const struct live_options *o,
		       const struct dump_sink *sink)
{
	struct counting_sink c = {sink, 0};
	struct dump_sink s = {count_goroutine, NULL, &c};
	live_snapshot_emit(&ls->snap, &ls->target, &o->emit, &s);
	ls->emitted = c.n;
}

void live_session_end(struct live_session *ls)
{
	struct cw_error err = {{0}};
	if (ls->have_snap)
		live_snapshot_release(&ls->snap);
	ls->have_snap = false;
	if (live_target_close(&ls->target, &err))
		die("%s", err.msg);
}
