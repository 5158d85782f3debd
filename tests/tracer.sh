#!/bin/bash
# The tracer on this host: whatever mechanisms the running kernel allows
# (here: tracepoints only), the issue 2 workload, and every error path.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ]; then
	tap_skip "tracer tests" "need root"; exit 0
fi

# --probe: a table with a mechanism for the syscall and sched hooks
"$TRACER" --probe > "$tmp/probe" 2>&1
check "--probe exits 0" [ $? = 0 ]
check "--probe: syscalls hook attachable" grep -Eq '^syscalls +tracepoint' "$tmp/probe"
check "--probe: finding classes line" grep -q '^finding classes possible:' "$tmp/probe"
"$TRACER" --probe --json > "$tmp/probe.json"
check "--probe --json is one probe object" grep -q '^{"type":"probe","hooks":{' "$tmp/probe.json"

# The issue 2 workload: register 16 pages, protect them, one thread writes,
# another reads the messages and unprotects page by page.
"$TRACER" --json -- "$BUILD/scenarios/wp-threads" > "$tmp/wp.json" 2> "$tmp/wp.err"
status=$?
check "wp-threads traced: exit 0 (clean)" [ $status = 0 ]
check "wp-threads: the scenario itself saw 16 messages" grep -q 'verdict=ok' "$tmp/wp.json"
for kv in uffd_register=1 uffd_writeprotect=17 uffd_wp_message=16 write_fault=16 exit=1 lost=0 findings=0; do
	k=${kv%=*} v=${kv#*=}
	got=$(json_field "$tmp/wp.json" "$k")
	check "wp-threads: $k = $v (got $got)" [ "$got" = "$v" ]
done
check "wp-threads: verdict clean" [ "$(json_field "$tmp/wp.json" verdict)" = clean ]
# the protect covers the 16 pages in one range: end - start = 0x10000
protect=$(grep '"kind":"uffd_writeprotect"' "$tmp/wp.json" | grep '"mode":"0x1"' | head -n1)
start=$(echo "$protect" | grep -o '"start":"0x[0-9a-f]*"' | grep -o '0x[0-9a-f]*')
end=$(echo "$protect" | grep -o '"end":"0x[0-9a-f]*"' | grep -o '0x[0-9a-f]*')
check "wp-threads: WRITEPROTECT mode=WP covers 16 pages" [ -n "$start" ] && [ $((end - start)) = 65536 ]
unprotects=$(grep '"kind":"uffd_writeprotect"' "$tmp/wp.json" | grep -v '"begin"' | grep -c '"mode":"0x0"')
check "wp-threads: 16 single-page unprotects (got $unprotects)" [ "$unprotects" = 16 ]
begun=$(grep '"kind":"uffd_writeprotect"' "$tmp/wp.json" | grep -c '"begin":1')
check "wp-threads: each of the 17 writeprotect calls also reported when entered (got $begun)" [ "$begun" = 17 ]
msgs_in_range=$(grep '"kind":"uffd_wp_message"' "$tmp/wp.json" | grep -o '"start":"0x[0-9a-f]*"' |
	grep -o '0x[0-9a-f]*' | while read -r a; do [ $((a)) -ge $((start)) ] && [ $((a)) -lt $((end)) ] && echo x; done | wc -l)
check "wp-threads: every WP message lies in the protected range ($msgs_in_range/16)" [ "$msgs_in_range" = 16 ]
check "summary names the mechanism of each hook" grep -q '"hooks":{"change_protection":"' "$tmp/wp.json"

# nothing stays behind once the tool is gone
if command -v bpftool >/dev/null; then
	left=$(bpftool prog show 2>/dev/null | grep -c -E 'sys_enter_ioctl|page_fault_user|raw_sys_enter|sched_process_')
	check "no BPF program left attached after exit ($left)" [ "$left" = 0 ]
fi

# -p PID: attach to a waiting process, release it once the tracer says it
# is tracing (its stderr line, read through a fifo), and the run ends with it
mkfifo "$tmp/go" "$tmp/tracer.err"
sh -c "read x < '$tmp/go'; exec '$BUILD/scenarios/wp-threads'" > /dev/null &
target=$!
"$TRACER" -p $target --json > "$tmp/pid.json" 2> "$tmp/tracer.err" &
tracer=$!
exec 3< "$tmp/tracer.err"
read -r line <&3
echo go > "$tmp/go"
wait $tracer
status=$?
exec 3<&-
check "-p PID: tracer announces the target ($line)" [ "$line" = "uffdwp-trace: tracing PID $target" ]
check "-p PID: the run ends when the target exits, clean (exit $status)" [ $status = 0 ]
check "-p PID: events after attach are seen (16 WP messages)" [ "$(json_field "$tmp/pid.json" uffd_wp_message)" = 16 ]

# errors: one line, documented status
true & gone=$!; wait $gone
expect_status "PID that does not exist" 2 "$TRACER" -p "$gone"
"$TRACER" -p "$gone" 2> "$tmp/err"
check "PID that does not exist: one clear line" [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'no such process' "$tmp/err"
"$TRACER" --json -p "$gone" > "$tmp/err.json" 2>/dev/null
check "JSON mode: the error is a JSON object" grep -q '^{"type":"error","error":"PID' "$tmp/err.json"
expect_status "no target given" 2 "$TRACER"
expect_status "bad duration" 2 "$TRACER" -d nope -p 1
expect_status "command that cannot run" 2 "$TRACER" -- /nonexistent/cmd
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TRACER" -p 1 2> "$tmp/err"
	status=$?
	check "not root: exit 2 and says so" [ $status = 2 ] && grep -q 'must run as root' "$tmp/err"
fi
tap_done
