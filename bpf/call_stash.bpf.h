/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-function calls in flight: a function hook's entry programs stash a
 * traced call's arguments and its exit programs report (func_hooks.bpf.c);
 * a thread's exit sweeps what its calls left (sched.bpf.c).  The map is
 * defined in uffdwp.bpf.c.
 */
#ifndef UFFDWP_CALL_STASH_BPF_H
#define UFFDWP_CALL_STASH_BPF_H

#include "uffdwp.bpf.h"
#include "stash_copies.bpf.h"

/*
 * Each function hook has FUNC_COPIES entry and exit programs
 * (stash_copies.bpf.h): fentry/fexit run preemptible (Debian 7.3's uffd-stress
 * shmem run: handle_userfault skipped 15 times, a pagemap_ioctl run: zap 6).
 * handle_userfault, reported at entry, has HANDLE_USERFAULT_COPIES (a 7.3
 * uffd-stress anon run lost one fault that two both skipped), and the zap
 * ZAP_COPIES: its exit walks whole unmapped ranges, the longest runs and so
 * the most often preempted (7.3's selftests under tests/vm/selftests.sh,
 * uffd-stress shmem 8 4: one zap call both copies skipped).  kprobe programs
 * run with preemption off and get only the first copy (src/loader/hooks.c).
 */
#define FUNC_COPIES		2
#define ZAP_COPIES		3
#define HANDLE_USERFAULT_COPIES	3

/* The copies of @hook's entry and exit programs that are loaded (a constant
 * where the hook is one). */
static __always_inline __u32 func_copies(__u32 hook)
{
	if (hook_mech[hook] == MECH_KPROBE)
		return 1;
	if (hook == HOOK_HANDLE_USERFAULT)
		return HANDLE_USERFAULT_COPIES;
	return hook == HOOK_ZAP ? ZAP_COPIES : FUNC_COPIES;
}

/*
 * Whether @hook's programs count the calls that every entry or every exit
 * copy skipped, exactly: a function hook with exit programs, under fentry,
 * whose exit reads the call's arguments as its entry does (a kretprobe
 * cannot).  The loader counts such a hook's recursion_misses only as a bound
 * on the calls every copy of both skipped (src/loader/progstats.c), and the
 * rule is hooks_counting_skipped_calls()'s there (src/loader/hooks.c).
 * Counted: an exit that finds no stash of its call (every entry skipped);
 * an entry that finds the thread's last call's stash never reported, or a
 * thread's exit that finds it (every exit of that call skipped).  One hole,
 * the syscalls' (sys_stash.bpf.h): a call that loses every exit and the
 * thread's next call every entry is reported once, with the older arguments.
 * Over, never under: a call in flight when its thread or mm became traced
 * (-p's attach, an mm noted at its first syscall) counts as one whose entry
 * was skipped.
 */
static __always_inline bool counts_skipped_calls(__u32 hook)
{
	return hook_mech[hook] == MECH_FENTRY && hook != HOOK_HANDLE_USERFAULT;
}

struct call_stash {
	__u64 role[ROLE_MAX];
	struct stash_copies copies;
	__u8 busy;	/* a call, or a done mark, is in this slot */
	/* handle_userfault's mark (copies.done set), reported at entry: the
	 * copies that ran for the call, a bit each, and the thread's voluntary
	 * switches then, which with role[ROLE_VMF] tell its call from the next
	 * (the fault sleeps in between) */
	__u8 ran;
	__u64 nvcsw;
};

/*
 * A thread's calls in flight, a slot per hook, in task storage reused in
 * place (as the syscalls' stash, sys_stash.bpf.h): a hash keyed by tid and
 * hook cost each traced call an update and a delete, and each untraced call
 * of the system a lookup; a thread without storage is found so by a pointer
 * test.  Made by the first traced call of the thread (a kernel thread's too:
 * kcompactd migrates traced pages), gone with the task.
 */
struct call_stashes {
	struct call_stash hook[HOOK_MAX];
};

struct call_stash_map {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call_stashes);
};
extern struct call_stash_map call_stash SEC(".maps");

/* The current thread's slots (@create: made if it has none), or NULL: no
 * storage (no memory for it, or up to 6.1 the storage busy on this CPU). */
static __always_inline struct call_stashes *current_call_stashes(bool create)
{
	return bpf_task_storage_get(&call_stash, bpf_get_current_task_btf(), NULL,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* The current thread's slot for @hook, or NULL as current_call_stashes(). */
static __always_inline struct call_stash *call_stash_slot(__u32 hook, bool create)
{
	struct call_stashes *c = current_call_stashes(create);

	if (!c || hook >= HOOK_MAX)
		return NULL;
	/* no slot's address before the NULL test: 6.1's verifier refuses
	 * arithmetic on a map_value_or_null */
	barrier_var(c);
	return &c->hook[hook];
}

/* The current thread's call or mark in @hook's slot, or NULL. */
static __always_inline struct call_stash *call_stash_current(__u32 hook)
{
	struct call_stash *s = call_stash_slot(hook, false);

	return s && s->busy ? s : NULL;
}

static __always_inline void call_stash_free(struct call_stash *s)
{
	s->busy = 0;
}

struct skips_covered_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HOOK_MAX * HOOK_COPIES_MAX);
	__type(key, __u32);
	__type(value, __u64);
};
extern struct skips_covered_map skips_covered SEC(".maps");

/* Copies [@from, @to) of @hook skipped a call that another copy recorded. */
static __always_inline void count_skips_covered(__u32 hook, __u32 from, __u32 to)
{
	for (__u32 c = from; c < to && c < HOOK_COPIES_MAX; c++)
		count_in(&skips_covered, hook * HOOK_COPIES_MAX + c);
}

/* The last copy that ran for a handle_userfault mark's call. */
static __always_inline __u32 last_ran(__u8 ran)
{
	return ran & 4 ? 2 : ran & 2 ? 1 : 0;
}

/* A handle_userfault mark its thread's next fault or exit finds: the copies
 * after the last that ran skipped that fault, which another recorded. */
static __always_inline void forget_fault_mark(const struct call_stash *mark)
{
	if (mark->copies.done)
		count_skips_covered(HOOK_HANDLE_USERFAULT, last_ran(mark->ran) + 1,
				    func_copies(HOOK_HANDLE_USERFAULT));
}

/* A done mark for the @pending later programs of the call: this one reported
 * it or counted it lost (no slot: they count it again, an overcount). */
static __always_inline void call_stash_mark_done(__u32 hook, __u32 pending)
{
	struct call_stash *s = call_stash_slot(hook, true);

	if (!s)
		return;
	s->busy = 1;
	s->copies = (struct stash_copies){ .done = 1, .exit_pending = pending };
}

/* The current thread is exiting, inside no hooked call: a stash it left is a
 * call every exit program skipped (counted), or a mark nobody took.
 * Unrolled: each hook a constant (6.1's verifier loses a bpf_loop() index's
 * bound). */
static __always_inline void call_stash_forget_current(void)
{
	struct call_stashes *c = current_call_stashes(false);

	if (!c)
		return;
#pragma unroll
	for (__u32 hook = 0; hook < HOOK_MAX; hook++) {
		struct call_stash *s = &c->hook[hook];

		if (!s->busy)
			continue;
		if (hook == HOOK_HANDLE_USERFAULT)
			forget_fault_mark(s);
		else if (!s->copies.done && counts_skipped_calls(hook))
			count_lost(hook, LOST_SKIPPED);
		call_stash_free(s);
	}
}

#endif /* UFFDWP_CALL_STASH_BPF_H */
