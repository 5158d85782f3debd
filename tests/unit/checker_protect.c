// SPDX-License-Identifier: GPL-2.0
/*
 * test_checker's cases of protect and unprotect: #14's lost write bit and the
 * faults that are no finding after an unprotect, races between protects,
 * unprotects and writes, the snapshot client, WP_ASYNC and PAGEMAP_SCAN,
 * re-registration, RWP's bit, and repeated write faults.
 */
#include "synth.h"
#include "tap.h"
#include "report/findings.h"
#include "checker_cases.h"

/*
 * No change_protection hook (the 6.18 host): an unprotect's return, then its
 * syscall-exit walk.  Another thread's write that met the old PTE enters its
 * fault between the two (QEMU's background snapshot: the vCPU 2.3 us after
 * the return).  Not a lost write bit when the walk shows the PTE writable; the
 * walk showing it read-only still is one, and the unprotecting thread's own
 * write fault right after its return is judged at once.
 */
void unprotect_return_races_write(long which)
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

/* #14 (931298e103c2, still in 6.1): unprotect leaves the PTE read-only. */
void bug14_lost_write_bit(long buggy)
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
void bug14_walk(long buggy)
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
void zero_page_after_split(void)
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
void bug14_register_walk_mremap(long buggy)
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
void lost_write_bit_negatives(void)
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
void snapshot_client(void)
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
void async_mode(void)
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
void walk_stopped_before_first_entry(void)
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
void pm_scan_dirty(long how)
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

/* A WP_ASYNC region; page 0 poisoned, reported written by a WP_MATCHING scan,
 * zapped, and the entry found @after_zap. */
static struct checker *poisoned_scanned_zapped(struct synth *s, __u64 vm_flags, __u32 after_zap)
{
	static const __u64 page0[][2] = { { A, A + PG } };
	struct checker *c = checker_new();

	synth_init(s, c, 0xffff888000001000ULL, 100, vm_flags, A, A + N16);
	s_open_api(s, FD, UFFD_FEAT_WP_ASYNC | UFFD_FEAT_WP_UNPOPULATED);
	s_register(s, FD, A, A + N16);
	s_cp(s, A, A, 0);	/* a kernel hook: the VMA's flags */
	s_copy(s, FD, A, PG, FILL_POISON, 0);
	s_pm_scan(s, A, A + N16, true, NULL, 0, 0);
	s_pm_scan(s, A, A + N16, false, page0, 1, 1);
	s_zap(s, A, A + PG);
	s_pte(s, A, A + PG, after_zap, HOOK_ZAP);
	return c;
}

/*
 * PM_SCAN_WP_MATCHING over a page UFFDIO_POISON filled: the poison marker is
 * reported written, and make_uffd_wp_huge_pte() leaves a hugetlb one alone,
 * so a later zap owes no uffd-wp marker there (7.3, seed 9 sequence 3871 was
 * a false DROPPED_MARKER); a PTE-level one takes the swap uffd-wp bit and its
 * zap leaves a uffd-wp marker, owed.
 */
void pm_scan_poisoned(long vm_flags)
{
	bool hugetlb = vm_flags & UFFDWP_VM_HUGETLB;
	struct checker *c;
	struct synth s;

	c = poisoned_scanned_zapped(&s, vm_flags, hugetlb ? PTE_ST_NONE : PTE_ST_MARKER_WP);
	expect_silent(c, hugetlb ? "a scan over a hugetlb poison marker protects nothing" :
				   "a scan over a PTE poison marker protects it");
	if (hugetlb)
		return;
	/* the PTE-level one is owed its marker */
	c = poisoned_scanned_zapped(&s, vm_flags, PTE_ST_NONE);
	expect_one(c, "a PTE poison marker scanned, then zapped to none", FIND_DROPPED_MARKER,
		   HOOK_ZAP, A, A + PG);
}

/*
 * Re-registration never touches PTEs (userfaultfd_register()): REGISTER(WP)
 * again is skipped, REGISTER(WP|MISSING) only changes the VMA's flags, so
 * both keep the protection; a register that drops WP (REGISTER(MISSING) over
 * a WP-only range, 6.1/6.12) leaves the bits in a VMA not registered for WP,
 * which is FALSE_WP.
 */
void reregister(long how)
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
void rwp_shared_bit(void)
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

/* Two threads, as uffd-stress and the 6.1 selftest run them: records are
 * ordered by when each was written, not by when the PTEs changed. */
void concurrent_writeprotect(long race)
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

/* The 6.1 selftest `userfaultfd hugetlb 16 4` (a CI run, session 19): 6.1's
 * change_protection() calls hugetlb_change_protection(), so a protect ends
 * twice; a resolve of x began between the two, and the second's walk still
 * saw x's bit.  The resolve, in flight, cleared it; a writer's WP fault,
 * taken on the bit just before, walked x without it.  No LOST_WP: the
 * resolve had not applied. */
void walk_inside_unapplied_resolve(void)
{
	const __u32 protector = 201, handler = 202, writer = 203;
	const __u64 x = A + 3 * PG;
	struct synth s;
	struct checker *c = protected_region(&s, VMF_ANON, 0, N16);

	for (__u64 a = A; a < A + N16; a += PG)
		s_pte(&s, a, a + PG, PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY,
		      HOOK_CHANGE_PROTECTION);
	s.tid = protector;
	s_writeprotect_begin(&s, FD, A, A + N16, true);
	s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP);
	s.tid = handler;
	s_writeprotect_begin(&s, FD, x, x + PG, false);
	s.tid = protector;
	s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP);
	s_pte(&s, A, A + N16, PTE_ST_PRESENT | PTE_ST_UFFD_WP | PTE_ST_DIRTY,
	      HOOK_CHANGE_PROTECTION);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N16, UFFD_WP_MODE_WP, 0);
	s.tid = writer;
	s_write_fault(&s, x, PF_PROT_WRITE);
	s_handle_userfault(&s, x);
	s_pte(&s, x, x + PG, PTE_ST_PRESENT | PTE_ST_DIRTY, HOOK_HANDLE_USERFAULT);
	s.tid = handler;
	s_cp(&s, x, x + PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s_pte(&s, x, x + PG, PTE_ST_PRESENT | PTE_ST_DIRTY | PTE_ST_WRITE, HOOK_CHANGE_PROTECTION);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, x, x + PG, 0, 0);
	/* the other pages stay protected: losing one is still found */
	s_pte(&s, A, A + PG, PTE_ST_PRESENT | PTE_ST_WRITE | PTE_ST_DIRTY, HOOK_CHANGE_PROTECTION);
	expect_one(c, "a walk inside a resolve not yet applied decides nothing", FIND_LOST_WP,
		   HOOK_CHANGE_PROTECTION, A, A + PG);
}

/* uffd-stress on 6.12: a write racing with an unprotect faults on the still
 * read-only PTE; only a fault after the unprotect ended is #14's.  On 6.1
 * the walk at the unprotect's end still finds #14. */
void write_racing_unprotect(long race)
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
void protect_lands_last(void)
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

/*
 * Debian 6.1, selftests/vm/userfaultfd shmem 8 4 (src/model/overtaken.c): the
 * background thread protects its range while a handler unprotects page A of
 * it; the handler's change_protection() return is recorded before the
 * protect's walk reports A, which it read with the bit, before the unprotect.
 * That run is older than the model's A: A is not decided by it, and the
 * handler's walk of A, unprotected and written, is no LOST_WP.  The rest of
 * the protect's run is still judged.
 */
void walk_overtaken(long which)
{
	const __u32 protector = 601, resolver = 602;
	const __u32 dirty = PTE_ST_PRESENT | PTE_ST_DIRTY;
	struct synth s;
	struct checker *c = protected_region(&s, VMF_SHMEM, 0, N16);

	s.tid = protector;
	s_writeprotect_begin(&s, FD, A, A + N16, true);
	s.tid = resolver;
	s_wp_message(&s, FD, A);
	s_writeprotect_begin(&s, FD, A, A + PG, false);
	s.tid = protector;
	s_cp(&s, A, A + N16, UFFDWP_MM_CP_UFFD_WP);
	s.tid = resolver;
	s_cp(&s, A, A + PG, UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s.tid = protector;
	s_pte(&s, A, A + N16, dirty | (which == OT_REST_LOST ? PTE_ST_WRITE : PTE_ST_UFFD_WP),
	      HOOK_CHANGE_PROTECTION);
	s.tid = resolver;
	s_pte(&s, A, A + PG, dirty | PTE_ST_WRITE, HOOK_CHANGE_PROTECTION);
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + PG, 0, 0);
	s.tid = protector;
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N16, UFFD_WP_MODE_WP, 0);
	if (which == OT_REST_LOST)
		expect_one(c, "a protect's run without the bit, one page overtaken by an unprotect",
			   FIND_LOST_WP, HOOK_CHANGE_PROTECTION, A + PG, A + N16);
	else
		expect_silent(c, "a protect's walk overtaken by a racing unprotect's return");
}

/*
 * bpf/faults.bpf.c does not record a write fault that repeats a recorded one
 * (same mm, thread and page, no other record between).  Its argument: such a
 * repeat changes neither the findings nor the model, whatever the two error
 * codes and the page's state.  Each case runs once with the repeat and once
 * without, with a fault of the same thread on another page in between.
 */
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

void fault_repeat(long st)
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
