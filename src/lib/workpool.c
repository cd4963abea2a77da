// SPDX-License-Identifier: MIT
// Independent tasks run on the calling thread and helper threads (see workpool.h).
#include "lib/workpool.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "lib/banned.h"

struct work_pool {
	pthread_t *helpers;
	unsigned nhelpers;
	bool quit;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* a run was published, or quit */
	pthread_cond_t idle; /* the last helper left a run */
	/* the run being published (under mu) */
	unsigned long run; /* generation: a helper joins each run at most once */
	bool open;	   /* the run still takes helpers */
	unsigned inside;   /* helpers in the run */
	size_t ntasks;
	int (*task)(void *ctx, size_t i);
	void *ctx;
	/* claimed without the lock */
	size_t next;
	int failed;
};

/* Claims and runs tasks until none is left or one has failed. */
static void work(struct work_pool *p)
{
	for (;;) {
		size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		int rc;
		if (i >= p->ntasks || __atomic_load_n(&p->failed, __ATOMIC_RELAXED))
			return;
		rc = p->task(p->ctx, i);
		if (rc) {
			int none = 0;
			__atomic_compare_exchange_n(&p->failed, &none, rc, false, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
		}
	}
}

static void *helper_main(void *arg)
{
	struct work_pool *p = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && (!p->open || p->run == seen))
			pthread_cond_wait(&p->wake, &p->mu);
		if (p->quit)
			break;
		seen = p->run;
		p->inside++;
		pthread_mutex_unlock(&p->mu);
		work(p);
		pthread_mutex_lock(&p->mu);
		if (!--p->inside)
			pthread_cond_signal(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct work_pool *work_pool_new(unsigned threads)
{
	struct work_pool *p = calloc(1, sizeof(*p));
	sigset_t all, old;

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->idle, NULL);
	threads = threads < 1 ? 1 : threads > WORK_POOL_MAX ? WORK_POOL_MAX : threads;
	if (threads == 1)
		return p;
	p->helpers = calloc(threads - 1, sizeof(*p->helpers));
	if (!p->helpers)
		return p;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* inherited by the helpers */
	while (p->nhelpers < threads - 1 &&
	       !pthread_create(&p->helpers[p->nhelpers], NULL, helper_main, p))
		p->nhelpers++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
}

int work_pool_run(struct work_pool *p, size_t ntasks, int (*task)(void *ctx, size_t i), void *ctx)
{
	int failed;

	if (!p || !p->nhelpers || ntasks < 2) {
		for (size_t i = 0; i < ntasks; i++) {
			int rc = task(ctx, i);
			if (rc)
				return rc;
		}
		return 0;
	}
	pthread_mutex_lock(&p->mu);
	p->ntasks = ntasks;
	p->task = task;
	p->ctx = ctx;
	p->next = 0;
	p->failed = 0;
	p->run++;
	p->open = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	work(p);
	/* helpers that have not woken yet stay out of this run: nothing to wait for */
	pthread_mutex_lock(&p->mu);
	p->open = false;
	while (p->inside)
		pthread_cond_wait(&p->idle, &p->mu);
	failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	return failed;
}

void work_pool_free(struct work_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->quit = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->mu);
	for (unsigned i = 0; i < pool->nhelpers; i++)
		pthread_join(pool->helpers[i], NULL);
	free(pool->helpers);
	pthread_cond_destroy(&pool->idle);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->mu);
	free(pool);
}
