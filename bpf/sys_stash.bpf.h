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

struct sys_stash {
	__u32 kind;
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

	return s ? s->kind : 0;
}

#endif /* UFFDWP_SYS_STASH_BPF_H */
