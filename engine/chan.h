/* chan.h: a channel is one direction of a stream — a queue of segments
 * {chunk, offset, length} pointing into refcounted chunks (provided-ring
 * receive buffers or heap chunks built by rewrites). No payload byte is
 * copied to forward it; only rewrites build new chunks.
 *
 *     head                                                  tail
 *      [ output part: analysed, ready to send | input part: received, not analysed ]
 *      <----------------- out ---------------> <----------------- in ------------->
 *
 * Invariants: out + in == sum of segment lengths; no segment has len 0;
 * a chunk's refs counts the segments pointing into it (plus holders outside
 * channels, e.g. the receive path between completion and chan_put_chunk). */
#ifndef RP_CHAN_H
#define RP_CHAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum chunk_kind { CHUNK_RING = 0, CHUNK_HEAP = 1 };

struct chan_pool;

struct chunk {
	char *data;
	uint32_t size;
	uint32_t refs;
	uint16_t kind;              /* enum chunk_kind */
	uint16_t bid;               /* provided-ring buffer id when kind == CHUNK_RING */
	struct chan_pool *pool;
	struct chunk *next_free;    /* pool free list (heap chunks) */
};

struct chan_seg {
	struct chan_seg *next;
	struct chunk *chk;
	uint32_t off, len;
};

/* Per-thread pools of segments and heap chunks. <recycle> gives a ring
 * chunk back to its provided-buffer ring when its last reference drops. */
struct chan_pool {
	struct chan_seg *free_segs;
	struct chunk *free_chunks;
	uint32_t chunk_size;        /* heap chunk size (tune.bufsize) */
	void (*recycle)(void *arg, struct chunk *chk);
	void *recycle_arg;
	uint64_t nb_segs, nb_chunks;   /* allocated so far, for stats and leak tests */
};

/* Channel flags */
#define CHAN_SHUTR        0x0001   /* no more input will ever arrive (EOF/error on the read side) */
#define CHAN_SHUTW        0x0002   /* the write side is closed: nothing more will be sent */
#define CHAN_SHUTW_NOW    0x0004   /* close the write side once the output part is sent */
#define CHAN_READ_ERROR   0x0008
#define CHAN_WRITE_ERROR  0x0010
#define CHAN_READ_PAUSED  0x0020   /* receives stopped by backpressure */
#define CHAN_EOI          0x0040   /* end of input for the analysers (e.g. HTTP message complete) */
#define CHAN_AUTO_FWD     0x0080   /* forward every received byte at once (no analyser) */

struct chan {
	struct chan_seg *head, *tail;
	struct chan_pool *pool;
	uint32_t out;               /* bytes of the output part (front of the queue) */
	uint32_t in;                /* bytes of the input part (after the output part) */
	uint32_t flags;             /* CHAN_* */
	uint32_t limit;             /* above out+in, receiving pauses (backpressure) */
	uint64_t total_in;          /* bytes ever received, for logs and counters */
	uint64_t total_out;         /* bytes ever sent */
};

void chan_pool_init(struct chan_pool *p, uint32_t chunk_size,
                    void (*recycle)(void *arg, struct chunk *chk), void *arg);
/* Frees the pool's free lists (chunks still referenced are the caller's bug). */
void chan_pool_destroy(struct chan_pool *p);

/* Returns a heap chunk of p->chunk_size bytes with refs = 1, or NULL. */
struct chunk *chunk_new(struct chan_pool *p);
static inline void chunk_ref(struct chunk *c) { c->refs++; }
/* Drops one reference; the last one recycles a ring chunk or frees a heap one. */
void chunk_unref(struct chunk *c);

void chan_init(struct chan *c, struct chan_pool *p, uint32_t limit);
/* Releases every segment; the channel is empty but keeps its pool and limit. */
void chan_reset(struct chan *c);

static inline uint32_t chan_in_len(const struct chan *c)  { return c->in; }
static inline uint32_t chan_out_len(const struct chan *c) { return c->out; }
static inline uint32_t chan_len(const struct chan *c)     { return c->in + c->out; }
static inline int chan_is_empty(const struct chan *c)     { return c->in + c->out == 0; }
static inline int chan_is_full(const struct chan *c)      { return c->in + c->out >= c->limit; }

/* Appends <len> bytes at <off> of <chk> to the input part, taking a
 * reference on <chk>. Returns 0 or -ENOMEM. */
int chan_put_chunk(struct chan *c, struct chunk *chk, uint32_t off, uint32_t len);
/* Copies <n> bytes into heap chunks appended to the input part.
 * Returns 0 or -ENOMEM (then nothing was added). */
int chan_put_data(struct chan *c, const void *data, size_t n);

/* Moves min(<n>, in) bytes from the input to the output part; returns how many. */
uint32_t chan_forward(struct chan *c, uint32_t n);
/* Fills <iov> with up to <max> entries describing the output part, front
 * first. Returns the number of entries filled. */
int chan_out_iov(const struct chan *c, struct iovec *iov, int max);
/* Same, also storing in <chk>[i] the chunk of each entry with one more
 * reference: a send in flight keeps its bytes alive even if the channel
 * is reset meanwhile. The caller drops them with chunk_unref(). */
int chan_out_iov_ref(const struct chan *c, struct iovec *iov, struct chunk **chk, int max);
/* Drops the first <n> bytes of the output part (they were sent). */
void chan_skip_out(struct chan *c, uint32_t n);

/* Copies up to <n> bytes of the input part starting <off> bytes into it.
 * Returns the number of bytes copied. */
size_t chan_copy_in(const struct chan *c, size_t off, void *dst, size_t n);
/* Returns the offset in the input part of the first byte equal to <ch> at
 * or after <off>, or -1. */
long chan_find_in(const struct chan *c, size_t off, int ch);
/* Replaces <len> bytes of the input part at <off> by <dlen> bytes of <data>
 * (a deletion when dlen == 0, an insertion when len == 0). Untouched bytes
 * are not copied: segments are split and a heap segment is spliced in.
 * Returns 0, -EINVAL if the range is outside the input part, or -ENOMEM. */
int chan_replace_in(struct chan *c, size_t off, size_t len, const void *data, size_t dlen);
/* Deletes <len> input bytes at <off> by moving the <off> bytes before them
 * forward over them, when the input part starts a segment that holds them
 * all and <off> is at most CHAN_CUT_MOVE_MAX: a small message head edited
 * near its front stays one segment (one plain send, no split). Returns 1
 * when done, 0 when the shape does not allow it (nothing changed). The
 * bytes before the range move: only for bytes nobody holds a pointer to. */
#define CHAN_CUT_MOVE_MAX 2048
int chan_cut_front_in(struct chan *c, size_t off, size_t len);
/* Inserts <n> bytes at the end of the output part (before the input part):
 * what Lua's Channel.send does. Returns 0 or -ENOMEM. */
int chan_put_out(struct chan *c, const void *data, size_t n);
/* Inserts <n> bytes at the very front of the output part (a PROXY protocol
 * header before anything else). Not counted in total_in. Returns 0 or -ENOMEM. */
int chan_put_head(struct chan *c, const void *data, size_t n);

#endif
