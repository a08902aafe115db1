/* conv.c: the built-in converters (string, arithmetic, encoding, hashing,
 * time, variables). Hash functions are in hash.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "engine/sample.h"

static int cv_lower(const struct arg *args, struct sample *smp, struct smp_ctx *ctx)
{
	if (!sample_make_rw(smp))
		return 0;
	for (size_t i = 0; i < smp->u.str.len; i++)
		smp->u.str.ptr[i] = tolower((unsigned char)smp->u.str.ptr[i]);
	return 1;
}

const struct sample_conv smp_conv_table[] = {
	{ "lower", cv_lower, ARG0, 0, SMP_T_STR, SMP_T_STR, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL }
};
