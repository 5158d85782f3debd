#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Golden traces: real runs recorded in QEMU guests (tests/golden/record.sh),
# replayed through the checker on the host.  Each must give exactly the
# findings below (class@hook, one per finding, in order) and the matching
# exit status; the PTE bits the finding quotes are checked where the bug
# is about them.  This keeps the checker testable without a VM.
# debian-7.3/fuzz-seed9-3871 is `uffdwp-fuzz --replay` of that sequence
# (uffdwp-fuzz --print --seed 9 --index 3871) under `uffdwp-trace --record`,
# not a record.sh scenario: a hugetlb poison marker that PAGEMAP_SCAN reports
# written and does not protect (the model of b721a65 called its zap a
# DROPPED_MARKER; FINDINGS.md, fifth hunts, run C).
. "$(dirname "$0")/../lib.sh"

# recording                                  findings (class@hook[:observed-must-match])
GOLDEN="
debian-6.1/hugetlb-fork                      FALSE_WP@sched:^present\|uffd_wp\|huge
debian-6.1/anon-unprotect-writebit           LOST_WRITE_BIT@change_protection:^present\|dirty$
debian-6.1/wp-threads                        LOST_WRITE_BIT@change_protection:^present\|dirty$
debian-6.1/mremap-event                      LOST_WRITE_BIT@change_protection:^present\|dirty$
debian-6.12/hugetlb-fork                     clean
debian-6.12/anon-unprotect-writebit          clean
debian-6.12/wp-threads                       clean
debian-6.12/mremap-event                     clean
debian-7.3/pagemap-scan                      clean
debian-7.3/fuzz-seed9-3871                   clean
bad-A/shmem-mprotect                         LOST_WP@change_protection:write\|uffd_wp LOST_WP@change_protection:write\|uffd_wp\|huge
bad-A/shmem-migrate                          LOST_WP@remove_migration_pte:write\|uffd_wp LOST_WP@remove_migration_pte:write\|uffd_wp\|huge
bad-C/thp-migrate                            LOST_WP@set_pmd_migration_entry:^swap\|migration\|huge$
bad-E/shmem-dontneed-marker                  DROPPED_MARKER@zap:^none$
"

# One "class@hook observed" line per finding of a replay's JSON output.
findings_of() {
	grep '"type":"finding"' "$1" | while IFS= read -r line; do
		field() { echo "$line" | grep -o "\"$1\":\"[^\"]*\"" | head -n1 | cut -d'"' -f4; }
		echo "$(field class)@$(field hook) $(field observed)"
	done
}

# check_findings OUT SPEC...: the findings match the specs one to one, in order.
check_findings() {
	local out=$1 i=0 got want spec; shift
	mapfile -t got < <(findings_of "$out")
	[ "$1" = clean ] && { [ ${#got[@]} = 0 ]; return; }
	[ ${#got[@]} = $# ] || return 1
	for spec in "$@"; do
		want=${spec%%:*}
		[ "${got[i]%% *}" = "$want" ] || return 1
		[[ $spec != *:* ]] || echo "${got[i]#* }" | grep -Eq "${spec#*:}" || return 1
		i=$((i + 1))
	done
}

out=$(mktemp); trap 'rm -f "$out"' EXIT
while read -r name specs; do
	[ -n "$name" ] || continue
	file=$ROOT/tests/golden/$name.uwt
	if [ ! -r "$file" ]; then
		tap_not_ok "$name: recording missing ($file)"
		continue
	fi
	"$TRACER" replay --json "$file" > "$out" 2>&1
	status=$?
	want_status=1; [ "$specs" = clean ] && want_status=0
	# shellcheck disable=SC2086
	if [ "$status" = "$want_status" ] && check_findings "$out" $specs; then
		tap_ok "replay $name: $specs"
	else
		tap_not_ok "replay $name: want $specs (exit $want_status), got exit $status: $(findings_of "$out" | tr '\n' ';')"
	fi
done <<< "$GOLDEN"
tap_done
