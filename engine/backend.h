/* backend.h: from a stream whose frontend is known to a connected server:
 * backend selection (use_backend rules, default_backend, a listen section
 * is its own backend), server selection (lb_pick), connect with
 * "timeout connect", "retries" and "option redispatch". */
#ifndef RP_BACKEND_H
#define RP_BACKEND_H

struct stream;

/* Sets strm->be from the frontend's switching rules, default_backend, or
 * the frontend itself when it is also a backend. Returns 0, or -ENOENT
 * when no backend applies (the stream ends with "PR"-like codes set by
 * the caller). */
int backend_select(struct stream *strm);
/* Picks a server of strm->be (keeps strm->srv unless redispatching) and
 * starts connecting to it. Returns 0 (connect in flight: the stream gets
 * CONN_EV_CONNECTED or CONN_EV_ERROR on strm->srvc), 1 when every usable
 * server is at its maxconn (the stream is queued, "timeout queue", and
 * woken up when a slot frees), -EAGAIN when no server is usable, or
 * -errno when the socket could not be created. */
int backend_connect(struct stream *strm);
/* Called by the stream when a connect failed or timed out (<err> is
 * positive errno, ETIMEDOUT for "timeout connect"). Closes the failed
 * server connection, counts a retry and reconnects (same server, or
 * another one on the last retry with "option redispatch"). Returns 0 if a
 * new attempt is in flight, or -errno when retries are exhausted / no
 * server is left. */
int backend_retry(struct stream *strm, int err);
/* Releases the server slot taken by the stream (cur_conn counters) and
 * wakes up the first stream queued for that backend. */
void backend_release(struct stream *strm);
/* Removes <strm> from the queue (it ends, or its queue timeout expired). */
void backend_unqueue(struct stream *strm);

#endif
