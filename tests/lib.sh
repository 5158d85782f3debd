# SPDX-License-Identifier: GPL-2.0
# The one helper library of the shell tests: paths, TAP output (one line per
# assertion; tests/run.sh counts them) and small assertions.  Sourced.
# tests/vm/lib.sh adds what the VM suites need on top of it.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
TRACER=${UFFDWP_TRACE:-$BUILD/uffdwp-trace}
VMTEST=${UFFDWP_VMTEST:-$BUILD/uffdwp-vmtest}
SHARED_KERNELS=${UFFDWP_SHARED_KERNELS:-$ROOT/../shared/kernels}
tap_n=0
tap_failed=0

tap_plan() { echo "1..$1"; }
# host_leaky NAME: true for a scenario never run on the host, as each run leaks the host's
# huge-page reservations until reboot (hugetlb-mremap-part, FINDINGS.md 4); the guests of
# tests/vm/ run them.  HOST_LEAKY_WHY is the SKIP reason.
HOST_LEAKY_SCENARIOS=" hugetlb-mremap-part "
HOST_LEAKY_WHY="leaks the host's huge pages until reboot: guests only"
host_leaky() { [[ $HOST_LEAKY_SCENARIOS == *" $1 "* ]]; }
tap_ok()   { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
tap_skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
# tap_not_ok NAME [WHY]: WHY, and the tail of $TAP_LOG when set, as diagnostics.
tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	[ -n "${2:-}" ] && echo "# $2"
	[ -n "${TAP_LOG:-}" ] && sed 's/^/#   /' "$TAP_LOG" 2>/dev/null | tail -n 30
	return 0
}
# Exit status of a suite: 0 when nothing failed.
tap_done() { [ "$tap_failed" = 0 ]; exit $?; }

# check NAME CONDITION-COMMAND...: ok when the command succeeds
check() {
	local name=$1; shift
	if "$@"; then tap_ok "$name"; else tap_not_ok "$name"; fi
}

# check_last NAME: ok when the command just before succeeded.  For conditions
# joined with && or ||, which `check NAME A && B` would not assert (bash joins
# the check with B): write `A && B`, then `check_last NAME`.  NAME must hold no
# command substitution: it runs first and sets $? (take it into a variable before).
check_last() {
	if [ $? = 0 ]; then tap_ok "$1"; else tap_not_ok "$1"; fi
}

# json_field FILE KEY: the value of "KEY": in the last summary line (numbers and strings)
json_field() {
	grep '"type":"summary"' "$1" | tail -n1 | grep -o "\"$2\":\(\"[^\"]*\"\|[0-9-]*\)" | head -n1 |
		sed -e "s/^\"$2\"://" -e 's/^"//' -e 's/"$//'
}

# expect_status NAME WANT CMD...: run CMD, compare its exit status
expect_status() {
	local name=$1 want=$2; shift 2
	"$@" >/dev/null 2>&1
	local got=$?
	if [ "$got" = "$want" ]; then tap_ok "$name (exit $got)"; else tap_not_ok "$name (exit $got, want $want)"; fi
}

# complete_words FILE WORD...: what the bash completion in FILE offers for the last
# WORD (the one being completed, possibly ""), one a line, in the order offered;
# WORD 1 is the program as typed.  Needs bash-completion ($BASH_COMPLETION).
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
complete_words() {
	local file=$1; shift
	bash -c '
		. "$1" && . "$2" || exit 1
		shift 2
		COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		fn=$(complete -p "${1##*/}" | sed -n "s/.*-F \([^ ]*\).*/\1/p")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMPLETION" "$file" "$@"
}
