/* freq_ctr.h: HAProxy's frequency counters, the rates of stick tables and
 * of "rate-limit sessions": events of the current period and of the
 * previous one; the rate read is curr + prev * (time left in the current
 * period) / period. <tick> is the start of the current period (ms). */
#ifndef RP_FREQ_CTR_H
#define RP_FREQ_CTR_H

#include <stdint.h>

struct freq_ctr {
	uint32_t tick, curr, prev;
};
/* Adds <inc> events at <now> (ms) to <f> over <period> ms; returns <inc>. */
uint32_t freq_ctr_add(struct freq_ctr *f, uint32_t period, uint32_t now, uint32_t inc);
/* Returns the rate of <f> per <period> at <now>, as HAProxy reads it. */
uint32_t freq_ctr_read(const struct freq_ctr *f, uint32_t period, uint32_t now);

#endif
