/* hash.h: the non-cryptographic hashes of the sample converters (djb2,
 * sdbm, wt6, crc32, crc32c, xxh32, xxh64 and the avalanche mixer). Pure
 * functions of their input. The message digests (SHA-x, HMAC) are the TLS
 * library's: proto/tls.h. */
#ifndef RP_HASH_H
#define RP_HASH_H

#include <stddef.h>
#include <stdint.h>

uint32_t hash_djb2(const void *p, size_t n);
uint32_t hash_sdbm(const void *p, size_t n);
uint32_t hash_wt6(const void *p, size_t n);
uint32_t hash_crc32(const void *p, size_t n);     /* IEEE 802.3, as zlib's crc32() */
uint32_t hash_crc32c(const void *p, size_t n);    /* Castagnoli */
uint32_t hash_xxh32(const void *p, size_t n, uint32_t seed);
uint64_t hash_xxh64(const void *p, size_t n, uint64_t seed);
/* Bob Jenkins' 32-bit integer mixer: HAProxy's "avalanche" option. */
uint32_t hash_avalanche(uint32_t a);

#endif
