#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# uffdwp-fuzz and a tracer that lost records (src/seqfuzz/hunt.c confirmed_alone()): a
# failure only the tracer saw in such a search counts only when the sequence alone, under
# a fresh tracer, fails the same way.  On the host, with a stand-in tracer
# (fake-lossy-tracer) and a sequence that runs anywhere (its hugetlb VMA may be skipped).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

FUZZ=$BUILD/uffdwp-fuzz
TRACER=$ROOT/tests/seqfuzz/fake-lossy-tracer
SEQ=$ROOT/tests/vm/fuzz-seqs/lazyfree-reprotect-pageout.seq
WORK=$(mktemp -d "${TMPDIR:-/tmp}/uffdwp-confirm.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
tap_plan 4

if [ ! -x "$FUZZ" ]; then
	tap_skip "a lossy search's tracer-only LOST_WP not found again alone: undecided" "no $FUZZ (make all)"
	tap_skip "one found again alone: found" "no $FUZZ (make all)"
	tap_skip "one found again by a rerun that lost records too: undecided" "no $FUZZ (make all)"
	tap_skip "a lossy search whose tracer exited 1, nothing confirmed: undecided" "no $FUZZ (make all)"
	tap_done
	exit 0
fi

run() {	# run NAME [ENV...]: uffdwp-fuzz --replay under the stand-in, output in $WORK/NAME
	local name=$1; shift
	rc=0
	env FAKE_TRACER_STATE="$WORK/$name.state" "$@" "$FUZZ" --replay "$SEQ" --tracer "$TRACER" \
		--out "$WORK/$name" --no-minimise > "$WORK/$name.out" 2>&1 || rc=$?
}

# expect NAME RUN RC PATTERN...: the run exited RC and its output has a line matching
# each PATTERN (one starting with ! must match none)
expect() {
	local name=$1 out=$WORK/$2.out want=$3 p why=
	shift 3
	[ "$rc" = "$want" ] || why="exit $rc, not $want"
	for p in "$@"; do
		case $p in
		!*) ! grep -q -- "${p#!}" "$out" || why="${why:+$why; }a line matches ${p#!}" ;;
		*) grep -q -- "$p" "$out" || why="${why:+$why; }no line matches $p" ;;
		esac
	done
	if [ -z "$why" ]; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "$why; $(grep '^seqfuzz: \(not\|result\)' "$out" | tr '\n' ' ')"
	fi
}

run once
expect "a lossy search's tracer-only LOST_WP not found again alone: undecided" once 125 \
       '^seqfuzz: not confirmed: ' '^seqfuzz: result 125 (undecided)'
run always FAKE_TRACER_ALWAYS=1
expect "one found again alone: found" always 1 \
       '!^seqfuzz: not confirmed' '^seqfuzz: result 1 (found)'
run lossy FAKE_TRACER_ALWAYS=lossy
expect "one found again by a rerun that lost records too: undecided" lossy 125 \
       '^seqfuzz: not confirmed: .*lost records too' '^seqfuzz: result 125 (undecided)'
run exit1 FAKE_TRACER_FIRST_EXIT=1
expect "a lossy search whose tracer exited 1, nothing confirmed: undecided" exit1 125 \
       '^seqfuzz: not confirmed: ' '^seqfuzz: result 125 (undecided): the tracer lost records'
tap_done
