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
# Last, when tests/bench.sh packed the kernel's pagemap_ioctl selftest (and
# pagemap-prep.sh, the directories its temporary files need): "@@bench 0
# pagemap", the selftest at its own sizes under `uffdwp-trace --json
# --no-events` with the default ring (issue 16: 0 lost, 0 walks capped), its
# output, the tracer's summary, and "pagemap_exit STATUS".
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

if command -v pagemap_ioctl > /dev/null; then
	echo "@@bench 0 pagemap"
	[ -f /bin/pagemap-prep.sh ] && sh /bin/pagemap-prep.sh
	# the selftest's own lines to a file: they must not cut the tracer's
	uffdwp-trace --json --no-events -- sh -c 'exec pagemap_ioctl > /tmp/pagemap.out 2>&1' \
		> /tmp/pagemap.trace 2>&1
	st=$?
	cat /tmp/pagemap.out /tmp/pagemap.trace
	echo "pagemap_exit $st"
fi
exit $status
