// SPDX-License-Identifier: GPL-2.0
/*
 * test_checker's cases of UFFDIO_COPY and UFFDIO_MOVE: MODE_WP copies (in
 * flight, resolved, re-copied, through a forked uffd) and moves of protected
 * pages.
 */
#include <errno.h>

#include "synth.h"
#include "tap.h"
#include "report/findings.h"
#include "checker_cases.h"

/* An anon region registered for WP by a fresh mm, nothing protected yet. */
static struct checker *registered_anon(struct synth *s, __u64 mm, __u32 pid)
{
	struct checker *c = checker_new();

	synth_init(s, c, mm, pid, VMF_ANON, A, A + N16);
	s_open_api(s, FD, 0);
	s_register(s, FD, A, A + N16);
	return c;
}

void copy_mode_wp(void)
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
void uffd_move(long which)
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
void copy_mode_wp_in_flight(void)
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
void copy_mode_wp_resolved_then_recopied(void)
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

/* The kernel selftests' events-wp (uffd-unit-tests.c, uffd_events_test_common()): the
 * parent resolves the child's faults with UFFDIO_COPY(MODE_WP) through the uffd that
 * UFFD_EVENT_FORK handed over; the copy protects the child's page, not the parent's. */
void copy_through_forked_uffd(long what)
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
