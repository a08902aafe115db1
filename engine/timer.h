/* timer.h: the per-thread timer wheel behind every timeout (connect,
 * client, server, tunnel, queue, inspect-delay, Lua sleeps and budgets,
 * health checks). Deadlines are absolute milliseconds of CLOCK_MONOTONIC
 * (timer_now_ms()). Six levels of 64 slots (1 ms, 64 ms, 4 s, 4.4 min,
 * 4.7 h, 12.4 days per slot): arm and cancel are O(1), finding the next
 * deadline is a few bit scans. The loop waits until timers_next().
 *
 *     struct timer t;                      // embedded in your object
 *     timer_init(&t, my_expire_cb);
 *     timer_arm(&thr->timers, &t, thr->now_ms + 5000);
 *     ...
 *     static void my_expire_cb(struct timer *t)
 *     { struct my_obj *o = container_of(t, struct my_obj, t); ... }
 *
 * A callback may re-arm or cancel any timer, including its own. */
#ifndef RP_TIMER_H
#define RP_TIMER_H

#include <stdint.h>

#define TW_BITS   6
#define TW_SLOTS  (1u << TW_BITS)
#define TW_LEVELS 6
#define TIMER_ETERNITY UINT64_MAX

struct timer;
typedef void (*timer_cb)(struct timer *t);

struct timer {
	struct timer *next, **pprev;   /* slot list; pprev == NULL when not armed */
	uint64_t expire;               /* absolute ms */
	timer_cb cb;
};

/* Invariant: every armed timer sits in the slot of the highest 6-bit group
 * in which its <expire> differs from <now> (level 0 when they share all
 * but the low 6 bits); mask[l] has bit s set iff slot[l][s] is non-empty. */
struct timers {
	uint64_t now;                              /* first tick not yet processed */
	uint64_t mask[TW_LEVELS];
	struct timer *slot[TW_LEVELS][TW_SLOTS];
	uint32_t count;                            /* armed timers */
};

/* Returns the monotonic clock in milliseconds. */
uint64_t timer_now_ms(void);

void timers_init(struct timers *w, uint64_t now_ms);
static inline void timer_init(struct timer *t, timer_cb cb)
{
	t->next = 0; t->pprev = 0; t->expire = 0; t->cb = cb;
}
static inline int timer_is_armed(const struct timer *t) { return t->pprev != 0; }
/* Arms (or moves) <t> to fire at <deadline_ms>; a deadline in the past
 * fires at the next timers_run(). */
void timer_arm(struct timers *w, struct timer *t, uint64_t deadline_ms);
/* Disarms <t>; no effect if it is not armed. */
void timer_cancel(struct timers *w, struct timer *t);
/* Returns the earliest tick at which timers_run() may have work, or
 * TIMER_ETERNITY. It may be earlier than the next deadline (a far timer is
 * moved to a finer level then), never later. */
uint64_t timers_next(const struct timers *w);
/* Fires every timer whose deadline is <= <now_ms>, in deadline order.
 * Returns how many fired. */
unsigned timers_run(struct timers *w, uint64_t now_ms);

#endif
