/* lchan.c: the Channel class over a stream's channel (engine/chan.h).
 * Reads copy only what Lua asks for, straight from the segments into the
 * Lua string being built; set/append splice one new segment into the
 * input part (chan_replace_in) and send adds one to the output part
 * (chan_put_out), so untouched bytes are never copied.
 * A Channel is a userdata {tag, its TXN's handle (struct hlua_txn_obj),
 * dir}: liveness and the stream come from the handle. */
#include <string.h>

#include "engine/chan.h"
#include "engine/stream.h"
#include "lua/hlua.h"

#define CHAN_MT "ringproxy.Channel"

struct hlua_chan {
	struct hlua_txn_obj t;
	int dir;                    /* 0: request channel, 1: response channel */
};

struct hlua_txn_obj *hlua_chan_push(lua_State *L, const struct hlua_txn_h *h, int dir)
{
	struct hlua_chan *c = hlua_cls_new(L, HLUA_C_CHANNEL, sizeof(*c), 1);

	hlua_txn_obj_init(&c->t, h);
	c->dir = dir;
	return &c->t;
}

/* Returns the channel behind the Channel at index 1, raising an error when
 * its stream has ended. <sp>/<dirp> receive the stream and direction. */
static struct chan *chan_check(lua_State *L, struct stream **sp, int *dirp)
{
	struct hlua_chan *c = hlua_cls_check(L, 1, HLUA_C_CHANNEL, "Channel");
	struct stream *s = hlua_txn_h_stream(L, c->t.hp);

	if (sp)
		*sp = s;
	if (dirp)
		*dirp = c->dir;
	return c->dir ? &s->res : &s->req;
}

/* Returns the channel behind the Channel at index 1 for a function that
 * reads or writes its bytes: in HTTP mode the channels hold parsed
 * messages, and HAProxy refuses with this very message. */
static struct chan *chan_check_raw(lua_State *L, struct stream **sp, int *dirp)
{
	struct stream *s;
	struct chan *ch = chan_check(L, &s, dirp);

	if ((s->fe && s->fe->mode == PX_MODE_HTTP) || s->http)
		luaL_error(L, "Cannot manipulate HAProxy channels in HTTP mode.");
	if (sp)
		*sp = s;
	return ch;
}

/* The seed: "If the buffer cant receive more data, a 'nil' value is
 * returned" — an empty input part on a channel whose read side is shut. */
static int chan_is_dead(const struct chan *ch)
{
	return chan_in_len(ch) == 0 && (ch->flags & (CHAN_SHUTR | CHAN_READ_ERROR));
}

/* Pushes <n> bytes of <ch>'s input part as a Lua string, copied once from
 * the segments into the string's own buffer. */
static void chan_push_in(lua_State *L, const struct chan *ch, size_t n)
{
	luaL_Buffer b;
	char *p = luaL_buffinitsize(L, &b, n);

	n = chan_copy_in(ch, 0, p, n);
	luaL_pushresultsize(&b, n);
}

/* Channel.dup(channel): the whole input part, left in place; nil when the
 * channel can never receive more. An empty channel that may still receive
 * returns "" at once, as HAProxy 2.6 does. */
static int chan_dup(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);

	if (chan_is_dead(ch)) {
		lua_pushnil(L);
		return 1;
	}
	chan_push_in(L, ch, chan_in_len(ch));
	return 1;
}

/* Removes the first <n> bytes of the input part (after a read). */
static void chan_consume(lua_State *L, struct chan *ch, size_t n, const char *fn)
{
	if (n && chan_replace_in(ch, 0, n, NULL, 0) < 0)
		luaL_error(L, "%s: cannot remove the data read (out of memory)", fn);
}

/* Channel.get(channel): the whole input part, consumed. */
static int chan_get(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t n;

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.get");
	if (chan_is_dead(ch)) {
		lua_pushnil(L);
		return 1;
	}
	n = chan_in_len(ch);
	chan_push_in(L, ch, n);
	chan_consume(L, ch, n, "Channel.get");
	return 1;
}

/* Channel.get_line(channel) / getline: the input up to and including the
 * first LF, consumed; without an LF, all of the input (the seed: "assumed
 * than its the last available data"). */
static int chan_get_line(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	long lf;
	size_t n;

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.get_line");
	if (chan_is_dead(ch)) {
		lua_pushnil(L);
		return 1;
	}
	lf = chan_find_in(ch, 0, '\n');
	n = lf >= 0 ? (size_t)lf + 1 : chan_in_len(ch);
	chan_push_in(L, ch, n);
	chan_consume(L, ch, n, "Channel.get_line");
	return 1;
}

/* Channel.set(channel, string): replaces the input part. Returns the
 * length copied, or -1. */
static int chan_set(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t len;
	const char *s = luaL_checklstring(L, 2, &len);

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.set");
	if (chan_replace_in(ch, 0, chan_in_len(ch), s, len) < 0)
		lua_pushinteger(L, -1);
	else
		lua_pushinteger(L, (lua_Integer)len);
	return 1;
}

/* Channel.append(channel, string): adds <string> at the END of the input
 * part, as the seed says (HAProxy 2.6 inserts it at the front). */
static int chan_append(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t len;
	const char *s = luaL_checklstring(L, 2, &len);

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.append");
	if (chan_replace_in(ch, chan_in_len(ch), 0, s, len) < 0)
		lua_pushinteger(L, -1);
	else
		lua_pushinteger(L, (lua_Integer)len);
	return 1;
}

/* Channel.prepend(channel, string) (HAProxy 2.5+): inserts at the front of
 * the input part. Returns the length copied, or -1. */
static int chan_prepend(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t len;
	const char *s = luaL_checklstring(L, 2, &len);

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.prepend");
	if (chan_replace_in(ch, 0, 0, s, len) < 0)
		lua_pushinteger(L, -1);
	else
		lua_pushinteger(L, (lua_Integer)len);
	return 1;
}

/* Channel.send(channel, string): queues <string> after the output part
 * and sends it now. What does not fit under the channel's limit waits:
 * the action yields (1 ms at a time, only this stream) until the peer has
 * read enough, then goes on (<ctx> counts the bytes already queued).
 * Returns the length sent, or -1 when the channel can no longer send
 * (its write side is shut). */
static int chan_send_k(lua_State *L, int status, lua_KContext ctx)
{
	struct hlua_thr *t = hlua_thr;
	struct hlua_co *co = t ? t->cur : NULL;
	struct stream *strm;
	int dir;
	struct chan *ch = chan_check_raw(L, &strm, &dir);
	size_t len, off = (size_t)ctx, n, used, room;
	const char *s = luaL_checklstring(L, 2, &len);

	(void)status;
	if (ch->flags & (CHAN_SHUTW | CHAN_WRITE_ERROR)) {
		lua_pushinteger(L, -1);
		return 1;
	}
	used = chan_len(ch);
	room = ch->limit > used ? ch->limit - used : 0;
	n = len - off;
	/* over the limit, the rest waits where the action can yield; an empty
	 * output part always takes a limit's worth, so that it progresses */
	if (n > room && ch->limit && co && L == co->T && lua_isyieldable(L)) {
		n = room;
		if (!chan_out_len(ch) && n < ch->limit)
			n = len - off < ch->limit ? len - off : ch->limit;
	}
	if (n && chan_put_out(ch, s + off, n) < 0) {
		lua_pushinteger(L, -1);
		return 1;
	}
	off += n;
	if (n)
		stream_flush(strm, dir);
	if (off < len) {
		co->wait = HLUA_W_SLEEP;
		co->wake_at = hlua_now_us() + 1000;
		return lua_yieldk(L, 0, (lua_KContext)off, chan_send_k);
	}
	lua_pushinteger(L, (lua_Integer)len);
	return 1;
}

static int chan_send(lua_State *L)
{
	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.send");
	return chan_send_k(L, LUA_OK, 0);
}

/* Channel.forward(channel, int): moves up to <int> bytes from input to
 * output and sends them. Returns how many moved. */
static int chan_fwd(lua_State *L)
{
	struct stream *strm;
	int dir;
	struct chan *ch = chan_check_raw(L, &strm, &dir);
	lua_Integer n = luaL_checkinteger(L, 2);
	uint32_t moved;

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.forward");
	if (n < 0)
		n = 0;
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	moved = chan_forward(ch, (uint32_t)n);
	if (moved)
		stream_flush(strm, dir);
	lua_pushinteger(L, moved);
	return 1;
}

/* Resolves the optional (offset, length) at <oi>/<oi>+1 against an input
 * part of <in> bytes (HAProxy 2.5+ rules: a negative offset counts from
 * the end; no or a negative length means up to the end). Fills <off> and
 * <len>, both within the input part. */
static void chan_range(lua_State *L, int oi, size_t in, size_t *off, size_t *len)
{
	lua_Integer o = luaL_optinteger(L, oi, 0);
	lua_Integer l = luaL_optinteger(L, oi + 1, -1);

	if (o < 0)
		o = (lua_Integer)in + o < 0 ? 0 : (lua_Integer)in + o;
	if ((size_t)o > in)
		o = (lua_Integer)in;
	*off = (size_t)o;
	*len = (l < 0 || (size_t)l > in - *off) ? in - *off : (size_t)l;
}

/* Pushes <n> bytes at <off> of the input part of <ch>. */
static void chan_push_range(lua_State *L, const struct chan *ch, size_t off, size_t n)
{
	luaL_Buffer b;
	char *p = luaL_buffinitsize(L, &b, n);

	n = chan_copy_in(ch, off, p, n);
	luaL_pushresultsize(&b, n);
}

/* Channel.data(channel [, offset [, length]]): input bytes, kept; nil
 * when the channel is empty and can never receive more. Unlike HAProxy
 * 2.5+, it never waits for more data: it returns what is there. */
static int chan_data(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t off, len;

	if (chan_is_dead(ch)) {
		lua_pushnil(L);
		return 1;
	}
	chan_range(L, 2, chan_in_len(ch), &off, &len);
	chan_push_range(L, ch, off, len);
	return 1;
}

/* Channel.line(channel [, offset [, length]]): the first line (with its
 * LF) within the range, or the whole range without LF; kept. */
static int chan_line(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t off, len;
	long lf;

	if (chan_is_dead(ch)) {
		lua_pushnil(L);
		return 1;
	}
	chan_range(L, 2, chan_in_len(ch), &off, &len);
	lf = chan_find_in(ch, off, '\n');
	if (lf >= 0 && (size_t)lf < off + len)
		len = (size_t)lf + 1 - off;
	chan_push_range(L, ch, off, len);
	return 1;
}

/* Channel.insert(channel, string [, offset]): copies <string> at <offset>
 * of the input part (default: the front; negative: from the end).
 * Returns the length copied, or -1. */
static int chan_insert(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t slen, in = chan_in_len(ch);
	const char *s = luaL_checklstring(L, 2, &slen);
	lua_Integer o = luaL_optinteger(L, 3, 0);

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.insert");
	if (o < 0)
		o = (lua_Integer)in + o < 0 ? 0 : (lua_Integer)in + o;
	if ((size_t)o > in)
		o = (lua_Integer)in;
	if (chan_replace_in(ch, (size_t)o, 0, s, slen) < 0)
		lua_pushinteger(L, -1);
	else
		lua_pushinteger(L, (lua_Integer)slen);
	return 1;
}

/* Channel.remove(channel [, offset [, length]]): deletes input bytes.
 * Returns how many were removed. */
static int chan_remove(lua_State *L)
{
	struct chan *ch = chan_check_raw(L, NULL, NULL);
	size_t off, len;

	hlua_check_ctx(L, HLUA_M(HLUA_ACTION), "Channel.remove");
	chan_range(L, 2, chan_in_len(ch), &off, &len);
	if (len && chan_replace_in(ch, off, len, NULL, 0) < 0)
		len = 0;
	lua_pushinteger(L, (lua_Integer)len);
	return 1;
}

static int chan_in_length(lua_State *L)
{
	lua_pushinteger(L, chan_in_len(chan_check(L, NULL, NULL)));
	return 1;
}

static int chan_out_length(lua_State *L)
{
	lua_pushinteger(L, chan_out_len(chan_check(L, NULL, NULL)));
	return 1;
}

static int chan_is_full_l(lua_State *L)
{
	lua_pushboolean(L, chan_is_full(chan_check(L, NULL, NULL)));
	return 1;
}

static int chan_is_resp(lua_State *L)
{
	int dir;

	chan_check(L, NULL, &dir);
	lua_pushboolean(L, dir == 1);
	return 1;
}

static int chan_may_recv(lua_State *L)
{
	struct chan *ch = chan_check(L, NULL, NULL);

	lua_pushboolean(L, !(ch->flags & (CHAN_SHUTR | CHAN_READ_ERROR)) && !chan_is_full(ch));
	return 1;
}

static int chan_tostring(lua_State *L)
{
	lua_pushstring(L, "HAProxy class Channel");
	return 1;
}

static const luaL_Reg chan_methods[] = {
	{ "dup", chan_dup }, { "get", chan_get },
	{ "get_line", chan_get_line }, { "getline", chan_get_line },
	{ "set", chan_set }, { "append", chan_append }, { "prepend", chan_prepend },
	{ "send", chan_send }, { "forward", chan_fwd },
	{ "get_in_length", chan_in_length }, { "get_in_len", chan_in_length },
	{ "input", chan_in_length },
	{ "get_out_length", chan_out_length }, { "get_out_len", chan_out_length },
	{ "output", chan_out_length },
	{ "data", chan_data }, { "line", chan_line }, { "insert", chan_insert },
	{ "remove", chan_remove },
	{ "is_full", chan_is_full_l }, { "is_resp", chan_is_resp }, { "may_recv", chan_may_recv },
	{ NULL, NULL }
};

void hlua_chan_open(lua_State *L)
{
	luaL_newmetatable(L, CHAN_MT);
	hlua_cls_register(L, HLUA_C_CHANNEL);
	luaL_newlib(L, chan_methods);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, chan_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}
