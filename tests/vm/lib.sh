# SPDX-License-Identifier: GPL-2.0
# Shared by tests/vm/*.sh on top of tests/lib.sh: the kernels and running
# uffdwp-vmtest.  Source it, don't run it.
#   UFFDWP_VMTEST  the binary under test (default build/uffdwp-vmtest)
#   UFFDWP_CACHE   kernel cache of vm/setup.sh (default /var/cache/uffdwp-trace/kernels)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

CACHE=${UFFDWP_CACHE:-/var/cache/uffdwp-trace/kernels}
DEBIAN_61=$CACHE/debian-6.1/vmlinuz
DEBIAN_612=$CACHE/debian-6.12/vmlinuz
WORK=$(mktemp -d "${TMPDIR:-/tmp}/uffdwp-vmtest-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TAP_LOG=$WORK/out	# a failed assertion shows the last run's output

# vmtest ARGS...: runs uffdwp-vmtest; output (stdout+stderr) in $WORK/out, status in $rc.
vmtest() {
	rc=0
	"$VMTEST" "$@" > "$WORK/out" 2>&1 || rc=$?
}

# expect NAME STATUS PATTERN: passes when the last run exited STATUS and printed PATTERN
# (a grep -E regular expression).
expect() {
	if [ "$rc" != "$2" ]; then
		tap_not_ok "$1" "exit status $rc, expected $2"
	elif ! grep -Eq -- "$3" "$WORK/out"; then
		tap_not_ok "$1" "output lacks /$3/"
	else
		tap_ok "$1"
	fi
}

# scenario NAME VERDICT [CLASS...]: a stand-in scenario in $WORK/scenarios (for the
# stand-in tracer, fake-uffdwp-trace) that prints the tracer-style finding lines, then
# its verdict.
scenario() {
	local name=$1 verdict=$2 class
	shift 2
	{
		echo '#!/bin/sh'
		for class in "$@"; do
			echo "echo '{\"type\":\"finding\",\"class\":\"$class\",\"pid\":1}'"
		done
		echo "echo 'scenario: $name verdict=$verdict detail=scripted'"
	} > "$WORK/scenarios/$name"
	chmod +x "$WORK/scenarios/$name"
}

# need_image PATH: true when PATH exists (else the caller skips).
need_image() { [ -r "$1" ]; }

# The one-line result uffdwp-vmtest prints on stderr.
RESULT_125='^uffdwp-vmtest: result 125 \(skip\): '
