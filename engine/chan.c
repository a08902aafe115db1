/* chan.c: channels — queues of segments over refcounted chunks (chan.h).
 * Segments and heap chunks come from the per-thread pool; a ring chunk
 * goes back to its provided-buffer ring through pool->recycle when its
 * last reference drops. Only rewrites copy bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine/chan.h"

void chan_pool_init(struct chan_pool *p, uint32_t chunk_size,
                    void (*recycle)(void *arg, struct chunk *chk), void *arg)
{
	p->free_segs = NULL;
	p->free_chunks = NULL;
	p->chunk_size = chunk_size ? chunk_size : 16384;
	p->recycle = recycle;
	p->recycle_arg = arg;
	p->nb_segs = p->nb_chunks = 0;
}

void chan_pool_destroy(struct chan_pool *p)
{
	while (p->free_segs) {
		struct chan_seg *s = p->free_segs;
		p->free_segs = s->next;
		free(s);
		p->nb_segs--;
	}
	while (p->free_chunks) {
		struct chunk *c = p->free_chunks;
		p->free_chunks = c->next_free;
		free(c);          /* data is allocated with the header */
		p->nb_chunks--;
	}
}

/* Returns a segment from <p> (fields unset) or NULL. */
static struct chan_seg *seg_get(struct chan_pool *p)
{
	struct chan_seg *s = p->free_segs;

	if (s) {
		p->free_segs = s->next;
		return s;
	}
	s = malloc(sizeof(*s));
	if (s)
		p->nb_segs++;
	return s;
}

/* Gives <s> back to <p> and drops its chunk reference. */
static void seg_put(struct chan_pool *p, struct chan_seg *s)
{
	if (s->chk)
		chunk_unref(s->chk);
	s->next = p->free_segs;
	p->free_segs = s;
}

struct chunk *chunk_new(struct chan_pool *p)
{
	struct chunk *c = p->free_chunks;

	if (c) {
		p->free_chunks = c->next_free;
	} else {
		/* header and data in one allocation, made once per pool slot */
		c = malloc(sizeof(*c) + p->chunk_size);
		if (!c)
			return NULL;
		c->data = (char *)(c + 1);
		p->nb_chunks++;
	}
	c->size = p->chunk_size;
	c->refs = 1;
	c->kind = CHUNK_HEAP;
	c->bid = 0;
	c->pool = p;
	c->next_free = NULL;
	return c;
}

void chunk_unref(struct chunk *c)
{
	if (--c->refs)
		return;
	if (c->kind == CHUNK_RING) {
		if (c->pool && c->pool->recycle)
			c->pool->recycle(c->pool->recycle_arg, c);
		return;
	}
	c->next_free = c->pool->free_chunks;
	c->pool->free_chunks = c;
}

void chan_init(struct chan *c, struct chan_pool *p, uint32_t limit)
{
	c->head = c->tail = NULL;
	c->pool = p;
	c->out = c->in = 0;
	c->flags = 0;
	c->limit = limit;
	c->total_in = c->total_out = 0;
}

void chan_reset(struct chan *c)
{
	struct chan_seg *s = c->head, *n;

	for (; s; s = n) {
		n = s->next;
		seg_put(c->pool, s);
	}
	c->head = c->tail = NULL;
	c->out = c->in = 0;
}

/* Appends <s> at the tail. */
static void seg_append(struct chan *c, struct chan_seg *s)
{
	s->next = NULL;
	if (c->tail)
		c->tail->next = s;
	else
		c->head = s;
	c->tail = s;
}

int chan_put_chunk(struct chan *c, struct chunk *chk, uint32_t off, uint32_t len)
{
	struct chan_seg *s;

	if (!len)
		return 0;
	/* bytes contiguous with the tail segment extend it (same chunk) */
	s = c->tail;
	if (s && s->chk == chk && s->off + s->len == off) {
		s->len += len;
	} else {
		if (!(s = seg_get(c->pool)))
			return -ENOMEM;
		chunk_ref(chk);
		s->chk = chk;
		s->off = off;
		s->len = len;
		seg_append(c, s);
	}
	c->in += len;
	c->total_in += len;
	return 0;
}

/* Builds a list of heap segments holding a copy of <data>/<n>. Returns the
 * first one (last in *<last>), or NULL (then nothing is allocated). */
static struct chan_seg *segs_build(struct chan_pool *p, const char *data, size_t n,
                                   struct chan_seg **last)
{
	struct chan_seg *first = NULL, *prev = NULL, *s;

	while (n) {
		struct chunk *k = chunk_new(p);
		uint32_t m;

		if (!k)
			goto fail;
		m = n < k->size ? (uint32_t)n : k->size;
		if (!(s = seg_get(p))) {
			chunk_unref(k);
			goto fail;
		}
		memcpy(k->data, data, m);
		s->chk = k;          /* the segment takes the new chunk's reference */
		s->off = 0;
		s->len = m;
		s->next = NULL;
		if (prev)
			prev->next = s;
		else
			first = s;
		prev = s;
		data += m;
		n -= m;
	}
	*last = prev;
	return first;
fail:
	while (first) {
		s = first->next;
		seg_put(p, first);
		first = s;
	}
	return NULL;
}

int chan_put_data(struct chan *c, const void *data, size_t n)
{
	struct chan_seg *first, *last;

	if (!n)
		return 0;
	if (n > UINT32_MAX - chan_len(c))
		return -ENOMEM;
	if (!(first = segs_build(c->pool, data, n, &last)))
		return -ENOMEM;
	if (c->tail)
		c->tail->next = first;
	else
		c->head = first;
	c->tail = last;
	c->in += (uint32_t)n;
	c->total_in += n;
	return 0;
}

uint32_t chan_forward(struct chan *c, uint32_t n)
{
	if (n > c->in)
		n = c->in;
	c->in -= n;
	c->out += n;
	return n;
}

int chan_out_iov(const struct chan *c, struct iovec *iov, int max)
{
	const struct chan_seg *s;
	uint32_t left = c->out;
	int n = 0;

	for (s = c->head; s && left && n < max; s = s->next) {
		uint32_t m = s->len < left ? s->len : left;

		iov[n].iov_base = s->chk->data + s->off;
		iov[n].iov_len = m;
		n++;
		left -= m;
	}
	return n;
}

int chan_out_iov_ref(const struct chan *c, struct iovec *iov, struct chunk **chk, int max)
{
	const struct chan_seg *s = c->head;
	int n = chan_out_iov(c, iov, max);

	for (int i = 0; i < n; i++, s = s->next) {
		chk[i] = s->chk;
		chunk_ref(s->chk);
	}
	return n;
}

void chan_skip_out(struct chan *c, uint32_t n)
{
	if (n > c->out)
		n = c->out;
	c->out -= n;
	c->total_out += n;
	while (n) {
		struct chan_seg *s = c->head;

		if (s->len > n) {
			s->off += n;
			s->len -= n;
			return;
		}
		n -= s->len;
		c->head = s->next;
		if (!c->head)
			c->tail = NULL;
		seg_put(c->pool, s);
	}
}

/* Finds the segment holding byte <pos> of the whole queue (output part
 * first); returns it with the offset inside it in *<segoff>, or NULL when
 * <pos> is the end of the queue. <prev> gets the segment before it. */
static struct chan_seg *seg_at(const struct chan *c, size_t pos, uint32_t *segoff,
                               struct chan_seg **prev)
{
	struct chan_seg *s, *p = NULL;

	for (s = c->head; s; p = s, s = s->next) {
		if (pos < s->len) {
			*segoff = (uint32_t)pos;
			if (prev)
				*prev = p;
			return s;
		}
		pos -= s->len;
	}
	*segoff = 0;
	if (prev)
		*prev = p;
	return NULL;
}

size_t chan_copy_in(const struct chan *c, size_t off, void *dst, size_t n)
{
	struct chan_seg *s;
	uint32_t so;
	size_t done = 0;

	if (off >= c->in)
		return 0;
	if (n > c->in - off)
		n = c->in - off;
	s = seg_at(c, c->out + off, &so, NULL);
	while (s && done < n) {
		size_t m = s->len - so;

		if (m > n - done)
			m = n - done;
		memcpy((char *)dst + done, s->chk->data + s->off + so, m);
		done += m;
		so = 0;
		s = s->next;
	}
	return done;
}

long chan_find_in(const struct chan *c, size_t off, int ch)
{
	struct chan_seg *s;
	uint32_t so;
	size_t pos = off;

	if (off >= c->in)
		return -1;
	s = seg_at(c, c->out + off, &so, NULL);
	for (; s; s = s->next, so = 0) {
		const char *b = s->chk->data + s->off + so;
		const char *hit = memchr(b, ch, s->len - so);

		if (hit)
			return (long)(pos + (size_t)(hit - b));
		pos += s->len - so;
	}
	return -1;
}

/* Splits the queue so that a segment boundary falls at byte <pos> of the
 * queue. Returns the segment ending just before <pos> (NULL when <pos> is
 * 0) through *<before>. Returns 0 or -ENOMEM. */
static int split_at(struct chan *c, size_t pos, struct chan_seg **before)
{
	struct chan_seg *s, *prev, *n;
	uint32_t so;

	s = seg_at(c, pos, &so, &prev);
	if (!s || so == 0) {
		*before = prev;
		return 0;
	}
	if (!(n = seg_get(c->pool)))
		return -ENOMEM;
	chunk_ref(s->chk);
	n->chk = s->chk;
	n->off = s->off + so;
	n->len = s->len - so;
	n->next = s->next;
	s->len = so;
	s->next = n;
	if (c->tail == s)
		c->tail = n;
	*before = s;
	return 0;
}

int chan_replace_in(struct chan *c, size_t off, size_t len, const void *data, size_t dlen)
{
	struct chan_seg *a, *b, *first = NULL, *last = NULL, *s, *n;
	size_t pos = c->out + off;

	if (off > c->in || len > c->in - off)
		return -EINVAL;
	if (dlen > UINT32_MAX - chan_len(c))
		return -ENOMEM;
	if (dlen && !(first = segs_build(c->pool, data, dlen, &last)))
		return -ENOMEM;
	/* boundaries at pos and pos + len; split the far one first so that
	 * <a> (the segment before pos) stays valid */
	if (split_at(c, pos + len, &b) < 0 || split_at(c, pos, &a) < 0)
		goto fail;
	/* drop the segments between a and the end of the range */
	s = a ? a->next : c->head;
	{
		size_t left = len;

		while (left) {
			n = s->next;
			left -= s->len;
			seg_put(c->pool, s);
			s = n;
		}
	}
	/* s is the first segment after the range (or NULL) */
	if (first) {
		last->next = s;
		s = first;
	} else {
		last = a;
	}
	if (a)
		a->next = s;
	else
		c->head = s;
	if (!s || (last && !last->next))
		c->tail = last;
	if (!c->head)
		c->tail = NULL;
	c->in = c->in - (uint32_t)len + (uint32_t)dlen;
	return 0;
fail:
	while (first) {
		s = first->next;
		seg_put(c->pool, first);
		first = s;
	}
	return -ENOMEM;
}

int chan_cut_front_in(struct chan *c, size_t off, size_t len)
{
	uint32_t so;
	struct chan_seg *s = seg_at(c, c->out, &so, NULL);

	if (!len || off > CHAN_CUT_MOVE_MAX || !s || so || s->len < off + len || s->len == len)
		return 0;
	memmove(s->chk->data + s->off + len, s->chk->data + s->off, off);
	s->off += (uint32_t)len;
	s->len -= (uint32_t)len;
	c->in -= (uint32_t)len;
	return 1;
}

int chan_put_out(struct chan *c, const void *data, size_t n)
{
	struct chan_seg *a, *first, *last;

	if (!n)
		return 0;
	if (n > UINT32_MAX - chan_len(c))
		return -ENOMEM;
	if (!(first = segs_build(c->pool, data, n, &last)))
		return -ENOMEM;
	if (split_at(c, c->out, &a) < 0)
		goto fail;
	last->next = a ? a->next : c->head;
	if (a)
		a->next = first;
	else
		c->head = first;
	if (!last->next)
		c->tail = last;
	c->out += (uint32_t)n;
	c->total_in += n;
	return 0;
fail:
	while (first) {
		a = first->next;
		seg_put(c->pool, first);
		first = a;
	}
	return -ENOMEM;
}

int chan_put_head(struct chan *c, const void *data, size_t n)
{
	struct chan_seg *first, *last;

	if (!n)
		return 0;
	if (n > UINT32_MAX - chan_len(c))
		return -ENOMEM;
	if (!(first = segs_build(c->pool, data, n, &last)))
		return -ENOMEM;
	last->next = c->head;
	c->head = first;
	if (!c->tail)
		c->tail = last;
	c->out += (uint32_t)n;
	return 0;
}
