#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Re-record the golden traces: boots each kernel once in QEMU (uffdwp-vmtest),
# runs the listed scenarios under `uffdwp-trace --record`, and brings each
# recording back over the console (base64) into tests/golden/KERNEL/SCENARIO.uwt.
# A maintainer's tool, not a test: tests/golden/replay.sh checks the files.
#   tests/golden/record.sh [KERNEL...]     (default: every kernel below)
. "$(dirname "$0")/../lib.sh"

# Which runs are kept: the real 6.1 bugs (#8 hugetlb-fork, #14 the rest), their
# clean 6.12 twins, each shared kernel's own bug, and a PAGEMAP_SCAN dirty tracker
# on 7.3 (tests/unit/test_golden_scan.c also replays it with a returned region dropped).
declare -A SCENARIOS=(
	[debian-6.1]="hugetlb-fork anon-unprotect-writebit wp-threads mremap-event"
	[debian-6.12]="hugetlb-fork anon-unprotect-writebit wp-threads mremap-event"
	[bad-A]="shmem-mprotect shmem-migrate"
	[bad-C]="thp-migrate"
	[bad-E]="shmem-dontneed-marker"
	[debian-7.3]="pagemap-scan"
)

kernel_args() {
	case $1 in
	debian-*) echo "--debian ${1#debian-}" ;;
	*) echo "--kernel $SHARED_KERNELS/$1.bzImage" ;;
	esac
}

record_kernel() {
	local kernel=$1 out dir guest s
	dir=$ROOT/tests/golden/$kernel
	out=$(mktemp)
	guest='for s in '"${SCENARIOS[$kernel]}"'; do
		uffdwp-trace --record /tmp/$s.uwt -- $s >/dev/null 2>&1
		echo "@@golden $s $?"; base64 /tmp/$s.uwt; echo "@@golden-end"
	done'
	# shellcheck disable=SC2046
	if ! "$VMTEST" $(kernel_args "$kernel") -- sh -c "$guest" > "$out" 2>&1; then
		echo "record.sh: $kernel: uffdwp-vmtest failed (output in $out)" >&2
		return 1
	fi
	mkdir -p "$dir"
	for s in ${SCENARIOS[$kernel]}; do
		# the block between "@@golden NAME STATUS" and "@@golden-end"
		sed -n "/^@@golden $s /,/^@@golden-end/p" "$out" | sed '1d;$d' | tr -d '\r' |
			base64 -d > "$dir/$s.uwt" || { echo "record.sh: $kernel/$s: bad transfer" >&2; return 1; }
		echo "$kernel/$s: $(grep "^@@golden $s " "$out" | cut -d' ' -f3 | tr -d '\r') exit," \
		     "$(stat -c %s "$dir/$s.uwt") bytes"
	done
	rm -f "$out"
}

status=0
for k in "${@:-debian-6.1 debian-6.12 debian-7.3 bad-A bad-C bad-E}"; do
	for kernel in $k; do
		record_kernel "$kernel" || status=1
	done
done
exit $status
