/* tls.h: TLS termination and origination over memory, with wolfSSL behind
 * it. The caller owns the socket: it lends received ciphertext to a
 * connection, takes plaintext out, gives plaintext in and takes the
 * ciphertext to send. No wolfSSL type crosses this header.
 *
 * A tls_ctx is built at start-up (certificates, CA, ALPN, versions,
 * ciphers, tickets) and shared read-only by every connection made from it;
 * a client ctx also keeps the last session of its server for resumption,
 * so a client ctx belongs to one thread. A tls_conn is one TLS session. */
#ifndef RP_TLS_H
#define RP_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tls_ctx;
struct tls_conn;

/* Return values of the tls_conn_* calls besides byte counts. */
#define TLS_AGAIN   (-2)   /* needs more ciphertext in, or room to put ciphertext out */
#define TLS_ERR     (-1)   /* the session failed; tls_conn_error() says why; close it */
#define TLS_CLOSED    0    /* tls_conn_read: the peer sent close_notify */

#define TLS_VERIFY_NONE      0
#define TLS_VERIFY_OPTIONAL  1   /* server side: ask for a client certificate, accept none */
#define TLS_VERIFY_REQUIRED  2

/* Settings of a context; strings are copied or read at once, the caller
 * keeps ownership. NULL / 0 means the default. */
struct tls_ctx_opts {
	int is_server;
	const char *crt;          /* server: PEM (chain + key, or key in <crt>.key) or a directory of them;
	                           * client: optional client certificate */
	const char *ca_file;      /* CAs to verify the peer with */
	int verify;               /* TLS_VERIFY_*; NONE by default (wolfSSL clients verify by default: not here) */
	const char *alpn;         /* "h2,http/1.1": HAProxy's comma list */
	const char *ciphers;      /* TLS <= 1.2 list, OpenSSL names */
	const char *ciphersuites; /* TLS 1.3 list */
	const char *min_ver;      /* "SSLv3", "TLSv1.0" .. "TLSv1.3"; default TLSv1.2 */
	const char *max_ver;
	int no_tickets;           /* server: issue no session tickets; client: do not resume */
	int strict_sni;           /* server: refuse a client whose SNI names no certificate */
};

/* Returns a new context or NULL with a message in <err>/<errlen> (e.g.
 * "unable to load certificate from file 'x.pem'"). The first certificate
 * loaded is the default one for clients sending no or an unknown SNI. A
 * server context made without <crt> gets its certificates from
 * tls_ctx_add_crt() (a crt-list); until then tls_conn_init() fails. */
struct tls_ctx *tls_ctx_new(const struct tls_ctx_opts *o, char *err, size_t errlen);

/* Adds the certificate(s) of <path> (file or directory) to server context
 * <ctx>, selected by SNI. With <nsni> > 0 the names in <sni> (a crt-list
 * line's filters, "*.example.org" allowed) replace those of the
 * certificate (CN and DNS alt names). Returns 0 or -1 with <err> set;
 * after -1 the context is only good for tls_ctx_free(). */
int tls_ctx_add_crt(struct tls_ctx *ctx, const char *path, const char *const *sni, int nsni,
                    char *err, size_t errlen);

/* Returns the number of certificates of <ctx>. */
int tls_ctx_crt_count(const struct tls_ctx *ctx);

/* Frees <ctx>; every connection made from it must be freed first. */
void tls_ctx_free(struct tls_ctx *ctx);

/* Returns a connection in handshake state, or NULL (no memory). On a client
 * context, <sni> (may be NULL) is sent as server name and, with
 * verification on, checked against the server's certificate. */
struct tls_conn *tls_conn_new(struct tls_ctx *ctx, const char *sni);
void tls_conn_free(struct tls_conn *c);

/* The same in memory the caller owns (a per-thread pool): <mem> holds
 * tls_conn_size() bytes, suitably aligned (malloc-like). tls_conn_init()
 * returns <mem> as a connection or NULL; tls_conn_release() ends the
 * session and leaves <mem> to the caller. wolfSSL still allocates its own
 * per-session state inside. */
size_t tls_conn_size(void);
struct tls_conn *tls_conn_init(void *mem, struct tls_ctx *ctx, const char *sni);
void tls_conn_release(struct tls_conn *c);

/* Client side, before the handshake: checks the server's certificate
 * against <name> instead of the SNI (HAProxy's verifyhost). Returns 0, or
 * -1 when verification is off or the handshake has begun. */
int tls_conn_verify_name(struct tls_conn *c, const char *name);

/* Client side, before the handshake: offers the ALPN list <alpn> ("h2,http/1.1")
 * instead of the context's (a health check's check-alpn). Returns 0 or -1. */
int tls_conn_set_alpn(struct tls_conn *c, const char *alpn);

/* Lends <n> bytes of received ciphertext at <cipher> to <c>, replacing what
 * is left of a previous loan. The next tls_conn_handshake/read/write/
 * shutdown calls copy from it straight into the TLS engine; the caller
 * keeps the bytes alive until then, and afterwards offers again the
 * tls_conn_in_left() bytes that were not taken (at the end of the loan). */
void tls_conn_feed(struct tls_conn *c, const void *cipher, size_t n);
/* Returns how many lent bytes were not consumed yet. */
size_t tls_conn_in_left(const struct tls_conn *c);

/* Moves the handshake on. Returns 1 when it is complete, TLS_AGAIN when it
 * waits for the peer (send tls_conn_out_peek() bytes first), or TLS_ERR. */
int tls_conn_handshake(struct tls_conn *c);

/* Decrypts up to <cap> bytes into <plain> (drives the handshake first if
 * needed). Returns bytes > 0, TLS_CLOSED on the peer's close_notify,
 * TLS_AGAIN when more ciphertext is needed, or TLS_ERR. */
ssize_t tls_conn_read(struct tls_conn *c, void *plain, size_t cap);

/* Returns how many decrypted bytes wait inside the TLS engine. */
size_t tls_conn_read_pending(struct tls_conn *c);

/* Encrypts up to <n> bytes of <plain> into the output buffer. Returns the
 * number of bytes taken (> 0, possibly < n when the output buffer fills),
 * TLS_AGAIN when nothing could be taken (handshake waiting for the peer or
 * output full: send, then call again), or TLS_ERR. */
ssize_t tls_conn_write(struct tls_conn *c, const void *plain, size_t n);

/* Queues close_notify. Returns 0 or TLS_ERR. */
int tls_conn_shutdown(struct tls_conn *c);

/* Makes <c> hand its ciphertext to <out> as it is produced (e.g. appending
 * it to a channel) rather than buffering it. <out> returns how many of the
 * <n> bytes at <p> it took, 0 when it has no room: the rest then goes to the
 * buffer, so the caller still sends what tls_conn_out_peek() shows (empty
 * while <out> keeps up); with the buffer full too the call that produced
 * the bytes returns TLS_AGAIN. Ciphertext keeps its order: <out> is not
 * called while the buffer holds bytes. */
void tls_conn_set_output(struct tls_conn *c, int (*out)(void *arg, const void *p, size_t n), void *arg);

/* Ciphertext to send: returns its length and sets <*p> to it (valid until
 * the next call on <c>). tls_conn_out_skip() drops <n> bytes once sent. */
size_t tls_conn_out_peek(struct tls_conn *c, const void **p);
void tls_conn_out_skip(struct tls_conn *c, size_t n);

/* Predicates: 0 or 1. */
int tls_conn_handshake_done(const struct tls_conn *c);
int tls_conn_is_resumed(const struct tls_conn *c);      /* ssl_fc_is_resumed */
int tls_conn_peer_has_cert(const struct tls_conn *c);   /* ssl_c_used (server) */

/* Session properties, NULL when unknown. Strings live as long as <c>. */
const char *tls_conn_sni(const struct tls_conn *c);      /* server: name the client asked; client: name sent */
const char *tls_conn_alpn(const struct tls_conn *c);     /* negotiated protocol, e.g. "h2" */
const char *tls_conn_protocol(const struct tls_conn *c); /* "TLSv1.3" */
const char *tls_conn_cipher(const struct tls_conn *c);   /* "TLS_AES_128_GCM_SHA256" */
int tls_conn_cipher_bits(const struct tls_conn *c);      /* ssl_fc_use_keysize, 0 if unknown */
/* Session data into <buf> (<len> bytes): the session id, the client and
 * server randoms, the master key, RFC 5929's tls-unique (the first
 * Finished message). Returns its length, or -1 before the handshake is
 * done, without room or when the library has none. */
enum tls_sess_field { TLS_SESS_ID, TLS_SESS_CLIENT_RANDOM, TLS_SESS_SERVER_RANDOM, TLS_SESS_KEY,
                      TLS_SESS_UNIQUE_ID };
int tls_conn_session_data(const struct tls_conn *c, enum tls_sess_field f, unsigned char *buf, size_t len);
/* A field of the peer's certificate (of ours with <own>) into <buf> (<len>
 * bytes): the subject
 * or issuer DN ("/C=../CN=..", OpenSSL's one-line form), the serial number and the SHA-1 digest
 * (binary), the DER form, the validity dates ("YYMMDDhhmmssZ") and the
 * version ("3"). Returns its length (a DN is NUL-terminated too), or -1
 * without a certificate, without room or on a library error. */
enum tls_cert_field { TLS_CERT_S_DN, TLS_CERT_I_DN, TLS_CERT_SERIAL, TLS_CERT_SHA1, TLS_CERT_DER,
                      TLS_CERT_NOTBEFORE, TLS_CERT_NOTAFTER, TLS_CERT_VERSION };
int tls_conn_cert(const struct tls_conn *c, int own, enum tls_cert_field f, char *buf, size_t len);
/* Returns the reason of the last failure ("certificate has expired", ...),
 * or "" when none. */
const char *tls_conn_error(const struct tls_conn *c);
/* Returns the peer-certificate verification result (0 = ok, else an
 * X509_V_ERR_* number as HAProxy's ssl_c_verify / ssl_s_verify). */
long tls_conn_verify_result(const struct tls_conn *c);

/* Releases what the calling thread's handshakes cached inside wolfSSL (its
 * per-thread ECC tables): a worker thread calls it before it exits. */
void tls_thread_done(void);

/* Returns "wolfSSL <version>" and the TLS features compiled in, for -vv. */
const char *tls_version(void);

/* Message digests (the digest, hmac, sha1 and sha2 converters, JWT HMAC
 * signatures), named as OpenSSL names them. */
enum tls_md { TLS_MD_MD5, TLS_MD_SHA1, TLS_MD_SHA224, TLS_MD_SHA256, TLS_MD_SHA384, TLS_MD_SHA512,
              TLS_MD_SHA512_224, TLS_MD_SHA512_256, TLS_MD_SHA3_224, TLS_MD_SHA3_256,
              TLS_MD_SHA3_384, TLS_MD_SHA3_512, TLS_MD_COUNT };
#define TLS_MD_MAX_LEN 64       /* the longest digest, in bytes */
/* Returns the digest named <name> ("sha256", "SHA3-256"...), or -1. */
int tls_md_find(const char *name);
size_t tls_md_len(enum tls_md md);
/* Write tls_md_len(<md>) bytes to <out>. Return 0, or -1 (a library error). */
int tls_md_digest(enum tls_md md, const void *p, size_t n, uint8_t *out);
int tls_md_hmac(enum tls_md md, const void *key, size_t klen, const void *p, size_t n, uint8_t *out);

/* Public keys for signature checks (jwt_verify): loaded from PEM files (a
 * public key or a certificate) at configuration time, found by path. */
/* Returns 0 (also when <path> is loaded already), or -1 with <err> set. */
int tls_pubkey_load(const char *path, char *err, size_t errlen);
/* Checks <sig> of <msg> with the key loaded from <path> (<plen> bytes) and
 * digest <md>: RSASSA-PKCS1-v1_5 for an RSA key, ECDSA for an EC key (the
 * signature DER-encoded or JWS's raw r || s). Returns 1 valid, 0 not, -1
 * when no key was loaded from <path>. */
int tls_pubkey_verify(const char *path, size_t plen, enum tls_md md, const void *msg, size_t n,
                      const uint8_t *sig, size_t slen);
/* Frees the keys (process exit). */
void tls_pubkeys_free(void);

#endif
