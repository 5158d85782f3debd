#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --kcidb, --shard and --merge, with the stand-in tracer (fake-uffdwp-trace) and
# shell-script scenarios as matrix-compare.sh has them: the KCIDB report validates against
# KCIDB's v4 schema (tests/kcidb/schema-v4.json, python3-jsonschema) with the statuses
# KCIDB defines, and the slices of a sharded matrix merge into exactly the JSON, TAP,
# KCIDB report and exit status of the unsharded run (durations masked). Four cheap
# Debian 6.1 boots under TCG (about 4 minutes here); the bad-input cases boot nothing.
. "$(dirname "$0")/lib.sh"

tap_plan 27
TAB=$(printf '\t')
VALIDATE=$ROOT/tests/kcidb/validate.py

# validate NAME REPORT [validate.py ARGS...]: one TAP line, the validator's line as diagnostic
validate() {
	local name=$1; shift
	if ! python3 -c 'import jsonschema' 2>/dev/null; then
		tap_skip "$name" "python3-jsonschema is not installed (make setup)"
	elif python3 "$VALIDATE" "$@" > "$WORK/validate" 2>&1; then
		tap_ok "$name: $(cat "$WORK/validate")"
	else
		TAP_LOG=$WORK/validate tap_not_ok "$name"
	fi
}

# --- bad input: one error line, exit 125, nothing booted
vmtest --debian 6.1 --kcidb "$WORK/r.json" --origin Bad-Name
expect "--origin outside [a-z0-9_]+" 125 "^uffdwp-vmtest: --origin takes \[a-z0-9_\]\+ \(KCIDB's origin\), not: Bad-Name"
vmtest --debian 6.1 --kcidb "$WORK/r.json" --git-commit abc123
expect "--git-commit not a full hash" 125 "^uffdwp-vmtest: --git-commit takes a full commit hash"
vmtest --debian 6.1 --origin ci
expect "--origin without --kcidb" 125 "^uffdwp-vmtest: --origin, --git-commit and --git-url go with --kcidb"
vmtest --matrix --kcidb "$WORK/r.json" --git-url https://example.org/linux.git
expect "--git-url with --matrix" 125 "^uffdwp-vmtest: --git-commit and --git-url name one kernel's checkout"
vmtest --matrix --shard 3/2
expect "--shard I/N with I > N" 125 "^uffdwp-vmtest: --shard takes I/N with 1 <= I <= N, not: 3/2"
vmtest --matrix --shard 1/2 --tap
expect "--shard with --tap" 125 "^uffdwp-vmtest: a slice prints JSON: --tap goes with --merge"
vmtest --merge "$WORK/r.json" --matrix
expect "--merge with --matrix" 125 "^uffdwp-vmtest: --merge takes only slice files"

mkdir "$WORK/scenarios" "$WORK/kernels" "$WORK/u" "$WORK/s1" "$WORK/s2" "$WORK/single"
scenario clean-ok ok
scenario finding-lostwp bug LOST_WP
scenario clean-skip skip
scenario clean-bug bug
scenario lost-d ok
printf 'not a kernel' > "$WORK/kernels/garbage.bzImage"
cat > "$WORK/table.tsv" <<EOT
scenario${TAB}debian-6.1${TAB}garbage${TAB}absent
clean-ok${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
finding-lostwp${TAB}LOST_WP/bug${TAB}clean/ok${TAB}clean/ok
clean-skip${TAB}skip${TAB}clean/ok${TAB}clean/ok
clean-bug${TAB}clean/bug${TAB}clean/ok${TAB}clean/ok
lost-d${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
ghost${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
EOT
# TCG always: an accelerator note would differ between runs
matrix() {
	vmtest --matrix --expected "$WORK/table.tsv" --kernels-dir "$WORK/kernels" --accel tcg \
		--tracer "$(dirname "$0")/fake-uffdwp-trace" --scenarios-dir "$WORK/scenarios" "$@"
}
# The slices of the runs below cover debian-6.1 and absent (1/2), garbage (2/2).
# Without a guest: slices of the columns that do not boot.
matrix --kernels garbage,absent --shard 1/2 --kcidb "$WORK/g1.kcidb.json"
grep '^{' "$WORK/out" > "$WORK/g1.json"
vmtest --merge "$WORK/g1.json" "$WORK/g1.json"
expect "--merge: a slice twice" 125 "${RESULT_125}--merge: .*g1.json and .*g1.json are both slice 1/2"
vmtest --merge "$WORK/g1.json"
expect "--merge: a slice missing" 125 "${RESULT_125}--merge: slice 2/2 is missing"
matrix --kernels garbage,absent --shard 2/2 --scenario clean-ok
grep '^{' "$WORK/out" > "$WORK/g2-other.json"
vmtest --merge "$WORK/g1.json" "$WORK/g2-other.json"
expect "--merge: slices of different scenario lists" 125 "${RESULT_125}--merge: .* ran different tables or scenarios"
echo '{"exit":1,' > "$WORK/broken.json"
vmtest --merge "$WORK/broken.json"
expect "--merge: not JSON" 125 "${RESULT_125}--merge: .*broken.json is not JSON: line 2: expected a member name in an object"
matrix --kernels garbage,absent --shard 3/3
expect "an empty slice exits 0 and says so" 0 "^uffdwp-vmtest: result 0 \(good\): slice 3/3 is empty: the run has 2 kernels"
validate "KCIDB of a column that does not boot: MISS, an absent image left out" \
	"$WORK/g1.kcidb.json" --tests 6 --status uffdwp.clean-ok@garbage=MISS

if ! need_image "$DEBIAN_61"; then
	for i in $(seq $((tap_n + 1)) 27); do
		tap_skip "a guest ($i)" "no Debian 6.1 image at $DEBIAN_61 (run make setup)"
	done
	tap_done
fi

# --- the unsharded run: JSON and KCIDB, then TAP (one boot each)
K=debian-6.1,garbage,absent
matrix --kernels $K --json --kcidb "$WORK/u/kcidb.json"
u_rc=$rc; grep '^{' "$WORK/out" > "$WORK/u/matrix.json"; grep -v '^{' "$WORK/out" > "$WORK/u/err"
TAP_LOG=$WORK/u/err expect "the unsharded run: one disagreement (the row without a program)" 1 \
	"^uffdwp-vmtest: result 1 \(bad\): 1 of 18 cells disagree"
validate "KCIDB of the matrix, statuses as KCIDB defines them" "$WORK/u/kcidb.json" --tests 12 \
	--status uffdwp.clean-ok@debian-6.1=PASS --status uffdwp.finding-lostwp@debian-6.1=FAIL \
	--status uffdwp.clean-bug@debian-6.1=FAIL \
	--status uffdwp.clean-skip@debian-6.1=SKIP --status uffdwp.lost-d@debian-6.1=ERROR \
	--status uffdwp.ghost@debian-6.1=MISS --status uffdwp.clean-ok@garbage=MISS
log=$WORK/u/kcidb.debian-6.1.finding-lostwp.output.log
check "the console log and each run's output are written beside the report" \
	grep -q '"class":"LOST_WP"' "$log" "$WORK/u/kcidb.debian-6.1.console.log"
check "the test links them by file:// URL" grep -q "\"log_url\":\"file://$log\"" "$WORK/u/kcidb.json"
matrix --kernels $K --tap
grep -v '^uffdwp-vmtest' "$WORK/out" > "$WORK/u/tap"

# --- the slices and their merge
matrix --kernels $K --shard 1/2 --kcidb "$WORK/s1/kcidb.json"
s1_rc=$rc; grep '^{' "$WORK/out" > "$WORK/s1/matrix.json"
check "slice 1/2 booted debian-6.1 only" grep -q '"kernels":\[{"name":"debian-6.1".*{"name":"absent"' "$WORK/s1/matrix.json"
matrix --kernels $K --shard 2/2
grep '^{' "$WORK/out" > "$WORK/s2/matrix.json"
check "slice 1/2 exits as its own cells say (1: ghost disagrees)" test "$s1_rc" = 1

# mask FILE: durations, and the directory of each run's logs
mask() {
	sed -E -e 's/"(seconds|duration|boot_ms|total_ms)":[0-9.]+/"\1":T/g' \
	       -e 's/, [0-9.]+ s: /, T s: /' -e "s#$WORK/(u|s1)/#DIR/#g" "$1"
}
same() {	# same NAME A B
	if diff <(mask "$2") <(mask "$3") > "$WORK/diff"; then tap_ok "$1"
	else TAP_LOG=$WORK/diff tap_not_ok "$1"; fi
}
vmtest --merge "$WORK/s1/matrix.json" "$WORK/s2/matrix.json" --json --kcidb "$WORK/merged.kcidb.json"
check "merged exit status == unsharded ($u_rc)" test "$rc" = "$u_rc"
grep '^{' "$WORK/out" > "$WORK/merged.json"
same "merged JSON == unsharded JSON" "$WORK/u/matrix.json" "$WORK/merged.json"
same "merged KCIDB == unsharded KCIDB (the same ids)" "$WORK/u/kcidb.json" "$WORK/merged.kcidb.json"
validate "the merged KCIDB report" "$WORK/merged.kcidb.json" --tests 12
vmtest --merge "$WORK/s2/matrix.json" "$WORK/s1/matrix.json" --tap
grep -v '^uffdwp-vmtest' "$WORK/out" > "$WORK/merged.tap"
same "merged TAP == unsharded TAP (slices in any order)" "$WORK/u/tap" "$WORK/merged.tap"

# --- one kernel, a commit named: the checkout carries it
commit=0123456789abcdef0123456789abcdef01234567
vmtest --debian 6.1 --accel tcg --tracer "$(dirname "$0")/fake-uffdwp-trace" \
	--scenarios-dir "$WORK/scenarios" --scenario finding-lostwp --scenario clean-ok \
	--kcidb "$WORK/single/r.json" --origin ci_farm --git-commit $commit \
	--git-url https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git
expect "a single run with --kcidb exits as without it" 1 "^uffdwp-vmtest: result 1 \(bad\): finding: finding-lostwp"
validate "KCIDB of a single run" "$WORK/single/r.json" --tests 2 \
	--status uffdwp.finding-lostwp@debian-6.1=FAIL --status uffdwp.clean-ok@debian-6.1=PASS
check "its checkout has the commit and origin ci_farm" \
	grep -q "\"checkouts\":\[{\"id\":\"ci_farm:checkout-[0-9a-f]*\",\"origin\":\"ci_farm\",\"tree_name\":\"debian-6.1\",\"git_repository_url\":\"https://git.kernel.org/[^\"]*\",\"git_commit_hash\":\"$commit\"" "$WORK/single/r.json"
tap_done
