/* epoch.c: deferred frees for state published by pointer swap (epoch.h).
 * A global epoch counter advances at each retirement; each online thread
 * records the epoch it saw at its last quiescent point. An object retired
 * at epoch E is freed once every online thread has recorded an epoch > E:
 * that thread read the counter after the object was unpublished, so its
 * lookups since then cannot have found it. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/epoch.h"

struct retired {
	struct retired *next;
	uint64_t epoch;             /* the counter's value when it was retired */
	void (*fn)(void *p);
	void *p;
};

static _Atomic uint64_t epoch_now = 1;
/* per thread: the epoch seen at its last quiescent point; 0 = offline */
static _Atomic uint64_t epoch_seen[EPOCH_MAX_THREADS];
static _Atomic int epoch_online;
static pthread_mutex_t epoch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct retired *epoch_list;      /* newest first, under epoch_lock */
static _Atomic unsigned long epoch_count;
static __thread int epoch_me = -1;      /* this thread's id while online */

/* Returns the oldest epoch an online thread may still be reading in, or
 * UINT64_MAX when none is online. */
static uint64_t epoch_min_seen(void)
{
	uint64_t min = UINT64_MAX;

	for (int i = 0; i < EPOCH_MAX_THREADS; i++) {
		uint64_t s = atomic_load(&epoch_seen[i]);

		if (s && s < min)
			min = s;
	}
	return min;
}

/* Unlinks under epoch_lock what no reader holds and frees it (after the
 * lock is dropped: <fn> may retire more). */
static void epoch_reclaim(int wait)
{
	struct retired **pp, *done = NULL, *r;
	uint64_t min;

	if (wait)
		pthread_mutex_lock(&epoch_lock);
	else if (pthread_mutex_trylock(&epoch_lock))
		return;
	min = epoch_min_seen();
	for (pp = &epoch_list; (r = *pp); ) {
		if (r->epoch < min) {
			*pp = r->next;
			r->next = done;
			done = r;
		} else
			pp = &r->next;
	}
	pthread_mutex_unlock(&epoch_lock);
	while ((r = done)) {
		done = r->next;
		r->fn(r->p);
		free(r);
		atomic_fetch_sub(&epoch_count, 1);
	}
}

void epoch_thread_online(int id)
{
	if (id < 0 || id >= EPOCH_MAX_THREADS)
		return;
	atomic_store(&epoch_seen[id], atomic_load(&epoch_now));
	atomic_fetch_add(&epoch_online, 1);
	epoch_me = id;
}

int epoch_is_online(void)
{
	return epoch_me >= 0;
}

void epoch_quiescent(int id)
{
	uint64_t now = atomic_load(&epoch_now);

	if (id < 0 || id >= EPOCH_MAX_THREADS)
		return;
	if (atomic_load_explicit(&epoch_seen[id], memory_order_relaxed) != now)
		atomic_store(&epoch_seen[id], now);
	if (atomic_load_explicit(&epoch_count, memory_order_relaxed))
		epoch_reclaim(0);
}

void epoch_thread_offline(int id)
{
	if (id < 0 || id >= EPOCH_MAX_THREADS)
		return;
	atomic_store(&epoch_seen[id], 0);
	atomic_fetch_sub(&epoch_online, 1);
	if (epoch_me == id)
		epoch_me = -1;
	epoch_reclaim(1);
}

int epoch_retire(void (*fn)(void *p), void *p)
{
	struct retired *r;

	if (!p)
		return 0;
	if (!atomic_load(&epoch_online)) {
		fn(p);
		return 0;
	}
	if (!(r = malloc(sizeof(*r))))
		return -ENOMEM;     /* cannot know when it is safe: leak <p> rather than risk a reader */
	r->fn = fn;
	r->p = p;
	pthread_mutex_lock(&epoch_lock);
	/* the pointer was unpublished before this increment: a thread that
	 * reads a later value has finished the lookups that could see it */
	r->epoch = atomic_fetch_add(&epoch_now, 1);
	r->next = epoch_list;
	epoch_list = r;
	atomic_fetch_add(&epoch_count, 1);
	pthread_mutex_unlock(&epoch_lock);
	epoch_reclaim(0);
	return 0;
}

void epoch_drain(void)
{
	struct retired *r;

	pthread_mutex_lock(&epoch_lock);
	r = epoch_list;
	epoch_list = NULL;
	pthread_mutex_unlock(&epoch_lock);
	while (r) {
		struct retired *n = r->next;

		r->fn(r->p);
		free(r);
		atomic_fetch_sub(&epoch_count, 1);
		r = n;
	}
}

unsigned long epoch_pending(void)
{
	return atomic_load(&epoch_count);
}
