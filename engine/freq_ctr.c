/* freq_ctr.c: HAProxy's frequency counters (freq_ctr.h). */
#include "engine/freq_ctr.h"

uint32_t freq_ctr_add(struct freq_ctr *f, uint32_t period, uint32_t now, uint32_t inc)
{
	if (now - f->tick >= period) {
		/* rotate: the current period becomes the previous one */
		f->prev = f->curr;
		f->curr = 0;
		f->tick += period;
		if (now - f->tick >= period) {
			/* two periods or more went by: nothing to remember */
			f->prev = 0;
			f->tick = now;
		}
	}
	f->curr += inc;
	return inc;
}

uint32_t freq_ctr_read(const struct freq_ctr *f, uint32_t period, uint32_t now)
{
	uint64_t curr = f->curr, past = f->prev;
	int64_t remain = (int64_t)(int32_t)(f->tick + period - now);

	if (!period)
		return 0;
	if (remain < 0) {
		/* past the current period: the previous one may still count */
		remain += period;
		past = remain >= 0 ? curr : 0;
		curr = 0;
	}
	if (!curr && past <= 1)
		return (uint32_t)past;      /* no flapping at very low rates */
	return (uint32_t)((past * (uint64_t)remain + curr * period) / period);
}
