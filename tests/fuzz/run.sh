#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The libFuzzer harnesses built by `make fuzz-build`, FUZZ_SECONDS (60) each:
# one TAP line per harness; a crash fails it, with the crashing input
# (kept in build/fuzz/crashes) and the sanitizer's report as diagnostics.
# Seeds: tests/fuzz/corpus/NAME, and for fuzz_replay the golden recordings;
# new inputs go to build/fuzz/corpus/NAME, never into the tree.  The inputs
# in tests/fuzz/crashers/NAME (fixed bugs) are replayed first.
. "$(dirname "$0")/../lib.sh"
FUZZ=$BUILD/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

seeds() {
	case $1 in
	fuzz_replay) ls -d "$ROOT"/tests/golden/*/ ;;
	esac
	[ -d "$ROOT/tests/fuzz/corpus/$1" ] && echo "$ROOT/tests/fuzz/corpus/$1"
}

mkdir -p "$FUZZ/crashes"
for src in "$ROOT"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=$FUZZ/fuzzers/$name
	TAP_LOG=$FUZZ/$name.log
	if [ ! -x "$bin" ]; then
		tap_not_ok "$name: no $bin (make fuzz-build)"
		continue
	fi
	crashers=("$ROOT/tests/fuzz/crashers/$name"/*)
	if [ -e "${crashers[0]}" ] && ! "$bin" "${crashers[@]}" > "$TAP_LOG" 2>&1; then
		tap_not_ok "$name: a fixed crasher in tests/fuzz/crashers/$name crashes again"
		continue
	fi
	mkdir -p "$FUZZ/corpus/$name"
	rm -f "$FUZZ/crashes/$name"-*
	# shellcheck disable=SC2046
	if "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
		-artifact_prefix="$FUZZ/crashes/$name-" \
		"$FUZZ/corpus/$name" $(seeds "$name") > "$TAP_LOG" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TAP_LOG")
		tap_ok "$name: ${runs:-?} inputs in ${SECONDS_EACH} s, no crash"
	else
		crash=$(ls "$FUZZ/crashes/$name"-* 2>/dev/null | head -n1)
		grep -E 'ERROR:|runtime error|SUMMARY|#[0-9]+ 0x' "$TAP_LOG" | head -n8 > "$TAP_LOG.why"
		TAP_LOG=$TAP_LOG.why
		tap_not_ok "$name: crashed on input ${crash:-(none written)}, $(stat -c %s "$crash" 2>/dev/null) bytes (log $FUZZ/$name.log)"
	fi
done
tap_done
