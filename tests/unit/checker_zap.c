// SPDX-License-Identifier: GPL-2.0
/*
 * test_checker's cases of zaps and markers, and of the other mm operations that
 * rebuild, copy or drop protected PTEs: MADV_FREE and DONTNEED, mprotect (#1),
 * migration (#1, #5), fork (#7, #8), the zap's marker (E), other PTE markers,
 * mremap (#11), unregister, munmap and the LOST_WP rules.
 */
#include "synth.h"
#include "tap.h"
#include "report/findings.h"
#include "checker_cases.h"

/*
 * MADV_FREE on protected anon (WP_UNPOPULATED: markers): a swapped-out page's
 * entry is cleared to none, a lazyfree one may be discarded by reclaim; no zap
 * hook sees either.  The next walk's none is not a lost marker; without the
 * MADV_FREE it still is one.
 */
void madv_free_protected_anon(long with_free)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, UFFD_FEAT_WP_UNPOPULATED, N16);

	if (with_free)
		s_syscall_range(&s, EV_MADVISE, A, A + N16, UFFD_MADV_FREE);
	s_pte(&s, A, A + N16, PTE_ST_NONE, HOOK_SYSCALLS);
	if (with_free)
		expect_silent(c, "MADV_FREE, then protected anon seen empty");
	else
		expect_one(c, "protected anon seen empty, no MADV_FREE", FIND_LOST_WP, HOOK_SYSCALLS,
			   A, A + N16);
}

/* #1 (51d3d5eb74ff reverted): mprotect(RO)+mprotect(RW) on protected shmem. */
void bug1_mprotect(long buggy)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_SHMEM, 0, N16);
	__u32 after = PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY | (buggy ? PTE_ST_WRITE : 0);

	s_syscall_range(&s, EV_MPROTECT, A, A + N16, 1);
	s_cp(&s, A, A + N16, 0);
	s_syscall_range(&s, EV_MPROTECT, A, A + N16, 3);
	s_cp(&s, A, A + N16, UFFDWP_MM_CP_TRY_CHANGE_WRITABLE);
	s_pte(&s, A, A + N16, after, HOOK_CHANGE_PROTECTION);
	if (buggy)
		expect_one(c, "#1 mprotect path", FIND_LOST_WP, HOOK_CHANGE_PROTECTION, A, A + N16);
	else
		expect_silent(c, "#1 mprotect path, fixed kernel");
}

/* #1 via move_pages(): remove_migration_pte rebuilds the PTE from vm_page_prot. */
void bug1_migration(long buggy)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_SHMEM, 0, N16);

	s_migration(&s, A + PG, MIG_SET_PTE, PTE_ST_SWAP | PTE_ST_MIGRATION | PTE_ST_UFFD_WP, 0);
	s_migration(&s, A + PG, MIG_REMOVE_PTE,
		    PTE_ST_PRESENT | PTE_ST_UFFD_WP | (buggy ? PTE_ST_WRITE : 0), 0);
	if (buggy)
		expect_one(c, "#1 migration path", FIND_LOST_WP, HOOK_MIGRATION_PTE, A + PG, A + 2 * PG);
	else
		expect_silent(c, "#1 migration path, fixed kernel");
}

/* #5 (24bf08c4376b reverted): set_pmd_migration_entry() drops the bit. */
void bug5_thp(long buggy)
{
	struct synth s;
	struct checker *c = checker_new();

	synth_init(&s, c, 0xffff888000002000ULL, 101, VMF_ANON, A, A + HPAGE);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + HPAGE);
	s_write_fault(&s, A, PF_USER_WRITE);	/* one fault maps the whole THP */
	s_writeprotect(&s, FD, A, A + HPAGE, true);
	s_pte(&s, A, A + HPAGE, PTE_ST_PRESENT | PTE_ST_HUGE | PTE_ST_UFFD_WP, HOOK_CHANGE_HUGE_PMD);
	s_migration(&s, A, MIG_SET_PMD,
		    PTE_ST_HUGE | PTE_ST_SWAP | PTE_ST_MIGRATION | (buggy ? 0 : PTE_ST_UFFD_WP), 9);
	s_migration(&s, A, MIG_REMOVE_PMD,
		    PTE_ST_HUGE | PTE_ST_PRESENT | (buggy ? 0 : PTE_ST_UFFD_WP), 9);
	if (buggy)
		expect_one(c, "#5 THP migration", FIND_LOST_WP, HOOK_SET_MIGRATION_PMD, A, A + HPAGE);
	else
		expect_silent(c, "#5 THP migration, fixed kernel");
}

/*
 * A PTE-mapped THP migrates PTE by PTE, and set_migration_pte gives each PTE
 * the folio's order (9): the entry of an unprotected PTE says nothing about
 * its protected neighbours (the fuzzer's unconfirmed LOST_WP, sequence 257).
 * A hugetlb entry of order 9 does cover the whole huge page.
 */
void migration_order_span(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, HPAGE);
	__u32 mig = PTE_ST_SWAP | PTE_ST_MIGRATION;

	s_writeprotect(&s, FD, A + PG, A + 2 * PG, false);
	s_pte(&s, A + PG, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_WRITE, HOOK_CHANGE_PROTECTION);
	s_migration(&s, A, MIG_SET_PTE, mig | PTE_ST_UFFD_WP, 9);
	s_migration(&s, A + PG, MIG_SET_PTE, mig | PTE_ST_WRITE, 9);
	s_migration(&s, A + 2 * PG, MIG_SET_PTE, mig | PTE_ST_UFFD_WP, 9);
	expect_silent(c, "PTE-mapped THP: each set_migration_pte covers its own page");

	c = protected_region(&s, VMF_ANON, 0, HPAGE);
	s_migration(&s, A + 2 * PG, MIG_SET_PTE, mig | PTE_ST_WRITE, 9);
	expect_one(c, "PTE-mapped THP: the page that lost its bit, alone", FIND_LOST_WP,
		   HOOK_SET_MIGRATION_PTE, A + 2 * PG, A + 3 * PG);

	c = protected_region(&s, VMF_HUGETLB, 0, HPAGE);
	s_migration(&s, A, MIG_SET_PTE, mig | PTE_ST_WRITE, 9);
	expect_one(c, "hugetlb: set_migration_pte of order 9 covers the huge page", FIND_LOST_WP,
		   HOOK_SET_MIGRATION_PTE, A, A + HPAGE);
}

/* A private hugetlb parent, protected, forks; the child's state follows. */
static struct checker *hugetlb_fork(struct synth *child, __u64 features)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_HUGETLB & ~UFFDWP_VM_SHARED, features, HPAGE);

	s_fork(&s, CHILD_MM, 200);
	*child = s;
	child->mm = CHILD_MM;
	child->pid = 200;
	return c;
}

/* #8 (5a2f8d22ace4, still in 6.1): the child's PTEs keep the bit. */
void bug8_hugetlb_fork(void)
{
	struct synth ch;
	struct checker *c = hugetlb_fork(&ch, 0);

	s_pte(&ch, A, A + HPAGE, PTE_ST_PRESENT | PTE_ST_HUGE | PTE_ST_UFFD_WP, HOOK_ZAP);
	expect_one(c, "#8 hugetlb fork, child bit seen", FIND_FALSE_WP, HOOK_ZAP, A, A + HPAGE);

	/* the walk of the child's tables at sched_process_fork */
	c = hugetlb_fork(&ch, 0);
	s_pte(&ch, A, A + HPAGE, PTE_ST_PRESENT | PTE_ST_HUGE | PTE_ST_UFFD_WP, HOOK_SCHED);
	tap_ok(checker_nfindings(c) == 1 && checker_finding(c, 0)->vma_start == A &&
	       checker_finding(c, 0)->vm_flags ==
	       (VMF_HUGETLB & ~(UFFDWP_VM_SHARED | UFFDWP_VM_UFFD_WP | UFFDWP_VM_UFFD_MISSING)),
	       "#8 at fork: the child's VMA is the parent's, its uffd flags cleared");
	expect_one(c, "#8 hugetlb fork, child's tables at fork", FIND_FALSE_WP, HOOK_SCHED, A,
		   A + HPAGE);
	c = hugetlb_fork(&ch, UFFD_FEAT_EVENT_FORK);
	s_pte(&ch, A, A + HPAGE, PTE_ST_PRESENT | PTE_ST_HUGE | PTE_ST_UFFD_WP, HOOK_SCHED);
	expect_silent(c, "EVENT_FORK child keeps the parent's bits");

	c = hugetlb_fork(&ch, 0);
	s_open_api(&ch, 4, 0);
	s_range(&ch, EV_UFFD_REGISTER, 4, A, A + HPAGE, UFFD_REG_MODE_WP, 0);
	s_write_fault(&ch, A + 5 * PG, PF_PROT_WRITE);
	s_handle_userfault(&ch, A + 5 * PG);
	s_wp_message(&ch, 4, A + 5 * PG);
	expect_one(c, "#8 hugetlb fork, child's unasked WP message", FIND_FALSE_WP,
		   HOOK_HANDLE_USERFAULT, A + 5 * PG, A + 6 * PG);

	c = hugetlb_fork(&ch, 0);
	s_open_api(&ch, 4, 0);
	s_range(&ch, EV_UFFD_REGISTER, 4, A, A + HPAGE, UFFD_REG_MODE_WP, 0);
	s_wp_message(&ch, 4, A + 5 * PG);	/* no handle_userfault hook */
	expect_one(c, "#8 hugetlb fork, message only", FIND_FALSE_WP, HOOK_SYSCALLS,
		   A + 5 * PG, A + 6 * PG);

	c = hugetlb_fork(&ch, UFFD_FEAT_EVENT_FORK);
	ch.mm = 0xffff888000001000ULL;	/* the parent reads the child's messages */
	ch.pid = 100;
	s_wp_message(&ch, 7, A + 5 * PG);
	expect_silent(c, "message read through another process's uffd");

	c = hugetlb_fork(&ch, UFFD_FEAT_EVENT_FORK);
	s_pte(&ch, A, A + HPAGE, PTE_ST_PRESENT | PTE_ST_HUGE | PTE_ST_UFFD_WP, HOOK_ZAP);
	s_handle_userfault(&ch, A + 5 * PG);
	expect_silent(c, "fork with EVENT_FORK: child inherits protection");

	c = hugetlb_fork(&ch, 0);
	s_pte(&ch, A, A + HPAGE, PTE_ST_PRESENT | PTE_ST_HUGE, HOOK_ZAP);
	expect_silent(c, "fork without EVENT_FORK, fixed kernel");
}

/* #7 (49d6d7fb6313): markers of a private memfd copied to the child. */
void bug7_marker_fork(long buggy)
{
	struct synth s;
	struct checker *c = checker_new();

	synth_init(&s, c, 0xffff888000003000ULL, 102, 0x1 | UFFDWP_VM_WRITE, A, A + N16);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + N16);
	s_writeprotect(&s, FD, A, A + N16, true);
	s_pte(&s, A, A + N16, PTE_ST_MARKER_WP, HOOK_CHANGE_PROTECTION);
	s_fork(&s, CHILD_MM, 201);
	s.mm = CHILD_MM;
	s.pid = 201;
	s_pte(&s, A, A + N16, buggy ? PTE_ST_MARKER_WP : PTE_ST_NONE, HOOK_ZAP);
	if (buggy)
		expect_one(c, "#7 marker copied at fork", FIND_FALSE_WP, HOOK_ZAP, A, A + N16);
	else
		expect_silent(c, "#7 fork without EVENT_FORK, fixed kernel");
}

/* E (f8572367eaff reverted): the zap drops the marker of protected shmem. */
void zap_dropped_marker(long buggy)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_SHMEM, 0, N16);

	s_dontneed(&s, A, A + 4 * PG);
	s_pte(&s, A, A + 4 * PG, buggy ? PTE_ST_NONE : PTE_ST_MARKER_WP, HOOK_ZAP);
	if (buggy)
		expect_one(c, "E zap dropped marker", FIND_DROPPED_MARKER, HOOK_ZAP, A, A + 4 * PG);
	else
		expect_silent(c, "E zap keeps the marker, fixed kernel");
}

/*
 * A missing fault on a protected hugetlb marker, resolved by the monitor's plain
 * UFFDIO_COPY: the copy maps the page without the bit and wakes the faulting
 * thread, which zaps it (DONTNEED) before the copy's return record comes
 * (uffdwp-fuzz, Debian 7.3, seed 5 sequence 5583).  Not a dropped marker; the
 * same zap with no fault owed still is one.
 */
void missing_fault_fill_races_zap(long which)
{
	struct synth s;
	struct checker *c = checker_new();

	synth_init(&s, c, 0xffff888000003000ULL, 102, VMF_HUGETLB | UFFDWP_VM_UFFD_MISSING,
		   A, A + HPAGE);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + HPAGE);
	s_writeprotect(&s, FD, A, A + HPAGE, true);
	s_pte(&s, A, A + HPAGE, PTE_ST_HUGE | PTE_ST_SWAP | PTE_ST_MARKER_WP | PTE_ST_UFFD_WP,
	      HOOK_HUGETLB_CHANGE_PROTECTION);
	if (which == MR_FILL_RACES_ZAP)
		s_handle_userfault_reason(&s, A, UFFDWP_VM_UFFD_MISSING);
	s_dontneed(&s, A, A + HPAGE);
	s_pte(&s, A, A + HPAGE, PTE_ST_NONE, HOOK_ZAP);
	if (which == MR_NO_FAULT) {
		expect_one(c, "hugetlb marker zapped, no fault owed", FIND_DROPPED_MARKER, HOOK_ZAP,
			   A, A + HPAGE);
		return;
	}
	s_copy(&s, FD, A, HPAGE, FILL_COPY, 0);
	expect_silent(c, "missing fault's plain copy lands before a zap, its record after");
}

/*
 * PTE markers other than uffd-wp (PTE_ST_MARKER_OTHER): UFFDIO_POISON's
 * PTE_MARKER_POISONED (6.6+), MADV_GUARD_INSTALL's PTE_MARKER_GUARD (6.13+),
 * 6.1's SWP_SWAPIN_ERROR.  They replace whatever was there, map nothing and
 * carry no uffd-wp bit: on a protected page they are not a lost protection,
 * after a zap not a dropped marker, and on an unprotected one not a stray bit.
 */
static const struct {
	const char *name;
	__u64 vm_flags;
	__u16 hook;
	__u64 len;
} other_marker_rows[] = {
	[OM_POISON_SHMEM]   = { "poison marker on a protected shmem page", VMF_SHMEM, HOOK_ZAP, N16 },
	[OM_GUARD_ANON]     = { "guard marker on a protected anon page", VMF_ANON, HOOK_ZAP, N16 },
	[OM_AFTER_ZAP]      = { "guard marker where a zap owed a uffd-wp marker", VMF_SHMEM, HOOK_ZAP, N16 },
	[OM_HUGETLB]        = { "poison marker on a protected hugetlb page", VMF_HUGETLB,
				HOOK_HUGETLB_CHANGE_PROTECTION, HPAGE },
	[OM_UNPROTECTED]    = { "poison marker on an unprotected page", VMF_SHMEM, HOOK_ZAP, N16 },
	[OM_POISON_THEN_WP] = { "protect over a poison marker", VMF_SHMEM,
				HOOK_CHANGE_PROTECTION, N16 },
	/* change_pte_range() leaves a poison marker alone: nothing protected, so the
	 * zap that drops it owes no uffd-wp marker (uffdwp-fuzz, seed 1 sequence 2039) */
	[OM_POISON_WP_ZAP]  = { "protect over a poison marker, then a zap drops it", VMF_SHMEM,
				HOOK_CHANGE_PROTECTION, N16 },
};

void other_marker(long row)
{
	struct synth s;
	struct checker *c = protected_region(&s, other_marker_rows[row].vm_flags, 0,
					     other_marker_rows[row].len);
	__u64 end = A + other_marker_rows[row].len;
	__u32 st = PTE_ST_MARKER_OTHER |
		   (other_marker_rows[row].len == HPAGE ? PTE_ST_HUGE : 0);

	if (row == OM_AFTER_ZAP)
		s_dontneed(&s, A, end);
	if (row == OM_UNPROTECTED)
		s_writeprotect(&s, FD, A, end, false);
	s_pte(&s, A, end, st, other_marker_rows[row].hook);
	if (row == OM_POISON_THEN_WP || row == OM_POISON_WP_ZAP) {
		s_writeprotect(&s, FD, A, end, true);
		s_pte(&s, A, end, st, HOOK_CHANGE_PROTECTION);
	}
	if (row == OM_POISON_WP_ZAP) {
		s_dontneed(&s, A, end);
		s_pte(&s, A, end, PTE_ST_NONE, HOOK_ZAP);
	}
	expect_silent(c, other_marker_rows[row].name);
}

void dontneed_anon(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);
	s_dontneed(&s, A, A + 4 * PG);
	s_pte(&s, A, A + 4 * PG, PTE_ST_NONE, HOOK_ZAP);
	s_write_fault(&s, A, PF_USER_WRITE);
	s_pte(&s, A, A + PG, PTE_ST_PRESENT | PTE_ST_WRITE, HOOK_ZAP);
	expect_silent(c, "DONTNEED on anon drops protection");
}

/* #11 (0cef0bb836e3): mremap without EVENT_REMAP keeps the bits. */
void bug11_mremap(long what)
{
	const bool buggy = what == BUG11_BUGGY;
	const __u64 features = what == BUG11_EVENT_REMAP ? UFFD_FEAT_EVENT_REMAP : 0;
	const __u64 to = A + 0x100000000ULL;
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, features, N16);

	s_mremap(&s, A, A + N16, to, 3 /* MAYMOVE|FIXED */);
	bool bits = buggy || (features & UFFD_FEAT_EVENT_REMAP);

	s_pte(&s, to, to + N16, PTE_ST_PRESENT | PTE_ST_DIRTY | (bits ? PTE_ST_UFFD_WP : 0),
	      HOOK_CHANGE_PROTECTION);
	if (features & UFFD_FEAT_EVENT_REMAP) {
		s_handle_userfault(&s, to + PG);
		expect_silent(c, "mremap with EVENT_REMAP moves protection");
	} else if (buggy) {
		expect_one(c, "#11 mremap keeps bits", FIND_FALSE_WP, HOOK_CHANGE_PROTECTION, to, to + N16);
	} else {
		expect_silent(c, "#11 mremap clears bits, fixed kernel");
	}
}

void unregister_and_failed_ioctls(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s_range(&s, EV_UFFD_UNREGISTER, FD, A, A + N16, 0, 0);
	s_pte(&s, A, A + N16, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_CHANGE_PROTECTION);
	expect_silent(c, "unregister clears protection");

	c = protected_region(&s, VMF_ANON, 0, N16);
	s_range(&s, EV_UFFD_UNREGISTER, FD, A, A + N16, 0, 0);
	s_pte(&s, A, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_UFFD_WP, HOOK_ZAP);
	expect_one(c, "stale bit after unregister", FIND_FALSE_WP, HOOK_ZAP, A, A + 2 * PG);

	c = checker_new();
	synth_init(&s, c, 0xffff888000005000ULL, 104, VMF_ANON, A, A + N16);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + N16);
	s_write_fault(&s, A, PF_USER_WRITE);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N16, UFFD_WP_MODE_WP, -11);
	s_pte(&s, A, A + PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_ZAP);
	expect_silent(c, "failed WRITEPROTECT has no effect");
}

/* munmap of the protected range, a new mapping there protected again, and the same
 * loss on its first two pages. */
static void remap_and_lose_again(struct synth *s)
{
	s_syscall_range(s, EV_MUNMAP, A, A + N16, 0);
	s_register(s, FD, A, A + N16);
	s_write_fault(s, A, PF_USER_WRITE);
	s_write_fault(s, A + PG, PF_USER_WRITE);
	s_writeprotect(s, FD, A, A + N16, true);
	s_pte(s, A, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
}

/* Two LOST_WP findings on the same two pages: one per mapping, not merged into one. */
static void expect_two_apart(struct checker *c, const char *name)
{
	bool pass = checker_nfindings(c) == 2;

	for (size_t i = 0; pass && i < 2; i++) {
		const struct finding *f = checker_finding(c, i);

		pass = f->cls == FIND_LOST_WP && f->start == A && f->end == A + 2 * PG;
	}
	if (!tap_ok(pass, "%s: two LOST_WP, one per mapping", name))
		findings_print_text(stdout, c);
	checker_free(c);
}

void lost_wp_rules(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	/* Two adjacent observations of the same loss merge into one finding. */
	s_pte(&s, A, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
	s_pte(&s, A + 2 * PG, A + 5 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
	expect_one(c, "lost uffd-wp bit, merged", FIND_LOST_WP, HOOK_ZAP, A, A + 5 * PG);

	c = checker_new();
	synth_init(&s, c, 0xffff888000006000ULL, 105, VMF_ANON, A, A + N16);
	s_migration(&s, A, MIG_REMOVE_PTE, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_UFFD_WP, 0);
	expect_one(c, "write+uffd-wp PTE anywhere", FIND_LOST_WP, HOOK_MIGRATION_PTE, A, A + PG);

	c = protected_region(&s, VMF_ANON, 0, N16);
	s_pte(&s, A, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
	remap_and_lose_again(&s);
	expect_two_apart(c, "munmap, mmap, the same loss again");

	/* The kernel gives a dead process's mm address to the next one. */
	c = protected_region(&s, VMF_ANON, 0, N16);
	s_pte(&s, A, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
	s_exit(&s);
	synth_init(&s, c, s.mm, s.pid + 1, VMF_ANON, A, A + N16);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + N16);
	s_write_fault(&s, A, PF_USER_WRITE);
	s_write_fault(&s, A + PG, PF_USER_WRITE);
	s_writeprotect(&s, FD, A, A + N16, true);
	s_pte(&s, A, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
	expect_two_apart(c, "a new process on the dead one's mm address, the same loss");

	c = protected_region(&s, VMF_ANON, 0, N16);
	s_copy(&s, FD, A + N16, 0, FILL_COPY, 0);	/* zero-length: no effect */
	s_syscall_range(&s, EV_MUNMAP, A, A + N16, 0);
	s_pte(&s, A, A + N16, PTE_ST_NONE, HOOK_ZAP);
	expect_silent(c, "munmap forgets the range");
}
