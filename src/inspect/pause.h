// SPDX-License-Identifier: MIT
// Stops every thread of a process for a consistent read (--pause), and always resumes it.
#ifndef CW_INSPECT_PAUSE_H
#define CW_INSPECT_PAUSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/usage.h"

/*
 * A pause holds every thread of the target in a ptrace stop (PTRACE_SEIZE + PTRACE_INTERRUPT:
 * no signal is sent to the target, nothing is written to it). Only one pause may exist per
 * process at a time, and it must be made and resumed on the same thread (ptrace's tracer is
 * a thread).
 *
 * While paused, SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE (those not ignored) detach every
 * thread and then take their default action; the previous handlers come back at resume.
 * Should chanwatch die anyway (SIGKILL), the kernel detaches the threads, and with no group
 * stop involved they run on.
 */
struct target_pause;

/*
 * Stops every thread of pid: seizes and interrupts each /proc/PID/task entry, waits for
 * each stop, and scans again until no new thread appears (bounded). Returns 0 with *out set
 * (free it with target_pause_free), or a negative errno with err set to one line and the
 * target running: "cannot pause process 1234: needs ptrace permission (...)",
 * "process 1234 does not exist", -EBUSY when another pause is active.
 */
int target_pause(struct target_pause **out, pid_t pid, struct cw_error *err);

/*
 * Detaches every thread (a signal that arrived while stopped is passed on) and restores
 * the signal handlers. Safe with NULL and when already resumed. Returns 0, or the first
 * error of a detach other than "thread gone" (the thread is then still left to the kernel,
 * which detaches it when chanwatch exits).
 */
int target_resume(struct target_pause *p);

/* Resumes if needed and frees p. p may be NULL. */
void target_pause_free(struct target_pause *p);

/* Threads that were stopped. */
size_t target_pause_threads(const struct target_pause *p);

/*
 * Nanoseconds (CLOCK_MONOTONIC) from the first interrupt to the last detach; while still
 * paused, to now.
 */
int64_t target_pause_duration_ns(const struct target_pause *p);
#endif
