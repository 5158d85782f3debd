#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Debian's 6.1, 6.12 and 7.3 kernels boot, run a guest command and report its status.
. "$(dirname "$0")/lib.sh"

tap_plan 11

for ver in 6.1 6.12 7.3; do
	image=$CACHE/debian-$ver/vmlinuz
	if ! need_image "$image"; then
		tap_skip "debian $ver: uname -r" "no image at $image (run make setup)"
		tap_skip "debian $ver: swap on" "no image at $image (run make setup)"
		continue
	fi
	vmtest --debian "$ver" -- uname -r
	expect "debian $ver: uname -r" 0 "^$(echo "$ver" | sed 's/\./\\./')\.[0-9].*-amd64\$"
	# the same boot: swap on, its driver's modules packed from the cache
	expect "debian $ver: swap on" 0 "^uffdwp-vmtest: swap: on /dev/vda [0-9]+ KiB\$"
done

if need_image "$DEBIAN_61"; then
	echo guest-says-hi > "$WORK/greeting"
	vmtest --debian 6.1 --tap --add "$WORK/greeting" -- sh -c 'cat /bin/greeting; exit 3'
	expect "a failing guest command exits 1" 1 '^not ok 1 - command # exited 3$'
	name="--add file on PATH, guest output as TAP comments"
	grep -q '^# guest-says-hi$' "$WORK/out" && tap_ok "$name" ||
		tap_not_ok "$name" "no '# guest-says-hi' line"
	vmtest --debian 6.1 -- sh -c 'exit 125'
	expect "a guest command's 125 is passed on" 125 "${RESULT_125}undecided: command: exited 125"
else
	for t in "a failing guest command exits 1" \
		 "--add file on PATH, guest output as TAP comments" \
		 "a guest command's 125 is passed on"; do
		tap_skip "$t" "no Debian 6.1 image at $DEBIAN_61 (run make setup)"
	done
fi
# A guest whose swap disk has no driver: one line says why, a scenario needing swap skips
# with that reason (module_blacklist= makes the driver's insmod fail).
if need_image "$CACHE/debian-6.12/vmlinuz"; then
	vmtest --debian 6.12 --cmdline module_blacklist=virtio_blk --tap --scenario swap-wp
	expect "no swap driver: the guest says why" 0 \
		'^# swap: off \(insmod virtio_blk\.ko failed\)$'
	expect "no swap driver: swap-wp skips with that reason" 0 \
		'^# scenario: swap-wp verdict=skip detail=no_swap\(off \(insmod virtio_blk\.ko failed\)\)$'
else
	for t in "no swap driver: the guest says why" "no swap driver: swap-wp skips with that reason"; do
		tap_skip "$t" "no Debian 6.12 image (run make setup)"
	done
fi
tap_done
