/* rxint.h: what rx.c shares with patset.c inside regex/ (not a public
 * header: it names Hyperscan and PCRE2 types), defined in rxint.c. The
 * per-thread matching state is one Hyperscan scratch big enough for every
 * database compiled so far, and one PCRE2 match data. */
#ifndef RP_RXINT_H
#define RP_RXINT_H

#include <stddef.h>
#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Makes the process-wide scratch prototype big enough for <db>, so that
 * every thread's scratch is regrown before its next scan. Returns 0, or -1
 * with a message in <err>. Call before publishing <db>. */
int rxi_scratch_reserve(const hs_database_t *db, char *err, size_t errlen);

/* Returns this thread's scratch, valid for every database reserved so far,
 * or NULL when it cannot be allocated. */
hs_scratch_t *rxi_scratch(void);

/* Same as rxi_scratch() but re-clones the prototype first: the answer to
 * a scan refused for a scratch too small. */
hs_scratch_t *rxi_scratch_refresh(void);

/* Returns this thread's PCRE2 match data (RX_MAX_GROUPS pairs), or NULL. */
pcre2_match_data *rxi_match_data(void);

/* Returns the PCRE2 code for <pat>/<len> (RX_ICASE and RX_NO_CAPTURE of
 * <flags> honoured), not JIT-compiled, or NULL with PCRE2's message and
 * the offset in <err>. */
pcre2_code *rxi_pcre_compile_nojit(const char *pat, size_t len, unsigned flags, char *err, size_t errlen);

/* Compiles <pat>/<len> with PCRE2 (RX_ICASE and RX_NO_CAPTURE of <flags>
 * honoured) and JITs it when the machine allows. Returns the code or NULL
 * with PCRE2's message and the offset in <err>. */
pcre2_code *rxi_pcre_compile(const char *pat, size_t len, unsigned flags, char *err, size_t errlen);

/* Returns the pcre2_match() result of <re> on <s>/<n> with <opts>, using
 * this thread's match data; > 0 or 0 (ovector too small) on a match. */
int rxi_pcre_match(const pcre2_code *re, const char *s, size_t n, unsigned opts);

/* Returns 1 when Hyperscan would match <pat> like PCRE2 does, after
 * checking the pattern text for the constructs where they differ; 0 with
 * a reason in <*why> otherwise. */
int rxi_hs_agrees(const char *pat, size_t len, const char **why);

/* Returns 1 when <pat>/<len> is a plain literal of at least one byte with
 * an optional leading "^" and trailing "$" (escaped punctuation allowed),
 * and writes the literal bytes to <out> (room for <len> bytes) and their
 * count to <*outlen>; returns 0 otherwise. */
int rxi_literal(const char *pat, size_t len, char *out, size_t *outlen, int *bol, int *eol);

/* Returns the Hyperscan flags used for a regex in PCRE semantics. */
unsigned rxi_hs_flags(int icase);

#endif
