/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PAGEMAP_SCAN calls of traced processes (syscalls.bpf.c's ioctl): the
 * arguments stashed at enter, and at return the call's record with the
 * regions the kernel wrote to vec.
 */
#ifndef UFFDWP_PM_SCAN_BPF_H
#define UFFDWP_PM_SCAN_BPF_H

#include "uffdwp.bpf.h"
#include "sys_stash.bpf.h"

/*
 * PAGEMAP_SCAN (6.7+, 52526ca7fdb9): _IOWR('f', 16, struct pm_scan_arg) on a
 * /proc/PID/pagemap file.  struct pm_scan_arg is 12 words: size, flags,
 * start, end, walk_end (written back), vec, vec_len, max_pages,
 * category_inverted, category_mask, category_anyof_mask, return_mask.
 */
#define PAGEMAP_SCAN		0xc0606610UL
#define PM_SCAN_ARG_WORDS	12
#define PM_SCAN_WALK_END_OFF	32
#define PAGE_REGION_SIZE	24	/* struct page_region { start, end, categories } */
_Static_assert(!(PM_REGIONS_PER_RECORD & (PM_REGIONS_PER_RECORD - 1)), "a power of two");

/* The mm a pagemap file reads (proc_mem_open() keeps it in private_data):
 * a tracker may scan another process; 0 when it cannot be read. */
static __always_inline __u64 pagemap_file_mm(__u64 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	return (__u64)BPF_CORE_READ(f, private_data);
}

/* Stashes the arguments of a PAGEMAP_SCAN in uarg: start, end, vec,
 * vec_len, the four masks and flags packed in 16 bits each, and args[3] =
 * the scanned mm; false if the argument cannot be read. */
static __always_inline bool stash_pm_scan(struct sys_stash *s)
{
	__u64 a[PM_SCAN_ARG_WORDS] = {};

	if (bpf_probe_read_user(a, sizeof(a), (void *)s->args[2]))
		return false;
	s->uarg[0] = a[2];
	s->uarg[1] = a[3];
	s->uarg[2] = a[5];
	s->uarg[3] = a[6];
	s->uarg[4] = (a[1] & 0xffff) | (a[9] & 0xffff) << 16 | (a[8] & 0xffff) << 32 |
		     (a[10] & 0xffff) << 48;
	s->uarg[5] = a[11] & 0xffff;
	s->args[3] = pagemap_file_mm(s->args[0]);
	return true;
}

static __always_inline struct uffdwp_event *pm_scan_event(const struct sys_stash *s, __u32 kind)
{
	struct uffdwp_event *e = event_reserve(HOOK_SYSCALLS, kind);

	if (e && s->args[3])
		e->mm = s->args[3];
	return e;
}

/* The call record: its begin opens the window in which the model cannot
 * tell a concurrent write from one the scan saw. */
static __always_inline void report_pm_scan(const struct sys_stash *s, bool begin, __s64 ret,
					   __u64 walk_end, __u32 nread)
{
	struct uffdwp_event *e = pm_scan_event(s, EV_PM_SCAN);
	__u64 packed = s->uarg[4];

	if (!e)
		return;
	e->ret = ret;
	e->start = s->uarg[0];
	e->end = s->uarg[1];
	e->u.scan.walk_end = walk_end;
	e->u.scan.flags = packed & 0xffff;
	e->u.scan.category_mask = packed >> 16;
	e->u.scan.category_inverted = packed >> 32;
	e->u.scan.category_anyof_mask = packed >> 48;
	e->u.scan.return_mask = s->uarg[5];
	e->u.scan.nregions_read = nread;
	e->u.scan.begin = begin;
	e->u.scan.vec_given = s->uarg[3] != 0;
	event_submit(e);
}

#define PAGE_IS_WRITTEN	(1UL << 1)

/* Reads up to PM_REGIONS_PER_RECORD returned regions from index first into p,
 * as page offsets from base; returns how many. */
static __always_inline __u32 read_pm_regions(const struct sys_stash *s, __u64 base, __u32 first,
					     __s64 ret, struct pm_scan_region_packed *p)
{
	__u32 n = 0;

	for (__u32 j = 0; j < PM_REGIONS_PER_RECORD; j++) {
		__u64 r[3] = {};

		if (first + j >= ret ||
		    bpf_probe_read_user(r, sizeof(r),
					(void *)(s->uarg[2] + (first + j) * PAGE_REGION_SIZE)))
			break;
		p[j].offset = (r[0] - base) >> 12;
		p[j].npages = ((r[1] - r[0]) >> 12) | (r[2] & PAGE_IS_WRITTEN ? PM_REGION_WRITTEN : 0);
		n++;
	}
	return n;
}

/* At return: the regions the kernel wrote to vec, PM_REGIONS_PER_RECORD to a
 * record, then the call's record.  Each record is read first and reserved
 * after: 6.1's verifier refuses a reservation held across loop iterations. */
static __always_inline void report_pm_scan_return(const struct sys_stash *s, __s64 ret)
{
	__u64 walk_end = 0, base = s->uarg[0];
	__u32 i = 0;

	if (ret >= 0) {
		bpf_probe_read_user(&walk_end, sizeof(walk_end),
				    (void *)(s->args[2] + PM_SCAN_WALK_END_OFF));
		for (__u32 rec = 0; rec < PM_SCAN_REGIONS_MAX / PM_REGIONS_PER_RECORD; rec++) {
			struct pm_scan_region_packed p[PM_REGIONS_PER_RECORD] = {};
			__u32 n = read_pm_regions(s, base, i, ret, p);
			struct uffdwp_event *e;

			if (!n)
				break;
			e = pm_scan_event(s, EV_PM_SCAN_REGION);
			if (!e)
				break;
			e->start = base;
			e->u.scan_regions.first = i;
			e->u.scan_regions.n = n;
			__builtin_memcpy(e->u.scan_regions.r, p, sizeof(p));
			event_submit(e);
			i += n;
			if (n < PM_REGIONS_PER_RECORD)
				break;
		}
	}
	report_pm_scan(s, false, ret, walk_end, i);
}

#endif /* UFFDWP_PM_SCAN_BPF_H */
