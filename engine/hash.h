/* hash.h: the non-cryptographic hashes of the sample converters (djb2,
 * sdbm, wt6, crc32, crc32c, xxh32, xxh64 and the avalanche mixer) and
 * the digests (SHA-1, SHA-2, HMAC over them), written here because only
 * the TLS module may include wolfSSL. Pure functions of their input. */
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

/* Digests. <out> must hold hash_digest_len(<alg>) bytes. */
enum hash_alg { HASH_SHA1 = 0, HASH_SHA224, HASH_SHA256, HASH_SHA384, HASH_SHA512, HASH_ALGS };
/* Returns the algorithm named <name> ("sha1", "sha256", "SHA256"...), or -1. */
int hash_alg_find(const char *name);
size_t hash_digest_len(enum hash_alg alg);
void hash_digest(enum hash_alg alg, const void *p, size_t n, uint8_t *out);
void hash_hmac(enum hash_alg alg, const void *key, size_t klen, const void *p, size_t n, uint8_t *out);

#endif
