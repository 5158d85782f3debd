// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under the tracer's per-event figures on this machine (`make
 * bench`, part floor; BENCHMARKS.md).  Rungs of the write-fault program's work,
 * each a program of its own on the same tracepoint, so that one run of the
 * workload measures them all side by side with the kernel's run-time
 * accounting, as `uffdwp-trace --prog-stats` measures page_fault_user:
 *   floor_filter  a write fault of the workload's thread group?  The cost of
 *                 being called and timed (every fault on the machine)
 *   floor_lookup  + one hash lookup of that thread group, in a map shaped as
 *                 the tracer's traced_tgids (bpf/uffdwp.bpf.h)
 *   floor_record  + one record the size of the tracer's (struct uffdwp_event),
 *                 reserved, filled as event_reserve() fills its header,
 *                 submitted without a wake-up (bpf/emit.bpf.h)
 * Only the workload's write faults run past the filter (the tracer's program
 * tests the write bit first too, then its WP ranges); the tracer's program
 * does the filter's and the lookup's work for every fault, and the record's
 * for each it records.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "event.h"
#include "bpf_config.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct traced_task);
} floor_tgids SEC(".maps");

/* the tracer's default ring size (bpf/emit.bpf.h) */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} floor_ring SEC(".maps");

__u64 floor_records_lost = 0;	/* reserves that failed: the loader reports them */

#define X86_PF_WRITE (1UL << 1)

static __always_inline bool workload_write(unsigned long error_code)
{
	return (error_code & X86_PF_WRITE) && bpf_get_current_pid_tgid() >> 32 == target_tgid;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(floor_filter, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	return workload_write(error_code);
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(floor_lookup, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	__u32 tgid = target_tgid;

	return workload_write(error_code) && bpf_map_lookup_elem(&floor_tgids, &tgid);
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(floor_record, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	struct task_struct *task;
	struct uffdwp_event *e;
	__u64 id;

	if (!workload_write(error_code))
		return 0;
	e = bpf_ringbuf_reserve(&floor_ring, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&floor_records_lost, 1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	id = bpf_get_current_pid_tgid();
	task = bpf_get_current_task_btf();
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = EV_WRITE_FAULT;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->mm = (__u64)task->mm;
	e->start = address & ~4095UL;
	e->end = e->start + 4096;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}
