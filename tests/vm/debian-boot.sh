#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Debian's 6.1, 6.12 and 7.3 kernels boot, run a guest command and report its status.
. "$(dirname "$0")/lib.sh"

tap_plan 14

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
	# Kernel messages at error level while the guest prints long lines, from each of its
	# two CPUs in turn: on one serial line the kernel cut into what the UART had not sent
	# yet (at b1bb54b 471-472 of 600 lines came whole when run on CPU 0, all 600 on CPU 1;
	# a marker cut so is a scenario that "did not run").  Every line and every message
	# must arrive whole.
	cat > "$WORK/noise.sh" <<-'EOF'
	pad=$(printf '%01500d' 0) i=0
	while [ $i -lt 100 ]; do
		printf 'line-%s-a-%s\nline-%s-b-%s\nline-%s-c-%s\n' $i $pad $i $pad $i $pad
		echo "<3>uffdwp-noise $i" > /dev/kmsg
		i=$((i + 1))
	done
	EOF
	vmtest --debian 6.1 --tap --add "$WORK/noise.sh" -- \
		sh -c 'taskset 1 sh /bin/noise.sh && taskset 2 sh /bin/noise.sh'
	whole=$(grep -cE '^# line-[0-9]+-[abc]-0{1500}$' "$WORK/out")
	messages=$(grep -cE '^# \[ *[0-9]+\.[0-9]+\] uffdwp-noise [0-9]+$' "$WORK/out")
	[ "$rc" = 0 ] && [ "$whole" = 600 ]
	check_last "kernel messages cannot cut the guest's lines (exit $rc, $whole of 600 whole)"
	[ "$messages" = 200 ]
	check_last "the kernel's messages still reach the host, each whole ($messages of 200)"
	# A kernel with one serial port (8250.nr_uarts=1: no /dev/ttyS1): /init keeps the console.
	vmtest --debian 6.1 --tap --cmdline 8250.nr_uarts=1 -- sh -c 'ls /dev/ttyS*; echo said-on-ttyS0'
	[ "$rc" = 0 ] && grep -q '^# /dev/ttyS0$' "$WORK/out" && ! grep -q '^# /dev/ttyS1' "$WORK/out" &&
		grep -q '^# said-on-ttyS0$' "$WORK/out"
	check_last "no second serial port: the guest's output on the console as before (exit $rc)"
else
	for t in "a failing guest command exits 1" \
		 "--add file on PATH, guest output as TAP comments" \
		 "a guest command's 125 is passed on" \
		 "kernel messages cannot cut the guest's lines" \
		 "the kernel's messages still reach the host, each whole" \
		 "no second serial port: the guest's output on the console as before"; do
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
