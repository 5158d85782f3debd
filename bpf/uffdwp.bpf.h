/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared BPF-side state and helpers: the target filter, the VMA facts a record
 * carries, and mechanism-independent argument access.  Records themselves
 * (ring buffer, counters, event_reserve()/event_submit()) are emit.bpf.h's.
 */
#ifndef UFFDWP_BPF_H
#define UFFDWP_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "event.h"
#include "bpf_config.h"
#include "emit.bpf.h"

/* Defined once, in uffdwp.bpf.c (see emit.bpf.h). */

/* ---- load-time knobs (set by src/loader between open and load) ---- */

/* Argument index per role per hook, from the running kernel's BTF. */
extern const volatile __s8 hook_arg_idx[HOOK_MAX][ROLE_MAX];
/* Number of arguments per hook: fexit finds the return value at ctx[nargs]. */
extern const volatile __u8 hook_nargs[HOOK_MAX];
/* Follow children created by fork/clone of a traced process. */
extern const volatile bool follow_children;
/* Walk the page tables when a uffd/mm syscall returns: set when this kernel
 * gave us no change_protection/zap hook to walk at (tracepoint-only hosts). */
extern const volatile bool walk_at_syscall_exit;
/* Tracepoint programs may run preemptible: the syscall and sched tracepoints
 * have their later copies loaded (src/loader/hooks.c tracepoints_preemptible()). */
extern const volatile bool tp_preemptible;

/* ---- maps ---- */

/* Thread groups we trace.  Everything else returns at the first lookup. */
struct traced_tgids_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct traced_task);
};
extern struct traced_tgids_map traced_tgids SEC(".maps");

/* mm_structs of traced thread groups: kernel hooks filter on vma->vm_mm. */
struct traced_mms_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
};
extern struct traced_mms_map traced_mms SEC(".maps");

/* ---- target filter ---- */

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

static __always_inline struct traced_task *traced_current(void)
{
	__u32 tgid = current_tgid();

	return bpf_map_lookup_elem(&traced_tgids, &tgid);
}

static __always_inline bool mm_is_traced(__u64 mm)
{
	return mm && bpf_map_lookup_elem(&traced_mms, &mm);
}

/* Forget @mm as @tgid's, not when it is another group's now: a vfork child's
 * mm is its parent's, and a dead group's may have been reused. */
static __always_inline void untrace_mm(__u64 mm, __u32 tgid)
{
	__u32 *owner = mm ? bpf_map_lookup_elem(&traced_mms, &mm) : NULL;

	if (owner && *owner == tgid)
		bpf_map_delete_elem(&traced_mms, &mm);
}

/*
 * Remember the current mm of a traced thread group, so that kernel hooks
 * running in another context (kcompactd, a hole punch by another process)
 * still match by vma->vm_mm.  The previous mm is forgotten: its address may be
 * reused by an unrelated process once it is freed.
 */
static __always_inline void note_mm(struct traced_task *t, __u32 tgid, __u64 mm)
{
	if (!mm || t->mm == mm)
		return;
	untrace_mm(t->mm, tgid);
	t->mm = mm;
	/* an mm already traced keeps its owner: a vfork child shares its
	 * parent's, and would untrace it at its exec or exit */
	bpf_map_update_elem(&traced_mms, &mm, &tgid, BPF_NOEXIST);
}

#define TMPFS_MAGIC	0x01021994	/* include/uapi/linux/magic.h */
#define VM_HUGETLB_FLAG	0x00400000UL

/*
 * Whether zapping @vma leaves nothing a walk could judge: an anonymous VMA
 * (vma_is_anonymous(): no vm_ops, so neither shmem, file nor hugetlb) that no
 * userfaultfd holds.  zap_pte_range() drops every uffd-wp marker of an
 * anonymous VMA and installs none where !userfaultfd_wp(vma)
 * (zap_install_uffd_wp_if_needed()), so only empty entries remain, and guard
 * markers, which are not judged.  Not so elsewhere: a DONTNEED or hole punch
 * keeps a file or shmem VMA's markers whatever its userfaultfd, and 6.1's and
 * 6.12's hugetlb zap turns a stray uffd-wp bit into a marker without asking
 * userfaultfd_wp(vma) (7.3 asks); the model judges such leftovers (FALSE_WP,
 * bugs #7 and #8).  glibc's MADV_DONTNEED of each exited thread's stack was
 * 72 % of the pages the zap walks covered in a 6.12 guest's wp-bench (76,396
 * of 106,353).  A kernel without CONFIG_USERFAULTFD has no such field: walk.
 */
static __always_inline bool zap_leaves_nothing_to_judge(struct vm_area_struct *vma)
{
	if (!vma || BPF_CORE_READ(vma, vm_ops))
		return false;
	if (!bpf_core_field_exists(vma->vm_userfaultfd_ctx.ctx))
		return false;
	return !BPF_CORE_READ(vma, vm_userfaultfd_ctx.ctx);
}

/* The VMA facts a record carries, and one a syscall-side walk asks. */
struct vma_info {
	__u64 start, end, flags, mm;
	__u32 backing;		/* enum uffdwp_backing */
	__u8 zap_unjudged;	/* zap_leaves_nothing_to_judge() */
};

/* is_vm_hugetlb_page(), vma_is_anonymous() (no file for our purposes: the
 * special mappings with vm_ops and no file are never registered), shmem_file(). */
static __always_inline void vma_info_read(struct vma_info *vi, struct vm_area_struct *vma)
{
	struct file *file = BPF_CORE_READ(vma, vm_file);

	vi->start = BPF_CORE_READ(vma, vm_start);
	vi->end = BPF_CORE_READ(vma, vm_end);
	vi->flags = BPF_CORE_READ(vma, vm_flags);
	vi->mm = (__u64)BPF_CORE_READ(vma, vm_mm);
	vi->zap_unjudged = zap_leaves_nothing_to_judge(vma);
	if (vi->flags & VM_HUGETLB_FLAG)
		vi->backing = BACKING_HUGETLB;
	else if (!file)
		vi->backing = BACKING_ANON;
	else if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) == TMPFS_MAGIC)
		vi->backing = BACKING_SHMEM;
	else
		vi->backing = BACKING_FILE;
}

static long vma_info_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	vma_info_read(data, vma);
	return 0;
}

/* The current task's VMA at addr, for syscall-side records (bpf_find_vma(),
 * 5.17+, takes mmap_lock by trylock: an empty result is possible, not wrong). */
static __always_inline void vma_info_at(struct vma_info *vi, __u64 addr)
{
	bpf_find_vma(bpf_get_current_task_btf(), addr, vma_info_cb, vi, 0);
}

static __always_inline void event_set_vma_info(struct uffdwp_event *e, const struct vma_info *vi)
{
	if (!vi->end)
		return;
	e->vma_start = vi->start;
	e->vma_end = vi->end;
	e->vm_flags = vi->flags;
	e->vma_backing = vi->backing;
	e->mm = vi->mm;
}

static __always_inline void event_set_vma(struct uffdwp_event *e, struct vm_area_struct *vma)
{
	struct vma_info vi = {};

	if (!vma)
		return;
	vma_info_read(&vi, vma);
	event_set_vma_info(e, &vi);
}

/* ---- mechanism-independent access to a hooked function's arguments ---- */

/*
 * Raw argument @idx.  hook_mech[] and the index are load-time constants, so
 * the verifier walks only the branch in force and prunes the others: one
 * program serves fentry/fexit and kprobe/kretprobe alike.  The reads go
 * through bpf_probe_read_kernel() because clang merges the per-case loads
 * into one load from a computed ctx pointer, which the verifier refuses.
 */
static __always_inline __u64 ctx_arg(void *ctx, __u32 hook, int idx)
{
	__u64 v = 0;

	if (idx < 0 || idx > MAX_FUNC_ARGS)
		return 0;
	if (hook_mech[hook] == MECH_FENTRY) {
		bpf_probe_read_kernel(&v, sizeof(v), (__u64 *)ctx + idx);
		return v;
	}
	switch (idx) {
	case 0: return PT_REGS_PARM1_CORE((struct pt_regs *)ctx);
	case 1: return PT_REGS_PARM2_CORE((struct pt_regs *)ctx);
	case 2: return PT_REGS_PARM3_CORE((struct pt_regs *)ctx);
	case 3: return PT_REGS_PARM4_CORE((struct pt_regs *)ctx);
	case 4: return PT_REGS_PARM5_CORE((struct pt_regs *)ctx);
#if defined(__TARGET_ARCH_x86)
	case 5: return BPF_CORE_READ((struct pt_regs *)ctx, r9);	/* no PT_REGS_PARM6 in libbpf 1.1 */
#endif
	}
	return 0;
}

/* The argument playing @role for @hook, 0 when this kernel has none. */
static __always_inline __u64 func_arg(void *ctx, __u32 hook, int role)
{
	return ctx_arg(ctx, hook, hook_arg_idx[hook][role]);
}

/* Return value in an exit program: fexit keeps it right after the arguments. */
static __always_inline __s64 func_ret(void *ctx, __u32 hook)
{
	__s64 v = 0;

	if (hook_mech[hook] == MECH_FENTRY) {
		bpf_probe_read_kernel(&v, sizeof(v), (__u64 *)ctx + (hook_nargs[hook] & 7));
		return v;
	}
	return PT_REGS_RC_CORE((struct pt_regs *)ctx);
}

#endif /* UFFDWP_BPF_H */
