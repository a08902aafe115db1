/* hash.c: the non-cryptographic hashes of the sample converters, written
 * from their published definitions (the xxHash specification, the
 * reflected CRC-32 polynomials). */
#include <pthread.h>
#include <string.h>

#include "engine/hash.h"

uint32_t hash_djb2(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t h = 5381;

	while (n--)
		h = h * 33 + *s++;
	return h;
}

uint32_t hash_sdbm(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t h = 0;

	while (n--)
		h = *s++ + (h << 6) + (h << 16) - h;
	return h;
}

static inline uint32_t rotl32(uint32_t x, unsigned r) { return (x << r) | (x >> ((32 - r) & 31)); }
static inline uint64_t rotl64(uint64_t x, unsigned r) { return (x << r) | (x >> ((64 - r) & 63)); }

/* wt6: two 32-bit lanes mixed with data-dependent rotations (Willy
 * Tarreau's hash, as used by HAProxy's "hash-type ... wt6"). */
uint32_t hash_wt6(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t a = 0xa53c965aU, b = 0x5ca6953aU;
	unsigned ra = 6, rb = 18;

	while (n--) {
		uint32_t c = *s++, t;

		a = ~(a ^ c);
		b = ~(b + c);
		t = rotl32(b, ra);
		b = rotl32(a, rb);
		a = t;
		t = ((a >> 16) ^ b) & 0xffff;
		ra = t & 0x1f;
		rb = t >> 11;
	}
	return a ^ b;
}

uint32_t hash_avalanche(uint32_t a)
{
	a = (a + 0x7ed55d16) + (a << 12);
	a = (a ^ 0xc761c23c) ^ (a >> 19);
	a = (a + 0x165667b1) + (a << 5);
	a = (a + 0xd3a2646c) ^ (a << 9);
	a = (a + 0xfd7046c5) + (a << 3);
	a = (a ^ 0xb55a4f09) ^ (a >> 16);
	/* spread over the 32-bit space by a large prime near 3/4 of it */
	return a * 3221225473U;
}

/* CRC tables, built once (read-only afterwards, shared by threads). */
static uint32_t crc32_tab[256], crc32c_tab[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t a = i, b = i;

		for (int k = 0; k < 8; k++) {
			a = (a >> 1) ^ (0xedb88320U & (0U - (a & 1)));
			b = (b >> 1) ^ (0x82f63b78U & (0U - (b & 1)));
		}
		crc32_tab[i] = a;
		crc32c_tab[i] = b;
	}
}

static uint32_t crc_run(const uint32_t *tab, const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t c = 0xffffffffU;

	pthread_once(&crc_once, crc_build);
	while (n--)
		c = tab[(c ^ *s++) & 0xff] ^ (c >> 8);
	return ~c;
}

uint32_t hash_crc32(const void *p, size_t n)  { return crc_run(crc32_tab, p, n); }
uint32_t hash_crc32c(const void *p, size_t n) { return crc_run(crc32c_tab, p, n); }

/* --- xxHash (little-endian reads) --- */

static inline uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd64le(const uint8_t *p)
{
	return (uint64_t)rd32le(p) | (uint64_t)rd32le(p + 4) << 32;
}

#define P32_1 0x9E3779B1U
#define P32_2 0x85EBCA77U
#define P32_3 0xC2B2AE3DU
#define P32_4 0x27D4EB2FU
#define P32_5 0x165667B1U

static inline uint32_t xxh32_round(uint32_t acc, uint32_t in)
{
	acc += in * P32_2;
	acc = rotl32(acc, 13);
	return acc * P32_1;
}

uint32_t hash_xxh32(const void *in, size_t n, uint32_t seed)
{
	const uint8_t *p = in, *end = p + n;
	uint32_t h;

	if (n >= 16) {
		uint32_t v1 = seed + P32_1 + P32_2, v2 = seed + P32_2, v3 = seed, v4 = seed - P32_1;

		do {
			v1 = xxh32_round(v1, rd32le(p));
			v2 = xxh32_round(v2, rd32le(p + 4));
			v3 = xxh32_round(v3, rd32le(p + 8));
			v4 = xxh32_round(v4, rd32le(p + 12));
			p += 16;
		} while (end - p >= 16);
		h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
	} else {
		h = seed + P32_5;
	}
	h += (uint32_t)n;
	while (end - p >= 4) {
		h += rd32le(p) * P32_3;
		h = rotl32(h, 17) * P32_4;
		p += 4;
	}
	while (p < end) {
		h += *p++ * P32_5;
		h = rotl32(h, 11) * P32_1;
	}
	h ^= h >> 15;
	h *= P32_2;
	h ^= h >> 13;
	h *= P32_3;
	h ^= h >> 16;
	return h;
}

#define P64_1 0x9E3779B185EBCA87ULL
#define P64_2 0xC2B2AE3D27D4EB4FULL
#define P64_3 0x165667B19E3779F9ULL
#define P64_4 0x85EBCA77C2B2AE63ULL
#define P64_5 0x27D4EB2F165667C5ULL

static inline uint64_t xxh64_round(uint64_t acc, uint64_t in)
{
	acc += in * P64_2;
	acc = rotl64(acc, 31);
	return acc * P64_1;
}

static inline uint64_t xxh64_merge(uint64_t acc, uint64_t v)
{
	acc ^= xxh64_round(0, v);
	return acc * P64_1 + P64_4;
}

uint64_t hash_xxh64(const void *in, size_t n, uint64_t seed)
{
	const uint8_t *p = in, *end = p + n;
	uint64_t h;

	if (n >= 32) {
		uint64_t v1 = seed + P64_1 + P64_2, v2 = seed + P64_2, v3 = seed, v4 = seed - P64_1;

		do {
			v1 = xxh64_round(v1, rd64le(p));
			v2 = xxh64_round(v2, rd64le(p + 8));
			v3 = xxh64_round(v3, rd64le(p + 16));
			v4 = xxh64_round(v4, rd64le(p + 24));
			p += 32;
		} while (end - p >= 32);
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = xxh64_merge(h, v1);
		h = xxh64_merge(h, v2);
		h = xxh64_merge(h, v3);
		h = xxh64_merge(h, v4);
	} else {
		h = seed + P64_5;
	}
	h += (uint64_t)n;
	while (end - p >= 8) {
		h ^= xxh64_round(0, rd64le(p));
		h = rotl64(h, 27) * P64_1 + P64_4;
		p += 8;
	}
	if (end - p >= 4) {
		h ^= (uint64_t)rd32le(p) * P64_1;
		h = rotl64(h, 23) * P64_2 + P64_3;
		p += 4;
	}
	while (p < end) {
		h ^= *p++ * P64_5;
		h = rotl64(h, 11) * P64_1;
	}
	h ^= h >> 33;
	h *= P64_2;
	h ^= h >> 29;
	h *= P64_3;
	h ^= h >> 32;
	return h;
}
