// SPDX-License-Identifier: GPL-2.0
/*
 * Write faults inside uffd-wp registered ranges (the page_fault_user
 * tracepoint): the faults a write-protected range is expected to take.
 *
 * One record per fault, except a repeat: a write fault of the same thread on
 * the same page of the same mm as its last recorded one, with no other record
 * (of any kind, on any CPU) ordered between the two, is counted and not
 * recorded (the last recorded fault per thread: struct wf_last).
 * Such a repeat changes nothing the model decides (src/model/observe.c
 * write_fault_page() and checker.c check_write_fault()):
 *  - the model applies a write fault to its page alone, from the page's
 *    state, its region and model_walk_awaited(); only records change the last
 *    two, and the recorded fault before it already ended its thread's
 *    awaited walk (model_apply()'s call_end() on any record of the thread);
 *  - applying write_fault_page() twice gives what applying it once gives,
 *    whatever the error codes: the first clears PG_WANT_WRITE unless a walk
 *    is awaited, sets POPULATED|WRITTEN, and leaves a page the second
 *    application maps to itself (UNPROTECTED stays so; a sync-mode
 *    PG_WP_FAULTED page stays PG_WP_FAULTED);
 *  - check_write_fault() raises only on PG_WANT_WRITE with no walk awaited,
 *    which the first application cleared.
 * Faults of other threads or pages in between do not matter (each touches
 * its own page; a thread remembers only its last, so a fault on another page
 * in between costs a record, never exactness).  So the model sees the
 * sequence it would see with every fault recorded, minus changeless repeats.
 *
 * "No other record ordered between": the record clock (emit.bpf.h) ticks in
 * its high half after every non-fault reserve and holds its low half non-zero
 * across it.  A recorded fault A reads the clock before its reserve (w0) and
 * after (w1); only if w0 == w1 with the low half zero was no non-fault record
 * reserved within A's reserve (a reserve R before A's but not yet counted
 * would have had the low half non-zero, or changed the clock), and A stores
 * w1.  A later fault F reads A's entry, then the clock: equal means no
 * non-fault reserve started and finished since A's read of w1 (the high half
 * would differ) and none is under way (the low half would not be zero).  So
 * every non-fault record is in the ring before A or after the place F's
 * record would have taken, and dropping F is exact.  Any new record kind goes
 * through event_reserve() and ticks the clock: it needs nothing here.
 */
#include "uffdwp.bpf.h"
#include "wp_ranges.bpf.h"
#include "faults.bpf.h"

#define X86_PF_WRITE (1UL << 1)

static __always_inline void wf_count(__u32 stat)
{
	__u64 *n = bpf_map_lookup_elem(&wf_stats, &stat);

	if (n)
		*n += 1;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(page_fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	__u64 *clock = record_clock_ptr();
	struct traced_task *t;
	struct uffdwp_event *e;
	struct wf_last *last;
	__u64 mm, page, w0, w1;

	if (!(error_code & X86_PF_WRITE) || !(t = traced_current()) || !in_wp_range(t, address))
		return 0;
	if (!clock)
		return 0;
	wf_count(WF_STAT_SEEN);
	mm = current_mm();
	page = address & ~4095UL;
	/* NULL (no memory, or the storage busy on this CPU): the fault is recorded */
	last = bpf_task_storage_get(&wf_last, bpf_get_current_task_btf(), NULL,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	/* only this thread writes its storage; then the clock (x86 keeps loads in order) */
	if (last && last->mm == mm && last->page == page) {
		barrier();
		if (last->clock == *(volatile __u64 *)clock) {
			wf_count(WF_STAT_REPEATS);
			return 0;
		}
	}

	w0 = *(volatile __u64 *)clock;
	barrier();
	e = event_reserve(HOOK_WRITE_FAULT, EV_WRITE_FAULT);
	if (!e)
		return 0;
	barrier();
	w1 = *(volatile __u64 *)clock;
	e->start = page;
	e->end = e->start + 4096;
	e->u.wf.error_code = error_code;
	e->u.wf.ip = BPF_CORE_READ(regs, ip);
	event_submit(e);
	/* An entry not replaced here stays true of the fault that stored it. */
	if (last && w1 == w0 && !(__u32)w1) {
		last->mm = mm;
		last->page = page;
		last->clock = w1;
	}
	return 0;
}
