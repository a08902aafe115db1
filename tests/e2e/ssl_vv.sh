#!/usr/bin/env bash
# "-vv" names the TLS library and what it was built with, in HAProxy's
# "Built with <library> version : ..." form: the wolfSSL version must be
# the one pkg-config reports for the headers ringproxy was built against.
. "$(dirname "$0")/lib.sh"

"$PROXY" -vv >"$T/vv.out" 2>&1 || fail "-vv exited $?: $(cat "$T/vv.out")"
line=$(grep '^Built with SSL library version : ' "$T/vv.out") || fail "-vv has no SSL library line: $(cat "$T/vv.out")"
want=$(pkg-config --modversion wolfssl 2>/dev/null)
[ -n "$want" ] || skip "pkg-config does not know wolfssl"
case $line in
"Built with SSL library version : wolfSSL $want ("*TLSv1.3*SNI*ALPN*")") ;;
*) fail "unexpected SSL line: '$line' (wolfSSL $want with TLSv1.3, SNI, ALPN expected)" ;;
esac
exit 0
