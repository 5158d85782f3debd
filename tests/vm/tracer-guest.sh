#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The real tracer inside Debian's own kernels (BTF, kprobes, fentry): every
# kernel hook attaches by fentry (or kprobe with --no-fentry) and reports the
# issue 2 workload: 16 WP messages seen both by handle_userfault and read().
# On 6.1 the same workload shows bug #14 (LOST_WRITE_BIT, found by the walk
# at change_protection exit); 6.12 and 7.3 are clean.  The zap hook's target is
# chosen from BTF: unmap_page_range() on 6.x, __zap_vma_range() on 7.3.
# The same boot runs `uffdwp-trace probe` first: the swap types the walk
# decodes are learnt from the running kernel (src/loader/swap_types.c) and
# must be include/linux/swap.h's for each config: 6.1 marker 30 (the
# swapin-error type above it), migration 27; 6.12 31/28; 7.3 with
# CONFIG_DEVICE_PRIVATE=y and 3 device types 31/25; the marker measured.
# The tracepoint hooks load their later copies only where tracepoints run
# their programs preemptible (src/loader/hooks.c tracepoints_preemptible()):
# 7.3, not 6.1 or 6.12.
. "$(dirname "$0")/lib.sh"
tap_plan 36

# guest_trace NAME KERNEL-OPTION TRACER-ARGS: the tracer's JSON summary in
# $WORK/summary, the probe's swap-type line in $WORK/swap
guest_trace() {
	"$VMTEST" $2 -- sh -c "uffdwp-trace probe; exec uffdwp-trace --json --strict $3 -- wp-threads" \
		> "$WORK/out" 2>&1
	echo $? > "$WORK/status"
	grep -o '{"type":"summary".*}' "$WORK/out" | tail -n1 > "$WORK/summary"
	grep -o 'swap types: .*' "$WORK/out" | head -n1 > "$WORK/swap"
}

# expect NAME PATTERN: the summary contains PATTERN
expect() {
	if grep -q -- "$2" "$WORK/summary"; then tap_ok "$1"; else tap_not_ok "$1" "summary lacks $2"; fi
}

for kernel in 6.1 6.12 7.3; do
	image=$CACHE/debian-$kernel/vmlinuz
	if [ ! -f "$image" ]; then
		for i in 1 2 3 4 5 6 7 8 9 10; do tap_skip "Debian $kernel: tracer in the guest" "no $image (run make setup)"; done
		continue
	fi
	guest_trace "$kernel" "--debian $kernel" --prog-stats
	want=0; [ "$kernel" = 6.1 ] && want=1	# 6.1: bug #14
	if [ "$(cat "$WORK/status")" = $want ]; then tap_ok "Debian $kernel: vmtest exit $want"
	else tap_not_ok "Debian $kernel: vmtest exit $want" "vmtest exit $(cat "$WORK/status")"; fi
	for hook in change_protection zap handle_userfault; do
		expect "Debian $kernel: $hook attached by fentry" "\"$hook\":\"fentry\""
	done
	zap_target=unmap_page_range; [ "$kernel" = 7.3 ] && zap_target=__zap_vma_range
	expect "Debian $kernel: zap's target is $zap_target" "\"zap\":\"$zap_target\""
	expect "Debian $kernel: migration by its tracepoint" '"remove_migration_pte":"tracepoint"'
	expect "Debian $kernel: 16 WP messages read and 16 handle_userfault" '"uffd_wp_message":16.*"handle_userfault":16'
	expect "Debian $kernel: change_protection events, nothing lost" '"change_protection":[1-9][0-9]*.*"lost":0'
	copies="1 1"; [ "$kernel" = 7.3 ] && copies="3 2"
	got="$(grep -o '"raw_sys_enter[a-z_]*":{' "$WORK/summary" | wc -l) $(grep -o '"sched_process_exit[a-z_]*":{' "$WORK/summary" | wc -l)"
	if [ "$got" = "$copies" ]; then tap_ok "Debian $kernel: syscall and sched exit programs loaded: $copies"
	else tap_not_ok "Debian $kernel: syscall and sched exit programs loaded: $copies" "prog_stats has $got"; fi
	case $kernel in 6.1) swap="marker 30, migration 27" ;; 6.12) swap="marker 31, migration 28" ;;
			7.3) swap="marker 31, migration 25" ;; esac
	if grep -q "^swap types: $swap (marker measured via pagemap" "$WORK/swap"; then
		tap_ok "Debian $kernel: swap types $swap, marker measured"
	else
		tap_not_ok "Debian $kernel: swap types $swap, marker measured" "probe said: $(cat "$WORK/swap")"
	fi
done

image=$CACHE/debian-6.1/vmlinuz
if [ -f "$image" ]; then
	guest_trace 6.1-kprobe "--debian 6.1" --no-fentry
	for hook in change_protection zap handle_userfault; do
		expect "Debian 6.1 --no-fentry: $hook attached by kprobe" "\"$hook\":\"kprobe\""
	done
	expect "Debian 6.1 --no-fentry: the same 16 WP messages" '"uffd_wp_message":16.*"handle_userfault":16'
	expect "Debian 6.1 --no-fentry: verdict findings" '"verdict":"findings"'
	if grep -q '"class":"LOST_WRITE_BIT".*"hook":"change_protection","mech":"kprobe".*"observed":"present|dirty"' "$WORK/out"; then
		tap_ok "Debian 6.1 --no-fentry: #14 seen by the walk at change_protection's kretprobe"
	else
		tap_not_ok "Debian 6.1 --no-fentry: #14 seen by the walk at change_protection's kretprobe" \
			"no LOST_WRITE_BIT finding from change_protection/kprobe with present|dirty"
	fi
else
	for i in 1 2 3 4 5 6; do tap_skip "Debian 6.1 --no-fentry" "no $image (run make setup)"; done
fi
tap_done
