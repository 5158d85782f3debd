// SPDX-License-Identifier: GPL-2.0
/*
 * Process lifetime (sched tracepoints): fork follows children into the
 * traced set and walks their tables over the parent's WP ranges; exec
 * renews the mm; exit of the last thread forgets the thread group.
 */
#include "uffdwp.bpf.h"
#include "pgtable.bpf.h"
#include "wp_ranges.bpf.h"
#include "call_stash.bpf.h"

struct fork_walk {
	struct traced_task *parent;
	__u64 child_mm;
};

static long walk_child_range(__u32 i, void *ctx)
{
	struct fork_walk *f = ctx;
	struct wp_range *r = wp_slot(f->parent, i);
	__u64 start = r->start, end = r->end;

	if (start && start < end)
		pgtable_walk(f->child_mm, start, end, EV_FORK, HOOK_SCHED);
	return 0;
}

/*
 * copy_page_range() has run when sched_process_fork fires: the child's
 * tables over the parent's WP ranges say whether bits and markers were kept
 * (EVENT_FORK) or dropped, exactly and before the child runs (#7, #8).
 */
static __always_inline void walk_child_wp_ranges(struct traced_task *parent, __u64 child_mm)
{
	struct fork_walk f = { parent, child_mm };

	if (child_mm)
		bpf_loop(WP_RANGES_PER_PROCESS, walk_child_range, &f, 0);
}

/*
 * A pid or an mm that fork or exec has just made names no live process, so
 * an entry under it is a leftover of a process whose exit both programs
 * missed (counted lost as skipped_runs).  Left there, it would make an
 * untraced newcomer traced, give its ranges to the new process, or another
 * mm's records to the dead one (an mm_struct's address is reused soon).
 */
static __always_inline void forget_leftover_process(__u32 tgid)
{
	struct traced_task *t = bpf_map_lookup_elem(&traced_tgids, &tgid);

	if (t) {
		untrace_mm(t->mm, tgid);
		bpf_map_delete_elem(&traced_tgids, &tgid);
	}
}

static __always_inline void forget_leftover_mm(__u64 mm)
{
	if (mm)
		bpf_map_delete_elem(&traced_mms, &mm);
}

/*
 * Each sched tracepoint has two programs, as the raw syscall tracepoints do
 * (stash_copies.bpf.h): since 7.x tracepoints run their programs preemptible,
 * and the kernel skips a program already running on the CPU.  The second does
 * what the first did not: a fork the first handled is in forks_handled, an
 * exec the first handled has the new mm noted, an exit the first handled has
 * untraced the group.  The loader counts the lesser of the two programs'
 * recursion_misses as lost (a fork, exec or exit both skipped, or a second
 * misled by a mark its own skip left: each takes a skip of each).  Where
 * tracepoints run their programs with preemption off, only the first is
 * loaded (tp_preemptible).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);	/* child tgid */
	__type(value, __u8);
} forks_handled SEC(".maps");

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child,
				   __u32 copy)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct traced_task *t = bpf_map_lookup_elem(&traced_tgids, &ptgid), *ct;
	__u64 child_mm = (__u64)child->mm;
	struct uffdwp_event *e;
	__u8 one = 1;

	if (ctgid == ptgid)	/* a new thread */
		return 0;
	if (t && copy == 1 && bpf_map_lookup_elem(&forks_handled, &ctgid)) {
		bpf_map_delete_elem(&forks_handled, &ctgid);
		return 0;
	}
	forget_leftover_process(ctgid);
	/* CLONE_VM (vfork, posix_spawn): the mm is the parent's, live */
	if (child_mm == (__u64)parent->mm)
		child_mm = 0;
	forget_leftover_mm(child_mm);
	if (!t)		/* untraced */
		return 0;
	if (copy == 0 && tp_preemptible)	/* for the second, loaded only then */
		bpf_map_update_elem(&forks_handled, &ctgid, &one, BPF_ANY);
	/* The child's entry is a copy of the parent's, WP ranges too: with
	 * EVENT_FORK its VMAs stay registered for WP (dup_userfaultfd()), and its
	 * write faults there are the model's business; without, they cost
	 * records, not findings.  A full table would leave the child untraced
	 * unseen: counted. */
	if (follow_children) {
		ct = NULL;
		if (!bpf_map_update_elem(&traced_tgids, &ctgid, t, BPF_ANY))
			ct = bpf_map_lookup_elem(&traced_tgids, &ctgid);
		if (ct)
			ct->mm = child_mm;
		if (!ct || (child_mm && bpf_map_update_elem(&traced_mms, &child_mm, &ctgid, BPF_ANY)))
			count_lost(HOOK_SCHED, LOST_TABLE);
	}
	e = event_reserve(HOOK_SCHED, EV_FORK);
	if (!e)
		return 0;
	e->u.fork.child_pid = ctgid;
	e->u.fork.child_mm = (__u64)child->mm;
	event_submit(e);
	/* a scalar copy: pgtable_walk() takes no BTF pointers */
	walk_child_wp_ranges(t, (__u64)BPF_CORE_READ(child, mm));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, 0);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork_second, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, 1);
}

static __always_inline int on_exec(struct task_struct *p, __u32 copy)
{
	__u32 tgid = p->tgid;
	__u64 mm = (__u64)p->mm;
	struct traced_task *t = bpf_map_lookup_elem(&traced_tgids, &tgid);
	struct uffdwp_event *e;

	/* the second: the first noted the new mm */
	if (t && copy == 1 && t->mm == mm)
		return 0;
	/* exec_mmap()'s mm is new */
	forget_leftover_mm(mm);
	if (!t)
		return 0;
	/* the old mm's registrations went with it */
	__builtin_memset(t->wp, 0, sizeof(t->wp));
	note_mm(t, tgid, mm);
	e = event_reserve(HOOK_SCHED, EV_EXEC);
	if (e)
		event_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p)
{
	return on_exec(p, 0);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec_second, struct task_struct *p)
{
	return on_exec(p, 1);
}

/* The second finds the group untraced where the first handled its end. */
static __always_inline int on_exit(struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct traced_task *t = bpf_map_lookup_elem(&traced_tgids, &tgid);
	struct uffdwp_event *e;

	/* What the thread's hooked calls left (do_exit(): p is current).  Its
	 * stashes go with the task; this counts what they held.  Before the
	 * traced test: the group's last thread may have untraced it first
	 * (threads of one group run their exits concurrently). */
	call_stash_forget_current();
	/* only the last thread of the group: do_exit() dropped signal->live first */
	if (!t || BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	e = event_reserve(HOOK_SCHED, EV_EXIT);
	if (e) {
		e->mm = t->mm;
		e->u.exit.code = p->exit_code;
		event_submit(e);
	}
	untrace_mm(t->mm, tgid);
	bpf_map_delete_elem(&traced_tgids, &tgid);	/* and its WP ranges with it */
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	return on_exit(p);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit_second, struct task_struct *p)
{
	return on_exit(p);
}
