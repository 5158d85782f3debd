/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copies of a program: the kernel skips a BPF program that is already running
 * on the CPU (recursion_misses), and since 7.x's faultable syscall tracepoints
 * and fentry/fexit run it preemptible, a preempted run costs every other
 * thread on that CPU its record.  So a hook has several copies of its program,
 * run one after the other for every call (attached in that order, or last
 * first on a trampoline: src/loader/hooks.c), and each later copy does what
 * the earlier ones did not.  Their stash entry (struct sys_stash, struct
 * call_stash) carries a struct stash_copies:
 *  - entry: the copy that stashes the call sets enter_pending to the number of
 *    copies after it; each of those, finding it, counts it down and stops;
 *  - exit: the copy that reports the call marks it done, exit_pending the
 *    number of copies after it (the last copy frees it instead); each of
 *    those counts it down, and the last frees it.
 * A call every copy skipped is lost: counted by the hook's programs where
 * they can tell (sys_stash.bpf.h, call_stash.bpf.h), else bounded by the
 * loader from each copy's skips in the run (src/loader/skips.h).
 */
#ifndef UFFDWP_STASH_COPIES_BPF_H
#define UFFDWP_STASH_COPIES_BPF_H

#include "vmlinux.h"

struct stash_copies {
	__u8 enter_pending;	/* entry programs after the stashing one, yet to run */
	__u8 done;		/* reported (or counted lost) by an exit program */
	__u8 exit_pending;	/* exit programs after that one, yet to run */
};

/* How many of a hook's @copies programs run after copy @copy. */
static __always_inline __u8 copies_after(__u32 copy, __u32 copies)
{
	return copies - 1 - copy;
}

/* Entry, copy @copy: true when an earlier copy stashed this very call (it is
 * counted down and this copy has nothing to do). */
static __always_inline bool copies_enter_stashed(struct stash_copies *c, __u32 copy)
{
	if (copy == 0 || c->done || !c->enter_pending)
		return false;
	c->enter_pending--;
	return true;
}

/* Exit, on a call an earlier copy reported: count it down; true when no copy
 * is left to run and the entry is to go (none pending: a stale mark). */
static __always_inline bool copies_exit_done(struct stash_copies *c)
{
	return !c->exit_pending || !--c->exit_pending;
}

/* Exit, copy @copy of @copies reported the call: mark it done for the copies
 * after it; true when there are none and the entry is to go. */
static __always_inline bool copies_exit_reported(struct stash_copies *c, __u32 copy, __u32 copies)
{
	if (copy + 1 >= copies)
		return true;
	c->done = 1;
	c->exit_pending = copies_after(copy, copies);
	return false;
}

#endif /* UFFDWP_STASH_COPIES_BPF_H */
