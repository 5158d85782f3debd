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
tap_plan 3

if [ ! -x "$FUZZ" ]; then
	tap_skip "a lossy search's tracer-only LOST_WP not found again alone: undecided" "no $FUZZ (make all)"
	tap_skip "one found again alone: found" "no $FUZZ (make all)"
	tap_skip "one found again by a rerun that lost records too: undecided" "no $FUZZ (make all)"
	tap_done
	exit 0
fi

run() {	# run NAME [ENV...]: uffdwp-fuzz --replay under the stand-in, output in $WORK/NAME
	local name=$1; shift
	rc=0
	env FAKE_TRACER_STATE="$WORK/$name.state" "$@" "$FUZZ" --replay "$SEQ" --tracer "$TRACER" \
		--out "$WORK/$name" --no-minimise > "$WORK/$name.out" 2>&1 || rc=$?
}

run once
name="a lossy search's tracer-only LOST_WP not found again alone: undecided"
if [ $rc = 125 ] && grep -q '^seqfuzz: not confirmed: ' "$WORK/once.out" &&
   grep -q '^seqfuzz: result 125 (undecided)' "$WORK/once.out"; then
	tap_ok "$name"
else
	tap_not_ok "$name" "exit $rc; $(grep '^seqfuzz: \(not\|result\)' "$WORK/once.out" | tr '\n' ' ')"
fi

run always FAKE_TRACER_ALWAYS=1
name="one found again alone: found"
if [ $rc = 1 ] && ! grep -q '^seqfuzz: not confirmed' "$WORK/always.out" &&
   grep -q '^seqfuzz: result 1 (found)' "$WORK/always.out"; then
	tap_ok "$name"
else
	tap_not_ok "$name" "exit $rc; $(grep '^seqfuzz: \(not\|result\)' "$WORK/always.out" | tr '\n' ' ')"
fi

run lossy FAKE_TRACER_ALWAYS=lossy
name="one found again by a rerun that lost records too: undecided"
if [ $rc = 125 ] && grep -q '^seqfuzz: not confirmed: .*lost records too' "$WORK/lossy.out" &&
   grep -q '^seqfuzz: result 125 (undecided)' "$WORK/lossy.out"; then
	tap_ok "$name"
else
	tap_not_ok "$name" "exit $rc; $(grep '^seqfuzz: \(not\|result\)' "$WORK/lossy.out" | tr '\n' ' ')"
fi
tap_done
