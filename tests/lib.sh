# Shared helpers for the shell tests: TAP output, one line per assertion.
# Sourced; the caller sets nothing.  tests/run.sh counts the lines.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
TRACER=$BUILD/uffdwp-trace
VMTEST=$BUILD/uffdwp-vmtest
SHARED_KERNELS=${UFFDWP_SHARED_KERNELS:-$ROOT/../shared/kernels}
test_n=0

ok()   { test_n=$((test_n + 1)); echo "ok $test_n - $*"; }
fail() { test_n=$((test_n + 1)); echo "not ok $test_n - $*"; }
skip() { test_n=$((test_n + 1)); echo "ok $test_n - $1 # SKIP $2"; }

# check NAME CONDITION-COMMAND...: ok when the command succeeds
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else fail "$name"; fi
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
	if [ "$got" = "$want" ]; then ok "$name (exit $got)"; else fail "$name (exit $got, want $want)"; fi
}
