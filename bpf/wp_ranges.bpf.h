/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uffd-wp registered ranges of traced processes: added and removed by the
 * UFFDIO_(UN)REGISTER syscall records and moved by mremap's (syscalls.bpf.c),
 * looked up by write faults (faults.bpf.c), walked in a forked child
 * (sched.bpf.c).
 */
#ifndef UFFDWP_WP_RANGES_BPF_H
#define UFFDWP_WP_RANGES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_config.h"

struct wp_range {
	__u32 tgid;
	__u64 start;
	__u64 end;
};

/*
 * Small and scanned linearly with bpf_loop() (5.17+): a process registers a
 * handful of ranges, and 6.1's verifier calls the equivalent plain loop
 * infinite.
 */
struct wp_ranges_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_WP_RANGES);
	__type(key, __u32);
	__type(value, struct wp_range);
};
extern struct wp_ranges_map wp_ranges SEC(".maps");	/* uffdwp.bpf.c */

struct wp_scan {
	__u32 tgid;
	__u64 start, end;	/* the address, the range to add, or to delete */
	bool found;
	bool whole;		/* find: the range must hold [start, end) whole */
	__u64 tail_start, tail_end;	/* delete: what is left of a range split in two */
	bool tails_lost;		/* delete: more than one such tail */
};

/* A range of the process holding [start, end) whole (s->whole), else one
 * overlapping it: an address is the range [addr, addr + 1). */
static long wp_scan_find(__u32 i, void *ctx)
{
	struct wp_scan *s = ctx;
	struct wp_range *r = bpf_map_lookup_elem(&wp_ranges, &i);

	if (!r || r->tgid != s->tgid)
		return 0;
	if (s->whole ? r->start <= s->start && s->end <= r->end
		     : r->start < s->end && s->start < r->end) {
		s->found = true;
		return 1;
	}
	return 0;
}

static long wp_scan_add(__u32 i, void *ctx)
{
	struct wp_scan *s = ctx;
	struct wp_range *r = bpf_map_lookup_elem(&wp_ranges, &i);

	if (!r || r->tgid)
		return 0;
	r->start = s->start;
	r->end = s->end;
	r->tgid = s->tgid;
	s->found = true;
	return 1;
}

/* Deleting [start, end) keeps what a range has outside it: an UFFDIO_UNREGISTER
 * of part of a registration leaves the rest registered for WP, whose write
 * faults must still be recorded (a fuzz sequence unregistering pages 0-5 of 9
 * lost the faults of 6-8, and the model called page 6 LOST_WP at its
 * migration).  A range cut in the middle keeps its head here and hands its
 * tail to wp_scan_del_range(). */
static long wp_scan_del(__u32 i, void *ctx)
{
	struct wp_scan *s = ctx;
	struct wp_range *r = bpf_map_lookup_elem(&wp_ranges, &i);

	if (!r || r->tgid != s->tgid || r->start >= s->end || s->start >= r->end)
		return 0;
	if (r->end > s->end) {
		if (r->start >= s->start) {
			r->start = s->end;
			return 0;
		}
		if (s->tail_end)
			s->tails_lost = true;
		s->tail_start = s->end;
		s->tail_end = r->end;
	}
	if (r->start < s->start)
		r->end = s->start;
	else
		r->tgid = 0;
	return 0;
}

static __always_inline bool in_wp_range(__u32 tgid, __u64 addr)
{
	struct wp_scan s = { .tgid = tgid, .start = addr, .end = addr + 1 };

	bpf_loop(MAX_WP_RANGES, wp_scan_find, &s, 0);
	return s.found;
}

/* Add [s->start, s->end): false when every slot is taken, and the range's
 * write faults will not be recorded.  A range already covered is not added
 * again: a registration repeated over the same pages would take a slot for
 * nothing, and a later unregister of its middle would have two tails to keep.
 * The callers share one struct wp_scan for all their steps: the syscall exit
 * programs are near 6.1's and 6.12's combined stack of 512 bytes. */
static __always_inline bool wp_scan_add_range(struct wp_scan *s)
{
	s->found = false;
	s->whole = true;
	bpf_loop(MAX_WP_RANGES, wp_scan_find, s, 0);
	if (!s->found)
		bpf_loop(MAX_WP_RANGES, wp_scan_add, s, 0);
	return s->found;
}

/* Delete [s->start, s->end): false when a split range's tail found no free
 * slot, and its write faults will not be recorded. */
static __always_inline bool wp_scan_del_range(struct wp_scan *s)
{
	s->tail_start = s->tail_end = 0;
	s->tails_lost = false;
	bpf_loop(MAX_WP_RANGES, wp_scan_del, s, 0);
	if (s->tails_lost)
		return false;
	if (!s->tail_end)
		return true;
	s->start = s->tail_start;
	s->end = s->tail_end;
	return wp_scan_add_range(s);
}

static __always_inline bool wp_range_add(__u32 tgid, __u64 start, __u64 end)
{
	struct wp_scan s = { .tgid = tgid, .start = start, .end = end };

	return wp_scan_add_range(&s);
}

/* Out of line: its own stack frame, as the syscall exit programs are near the
 * combined 512 bytes. */
static __noinline bool wp_range_del(__u32 tgid, __u64 start, __u64 end)
{
	struct wp_scan s = { .tgid = tgid, .start = start, .end = end };

	return wp_scan_del_range(&s);
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
 * (wp_scan_add_range(), wp_scan_del_range()).  Out of line, as wp_range_del().
 */
static __noinline bool wp_range_move(__u64 old, __u64 old_len, __u64 new, __u64 new_len,
				     bool old_stays)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct wp_scan s = { .tgid = tgid, .start = old, .end = old + (old_len ?: 1) };
	bool kept = true;

	bpf_loop(MAX_WP_RANGES, wp_scan_find, &s, 0);
	if (!s.found)
		return true;
	if (!old_stays && old_len)
		kept = wp_scan_del_range(&s);
	s.start = new;
	s.end = new + new_len;
	/* the new range even when the old one's tail found no slot */
	return wp_scan_add_range(&s) && kept;
}

#endif /* UFFDWP_WP_RANGES_BPF_H */
