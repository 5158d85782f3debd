// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table walk declared in pgtable.bpf.h (what it reports, its bounds):
 * pgtable_walk(), a global function verified once on its own, its per-CPU
 * scratch state, and the arch_*.bpf.h knobs, defined once for the object.
 */
#include "pgtable.bpf.h"

#if defined(__TARGET_ARCH_x86)
/* arch_x86.bpf.h: loader knobs (0 = derive here) and the discovered base. */
const volatile __u64 uffdwp_page_offset_base = 0;
const volatile __u64 uffdwp_ksym_page_offset_base = 0;
const volatile __u64 uffdwp_ksym_physical_mask = 0;
const volatile __u32 uffdwp_swp_type_marker = 0;
const volatile __u32 uffdwp_swp_type_migration = 0;
__u64 uffdwp_pgt_dmap_base_cache = 0;
#endif

#define PGT_MAX_LEVELS		5
/*
 * Per-call bounds, sized so that a 1 GiB range of 4 KiB pages (262,144 PTEs,
 * 513 upper entries) is walked whole with room to spare: bpf_loop() makes the
 * step count a run-time bound (no unrolling), and the PTE entries come from a
 * copy of their table (one read per 512 entries), so the cost per page is a
 * loop step, and less for empty ones (pgt_none_run_end()).  PGT_MAX_RUNS
 * bounds the records of one walk (~0.5 MiB of ring).
 */
#define PGT_MAX_PTE_READS	(1U << 19)	/* PTE entries examined: 2 GiB */
#define PGT_MAX_UPPER_READS	4096
#define PGT_MAX_RUNS		4096
/* A PTE table is copied whole when at least this many of its entries are to
 * be examined; fewer are read one by one (a one-page walk reads 8 bytes). */
#define PGT_TABLE_COPY_MIN	16
#define PGT_TABLE_ENTRIES	512
/* Empty PTEs that follow an empty one in a table's copy, taken in the same
 * loop step (pgt_none_run_end()). */
#define PGT_NONE_RUN_STEP	32

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
	__u64 busy;		/* a walk holds this slot; 64 bits for xchg */
	__u64 pte_copy_va;	/* the PTE table pte_copy holds (0 = none); per walk */
	__u64 pte_copy[PGT_TABLE_ENTRIES];
};

/*
 * Walks under way on one CPU at once: where the programs can be preempted
 * (7.x's tracepoints; fentry programs, which run with migration but not
 * preemption disabled, on a fully preemptible kernel) a walk can be preempted
 * and other tasks on its CPU walk meanwhile.  With one slot a CPU, Debian
 * 7.3's snapshot scenario (writer threads, a monitor) had a walk find the
 * scratch taken and observe nothing (the matrix of 2026-12-05).  A walk that
 * finds every slot taken still says so (pgt_emit_unobserved()).
 */
#define PGT_SCRATCH_SLOTS 4	/* pgtable_walk() tries each by name */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PGT_SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct pgt_scratch);
} pgt_scratch SEC(".maps");

/* The pages every walk was asked for, counted in the kernel: the tracer sets
 * the pages its records cover (pages_verified) against them, so a walk that
 * stopped short, met a nested one or lost records shows as a shortfall. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WALK_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} walk_stats SEC(".maps");

struct pgt_loop_arg {
	struct pgt_walk *w;
	struct pgt_scratch *sc;
};

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

/* The PTE for w->addr from the copy of its table, copying the table first
 * when enough of it is left to examine.  Returns 1 when the entry was not
 * taken from a copy (the caller reads it alone). */
static __always_inline int pgt_pte_from_copy(struct pgt_walk *w, struct pgt_scratch *sc,
					     __u64 *val)
{
	__u64 table = w->table_va[0], idx = arch_entry_index(w->addr, 1);
	__u64 table_end = w->table_start[0] + (pgt_entry_span(1) << 9);
	__u64 last = w->end < table_end ? w->end : table_end;

	if (sc->pte_copy_va != table) {
		if (last - w->addr < PGT_TABLE_COPY_MIN * PGT_PAGE_SIZE)
			return 1;
		sc->pte_copy_va = 0;
		if (bpf_probe_read_kernel(sc->pte_copy, sizeof(sc->pte_copy), (void *)table))
			return 1;
		sc->pte_copy_va = table;
	}
	*val = sc->pte_copy[idx & (PGT_TABLE_ENTRIES - 1)];
	return 0;
}

/*
 * Past an empty PTE taken from its table's copy at @next - one page, the empty
 * PTEs that follow it in the copy, up to PGT_NONE_RUN_STEP, within the range,
 * the table and the read budget: the end of the empty span.  A zapped or never
 * populated range then costs a loop step per 33 pages, not per page (zap's
 * exit walk was 33 us a run in a Debian 6.1 TCG guest, 2026-12-05).
 */
static __always_inline __u64 pgt_none_run_end(struct pgt_walk *w, struct pgt_scratch *sc,
					      __u64 next)
{
	__u64 table_end = w->table_start[0] + (pgt_entry_span(1) << 9);
	__u64 last = w->end < table_end ? w->end : table_end;

	for (__u32 i = 0; i < PGT_NONE_RUN_STEP; i++) {
		if (next >= last || w->pte_reads >= PGT_MAX_PTE_READS ||
		    !arch_entry_none(sc->pte_copy[arch_entry_index(next, 1) & (PGT_TABLE_ENTRIES - 1)]))
			break;
		w->pte_reads++;
		next += PGT_PAGE_SIZE;
	}
	return next;
}

/* Read the entry for w->addr in the cached table of @level (a constant after
 * unrolling): descend into the next table, or report the page / the whole
 * span of an empty entry or huge leaf.  Returns 1 to stop the walk. */
static __always_inline int pgt_step_at(struct pgt_walk *w, struct pgt_scratch *sc, __u32 level)
{
	__u64 val = 0, span = pgt_entry_span(level), span_end;

	if (pgt_charge_read(w, level))
		return 1;
	if ((level != 1 || pgt_pte_from_copy(w, sc, &val)) &&
	    bpf_probe_read_kernel(&val, sizeof(val),
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
	if (level == 1 && arch_entry_none(val) && sc->pte_copy_va == w->table_va[0])
		span_end = pgt_none_run_end(w, sc, span_end);
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
	struct pgt_scratch *sc = ((struct pgt_loop_arg *)data)->sc;

	if (w->addr >= w->end)
		return 1;
#pragma unroll
	for (__u32 level = 1; level < PGT_MAX_LEVELS; level++) {
		if (level < w->g.top_level && pgt_table_covers(w, level))
			return pgt_step_at(w, sc, level);
	}
	if (w->g.top_level == 5)
		return pgt_step_at(w, sc, 5);
	return pgt_step_at(w, sc, 4);
}

/* A walk's range is whole pages: [pgt_page_floor(start), pgt_page_ceil(end)). */
static __always_inline __u64 pgt_page_floor(__u64 addr)
{
	return addr & ~(PGT_PAGE_SIZE - 1);
}

static __always_inline __u64 pgt_page_ceil(__u64 addr)
{
	return pgt_page_floor(addr + PGT_PAGE_SIZE - 1);
}

static __always_inline void pgt_walk_init(struct pgt_walk *w, struct mm_struct *mm, __u64 start,
					  __u64 end, __u16 source_kind, __u16 hook)
{
	__builtin_memset(w, 0, sizeof(*w));
	w->mm = (__u64)mm;
	w->addr = pgt_page_floor(start);
	w->end = pgt_page_ceil(end);
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
 * Slot @i of this CPU's scratch if no walk holds it, now held by the caller;
 * tested and taken in one xchg: a walk preempted between a plain test and its
 * set would let another task's walk on this CPU share the slot, each
 * clobbering the other's runs.  Nothing of a slot is read after its release.
 */
static __always_inline struct pgt_scratch *pgt_take_slot(__u32 i)
{
	struct pgt_scratch *slot = bpf_map_lookup_elem(&pgt_scratch, &i);

	return slot && !__sync_lock_test_and_set(&slot->busy, 1) ? slot : NULL;
}

/* One empty capped run at @start: a walk that could not look at its range. */
static __always_inline void pgt_emit_unobserved(__u64 mm, __u64 start, __u32 source_kind, __u32 hook)
{
	struct uffdwp_event *e = event_reserve(hook, EV_PTE_RUN);

	if (!e)
		return;
	e->mm = mm;
	e->start = e->end = pgt_page_floor(start);
	e->u.run.source_kind = source_kind;
	e->u.run.capped = 1;
	event_submit(e);
}

/*
 * A global function: the verifier checks it once, on its own, with scalar
 * arguments, instead of inside every hook that calls it (6.1 refuses the
 * walk inlined into the change_protection/zap exit program).
 */
__noinline int pgtable_walk(__u64 mm, __u64 start, __u64 end, __u32 source_kind, __u32 hook)
{
	__u32 pages_key = WALK_STAT_PAGES;
	struct pgt_scratch *sc;
	struct pgt_loop_arg arg;
	struct pgt_walk *w;
	__u64 *pages;
	int runs;

	if (!mm || start >= end || hook >= HOOK_MAX)
		return -1;
	pages = bpf_map_lookup_elem(&walk_stats, &pages_key);
	/* atomic: walks nest on a CPU (the slots below) and 7.x runs the
	 * programs preemptible */
	if (pages)
		__sync_fetch_and_add(pages, (pgt_page_ceil(end) - pgt_page_floor(start)) / PGT_PAGE_SIZE);
	/* the first free slot (clang 14 does not unroll a loop that breaks) */
	sc = pgt_take_slot(0);
	if (!sc)
		sc = pgt_take_slot(1);
	if (!sc)
		sc = pgt_take_slot(2);
	if (!sc)
		sc = pgt_take_slot(3);
	if (!sc) {
		/* Every slot held on this CPU (walks of preempted tasks, or a
		 * hook inside a hook): say so, do not clobber. */
		pgt_emit_unobserved(mm, start, source_kind, hook);
		return 1;
	}
	w = &sc->walk;
	sc->pte_copy_va = 0;	/* a copy from an earlier walk is stale */
	pgt_walk_init(w, (struct mm_struct *)mm, start, end, source_kind, hook);
	if (arch_pgt_setup(&w->g, (struct mm_struct *)mm)) {
		/* No way into the tables (no direct-map base found): the range
		 * was not observed, and the run must say so, not verify nothing. */
		if (w->g.pgd)
			pgt_emit_unobserved(mm, start, source_kind, hook);
		barrier();
		sc->busy = 0;
		return -1;
	}
	if (w->g.top_level == 5)
		w->table_va[4] = w->g.pgd;
	else
		w->table_va[3] = w->g.pgd;
	arg.w = w;
	arg.sc = sc;
	/* Each step examines at least one entry (charged) or stops; +1 lets a
	 * step notice an exhausted budget. */
	bpf_loop(PGT_MAX_PTE_READS + PGT_MAX_UPPER_READS + 1, pgt_walk_step, &arg, 0);
	pgt_walk_finish(w);
	runs = w->runs;
	barrier();
	sc->busy = 0;
	return runs;
}
