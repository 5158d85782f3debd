// SPDX-License-Identifier: GPL-2.0
/*
 * Write faults inside uffd-wp registered ranges (the page_fault_user
 * tracepoint): the faults a write-protected range is expected to take.
 */
#include "uffdwp.bpf.h"
#include "wp_ranges.bpf.h"

#define X86_PF_WRITE (1UL << 1)

SEC("tp_btf/page_fault_user")
int BPF_PROG(page_fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	__u32 tgid = current_tgid();
	struct uffdwp_event *e;

	if (!(error_code & X86_PF_WRITE) || !traced_current() || !in_wp_range(tgid, address))
		return 0;
	e = event_reserve(HOOK_WRITE_FAULT, EV_WRITE_FAULT);
	if (!e)
		return 0;
	e->start = address & ~4095UL;
	e->end = e->start + 4096;
	e->u.wf.error_code = error_code;
	e->u.wf.ip = BPF_CORE_READ(regs, ip);
	event_submit(e);
	return 0;
}
