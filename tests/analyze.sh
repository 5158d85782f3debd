#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make analyze as a suite: one TAP line per tool (clang-tidy, scan-build),
# its findings as diagnostics when it has any.  Run by tests/run.sh.
. "$(dirname "$0")/lib.sh"
TAP_LOG=$(mktemp); trap 'rm -f "$TAP_LOG"' EXIT

# tool NAME TARGET: make TARGET; its warnings and errors are the diagnostics.
tool() {
	local start=$SECONDS
	if make -C "$ROOT" --no-print-directory -s "$2" > "$TAP_LOG" 2>&1; then
		tap_ok "$1 over src/ clean ($((SECONDS - start)) s)"
	else
		grep -E 'warning:|error:|bugs? found|Error' "$TAP_LOG" > "$TAP_LOG.f" && mv "$TAP_LOG.f" "$TAP_LOG"
		tap_not_ok "$1 over src/ has findings (make $2)"
	fi
}
tool clang-tidy analyze-tidy
tool scan-build analyze-scan
tap_done
