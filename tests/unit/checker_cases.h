/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What test_checker's files share (test_checker.c, checker_protect.c,
 * checker_zap.c, checker_fill.c): the test region's constants, the
 * expectations, protected_region(), each case function, and the cases of those
 * that take an argument (the table in test_checker.c names them).
 */
#ifndef UFFDWP_CHECKER_CASES_H
#define UFFDWP_CHECKER_CASES_H

#include <stdbool.h>
#include <stdio.h>

#include "synth.h"
#include "tap.h"
#include "report/findings.h"

#define FD 3
#define A A_BASE
#define N16 (16 * PG)
#define HPAGE (512 * PG)
#define CHILD_MM 0xffff888000c0ffeeULL

/* Exactly one finding, of this class, seen by this hook, over [start, end). */
static inline void expect_one(struct checker *c, const char *name, enum finding_class cls,
			      unsigned hook, __u64 start, __u64 end)
{
	const struct finding *f = checker_finding(c, 0);
	bool pass = checker_nfindings(c) == 1 && f->cls == cls && f->hook == hook &&
		    f->start == start && f->end == end && f->nchain > 0;

	if (!tap_ok(pass, "%s: one %s", name, finding_class_name(cls)))
		findings_print_text(stdout, c);
	checker_free(c);
}

static inline void expect_silent(struct checker *c, const char *name)
{
	if (!tap_ok(checker_nfindings(c) == 0, "%s: silent", name))
		findings_print_text(stdout, c);
	checker_free(c);
}

/* A registered and write-protected, populated region of npages. */
static inline struct checker *protected_region(struct synth *s, __u64 vm_flags, __u64 features,
					       __u64 len)
{
	struct checker *c = checker_new();

	synth_init(s, c, 0xffff888000001000ULL, 100, vm_flags, A, A + len);
	s_open_api(s, FD, features);
	s_register(s, FD, A, A + len);
	for (__u64 a = A; a < A + len; a += PG)
		s_write_fault(s, a, PF_USER_WRITE);
	s_writeprotect(s, FD, A, A + len, true);
	s_pte(s, A, A + len, PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY, HOOK_CHANGE_PROTECTION);
	return c;
}

/* unprotect_return_races_write()'s cases (checker_protect.c) */
enum unprotect_race_case { UR_OTHER_THREAD_WRITABLE, UR_OTHER_THREAD_READ_ONLY, UR_SAME_THREAD };

/* pm_scan_dirty()'s cases (checker_protect.c) */
enum pm_scan_case {
	SCAN_REPORTS_WRITE,	/* correct kernel: reported, re-protected, next scan empty */
	SCAN_MISSES_WRITE,	/* the written page is called clean: LOST_WP */
	SCAN_RACES_WRITE,	/* another thread's fault had not returned: not judged */
	SCAN_WRITE_IN_WINDOW,	/* a fault recorded while the scan ran: not judged */
	SCAN_PAST_LAST_READ,	/* more regions than read: pages after them not judged */
	SCAN_AFTER_LOSS,	/* records lost before the scan (its re-protect, say): not judged */
};

/* missing_fault_fill_races_zap()'s cases (checker_zap.c) */
enum missing_race_case { MR_FILL_RACES_ZAP, MR_NO_FAULT };

/* other_marker()'s rows (checker_zap.c) */
enum other_marker_case { OM_POISON_SHMEM, OM_GUARD_ANON, OM_AFTER_ZAP, OM_HUGETLB,
			 OM_UNPROTECTED, OM_POISON_THEN_WP, OM_POISON_WP_ZAP };

/* bug11_mremap()'s cases (checker_zap.c) */
enum bug11_case {
	BUG11_BUGGY,		/* no EVENT_REMAP, the bits kept */
	BUG11_FIXED,		/* no EVENT_REMAP, the bits cleared */
	BUG11_EVENT_REMAP,	/* with EVENT_REMAP the bits move with the pages */
};

/* reregister()'s cases (checker_protect.c) */
enum { REREG_SAME, REREG_ADD_MISSING, REREG_DROP_WP };

/* uffd_move()'s cases (checker_fill.c) */
enum move_case {
	MOVE_PRESENT,	/* move_present_pte(): dst writable, no bit; src empty */
	MOVE_SWAPPED,	/* move_swap_pte(): the swap entry keeps its bit */
	MOVE_STRAY_BIT,	/* a bit at dst where the src page was never protected */
};

/* concurrent_writeprotect()'s races (checker_protect.c) */
enum wp_race {
	STALE_RETURN,		/* a protect's return recorded after a resolve that followed it */
	RESOLVE_IN_WINDOW,	/* a resolve of one page inside a range protect's window */
	/* 6.1 userfaultfd hugetlb_shared: a resolve begun before the range protect began, */
	RESOLVE_LANDS_INSIDE,	/* ... its change_protection() between the protect's two exits */
	RESOLVE_LANDS_AFTER,	/* ... its PTE change and a write before the protect's walk,
				   its records after it */
};

/* write_racing_unprotect()'s races (checker_protect.c) */
enum unprotect_race {
	UNPROTECT_BUGGY,		/* #14: the PTE left read-only, the write faults after */
	UNPROTECT_FIXED,
	UNPROTECT_BUGGY_FAULT_FIRST,	/* ... the write's fault before the unprotect's walk */
	UNPROTECT_FIXED_FAULT_FIRST,
};

/* walk_overtaken()'s cases (checker_protect.c) */
enum overtaken_case {
	OT_PROTECTED,	/* the protect's run shows the bit: silent */
	OT_REST_LOST,	/* ... shows none: LOST_WP on all but the overtaken page */
};

/* copy_through_forked_uffd()'s cases (checker_fill.c) */
enum forked_uffd_case {
	CHILD_FAULTS,		/* the copy protected the child's page */
	PARENT_FAULTS,		/* ... and not the parent's */
	FD_REUSED,		/* the forked uffd's fd closed, reused by the parent's own */
	MESSAGE_FIRST,		/* the fork message read before sched_process_fork */
};

/* fault_repeat()'s states (checker_protect.c) */
enum repeat_state {
	RS_UNPROTECTED_WANT_WRITE,	/* after an unprotect: a PROT fault is #14 */
	RS_PROTECTED_SYNC,
	RS_PROTECTED_ASYNC,
	RS_UNPOPULATED_SYNC,		/* PROTECTED_IF_POPULATED */
	RS_UNPOPULATED_ASYNC,
	RS_OTHER_THREAD_AWAITS,		/* another thread's unprotect walk is awaited */
};

/* checker_protect.c */
void unprotect_return_races_write(long which);
void bug14_lost_write_bit(long buggy);
void bug14_walk(long buggy);
void zero_page_after_split(void);
void bug14_register_walk_mremap(long buggy);
void lost_write_bit_negatives(void);
void snapshot_client(void);
void async_mode(void);
void walk_stopped_before_first_entry(void);
void pm_scan_dirty(long how);
void pm_scan_poisoned(long vm_flags);
void reregister(long how);
void rwp_shared_bit(void);
void concurrent_writeprotect(long race);
void write_racing_unprotect(long race);
void walk_inside_unapplied_resolve(void);
void protect_lands_last(void);
void walk_overtaken(long which);
void fault_repeat(long st);

/* checker_zap.c */
void madv_free_protected_anon(long with_free);
void bug1_mprotect(long buggy);
void bug1_migration(long buggy);
void bug5_thp(long buggy);
void migration_order_span(void);
void bug8_hugetlb_fork(void);
void bug7_marker_fork(long buggy);
void zap_dropped_marker(long buggy);
void missing_fault_fill_races_zap(long which);
void other_marker(long row);
void dontneed_anon(void);
void bug11_mremap(long what);
void unregister_and_failed_ioctls(void);
void lost_wp_rules(void);

/* checker_fill.c */
void copy_mode_wp(void);
void uffd_move(long which);
void copy_mode_wp_in_flight(void);
void copy_mode_wp_resolved_then_recopied(void);
void copy_through_forked_uffd(long what);

#endif /* UFFDWP_CHECKER_CASES_H */
