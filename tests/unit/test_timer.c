/* test_timer.c: the timer wheel — ordering across levels, cancel, re-arm
 * from a callback, past deadlines, next deadline, wrap of slots and levels. */
#include "tests/unit/unit.h"
#include "engine/timer.h"

#define N 2000

static struct timers w;
static struct timer tm[N];
static uint64_t fired_at[N];
static int order[N], nfired;
static uint64_t run_now;

static void cb(struct timer *t)
{
	int i = (int)(t - tm);

	fired_at[i] = run_now;
	order[nfired++] = i;
}

/* Runs the wheel forward to <to> in steps of <step> ms. */
static void run_to(uint64_t to, uint64_t step)
{
	while (run_now < to) {
		run_now += step;
		if (run_now > to)
			run_now = to;
		timers_run(&w, run_now);
	}
}

static void t_order_and_levels(void)
{
	uint64_t base = 1000003;   /* not aligned on any level */
	uint64_t ds[] = { 0, 1, 63, 64, 65, 4095, 4096, 4097, 262143, 262145, 5000000, 300000000 };
	int n = (int)(sizeof(ds) / sizeof(ds[0]));

	timers_init(&w, base);
	run_now = base;
	nfired = 0;
	for (int i = n - 1; i >= 0; i--) {
		timer_init(&tm[i], cb);
		timer_arm(&w, &tm[i], base + ds[i]);
	}
	EXPECT_INT(w.count, n);
	EXPECT(timers_next(&w) <= base);
	run_to(base + 300000001, 7);
	EXPECT_INT(nfired, n);
	for (int i = 0; i < n; i++) {
		EXPECT_INT(order[i], i);
		/* fires at the first run at or after its deadline, never before */
		EXPECT(fired_at[i] >= base + ds[i] && fired_at[i] <= base + ds[i] + 7);
	}
	EXPECT_INT(w.count, 0);
	EXPECT(timers_next(&w) == TIMER_ETERNITY);
}

static void t_big_jump(void)
{
	/* the loop slept long: one run fires everything due, in order */
	uint64_t base = 77;

	timers_init(&w, base);
	nfired = 0;
	for (int i = 0; i < N; i++) {
		timer_init(&tm[i], cb);
		timer_arm(&w, &tm[i], base + (uint64_t)(N - i) * 97);
	}
	run_now = base + 97 * 1000;
	timers_run(&w, run_now);
	EXPECT_INT(nfired, 1000);      /* i = 1000..1999 are due */
	for (int i = 1; i < nfired; i++)
		EXPECT(order[i] == order[i - 1] - 1);
	run_now = base + 97 * (N + 1);
	timers_run(&w, run_now);
	EXPECT_INT(nfired, N);
}

static void t_cancel_and_next(void)
{
	timers_init(&w, 5000);
	run_now = 5000;
	nfired = 0;
	for (int i = 0; i < 10; i++) {
		timer_init(&tm[i], cb);
		timer_arm(&w, &tm[i], 5000 + 1000 * (uint64_t)(i + 1));
	}
	timer_cancel(&w, &tm[0]);
	timer_cancel(&w, &tm[0]);        /* twice is harmless */
	EXPECT(!timer_is_armed(&tm[0]));
	EXPECT_INT(w.count, 9);
	/* next deadline is never later than the earliest armed timer */
	EXPECT(timers_next(&w) <= 7000);
	timer_arm(&w, &tm[5], 5500);     /* move earlier */
	EXPECT(timers_next(&w) <= 5500);
	run_to(6000, 100);
	EXPECT_INT(nfired, 1);
	EXPECT_INT(order[0], 5);
	run_to(20000, 1000);
	EXPECT_INT(nfired, 9);
	for (int i = 0; i < 10; i++)
		EXPECT(!timer_is_armed(&tm[i]));
}

static struct timer self;
static int self_count;

static void cb_rearm(struct timer *t)
{
	if (++self_count < 5)
		timer_arm(&w, t, run_now + 10);
}

static void cb_cancel_other(struct timer *t)
{
	timer_cancel(&w, t == &tm[0] ? &tm[1] : &tm[0]);
	order[nfired++] = 0;
}

static void t_callbacks(void)
{
	timers_init(&w, 0);
	run_now = 0;
	self_count = 0;
	timer_init(&self, cb_rearm);
	timer_arm(&w, &self, 10);
	run_to(1000, 1);
	EXPECT_INT(self_count, 5);
	/* a callback cancels a timer due at the same tick */
	nfired = 0;
	timer_init(&tm[0], cb_cancel_other);
	timer_init(&tm[1], cb_cancel_other);
	timer_arm(&w, &tm[1], 2000);
	timer_arm(&w, &tm[0], 2000);     /* whichever fires first cancels the other */
	run_to(3000, 50);
	EXPECT_INT(nfired, 1);
	/* a deadline in the past fires at the next run */
	nfired = 0;
	timer_init(&tm[2], cb);
	timer_arm(&w, &tm[2], 10);
	timers_run(&w, run_now);
	EXPECT_INT(nfired, 1);
}

static void t_wrap(void)
{
	/* many rotations of every low level, with timers re-armed all along:
	 * each must fire exactly once, in its own run */
	uint64_t base = (1ull << 36) - 5;   /* near a top-level boundary */
	int rounds = 0;

	timers_init(&w, base);
	run_now = base;
	nfired = 0;
	for (int i = 0; i < 64; i++) {
		timer_init(&tm[i], cb);
		timer_arm(&w, &tm[i], base + 1 + (uint64_t)i * 4111);
	}
	while (nfired < 64 && rounds++ < 100000)
		run_to(run_now + 3, 3);
	EXPECT_INT(nfired, 64);
	for (int i = 0; i < 64; i++)
		EXPECT(fired_at[i] >= base + 1 + (uint64_t)i * 4111 &&
		       fired_at[i] < base + 4 + (uint64_t)i * 4111);
	EXPECT_INT(w.count, 0);
}

/* Random arms, re-arms and cancels over random clock jumps (1 ms to hours),
 * checked against the expected deadlines: every armed timer fires exactly
 * once, at the first run at or after its deadline, never before. */
static uint64_t want[N];
static int armed_m[N], fired_cnt[N];
static uint32_t rs = 777;

static uint32_t rnd(uint32_t n)
{
	rs = rs * 1664525u + 1013904223u;
	return (rs >> 8) % n;
}

static void cb_rand(struct timer *t)
{
	int i = (int)(t - tm);

	fired_cnt[i]++;
	fired_at[i] = run_now;
}

static void t_random_vs_model(void)
{
	int bad = 0;

	run_now = 1000;
	timers_init(&w, run_now);
	memset(armed_m, 0, sizeof(armed_m));
	for (int i = 0; i < N; i++)
		timer_init(&tm[i], cb_rand);
	for (int step = 0; step < 20000 && !bad; step++) {
		int i = (int)rnd(N);
		uint32_t op = rnd(10);

		if (op < 6) {
			/* arm or move: near, medium or far deadlines */
			static const uint32_t span[] = { 5, 300, 70000, 20000000 };
			uint64_t d = run_now + rnd(span[rnd(4)]);

			timer_arm(&w, &tm[i], d);
			want[i] = d;
			armed_m[i] = 1;
			fired_cnt[i] = 0;
		} else if (op < 7) {
			timer_cancel(&w, &tm[i]);
			armed_m[i] = 0;
			fired_cnt[i] = 0;
		} else {
			/* advance the clock by a random jump, then check */
			static const uint32_t jump[] = { 1, 10, 1000, 100000, 5000000 };

			run_now += 1 + rnd(jump[rnd(5)]);
			timers_run(&w, run_now);
			for (int k = 0; k < N; k++) {
				if (!armed_m[k])
					continue;
				if (want[k] <= run_now) {
					/* due: fired exactly once, in this very run (it
					 * was not due at the previous one) */
					if (fired_cnt[k] != 1 || timer_is_armed(&tm[k]) ||
					    fired_at[k] != run_now || fired_at[k] < want[k])
						bad = 1;
					armed_m[k] = 0;
				} else if (fired_cnt[k] || !timer_is_armed(&tm[k])) {
					bad = 1;    /* fired early, or lost */
				}
			}
		}
	}
	EXPECT(!bad);
	/* count matches the model */
	{
		uint32_t n = 0;

		for (int k = 0; k < N; k++)
			n += timer_is_armed(&tm[k]);
		EXPECT_INT(w.count, n);
	}
}

int main(void)
{
	RUN(t_order_and_levels);
	RUN(t_big_jump);
	RUN(t_cancel_and_next);
	RUN(t_callbacks);
	RUN(t_wrap);
	RUN(t_random_vs_model);
	return unit_end();
}
