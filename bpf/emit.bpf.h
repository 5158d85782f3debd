/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records out: the ring buffer, per-hook loss and invariant counters, and
 * event_reserve()/event_submit().  Every program that emits a record, and the
 * page-table walk (pgtable.bpf.h), include this directly.
 */
#ifndef UFFDWP_EMIT_BPF_H
#define UFFDWP_EMIT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "event.h"
#include "bpf_config.h"

/*
 * Defined once, in uffdwp.bpf.c: each BPF source file is compiled on its own
 * and all are linked into one object (bpftool gen object), where these
 * externs resolve.
 */

/* ---- load-time knobs (set by src/loader between open and load) ---- */

/* enum uffdwp_mech in force per hook: each record says which one (and
 * func_arg() in uffdwp.bpf.h reads ctx by it). */
extern const volatile __u8 hook_mech[HOOK_MAX];
/* Pending ring-buffer bytes that wake the tracer before its next poll. */
extern const volatile __u64 wakeup_bytes;

/* ---- maps ---- */

/* 32 MiB (-b overrides): the kernel selftests' fault storms in a TCG guest,
 * where the consumer runs emulated too, lost events with 8 MiB. */
struct events_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
};
extern struct events_map events SEC(".maps");

struct hook_counters_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HOOK_MAX);
	__type(key, __u32);
	__type(value, __u64);
};
/* Records lost per hook, every cause: a run with any is never clean. */
extern struct hook_counters_map lost_events SEC(".maps");
/* Entries seen in the kernel breaking the f1eb1bacfba9 invariant (writable
 * and uffd-wp), per hook: counted even when their record is lost. */
extern struct hook_counters_map invariant_violations SEC(".maps");

/* Losses by enum uffdwp_lost_cause, the same losses as lost_events. */
struct lost_causes_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LOST_CAUSE_MAX);
	__type(key, __u32);
	__type(value, __u64);
};
extern struct lost_causes_map lost_causes SEC(".maps");

/* A single 64-bit cell, shared by every program. */
struct u64_cell_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

/* Reserves failed since the last record that said so: the next record that
 * gets through carries the count (lost_before), so the checker knows where
 * in the stream its knowledge has a hole. */
extern struct u64_cell_map lost_unreported SEC(".maps");

/*
 * The record clock: the high 32 bits count the non-fault records that were
 * reserved (or tried to be), the low 32 bits how many are being reserved
 * right now.  A non-fault record adds 1 before its ring-buffer reserve and
 * (1 << 32) - 1 after it, so an unchanged value with the low half zero means
 * no non-fault record was reserved in between.  faults.bpf.c reads it to tell
 * a repeated write fault that cannot change what the model sees.
 */
extern struct u64_cell_map record_clock SEC(".maps");

static __always_inline __u64 *record_clock_ptr(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&record_clock, &zero);
}

/* ---- records ---- */

static __always_inline __u64 current_mm(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return (__u64)BPF_CORE_READ(task, mm);
}

static __always_inline void count_in(void *percpu_counters, __u32 hook)
{
	__u64 *n = bpf_map_lookup_elem(percpu_counters, &hook);

	/* per-CPU, but atomic: since 7.x tracepoint and fentry programs run
	 * preemptible, and two can interleave on one CPU's slot */
	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline void count_lost(__u32 hook, __u32 cause)
{
	__u32 zero = 0;
	__u64 *pending = bpf_map_lookup_elem(&lost_unreported, &zero);

	count_in(&lost_events, hook);
	count_in(&lost_causes, cause);
	if (pending)
		__sync_fetch_and_add(pending, 1);
}

static __always_inline void count_invariant_violation(__u32 hook)
{
	count_in(&invariant_violations, hook);
}

/* A zeroed record with the common header filled, or NULL (loss counted). */
static __always_inline struct uffdwp_event *event_reserve(__u16 hook, __u32 kind)
{
	__u32 zero = 0;
	__u64 *pending = bpf_map_lookup_elem(&lost_unreported, &zero);
	__u64 *clock = kind == EV_WRITE_FAULT ? NULL : record_clock_ptr();
	struct uffdwp_event *e;
	__u64 id = bpf_get_current_pid_tgid();
	__u64 lost;

	/* Every record but a write fault ticks the record clock, around its
	 * reserve (the point that orders it in the ring): see faults.bpf.c. */
	if (clock)
		__sync_fetch_and_add(clock, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (clock)
		__sync_fetch_and_add(clock, (1ULL << 32) - 1);
	if (!e) {
		count_lost(hook, LOST_RING);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	if (pending && *pending) {
		lost = __sync_lock_test_and_set(pending, 0);
		e->lost_before = lost > 0xffffffff ? 0xffffffff : lost;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->hook = hook;
	/* keep the bound check: a caller's own check may let clang drop it,
	 * and the verifier does not see through that (global pgtable_walk()) */
	barrier_var(hook);
	e->mech = hook < HOOK_MAX ? hook_mech[hook] : MECH_NONE;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->mm = current_mm();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/*
 * No wake-up per record: on these (virtualised) hosts each one is a self-IPI
 * that traps, and cost the traced workload 2x.  The tracer polls every
 * 10 ms; a backlog of wakeup_bytes still wakes it at once.
 */
static __always_inline void event_submit(struct uffdwp_event *e)
{
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_bytes ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

#endif /* UFFDWP_EMIT_BPF_H */
