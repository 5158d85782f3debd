/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ground truth: a bounded walk of a process's real page tables that reports
 * what the kernel actually left in the entries of a range, as EV_PTE_RUN
 * records (maximal runs of pages with equal decoded state).
 *
 * Records go out through emit.bpf.h.  Call
 *   pgtable_walk(mm, start, end, source_kind, hook);	(pgtable.bpf.c)
 * It returns the number of runs emitted (records lost in event_reserve()
 * included), or -1 for no mm (kernel thread), an empty range, or tables that
 * cannot be reached (no mm->pgd, no direct-map base).  Also:
 *   pgtable_decode_entry(val, level)  PTE_ST_* of one raw entry a hook holds
 *   pgtable_state_lost_wp(state)      the f1eb1bacfba9 invariant, violated?
 * Loader knobs (all optional): see arch_x86.bpf.h.
 *
 * Record fields: start/end = the run, mm = the walked mm (not necessarily
 * current's), u.run.state = PTE_ST_*, u.run.level = level of the entries
 * (1 PTE, 2 PMD, 3 PUD, 4/5 for an empty P4D/PGD entry), u.run.sample = raw
 * value of the entry covering the run's first page, u.run.source_kind = the
 * caller's kind.  A run never spans two levels.  A walk stopped before its
 * first page emits one empty run (start = end, level 0, capped 1).
 *
 * State bits (decoding in arch_*.bpf.h), following the kernel's predicates:
 *   NONE                 pte_none() / an empty upper-level entry (skipped whole)
 *   PRESENT [WRITE] [DIRTY] [UFFD_WP]
 *                        pte_present(); DIRTY = pte_dirty() (6.6+: hardware or
 *                        saved dirty); PROT_NONE / NUMA-hinting entries count
 *                        as present (as pte_present() and pagemap do), their
 *                        WRITE bit is whatever the entry holds (normally clear)
 *   SWAP [UFFD_WP]       any other entry (is_swap_pte()), UFFD_WP from
 *                        pte_swp_uffd_wp()
 *   SWAP|MIGRATION [WRITE] [UFFD_WP]
 *                        migration entry; WRITE = SWP_MIGRATION_WRITE
 *   SWAP|MARKER_WP|UFFD_WP
 *                        PTE marker with PTE_MARKER_UFFD_WP, so UFFD_WP alone
 *                        answers "protected?"
 *   MARKER_OTHER [UFFD_WP]
 *                        any other PTE marker (poison, guard) or 6.1's
 *                        swapin-error entry: nothing mapped, no SWAP bit
 *   HUGE                 with any of the above at PMD/PUD level
 * Cheap invariant for the checker (f1eb1bacfba9): PRESENT|WRITE|UFFD_WP, or
 * MIGRATION|WRITE|UFFD_WP, is a lost write-protection.
 *
 * Bounds (pgtable.bpf.c): at most PGT_MAX_PTE_READS PTEs examined (2 GiB of
 * 4 KiB pages; a PTE table is copied whole when enough of it is in range),
 * PGT_MAX_UPPER_READS reads of upper-level entries (an empty upper entry or a
 * huge leaf covers its whole span with one read) and PGT_MAX_RUNS records per
 * call.  When a bound
 * stops the walk before @end, the last record has u.run.capped = 1 and its end
 * is where observation stopped: [that end, @end) was not looked at.  A failed
 * read of a table (freed under us: the walk takes no locks) stops the walk the
 * same way.
 */
#ifndef UFFDWP_PGTABLE_BPF_H
#define UFFDWP_PGTABLE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "event.h"
#include "emit.bpf.h"

#if defined(__TARGET_ARCH_x86)
#include "arch_x86.bpf.h"
#else
#error "pgtable.bpf.h: no page-table support for this architecture yet"
#endif

#define PGT_PAGE_SIZE		(1ULL << UFFDWP_PAGE_SHIFT)

/* Decode one raw entry that a hook already holds (e.g. the PTE value of the
 * migrate:set_migration_pte / remove_migration_pte tracepoints): level 1 for
 * a PTE, 2 for a PMD. */
static __always_inline __u32 pgtable_decode_entry(__u64 val, __u32 level)
{
	struct pgt_geom g = {};

	arch_decode_setup(&g);
	return arch_entry_decode(&g, val, level);
}

/* The invariant made explicit by f1eb1bacfba9: an entry never carries the
 * uffd-wp bit and the write permission together (a writable migration entry
 * restores a writable PTE). */
static __always_inline int pgtable_state_lost_wp(__u32 state)
{
	return (state & (PTE_ST_WRITE | PTE_ST_UFFD_WP)) == (PTE_ST_WRITE | PTE_ST_UFFD_WP) &&
	       (state & (PTE_ST_PRESENT | PTE_ST_MIGRATION));
}

/* The walk itself: pgtable.bpf.c. */
extern int pgtable_walk(__u64 mm, __u64 start, __u64 end, __u32 source_kind, __u32 hook);

#endif /* UFFDWP_PGTABLE_BPF_H */
