#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --matrix's table parser and its three-way comparison (table, tracer, self-check), with
# the stand-in tracer (fake-uffdwp-trace) and shell-script scenarios that print their own
# finding lines: one cheap Debian 6.1 boot per run, no BPF. The real corpus is matrix.sh.
. "$(dirname "$0")/lib.sh"

tap_plan 17
TAB=$(printf '\t')

# --- without a guest: the table is read, and absent images are skipped columns
printf 'scenario\tdebian-6.1\nx\tLOST_WP/maybe\n' > "$WORK/bad-verdict.tsv"
vmtest --matrix --expected "$WORK/bad-verdict.tsv"
expect "a bad self-check in a cell names file:line, exit 125" 125 \
	"${RESULT_125}.*bad-verdict.tsv:2: cell 'LOST_WP/maybe': self-check 'maybe' is not ok, bug or skip"
vmtest --matrix --tap --expected "$WORK/bad-verdict.tsv"
expect "TAP: a malformed table is a failed test, not a skip" 125 \
	"^not ok 1 - matrix: .*bad-verdict.tsv:2: cell"
printf '# c\nscenario\tdebian-6.1\nx\tLOST_WB/ok\n' > "$WORK/bad-class.tsv"
vmtest --matrix --expected "$WORK/bad-class.tsv"
expect "an unknown finding class names file:line" 125 "bad-class.tsv:3: unknown finding class 'LOST_WB'"
printf 'scenario\tk1\tk2\nx\tclean/ok\n' > "$WORK/short.tsv"
vmtest --matrix --expected "$WORK/short.tsv"
expect "a row with too few cells" 125 "short.tsv:2: 1 cells, the header has 2 kernel columns"

mkdir "$WORK/scenarios" "$WORK/kernels"
scenario clean-ok ok
scenario finding-lostwp bug LOST_WP
scenario finding-two ok LOST_WRITE_BIT FALSE_WP LOST_WRITE_BIT
scenario clean-missed bug
scenario finding-extra ok LOST_WP
scenario clean-verdict skip
scenario lost-d ok
scenario capped-w ok
scenario clean-norow ok
printf 'not a kernel' > "$WORK/kernels/garbage.bzImage"
cat > "$WORK/table.tsv" <<EOF
# the classes of finding-two in another order than the tracer's: sets compare equal
scenario${TAB}debian-6.1${TAB}absent${TAB}garbage
clean-ok${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
finding-lostwp${TAB}LOST_WP/bug${TAB}clean/ok${TAB}clean/ok
finding-two${TAB}LOST_WRITE_BIT+FALSE_WP/ok${TAB}clean/ok${TAB}clean/ok
clean-missed${TAB}DROPPED_MARKER/bug${TAB}clean/ok${TAB}clean/ok
finding-extra${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
clean-verdict${TAB}clean/ok${TAB}skip${TAB}clean/ok
lost-d${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
capped-w${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
ghost${TAB}clean/ok${TAB}clean/ok${TAB}clean/ok
EOF
matrix() {
	vmtest --matrix --expected "$WORK/table.tsv" --kernels-dir "$WORK/kernels" \
		--tracer "$(dirname "$0")/fake-uffdwp-trace" --scenarios-dir "$WORK/scenarios" "$@"
}

matrix --kernels absent --tap
expect "only absent images: every cell skipped, exit 125" 125 \
	"^ok 2 - finding-lostwp on absent # SKIP no image at $WORK/kernels/absent.bzImage\$"

matrix --kernels absent --json
expect "JSON: counts, and each cell with the table's expectation and the reason" 125 \
	'"counts":\{"as_expected":0,"disagrees":0,"undecided":0,"skipped":10\}.*\{"scenario":"clean-verdict","kernel":"absent","state":"skipped","expected":"skip","why":"no image at '

if ! need_image "$DEBIAN_61"; then
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		tap_skip "matrix on a guest ($i)" "no Debian 6.1 image at $DEBIAN_61 (run make setup)"
	done
	tap_done
fi

# --- one guest, every kind of cell
matrix
expect "a disagreement exits 1" 1 '^uffdwp-vmtest: result 1 \(bad\): 5 of 30 cells disagree'
expect "the grid: sets in enum order, ! disagrees, ? undecided, - skipped" 1 \
	'^finding-two  +FALSE_WP\+LOST_WRITE_BIT/ok  +-  +\?$'
expect "tracer missed a finding: the three opinions" 1 \
	'^  clean-missed on debian-6.1: table says DROPPED_MARKER/bug; tracer says clean \(exit 0\), disagrees; self-check says bug, agrees$'
expect "tracer over-reports" 1 \
	'^  finding-extra on debian-6.1: table says clean/ok; tracer says LOST_WP \(exit 1\), disagrees; self-check says ok, agrees$'
expect "the self-check disagrees" 1 \
	'^  clean-verdict on debian-6.1: table says clean/ok; tracer says clean \(exit 0\), agrees; self-check says skip, disagrees$'
expect "a program without a row" 1 \
	'^  clean-norow on debian-6.1: table says nothing \(no row\); tracer says clean \(exit 0\); self-check says ok$'
expect "a row without a program" 1 \
	'^  ghost on debian-6.1: table says clean/ok; there is no scenario program of that name$'
expect "tracer inconclusive: the cell is undecided, with its losses by hook and cause" 1 \
	'^  lost-d on debian-6.1: tracer exit 3: inconclusive \(lost events, hooks missing or walks capped\): lost 5: zap 5; skipped_runs 5$'
expect "tracer inconclusive with nothing lost: the cell is undecided, with the tracer's reason" 1 \
	'^  capped-w on debian-6.1: tracer exit 3: inconclusive \(lost events, hooks missing or walks capped\): 2 page-table walk\(s\) capped: ranges only partly verified$'
expect "absent and unbootable kernels: a reason per column" 1 \
	"^  garbage: undecided: no boot: $WORK/kernels/garbage.bzImage is not an x86 bzImage"

# --- only agreeing cells: exit 0, TAP one test per cell
matrix --tap --kernels debian-6.1,absent --scenario clean-ok --scenario finding-two
if [ "$rc" = 0 ] && grep -q '^1\.\.4$' "$WORK/out" &&
   grep -q '^ok 2 - finding-two on debian-6.1: FALSE_WP+LOST_WRITE_BIT/ok$' "$WORK/out" &&
   grep -q '^ok 4 - finding-two on absent # SKIP no image at ' "$WORK/out"; then
	tap_ok "every cell as expected exits 0; TAP: one test per cell, skips with the reason"
else
	tap_not_ok "every cell as expected exits 0; TAP" "exit $rc, or plan/test lines missing"
fi
tap_done
