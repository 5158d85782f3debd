#!/bin/bash
# The pieces `make bench` relies on work (functional checks only; timing is
# make bench's business): the wp-bench and protect-bench workloads, --prog-stats, and the
# equivalent bpftrace script, and bpf-floor (tests/bench/floor/).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
WP_BENCH=$BUILD/bench/wp-bench
ARGS=(2 64 2)	# 2 rounds of 64 pages, 2 writers: 128 WP faults
WANT_WP=128

field() { grep -o "\"$2\":[0-9.]*" "$1" | head -n1 | cut -d: -f2; }

"$WP_BENCH" "${ARGS[@]}" > "$tmp/plain" 2>&1
check "wp-bench ${ARGS[*]}: exit 0" [ $? = 0 ]
check "wp-bench: one WP message per page per round ($(field "$tmp/plain" wp_msgs))" \
	[ "$(field "$tmp/plain" wp_msgs)" = $WANT_WP ]
check "wp-bench: no page lost its data" [ "$(field "$tmp/plain" corrupt_pages)" = 0 ]
check "wp-bench: elapsed_s reported" grep -q '"elapsed_s":[0-9]' "$tmp/plain"
expect_status "wp-bench: a bad argument is a usage error" 2 "$WP_BENCH" 0

# protect-bench (make bench's part protect): 2 cycles over 512 pages, then the bits checked
"$BUILD/bench/protect-bench" 2 512 > "$tmp/protect" 2>&1
check "protect-bench 2 512: exit 0" [ $? = 0 ]
left=$(field "$tmp/protect" left_protected) protected=$(field "$tmp/protect" protected_after)
[ "$left" = 0 ] && [ "$protected" = 512 ]
check_last "protect-bench: no page left protected ($left), all 512 protected by one more call ($protected)"
check "protect-bench: elapsed_s reported" grep -q '"elapsed_s":[0-9]' "$tmp/protect"
expect_status "protect-bench: a bad argument is a usage error" 2 "$BUILD/bench/protect-bench" 1 x

if [ "$(id -u)" != 0 ]; then
	tap_skip "--prog-stats and bpftrace" "need root"; exit 0
fi

stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null)
"$TRACER" --json --prog-stats -- "$WP_BENCH" "${ARGS[@]}" > "$tmp/traced.json" 2> "$tmp/traced.err"
check "--prog-stats --json: exit 0 (clean)" [ $? = 0 ]
check "--prog-stats: the traced wp-bench saw $WANT_WP WP messages" \
	[ "$(json_field "$tmp/traced.json" uffd_wp_message)" = $WANT_WP ]
summary=$(grep '"type":"summary"' "$tmp/traced.json")
check "--prog-stats: prog_stats object in the JSON summary" grep -q '"prog_stats":{"programs":{' <<< "$summary"
# the syscall hook's exit program: raw_sys_exit (every syscall, the first choice since
# 30849e6) or sys_exit_ioctl (the per-syscall fallback)
runs=$(grep -Eo '"(raw_sys_exit|sys_exit_ioctl)":\{"hook":"syscalls","runs":[0-9]*' <<< "$summary" |
	grep -o '[0-9]*$')
protects=$(json_field "$tmp/traced.json" uffd_writeprotect)
[ -n "$runs" ] && [ "$runs" -ge "$protects" ]
check_last "--prog-stats: the syscall exit program mapped to syscalls, ran once per ioctl at least ($runs >= $protects)"
check "--prog-stats: per-hook totals with ns_per_run" \
	grep -Eq '"hooks":\{"[a-z_]+":\{"runs":[0-9]+,"run_time_ns":[0-9]+,"ns_per_run":[0-9]+' <<< "$summary"
check "--prog-stats: kernel.bpf_stats_enabled as before ($stats_before)" \
	[ "$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null)" = "$stats_before" ]

"$TRACER" --prog-stats -- "$WP_BENCH" "${ARGS[@]}" > "$tmp/traced.txt" 2>&1
check "--prog-stats text: a table row per hook" grep -Eq '^\(all\) +syscalls +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$' "$tmp/traced.txt"
check "--prog-stats text: page_fault_user program row" grep -Eq '^page_fault_user +page_fault_user +[1-9]' "$tmp/traced.txt"

FLOOR=$BUILD/bench/bpf-floor
"$FLOOR" -- "$WP_BENCH" "${ARGS[@]}" > "$tmp/floor" 2> "$tmp/floor.err"
check "bpf-floor -- wp-bench: exit 0 (the command's)" [ $? = 0 ]
records=$(awk '$1 == "records" { print $2 }' "$tmp/floor")
[ -n "$records" ] && [ "$records" -ge $WANT_WP ] && grep -q '^records [0-9]* lost 0$' "$tmp/floor"
check_last "bpf-floor: a record per write fault of the workload, at least its $WANT_WP WP faults ($records), none lost"
rows=$(awk -v n="${records:-0}" '$1 ~ /^floor_(filter|lookup|record)$/ && $2 >= n && $4 > 0' "$tmp/floor" | wc -l)
check "bpf-floor: the three rungs ran at least once per record, with a run time ($rows of 3)" [ "$rows" = 3 ]
expect_status "bpf-floor -- false: the command's status" 1 "$FLOOR" -- false
expect_status "bpf-floor -- a missing command: 127" 127 "$FLOOR" -- "$tmp/no-such-command"
"$FLOOR" > "$tmp/usage.out" 2> "$tmp/usage.err"
[ $? = 2 ] && [ "$(wc -l < "$tmp/usage.err")" = 1 ] && [ ! -s "$tmp/usage.out" ]
check_last "bpf-floor without a command: one usage line, exit 2"

if command -v bpftrace > /dev/null; then
	bpftrace "$ROOT/tests/bench/uffdwp-equivalent.bt" -c "$WP_BENCH ${ARGS[*]}" > "$tmp/bt" 2>&1
	check "bpftrace equivalent: exit 0" [ $? = 0 ]
	got=$(grep -o '^@events\[uffd_wp_message\]: [0-9]*' "$tmp/bt" | grep -o '[0-9]*$')
	check "bpftrace equivalent: counts the $WANT_WP WP messages ($got)" [ "$got" = $WANT_WP ]
	got=$(grep -c '^uffd_msg ' "$tmp/bt")
	check "bpftrace equivalent: one record per message ($got)" [ "$got" = $WANT_WP ]
else
	tap_skip "bpftrace equivalent" "bpftrace not installed"
fi
tap_done
