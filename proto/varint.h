/* varint.h: the variable-length integers of SPOE/SPOP, also used by the
 * binary header lists (req.hdrs_bin): below 240 one byte; otherwise the
 * low 4 bits with the top 4 bits set, then 7 bits per byte, high bit set
 * on every byte but the last. */
#ifndef RP_VARINT_H
#define RP_VARINT_H

#include <stddef.h>
#include <stdint.h>

/* At most this many bytes per value. */
#define VARINT_MAX 10

/* Writes <v> at <p> (room for VARINT_MAX bytes). Returns the bytes written. */
static inline size_t varint_put(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	if (v < 240) {
		p[n++] = (unsigned char)v;
		return n;
	}
	p[n++] = (unsigned char)(v | 240);
	for (v = (v - 240) >> 4; v >= 128; v = (v - 128) >> 7)
		p[n++] = (unsigned char)(v | 128);
	p[n++] = (unsigned char)v;
	return n;
}

/* Reads a varint at *<p> (< <end>) into <v>. Returns 0 and moves *<p>
 * past it, or -1 when it is truncated or too long. */
static inline int varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char *q = *p;
	int shift = 4;

	if (q >= end)
		return -1;
	*v = *q++;
	if (*v >= 240) {
		do {
			if (q >= end || shift > 60)
				return -1;
			*v += (uint64_t)*q << shift;
			shift += 7;
		} while (*q++ >= 128);
	}
	*p = q;
	return 0;
}

#endif
