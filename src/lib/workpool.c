// SPDX-License-Identifier: MIT
// Independent tasks run on the calling thread and one helper thread (see workpool.h).
#include "lib/workpool.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/banned.h"

struct work_pool {
	pthread_t helper;
	bool have_helper, quit;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* a run was published, or quit */
	pthread_cond_t idle; /* the helper left a run */
	/* the run being published (under mu) */
	unsigned long run; /* generation: the helper joins each run at most once */
	bool open;	   /* the run still takes a helper */
	bool inside;	   /* the helper is in the run */
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
		p->inside = true;
		pthread_mutex_unlock(&p->mu);
		work(p);
		pthread_mutex_lock(&p->mu);
		p->inside = false;
		pthread_cond_signal(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static struct work_pool *pool_new(void)
{
	struct work_pool *p = calloc(1, sizeof(*p));
	sigset_t all, old;

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->idle, NULL);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return p;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* inherited by the helper */
	p->have_helper = !pthread_create(&p->helper, NULL, helper_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
}

int work_pool_run(struct work_pool **pool, size_t ntasks, int (*task)(void *ctx, size_t i),
		  void *ctx)
{
	struct work_pool *p = *pool;
	int failed;

	if (ntasks > 1 && !p)
		p = *pool = pool_new();
	if (!p || !p->have_helper || ntasks < 2) {
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
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->mu);
	work(p);
	/* a helper that has not woken yet stays out of this run: nothing to wait for */
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
	if (pool->have_helper) {
		pthread_mutex_lock(&pool->mu);
		pool->quit = true;
		pthread_cond_signal(&pool->wake);
		pthread_mutex_unlock(&pool->mu);
		pthread_join(pool->helper, NULL);
	}
	pthread_cond_destroy(&pool->idle);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->mu);
	free(pool);
}
