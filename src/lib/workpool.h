// SPDX-License-Identifier: MIT
// Independent tasks run on the calling thread and helper threads.
#ifndef CW_WORKPOOL_H
#define CW_WORKPOOL_H

#include <stddef.h>

#define WORK_POOL_MAX 64 /* threads of one pool, the caller's included */

struct work_pool;

/*
 * A pool of threads - 1 helper threads (threads: 1 to WORK_POOL_MAX, larger is capped), so
 * that runs use threads threads with the caller's. The helpers block every signal, so
 * handlers run on the caller's threads. Fewer helpers are started when pthread_create fails,
 * none when threads is 1. NULL when out of memory. Freed by work_pool_free().
 */
struct work_pool *work_pool_new(unsigned threads);

/*
 * Runs task(ctx, i) once for every i in [0, ntasks), on the calling thread and the pool's
 * helpers, each claiming the next index until none is left. Tasks must not depend on each
 * other or on which thread runs them. Once a task returns non-zero, threads stop taking new
 * indices (a task another thread had already taken still runs); the first such value is
 * returned (0 when all succeeded). Returns only when no
 * task is running. pool NULL: the calling thread alone. One run per pool at a time.
 */
int work_pool_run(struct work_pool *pool, size_t ntasks, int (*task)(void *ctx, size_t i),
		  void *ctx);

/* Stops and joins the helpers and frees pool. pool may be NULL. */
void work_pool_free(struct work_pool *pool);
#endif
