/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscalls in flight: the syscall programs (syscalls.bpf.c) stash a traced
 * thread's arguments at entry and report at exit; kernel-function hooks
 * (func_hooks.bpf.c) ask current_in_mremap() whether a thread is in mremap.
 */
#ifndef UFFDWP_SYS_STASH_BPF_H
#define UFFDWP_SYS_STASH_BPF_H

#include "uffdwp.bpf.h"
#include "stash_copies.bpf.h"

#if defined(__TARGET_ARCH_x86)
/* x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) and the
 * saved registers that hold a syscall's number and arguments */
#define SYSNR_read		0
#define SYSNR_close		3
#define SYSNR_mmap		9
#define SYSNR_mprotect		10
#define SYSNR_munmap		11
#define SYSNR_ioctl		16
#define SYSNR_mremap		25
#define SYSNR_madvise		28
#define SYSNR_fallocate		285
#define SYSNR_userfaultfd	323
#define SYSCALL_ARG0(regs) BPF_CORE_READ(regs, di)
#define SYSCALL_ARG1(regs) BPF_CORE_READ(regs, si)
#define SYSCALL_ARG2(regs) BPF_CORE_READ(regs, dx)
#define SYSCALL_ARG3(regs) BPF_CORE_READ(regs, r10)
#define SYSCALL_ARG4(regs) BPF_CORE_READ(regs, r8)
#define SYSCALL_ARG5(regs) BPF_CORE_READ(regs, r9)
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#else
#error "syscall numbers for this architecture are missing"
#endif

#define UFFDIO_ARG_MAX 48	/* the largest uffdio_* struct is uffdio_copy (40) */

enum sys_kind {
	SYS_IOCTL = 1,
	SYS_READ,
	SYS_MPROTECT,
	SYS_MADVISE,
	SYS_MUNMAP,
	SYS_MREMAP,
	SYS_FALLOCATE,
	SYS_USERFAULTFD,
	SYS_MMAP,	/* MAP_FIXED only: the one that can replace a mapping */
};

/*
 * The raw syscall tracepoints have syscall_copies() programs (stash_copies.bpf.h).
 * A preempted run costs every thread that enters or leaves a syscall on that
 * CPU its record (a 7.3 guest: 9 of 37,693 raw_sys_exit runs in one fuzz
 * sequence's replay).  Three copies: with two, Debian 7.3 guests still lost
 * calls that both skipped (uffd-stress anon under TCG: 8, 1 and 4 calls in
 * three runs).  A call every copy skipped is counted (syscalls.bpf.c
 * sys_enter(), on_raw_sys_exit()), with one hole: where a thread's call loses
 * every exit program and its next call, of the same kind and first two
 * arguments, every enter program, that next exit reports the older stash and
 * nothing is counted (on the per-syscall tracepoints, which have no saved
 * registers to compare, whatever the next call).  The per-syscall
 * tracepoints have one program (copies 1): exit frees the slot.
 */
#define SYSCALL_COPIES	3

/* The raw syscall programs loaded: one where tracepoints run with preemption
 * off. */
static __always_inline __u32 syscall_copies(void)
{
	return tp_preemptible ? SYSCALL_COPIES : 1;
}

struct sys_stash {
	__u32 kind;	/* enum sys_kind; 0: no call in flight */
	struct stash_copies copies;
	/* 0: a call of these kinds with nothing to record (a read of another
	 * file, an ioctl not userfaultfd's): the first copy marks it so, and the
	 * later copies and the exit programs stop at the mark */
	__u8 recorded;
	/* the first two, with kind, tell the call from the next at its exit
	 * (stash_is_call()) */
	__u64 args[6];
	__u64 uarg[UFFDIO_ARG_MAX / 8];	/* ioctl: the uffdio struct as passed in */
};

/*
 * One stash per thread, in task storage, reused in place from call to call:
 * a call in flight has a kind, the slot is freed by zeroing it.  A hash
 * keyed by tid took a lookup, an update and a delete of its own per call
 * (the bucket lock, an element off the free list and back), and its lookups
 * cost the untraced threads' calls too; a thread with no storage is found
 * so by one pointer test.  The storage goes with the task: a thread that
 * dies inside a call leaves nothing behind, and a new thread given its tid
 * has none.
 */
struct sys_stash_map {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_stash);
};
extern struct sys_stash_map sys_stash SEC(".maps");	/* uffdwp.bpf.c */

/* The current thread's call in flight, or NULL. */
static __always_inline struct sys_stash *sys_stash_current(void)
{
	struct sys_stash *s = bpf_task_storage_get(&sys_stash, bpf_get_current_task_btf(), NULL, 0);

	return s && s->kind ? s : NULL;
}

/* The current thread's stash slot, made on its first call: NULL when the
 * kernel has no memory for it (or, up to 6.1, when another program holds
 * task storage on this CPU). */
static __always_inline struct sys_stash *sys_stash_slot(void)
{
	return bpf_task_storage_get(&sys_stash, bpf_get_current_task_btf(), NULL,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline void sys_stash_free(struct sys_stash *s)
{
	s->kind = 0;
}

/* Whether the current thread is inside mremap(): its saved syscall number,
 * not its stash (a zap's in_mremap: a lookup that could fail would say no). */
static __always_inline bool current_in_mremap(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	return SYSCALL_NR(regs) == SYSNR_mremap;
}

#endif /* UFFDWP_SYS_STASH_BPF_H */
