/* epoch.h: reclamation of read-mostly shared state published by pointer
 * swap (pattern views, entries, and whatever else is read without locks).
 * A writer publishes a new version with one atomic pointer store, then
 * hands the old one to epoch_retire(); it is freed once every worker
 * thread has passed a quiescent point (the top of its loop turn, where it
 * holds no pointer into shared state) after the retirement. Readers pay
 * one relaxed store per loop turn.
 *
 *     thread loop:   epoch_thread_online(id);
 *                    for (;;) { epoch_quiescent(id); ...turn... }
 *                    epoch_thread_offline(id);
 *     writer:        old = x->cur; atomic_store(&x->cur, new);
 *                    epoch_retire(free_fn, old);
 *
 * With no thread online (configuration parsing, unit tests) a retired
 * object is freed at once. A thread blocked in its wait delays frees (its
 * periodic timers bound the delay), never correctness. */
#ifndef RP_EPOCH_H
#define RP_EPOCH_H

#define EPOCH_MAX_THREADS 64

/* Thread <id> (0..EPOCH_MAX_THREADS-1) starts reading shared state. */
void epoch_thread_online(int id);
/* Returns 1 if the calling thread is online (between
 * epoch_thread_online() and epoch_thread_offline()), else 0. */
int epoch_is_online(void);
/* Thread <id> holds no pointer into shared state now: what was retired
 * before this call may be freed as far as it is concerned. Frees what
 * every online thread has released. */
void epoch_quiescent(int id);
/* Thread <id> stops reading shared state (its loop ended). */
void epoch_thread_offline(int id);
/* Calls <fn>(<p>) once no online thread can hold <p>: at once when no
 * thread is online, else at a later quiescent point. Returns 0, or
 * -ENOMEM when it cannot be queued: then <p> is never freed (a leak
 * rather than a reader left with freed memory). */
int epoch_retire(void (*fn)(void *p), void *p);
/* Frees everything still retired (process exit, tests; no reader left). */
void epoch_drain(void);
/* Returns the number of objects waiting to be freed (tests, show info). */
unsigned long epoch_pending(void);

#endif
