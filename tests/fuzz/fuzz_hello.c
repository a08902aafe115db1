/* fuzz_hello.c: libFuzzer target for the TLS ClientHello fetches of
 * payload.c (req.ssl_sni, req.ssl_alpn, req.ssl_ver, req.ssl_hello_type,
 * req.ssl_st_ext, req.ssl_ec_ext), the bytes a TCP-mode frontend reads
 * before any TLS termination. The first input byte picks the segment
 * size of one channel (1..256 bytes), the second where the input is cut
 * in two: the fetches run on the first part (not final, as an
 * inspect-delay does), then on the whole. The oracle: on the whole input, a channel made of
 * small segments must give exactly what a single-segment channel gives
 * (found or not, same value), and nothing may read out of bounds (ASan). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sample.h"
#include "engine/stream.h"
#include "engine/chan.h"

static const char *const exprs[] = {
	"req.ssl_sni", "req.ssl_alpn", "req.ssl_ver", "req.ssl_hello_type",
	"req.ssl_st_ext", "req.ssl_ec_ext", "req.ssl_sni,lower",
};
#define NEXPR (sizeof(exprs) / sizeof(exprs[0]))

static struct sample_expr *ex[NEXPR];
static struct chan_pool big, small[256];
static struct stream s_one, s_seg;

/* Evaluates expression <i> on <s>; returns 1/0 and the value as text in
 * <out> (<*n> bytes). An ACL-style iteration (ssl_alpn) walks every value
 * and keeps the last one. */
static int eval(struct stream *s, size_t i, int final, int iterate, char *out, size_t *n)
{
	struct smp_ctx ctx = { .strm = s, .final = final, .iterate = iterate };
	int r, guard = 0;

	*n = 0;
	do {
		struct sample smp = { 0 };

		r = sample_expr_eval(ex[i], &ctx, &smp);
		if (r && sample_cast(&smp, SMP_T_STR)) {
			if (smp.u.str.len > 65536)
				abort();
			*n = smp.u.str.len < 256 ? smp.u.str.len : 256;
			memcpy(out, smp.u.str.ptr, *n);
		}
		if (!r || !(smp.flags & SMP_F_NOT_LAST))
			break;
	} while (++guard < 1000);
	if (guard >= 1000)
		abort();                 /* an iteration that never ends */
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	unsigned seg;
	size_t cut;

	if (!ready) {
		char err[256];

		chan_pool_init(&big, 1 << 17, NULL, NULL);
		for (unsigned k = 0; k < 256; k++)
			chan_pool_init(&small[k], k + 1, NULL, NULL);
		for (size_t i = 0; i < NEXPR; i++)
			if (!(ex[i] = sample_expr_parse(exprs[i], NULL, NULL, err, sizeof(err))))
				abort();
		chan_init(&s_one.req, &big, 1 << 20);
		chan_init(&s_one.res, &big, 1 << 20);
		ready = 1;
	}
	if (size < 3 || size > 65536)
		return 0;
	seg = data[0];
	cut = (size_t)data[1] * (size - 2) / 256;
	data += 2, size -= 2;
	chan_init(&s_seg.req, &small[seg], 1 << 20);
	chan_init(&s_seg.res, &small[seg], 1 << 20);

	/* the first part alone, more may come */
	chan_reset(&s_seg.req);
	chan_put_data(&s_seg.req, data, cut);
	for (size_t i = 0; i < NEXPR; i++) {
		char v[256];
		size_t n;

		eval(&s_seg, i, 0, 0, v, &n);
	}
	/* then the whole: both layouts agree */
	chan_put_data(&s_seg.req, data + cut, size - cut);
	chan_reset(&s_one.req);
	chan_put_data(&s_one.req, data, size);
	for (size_t i = 0; i < NEXPR; i++) {
		for (int it = 0; it < 2; it++) {
			char a[256], b[256];
			size_t na, nb;
			int ra = eval(&s_one, i, 1, it, a, &na), rb = eval(&s_seg, i, 1, it, b, &nb);

			if (ra != rb || na != nb || memcmp(a, b, na))
				abort();
		}
	}
	chan_reset(&s_seg.req);
	chan_reset(&s_one.req);
	return 0;
}
