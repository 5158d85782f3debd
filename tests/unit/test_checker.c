// SPDX-License-Identifier: GPL-2.0
/*
 * Finding classes on hand-written event sequences: the corpus bugs of
 * shared/docs/uffd-wp-bugs.md as a buggy kernel would trace them, and the
 * correct counterparts that must stay silent.
 */
#include <errno.h>
#include <stdlib.h>

#include "synth.h"
#include "tap.h"
#include "report/findings.h"

#define FD 3
#define A A_BASE
#define N16 (16 * PG)
#define HPAGE (512 * PG)
#define CHILD_MM 0xffff888000c0ffeeULL

/* Exactly one finding, of this class, seen by this hook, over [start, end). */
static void expect_one(struct checker *c, const char *name, enum finding_class cls,
		       unsigned hook, __u64 start, __u64 end)
{
	const struct finding *f = checker_finding(c, 0);
	bool pass = checker_nfindings(c) == 1 && f->cls == cls && f->hook == hook &&
		    f->start == start && f->end == end && f->nchain > 0;

	if (!tap_ok(pass, "%s: one %s", name, finding_class_name(cls)))
		findings_print_text(stdout, c);
	checker_free(c);
}

static void expect_silent(struct checker *c, const char *name)
{
	if (!tap_ok(checker_nfindings(c) == 0, "%s: silent", name))
		findings_print_text(stdout, c);
	checker_free(c);
}

/* A registered and write-protected, populated region of npages. */
static struct checker *protected_region(struct synth *s, __u64 vm_flags, __u64 features,
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

/*
 * No change_protection hook (the 6.18 host): an unprotect's return, then its
 * syscall-exit walk.  Another thread's write that met the old PTE enters its
 * fault between the two (QEMU's background snapshot: the vCPU 2.3 us after
 * the return).  Not a lost write bit when the walk shows the PTE writable; the
 * walk showing it read-only still is one, and the unprotecting thread's own
 * write fault right after its return is judged at once.
 */
enum unprotect_race_case { UR_OTHER_THREAD_WRITABLE, UR_OTHER_THREAD_READ_ONLY, UR_SAME_THREAD };

static void unprotect_return_races_write(long which)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);
	__u32 after = PTE_ST_PRESENT | PTE_ST_DIRTY | (which == UR_OTHER_THREAD_WRITABLE ? PTE_ST_WRITE : 0);

	s.tid = 1001;
	s_writeprotect_begin(&s, FD, A + 3 * PG, A + 4 * PG, false);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A + 3 * PG, A + 4 * PG, 0, 0);
	s.tid = which == UR_SAME_THREAD ? 1001 : 1002;
	s_write_fault(&s, A + 3 * PG, PF_PROT_WRITE);
	if (which == UR_SAME_THREAD) {
		expect_one(c, "unprotect, then the same thread's write faults", FIND_LOST_WRITE_BIT,
			   HOOK_WRITE_FAULT, A + 3 * PG, A + 4 * PG);
		return;
	}
	s.tid = 1001;
	s_pte(&s, A + 3 * PG, A + 4 * PG, after, HOOK_SYSCALLS);
	if (which == UR_OTHER_THREAD_READ_ONLY)
		expect_one(c, "unprotect's walk sees the PTE read-only", FIND_LOST_WRITE_BIT,
			   HOOK_SYSCALLS, A + 3 * PG, A + 4 * PG);
	else
		expect_silent(c, "another thread's write fault before the unprotect's walk");
}

/*
 * MADV_FREE on protected anon (WP_UNPOPULATED: markers): a swapped-out page's
 * entry is cleared to none, a lazyfree one may be discarded by reclaim; no zap
 * hook sees either.  The next walk's none is not a lost marker; without the
 * MADV_FREE it still is one.
 */
static void madv_free_protected_anon(long with_free)
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
static void bug1_mprotect(long buggy)
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
static void bug1_migration(long buggy)
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
static void bug5_thp(long buggy)
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
static void migration_order_span(void)
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
static void bug8_hugetlb_fork(void)
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
static void bug7_marker_fork(long buggy)
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

/* #14 (931298e103c2, still in 6.1): unprotect leaves the PTE read-only. */
static void bug14_lost_write_bit(long buggy)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	s_writeprotect(&s, FD, A, A + N16, false);
	if (buggy)
		s_write_fault(&s, A + 3 * PG, PF_PROT_WRITE);
	s_write_fault(&s, A + 3 * PG + 8, PF_PROT_WRITE & 0);	/* noise: a non-event */
	if (buggy)
		expect_one(c, "#14 lost write bit", FIND_LOST_WRITE_BIT, HOOK_WRITE_FAULT,
			   A + 3 * PG, A + 4 * PG);
	else
		expect_silent(c, "#14 unprotect, fixed kernel (no extra fault)");
}

/* #14 seen by the page-table walk after the unprotect: the PTE bits. */
static void bug14_walk(long buggy)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);
	__u32 st = PTE_ST_PRESENT | PTE_ST_DIRTY | (buggy ? 0 : PTE_ST_WRITE);

	s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s_pte(&s, A, A + N16, st, HOOK_CHANGE_PROTECTION);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N16, 0, 0);
	s_write_fault(&s, A, PF_PROT_WRITE);		/* the same bug: not reported twice */
	if (buggy)
		expect_one(c, "#14 read-only PTE seen by the walk", FIND_LOST_WRITE_BIT,
			   HOOK_CHANGE_PROTECTION, A, A + N16);
	else
		expect_silent(c, "#14 walk sees writable PTEs, fixed kernel");
}

/* 6.12+ remaps zero-filled subpages of a split anon THP to the shared zero
 * page (RMP_USE_SHARED_ZEROPAGE, uffd-wp kept since 9658d698a8a8), without a
 * tracepoint: seen by uffdwp-fuzz after MADV_PAGEOUT on the 6.18 host
 * (0x8000000003b36225) and after move_pages in the 7.3 guest.  An unprotect
 * then leaves a special, read-only PTE where the model saw an exclusive page.
 * No write bit is owed, and the write fault that follows (the zero page's
 * COW) is no finding either. */
static void zero_page_after_split(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s_pte(&s, A, A + N16, PTE_ST_PRESENT | PTE_ST_SPECIAL, HOOK_CHANGE_PROTECTION);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N16, 0, 0);
	s_write_fault(&s, A, PF_PROT_WRITE);
	expect_silent(c, "unprotect shows the zero page (special PTE): no write bit owed");
}

/* #14 on pages written before registration and moved by mremap with
 * EVENT_REMAP, as Debian 6.1 records it: the registration walk shows the
 * pages writable (exclusive), and the zap move_vma() does of the old range
 * inside mremap() must not count as a zap of the moved pages. */
static void bug14_register_walk_mremap(long buggy)
{
	const __u64 to = A + 0x100000000ULL;
	struct synth s;
	struct checker *c = checker_new();
	struct uffdwp_event zap;

	synth_init(&s, c, 0xffff888000007000ULL, 106, VMF_ANON, A, A + N16);
	s_open_api(&s, FD, UFFD_FEAT_EVENT_REMAP);
	s_register(&s, FD, A, A + N16);
	s_pte(&s, A, A + N16, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_SYSCALLS);
	s_writeprotect(&s, FD, A, A + N16, true);
	zap = synth_ev(&s, EV_ZAP, HOOK_ZAP);
	zap.start = A;
	zap.end = A + N16;
	zap.u.zap.has_details = 1;
	zap.u.zap.zap_flags = UFFDWP_ZAP_FLAG_DROP_MARKER;
	zap.u.zap.in_mremap = 1;
	synth_feed(&s, &zap);
	s_mremap(&s, A, A + N16, to, 3 /* MAYMOVE|FIXED */);
	s.vma_start = to;
	s.vma_end = to + N16;
	s_handle_userfault(&s, to);
	s_cp(&s, to, to + PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s_pte(&s, to, to + PG, PTE_ST_PRESENT | PTE_ST_DIRTY | (buggy ? 0 : PTE_ST_WRITE),
	      HOOK_CHANGE_PROTECTION);
	if (buggy)
		expect_one(c, "#14 after a registration walk and mremap", FIND_LOST_WRITE_BIT,
			   HOOK_CHANGE_PROTECTION, to, to + PG);
	else
		expect_silent(c, "#14 after mremap, fixed kernel");
}

/* Faults that are normal on every kernel after an unprotect. */
static void lost_write_bit_negatives(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	s_writeprotect(&s, FD, A, A + N16, false);
	s_write_fault(&s, A + N16 + PG, PF_PROT_WRITE);	/* outside */
	s_write_fault(&s, A + 2 * PG, PF_USER_WRITE);	/* not present: swapped/zapped */
	expect_silent(c, "not-present fault after unprotect");

	c = protected_region(&s, VMF_ANON, 0, N16);
	s_fork(&s, CHILD_MM, 202);			/* COW: pages no longer exclusive */
	s_writeprotect(&s, FD, A, A + N16, false);
	s_write_fault(&s, A, PF_PROT_WRITE);
	expect_silent(c, "COW fault after fork and unprotect");

	c = checker_new();
	synth_init(&s, c, 0xffff888000004000ULL, 103, VMF_ANON, A, A + N16);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + N16);
	s_writeprotect(&s, FD, A, A + N16, true);	/* nothing populated */
	s_writeprotect(&s, FD, A, A + N16, false);
	s_write_fault(&s, A, PF_USER_WRITE);		/* first touch */
	s_write_fault(&s, A + PG, PF_PROT_WRITE);	/* zero page COW */
	expect_silent(c, "first-touch and zero-page faults");

	c = protected_region(&s, VMF_SHMEM, 0, N16);
	s_writeprotect(&s, FD, A, A + N16, false);
	s_write_fault(&s, A, PF_PROT_WRITE);		/* shared: writenotify decides */
	expect_silent(c, "shmem write fault after unprotect is not judged");
}

/* The snapshot client: sync WP faults resolved by the handler. */
static void snapshot_client(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	for (__u64 a = A; a < A + 4 * PG; a += PG) {
		s_write_fault(&s, a, PF_PROT_WRITE);
		s_handle_userfault(&s, a);
		s_wp_message(&s, FD, a);
		s_writeprotect(&s, FD, a, a + PG, false);
		s_pte(&s, a, a + PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_CHANGE_PROTECTION);
	}
	s_wp_message(&s, FD, A + PG);	/* a second thread's queued message, read late */
	expect_silent(c, "snapshot client (sync WP)");
}

/* WP_ASYNC: the kernel resolves the fault itself, no message. */
static void async_mode(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, UFFD_FEAT_WP_ASYNC, N16);

	s_write_fault(&s, A + PG, PF_PROT_WRITE);
	s_pte(&s, A + PG, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_ZAP);
	expect_silent(c, "WP_ASYNC resolves in the kernel");
}

/* A walk that stopped before its first entry (nested on its CPU, seen on
 * 7.3 as a flaky LOST_WP in the snapshot scenario) sends an empty run of
 * level 0: it observed nothing. */
static void walk_stopped_before_first_entry(void)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);
	struct uffdwp_event ev = synth_ev(&s, EV_PTE_RUN, HOOK_HANDLE_USERFAULT);

	s_write_fault(&s, A + PG, PF_PROT_WRITE);
	s_handle_userfault(&s, A + PG);
	ev.start = ev.end = A + PG;
	ev.u.run.capped = 1;
	ev.u.run.source_kind = EV_HANDLE_USERFAULT;
	synth_feed(&s, &ev);
	expect_silent(c, "an empty capped walk is no observation");
}

/*
 * PAGEMAP_SCAN dirty tracking (WP_ASYNC, PM_SCAN_WP_MATCHING, the "written"
 * filter): a page written since its last protect must come back written.
 */
enum pm_scan_case {
	SCAN_REPORTS_WRITE,	/* correct kernel: reported, re-protected, next scan empty */
	SCAN_MISSES_WRITE,	/* the written page is called clean: LOST_WP */
	SCAN_RACES_WRITE,	/* another thread's fault had not returned: not judged */
	SCAN_WRITE_IN_WINDOW,	/* a fault recorded while the scan ran: not judged */
	SCAN_PAST_LAST_READ,	/* more regions than read: pages after them not judged */
	SCAN_AFTER_LOSS,	/* records lost before the scan (its re-protect, say): not judged */
};

static void pm_scan_dirty(long how)
{
	static const __u64 reported[][2] = { { A + PG, A + 2 * PG } };
	static const __u64 elsewhere[][2] = { { A, A + PG } };
	struct synth s;
	struct checker *c = protected_region(&s, VMF_SHMEM, UFFD_FEAT_WP_ASYNC, N16);

	if (how == SCAN_RACES_WRITE)
		s.tid = 101;		/* a writer thread; the scan comes from the main one */
	if (how != SCAN_WRITE_IN_WINDOW)
		s_write_fault(&s, A + PG, PF_PROT_WRITE);
	s.tid = 0;
	if (how == SCAN_AFTER_LOSS)
		s.lost_next = 3;
	s_pm_scan(&s, A, A + N16, true, NULL, 0, 0);
	if (how == SCAN_WRITE_IN_WINDOW) {
		s.tid = 101;
		s_write_fault(&s, A + PG, PF_PROT_WRITE);
		s.tid = 0;
	}
	switch (how) {
	case SCAN_REPORTS_WRITE:
		s_pm_scan(&s, A, A + N16, false, reported, 1, 1);
		s_pm_scan(&s, A, A + N16, true, NULL, 0, 0);
		s_pm_scan(&s, A, A + N16, false, NULL, 0, 0);
		expect_silent(c, "PAGEMAP_SCAN reports the written page");
		break;
	case SCAN_MISSES_WRITE:
		s_pm_scan(&s, A, A + N16, false, NULL, 0, 0);
		expect_one(c, "PAGEMAP_SCAN calls a written page clean", FIND_LOST_WP,
			   HOOK_SYSCALLS, A + PG, A + 2 * PG);
		break;
	case SCAN_PAST_LAST_READ:
		s_pm_scan(&s, A, A + N16, false, elsewhere, 1, 2);
		expect_silent(c, "PAGEMAP_SCAN: pages past the last region read");
		break;
	default:
		s_pm_scan(&s, A, A + N16, false, NULL, 0, 0);
		expect_silent(c, "PAGEMAP_SCAN racing a write");
	}
}

/* E (f8572367eaff reverted): the zap drops the marker of protected shmem. */
static void zap_dropped_marker(long buggy)
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
enum missing_race_case { MR_FILL_RACES_ZAP, MR_NO_FAULT };

static void missing_fault_fill_races_zap(long which)
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
enum other_marker_case { OM_POISON_SHMEM, OM_GUARD_ANON, OM_AFTER_ZAP, OM_HUGETLB,
			 OM_UNPROTECTED, OM_POISON_THEN_WP, OM_POISON_WP_ZAP };

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

static void other_marker(long row)
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

static void dontneed_anon(void)
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
enum bug11_case {
	BUG11_BUGGY,		/* no EVENT_REMAP, the bits kept */
	BUG11_FIXED,		/* no EVENT_REMAP, the bits cleared */
	BUG11_EVENT_REMAP,	/* with EVENT_REMAP the bits move with the pages */
};

static void bug11_mremap(long what)
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

static void unregister_and_failed_ioctls(void)
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

static void lost_wp_rules(void)
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

/*
 * Re-registration never touches PTEs (userfaultfd_register()): REGISTER(WP)
 * again is skipped, REGISTER(WP|MISSING) only changes the VMA's flags, so
 * both keep the protection; a register that drops WP (REGISTER(MISSING) over
 * a WP-only range, 6.1/6.12) leaves the bits in a VMA not registered for WP,
 * which is FALSE_WP.
 */
enum { REREG_SAME, REREG_ADD_MISSING, REREG_DROP_WP };

static void reregister(long how)
{
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	if (how == REREG_DROP_WP) {
		s_range(&s, EV_UFFD_REGISTER, FD, A, A + N16, UFFD_REG_MODE_MISSING, 0);
		s_pte(&s, A, A + N16, PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY, HOOK_ZAP);
		expect_one(c, "REGISTER(MISSING) over WP keeps the bits", FIND_FALSE_WP, HOOK_ZAP,
			   A, A + N16);
		return;
	}
	s_range(&s, EV_UFFD_REGISTER, FD, A, A + N16,
		UFFD_REG_MODE_WP | (how == REREG_ADD_MISSING ? UFFD_REG_MODE_MISSING : 0), 0);
	s_handle_userfault(&s, A);
	expect_silent(c, how == REREG_SAME ? "REGISTER(WP) again keeps the protection" :
			 "REGISTER(WP|MISSING) over WP keeps the protection");
}

/* 7.3 RWP (UFFDIO_REGISTER_MODE_RWP): UFFDIO_RWPROTECT sets the PTE uffd bit
 * through change_protection(MM_CP_UFFD_RWP); that bit is RWP's, not a stale
 * WP bit. */
static void rwp_shared_bit(void)
{
	struct synth s;
	struct checker *c = checker_new();

	synth_init(&s, c, 0xffff888000007000ULL, 106, VMF_ANON, A, A + N16);
	s_open_api(&s, FD, 0);
	s_range(&s, EV_UFFD_REGISTER, FD, A, A + N16, UFFD_REG_MODE_RWP, 0);
	for (__u64 a = A; a < A + N16; a += PG)
		s_write_fault(&s, a, PF_USER_WRITE);
	s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_RWP);
	s_pte(&s, A, A + N16, PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY, HOOK_CHANGE_PROTECTION);
	expect_silent(c, "RWP's bit in an RWP range is no FALSE_WP");
}

/* An anon region registered for WP by a fresh mm, nothing protected yet. */
static struct checker *registered_anon(struct synth *s, __u64 mm, __u32 pid)
{
	struct checker *c = checker_new();

	synth_init(s, c, mm, pid, VMF_ANON, A, A + N16);
	s_open_api(s, FD, 0);
	s_register(s, FD, A, A + N16);
	return c;
}

static void copy_mode_wp(void)
{
	struct synth s;
	struct checker *c = registered_anon(&s, 0xffff888000007000ULL, 106);
	s_copy(&s, FD, A, 4 * PG, FILL_COPY, UFFD_COPY_MODE_WP);
	s_handle_userfault(&s, A + PG);			/* legitimately protected */
	s_pte(&s, A, A + 4 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
	expect_one(c, "UFFDIO_COPY(MODE_WP) page lost its bit", FIND_LOST_WP, HOOK_ZAP, A, A + 4 * PG);
}

/* UFFDIO_MOVE of four pages from a protected (marker-using) src to a WP dst,
 * observed by the walks at the ioctl's return (bpf/syscalls.bpf.c). */
enum move_case {
	MOVE_PRESENT,	/* move_present_pte(): dst writable, no bit; src empty */
	MOVE_SWAPPED,	/* move_swap_pte(): the swap entry keeps its bit */
	MOVE_STRAY_BIT,	/* a bit at dst where the src page was never protected */
};

static void uffd_move(long which)
{
	const __u64 D = A + 2 * N16;
	struct synth s;
	struct checker *c = which == MOVE_STRAY_BIT ?
			    registered_anon(&s, 0xffff888000009000ULL, 108) :
			    protected_region(&s, VMF_ANON, UFFD_FEAT_WP_UNPOPULATED, N16);

	s_register(&s, FD, D, D + N16);
	s_move(&s, FD, D, A, 4 * PG, 4 * PG);
	s_pte(&s, D, D + 4 * PG,
	      which == MOVE_SWAPPED ? PTE_ST_SWAP | PTE_ST_UFFD_WP :
	      PTE_ST_PRESENT | PTE_ST_DIRTY | (which == MOVE_STRAY_BIT ? PTE_ST_UFFD_WP : PTE_ST_WRITE),
	      HOOK_SYSCALLS);
	s_pte(&s, A, A + 4 * PG, PTE_ST_NONE, HOOK_SYSCALLS);
	if (which == MOVE_STRAY_BIT) {
		expect_one(c, "moved page with a bit its src never had", FIND_FALSE_WP,
			   HOOK_SYSCALLS, D, D + 4 * PG);
		return;
	}
	/* the moved-from range is empty: no marker owed, and the rest is intact */
	s_pte(&s, A + 4 * PG, A + N16, PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY, HOOK_ZAP);
	expect_silent(c, which == MOVE_PRESENT ? "UFFDIO_MOVE of protected present pages" :
					       "UFFDIO_MOVE of protected swapped-out pages");
}

/* uffd-stress: a MODE_WP copy's pages are faulted on, resolved and unprotected
 * by other threads before the copy's ioctl returns.  Applied at its return, the
 * copy would make the fault look unprotected (FALSE_WP) and undo the resolve
 * (LOST_WP at the next walk); applied at its begin, both are silent.  A short
 * copy leaves the unfilled rest unjudged. */
static void copy_mode_wp_in_flight(void)
{
	struct synth s;
	struct checker *c = registered_anon(&s, 0xffff888000008000ULL, 107);
	s_fill(&s, FD, A, 4 * PG, FILL_COPY, UFFD_COPY_MODE_WP, true, 0);
	s_handle_userfault(&s, A + PG);			/* another thread writes */
	s_writeprotect(&s, FD, A + PG, A + 2 * PG, false);	/* and is resolved */
	s_fill(&s, FD, A, 4 * PG, FILL_COPY, UFFD_COPY_MODE_WP, false, 2 * PG);
	s_pte(&s, A + PG, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_ZAP);
	s_pte(&s, A + 2 * PG, A + 4 * PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_ZAP);
	expect_silent(c, "MODE_WP copy resolved by another thread before it returned");
}

/* uffd-stress: two threads fault on one missing page and two handlers copy it
 * MODE_WP.  The first copy's page is written, faulted on and resolved before
 * that copy returns; the second copy begins after the resolve and fails
 * (-EEXIST).  The first copy's return must not protect the page again: a third
 * thread that saw the bit before the resolve walks it at handle_userfault()
 * and finds it gone (Debian 6.12 CI, uffd-stress hugetlb-private, once in
 * about 200 runs: a false LOST_WP at handle_userfault). */
static void copy_mode_wp_resolved_then_recopied(void)
{
	const __u32 copier = 501, recopier = 502, resolver = 503, late_writer = 504;
	struct synth s;
	struct checker *c = registered_anon(&s, 0xffff88800000a000ULL, 108);

	s.tid = copier;
	s_fill(&s, FD, A, PG, FILL_COPY, UFFD_COPY_MODE_WP, true, 0);
	s_handle_userfault(&s, A);			/* a writer faults on the copy's bit */
	s.tid = resolver;
	s_writeprotect_begin(&s, FD, A, A + PG, false);
	s_writeprotect(&s, FD, A, A + PG, false);
	s.tid = recopier;
	s_fill(&s, FD, A, PG, FILL_COPY, UFFD_COPY_MODE_WP, true, 0);
	s_fill(&s, FD, A, PG, FILL_COPY, UFFD_COPY_MODE_WP, false, -EEXIST);
	s.tid = copier;
	s_fill(&s, FD, A, PG, FILL_COPY, UFFD_COPY_MODE_WP, false, PG);
	s.tid = late_writer;
	s_handle_userfault(&s, A);
	s_pte(&s, A, A + PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_HANDLE_USERFAULT);
	expect_silent(c, "a MODE_WP copy's return after a resolve and a failed second copy");
}

/* Two threads, as uffd-stress and the 6.1 selftest run them: records are
 * ordered by when each was written, not by when the PTEs changed. */
enum wp_race {
	STALE_RETURN,		/* a protect's return recorded after a resolve that followed it */
	RESOLVE_IN_WINDOW,	/* a resolve of one page inside a range protect's window */
	/* 6.1 userfaultfd hugetlb_shared: a resolve begun before the range protect began, */
	RESOLVE_LANDS_INSIDE,	/* ... its change_protection() between the protect's two exits */
	RESOLVE_LANDS_AFTER,	/* ... its PTE change and a write before the protect's walk,
				   its records after it */
};

static void concurrent_writeprotect(long race)
{
	const __u32 protector = 201, handler = 202;
	const __u64 x = A + 3 * PG;
	struct synth s;
	struct checker *c = checker_new();

	synth_init(&s, c, 0xffff888000009000ULL, 200, VMF_SHMEM, A, A + N16);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + N16);
	for (__u64 a = A; a < A + N16; a += PG)
		s_write_fault(&s, a, PF_USER_WRITE);
	if (race == RESOLVE_LANDS_INSIDE || race == RESOLVE_LANDS_AFTER) {
		s_writeprotect(&s, FD, A, A + N16, true);
		s.tid = handler;		/* a fault on x is being resolved */
		s_handle_userfault(&s, x);
		s_writeprotect_begin(&s, FD, x, x + PG, false);
		s.tid = protector;		/* when the range is protected again */
		s_writeprotect_begin(&s, FD, A, A + N16, true);
		if (race == RESOLVE_LANDS_INSIDE) {
			s.tid = handler;
			s_cp(&s, x, x + PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
			s_pte(&s, x, x + PG, PTE_ST_PRESENT, HOOK_CHANGE_PROTECTION);
			s.tid = protector;
		}
		s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP);
		s_pte(&s, x, x + PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY,
		      HOOK_CHANGE_PROTECTION);
		s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N16, UFFD_WP_MODE_WP, 0);
		s.tid = handler;
		if (race == RESOLVE_LANDS_AFTER) {
			s_cp(&s, x, x + PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
			s_pte(&s, x, x + PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY,
			      HOOK_CHANGE_PROTECTION);
		}
		s_range(&s, EV_UFFD_WRITEPROTECT, FD, x, x + PG, 0, 0);
	} else {
		s.tid = protector;
		s_writeprotect_begin(&s, FD, A, A + N16, true);
		if (race == STALE_RETURN)
			s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP);
		s.tid = handler;		/* a fault on x is resolved */
		s_handle_userfault(&s, x);
		s_writeprotect_begin(&s, FD, x, x + PG, false);
		s_cp(&s, x, x + PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
		s.tid = protector;
		if (race == RESOLVE_IN_WINDOW)
			s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP);
		s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N16, UFFD_WP_MODE_WP, 0);
		s.tid = handler;
		s_pte(&s, x, x + PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY,
		      HOOK_CHANGE_PROTECTION);
		s_range(&s, EV_UFFD_WRITEPROTECT, FD, x, x + PG, 0, 0);
	}
	/* the other pages stay protected: losing one is still found, and it is
	 * the only finding */
	s_pte(&s, A, A + PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_CHANGE_PROTECTION);
	static const char *const what[] = {
		[STALE_RETURN] = "a protect's late return does not undo a resolve that followed it",
		[RESOLVE_IN_WINDOW] = "a resolve inside a protect's window leaves that page undecided",
		[RESOLVE_LANDS_INSIDE] = "a resolve begun before a protect, applied inside its window",
		[RESOLVE_LANDS_AFTER] = "a resolve begun before a protect may reach the PTE after it",
	};
	expect_one(c, what[race], FIND_LOST_WP, HOOK_CHANGE_PROTECTION, A, A + PG);
}

/* uffd-stress on 6.12: a write racing with an unprotect faults on the still
 * read-only PTE; only a fault after the unprotect ended is #14's.  On 6.1
 * the walk at the unprotect's end still finds #14. */
enum unprotect_race {
	UNPROTECT_BUGGY,		/* #14: the PTE left read-only, the write faults after */
	UNPROTECT_FIXED,
	UNPROTECT_BUGGY_FAULT_FIRST,	/* ... the write's fault before the unprotect's walk */
	UNPROTECT_FIXED_FAULT_FIRST,
};

static void write_racing_unprotect(long race)
{
	const bool buggy = race == UNPROTECT_BUGGY || race == UNPROTECT_BUGGY_FAULT_FIRST;
	const bool fault_before_walk = race == UNPROTECT_BUGGY_FAULT_FIRST ||
				       race == UNPROTECT_FIXED_FAULT_FIRST;
	struct synth s;
	const __u32 resolver = 301, writer = 302;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	s.tid = resolver;
	s_writeprotect_begin(&s, FD, A, A + PG, false);
	s.tid = writer;
	if (!fault_before_walk)
		s_write_fault(&s, A, PF_PROT_WRITE);
	s.tid = resolver;
	s_cp(&s, A, A + PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	/* uffd-stress on 6.12 once: the fault recorded between the unprotect's
	 * change_protection() exit and the walk that exit does */
	s.tid = writer;
	if (fault_before_walk)
		s_write_fault(&s, A, PF_PROT_WRITE);
	s.tid = resolver;
	s_pte(&s, A, A + PG, PTE_ST_PRESENT | PTE_ST_DIRTY | (buggy ? 0 : PTE_ST_WRITE),
	      HOOK_CHANGE_PROTECTION);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + PG, 0, 0);
	if (buggy)
		expect_one(c, "#14 at the unprotect's end, not at a write racing with it",
			   FIND_LOST_WRITE_BIT, HOOK_CHANGE_PROTECTION, A, A + PG);
	else
		expect_silent(c, "a write racing with an unprotect may fault");
}

/* uffd-stress on anon: an unprotect of two pages begins while a protect of
 * them is in flight; the protect's change_protection() returns first but
 * reached page A after the unprotect did.  A's next write faults on the
 * uffd-wp bit: a WP fault, not a write bit the unprotect lost (#14). */
static void protect_lands_last(void)
{
	const __u32 protector = 401, resolver = 402;
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	s_writeprotect(&s, FD, A, A + 2 * PG, false);
	s_write_fault(&s, A, PF_USER_WRITE);		/* dirty, exclusive again */
	s.tid = protector;
	s_writeprotect_begin(&s, FD, A, A + 2 * PG, true);
	s.tid = resolver;
	s_writeprotect_begin(&s, FD, A, A + 2 * PG, false);
	s.tid = protector;
	s_cp(&s, A, A + 2 * PG, UFFDWP_MM_CP_UFFD_WP);
	s_pte(&s, A, A + PG, PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY, HOOK_CHANGE_PROTECTION);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + 2 * PG, UFFD_WP_MODE_WP, 0);
	s.tid = resolver;
	s_cp(&s, A, A + 2 * PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + 2 * PG, 0, 0);
	s.tid = 0;
	s_write_fault(&s, A, PF_PROT_WRITE);
	s_handle_userfault(&s, A);
	expect_silent(c, "a protect that reached the PTE after a racing unprotect: the write faults");
}

enum forked_uffd_case {
	CHILD_FAULTS,		/* the copy protected the child's page */
	PARENT_FAULTS,		/* ... and not the parent's */
	FD_REUSED,		/* the forked uffd's fd closed, reused by the parent's own */
	MESSAGE_FIRST,		/* the fork message read before sched_process_fork */
};

/* The kernel selftests' events-wp (uffd-unit-tests.c, uffd_events_test_common()): the
 * parent resolves the child's faults with UFFDIO_COPY(MODE_WP) through the uffd that
 * UFFD_EVENT_FORK handed over; the copy protects the child's page, not the parent's. */
static void copy_through_forked_uffd(long what)
{
	struct synth s, ch;
	struct checker *c = checker_new();
	const int child_fd = 9;

	synth_init(&s, c, 0xffff888000008000ULL, 107, VMF_ANON, A, A + N16);
	s_open_api(&s, FD, UFFD_FEAT_EVENT_FORK);
	s_register(&s, FD, A, A + N16);
	if (what == MESSAGE_FIRST)
		s_message(&s, FD, UFFD_EVENT_FORK_MSG, child_fd);
	s_fork(&s, CHILD_MM, 207);
	ch = s;
	ch.mm = CHILD_MM;
	ch.pid = 207;
	if (what != MESSAGE_FIRST)
		s_message(&s, FD, UFFD_EVENT_FORK_MSG, child_fd);
	s_copy(&s, child_fd, A, PG, FILL_COPY, UFFD_COPY_MODE_WP);
	switch (what) {
	case MESSAGE_FIRST:
	case CHILD_FAULTS:
		s_write_fault(&ch, A, PF_PROT_WRITE);
		s_handle_userfault(&ch, A);
		expect_silent(c, what == MESSAGE_FIRST ?
			      "fork message read before the fork event: the copy is still the child's" :
			      "UFFDIO_COPY(MODE_WP) through a forked uffd protects the child");
		break;
	case PARENT_FAULTS:
		s_handle_userfault(&s, A);
		expect_one(c, "a forked uffd's copy leaves the parent unprotected", FIND_FALSE_WP,
			   HOOK_HANDLE_USERFAULT, A, A + PG);
		break;
	case FD_REUSED:
		s_open_api(&s, child_fd, 0);
		s_copy(&s, child_fd, A + PG, PG, FILL_COPY, UFFD_COPY_MODE_WP);
		s_handle_userfault(&s, A + PG);
		expect_silent(c, "a reused fd number is the parent's own uffd again");
		break;
	}
}

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

/*
 * bpf/faults.bpf.c does not record a write fault that repeats a recorded one
 * (same mm, thread and page, no other record between).  Its argument: such a
 * repeat changes neither the findings nor the model, whatever the two error
 * codes and the page's state.  Each case runs once with the repeat and once
 * without, with a fault of the same thread on another page in between.
 */
enum repeat_state {
	RS_UNPROTECTED_WANT_WRITE,	/* after an unprotect: a PROT fault is #14 */
	RS_PROTECTED_SYNC,
	RS_PROTECTED_ASYNC,
	RS_UNPOPULATED_SYNC,		/* PROTECTED_IF_POPULATED */
	RS_UNPOPULATED_ASYNC,
	RS_OTHER_THREAD_AWAITS,		/* another thread's unprotect walk is awaited */
};

static struct checker *repeat_setup(struct synth *s, long st)
{
	__u64 features = st == RS_PROTECTED_ASYNC || st == RS_UNPOPULATED_ASYNC ?
			 UFFD_FEAT_WP_ASYNC : 0;
	struct checker *c;

	if (st == RS_UNPOPULATED_SYNC || st == RS_UNPOPULATED_ASYNC) {
		c = checker_new();
		synth_init(s, c, 0xffff888000001000ULL, 100, VMF_ANON, A, A + N16);
		s_open_api(s, FD, features);
		s_register(s, FD, A, A + N16);
		s_writeprotect(s, FD, A, A + N16, true);
		return c;
	}
	c = protected_region(s, VMF_ANON, features, N16);
	if (st == RS_UNPROTECTED_WANT_WRITE)
		s_writeprotect(s, FD, A, A + N16, false);
	if (st == RS_OTHER_THREAD_AWAITS) {
		s->tid = 777;
		s_cp(s, A, A + N16, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
		s->tid = 0;
	}
	return c;
}

static bool same_findings(const struct checker *a, const struct checker *b)
{
	if (checker_nfindings(a) != checker_nfindings(b))
		return false;
	for (size_t i = 0; i < checker_nfindings(a); i++) {
		const struct finding *x = checker_finding(a, i), *y = checker_finding(b, i);

		if (x->cls != y->cls || x->start != y->start || x->end != y->end || x->hook != y->hook)
			return false;
	}
	return true;
}

static void fault_repeat(long st)
{
	static const __u64 codes[] = { PF_USER_WRITE, PF_PROT_WRITE };
	const __u64 p = A + 3 * PG, q = A + 5 * PG;
	unsigned same = 0, total = 0;
	size_t findings = 0;

	for (unsigned i = 0; i < 2; i++) {
		for (unsigned j = 0; j < 2; j++) {
			struct synth s1, s2;
			struct checker *c1 = repeat_setup(&s1, st), *c2 = repeat_setup(&s2, st);
			struct mm_state *m1, *m2;
			bool eq;

			s_write_fault(&s1, p, codes[i]);
			s_write_fault(&s1, q, codes[i]);
			s_write_fault(&s2, p, codes[i]);
			s_write_fault(&s2, q, codes[i]);
			s_write_fault(&s2, p + 8, codes[j]);	/* the repeat */
			m1 = model_find_mm(checker_model(c1), s1.mm);
			m2 = model_find_mm(checker_model(c2), s2.mm);
			eq = m1 && m2 && same_findings(c1, c2) &&
			     imap_get(m1->pages, p >> 12) == imap_get(m2->pages, p >> 12) &&
			     imap_get(m1->pages, q >> 12) == imap_get(m2->pages, q >> 12) &&
			     model_walk_awaited(m1, p) == model_walk_awaited(m2, p);
			if (!eq)
				tap_diag("state %ld, error codes %#llx then %#llx: %zu vs %zu findings",
					 st, (unsigned long long)codes[i], (unsigned long long)codes[j],
					 checker_nfindings(c1), checker_nfindings(c2));
			findings += checker_nfindings(c1);
			same += eq;
			total++;
			checker_free(c1);
			checker_free(c2);
		}
	}
	tap_ok(same == total, "state %ld: a repeated write fault changes no finding (%zu in all) "
	       "and no page (%u of %u code pairs)", st, findings, same, total);
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
