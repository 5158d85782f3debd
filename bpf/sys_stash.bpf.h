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
#include "stash_copies.bpf.h"

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
 * The raw syscall tracepoints have SYSCALL_COPIES programs (stash_copies.bpf.h).
 * A preempted run costs every thread that enters or leaves a syscall on that
 * CPU its record (a 7.3 guest: 9 of 37,693 raw_sys_exit runs in one fuzz
 * sequence's replay).  Three copies: with two, Debian 7.3 guests still lost
 * calls that both skipped (uffd-stress anon under TCG: 8, 1 and 4 calls in
 * three runs).  A call every copy skipped is counted (syscalls.bpf.c
 * sys_enter(), on_raw_sys_exit()), with one hole: where a thread's call loses
 * every exit program and its next call every enter program, that next exit
 * reports the older stash and nothing is counted.  The per-syscall
 * tracepoints have one program (copies 1): exit deletes.
 */
#define SYSCALL_COPIES	3

struct sys_stash {
	__u32 kind;
	struct stash_copies copies;
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

	return s && !s->copies.done ? s->kind : 0;
}

#endif /* UFFDWP_SYS_STASH_BPF_H */
