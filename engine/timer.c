/* timer.c: a hierarchical timer wheel (timer.h): six levels of 64 slots.
 * A timer sits at the level of the highest 6-bit group where its deadline
 * differs from the wheel's current tick; when the current tick enters a new
 * block of a level, that level's slot for the block is cascaded down. */
#include <time.h>
#include "engine/timer.h"

#define TW_MAX_DELTA ((1ull << (TW_BITS * TW_LEVELS)) - 1)

uint64_t timer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void timers_init(struct timers *w, uint64_t now_ms)
{
	w->now = now_ms;
	w->count = 0;
	for (int l = 0; l < TW_LEVELS; l++) {
		w->mask[l] = 0;
		for (unsigned s = 0; s < TW_SLOTS; s++)
			w->slot[l][s] = 0;
	}
}

static void unlink_timer(struct timers *w, struct timer *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = 0;
	t->pprev = 0;
	w->count--;
}

/* Links <t> into the slot its deadline belongs to, relative to w->now. */
static void place(struct timers *w, struct timer *t)
{
	uint64_t exp = t->expire < w->now ? w->now : t->expire;
	uint64_t diff = exp ^ w->now;
	int l = 0;
	unsigned s;
	struct timer **head;

	while (l < TW_LEVELS - 1 && (diff >> (TW_BITS * (l + 1))))
		l++;
	s = (unsigned)(exp >> (TW_BITS * l)) & (TW_SLOTS - 1);
	head = &w->slot[l][s];
	t->next = *head;
	if (t->next)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
	w->mask[l] |= 1ull << s;
	w->count++;
}

void timer_arm(struct timers *w, struct timer *t, uint64_t deadline_ms)
{
	if (deadline_ms > w->now + TW_MAX_DELTA && deadline_ms != TIMER_ETERNITY)
		deadline_ms = w->now + TW_MAX_DELTA;
	if (t->pprev) {
		/* re-armed for the tick it waits for already (a stream's
		 * timeouts are recomputed at every event, and move only once
		 * per millisecond): the wheel keeps it where it belongs */
		if (t->expire == deadline_ms)
			return;
		unlink_timer(w, t);
	}
	if (deadline_ms == TIMER_ETERNITY)
		return;     /* never fires: stays disarmed */
	t->expire = deadline_ms;
	place(w, t);
}

void timer_cancel(struct timers *w, struct timer *t)
{
	if (t->pprev)
		unlink_timer(w, t);
	/* the mask bit of an emptied slot is cleared lazily: timers_next() and
	 * timers_run() treat a set bit over an empty slot as "nothing here" */
}

/* Returns the earliest tick >= w->now where something is due or must be
 * cascaded, or TIMER_ETERNITY. Clears stale mask bits on the way. */
static uint64_t next_tick(struct timers *w)
{
	uint64_t now = w->now;

	for (int l = 0; l < TW_LEVELS; l++) {
		unsigned shift = TW_BITS * l;
		unsigned idx = (unsigned)(now >> shift) & (TW_SLOTS - 1);
		/* level 0: the current slot counts; above: only slots after it */
		uint64_t m = w->mask[l] & (l ? ~0ull << idx << 1 : ~0ull << idx);

		if (l && idx == TW_SLOTS - 1)
			m = 0;
		while (m) {
			unsigned s = (unsigned)__builtin_ctzll(m);

			if (w->slot[l][s]) {
				uint64_t base = now >> (shift + TW_BITS) << (shift + TW_BITS);

				return base | ((uint64_t)s << shift);
			}
			w->mask[l] &= ~(1ull << s);
			m &= m - 1;
		}
	}
	return TIMER_ETERNITY;
}

uint64_t timers_next(const struct timers *w)
{
	if (!w->count)
		return TIMER_ETERNITY;
	return next_tick((struct timers *)w);
}

/* Moves every timer of slot <s> of level <l> to where it belongs now. */
static void cascade(struct timers *w, int l, unsigned s)
{
	struct timer *t = w->slot[l][s];

	w->slot[l][s] = 0;
	w->mask[l] &= ~(1ull << s);
	while (t) {
		struct timer *n = t->next;

		w->count--;
		t->pprev = 0;
		place(w, t);
		t = n;
	}
}

/* Moves the current tick to <tick> (>= w->now) and cascades, coarsest
 * level first, the slot of every level whose block changed. Slots skipped
 * over are empty: next_tick() never lets the wheel jump past a non-empty one. */
static void advance(struct timers *w, uint64_t tick)
{
	uint64_t old = w->now;

	w->now = tick;
	for (int l = TW_LEVELS - 1; l > 0; l--) {
		unsigned shift = TW_BITS * l;
		unsigned s = (unsigned)(tick >> shift) & (TW_SLOTS - 1);

		if ((tick >> shift) != (old >> shift) && w->slot[l][s])
			cascade(w, l, s);
	}
}

unsigned timers_run(struct timers *w, uint64_t now_ms)
{
	unsigned fired = 0;
	struct timer *t, *n;

	/* timers armed with a deadline already past sit in the current slot
	 * (clamped to w->now): they are due whatever <now_ms> says */
	for (t = w->slot[0][w->now & (TW_SLOTS - 1)]; t; t = n) {
		n = t->next;
		if (t->expire < w->now) {
			unlink_timer(w, t);
			fired++;
			t->cb(t);
			/* the callback may have changed the list: restart */
			n = w->slot[0][w->now & (TW_SLOTS - 1)];
		}
	}
	while (w->count) {
		uint64_t tick = next_tick(w);

		if (tick > now_ms)
			break;
		advance(w, tick);
		/* fire the current level-0 slot; a callback arming a timer due
		 * now puts it in this slot: the next turn fires it */
		unsigned s0 = (unsigned)tick & (TW_SLOTS - 1);

		while ((t = w->slot[0][s0])) {
			unlink_timer(w, t);
			fired++;
			t->cb(t);
			if (w->now != tick)
				break;
		}
	}
	if (w->now <= now_ms)
		advance(w, now_ms + 1);
	return fired;
}
