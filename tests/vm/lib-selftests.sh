# SPDX-License-Identifier: GPL-2.0
# The guest side of tests/vm/selftests.sh: guest_script(), which writes the script a
# guest runs, and file_dirs().  Sourced by selftests.sh, by selftests-script.sh, which
# runs such a script on the host under a stand-in tracer, and by tests/bench.sh.  Needs
# nothing but bash.

# file_dirs BINARY: mkdir lines for the directories of the absolute "<source>.c.tmp*"
# paths BINARY opens (pagemap_ioctl creates __FILE__".tmp0" and ".tmp2": the build
# host's source path, absent in the guest).
file_dirs() {
	grep -ao '/[[:alnum:]/._+-]*\.c\.tmp[0-9]*' "$1" | sed 's|/[^/]*$||' | sort -u |
		sed 's/^/mkdir -p /'
}

# guest_script FILE RUN...: a guest script that runs every RUN ("name|command args") under
# one tracer (--each: a start of its own per run was ~9 s each on 7.3 under TCG), then
# again alone each run that said nothing (below), printing per run and attempt
# "@@run NAME", the selftest's output, the tracer's (findings and summary), then
# "@@exit NAME STATUS" (and "@@retry NAME" before another attempt).  Each selftest writes
# to a file of its own: its partial "Testing X... " lines must not be cut by the
# tracer's lines.
guest_script() {
	local file=$1 run
	shift
	cat > "$file" <<'EOF'
#!/bin/sh
# Its files: /tmp in the guest; tests/vm/selftests-script.sh runs it on the host elsewhere.
T=${SELFTESTS_TMP:-/tmp}
# No event lines, and the default ring: pagemap_ioctl's ~590,000 records (its "Smaller
# vec" writes ~500,000 pages, each the first write after a PAGEMAP_SCAN re-protect) all
# arrive when the tracer does not format and write each (7.3 guest: 0 lost; 303,807 lost
# with the event lines).
TRACE="uffdwp-trace --json --no-events"
# quiet NAME: sh -c's script that runs the selftest of run NAME, its output to a file
quiet() { echo "exec \"\$0\" \"\$@\" > $T/test-$1.out 2>&1"; }

# again NAME STATUS: run NAME said nothing and is to be run again.
again() {
	# Inconclusive (3): it lost events (7.3 runs its BPF programs preemptible
	# and skips a program already running on the CPU; uffd-stress's threads
	# now and then make it skip both copies of one: 7.3 guest, stress anon, 16
	# calls), or walks capped (every walk slot of a CPU held, a9c2475).
	[ "$2" = 3 ] && return 0
	# uffd-unit-tests that died before its summary line: err() in a racing
	# handler (6.12 events before vm/selftest-patches/6.12/0001: UFFDIO_COPY
	# -ENOENT when the child faults again before the monitor's UNREGISTER on
	# EVENT_REMOVE).  Again; the tracer must be clean every time.  The summary
	# line: 6.12's own, or 7.x's kselftest totals.
	case $1 in unit-*) ;; *) return 1 ;; esac
	! grep -q -e 'Userfaults unit tests: pass=' -e '^# Totals: pass:' "$T/test-$1.out"
}

# alone FIRST NAME CMD...: attempts FIRST..5 of run NAME, each under a tracer of its own.
alone() {
	attempt=$1 name=$2
	shift 2
	while :; do
		echo "@@run $name"
		$TRACE -- sh -c "$(quiet "$name")" "$@" > "$T/trace.out" 2>&1
		status=$?
		cat "$T/test-$name.out" "$T/trace.out"
		echo "@@exit $name $status"
		[ "$attempt" -lt 5 ] && again "$name" "$status" || break
		echo "@@retry $name"
		attempt=$((attempt + 1))
	done
}

# all: the runs of $T/runs ("NAME CMD ARGS", words without spaces) under one tracer,
# its output cut at its command/command_end lines; a run that said nothing runs alone.
# A run the tracer never ended (it died) gets the tracer's status, and no second try.
all() {
	rm -f "$T"/test-*.out "$T"/trace-*.out "$T"/status-* "$T/trace-outside.out"
	set --
	while read -r name cmd; do
		[ $# -gt 0 ] && set -- "$@" ';'
		set -- "$@" sh -c "$(quiet "$name")" $cmd
	done < "$T/runs"
	$TRACE --each -- "$@" > "$T/each.out" 2>&1
	tracer=$?
	awk -v T="$T" '/^\{"type":"command",/ { i++; f = T "/trace-" i ".out"; printf "" > f; next }
	     /^\{"type":"command_end",/ { st = $0; sub(/.*"status":/, "", st); sub(/[^0-9].*/, "", st)
					  print st > (T "/status-" i); close(T "/status-" i); f = ""; next }
	     f != "" { print > f; next }
	     { print > (T "/trace-outside.out") }' "$T/each.out"
	i=0
	while read -r name cmd; do
		i=$((i + 1))
		echo "@@run $name"
		cat "$T/test-$name.out" "$T/trace-$i.out" 2>/dev/null
		if [ ! -f "$T/status-$i" ]; then
			cat "$T/trace-outside.out" 2>/dev/null
			echo "@@exit $name $([ "$tracer" = 0 ] && echo 2 || echo "$tracer")"
			continue
		fi
		status=$(cat "$T/status-$i")
		echo "@@exit $name $status"
		if again "$name" "$status"; then
			echo "@@retry $name"
			alone 2 "$name" $cmd < /dev/null
		fi
	done < "$T/runs"
}
: > "$T/runs"
EOF
	[ -n "${GUEST_PREP:-}" ] && echo "$GUEST_PREP" >> "$file"
	for run in "$@"; do
		echo "echo '${run%%|*} ${run#*|}' >> \"\$T/runs\"" >> "$file"
	done
	echo all >> "$file"
	chmod +x "$file"
}
