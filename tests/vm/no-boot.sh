#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Images that cannot boot, and bad usage, answer 125 (git bisect "skip") with a reason.
. "$(dirname "$0")/lib.sh"

tap_plan 6

vmtest --debian 6.1 --tap --json -- true
expect "usage error exits 125" 125 "at most one of --tap and --json"

printf 'not a kernel' > "$WORK/garbage"
vmtest --kernel "$WORK/garbage" -- true
expect "a file that is no bzImage exits 125" 125 "${RESULT_125}no boot: .* not an x86 bzImage"

if need_image "$DEBIAN_61"; then
	head -c 100000 "$DEBIAN_61" > "$WORK/truncated"
	vmtest --kernel "$WORK/truncated" -- true
	expect "a truncated image exits 125" 125 "${RESULT_125}no boot: .* is truncated"

	# Same size, payload zeroed: only booting it can tell. The boot stub halts.
	cp "$DEBIAN_61" "$WORK/corrupt"
	dd if=/dev/zero of="$WORK/corrupt" bs=1M seek=3 count=1 conv=notrunc 2>/dev/null
	vmtest --kernel "$WORK/corrupt" -- true
	expect "a corrupt image is booted and exits 125" 125 \
		"${RESULT_125}no boot: the kernel's boot stub stopped: .*System halted"

	# A panic before /init is booted once more (a TCG flake was seen once);
	# one that repeats is undecided.  No init in the initramfs path: panics.
	vmtest --kernel "$DEBIAN_61" --cmdline "rdinit=/no-such-init init=/no-such-init" -- true
	if [ "$(grep -c 'kernel panic before /init (.*): booting once more' "$WORK/out")" = 1 ]; then
		expect "a panic before /init is retried once, then exits 125" 125 \
			"${RESULT_125}kernel panic before /init: Kernel panic - not syncing: "
	else
		tap_not_ok "a panic before /init is retried once, then exits 125" "no single retry line"
	fi

	vmtest --kernel "$DEBIAN_61" --json --timeout 2 -- true
	expect "a timeout before /init exits 125 (json)" 125 \
		'"result":"skip","reason":"timeout: 2 s elapsed before /init started'
else
	for t in "a truncated image exits 125" "a corrupt image is booted and exits 125" \
		 "a panic before /init is retried once, then exits 125" \
		 "a timeout before /init exits 125 (json)"; do
		tap_skip "$t" "no Debian 6.1 image at $DEBIAN_61 (run make setup)"
	done
fi
tap_done
