/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uffd-wp registered ranges of traced processes: added and removed by the
 * UFFDIO_(UN)REGISTER syscall records and moved by mremap's (syscalls.bpf.c),
 * looked up by write faults (faults.bpf.c), walked in a forked child and
 * dropped with the process, its exec, or a leftover (sched.bpf.c).
 */
#ifndef UFFDWP_WP_RANGES_BPF_H
#define UFFDWP_WP_RANGES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_config.h"

/* A free slot has start 0: no user mapping starts at address 0 (mmap_min_addr). */
struct wp_range {
	__u64 start;
	__u64 end;
};

/* One thread group's ranges.  Not one table for every process: a process whose
 * exit both sched programs missed kept its slots there for good, and over a
 * fuzz search's thousands of processes the table filled (table_full losses). */
struct wp_range_set {
	struct wp_range r[WP_RANGES_PER_PROCESS];
};

struct wp_ranges_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WP_PROCESSES);
	__type(key, __u32);	/* tgid */
	__type(value, struct wp_range_set);
};
extern struct wp_ranges_map wp_ranges SEC(".maps");	/* uffdwp.bpf.c */

/* All zero, never written: a new set's first value (too large for the stack). */
struct wp_range_set_zero_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wp_range_set);
};
extern struct wp_range_set_zero_map wp_range_set_zero SEC(".maps");	/* uffdwp.bpf.c */

/*
 * Whether a slot of @set overlaps [start, end): an address is the range
 * [addr, addr + 1).  Unrolled: every write fault of a traced process asks, and
 * straight code is what every verifier accepts at once.  Writers of one set are
 * the threads of one process in their uffd and mremap calls; a half-written
 * slot is empty (start >= end), so a reader never sees one cover more than it
 * was given.
 */
static __always_inline bool wp_set_overlaps(const struct wp_range_set *set, __u64 start,
					    __u64 end)
{
#pragma unroll
	for (int i = 0; i < WP_RANGES_PER_PROCESS; i++) {
		__u64 rs = *(volatile const __u64 *)&set->r[i].start;
		__u64 re = *(volatile const __u64 *)&set->r[i].end;

		if (rs && rs < end && start < re)
			return true;
	}
	return false;
}

static __always_inline bool in_wp_range(__u32 tgid, __u64 addr)
{
	struct wp_range_set *set = bpf_map_lookup_elem(&wp_ranges, &tgid);

	return set && wp_set_overlaps(set, addr, addr + 1);
}

/*
 * The writers below walk the slots with bpf_loop() (5.17+): unrolled as the
 * finder is, the syscall exit programs that add, delete and move took twice
 * the verification (220,000 instructions processed each, against 111,000).
 */
struct wp_set_edit {
	struct wp_range_set *set;
	__u64 start, end;
	bool done;		/* add: a slot holds the range */
	__u64 tail_start, tail_end;	/* delete: what is left of a range cut in the middle */
	bool tails_lost;		/* delete: more than one such tail */
};

/* The i-th slot: the mask keeps the verifier's bound (the compiler drops a
 * plain one as it knows i < WP_RANGES_PER_PROCESS, a power of 2). */
static __always_inline struct wp_range *wp_slot(struct wp_range_set *set, __u32 i)
{
	barrier_var(i);
	return &set->r[i & (WP_RANGES_PER_PROCESS - 1)];
}

/* A slot overlapping or touching the range grows to hold both: a registration
 * repeated over the same pages takes no second slot, and neighbours share one. */
static long wp_slot_grow(__u32 i, void *ctx)
{
	struct wp_set_edit *x = ctx;
	struct wp_range *r = wp_slot(x->set, i);
	__u64 rs = r->start, re = r->end;

	if (!rs || rs >= re || rs > x->end || x->start > re)
		return 0;
	if (x->start < rs)
		r->start = x->start;
	if (x->end > re)
		r->end = x->end;
	x->done = true;
	return 1;
}

/* A free slot, claimed start first (a reader sees [start, 0), empty, until the end). */
static long wp_slot_claim(__u32 i, void *ctx)
{
	struct wp_set_edit *x = ctx;
	struct wp_range *r = wp_slot(x->set, i);

	if (r->start || __sync_val_compare_and_swap(&r->start, 0, x->start) != 0)
		return 0;
	r->end = x->end;
	x->done = true;
	return 1;
}

/* Add [x->start, x->end): false when no slot is free, and the range's write
 * faults will not be recorded. */
static __always_inline bool wp_set_add(struct wp_set_edit *x)
{
	if (x->start >= x->end)
		return true;
	x->start = x->start ?: 1;	/* start 0 marks a free slot; [1, end) misses no page */
	x->done = false;
	bpf_loop(WP_RANGES_PER_PROCESS, wp_slot_grow, x, 0);
	if (!x->done)
		bpf_loop(WP_RANGES_PER_PROCESS, wp_slot_claim, x, 0);
	return x->done;
}

/*
 * Deleting [start, end) keeps what a range has outside it: an UFFDIO_UNREGISTER
 * of part of a registration leaves the rest registered for WP, whose write faults
 * must still be recorded (a fuzz sequence unregistering pages 0-5 of 9 lost the
 * faults of 6-8, and the model called page 6 LOST_WP at its migration).  A range
 * cut in the middle keeps its head in its slot and hands its tail to
 * wp_set_del().  A free takes end first: a reader sees [start, 0), empty.
 */
static long wp_slot_cut(__u32 i, void *ctx)
{
	struct wp_set_edit *x = ctx;
	struct wp_range *r = wp_slot(x->set, i);
	__u64 rs = r->start, re = r->end;

	if (!rs || rs >= x->end || x->start >= re)
		return 0;
	if (re > x->end) {
		if (rs >= x->start) {
			r->start = x->end;
			return 0;
		}
		x->tails_lost |= x->tail_end != 0;
		x->tail_start = x->end;
		x->tail_end = re;
	}
	if (rs < x->start) {
		r->end = x->start;
	} else {
		r->end = 0;
		barrier();
		r->start = 0;
	}
	return 0;
}

/* Delete [x->start, x->end): false when a cut range's tail found no free slot
 * (or two ranges were cut in the middle). */
static __always_inline bool wp_set_del(struct wp_set_edit *x)
{
	x->tail_start = x->tail_end = 0;
	x->tails_lost = false;
	bpf_loop(WP_RANGES_PER_PROCESS, wp_slot_cut, x, 0);
	if (x->tails_lost)
		return false;
	if (!x->tail_end)
		return true;
	x->start = x->tail_start;
	x->end = x->tail_end;
	return wp_set_add(x);
}

/* The process's set, made empty when it has none; NULL when the map is full. */
static __always_inline struct wp_range_set *wp_set_get(__u32 tgid)
{
	struct wp_range_set *set = bpf_map_lookup_elem(&wp_ranges, &tgid);
	__u32 zero = 0;
	void *empty;

	if (set)
		return set;
	empty = bpf_map_lookup_elem(&wp_range_set_zero, &zero);
	if (!empty)
		return NULL;
	/* BPF_NOEXIST: another thread's set made meanwhile stays */
	bpf_map_update_elem(&wp_ranges, &tgid, empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&wp_ranges, &tgid);
}

/* The callers of these: the syscall exit programs, near 6.1's and 6.12's
 * combined stack of 512 bytes; out of line, each has its own frame. */
static __noinline bool wp_range_add(__u32 tgid, __u64 start, __u64 end)
{
	struct wp_set_edit x = { .set = wp_set_get(tgid), .start = start, .end = end };

	return x.set && wp_set_add(&x);
}

static __noinline bool wp_range_del(__u32 tgid, __u64 start, __u64 end)
{
	struct wp_set_edit x = { .set = bpf_map_lookup_elem(&wp_ranges, &tgid),
				 .start = start, .end = end };

	return !x.set || wp_set_del(&x);
}

/*
 * An mremap() moved [old, old + old_len) to [new, new + new_len), or resized it
 * in place (new == old).  A registration moved with UFFD_FEATURE_EVENT_REMAP
 * keeps its uffd-wp (mremap_userfaultfd_prep() keeps vm_userfaultfd_ctx, and
 * move_ptes() the bits), and a VMA grown in place keeps its flags over the new
 * part, so wherever the old range overlapped a WP range the new one is added
 * whole: without it the write faults there went unrecorded, and the model,
 * which moves the protection (src/model/mm_ops.c move_range()), missed
 * WP_ASYNC's unprotects.  More than the kernel keeps (a uffd without
 * EVENT_REMAP, a partly registered range) costs records, not findings: the
 * model takes a write fault on an unprotected page as a write.  The old range
 * goes unless MREMAP_DONTUNMAP left its VMA registered, or old_len is 0 (a
 * shared mapping duplicated: the old one stays; its address alone is looked
 * up).  The current process's ranges.  false when a slot was missing
 * (wp_set_add(), wp_set_del()).
 */
static __noinline bool wp_range_move(__u64 old, __u64 old_len, __u64 new, __u64 new_len,
				     bool old_stays)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct wp_set_edit x = { .set = bpf_map_lookup_elem(&wp_ranges, &tgid),
				 .start = old, .end = old + old_len };
	bool kept = true;

	if (!x.set || !wp_set_overlaps(x.set, old, old + (old_len ?: 1)))
		return true;
	if (!old_stays && old_len)
		kept = wp_set_del(&x);
	x.start = new;
	x.end = new + new_len;
	/* the new range even when the old one's tail found no slot */
	return wp_set_add(&x) && kept;
}

#endif /* UFFDWP_WP_RANGES_BPF_H */
