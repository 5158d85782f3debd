/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscalls in flight: the syscall programs (syscalls.bpf.c) stash a traced
 * thread's arguments at entry and report at exit; kernel-function hooks
 * (func_hooks.bpf.c) ask through current_syscall() what a thread is inside.
 */
#ifndef UFFDWP_SYS_STASH_BPF_H
#define UFFDWP_SYS_STASH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

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
 * Each raw syscall tracepoint has two programs, run one after the other for
 * every syscall (attached in that order, src/loader/hooks.c).  The kernel
 * skips a program that is already running on the CPU (recursion_misses):
 * since 7.x's faultable syscall tracepoints run it preemptible, a preempted
 * run costs every thread that enters or leaves a syscall on that CPU its
 * record (a 7.3 guest: 9 of 37,693 raw_sys_exit runs in one fuzz sequence's
 * replay).  The second program does what the first did not:
 *  - enter: the first stashes the call with first_entered set; the second,
 *    finding that, clears it and stops; finding none, it stashes the call;
 *  - exit: the first reports and marks the entry done; the second, finding
 *    it done, deletes it; finding it not done, reports and deletes it.
 * A call both skipped is lost and counted (syscalls.bpf.c sys_enter(),
 * on_raw_sys_exit()), with one hole: where a thread's call loses both exit
 * programs and its next call both enter programs, that next exit reports the
 * older stash and nothing is counted (four skips in a row on one thread).
 * The per-syscall tracepoints (SYS_SOLE) have one program: exit deletes.
 */
enum sys_copy {
	SYS_SOLE,
	SYS_FIRST,
	SYS_SECOND,
};

struct sys_stash {
	__u32 kind;
	__u8 first_entered;	/* the first enter program stashed it; the second has not run */
	__u8 done;		/* the first exit program reported it; the second has not run */
	__u64 args[6];
	__u64 uarg[UFFDIO_ARG_MAX / 8];	/* ioctl: the uffdio struct as passed in */
};

struct sys_stash_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* tid */
	__type(value, struct sys_stash);
};
extern struct sys_stash_map sys_stash SEC(".maps");	/* uffdwp.bpf.c */

static __always_inline __u32 current_syscall(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sys_stash *s = bpf_map_lookup_elem(&sys_stash, &tid);

	return s && !s->done ? s->kind : 0;
}

#endif /* UFFDWP_SYS_STASH_BPF_H */
