#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The unit tests, the golden replays and the host tracer tests again, built by
# `make sanitize` with ASan+UBSan (-fno-sanitize-recover: any report ends the
# program with a failure).  Run by tests/run.sh after the plain suites.
. "$(dirname "$0")/lib.sh"
ASAN=$BUILD/asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1

if [ ! -x "$ASAN/uffdwp-trace" ]; then
	tap_not_ok "sanitized build present" "no $ASAN/uffdwp-trace: run make sanitize"
	tap_done
fi
# Every suite's TAP lines, renamed so a failure says it was the sanitized run.
suite() {
	local name=$1; shift
	"$@" 2>&1 | while IFS= read -r line; do
		case $line in
		"ok "*|"not ok "*) echo "$line" | sed "s/ - / - asan $name: /" ;;
		*"ERROR: AddressSanitizer"*|*"runtime error:"*|*"ERROR: LeakSanitizer"*)
			echo "not ok - asan $name: $line" ;;
		esac
	done
}
for t in "$ASAN"/tests/test_*; do
	suite "$(basename "$t")" "$t"
done
UFFDWP_TRACE=$ASAN/uffdwp-trace suite golden tests/golden/replay.sh
[ "$(id -u)" = 0 ] && UFFDWP_TRACE=$ASAN/uffdwp-trace suite tracer tests/tracer.sh
exit 0
