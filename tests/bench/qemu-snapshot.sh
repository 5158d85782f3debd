#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One background snapshot of a QEMU guest, a real uffd-wp client (issue 16):
#
#   tests/bench/qemu-snapshot.sh OUT KIND    KIND: untraced | uffdwp | uffdwp-stats
#
# Boots Debian's 6.1 kernel under TCG with MEM of RAM and one /init (snapshot-writer:
# fills WRITER_MIB, then writes a word in every page, round and round), and once it says
# "ready", takes a background snapshot (QEMU's migration capability background-snapshot:
# UFFDIO_REGISTER_MODE_WP on every RAM block, UFFDIO_WRITEPROTECT of all of it, each
# first write a WP fault QEMU's migration thread resolves by saving the page and
# unprotecting it) to `exec:cat > /dev/null`, with no bandwidth limit, so that the snapshot
# costs CPU, not throttling.  With KIND uffdwp the host's uffdwp-trace traces QEMU by PID
# from before the snapshot starts until QEMU quits, as a user runs it; uffdwp-stats adds
# --prog-stats, whose timing of every program run is a cost of its own here: QEMU makes
# about 1.27 M syscalls a snapshot, each through six programs (SYSCALL_COPIES).
#
# Writes OUT.qemu.json (query-migrate once completed: total-time, downtime, ram.*),
# OUT.serial, OUT.trace.json (the tracer's findings and summary) and OUT.trace.err, and
# prints "snapshot_ms N" (migrate command to the MIGRATION completed event) on success.  Exit 0 done, 1 the snapshot failed, 2 setup error.
# Environment: QEMU (qemu-system-x86_64), KERNEL (the cached Debian 6.1 vmlinuz),
# MEM (1G), WRITER_MIB (768), TRACER, WRITER (the static snapshot-writer).
set -u
out=$1 kind=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
KERNEL=${KERNEL:-${UFFDWP_CACHE:-/var/cache/uffdwp-trace/kernels}/debian-6.1/vmlinuz}
MEM=${MEM:-1G}
WRITER_MIB=${WRITER_MIB:-768}
TRACER=${TRACER:-$ROOT/build/uffdwp-trace}
WRITER=${WRITER:-$ROOT/build/bench/snapshot-writer}

die() { echo "qemu-snapshot: $*" >&2; exit "${2:-2}"; }
case $kind in untraced | uffdwp | uffdwp-stats) ;; *) die "KIND is untraced, uffdwp or uffdwp-stats, not '$kind'" ;; esac
[ -r "$KERNEL" ] || die "no kernel image $KERNEL (make setup)"
[ -x "$WRITER" ] || die "no $WRITER (make build/bench/snapshot-writer)"
command -v "$QEMU" > /dev/null || die "no $QEMU"

work=$(mktemp -d) || die "mktemp"
qemu_pid="" tracer_pid=""
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2> /dev/null
	[ -n "$tracer_pid" ] && kill -INT "$tracer_pid" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# the initramfs: /init alone
mkdir -p "$work/root" && cp "$WRITER" "$work/root/init" &&
	(cd "$work/root" && echo init | cpio -o -H newc --quiet > "$work/initrd") || die "cannot pack the initramfs"

# QMP over QEMU's stdio (commands on fd 0, answers on fd 1) and the serial console
# through a pipe chardev (SER.in/SER.out), both fifos bash reads line by line: no socket
# client, and no polling of a log file.
mkfifo "$work/qmp.in" "$work/qmp.out" "$work/ser.in" "$work/ser.out" || die "mkfifo"
"$QEMU" -nodefaults -display none -accel tcg -smp 1 -m "$MEM" \
	-kernel "$KERNEL" -initrd "$work/initrd" \
	-append "console=ttyS0 quiet panic=-1 writer.mib=$WRITER_MIB" -no-reboot \
	-chardev "pipe,id=ser,path=$work/ser" -serial chardev:ser -chardev stdio,id=qmp,signal=off -mon chardev=qmp,mode=control \
	< "$work/qmp.in" > "$work/qmp.out" 2> "$out.qemu.err" &
qemu_pid=$!
exec 3> "$work/qmp.in" 4< "$work/qmp.out" 5< "$work/ser.out"

# qmp COMMAND-JSON: sends it, prints its answer (events before it go to $work/events)
qmp() {
	local line
	echo "$1" >&3
	while IFS= read -r -t 600 line <&4; do
		case $line in
		*'"return"'* | *'"error"'*) echo "$line"; return 0 ;;
		*'"event"'*) echo "$line" >> "$work/events" ;;
		esac
	done
	return 1
}
IFS= read -r -t 60 greeting <&4 || die "QEMU did not start: $(tail -n1 "$out.qemu.err")"
qmp '{"execute":"qmp_capabilities"}' > /dev/null || die "QMP: no answer"

# the guest says "ready" once its memory is filled (a guest that never does times out)
: > "$out.serial"
ready=false
while IFS= read -r -t 300 line <&5; do
	echo "$line" >> "$out.serial"
	case $line in writer:\ ready*) ready=true; break ;; esac
done
$ready || die "guest not ready in 300 s: $(tail -n2 "$out.serial")" 1
cat <&5 >> "$out.serial" &

if [ "$kind" != untraced ]; then
	stats=()
	[ "$kind" = uffdwp-stats ] && stats=(--prog-stats)
	# the tracer's stderr through a coprocess, to know when every hook is attached
	coproc TRACE { exec "$TRACER" --json --no-events "${stats[@]}" -p "$qemu_pid" 2>&1 > "$out.trace.json"; }
	tracer_pid=$TRACE_PID
	: > "$out.trace.err"
	while IFS= read -r -t 120 line <&"${TRACE[0]}"; do
		echo "$line" >> "$out.trace.err"
		case $line in *"tracing PID"*) break ;; esac
	done
	case $line in *"tracing PID"*) ;; *) die "the tracer did not start: $(tail -n1 "$out.trace.err")" ;; esac
	# a coprocess's descriptors are not inherited by subshells: drain a copy
	exec 6<&"${TRACE[0]}"
	cat <&6 >> "$out.trace.err" &
fi

qmp '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"background-snapshot","state":true},{"capability":"events","state":true}]}}' |
	grep -q '"return"' || die "QEMU refuses background-snapshot: $(cat "$work/events" 2> /dev/null)" 1
qmp '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":107374182400}}' > /dev/null
t0=$EPOCHREALTIME
answer=$(qmp '{"execute":"migrate","arguments":{"uri":"exec:cat > /dev/null"}}')
case $answer in *'"return"'*) ;; *) die "migrate: $answer" 1 ;; esac
# the MIGRATION event says when it is over
status=""
while [ -z "$status" ] && IFS= read -r -t 900 line <&4; do
	case $line in
	*'"MIGRATION"'*'"completed"'*) status=completed ;;
	*'"MIGRATION"'*'"failed"'*) status=failed ;;
	esac
done
t1=$EPOCHREALTIME
qmp '{"execute":"query-migrate"}' > "$out.qemu.json"
qmp '{"execute":"quit"}' > /dev/null
wait "$qemu_pid"
qemu_pid=""
if [ -n "$tracer_pid" ]; then
	wait "$tracer_pid"
	echo "tracer_exit $?" >> "$out.trace.err"
	tracer_pid=""
fi
[ "$status" = completed ] || die "snapshot ${status:-never ended}: $(cat "$out.qemu.json")" 1
# from the migrate command to the MIGRATION event, on our clock: QEMU 7.2's own
# total-time was seen 0 for a completed background snapshot
echo "snapshot_ms $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')"
