#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# uffdwp-vmtest --fuzz end to end (uffdwp-fuzz under the tracer in the guest), small budgets:
# Debian 7.3, which refuses the re-registration 6.1/6.12 get wrong, finds nothing; Debian
# 6.1 finds that bug with seed 76 (its sequence 2 since the copy, munmap, move and poison
# ops, with 6.1's #14 in the same sequence; seed 55 before; on the host too: a WP range re-registered
# MISSING-only keeps its uffd-wp bits: FALSE_WP from the tracer, bit 57 from user space),
# minimised to a sequence and a scenario program that compiles; --fuzz-replay of that sequence is 1 again (bisect).
# Debian 6.12: a lazyfree THP page re-protected by PAGEMAP_SCAN and discarded by MADV_PAGEOUT
# loses its bit as MADV_DONTNEED's would; the oracle once called that bit_lost.
# --fuzz-check-pool: a part of a private hugetlb mapping moved by mremap leaves the rest's
# reservations behind (FINDINGS.md 4, every kernel here); a shared one does not.
# A missing fault that no fill can resolve (a dry hugetlb pool) is the sequence's error at
# once, not a writer asleep in handle_userfault() until the 60 s alarm: the 7.3 hunts' hang.
. "$(dirname "$0")/lib.sh"

DEBIAN_73=$CACHE/debian-7.3/vmlinuz
tap_plan 10

if need_image "$DEBIAN_73"; then
	vmtest --debian 7.3 --fuzz 15 --seed 1 --fuzz-out "$WORK/73"
	expect "debian 7.3: nothing found in 15 s (seed 1)" 0 '^seqfuzz: result 0 \(nothing found\)$'
	name="debian 7.3: sequences ran, no tracer finding"
	if grep -Eq '^seqfuzz: ran [1-9][0-9]* sequences' "$WORK/out" &&
	   ! grep -q '"type":"finding"' "$WORK/out"; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "no sequences ran, or a finding"
	fi
	vmtest --debian 7.3 --tap --add "$BUILD/uffdwp-fuzz" --add "$ROOT/tests/vm/fuzz-seqs/hugetlb-dry-pool.seq" \
	       -- sh -c 'echo 7 > /proc/sys/vm/nr_hugepages &&
			 uffdwp-fuzz --replay /bin/hugetlb-dry-pool.seq --no-minimise --out /tmp/f'
	expect "debian 7.3: a missing fault a dry hugetlb pool cannot fill is an error, not a hang" 0 \
	       '^# seqfuzz: error label=0 pid=[0-9]+ op=10 \(write 0 0 2 1\): a missing fault at vma 0 page 0 cannot be resolved: no page to fill it with \(ENOMEM'
else
	tap_skip "debian 7.3: nothing found in 15 s (seed 1)" "no image at $DEBIAN_73 (run make setup)"
	tap_skip "debian 7.3: sequences ran, no tracer finding" "no image at $DEBIAN_73"
	tap_skip "debian 7.3: a missing fault a dry hugetlb pool cannot fill is an error, not a hang" \
		 "no image at $DEBIAN_73"
fi

if need_image "$DEBIAN_61"; then
	vmtest --debian 6.1 --fuzz 10 --seed 76 --fuzz-out "$WORK/61"
	# 6.1's #14 rides along in that sequence (LOST_WRITE_BIT+FALSE_WP+bit_stale there,
	# FALSE_WP+bit_stale on the host, which lacks #14)
	expect "debian 6.1: the re-registration bug found as FALSE_WP+bit_stale (seed 76)" 1 \
	       '^seqfuzz: found (LOST_WRITE_BIT\+)?FALSE_WP\+bit_stale: sequence '
	seq=$(ls "$WORK"/61/minimised-*false_wp-bit_stale.seq 2>/dev/null | head -n1)
	src=${seq%.seq}.c; src=${src/minimised-/fuzz-}
	name="debian 6.1: the minimised sequence protects, then re-registers MISSING-only"
	if grep -Eq '^op wp_on ' "$seq" 2>/dev/null &&
	   grep -Eq '^op register [0-9]+ [0-9]+ [0-9]+ 1$' "$seq"; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "$seq lacks them"
	fi
	name="debian 6.1: the scenario program it printed compiles"
	if gcc -O2 -Wall -Werror -D_GNU_SOURCE -I"$ROOT/tests/scenarios" -static -pthread \
	       "$src" -o "$WORK/scenario" 2> "$WORK/cc.err"; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "$(head -3 "$WORK/cc.err")"
	fi
	vmtest --debian 6.1 --fuzz-replay "$seq" --fuzz-out "$WORK/61-replay"
	expect "debian 6.1: --fuzz-replay of it is 1 again" 1 '^seqfuzz: found FALSE_WP'
else
	for t in "debian 6.1: the re-registration bug found as FALSE_WP+bit_stale (seed 76)" \
		 "debian 6.1: the minimised sequence protects, then re-registers MISSING-only" \
		 "debian 6.1: the scenario program it printed compiles" \
		 "debian 6.1: --fuzz-replay of it is 1 again"; do
		tap_skip "$t" "no Debian 6.1 image at $DEBIAN_61 (run make setup)"
	done
fi
SEQ_LAZYFREE=$ROOT/tests/vm/fuzz-seqs/lazyfree-reprotect-pageout.seq
if need_image "$DEBIAN_612"; then
	vmtest --debian 6.12 --fuzz-replay "$SEQ_LAZYFREE" --fuzz-out "$WORK/612-lazyfree"
	expect "debian 6.12: a lazyfree page re-protected, then paged out, is no bug" 0 \
	       '^seqfuzz: result 0 \(nothing found\)$'
else
	tap_skip "debian 6.12: a lazyfree page re-protected, then paged out, is no bug" \
		 "no Debian 6.12 image at $DEBIAN_612 (run make setup)"
fi
SEQ_RSVD=$ROOT/tests/vm/fuzz-seqs/hugetlb-mremap-part.seq
SEQ_RSVD_SHARED=$ROOT/tests/vm/fuzz-seqs/hugetlb-shared-mremap-part.seq
if need_image "$DEBIAN_612"; then
	vmtest --debian 6.12 --fuzz-replay "$SEQ_RSVD" --fuzz-check-pool --fuzz-out "$WORK/612-rsvd"
	expect "debian 6.12: --fuzz-check-pool finds the reservation a private part move leaves" 1 \
	       '^seqfuzz: found rsvd_leak: sequence '
	vmtest --debian 6.12 --fuzz-replay "$SEQ_RSVD_SHARED" --fuzz-check-pool \
	       --fuzz-out "$WORK/612-rsvd-shared"
	expect "debian 6.12: and none for a shared part move" 0 '^seqfuzz: result 0 \(nothing found\)$'
else
	for t in "debian 6.12: --fuzz-check-pool finds the reservation a private part move leaves" \
		 "debian 6.12: and none for a shared part move"; do
		tap_skip "$t" "no Debian 6.12 image at $DEBIAN_612 (run make setup)"
	done
fi
tap_done
