// SPDX-License-Identifier: MIT
// What `ps` and `top` share: opening a process or a recording, taking snapshots, dying well.
#ifndef CW_CMD_LIVE_H
#define CW_CMD_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect/inspect.h"

struct live_options {
	pid_t pid;	    /* the process (0 with replay) */
	const char *record; /* --record FILE, or NULL */
	const char *replay; /* --replay FILE, or NULL */
	const char *exe;    /* --exe PATH for a replay, or NULL */
	bool pause;	    /* --pause: ptrace-stop the process while reading */
	unsigned jobs;	    /* -j: threads reading the process; 0 = the reader's default */
	struct live_emit_options emit;
};

struct live_session {
	struct live_target target;
	struct live_snapshot snap;
	bool replayed, paused, have_snap;
	int64_t pause_ns; /* how long the process was stopped (--pause) */
	int64_t wall_ns;  /* CLOCK_REALTIME of the snapshot */
	uint64_t emitted; /* goroutines the last emit delivered */
	char name[64];	  /* "process 1234", or the recording's file name */
};

/* The value of -j/--jobs for ps and top: 1 to 64, or dies with one line (exit 2). */
unsigned live_option_jobs(const char *arg);

/* Opens the process or the recording; dies with one line (exit 2) when it cannot. */
void live_session_open(struct live_session *ls, const struct live_options *o);

/* Takes a snapshot (pausing the process around it with --pause), replacing the last one;
 * dies with one line (exit 2) when nothing could be read. */
void live_session_snapshot(struct live_session *ls, const struct live_options *o);

/* live_session_open() then live_session_snapshot(). */
void live_session_take(struct live_session *ls, const struct live_options *o);

/* Delivers the snapshot's goroutines to sink (counting them in ls->emitted). */
void live_session_emit(struct live_session *ls, const struct live_options *o,
		       const struct dump_sink *sink);

/* Writes a pending recording (dies if that fails) and releases everything. */
void live_session_end(struct live_session *ls);
#endif
