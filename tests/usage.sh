#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad usage of each tool is one line naming what is wrong, and the tool's documented
# status (uffdwp-trace 2; uffdwp-vmtest and uffdwp-fuzz 125, git bisect's "skip"),
# never getopt's or argp's own extra lines; with uffdwp-trace --json, a JSON error
# object on stdout wherever --json stood.  Nothing here needs root or a kernel hook:
# every case fails before anything loads.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# usage NAME STATUS PATTERN CMD...: CMD exits STATUS with nothing on stdout and one
# stderr line matching PATTERN (grep -E)
usage() {
	local name=$1 want=$2 pattern=$3 status said
	shift 3
	"$@" > "$tmp/out" 2> "$tmp/err"
	status=$?
	said=$(head -n2 "$tmp/err" | tr '\n' '|')
	[ "$status" = "$want" ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
		grep -Eq -- "$pattern" "$tmp/err"
	check_last "$name: exit $want, one line (exit $status: $said)"
}

FUZZ=$BUILD/uffdwp-fuzz
usage "uffdwp-trace --bogus" 2 '^uffdwp-trace: unknown option: --bogus' "$TRACER" --bogus -- true
usage "uffdwp-trace -x" 2 'unknown option: -x' "$TRACER" -x -- true
# getopt moves past a group of short options only at its last letter
usage "uffdwp-trace -xv (the bad letter first in its group)" 2 'unknown option: -x \(' "$TRACER" -xv -- true
usage "uffdwp-trace -v -xj" 2 'unknown option: -x \(' "$TRACER" -v -xj -- true
usage "uffdwp-trace --p (a prefix of three options)" 2 'ambiguous option: --p \(' "$TRACER" --p 3
usage "uffdwp-trace --strict=1" 2 'option takes no value: --strict=1' "$TRACER" --strict=1 -- true
usage "uffdwp-trace -b without its value" 2 'option needs a value: -b' "$TRACER" -b
usage "uffdwp-trace --pi (a prefix of --pid) without its value" 2 'option needs a value: --pi' \
	"$TRACER" --pi
usage "uffdwp-trace -b 3" 2 'power of two: 3' "$TRACER" -b 3 -- true
usage "uffdwp-trace -p abc" 2 'invalid PID: abc' "$TRACER" -p abc
usage "uffdwp-trace replay --bogus FILE" 2 'unknown option: --bogus' "$TRACER" replay --bogus f

for order in "--json -b 3" "-b 3 --json" "-b 3 -vj" "-b 3 --js"; do
	"$TRACER" $order -- true > "$tmp/out" 2> "$tmp/err"
	status=$?
	[ $status = 2 ] && [ ! -s "$tmp/err" ] &&
		grep -qx '{"type":"error","error":"ring buffer size must be a power of two: 3 (see --help)","exit":2}' "$tmp/out"
	check_last "uffdwp-trace $order: a JSON error object on stdout, nothing on stderr (exit $status)"
done
"$TRACER" --help > "$tmp/help" 2>&1
status=$?
[ $status = 0 ] && grep -q '^Usage: uffdwp-trace ' "$tmp/help" && grep -q -- '--usage' "$tmp/help" &&
	grep -q -- '-?, --help' "$tmp/help"
check_last "uffdwp-trace --help: exit 0, the usage and every option, --help and --usage among them"
[ "$("$TRACER" --version)" = "uffdwp-trace 0.1" ] && "$TRACER" replay --usage | grep -q 'Usage: uffdwp-trace replay'
check_last "uffdwp-trace --version, replay --usage"

usage "uffdwp-vmtest --bogus" 125 '^uffdwp-vmtest: unknown option: --bogus' "$VMTEST" --bogus
usage "uffdwp-vmtest --debian without its value" 125 'option needs a value: --debian' "$VMTEST" --debian
usage "uffdwp-vmtest -xv" 125 'unknown option: -x \(' "$VMTEST" -xv
usage "uffdwp-vmtest --verbose=1 (a value to a flag with a short form)" 125 \
	'unknown option: --verbose=1 \(' "$VMTEST" --verbose=1
usage "uffdwp-fuzz --bogus" 125 '^uffdwp-fuzz: unknown option: --bogus' "$FUZZ" --bogus
usage "uffdwp-fuzz --seed without its value" 125 'option needs a value: --seed' "$FUZZ" --seed
usage "uffdwp-fuzz -xh" 125 'unknown option: -x \(' "$FUZZ" -xh
# --json's value to --record is a file name, and after the command it is the command's
"$TRACER" --record --json -b 3 -- true > "$tmp/out" 2> "$tmp/err"
status=$?
[ $status = 2 ] && [ ! -s "$tmp/out" ] && grep -q 'power of two' "$tmp/err"
check_last "uffdwp-trace --record --json (a file named --json): the error is a text line (exit $status)"
"$TRACER" --bogus ./app --json > "$tmp/out" 2> "$tmp/err"
status=$?
[ $status = 2 ] && [ ! -s "$tmp/out" ] && grep -q 'unknown option: --bogus' "$tmp/err"
check_last "uffdwp-trace --bogus CMD --json (the command's own --json): a text line (exit $status)"
tap_done
