// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-function hooks (change_protection, migration, zap, handle_userfault)
 * and the migration tracepoints that carry the PTE value itself.
 *
 * The function hooks are declared once as SEC("kprobe")/SEC("kretprobe")
 * programs; the loader turns each into fentry/fexit when the kernel allows
 * it and sets the attach target it found (src/loader/hooks.c).  Entry
 * stashes the arguments, exit reports and walks the page tables.
 */
#include "uffdwp.bpf.h"
#include "pgtable.bpf.h"
#include "sys_stash.bpf.h"
#include "call_stash.bpf.h"
#include "core_fixes.bpf.h"

/* ------------------------------------------------------------------ */
/* Kernel function hooks: entry stashes the arguments, exit reports.   */
/* ------------------------------------------------------------------ */

/* The VMA a hook works on, whichever argument carries it. */
static __always_inline struct vm_area_struct *call_vma(struct call_stash *s)
{
	/* locals first: BPF_CORE_READ() would relocate the s->role[] access too */
	struct vm_area_struct *vma = (struct vm_area_struct *)s->role[ROLE_VMA];
	struct vm_fault *vmf = (struct vm_fault *)s->role[ROLE_VMF];
	struct page_vma_mapped_walk *pvmw = (struct page_vma_mapped_walk *)s->role[ROLE_PVMW];

	if (vma)
		return vma;
	if (vmf)
		return BPF_CORE_READ(vmf, vma);
	if (pvmw)
		return BPF_CORE_READ(pvmw, vma);
	return NULL;
}

/* Whether the call works on a traced mm or comes from a traced thread (the
 * VMA's mm: kcompactd's migrations, another process's hole punch). */
static __always_inline bool call_is_traced(struct call_stash *s)
{
	struct vm_area_struct *vma = call_vma(s);

	if (vma && mm_is_traced((__u64)BPF_CORE_READ(vma, vm_mm)))
		return true;
	return traced_current() != NULL;
}

/* The call's arguments by role; whether it is traced. */
static __always_inline bool read_call(void *ctx, __u32 hook, struct call_stash *s)
{
#pragma unroll
	for (int r = 0; r < ROLE_MAX; r++)
		s->role[r] = func_arg(ctx, hook, r);
	return call_is_traced(s);
}

/* A stash the thread's last call left unreported: every exit program skipped
 * it. */
static __always_inline void count_unreported(const struct call_stash *old, __u32 hook)
{
	if (old->busy && !old->copies.done && counts_skipped_calls(hook))
		count_lost(hook, LOST_SKIPPED);
}

static __always_inline int on_func_enter(void *ctx, __u32 hook, __u32 copy)
{
	struct call_stash s = { .copies.enter_pending = copies_after(copy, func_copies(hook)),
				.busy = 1 };
	struct call_stash *old = call_stash_current(hook);

	if (old && copies_enter_stashed(&old->copies, copy))
		return 0;
	if (!read_call(ctx, hook, &s)) {
		if (old) {
			count_unreported(old, hook);
			call_stash_free(old);
		}
		return 0;
	}
	/* A traced call: its slot, made if need be, asked again (6.1's lookup
	 * fails while another program holds task storage on this CPU). */
	old = call_stash_slot(hook, true);
	if (!old) {
		/* the record is lost: where this hook counts its skips, the
		 * exit finding no stash counts it (one count, not two) */
		if (!counts_skipped_calls(hook))
			count_lost(hook, LOST_TABLE);
		return 0;
	}
	if (old->busy && copies_enter_stashed(&old->copies, copy))
		return 0;
	count_unreported(old, hook);
	*old = s;
	return 0;
}

/*
 * An exit program with no stash of its call: the entry programs all skipped
 * it.  Counted by the first exit program to run, which leaves a done mark for
 * the later ones, where this hook counts (counts_skipped_calls()).
 */
static __always_inline int exit_without_stash(void *ctx, __u32 hook, __u32 copy)
{
	struct call_stash now = {}, *stale;

	if (!counts_skipped_calls(hook))
		return 0;
	/* every untraced call of the system comes here: the VMA's roles only */
	now.role[ROLE_VMA] = func_arg(ctx, hook, ROLE_VMA);
	now.role[ROLE_VMF] = func_arg(ctx, hook, ROLE_VMF);
	now.role[ROLE_PVMW] = func_arg(ctx, hook, ROLE_PVMW);
	if (!call_is_traced(&now))
		return 0;
	count_lost(hook, LOST_SKIPPED);
	if (copies_after(copy, func_copies(hook))) {
		call_stash_mark_done(hook, copies_after(copy, func_copies(hook)));
	} else {
		stale = call_stash_current(hook);
		if (stale)
			call_stash_free(stale);
	}
	return 0;
}

static __always_inline void fill_range(struct uffdwp_event *e, struct call_stash *s)
{
	e->start = s->role[ROLE_START];
	e->end = s->role[ROLE_END] ? s->role[ROLE_END] : e->start + s->role[ROLE_SIZE];
}

static __always_inline void report_change_protection(struct uffdwp_event *e, struct call_stash *s,
						      struct vm_area_struct *vma, __u32 variant)
{
	fill_range(e, s);
	/* change_huge_pmd() covers the one PMD at addr */
	if (variant == CP_HUGE_PMD)
		e->end = e->start + (1UL << 21);
	e->u.cp.cp_flags = s->role[ROLE_FLAGS];
	e->u.cp.variant = variant;
	e->u.cp.vm_page_prot = BPF_CORE_READ(vma, vm_page_prot.pgprot);
}

static __always_inline void report_zap(struct uffdwp_event *e, struct call_stash *s)
{
	struct zap_details *details = (struct zap_details *)s->role[ROLE_DETAILS];

	fill_range(e, s);
	if (details) {
		e->u.zap.has_details = 1;
		e->u.zap.zap_flags = BPF_CORE_READ(details, zap_flags);
		e->u.zap.even_cows = zap_details_even_cows(details);
	}
	e->u.zap.in_mremap = current_in_mremap();
}

/* unmap_hugepage_range(vma, start, end, ref_page, zap_flags): the flags come
 * as an argument, not in a zap_details; reported as a zap with details, so
 * that ZAP_FLAG_DROP_MARKER (truncate) and 0 (hole punch) tell apart. */
static __always_inline void report_zap_hugetlb(struct uffdwp_event *e, struct call_stash *s)
{
	fill_range(e, s);
	e->u.zap.has_details = 1;
	e->u.zap.zap_flags = s->role[ROLE_FLAGS];
	e->u.zap.in_mremap = current_in_mremap();
}

/* A migration entry or the entry that replaced it, decoded here: only the
 * kernel side knows this kernel's swap-entry type numbers. */
static __always_inline void report_migration_entry(struct uffdwp_event *e, __u32 where,
						   __u64 entry, int order)
{
	__u32 level = order >= 9 ? 2 : 1;

	e->u.mig.pte = entry;
	e->u.mig.where = where;
	e->u.mig.order = order;
	e->u.mig.state = pgtable_decode_entry(entry, level);
	if (where == MIG_SET_PTE || where == MIG_SET_PMD)
		e->u.mig.state |= PTE_ST_MIGRATION;
	e->u.mig.lost_wp = pgtable_state_lost_wp(e->u.mig.state);
	if (e->u.mig.lost_wp)
		count_invariant_violation(e->hook);
}

/* remove_migration_pmd / set_pmd_migration_entry: the PMD as left by the call. */
static __always_inline void report_migration_pmd(struct uffdwp_event *e, struct call_stash *s,
						 __u32 where)
{
	struct page_vma_mapped_walk *pvmw = (struct page_vma_mapped_walk *)s->role[ROLE_PVMW];
	pmd_t *pmdp = BPF_CORE_READ(pvmw, pmd);
	pmd_t pmd = {};

	bpf_probe_read_kernel(&pmd, sizeof(pmd), pmdp);
	e->start = BPF_CORE_READ(pvmw, address);
	e->end = e->start + (1UL << 21);
	report_migration_entry(e, where, pmd.pmd, 9);
}

/* Where a hook's exit walks the page tables: after the state changed.
 * NUMA hinting (PROT_NONE), zaps that drop markers on purpose (munmap,
 * exit: ZAP_FLAG_DROP_MARKER) and zaps of an anonymous VMA no userfaultfd
 * holds (zap_leaves_nothing_to_judge()) have nothing to confirm. */
static __always_inline bool exit_walks(__u32 hook, struct call_stash *s)
{
	struct zap_details *details;

	switch (hook) {
	case HOOK_CHANGE_PROTECTION:
		return !(s->role[ROLE_FLAGS] & UFFDWP_MM_CP_PROT_NUMA);
	case HOOK_ZAP:
		details = (struct zap_details *)s->role[ROLE_DETAILS];
		if (details && (BPF_CORE_READ(details, zap_flags) & UFFDWP_ZAP_FLAG_DROP_MARKER))
			return false;
		return !zap_leaves_nothing_to_judge(call_vma(s));
	case HOOK_ZAP_HUGETLB:
		return !(s->role[ROLE_FLAGS] & UFFDWP_ZAP_FLAG_DROP_MARKER);
	case HOOK_MIGRATION_PTE:	/* function fallback: no PTE value in the record */
		return true;
	}
	return false;
}

static __always_inline int on_func_exit(void *ctx, __u32 hook, __u32 copy)
{
	struct call_stash *s = call_stash_current(hook);
	struct vm_area_struct *vma;
	struct uffdwp_event *e;
	__u32 kind;

	if (s && s->copies.done) {
		/* an earlier exit program of this call reported it, or counted it */
		if (copy > 0 && s->copies.exit_pending) {
			if (copies_exit_done(&s->copies))
				call_stash_free(s);
			return 0;
		}
		/* else a mark left by the thread's last call, that no entry of
		 * this one replaced */
		s = NULL;
	}
	if (!s)
		return exit_without_stash(ctx, hook, copy);
	switch (hook) {
	case HOOK_CHANGE_PROTECTION:
	case HOOK_HUGETLB_CHANGE_PROTECTION:
	case HOOK_CHANGE_HUGE_PMD:
		kind = EV_CHANGE_PROTECTION;
		break;
	case HOOK_ZAP:
	case HOOK_ZAP_HUGETLB:
		kind = EV_ZAP;
		break;
	default:
		kind = EV_MIGRATION_PTE;
	}
	vma = call_vma(s);
	e = event_reserve(hook, kind);
	if (!e)
		goto walk;
	event_set_vma(e, vma);
	e->ret = func_ret(ctx, hook);
	switch (hook) {
	case HOOK_CHANGE_PROTECTION:
		report_change_protection(e, s, vma, CP_PTE);
		break;
	case HOOK_HUGETLB_CHANGE_PROTECTION:
		report_change_protection(e, s, vma, CP_HUGETLB);
		break;
	case HOOK_CHANGE_HUGE_PMD:
		report_change_protection(e, s, vma, CP_HUGE_PMD);
		break;
	case HOOK_ZAP:
		report_zap(e, s);
		break;
	case HOOK_ZAP_HUGETLB:
		report_zap_hugetlb(e, s);
		break;
	case HOOK_MIGRATION_PTE:
		/* function fallback: the tracepoint would carry the PTE value */
		e->start = s->role[ROLE_START];
		e->end = e->start + 4096;
		e->u.mig.where = MIG_REMOVE_PTE;
		break;
	case HOOK_MIGRATION_PMD:
		report_migration_pmd(e, s, MIG_REMOVE_PMD);
		break;
	case HOOK_SET_MIGRATION_PMD:
		report_migration_pmd(e, s, MIG_SET_PMD);
		break;
	}
	event_submit(e);
walk:
	if (exit_walks(hook, s)) {
		__u64 start = s->role[ROLE_START];
		__u64 end = s->role[ROLE_END] ? s->role[ROLE_END] : start + PGT_PAGE_SIZE;

		pgtable_walk((__u64)BPF_CORE_READ(vma, vm_mm), start, end, kind, hook);
	}
	if (copies_exit_reported(&s->copies, copy, func_copies(hook)))
		call_stash_free(s);
	return 0;
}

/* func_copies() entry and exit programs per hooked function (struct call_stash):
 * FUNC_HOOK's two, FUNC_HOOK_THIRD's third. */
#define FUNC_HOOK(name, hook)						\
SEC("kprobe") int name##_enter(void *ctx) { return on_func_enter(ctx, hook, 0); } \
SEC("kprobe") int name##_enter_second(void *ctx) { return on_func_enter(ctx, hook, 1); } \
SEC("kretprobe") int name##_exit(void *ctx) { return on_func_exit(ctx, hook, 0); } \
SEC("kretprobe") int name##_exit_second(void *ctx) { return on_func_exit(ctx, hook, 1); }
#define FUNC_HOOK_THIRD(name, hook)					\
SEC("kprobe") int name##_enter_third(void *ctx) { return on_func_enter(ctx, hook, 2); } \
SEC("kretprobe") int name##_exit_third(void *ctx) { return on_func_exit(ctx, hook, 2); }

FUNC_HOOK(change_protection, HOOK_CHANGE_PROTECTION)
FUNC_HOOK(hugetlb_change_protection, HOOK_HUGETLB_CHANGE_PROTECTION)
FUNC_HOOK(change_huge_pmd, HOOK_CHANGE_HUGE_PMD)
FUNC_HOOK(remove_migration_pte, HOOK_MIGRATION_PTE)
FUNC_HOOK(remove_migration_pmd, HOOK_MIGRATION_PMD)
FUNC_HOOK(set_pmd_migration_entry, HOOK_SET_MIGRATION_PMD)
FUNC_HOOK(zap, HOOK_ZAP)
FUNC_HOOK_THIRD(zap, HOOK_ZAP)
FUNC_HOOK(zap_hugetlb, HOOK_ZAP_HUGETLB)

/* handle_userfault's mark for the later copies of the call copy @copy
 * reported (no slot: they report it again). */
static __always_inline void mark_fault_reported(__u64 vmf, __u64 addr, __u64 nvcsw, __u32 copy)
{
	struct call_stash *mark = call_stash_slot(HOOK_HANDLE_USERFAULT, true);

	if (!mark)
		return;
	mark->busy = 1;
	mark->copies = (struct stash_copies){ .done = 1 };
	mark->ran = 1 << copy;
	mark->nvcsw = nvcsw;
	mark->role[ROLE_VMF] = vmf;
	mark->role[ROLE_START] = addr;
}

/*
 * handle_userfault() may sleep until the fault is resolved: report at entry,
 * by the first of its copies to run; it leaves a mark (struct call_stash) that
 * the later ones find, and the last frees.  A copy skipped where another
 * recorded the call costs nothing: counted in skips_covered, by the first to
 * run (the copies before it), a later one (the copies between), or whoever
 * finds the mark left, the thread's next fault or its exit (the copies
 * after).  The loader takes those from each copy's recursion_misses: what is
 * left, in the copy that has least, bounds the calls every copy skipped (with
 * only the skips of untraced processes' faults over).  A mark found late
 * (with --each, by a thread that outlived its run) credits the run it is
 * found in.
 */
static __always_inline int on_handle_userfault(void *ctx, __u32 copy)
{
	struct vm_fault *vmf = (struct vm_fault *)func_arg(ctx, HOOK_HANDLE_USERFAULT, ROLE_VMF);
	struct vm_area_struct *vma = BPF_CORE_READ(vmf, vma);
	__u64 reason = func_arg(ctx, HOOK_HANDLE_USERFAULT, ROLE_FLAGS);
	__u32 copies = func_copies(HOOK_HANDLE_USERFAULT);
	__u64 nvcsw = bpf_get_current_task_btf()->nvcsw;
	__u64 addr = BPF_CORE_READ(vmf, address);
	struct call_stash *mark = call_stash_current(HOOK_HANDLE_USERFAULT);
	struct uffdwp_event *e;

	if (!mm_is_traced((__u64)BPF_CORE_READ(vma, vm_mm)) && !traced_current())
		return 0;
	/* this call's only where no copy from this one on ran for it: a fault
	 * that did not sleep (SIGBUS mode, resolved meanwhile) keeps nvcsw */
	if (copy > 0 && mark && mark->copies.done && !(mark->ran >> copy) &&
	    mark->role[ROLE_VMF] == (__u64)vmf && mark->role[ROLE_START] == addr &&
	    mark->nvcsw == nvcsw) {
		/* this call's: an earlier copy reported it */
		count_skips_covered(HOOK_HANDLE_USERFAULT, last_ran(mark->ran) + 1, copy);
		mark->ran |= 1 << copy;
		if (!copies_after(copy, copies))
			call_stash_free(mark);
		return 0;
	}
	if (mark) {	/* the thread's last fault's */
		forget_fault_mark(mark);
		call_stash_free(mark);
	}
	count_skips_covered(HOOK_HANDLE_USERFAULT, 0, copy);
	if (copies_after(copy, copies))
		mark_fault_reported((__u64)vmf, addr, nvcsw, copy);
	e = event_reserve(HOOK_HANDLE_USERFAULT, EV_HANDLE_USERFAULT);
	if (!e)
		return 0;
	event_set_vma(e, vma);
	e->start = addr;
	e->end = e->start + 4096;
	e->u.fault.reason = reason;
	e->u.fault.fault_flags = BPF_CORE_READ(vmf, flags);
	event_submit(e);
	/* the faulting entry: evidence for a WP fault the model did not expect
	 * (missing and minor faults have an empty or unmapped entry to show) */
	if (!(reason & UFFDWP_VM_UFFD_WP))
		return 0;
	addr &= ~(PGT_PAGE_SIZE - 1);
	pgtable_walk((__u64)BPF_CORE_READ(vma, vm_mm), addr, addr + PGT_PAGE_SIZE,
		     EV_HANDLE_USERFAULT, HOOK_HANDLE_USERFAULT);
	return 0;
}

SEC("kprobe")
int handle_userfault_enter(void *ctx)
{
	return on_handle_userfault(ctx, 0);
}

SEC("kprobe")
int handle_userfault_enter_second(void *ctx)
{
	return on_handle_userfault(ctx, 1);
}

SEC("kprobe")
int handle_userfault_enter_third(void *ctx)
{
	return on_handle_userfault(ctx, 2);
}

/* ------------------------------------------------------------------ */
/* Migration tracepoints (5.19+): they carry the PTE value itself.     */
/* ------------------------------------------------------------------ */

static __always_inline int on_migration_tp(__u32 hook, __u32 where, __u64 addr, __u64 pte, int order)
{
	struct uffdwp_event *e;

	if (!traced_current())
		return 0;
	e = event_reserve(hook, EV_MIGRATION_PTE);
	if (!e)
		return 0;
	e->start = addr;
	e->end = addr + (4096UL << order);
	report_migration_entry(e, where, pte, order);
	event_submit(e);
	return 0;
}

SEC("tp_btf/set_migration_pte")
int BPF_PROG(set_migration_pte_tp, unsigned long addr, unsigned long pte, int order)
{
	return on_migration_tp(HOOK_SET_MIGRATION_PTE, MIG_SET_PTE, addr, pte, order);
}

SEC("tp_btf/remove_migration_pte")
int BPF_PROG(remove_migration_pte_tp, unsigned long addr, unsigned long pte, int order)
{
	return on_migration_tp(HOOK_MIGRATION_PTE, MIG_REMOVE_PTE, addr, pte, order);
}
