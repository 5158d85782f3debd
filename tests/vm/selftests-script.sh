#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest script of tests/vm/selftests.sh (lib-selftests.sh guest_script()) run on the
# host under a stand-in tracer, no guest and no BPF: every run under one tracer (--each)
# framed as @@run/@@exit, its selftest's output and the tracer's lines in its section; a
# run that lost events, or a uffd-unit-tests run that died before its summary, again
# under a tracer of its own (up to 5 attempts in all); a tracer that dies mid-way gives
# the runs it never ended its status, and no second try.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-selftests.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/uffdwp-selftests-script.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"

# The stand-in: uffdwp-trace --json --no-events [--each] -- sh -c SCRIPT CMD... [';' ...]
# runs each command; its status by CMD: lossy-once 3 the first time it runs and 0 after,
# dies: the tracer dies there (2), anything else 0.
cat > "$WORK/bin/uffdwp-trace" <<'FAKE'
#!/bin/bash
each=0
while [ "$1" != -- ]; do [ "$1" = --each ] && each=1; shift; done
shift
status_of() {	# status_of CMD-NAME: the status of a run of CMD-NAME
	case $1 in
	lossy-once) [ -e "$SELFTESTS_TMP/seen-$1" ] && return 0; : > "$SELFTESTS_TMP/seen-$1"; return 3 ;;
	dies) echo '{"type":"error","error":"scripted death"}'; exit 2 ;;
	esac
	return 0
}
i=0
while [ $# -gt 0 ]; do
	seg=()
	while [ $# -gt 0 ] && [ "$1" != ';' ]; do seg+=("$1"); shift; done
	[ $# -gt 0 ] && shift	# the ';'
	i=$((i + 1))
	[ $each = 1 ] && echo "{\"type\":\"command\",\"index\":$i,\"command\":\"sh\"}"
	"${seg[@]}"	# sh -c SCRIPT CMD ARGS
	status_of "${seg[3]}"
	status=$?
	echo "{\"type\":\"summary\",\"run\":\"${seg[3]}\",\"lost\":$([ $status = 3 ] && echo 5 || echo 0)}"
	[ $each = 1 ] || exit $status
	echo "{\"type\":\"command_end\",\"index\":$i,\"command\":\"sh\",\"status\":$status}"
done
exit 0
FAKE
for t in ok-unit lossy-once; do
	printf '#!/bin/sh\necho "Userfaults unit tests: pass=1, skip=0, fail=0"\n' > "$WORK/bin/$t"
done
printf '#!/bin/sh\nprintf "Testing wp on anon... "\n' > "$WORK/bin/nosummary"
printf '#!/bin/sh\necho fine\n' > "$WORK/bin/ok-other"
printf '#!/bin/sh\necho about to die\n' > "$WORK/bin/dies"
chmod +x "$WORK/bin/"*

# run_script NAME RUN...: the guest script of RUNs, run in $WORK/NAME; markers in $WORK/NAME.marks
run_script() {
	local name=$1
	shift
	mkdir -p "$WORK/$name"
	guest_script "$WORK/$name/script" "$@"
	(cd "$WORK/$name" && SELFTESTS_TMP="$WORK/$name" PATH="$WORK/bin:$PATH" sh ./script) \
		> "$WORK/$name.out" 2>&1
	grep '^@@' "$WORK/$name.out" | tr '\n' ' ' > "$WORK/$name.marks"
}
# section NAME RUN: the output of RUN's first attempt in NAME's output
section() { sed -n "/^@@run $2\$/,/^@@exit $2 /p" "$WORK/$1.out" | grep -v '^@@'; }

run_script mixed "unit-a|ok-unit" "stress-b|lossy-once" "unit-c|nosummary" "stress-d|ok-other"
want="@@run unit-a @@exit unit-a 0 "
want+="@@run stress-b @@exit stress-b 3 @@retry stress-b @@run stress-b @@exit stress-b 0 "
want+="@@run unit-c @@exit unit-c 0 "
for i in 2 3 4 5; do want+="@@retry unit-c @@run unit-c @@exit unit-c 0 "; done
want+="@@run stress-d @@exit stress-d 0 "
got=$(cat "$WORK/mixed.marks")
[ "$got" = "$want" ]
check_last "one tracer for four runs: a lossy run again alone once, a unit run with no summary 5 times in all ($got)"
section mixed unit-a | grep -q '^Userfaults unit tests: pass=1' &&
	section mixed unit-a | grep -q '"type":"summary","run":"ok-unit"' &&
	section mixed stress-d | grep -q '^fine$' && ! section mixed stress-d | grep -q '"run":"ok-unit"'
check_last "each run's section holds its own selftest output and its own tracer lines"
n=$(grep -c '"type":"command"' "$WORK/mixed.out")
check "the tracer's frame lines are not in the output (got $n)" [ "$n" = 0 ]

run_script death "stress-a|ok-other" "stress-b|dies" "stress-c|ok-other"
got=$(cat "$WORK/death.marks")
[ "$got" = "@@run stress-a @@exit stress-a 0 @@run stress-b @@exit stress-b 2 @@run stress-c @@exit stress-c 2 " ]
check_last "a tracer that dies mid-way: the runs it did not end get its status, no second try ($got)"
section death stress-b | grep -q 'scripted death'
check_last "the dead tracer's last words are in the section of the run it died in"
tap_done
