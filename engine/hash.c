/* hash.c: the hashes and digests of the sample converters, written from
 * their published definitions (FIPS 180-4 for SHA, RFC 2104 for HMAC, the
 * xxHash specification, the reflected CRC-32 polynomials). */
#include <pthread.h>
#include <string.h>
#include <strings.h>

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
static inline uint32_t rotr32(uint32_t x, unsigned r) { return (x >> r) | (x << ((32 - r) & 31)); }
static inline uint64_t rotr64(uint64_t x, unsigned r) { return (x >> r) | (x << ((64 - r) & 63)); }

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

/* --- SHA-1 / SHA-2 (FIPS 180-4) --- */

static inline uint32_t rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rd64be(const uint8_t *p)
{
	return (uint64_t)rd32be(p) << 32 | rd32be(p + 4);
}

static inline void wr32be(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static inline void wr64be(uint8_t *p, uint64_t v)
{
	wr32be(p, v >> 32);
	wr32be(p + 4, (uint32_t)v);
}

/* One running digest. Blocks of 64 bytes (SHA-1, SHA-256) or 128 bytes
 * (SHA-512); the state holds 5, 8 32-bit or 8 64-bit words. */
struct dg {
	enum hash_alg alg;
	union { uint32_t w32[8]; uint64_t w64[8]; } h;
	uint8_t buf[128];
	size_t blen;                /* bytes pending in <buf> */
	uint64_t total;             /* bytes fed so far */
};

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint64_t K512[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
	0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
	0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
	0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
	0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
	0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
	0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
	0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
	0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
	0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
	0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
	0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
	0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
	0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static void sha1_block(uint32_t *h, const uint8_t *b)
{
	uint32_t w[80], a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = rd32be(b + 4 * i);
	for (int i = 16; i < 80; i++)
		w[i] = rotl32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20)      { f = (bb & c) | (~bb & d);           k = 0x5a827999; }
		else if (i < 40) { f = bb ^ c ^ d;                     k = 0x6ed9eba1; }
		else if (i < 60) { f = (bb & c) | (bb & d) | (c & d);  k = 0x8f1bbcdc; }
		else             { f = bb ^ c ^ d;                     k = 0xca62c1d6; }
		t = rotl32(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rotl32(bb, 30); bb = a; a = t;
	}
	h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e;
}

static void sha256_block(uint32_t *h, const uint8_t *b)
{
	uint32_t w[64], a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

	for (int i = 0; i < 16; i++)
		w[i] = rd32be(b + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
		uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));

		hh = g; g = f; f = e; e = d + t1;
		d = c; c = bb; bb = a; a = t1 + t2;
	}
	h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha512_block(uint64_t *h, const uint8_t *b)
{
	uint64_t w[80], a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

	for (int i = 0; i < 16; i++)
		w[i] = rd64be(b + 8 * i);
	for (int i = 16; i < 80; i++) {
		uint64_t s0 = rotr64(w[i - 15], 1) ^ rotr64(w[i - 15], 8) ^ (w[i - 15] >> 7);
		uint64_t s1 = rotr64(w[i - 2], 19) ^ rotr64(w[i - 2], 61) ^ (w[i - 2] >> 6);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (int i = 0; i < 80; i++) {
		uint64_t t1 = hh + (rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41)) + ((e & f) ^ (~e & g)) + K512[i] + w[i];
		uint64_t t2 = (rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39)) + ((a & bb) ^ (a & c) ^ (bb & c));

		hh = g; g = f; f = e; e = d + t1;
		d = c; c = bb; bb = a; a = t1 + t2;
	}
	h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static const struct { const char *name; size_t len, block; } algs[HASH_ALGS] = {
	[HASH_SHA1] = { "sha1", 20, 64 }, [HASH_SHA224] = { "sha224", 28, 64 },
	[HASH_SHA256] = { "sha256", 32, 64 }, [HASH_SHA384] = { "sha384", 48, 128 },
	[HASH_SHA512] = { "sha512", 64, 128 },
};

int hash_alg_find(const char *name)
{
	for (int i = 0; i < HASH_ALGS; i++)
		if (!strcasecmp(name, algs[i].name))
			return i;
	return -1;
}

size_t hash_digest_len(enum hash_alg alg)
{
	return algs[alg].len;
}

static void dg_init(struct dg *d, enum hash_alg alg)
{
	static const uint32_t iv1[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	static const uint32_t iv224[8] = { 0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
	                                   0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4 };
	static const uint32_t iv256[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	static const uint64_t iv384[8] = {
		0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL, 0x152fecd8f70e5939ULL,
		0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL, 0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL };
	static const uint64_t iv512[8] = {
		0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
		0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL };

	d->alg = alg;
	d->blen = 0;
	d->total = 0;
	switch (alg) {
	case HASH_SHA1:   memcpy(d->h.w32, iv1, sizeof(iv1)); break;
	case HASH_SHA224: memcpy(d->h.w32, iv224, sizeof(iv224)); break;
	case HASH_SHA256: memcpy(d->h.w32, iv256, sizeof(iv256)); break;
	case HASH_SHA384: memcpy(d->h.w64, iv384, sizeof(iv384)); break;
	default:          memcpy(d->h.w64, iv512, sizeof(iv512)); break;
	}
}

static void dg_block(struct dg *d, const uint8_t *b)
{
	if (d->alg == HASH_SHA1)
		sha1_block(d->h.w32, b);
	else if (d->alg <= HASH_SHA256)
		sha256_block(d->h.w32, b);
	else
		sha512_block(d->h.w64, b);
}

static void dg_update(struct dg *d, const void *in, size_t n)
{
	const uint8_t *p = in;
	size_t bs = algs[d->alg].block;

	d->total += n;
	if (d->blen) {
		size_t take = bs - d->blen < n ? bs - d->blen : n;

		memcpy(d->buf + d->blen, p, take);
		d->blen += take;
		p += take;
		n -= take;
		if (d->blen < bs)
			return;
		dg_block(d, d->buf);
		d->blen = 0;
	}
	while (n >= bs) {
		dg_block(d, p);
		p += bs;
		n -= bs;
	}
	memcpy(d->buf, p, n);
	d->blen = n;
}

static void dg_final(struct dg *d, uint8_t *out)
{
	size_t bs = algs[d->alg].block, lenf = bs == 64 ? 8 : 16;
	uint64_t bits = d->total * 8;
	uint8_t pad[128 + 16];
	size_t padn = bs - ((d->total + lenf) % bs);   /* 1..bs bytes of 0x80 0 0... */

	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	/* the length field: 64 bits (a 128-bit field's high half stays 0) */
	wr64be(pad + padn + lenf - 8, bits);
	dg_update(d, pad, padn + lenf);
	if (d->alg == HASH_SHA1 || d->alg <= HASH_SHA256) {
		for (size_t i = 0; i < algs[d->alg].len / 4; i++)
			wr32be(out + 4 * i, d->h.w32[i]);
	} else {
		uint8_t full[64];

		for (int i = 0; i < 8; i++)
			wr64be(full + 8 * i, d->h.w64[i]);
		memcpy(out, full, algs[d->alg].len);
	}
}

void hash_digest(enum hash_alg alg, const void *p, size_t n, uint8_t *out)
{
	struct dg d;

	dg_init(&d, alg);
	dg_update(&d, p, n);
	dg_final(&d, out);
}

void hash_hmac(enum hash_alg alg, const void *key, size_t klen, const void *p, size_t n, uint8_t *out)
{
	size_t bs = algs[alg].block, dl = algs[alg].len;
	uint8_t k[128], pad[128] = { 0 }, inner[64];
	struct dg d;

	memset(k, 0, sizeof(k));
	if (klen > bs)
		hash_digest(alg, key, klen, k);
	else
		memcpy(k, key, klen);
	for (size_t i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x36;
	dg_init(&d, alg);
	dg_update(&d, pad, bs);
	dg_update(&d, p, n);
	dg_final(&d, inner);
	for (size_t i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x5c;
	dg_init(&d, alg);
	dg_update(&d, pad, bs);
	dg_update(&d, inner, dl);
	dg_final(&d, out);
}
