// SPDX-License-Identifier: GPL-2.0
/*
 * Finding classes on hand-written event sequences: the corpus bugs of
 * shared/docs/uffd-wp-bugs.md as a buggy kernel would trace them, and the
 * correct counterparts that must stay silent.
 *
 * One program, one TAP stream: the cases are in checker_protect.c (protect and
 * unprotect), checker_zap.c (zaps, markers, mprotect, migration, fork, mremap,
 * munmap) and checker_fill.c (UFFDIO_COPY and UFFDIO_MOVE), what they share in
 * checker_cases.h; here the JSON case, the table that runs them in order, and
 * main().
 */
#include <stdio.h>
#include <string.h>

#include "synth.h"
#include "tap.h"
#include "report/findings.h"
#include "checker_cases.h"

static void json_output(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);
	char buf[8192] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	s_pte(&s, A, A + PG, PTE_ST_PRESENT, HOOK_ZAP);
	findings_print_json(f, c);
	fclose(f);
	tap_ok(strstr(buf, "{\"type\":\"finding\",\"class\":\"LOST_WP\"") == buf &&
	       strstr(buf, "\"events\":[{") != NULL, "JSON line for a finding");
	checker_free(c);
}

static const struct tap_test tests[] = {
	TAP_TEST_ARG(bug1_mprotect, true),
	TAP_TEST_ARG(bug1_mprotect, false),
	TAP_TEST_ARG(bug1_migration, true),
	TAP_TEST_ARG(bug1_migration, false),
	TAP_TEST_ARG(bug5_thp, true),
	TAP_TEST_ARG(bug5_thp, false),
	TAP_TEST(migration_order_span),
	TAP_TEST_ARG(bug7_marker_fork, true),
	TAP_TEST_ARG(bug7_marker_fork, false),
	TAP_TEST(bug8_hugetlb_fork),
	TAP_TEST_ARG(bug14_lost_write_bit, true),
	TAP_TEST_ARG(madv_free_protected_anon, true),
	TAP_TEST_ARG(madv_free_protected_anon, false),
	TAP_TEST_ARG(unprotect_return_races_write, UR_OTHER_THREAD_WRITABLE),
	TAP_TEST_ARG(unprotect_return_races_write, UR_OTHER_THREAD_READ_ONLY),
	TAP_TEST_ARG(unprotect_return_races_write, UR_SAME_THREAD),
	TAP_TEST_ARG(bug14_lost_write_bit, false),
	TAP_TEST_ARG(bug14_walk, true),
	TAP_TEST_ARG(bug14_walk, false),
	TAP_TEST(zero_page_after_split),
	TAP_TEST_ARG(bug14_register_walk_mremap, true),
	TAP_TEST_ARG(bug14_register_walk_mremap, false),
	TAP_TEST(lost_write_bit_negatives),
	TAP_TEST(snapshot_client),
	TAP_TEST(async_mode),
	TAP_TEST(walk_stopped_before_first_entry),
	TAP_TEST_ARG(pm_scan_dirty, SCAN_REPORTS_WRITE),
	TAP_TEST_ARG(pm_scan_dirty, SCAN_MISSES_WRITE),
	TAP_TEST_ARG(pm_scan_dirty, SCAN_RACES_WRITE),
	TAP_TEST_ARG(pm_scan_dirty, SCAN_WRITE_IN_WINDOW),
	TAP_TEST_ARG(pm_scan_dirty, SCAN_PAST_LAST_READ),
	TAP_TEST_ARG(pm_scan_dirty, SCAN_AFTER_LOSS),
	TAP_TEST_ARG(pm_scan_poisoned, VMF_HUGETLB),
	TAP_TEST_ARG(pm_scan_poisoned, VMF_SHMEM),
	TAP_TEST_ARG(zap_dropped_marker, true),
	TAP_TEST_ARG(zap_dropped_marker, false),
	TAP_TEST_ARG(missing_fault_fill_races_zap, MR_FILL_RACES_ZAP),
	TAP_TEST_ARG(missing_fault_fill_races_zap, MR_NO_FAULT),
	TAP_TEST(dontneed_anon),
	TAP_TEST_ARG(other_marker, OM_POISON_SHMEM),
	TAP_TEST_ARG(other_marker, OM_GUARD_ANON),
	TAP_TEST_ARG(other_marker, OM_AFTER_ZAP),
	TAP_TEST_ARG(other_marker, OM_HUGETLB),
	TAP_TEST_ARG(other_marker, OM_UNPROTECTED),
	TAP_TEST_ARG(other_marker, OM_POISON_THEN_WP),
	TAP_TEST_ARG(other_marker, OM_POISON_WP_ZAP),
	TAP_TEST_ARG(bug11_mremap, BUG11_BUGGY),
	TAP_TEST_ARG(bug11_mremap, BUG11_FIXED),
	TAP_TEST_ARG(bug11_mremap, BUG11_EVENT_REMAP),
	TAP_TEST(unregister_and_failed_ioctls),
	TAP_TEST_ARG(reregister, REREG_SAME),
	TAP_TEST_ARG(reregister, REREG_ADD_MISSING),
	TAP_TEST_ARG(reregister, REREG_DROP_WP),
	TAP_TEST(rwp_shared_bit),
	TAP_TEST(lost_wp_rules),
	TAP_TEST(copy_mode_wp),
	TAP_TEST(copy_mode_wp_in_flight),
	TAP_TEST(copy_mode_wp_resolved_then_recopied),
	TAP_TEST_ARG(uffd_move, MOVE_PRESENT),
	TAP_TEST_ARG(uffd_move, MOVE_SWAPPED),
	TAP_TEST_ARG(uffd_move, MOVE_STRAY_BIT),
	TAP_TEST_ARG(concurrent_writeprotect, STALE_RETURN),
	TAP_TEST_ARG(concurrent_writeprotect, RESOLVE_IN_WINDOW),
	TAP_TEST_ARG(concurrent_writeprotect, RESOLVE_LANDS_INSIDE),
	TAP_TEST_ARG(concurrent_writeprotect, RESOLVE_LANDS_AFTER),
	TAP_TEST(protect_lands_last),
	TAP_TEST_ARG(walk_overtaken, OT_PROTECTED),
	TAP_TEST_ARG(walk_overtaken, OT_REST_LOST),
	TAP_TEST(walk_inside_unapplied_resolve),
	TAP_TEST_ARG(write_racing_unprotect, UNPROTECT_BUGGY),
	TAP_TEST_ARG(write_racing_unprotect, UNPROTECT_FIXED),
	TAP_TEST_ARG(write_racing_unprotect, UNPROTECT_BUGGY_FAULT_FIRST),
	TAP_TEST_ARG(write_racing_unprotect, UNPROTECT_FIXED_FAULT_FIRST),
	TAP_TEST_ARG(copy_through_forked_uffd, CHILD_FAULTS),
	TAP_TEST_ARG(copy_through_forked_uffd, PARENT_FAULTS),
	TAP_TEST_ARG(copy_through_forked_uffd, FD_REUSED),
	TAP_TEST_ARG(copy_through_forked_uffd, MESSAGE_FIRST),
	TAP_TEST(json_output),
	TAP_TEST_ARG(fault_repeat, RS_UNPROTECTED_WANT_WRITE),
	TAP_TEST_ARG(fault_repeat, RS_PROTECTED_SYNC),
	TAP_TEST_ARG(fault_repeat, RS_PROTECTED_ASYNC),
	TAP_TEST_ARG(fault_repeat, RS_UNPOPULATED_SYNC),
	TAP_TEST_ARG(fault_repeat, RS_UNPOPULATED_ASYNC),
	TAP_TEST_ARG(fault_repeat, RS_OTHER_THREAD_AWAITS),
};

int main(int argc, char **argv)
{
	return tap_main(TAP_TESTS(tests), argc, argv);
}
