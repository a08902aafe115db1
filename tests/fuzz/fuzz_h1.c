/* fuzz_h1.c: libFuzzer target for the HTTP/1 parser. The first byte picks
 * request or response mode and the piece size, so that resumption at every
 * offset is exercised; the parser must never read out of bounds, and the
 * spans it returns must lie inside what it consumed. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>

#include "proto/h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h1_hdr hdrs[64];
	struct h1_msg m;
	size_t done = 0, step;

	if (size < 1)
		return 0;
	step = (data[0] & 0x3f) + 1;
	h1_init(&m, (data[0] & 0x40) ? H1_MF_RESP : 0, hdrs, 64, 4096);
	data++, size--;
	while (done < size) {
		size_t n = size - done < step ? size - done : step;
		int r = h1_parse(&m, (const char *)data + done, n);

		if (r < 0)
			return 0;
		done += (size_t)r;
		if (m.phase == H1_P_DONE)
			break;
		if ((size_t)r < n && m.phase != H1_P_BODY)
			abort();        /* it may stop early only at the end of the headers */
	}
	for (uint16_t i = 0; i < m.nb_hdrs; i++)
		if (hdrs[i].n.off + hdrs[i].n.len > done || hdrs[i].v.off + hdrs[i].v.len > done)
			abort();
	return 0;
}
