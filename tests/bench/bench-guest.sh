#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench`, packed by tests/bench.sh with
# `uffdwp-vmtest --add` next to wp-bench (busybox sh, no bpftool, no bpftrace).
#
#   bench-guest.sh RUNS WP-BENCH-ARGS...
#
# RUNS pairs of wp-bench untraced and under `uffdwp-trace --prog-stats`, the
# order alternating (ABBA) so that a drift in the host's load hits both alike.
# Each run starts with a line "@@bench RUN untraced|uffdwp"; then the
# program's JSON line and, traced, the tracer's text summary.  First,
# "@@bench 0 startup": the tracer's start-up, calibration alone (--probe,
# "probe_s S") and calibration + load + attach + exit on `true` ("start_s S").
runs=$1
shift
[ "$runs" -gt 0 ] 2>/dev/null || { echo "usage: bench-guest.sh RUNS WP-BENCH-ARGS..." >&2; exit 2; }

untraced() {
	echo "@@bench $1 untraced"
	shift
	wp-bench "$@" 2>&1
}

# The tracer's own verdict is data, not a failure: 6.1's wp-bench run has
# findings (bug #14).  Only a tracer that could not run (exit 2) fails.
traced() {
	echo "@@bench $1 uffdwp"
	shift
	# text mode: --json would also print every event through the serial console
	uffdwp-trace --prog-stats -- wp-bench "$@" 2>&1
	[ $? != 2 ]
}

real_s() { sed -n 's/^real //p' "$1"; }

echo "@@bench 0 startup"
time -p -o /tmp/probe.time uffdwp-trace --probe > /dev/null 2>&1
time -p -o /tmp/start.time uffdwp-trace -- true > /dev/null 2>&1
echo "probe_s $(real_s /tmp/probe.time)"
echo "start_s $(real_s /tmp/start.time)"

status=0
i=1
while [ "$i" -le "$runs" ]; do
	if [ $((i % 2)) -eq 1 ]; then
		untraced "$i" "$@" || status=1
		traced "$i" "$@" || status=1
	else
		traced "$i" "$@" || status=1
		untraced "$i" "$@" || status=1
	fi
	i=$((i + 1))
done
exit $status
