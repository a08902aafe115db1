#!/usr/bin/env bash
# "-vv": HAProxy's layout (version, Running on, Build options, Feature list,
# Default settings, Built with ... lines), plus the io_uring block: the
# liburing version built with, and what the running kernel offers — setup
# flags, IORING_FEAT_* bits, the opcodes ringproxy submits, multishot
# accept, provided-buffer rings and multishot receive (tried for real).
. "$(dirname "$0")/lib.sh"

"$PROXY" -vv >"$T/vv.out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "-vv exited $rc: $(cat "$T/vv.out")"
out=$(cat "$T/vv.out")
has() { grep -qE "$1" "$T/vv.out" || fail "-vv lacks /$1/: $out"; }
has '^ringproxy version [0-9.]+ [0-9]{4}/[0-9]{2}/[0-9]{2}$'
has "^Running on: $(uname -s) $(uname -r) "
has '^Build options :$'
has '^Feature list : .*\+IO_URING'
has '^Built with Lua version : Lua 5\.4'
want=$(pkg-config --modversion liburing 2>/dev/null)
[ -n "$want" ] && has "^Built with liburing version : ${want//./\\.}\$"
has '^io_uring operations : \+ACCEPT \+RECV \+SEND \+SENDMSG [-+]SEND_ZC \+CONNECT \+SHUTDOWN \+CLOSE \+ASYNC_CANCEL \+TIMEOUT$'
if grep -q '^Running on io_uring : test result FAILED' "$T/vv.out"; then
	skip "io_uring unusable here: $(grep '^Running on io_uring' "$T/vv.out")"
fi
has '^Running on io_uring : test result OK, SINGLE_ISSUER\|DEFER_TASKRUN (accepted|refused \(slower path\))$'
has '^io_uring features : \+SINGLE_MMAP \+NODROP .*\+EXT_ARG'
# ringproxy serves on this machine (the other e2e tests), so the kernel has
# what its data path needs: these three must say yes
has '^io_uring multishot accept : yes$'
has '^io_uring provided buffer rings : yes$'
has '^io_uring multishot receive : yes$'
exit 0
