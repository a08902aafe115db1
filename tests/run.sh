#!/usr/bin/env bash
# The test driver behind "make test" and "make test-ref".
#   tests/run.sh          unit, vtc and e2e tests on ./ringproxy, then the
#                         sanitizer build (build/san) on the same tests
#   tests/run.sh --ref    the vtc tests HAProxy 2.6 also supports, on /usr/sbin/haproxy
#   tests/run.sh [--ref] [--no-san] [--only unit|vtc|e2e|fuzz] [--build DIR] [PATTERN]
#   --build DIR: a private build (make O=DIR): its unit tests and DIR/ringproxy,
#   no sanitizer pass (a DIR built with SAN=1 is run as the sanitizer pass)
# A unit binary prints PASS:/FAIL:/SKIP: lines; a vtc or e2e script passes
# when it exits 0, is skipped when it exits 77 (printing why), fails otherwise.
# A fuzz target (build/fuzz/fuzz_*, "make fuzz") runs FUZZ_SECONDS (10) from
# its seed corpus tests/fuzz/corpus/<name>/ and passes when libFuzzer finds
# nothing; without "make fuzz" having built them, there is nothing to run.
# A vtc starting with the line "# ringproxy-only: <why>" is not run by --ref.
# Ends with "N passed, M failed[, K skipped]" and exits 1 if anything failed.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD

ref=0 san=1 only="" pat="" san_run=0 build=""
while [ $# -gt 0 ]; do
	case "$1" in
	--ref) ref=1; san=0 ;;
	--no-san) san=0 ;;
	--only) only=$2; shift ;;
	--build) build=${2%/}; san=0; shift ;;
	*) pat=$1 ;;
	esac
	shift
done

pass=0 fail=0 skip=0
failed_names=()
logdir=$(mktemp -d /tmp/rp-tests.XXXXXX)
trap 'rm -rf "$logdir"' EXIT

record() { # record <PASS|FAIL|SKIP> <name> [why] [logfile]
	case "$1" in
	PASS) pass=$((pass + 1)); echo "PASS: $2" ;;
	SKIP) skip=$((skip + 1)); echo "SKIP: $2: $3" ;;
	FAIL) fail=$((fail + 1)); failed_names+=("$2"); echo "FAIL: $2"
	      [ -n "${4:-}" ] && [ -f "$4" ] && tail -n 40 "$4" | sed 's/^/    | /' ;;
	esac
}

run_unit() { # run_unit <build dir> <label>
	local b
	for b in "$1"/tests/test_*; do
		[ -x "$b" ] || continue
		[ -n "$pat" ] && [[ "$b" != *$pat* ]] && continue
		local log="$logdir/unit.$(basename "$b").log"
		timeout 300 "$b" >"$log" 2>&1
		local rc=$?
		local n=0 line
		while IFS= read -r line; do
			case "$line" in
			PASS:*) record PASS "$2 ${line#PASS: }"; n=$((n + 1)) ;;
			SKIP:*) local s=${line#SKIP: }; record SKIP "$2 ${s%%: *}" "${s#*: }"; n=$((n + 1)) ;;
			FAIL:*) record FAIL "$2 ${line#FAIL: }" "" ; n=$((n + 1)) ;;
			esac
		done <"$log"
		if [ $rc -ne 0 ]; then
			grep -v '^PASS:' "$log" | tail -n 30 | sed 's/^/    | /'
			# a crash or a failing exit status with no FAIL line still fails
			grep -q '^FAIL:' "$log" || record FAIL "$2 $(basename "$b") (exit $rc)" "$log"
		elif [ $n -eq 0 ]; then
			record FAIL "$2 $(basename "$b") (ran no case)" "$log"
		fi
	done
}

run_scripts() { # run_scripts <kind: vtc|e2e> <proxy binary> <label>
	local kind=$1 bin=$2 label=$3 f
	local files=()
	if [ "$kind" = vtc ]; then files=(tests/vtc/*.vtc); else files=(tests/e2e/*.sh); fi
	for f in "${files[@]}"; do
		[ -f "$f" ] || continue
		[ "$f" = tests/e2e/lib.sh ] && continue   # helpers, not a test
		[ -n "$pat" ] && [[ "$f" != *$pat* ]] && continue
		if [ $ref -eq 1 ] && head -n 1 "$f" | grep -q '^# ringproxy-only'; then continue; fi
		local log="$logdir/$kind.$(basename "$f").log" rc
		if [ "$kind" = vtc ]; then
			HAPROXY_PROGRAM=$bin timeout 120 varnishtest -q -t 60 \
				-Dtop="$top" "$f" >"$log" 2>&1
			rc=$?
		else
			PROXY=$bin TOP=$top RP_SAN=$san_run timeout 600 bash "$f" >"$log" 2>&1
			rc=$?
		fi
		case $rc in
		0) record PASS "$label $f" ;;
		77) record SKIP "$label $f" "$(tail -n 1 "$log")" ;;
		*) record FAIL "$label $f (exit $rc)" "" "$log" ;;
		esac
	done
}

run_fuzz() { # run_fuzz: each libFuzzer target for a bounded time
	local b
	for b in build/fuzz/fuzz_*; do
		[ -x "$b" ] || continue
		[ -n "$pat" ] && [[ "$b" != *$pat* ]] && continue
		local name log="$logdir/fuzz.$(basename "$b").log" work
		name=$(basename "$b")
		work=$(mktemp -d "$logdir/corpus.XXXXXX")
		[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
		timeout $(( ${FUZZ_SECONDS:-10} + 60 )) "$b" -max_total_time="${FUZZ_SECONDS:-10}" \
			-rss_limit_mb=2048 -artifact_prefix="$logdir/" "$work" >"$log" 2>&1
		if [ $? -eq 0 ]; then record PASS "fuzz $name (${FUZZ_SECONDS:-10} s)"
		else record FAIL "fuzz $name" "" "$log"; fi
	done
}

run_all() { # run_all <build dir> <proxy binary> <label>
	[ -z "$only" ] || [ "$only" = unit ] && run_unit "$1" "$3"
	[ -z "$only" ] || [ "$only" = vtc ] && run_scripts vtc "$2" "$3"
	[ -z "$only" ] || [ "$only" = e2e ] && run_scripts e2e "$2" "$3"
}

san_env() { # the sanitizer pass: e2e sizes (RP_SAN) and sanitizer options
	san_run=1
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
}

if [ $ref -eq 1 ]; then
	run_scripts vtc /usr/sbin/haproxy haproxy
else
	san_run=0
	if [ -n "$build" ]; then
		case $build in /*) ;; *) build=$top/$build ;; esac
		# a private sanitizer build (make O=DIR SAN=1) runs the e2e
		# scripts at their sanitizer sizes, as build/san does
		ldd "$build/ringproxy" 2>/dev/null | grep -q libasan && san_env
		run_all "$build" "$build/ringproxy" "$(basename "$build")"
	else
		run_all build/rel "$top/ringproxy" rel
		[ -z "$only" ] || [ "$only" = fuzz ] && run_fuzz
	fi
	if [ $san -eq 1 ]; then
		san_env
		run_all build/san "$top/build/san/ringproxy" san
	fi
fi

if [ $fail -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
