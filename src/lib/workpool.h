// SPDX-License-Identifier: MIT
// Independent tasks run on the calling thread and one helper thread.
#ifndef CW_WORKPOOL_H
#define CW_WORKPOOL_H

#include <stddef.h>

struct work_pool;

/*
 * Runs task(ctx, i) once for every i in [0, ntasks): on the calling thread and, when more
 * than one CPU is online and ntasks > 1, on one helper thread too, each claiming the next
 * index until none is left. Tasks must not depend on each other or on which thread runs
 * them. Once a task returns non-zero no further index is claimed; the first such value is
 * returned (0 when all succeeded). Returns only when no task is running.
 *
 * *pool is created on first use (NULL: start with NULL) and kept for later runs; without a
 * helper (one CPU, or pthread_create failed) the tasks run on the calling thread alone.
 * The helper blocks every signal, so handlers run on the caller's threads. Not reentrant:
 * one run per pool at a time.
 */
int work_pool_run(struct work_pool **pool, size_t ntasks, int (*task)(void *ctx, size_t i),
		  void *ctx);

/* Stops and joins the helper and frees pool. pool may be NULL. */
void work_pool_free(struct work_pool *pool);
#endif
