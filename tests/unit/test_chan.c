/* test_chan.c: channels — put, forward, iov, skip, copy, find, replace,
 * insert, put_out, and every chunk and segment back in the pool (no leak). */
#include <errno.h>
#include "tests/unit/unit.h"
#include "engine/chan.h"

static struct chan_pool pool;
static int recycled;

static void recycle(void *arg, struct chunk *chk) { recycled++; }

/* Returns the whole channel (output then input) as a string in <buf>. */
static const char *dump(const struct chan *c, char *buf, size_t size)
{
	size_t n = 0;

	for (const struct chan_seg *s = c->head; s; s = s->next) {
		if (n + s->len >= size)
			break;
		memcpy(buf + n, s->chk->data + s->off, s->len);
		n += s->len;
	}
	buf[n] = 0;
	return buf;
}

/* Returns 1 if the chan invariants hold: no empty segment, lengths add up, tail right. */
static int sane(const struct chan *c)
{
	uint64_t sum = 0;
	const struct chan_seg *s, *last = NULL;

	for (s = c->head; s; last = s, s = s->next) {
		if (!s->len)
			return 0;
		sum += s->len;
	}
	return sum == (uint64_t)c->in + c->out && last == c->tail;
}

/* A fake ring chunk holding <text>. */
static struct chunk *ring_chunk(char *text)
{
	static struct chunk k[8];
	static int n;
	struct chunk *c = &k[n++ % 8];

	c->data = text;
	c->size = (uint32_t)strlen(text);
	c->refs = 1;
	c->kind = CHUNK_RING;
	c->bid = 0;
	c->pool = &pool;
	return c;
}

static void t_put_forward_iov(void)
{
	struct chan c;
	char buf[256];
	struct iovec iov[4];
	char t1[] = "hello ", t2[] = "world";
	struct chunk *k1 = ring_chunk(t1), *k2 = ring_chunk(t2);

	recycled = 0;
	chan_init(&c, &pool, 1000);
	EXPECT_INT(chan_put_chunk(&c, k1, 0, 6), 0);
	EXPECT_INT(chan_put_chunk(&c, k2, 0, 5), 0);
	chunk_unref(k1);    /* the receive path drops its holder reference */
	chunk_unref(k2);
	EXPECT_INT(recycled, 0);
	EXPECT_INT(chan_in_len(&c), 11);
	EXPECT_INT(chan_forward(&c, 8), 8);
	EXPECT_INT(chan_out_len(&c), 8);
	EXPECT_INT(chan_in_len(&c), 3);
	int n = chan_out_iov(&c, iov, 4);
	EXPECT_INT(n, 2);
	EXPECT_INT(iov[0].iov_len, 6);
	EXPECT_INT(iov[1].iov_len, 2);
	EXPECT_MEM(iov[1].iov_base, "wo", 2);
	chan_skip_out(&c, 7);
	EXPECT_INT(recycled, 1);     /* k1 fully sent: back to the ring */
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "orld");
	EXPECT(sane(&c));
	EXPECT_INT(c.total_out, 7);
	chan_reset(&c);
	EXPECT_INT(recycled, 2);
	EXPECT(chan_is_empty(&c));
}

static void t_put_data_split(void)
{
	struct chan c;
	struct chan_pool p2;
	char big[100], out[100];

	chan_pool_init(&p2, 16, NULL, NULL);
	chan_init(&c, &p2, 1000);
	for (int i = 0; i < 100; i++)
		big[i] = (char)('a' + i % 26);
	EXPECT_INT(chan_put_data(&c, big, 100), 0);
	EXPECT_INT(chan_in_len(&c), 100);
	EXPECT_INT(p2.nb_chunks, 7);      /* 100 bytes in 16-byte chunks */
	EXPECT_INT(chan_copy_in(&c, 30, out, 50), 50);
	EXPECT_MEM(out, big + 30, 50);
	EXPECT_INT(chan_copy_in(&c, 90, out, 50), 10);
	EXPECT_INT(chan_find_in(&c, 0, 'z'), 25);
	EXPECT_INT(chan_find_in(&c, 26, 'z'), 51);
	EXPECT_INT(chan_find_in(&c, 0, '#'), -1);
	chan_forward(&c, 20);
	EXPECT_INT(chan_find_in(&c, 0, 'z'), 5);   /* offsets are relative to the input part */
	EXPECT(sane(&c));
	chan_reset(&c);
	chan_pool_destroy(&p2);
	EXPECT_INT(p2.nb_chunks, 0);
	EXPECT_INT(p2.nb_segs, 0);
}

static void t_replace_insert_delete(void)
{
	struct chan c;
	char buf[256];
	char t1[] = "GET /a HTTP/1.0\r\n";
	struct chunk *k = ring_chunk(t1);

	recycled = 0;
	chan_init(&c, &pool, 1000);
	chan_put_chunk(&c, k, 0, (uint32_t)strlen(t1));
	chunk_unref(k);
	/* replace "/a" by "/index.html" */
	EXPECT_INT(chan_replace_in(&c, 4, 2, "/index.html", 11), 0);
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "GET /index.html HTTP/1.0\r\n");
	EXPECT(sane(&c));
	EXPECT_INT(chan_in_len(&c), 26);
	/* insert at the front, delete in the middle, append at the end */
	EXPECT_INT(chan_replace_in(&c, 0, 0, ">>", 2), 0);
	EXPECT_INT(chan_replace_in(&c, 5, 1, NULL, 0), 0);
	EXPECT_INT(chan_replace_in(&c, chan_in_len(&c), 0, "X", 1), 0);
	EXPECT_STR(dump(&c, buf, sizeof(buf)), ">>GET/index.html HTTP/1.0\r\nX");
	EXPECT(sane(&c));
	/* out of range */
	EXPECT_INT(chan_replace_in(&c, 100, 1, "a", 1), -EINVAL);
	/* delete everything */
	EXPECT_INT(chan_replace_in(&c, 0, chan_in_len(&c), NULL, 0), 0);
	EXPECT(chan_is_empty(&c));
	EXPECT(c.head == NULL && c.tail == NULL);
	EXPECT_INT(recycled, 1);
	chan_reset(&c);
}

static void t_replace_keeps_output(void)
{
	struct chan c;
	char buf[256];

	chan_init(&c, &pool, 1000);
	chan_put_data(&c, "abcdef", 6);
	chan_forward(&c, 3);
	EXPECT_INT(chan_replace_in(&c, 0, 1, "DD", 2), 0);   /* "d" is input offset 0 */
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "abcDDef");
	EXPECT_INT(chan_out_len(&c), 3);
	EXPECT_INT(chan_in_len(&c), 4);
	EXPECT_INT(chan_put_out(&c, "++", 2), 0);           /* after the output, before the input */
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "abc++DDef");
	EXPECT_INT(chan_out_len(&c), 5);
	EXPECT(sane(&c));
	EXPECT_INT(chan_put_head(&c, "PP ", 3), 0);          /* before everything */
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "PP abc++DDef");
	EXPECT_INT(chan_out_len(&c), 8);
	EXPECT(sane(&c));
	chan_reset(&c);
	chan_init(&c, &pool, 1000);
	EXPECT_INT(chan_put_head(&c, "h", 1), 0);            /* into an empty channel */
	EXPECT(sane(&c));
	chan_reset(&c);
	chan_init(&c, &pool, 1000);
	EXPECT_INT(chan_put_out(&c, "x", 1), 0);             /* into an empty channel */
	EXPECT_INT(chan_out_len(&c), 1);
	EXPECT(sane(&c));
	chan_reset(&c);
}

/* A deletion near the front of the input part moves the bytes before it
 * and keeps one segment; any other shape is refused untouched. */
static void t_cut_front(void)
{
	struct chan c;
	char buf[256];

	chan_init(&c, &pool, 1000);
	chan_put_data(&c, "HTTP/1.1 200 OK\r\nconnection: keep-alive\r\nx: 1\r\n\r\nbody", 53);
	EXPECT_INT(chan_cut_front_in(&c, 17, 24), 1);
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "HTTP/1.1 200 OK\r\nx: 1\r\n\r\nbody");
	EXPECT_INT(chan_in_len(&c), 29);
	EXPECT(c.head == c.tail);
	EXPECT(sane(&c));
	EXPECT_INT(chan_cut_front_in(&c, 20, 10), 0);     /* past the end */
	EXPECT_INT(chan_cut_front_in(&c, 0, 29), 0);      /* would empty the segment */
	chan_forward(&c, 4);                              /* input starts inside a segment */
	EXPECT_INT(chan_cut_front_in(&c, 0, 1), 0);
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "HTTP/1.1 200 OK\r\nx: 1\r\n\r\nbody");
	EXPECT(sane(&c));
	chan_reset(&c);
	/* the input part starts a segment after the output part's */
	chan_init(&c, &pool, 1000);
	chan_put_data(&c, "out", 3);
	chan_forward(&c, 3);
	EXPECT_INT(chan_replace_in(&c, 0, 0, "abcXYdef", 8), 0);
	EXPECT_INT(chan_cut_front_in(&c, 3, 2), 1);
	EXPECT_STR(dump(&c, buf, sizeof(buf)), "outabcdef");
	EXPECT_INT(chan_out_len(&c), 3);
	EXPECT_INT(chan_in_len(&c), 6);
	EXPECT(sane(&c));
	chan_reset(&c);
}

static void t_contiguous_merge_and_refs(void)
{
	struct chan a, b;
	char t[] = "0123456789";
	struct chunk *k = ring_chunk(t);

	recycled = 0;
	chan_init(&a, &pool, 4);
	chan_init(&b, &pool, 100);
	chan_put_chunk(&a, k, 0, 4);
	chan_put_chunk(&a, k, 4, 2);          /* contiguous: same segment */
	EXPECT(a.head == a.tail);
	EXPECT(chan_is_full(&a));
	chan_put_chunk(&b, k, 2, 3);          /* another channel shares the chunk */
	EXPECT_INT(k->refs, 3);
	chunk_unref(k);
	chan_reset(&a);
	EXPECT_INT(recycled, 0);
	chan_reset(&b);
	EXPECT_INT(recycled, 1);
}

static void t_iov_ref_outlives_reset(void)
{
	/* a send in flight holds its chunks: resetting the channel (the
	 * stream ended) must not give the buffer back before the completion */
	struct chan c;
	struct iovec iov[4];
	struct chunk *chk[4];
	char t1[] = "abc", t2[] = "defgh";
	struct chunk *k1 = ring_chunk(t1), *k2 = ring_chunk(t2);

	recycled = 0;
	chan_init(&c, &pool, 100);
	chan_put_chunk(&c, k1, 0, 3);
	chan_put_chunk(&c, k2, 0, 5);
	chunk_unref(k1);
	chunk_unref(k2);
	chan_forward(&c, 8);
	EXPECT_INT(chan_out_iov_ref(&c, iov, chk, 4), 2);
	EXPECT(chk[0] == k1 && chk[1] == k2);
	EXPECT_INT(k1->refs, 2);
	chan_reset(&c);
	EXPECT_INT(recycled, 0);
	EXPECT_MEM(iov[1].iov_base, "defgh", 5);
	chunk_unref(chk[0]);
	chunk_unref(chk[1]);
	EXPECT_INT(recycled, 2);
}

/* Random operations checked against a flat byte-array model of the
 * channel: output part then input part. */
static uint32_t rnd_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % (n ? n : 1);
}

static void t_random_vs_model(void)
{
	static char model[1 << 16], buf[1 << 16], tmp[512];
	static char ringmem[8][64];
	size_t mlen = 0, mout = 0;
	struct chan c;
	struct chan_pool p2;
	int bad = 0;

	chan_pool_init(&p2, 32, recycle, NULL);      /* small chunks: many segments */
	chan_init(&c, &p2, 1 << 20);
	for (int step = 0; step < 20000 && !bad; step++) {
		uint32_t op = rnd(7), n;

		for (size_t i = 0; i < sizeof(tmp); i++)
			tmp[i] = (char)('a' + rnd(26));
		switch (op) {
		case 0:     /* receive into a "ring" chunk */
			if (mlen > sizeof(model) - 64)
				break;
			{
				struct chunk *k = ring_chunk(ringmem[step % 8]);

				n = 1 + rnd(63);
				memcpy(ringmem[step % 8], tmp, n);
				k->size = 64;
				k->pool = &p2;
				if (chan_put_chunk(&c, k, 0, n) == 0) {
					memcpy(model + mlen, tmp, n);
					mlen += n;
				}
				chunk_unref(k);    /* the channel keeps it (a copy in the model) */
				/* the fake ring memory is reused below: give the channel
				 * its own copy as the real ring would not reuse it */
				chan_replace_in(&c, mlen - mout - n, n, tmp, n);
			}
			break;
		case 1:     /* copy data in */
			if (mlen > sizeof(model) - 300)
				break;
			n = rnd(300);
			if (chan_put_data(&c, tmp, n) == 0) {
				memcpy(model + mlen, tmp, n);
				mlen += n;
			}
			break;
		case 2:     /* forward */
			n = rnd((uint32_t)(mlen - mout) + 1);
			EXPECT_INT(chan_forward(&c, n), n);
			mout += n;
			break;
		case 3:     /* send some output */
			n = rnd((uint32_t)mout + 1);
			chan_skip_out(&c, n);
			memmove(model, model + n, mlen - n);
			mlen -= n;
			mout -= n;
			break;
		case 4:     /* replace a range of the input */
		case 5: {
			size_t in = mlen - mout, off = rnd((uint32_t)in + 1), len = rnd((uint32_t)(in - off) + 1);
			size_t dlen = rnd(100);

			if (mlen - len + dlen > sizeof(model))
				break;
			EXPECT_INT(chan_replace_in(&c, off, len, tmp, dlen), 0);
			memmove(model + mout + off + dlen, model + mout + off + len, mlen - mout - off - len);
			memcpy(model + mout + off, tmp, dlen);
			mlen = mlen - len + dlen;
			break;
		}
		case 6:     /* insert at the end of the output */
			if (mlen > sizeof(model) - 100)
				break;
			n = rnd(100);
			EXPECT_INT(chan_put_out(&c, tmp, n), 0);
			memmove(model + mout + n, model + mout, mlen - mout);
			memcpy(model + mout, tmp, n);
			mlen += n;
			mout += n;
			break;
		}
		if (chan_out_len(&c) != mout || chan_len(&c) != mlen || !sane(&c)) {
			bad = 1;
			break;
		}
		dump(&c, buf, sizeof(buf));
		if (memcmp(buf, model, mlen))
			bad = 1;
		if (chan_in_len(&c) && chan_copy_in(&c, 0, buf, sizeof(buf)) != mlen - mout)
			bad = 1;
	}
	EXPECT(!bad);
	chan_reset(&c);
	chan_pool_destroy(&p2);
	EXPECT_INT(p2.nb_segs, 0);
	EXPECT_INT(p2.nb_chunks, 0);
}

static void t_no_leak(void)
{
	/* every segment and heap chunk allocated by the cases above is back
	 * in the free lists */
	uint64_t segs = 0, chunks = 0;

	for (struct chan_seg *s = pool.free_segs; s; s = s->next)
		segs++;
	for (struct chunk *k = pool.free_chunks; k; k = k->next_free)
		chunks++;
	EXPECT_INT(segs, pool.nb_segs);
	EXPECT_INT(chunks, pool.nb_chunks);
	EXPECT(pool.nb_segs > 0);
	chan_pool_destroy(&pool);
	EXPECT_INT(pool.nb_segs, 0);
	EXPECT_INT(pool.nb_chunks, 0);
}

int main(void)
{
	chan_pool_init(&pool, 64, recycle, NULL);
	RUN(t_put_forward_iov);
	RUN(t_put_data_split);
	RUN(t_replace_insert_delete);
	RUN(t_replace_keeps_output);
	RUN(t_cut_front);
	RUN(t_contiguous_merge_and_refs);
	RUN(t_iov_ref_outlives_reset);
	RUN(t_random_vs_model);
	RUN(t_no_leak);
	return unit_end();
}
