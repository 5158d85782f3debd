/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic event sequences for the checker tests and the replay benchmark:
 * one helper per event kind, filling only what the kernel hook or syscall
 * would, and feeding the checker (and a recorder, when set).
 */
#ifndef UFFDWP_SYNTH_H
#define UFFDWP_SYNTH_H
#include <string.h>
#include <linux/types.h>

#include "event.h"
#include "model/checker.h"
#include "model/model.h"
#include "model/record.h"
#include "pipeline/pipeline.h"

#define PG 4096ULL
#define A_BASE 0x7f0000000000ULL	/* the test mapping */
#define VMF_ANON (0x1 | UFFDWP_VM_WRITE | UFFDWP_VM_UFFD_WP)
#define VMF_SHMEM (VMF_ANON | UFFDWP_VM_SHARED)
#define VMF_HUGETLB (VMF_ANON | UFFDWP_VM_HUGETLB)
#define PF_USER_WRITE 0x6ULL		/* not-present write */
#define PF_PROT_WRITE 0x7ULL		/* protection write fault */

struct synth {
	struct checker *c;	/* fed, unless mdl is set */
	struct model *mdl;	/* the bare model, for transition tests */
	struct recorder *rec;	/* optional */
	struct pipeline *pipe;	/* fed instead of c, when set (it records too) */
	__u64 mm;
	__u32 pid;
	__u32 tid;		/* the thread the next records come from; 0 = pid */
	__u64 ts;
	__u64 vm_flags;		/* of the test VMA, for kernel-hook events */
	__u64 vma_start, vma_end;
	__u32 lost_next;	/* records lost before the next one (its lost_before) */
};

static inline struct uffdwp_event synth_ev(struct synth *s, __u32 kind, __u16 hook)
{
	struct uffdwp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = (s->ts += 1000);
	ev.mm = s->mm;
	ev.kind = kind;
	ev.hook = hook;
	ev.mech = hook == HOOK_SYSCALLS || hook == HOOK_WRITE_FAULT || hook == HOOK_SCHED ?
		  MECH_TRACEPOINT : MECH_KPROBE;
	ev.pid = s->pid;
	ev.tid = s->tid ? s->tid : s->pid;
	ev.lost_before = s->lost_next;
	s->lost_next = 0;
	memcpy(ev.comm, "synth", 6);
	return ev;
}

/* Kernel hooks know the VMA. */
static inline void synth_vma(struct synth *s, struct uffdwp_event *ev)
{
	ev->vma_start = s->vma_start;
	ev->vma_end = s->vma_end;
	ev->vm_flags = s->vm_flags;
}

static inline void synth_feed(struct synth *s, const struct uffdwp_event *ev)
{
	if (s->rec)
		recorder_write(s->rec, ev);
	if (s->mdl)
		model_apply(s->mdl, ev);
	else if (s->pipe)
		pipeline_feed(s->pipe, ev);
	else if (s->c)
		checker_feed(s->c, ev);
}

static inline void s_open_api(struct synth *s, int fd, __u64 features)
{
	struct uffdwp_event ev = synth_ev(s, EV_UFFD_OPEN, HOOK_SYSCALLS);

	ev.ret = fd;
	ev.u.open.fd = fd;
	synth_feed(s, &ev);
	ev = synth_ev(s, EV_UFFD_API, HOOK_SYSCALLS);
	ev.u.api.fd = fd;
	ev.u.api.features_req = features;
	ev.u.api.features = ~0ULL;	/* the kernel reports all it has, asked for or not */
	synth_feed(s, &ev);
}

static inline void s_range(struct synth *s, __u32 kind, int fd, __u64 start, __u64 end,
			   __u64 mode, __s64 ret)
{
	struct uffdwp_event ev = synth_ev(s, kind, HOOK_SYSCALLS);

	ev.start = start;
	ev.end = end;
	ev.ret = ret;
	ev.u.range.fd = fd;
	ev.u.range.mode = mode;
	synth_feed(s, &ev);
}

/* close() of a uffd; released: it held the last reference. */
static inline void s_uffd_close(struct synth *s, int fd, bool released)
{
	struct uffdwp_event ev = synth_ev(s, EV_UFFD_CLOSE, HOOK_SYSCALLS);

	ev.u.close.fd = fd;
	ev.u.close.released = released;
	synth_feed(s, &ev);
}

static inline void s_register(struct synth *s, int fd, __u64 start, __u64 end)
{
	s_range(s, EV_UFFD_REGISTER, fd, start, end, UFFD_REG_MODE_WP, 0);
}

/* UFFDIO_WRITEPROTECT's entry record (its return is s_range()/s_writeprotect()). */
static inline void s_writeprotect_begin(struct synth *s, int fd, __u64 start, __u64 end, bool wp)
{
	struct uffdwp_event ev = synth_ev(s, EV_UFFD_WRITEPROTECT, HOOK_SYSCALLS);

	ev.start = start;
	ev.end = end;
	ev.u.range.fd = fd;
	ev.u.range.mode = wp ? UFFD_WP_MODE_WP : 0;
	ev.u.range.begin = 1;
	synth_feed(s, &ev);
}

static inline void s_cp(struct synth *s, __u64 start, __u64 end, __u64 cp_flags)
{
	struct uffdwp_event ev = synth_ev(s, EV_CHANGE_PROTECTION,
					  s->vm_flags & UFFDWP_VM_HUGETLB ?
					  HOOK_HUGETLB_CHANGE_PROTECTION : HOOK_CHANGE_PROTECTION);

	synth_vma(s, &ev);
	ev.start = start;
	ev.end = end;
	ev.u.cp.cp_flags = cp_flags;
	ev.u.cp.variant = s->vm_flags & UFFDWP_VM_HUGETLB ? CP_HUGETLB : CP_PTE;
	synth_feed(s, &ev);
}

/* UFFDIO_WRITEPROTECT as the tracer sees it: change_protection, then the ioctl. */
static inline void s_writeprotect(struct synth *s, int fd, __u64 start, __u64 end, bool wp)
{
	s_cp(s, start, end, wp ? UFFDWP_MM_CP_UFFD_WP : UFFDWP_MM_CP_UFFD_WP_RESOLVE);
	s_range(s, EV_UFFD_WRITEPROTECT, fd, start, end, wp ? UFFD_WP_MODE_WP : 0, 0);
}

static inline void s_pte(struct synth *s, __u64 start, __u64 end, __u32 state, __u16 hook)
{
	struct uffdwp_event ev = synth_ev(s, EV_PTE_RUN, hook);

	if (hook != HOOK_SCHED)		/* the walk at fork knows no VMA */
		synth_vma(s, &ev);
	ev.start = start;
	ev.end = end;
	ev.u.run.state = state;
	ev.u.run.level = state & PTE_ST_HUGE ? 2 : 1;
	synth_feed(s, &ev);
}

static inline void s_write_fault(struct synth *s, __u64 addr, __u64 error_code)
{
	struct uffdwp_event ev = synth_ev(s, EV_WRITE_FAULT, HOOK_WRITE_FAULT);

	ev.start = addr;
	ev.u.wf.error_code = error_code;
	synth_feed(s, &ev);
}

/* PAGEMAP_SCAN as the BPF side sends it: the entry record, or the regions
 * read ([start, end) pairs, categories @cats each) and the return record
 * (ret regions returned, nregions of them read). */
#define PM_WP_MATCHING_CHECK	0x3	/* PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC */
#define PM_PAGE_IS_WRITTEN	0x2
static inline void s_pm_scan(struct synth *s, __u64 start, __u64 end, bool begin,
			     const __u64 (*regions)[2], unsigned nregions, __s64 ret)
{
	struct uffdwp_event ev;

	for (unsigned i = 0; !begin && i < nregions; i++) {
		ev = synth_ev(s, EV_PM_SCAN_REGION, HOOK_SYSCALLS);
		ev.start = start;
		ev.u.scan_regions.first = i;
		ev.u.scan_regions.n = 1;
		ev.u.scan_regions.r[0].offset = (regions[i][0] - start) / PG;
		ev.u.scan_regions.r[0].npages = (regions[i][1] - regions[i][0]) / PG |
						PM_REGION_WRITTEN;
		synth_feed(s, &ev);
	}
	ev = synth_ev(s, EV_PM_SCAN, HOOK_SYSCALLS);
	ev.start = start;
	ev.end = end;
	ev.ret = begin ? 0 : ret;
	ev.u.scan.walk_end = begin ? 0 : end;
	ev.u.scan.flags = PM_WP_MATCHING_CHECK;
	ev.u.scan.category_mask = PM_PAGE_IS_WRITTEN;
	ev.u.scan.return_mask = PM_PAGE_IS_WRITTEN;
	ev.u.scan.nregions_read = begin ? 0 : nregions;
	ev.u.scan.begin = begin;
	ev.u.scan.vec_given = 1;
	synth_feed(s, &ev);
}

static inline void s_handle_userfault_reason(struct synth *s, __u64 addr, __u64 reason)
{
	struct uffdwp_event ev = synth_ev(s, EV_HANDLE_USERFAULT, HOOK_HANDLE_USERFAULT);

	synth_vma(s, &ev);
	ev.start = addr;
	ev.u.fault.reason = reason;
	synth_feed(s, &ev);
}

static inline void s_handle_userfault(struct synth *s, __u64 addr)
{
	s_handle_userfault_reason(s, addr, UFFDWP_VM_UFFD_WP);
}

static inline void s_wp_message(struct synth *s, int fd, __u64 addr)
{
	struct uffdwp_event ev = synth_ev(s, EV_UFFD_WP_MESSAGE, HOOK_SYSCALLS);

	ev.start = addr;
	ev.u.msg.fd = fd;
	ev.u.msg.flags = UFFD_PF_FLAG_WP | 1;
	synth_feed(s, &ev);
}

/* A non-WP uffd_msg read from fd: fork (arg1 = the child's uffd), remap, remove... */
static inline void s_message(struct synth *s, int fd, __u8 event, __u64 arg1)
{
	struct uffdwp_event ev = synth_ev(s, EV_UFFD_MESSAGE, HOOK_SYSCALLS);

	ev.u.msg.fd = fd;
	ev.u.msg.event = event;
	ev.u.msg.arg1 = arg1;
	synth_feed(s, &ev);
}

static inline void s_syscall_range(struct synth *s, __u32 kind, __u64 start, __u64 end, __u64 arg)
{
	struct uffdwp_event ev = synth_ev(s, kind, HOOK_SYSCALLS);

	ev.start = start;
	ev.end = end;
	ev.u.raw[0] = arg;	/* prot / advice: the first union member */
	synth_feed(s, &ev);
}

static inline void s_zap(struct synth *s, __u64 start, __u64 end)
{
	struct uffdwp_event ev = synth_ev(s, EV_ZAP, HOOK_ZAP);

	synth_vma(s, &ev);
	ev.start = start;
	ev.end = end;
	synth_feed(s, &ev);
}

/* MADV_DONTNEED: the syscall, then the zap it does. */
static inline void s_dontneed(struct synth *s, __u64 start, __u64 end)
{
	s_zap(s, start, end);
	s_syscall_range(s, EV_MADVISE, start, end, UFFD_MADV_DONTNEED);
}

static inline void s_fork(struct synth *s, __u64 child_mm, __u32 child_pid)
{
	struct uffdwp_event ev = synth_ev(s, EV_FORK, HOOK_SCHED);

	ev.u.fork.child_mm = child_mm;
	ev.u.fork.child_pid = child_pid;
	synth_feed(s, &ev);
}

static inline void s_mremap(struct synth *s, __u64 start, __u64 end, __u64 new_addr, __u64 flags)
{
	struct uffdwp_event ev = synth_ev(s, EV_MREMAP, HOOK_SYSCALLS);

	ev.start = start;
	ev.end = end;
	ev.ret = (__s64)new_addr;
	ev.u.mremap.new_len = end - start;
	ev.u.mremap.flags = flags;
	ev.u.mremap.new_addr = new_addr;
	synth_feed(s, &ev);
}

/* A migration record as the BPF side sends it: @state is the decoded entry
 * (PTE_ST_*, MIGRATION included for the set_* records). */
static inline void s_migration(struct synth *s, __u64 addr, __u32 where, __u32 state, int order)
{
	bool pmd = where == MIG_SET_PMD || where == MIG_REMOVE_PMD;
	bool set = where == MIG_SET_PTE || where == MIG_SET_PMD;
	struct uffdwp_event ev = synth_ev(s, EV_MIGRATION_PTE,
		pmd ? (set ? HOOK_SET_MIGRATION_PMD : HOOK_MIGRATION_PMD) :
		      (set ? HOOK_SET_MIGRATION_PTE : HOOK_MIGRATION_PTE));

	synth_vma(s, &ev);
	ev.start = addr;
	ev.u.mig.where = where;
	ev.u.mig.state = state;
	ev.u.mig.order = order;
	synth_feed(s, &ev);
}

/* A fill ioctl's record: at its return (done bytes filled, or a negative errno
 * that the ioctl returned too), or at its start. */
static inline void s_fill(struct synth *s, int fd, __u64 start, __u64 len, __u32 op, __u64 mode,
			  bool begin, __s64 done)
{
	struct uffdwp_event ev = synth_ev(s, EV_UFFD_COPY, HOOK_SYSCALLS);

	ev.start = start;
	ev.end = start + len;
	ev.u.fill.fd = fd;
	ev.u.fill.op = op;
	ev.u.fill.mode = mode;
	ev.u.fill.begin = begin;
	ev.u.fill.done = begin ? 0 : done;
	ev.ret = !begin && done < 0 ? done : 0;
	synth_feed(s, &ev);
}

static inline void s_copy(struct synth *s, int fd, __u64 start, __u64 len, __u32 op, __u64 mode)
{
	s_fill(s, fd, start, len, op, mode, false, (__s64)len);
}

/* UFFDIO_MOVE's record at its return: done bytes moved from src to dst. */
static inline void s_move(struct synth *s, int fd, __u64 dst, __u64 src, __u64 len, __s64 done)
{
	struct uffdwp_event ev = synth_ev(s, EV_UFFD_COPY, HOOK_SYSCALLS);

	ev.start = dst;
	ev.end = dst + len;
	ev.ret = done == (__s64)len ? 0 : -11;	/* -EAGAIN: a short move */
	ev.u.fill.fd = fd;
	ev.u.fill.op = FILL_MOVE;
	ev.u.fill.src = src;
	ev.u.fill.done = done;
	synth_feed(s, &ev);
}

static inline void s_exit(struct synth *s)
{
	struct uffdwp_event ev = synth_ev(s, EV_EXIT, HOOK_SCHED);

	synth_feed(s, &ev);
}

/* A fresh traced process: exec makes the mm complete (traced from birth). */
static inline void synth_init(struct synth *s, struct checker *c, __u64 mm, __u32 pid,
			      __u64 vm_flags, __u64 start, __u64 end)
{
	struct uffdwp_event ev;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->mm = mm;
	s->pid = pid;
	s->vm_flags = vm_flags;
	s->vma_start = start;
	s->vma_end = end;
	ev = synth_ev(s, EV_EXEC, HOOK_SCHED);
	synth_feed(s, &ev);
}

#endif
