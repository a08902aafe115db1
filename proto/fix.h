/* fix.h: the FIX (Financial Information eXchange) tag=value messages, as
 * far as HAProxy's fix_is_valid / fix_tag_value converters look at them:
 * framing, tag ids per version, BodyLength and CheckSum. No I/O, no
 * allocation; results point into the caller's buffer. */
#ifndef RP_FIX_H
#define RP_FIX_H

#include <stddef.h>

#define FIX_DELIM         0x01    /* SOH, ends every tag=value field */
#define FIX_TAG_BEGIN     8
#define FIX_TAG_BODYLEN   9
#define FIX_TAG_CHECKSUM  10
#define FIX_TAG_MSGTYPE   35

/* fix_validate() results */
#define FIX_INVALID   -1
#define FIX_AGAIN      0          /* the message is not complete yet */
#define FIX_VALID      1

/* Checks the message at the start of <msg>/<len>: BeginString (a known
 * version), BodyLength, MsgType first, tag ids valid for that version,
 * BodyLength and CheckSum right. Returns FIX_VALID, FIX_AGAIN or FIX_INVALID. */
int fix_validate(const char *msg, size_t len);

/* Finds the value of tag <tag> in the message. Returns 1 with it in
 * <val>/<vlen>, 0 when it is not there (or the message is malformed
 * before it), FIX_AGAIN (-2 here) when more data is needed to tell. */
#define FIX_TAG_AGAIN -2
int fix_tag_value(const char *msg, size_t len, unsigned tag, const char **val, size_t *vlen);

/* Returns the tag id named by <name> (a number, or one of MsgType,
 * CheckSum, BodyLength, TargetCompID, BeginString, SenderCompID, any
 * case), or 0. */
unsigned fix_tag_id(const char *name, size_t len);

#endif
