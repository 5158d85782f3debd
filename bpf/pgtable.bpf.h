/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ground truth: a bounded walk of a process's real page tables that reports
 * what the kernel actually left in the entries of a range, as EV_PTE_RUN
 * records (maximal runs of pages with equal decoded state).
 *
 * Records go out through emit.bpf.h.  Call
 *   pgtable_walk(mm, start, end, source_kind, hook);
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
 *                        PTE marker with PTE_MARKER_UFFD_WP (other markers:
 *                        SWAP alone), so UFFD_WP alone answers "protected?"
 *   HUGE                 with any of the above at PMD/PUD level
 * Cheap invariant for the checker (f1eb1bacfba9): PRESENT|WRITE|UFFD_WP, or
 * MIGRATION|WRITE|UFFD_WP, is a lost write-protection.
 *
 * Bounds: at most PGT_MAX_PTE_READS PTE reads, PGT_MAX_UPPER_READS reads of
 * upper-level entries (an empty upper entry or a huge leaf covers its whole
 * span with one read) and PGT_MAX_RUNS records per call.  When a bound
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
#define PGT_MAX_LEVELS		5
#define PGT_MAX_PTE_READS	512
#define PGT_MAX_UPPER_READS	128
#define PGT_MAX_RUNS		32

struct pgt_run {
	__u64 start;
	__u64 end;
	__u64 sample;
	__u32 state;
	__u32 level;		/* 0: no run open yet */
};

/*
 * The walk keeps, per level, the last table it descended into (its direct-map
 * address and the first address it maps), so consecutive pages cost one read
 * each and a descent is only repeated below the level where the range leaves
 * a table.  The top table (the pgd) covers every user address.
 */
struct pgt_walk {
	struct pgt_geom g;
	struct pgt_run run;
	__u64 table_va[PGT_MAX_LEVELS];		/* [level - 1]; 0 = none cached */
	__u64 table_start[PGT_MAX_LEVELS];
	__u64 mm;
	__u64 addr;		/* next page to observe */
	__u64 end;
	__u32 pte_reads;
	__u32 upper_reads;
	__u32 runs;		/* records emitted */
	__u16 source_kind;
	__u16 hook;
	__u8 capped;
};

/*
 * The walk state lives in a per-CPU map value, not on the stack: verifiers
 * since 6.7 re-verify a bpf_loop() callback until its state converges, and
 * counters kept on the stack are exact constants that never converge; map
 * values are unknown scalars.  bpf_loop() takes a stack context, so the
 * callback gets a pointer to the map value through it.
 */
struct pgt_scratch {
	struct pgt_walk walk;
	__u32 busy;		/* a walk is running on this CPU (nested hook) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pgt_scratch);
} pgt_scratch SEC(".maps");

struct pgt_loop_arg {
	struct pgt_walk *w;
};

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

static __always_inline __u64 pgt_entry_span(__u32 level)
{
	return 1ULL << arch_level_shift(level);
}

static __always_inline void pgt_emit_run(struct pgt_walk *w, __u8 capped)
{
	struct uffdwp_event *e;

	w->runs++;
	e = event_reserve(w->hook, EV_PTE_RUN);
	if (!e)
		return;
	e->mm = w->mm;
	e->start = w->run.start;
	e->end = w->run.end;
	e->u.run.state = w->run.state;
	e->u.run.source_kind = w->source_kind;
	e->u.run.level = w->run.level;
	e->u.run.capped = capped;
	e->u.run.sample = w->run.sample;
	e->u.run.lost_wp = pgtable_state_lost_wp(w->run.state);
	if (e->u.run.lost_wp)
		count_invariant_violation(w->hook);
	event_submit(e);
}

/* Add [start, end) with one state to the open run, or close the run and open
 * a new one.  Returns 1 when the record budget stops the walk. */
static __always_inline int pgt_add_span(struct pgt_walk *w, __u64 start, __u64 end,
					__u32 state, __u32 level, __u64 val)
{
	if (end > w->end || end <= start)	/* <=: wrapped past the top */
		end = w->end;
	if (w->run.level == level && w->run.state == state && w->run.end == start) {
		w->run.end = end;
		return 0;
	}
	if (w->run.level) {
		if (w->runs + 1 >= PGT_MAX_RUNS) {
			w->capped = 1;	/* the open run is the last one, flagged */
			return 1;
		}
		pgt_emit_run(w, 0);
	}
	w->run.start = start;
	w->run.end = end;
	w->run.state = state;
	w->run.level = level;
	w->run.sample = val;
	return 0;
}

/* Spend one read of the per-call budget; 1 = exhausted, the walk stops. */
static __always_inline int pgt_charge_read(struct pgt_walk *w, __u32 level)
{
	__u32 *used = level == 1 ? &w->pte_reads : &w->upper_reads;
	__u32 limit = level == 1 ? PGT_MAX_PTE_READS : PGT_MAX_UPPER_READS;

	if (*used >= limit) {
		w->capped = 1;
		return 1;
	}
	(*used)++;
	return 0;
}

/* Read the entry for w->addr in the cached table of @level (a constant after
 * unrolling): descend into the next table, or report the page / the whole
 * span of an empty entry or huge leaf.  Returns 1 to stop the walk. */
static __always_inline int pgt_step_at(struct pgt_walk *w, __u32 level)
{
	__u64 val = 0, span = pgt_entry_span(level), span_end;

	if (pgt_charge_read(w, level))
		return 1;
	if (bpf_probe_read_kernel(&val, sizeof(val),
				  (void *)(w->table_va[level - 1] +
					   arch_entry_index(w->addr, level) * 8))) {
		w->capped = 1;
		return 1;
	}
	if (level > 1 && !arch_entry_none(val) && arch_entry_is_table(val, level)) {
		w->table_va[level - 2] = w->g.dmap_base + arch_entry_table_pa(&w->g, val);
		w->table_start[level - 2] = w->addr & ~(span - 1);
		return 0;
	}
	span_end = (w->addr & ~(span - 1)) + span;
	if (pgt_add_span(w, w->addr, span_end, arch_entry_decode(&w->g, val, level), level, val))
		return 1;
	w->addr = span_end;
	return 0;
}

static __always_inline int pgt_table_covers(struct pgt_walk *w, __u32 level)
{
	/* A table at @level maps 512 entries of pgt_entry_span(level). */
	return w->table_va[level - 1] &&
	       w->addr - w->table_start[level - 1] < (pgt_entry_span(level) << 9);
}

static int pgt_walk_step(__u32 index, void *data)
{
	struct pgt_walk *w = ((struct pgt_loop_arg *)data)->w;

	if (w->addr >= w->end)
		return 1;
#pragma unroll
	for (__u32 level = 1; level < PGT_MAX_LEVELS; level++) {
		if (level < w->g.top_level && pgt_table_covers(w, level))
			return pgt_step_at(w, level);
	}
	if (w->g.top_level == 5)
		return pgt_step_at(w, 5);
	return pgt_step_at(w, 4);
}

static __always_inline void pgt_walk_init(struct pgt_walk *w, struct mm_struct *mm, __u64 start,
					  __u64 end, __u16 source_kind, __u16 hook)
{
	__builtin_memset(w, 0, sizeof(*w));
	w->mm = (__u64)mm;
	w->addr = start & ~(PGT_PAGE_SIZE - 1);
	w->end = (end + PGT_PAGE_SIZE - 1) & ~(PGT_PAGE_SIZE - 1);
	w->source_kind = source_kind;
	w->hook = hook;
}

/* Close the walk: the open run is the last record, flagged when the walk
 * stopped short; a walk stopped before its first page still says so. */
static __always_inline void pgt_walk_finish(struct pgt_walk *w)
{
	if (w->addr < w->end)
		w->capped = 1;
	if (!w->run.level && w->capped) {
		w->run.start = w->addr;
		w->run.end = w->addr;
	}
	if (w->run.level || w->capped)
		pgt_emit_run(w, w->capped);
}

/*
 * A global function: the verifier checks it once, on its own, with scalar
 * arguments, instead of inside every hook that calls it (6.1 refuses the
 * walk inlined into the change_protection/zap exit program).
 */
__noinline int pgtable_walk(__u64 mm, __u64 start, __u64 end, __u32 source_kind, __u32 hook)
{
	__u32 zero = 0;
	struct pgt_scratch *sc = bpf_map_lookup_elem(&pgt_scratch, &zero);
	struct pgt_loop_arg arg;
	struct pgt_walk *w;

	if (!sc || !mm || start >= end || hook >= HOOK_MAX)
		return -1;
	w = &sc->walk;
	if (sc->busy) {
		/* Nested on this CPU (a hook inside a hook): say so, do not clobber. */
		struct uffdwp_event *e = event_reserve(hook, EV_PTE_RUN);

		if (e) {
			e->mm = mm;
			e->start = e->end = start & ~(PGT_PAGE_SIZE - 1);
			e->u.run.source_kind = source_kind;
			e->u.run.capped = 1;
			event_submit(e);
		}
		return 1;
	}
	sc->busy = 1;
	pgt_walk_init(w, (struct mm_struct *)mm, start, end, source_kind, hook);
	if (arch_pgt_setup(&w->g, (struct mm_struct *)mm)) {
		sc->busy = 0;
		return -1;
	}
	if (w->g.top_level == 5)
		w->table_va[4] = w->g.pgd;
	else
		w->table_va[3] = w->g.pgd;
	arg.w = w;
	/* Each step reads one entry or stops; +1 lets a step notice an exhausted budget. */
	bpf_loop(PGT_MAX_PTE_READS + PGT_MAX_UPPER_READS + 1, pgt_walk_step, &arg, 0);
	pgt_walk_finish(w);
	sc->busy = 0;
	return w->runs;
}

#endif /* UFFDWP_PGTABLE_BPF_H */
