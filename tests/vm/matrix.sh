#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The detection matrix: the whole scenario corpus under the real tracer on every kernel of
# tests/scenarios/expected.tsv (Debian 6.1, 6.12 and 7.3 from the cache of `make setup`, the
# others from ../shared/kernels), one TAP test per scenario x kernel cell. uffdwp-vmtest
# itself skips the column of an absent image with the reason. About 20 s per kernel under
# TCG (the corpus runs under one tracer, --each; 2 min 35 s for the seven columns at
# 7eec1dd+1). UFFDWP_MATRIX_KERNELS=a,b limits the columns (e.g. while developing).
# The same run writes its KCIDB report (--kcidb); one more test validates it against
# KCIDB's v4 schema (tests/kcidb/validate.py), so the TAP plan is the matrix's plus one.
# --timeout 900 per kernel: Debian 7.3's column took 413 s alone in CI when each scenario
# had a tracer of its own, and passed the default 600 s with other guests beside it.
. "$(dirname "$0")/lib.sh"

# A cell that is not ok: its kernel's console lines about the scenario, as TAP comments
# (the guest's log is in $WORK, gone after the run; CI shows only this output).
console_context() {	# SCENARIO KERNEL
	local log=$WORK/kcidb.$2.console.log
	[ -r "$log" ] || { echo "# no console log $log"; return; }
	grep -n -B2 -A2 -e "scenario $1\b" -e "/bin/$1\"" "$log" | cut -c1-300 | tail -n 24 |
		sed "s/^/# $2 console: /"
}

plan=0 failed_cells=()
while IFS= read -r line; do
	if [ "$plan" = 0 ] && [[ $line =~ ^1\.\.([0-9]+)$ ]]; then
		plan=${BASH_REMATCH[1]}
		line="1..$((plan + 1))"
	fi
	echo "$line"
	[[ $line == "not ok "* ]] && tap_failed=$((tap_failed + 1))
	[[ $line =~ ^not\ ok\ [0-9]+\ -\ ([^ ]+)\ on\ ([^:]+): ]] &&
		failed_cells+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
done < <("$VMTEST" --matrix --tap --timeout 900 --kcidb "$WORK/kcidb.json" \
		${UFFDWP_MATRIX_KERNELS:+--kernels "$UFFDWP_MATRIX_KERNELS"})
for cell in "${failed_cells[@]}"; do
	console_context $cell
done
tap_n=$plan
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	tap_skip "the matrix's KCIDB report" "python3-jsonschema is not installed (make setup)"
elif out=$(python3 "$ROOT/tests/kcidb/validate.py" "$WORK/kcidb.json" 2>&1); then
	tap_ok "the matrix's KCIDB report: $out"
else
	tap_not_ok "the matrix's KCIDB report" "$out"
fi
tap_done
