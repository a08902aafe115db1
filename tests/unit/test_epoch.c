/* test_epoch.c: deferred frees of state published by pointer swap
 * (engine/epoch.c): what is retired is freed once every online thread has
 * passed a quiescent point after the retirement, never before; with no
 * thread online it is freed at once; a thread going offline stops holding
 * anything back. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include "tests/unit/unit.h"
#include "engine/epoch.h"

static int freed[8];

static void mark_freed(void *p)
{
	(*(int *)p)++;
}

static void t_no_reader(void)
{
	memset(freed, 0, sizeof(freed));
	EXPECT_INT(epoch_retire(mark_freed, &freed[0]), 0);
	EXPECT_INT(freed[0], 1);                /* nobody online: at once */
	EXPECT_INT(epoch_pending(), 0);
	EXPECT_INT(epoch_retire(mark_freed, NULL), 0);   /* NULL: nothing to do */
}

static void t_quiescent_points(void)
{
	memset(freed, 0, sizeof(freed));
	epoch_thread_online(0);
	epoch_thread_online(1);
	epoch_retire(mark_freed, &freed[0]);
	EXPECT_INT(freed[0], 0);
	EXPECT_INT(epoch_pending(), 1);
	epoch_quiescent(0);
	EXPECT_INT(freed[0], 0);                /* thread 1 may still hold it */
	epoch_retire(mark_freed, &freed[1]);    /* retired after thread 0's point */
	epoch_quiescent(1);
	EXPECT_INT(freed[0], 1);                /* both passed a point since */
	EXPECT_INT(freed[1], 0);                /* thread 0 has not, since this one */
	epoch_quiescent(0);
	EXPECT_INT(freed[1], 1);
	EXPECT_INT(epoch_pending(), 0);
	/* offline: no longer waited for */
	epoch_retire(mark_freed, &freed[2]);
	epoch_quiescent(0);
	EXPECT_INT(freed[2], 0);
	epoch_thread_offline(1);
	EXPECT_INT(freed[2], 1);
	epoch_thread_offline(0);
	EXPECT_INT(epoch_pending(), 0);
}

static void t_drain(void)
{
	memset(freed, 0, sizeof(freed));
	epoch_thread_online(3);
	epoch_retire(mark_freed, &freed[3]);
	epoch_retire(mark_freed, &freed[3]);
	EXPECT_INT(epoch_pending(), 2);
	epoch_drain();
	EXPECT_INT(freed[3], 2);
	EXPECT_INT(epoch_pending(), 0);
	epoch_thread_offline(3);
}

/* A reader thread keeps reading the published object between quiescent
 * points while the writer replaces it; a freed object is poisoned, so a
 * reader seeing the poison caught a free that came too early. */
struct obj { atomic_int alive; int pad[15]; };
static _Atomic(struct obj *) cur;
static atomic_int stop, early;
static atomic_long reads;

static void obj_free(void *p)
{
	struct obj *o = p;

	atomic_store(&o->alive, 0);             /* poison, then free */
	free(o);
}

static void *reader(void *arg)
{
	long n = 0;

	(void)arg;
	epoch_thread_online(1);
	while (!atomic_load(&stop)) {
		struct obj *o = atomic_load(&cur);

		for (int i = 0; i < 50; i++)
			if (atomic_load(&o->alive) != 1)
				atomic_store(&early, 1);
		if (!(++n % 8))
			epoch_quiescent(1);
	}
	atomic_fetch_add(&reads, n);
	epoch_thread_offline(1);
	return NULL;
}

static void t_reader_thread(void)
{
	pthread_t th;
	struct obj *o = calloc(1, sizeof(*o));

	atomic_store(&o->alive, 1);
	atomic_store(&cur, o);
	atomic_store(&stop, 0);
	epoch_thread_online(0);
	if (pthread_create(&th, NULL, reader, NULL)) {
		SKIP("cannot create a thread");
		epoch_thread_offline(0);
		free(o);
		return;
	}
	for (int i = 0; i < 20000; i++) {
		struct obj *n = calloc(1, sizeof(*n));

		atomic_store(&n->alive, 1);
		epoch_retire(obj_free, atomic_exchange(&cur, n));
		if (!(i % 16))
			epoch_quiescent(0);
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	epoch_thread_offline(0);
	EXPECT_INT(atomic_load(&early), 0);
	EXPECT(atomic_load(&reads) > 0);
	EXPECT_INT(epoch_pending(), 0);
	free(atomic_load(&cur));
}

int main(void)
{
	RUN(t_no_reader);
	RUN(t_quiescent_points);
	RUN(t_drain);
	RUN(t_reader_thread);
	return unit_end();
}
