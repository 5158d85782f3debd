#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scenario mode end to end on Debian 6.1, with a stand-in tracer (fake-uffdwp-trace) and
# shell-script scenarios, so the console protocol and the exit contract are tested without BPF.
. "$(dirname "$0")/lib.sh"

tap_plan 5
if ! need_image "$DEBIAN_61"; then
	for t in "clean scenarios exit 0" "a finding exits 1" "TAP: one test per scenario" \
		 "lost events exit 125" "a tracer that dies mid-corpus: each scenario left is its error"; do
		tap_skip "$t" "no Debian 6.1 image at $DEBIAN_61 (run make setup)"
	done
	tap_done
fi

mkdir "$WORK/scenarios"
for name in clean-a clean-b finding-c lost-d crash-e; do
	verdict=ok
	[ "$name" = finding-c ] && verdict=bug
	printf '#!/bin/sh\necho "scenario: %s verdict=%s detail=scripted"\n' "$name" "$verdict" \
		> "$WORK/scenarios/$name"
	chmod +x "$WORK/scenarios/$name"
done
run() {
	vmtest --debian 6.1 --tracer "$(dirname "$0")/fake-uffdwp-trace" \
		--scenarios-dir "$WORK/scenarios" "$@"
}

run --scenario clean-a --scenario clean-b
expect "clean scenarios exit 0" 0 '^uffdwp-vmtest:   clean-b: clean \(tracer exit 0, findings 0, lost 0\); self-check ok$'

# the corpus runs under one tracer (--each): one that dies leaves the rest its status
run --scenario clean-a --scenario crash-e --scenario clean-b
expect "a tracer that dies mid-corpus: each scenario left is its error" 125 \
	'^uffdwp-vmtest:   clean-b: tracer error \(tracer exit 2, findings -1, lost -1\)$'
rm "$WORK/scenarios/crash-e"

run --tap
expect "a finding exits 1" 1 '^uffdwp-vmtest: result 1 \(bad\): finding: finding-c: '
if grep -q '^1\.\.4$' "$WORK/out" && grep -q '^ok 2 - clean-b # ' "$WORK/out" &&
   grep -q '^not ok 3 - finding-c # findings .*self-check bug$' "$WORK/out" &&
   grep -q '^not ok 4 - lost-d # inconclusive .*lost 5: zap 5; skipped_runs 5)' "$WORK/out"; then
	tap_ok "TAP: one test per scenario"
else
	tap_not_ok "TAP: one test per scenario" "plan or test lines missing"
fi

run --json --scenario clean-a --scenario lost-d
expect "lost events exit 125" 125 '"reason":"undecided: lost-d: inconclusive'
tap_done
