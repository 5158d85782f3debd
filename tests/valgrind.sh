#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every unit test under valgrind memcheck: any error (an uninitialised read
# ASan cannot see, a leak of definite loss) fails it.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
	tap_skip "unit tests under valgrind" "no valgrind (make setup installs it)"
	exit 0
fi
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	valgrind -q --error-exitcode=99 --track-origins=yes --errors-for-leak-kinds=definite \
		--leak-check=full "$t" > /dev/null 2> "$log"
	status=$?
	errors=$(grep -c '^==[0-9]*== [A-Z]' "$log")
	if [ "$status" != 99 ] && [ "$errors" = 0 ]; then
		tap_ok "valgrind $(basename "$t"): no error"
	else
		tap_not_ok "valgrind $(basename "$t"): exit $status, $errors error lines" \
			"$(grep -m3 '^==[0-9]*== [A-Z]' "$log")"
	fi
done
tap_done
