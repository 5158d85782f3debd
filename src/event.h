/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record ABI between the BPF programs (bpf/) and user space (src/).
 *
 * Included by both sides: only __u64-style types, no libc, no vmlinux.h.
 * Every record in the ring buffer, in a recording file and in the checker
 * is one struct uffdwp_event of fixed size.  Changing the layout means
 * bumping UFFDWP_EVENT_VERSION (recordings carry it in their header).
 */
#ifndef UFFDWP_EVENT_H
#define UFFDWP_EVENT_H

#ifndef __bpf__	/* on the BPF side vmlinux.h has the types */
#include <linux/types.h>
#endif

#define UFFDWP_EVENT_VERSION 2
#define UFFDWP_COMM_LEN 16
#define UFFDWP_PAGE_SHIFT 12
/* EV_PM_SCAN_REGION packs returned regions as page offsets from the scan's
 * start: a busy dirty tracker returns tens of regions per scan. */
#define PM_REGIONS_PER_RECORD 4
#define PM_SCAN_REGIONS_MAX 64	/* regions read per call; the model judges only up to the
				   end of the last one read */
#define PM_REGION_WRITTEN (1u << 31)	/* in npages: the region has PAGE_IS_WRITTEN */

/* Where an event came from: one entry per kernel or user-side hook point. */
enum uffdwp_hook {
	HOOK_CHANGE_PROTECTION = 0,	/* change_protection() entry+exit */
	HOOK_HUGETLB_CHANGE_PROTECTION,	/* hugetlb_change_protection() */
	HOOK_CHANGE_HUGE_PMD,		/* change_huge_pmd() */
	HOOK_MIGRATION_PTE,		/* migrate:remove_migration_pte tp, else remove_migration_pte() */
	HOOK_SET_MIGRATION_PTE,		/* migrate:set_migration_pte tp */
	HOOK_MIGRATION_PMD,		/* remove_migration_pmd() */
	HOOK_SET_MIGRATION_PMD,		/* set_pmd_migration_entry() */
	HOOK_ZAP,			/* unmap_page_range() / __zap_vma_range() (7.1+) */
	HOOK_HANDLE_USERFAULT,		/* handle_userfault() */
	HOOK_SYSCALLS,			/* syscalls:sys_{enter,exit}_* tracepoints */
	HOOK_WRITE_FAULT,		/* exceptions:page_fault_user */
	HOOK_SCHED,			/* sched_process_{fork,exec,exit} */
	HOOK_ZAP_HUGETLB,		/* unmap_hugepage_range(): hugetlbfs hole punch, truncate */
	HOOK_MAX,
};

/* Why a record was lost (bpf/emit.bpf.h count_lost(), src/loader/progstats.c). */
enum uffdwp_lost_cause {
	LOST_RING = 0,		/* the ring buffer was full at the reserve */
	LOST_TABLE,		/* no room: a WP range in its map, a thread's stash not made */
	LOST_SKIPPED,		/* the kernel skipped every copy of a program (recursion) */
	LOST_CAUSE_MAX,
};

/* How a hook is attached; chosen per hook at load time (src/loader/hooks.c). */
enum uffdwp_mech {
	MECH_NONE = 0,
	MECH_FENTRY,		/* fentry/fexit (BPF trampoline) */
	MECH_KPROBE,		/* kprobe/kretprobe */
	MECH_TRACEPOINT,	/* tracepoint, raw_tp or tp_btf */
	MECH_MAX,
};

enum uffdwp_kind {
	EV_UFFD_OPEN = 1,	/* userfaultfd() or USERFAULTFD_IOC_NEW returned a uffd */
	EV_UFFD_API,		/* UFFDIO_API */
	EV_UFFD_REGISTER,	/* UFFDIO_REGISTER */
	EV_UFFD_UNREGISTER,	/* UFFDIO_UNREGISTER */
	EV_UFFD_WRITEPROTECT,	/* UFFDIO_WRITEPROTECT */
	EV_UFFD_COPY,		/* UFFDIO_COPY / ZEROPAGE / CONTINUE / POISON / MOVE (u.fill.op) */
	EV_UFFD_WP_MESSAGE,	/* a uffd_msg PAGEFAULT with UFFD_PAGEFAULT_FLAG_WP read by the target */
	EV_UFFD_MESSAGE,	/* any other uffd_msg read (missing/minor fault, fork, remap, remove, unmap) */
	EV_HANDLE_USERFAULT,	/* kernel: handle_userfault() was entered */
	EV_CHANGE_PROTECTION,	/* kernel: change_protection / hugetlb_change_protection / change_huge_pmd returned */
	EV_MIGRATION_PTE,	/* kernel: a migration entry was installed or removed */
	EV_ZAP,			/* kernel: a range of a VMA is being zapped */
	EV_MPROTECT,
	EV_MADVISE,
	EV_MUNMAP,
	EV_MREMAP,
	EV_FALLOCATE,
	EV_FORK,		/* a traced process created a child process (not a thread) */
	EV_EXEC,
	EV_EXIT,		/* a traced thread group exited */
	EV_WRITE_FAULT,		/* a user write fault inside a range registered for WP */
	EV_PTE_RUN,		/* observed page-table state of a run of pages (ground truth) */
	EV_PM_SCAN,		/* ioctl(PAGEMAP_SCAN) on a pagemap file (6.7+): u.scan.begin = 1 at
				   entry, else its return; mm is the scanned mm */
	EV_PM_SCAN_REGION,	/* up to PM_REGIONS_PER_RECORD of the struct page_region it
				   returned, packed (u.scan_regions); all of a call's come
				   before its return record */
	EV_MMAP,		/* mmap(MAP_FIXED) returned: whatever was mapped in
				   [start, end) was unmapped first (do_mmap() ->
				   do_vmi_munmap()); other mmaps replace nothing */
	EV_UFFD_CLOSE,		/* close() of a uffd (at its entry); u.close.released: the
				   file's last reference, so userfaultfd_release() runs
				   before the thread returns to user space */
	EV_KIND_MAX,
};

/* u.fill.op for EV_UFFD_COPY */
enum uffdwp_fill_op {
	FILL_COPY = 1,
	FILL_ZEROPAGE,
	FILL_CONTINUE,
	FILL_POISON,
	FILL_MOVE,		/* UFFDIO_MOVE (6.8+): start/end the dst range, src the source */
	FILL_OP_MAX,
};

/* u.mig.where for EV_MIGRATION_PTE */
enum uffdwp_mig_where {
	MIG_SET_PTE = 1,	/* a PTE was replaced by a migration entry; u.mig.pte is that entry */
	MIG_REMOVE_PTE,		/* a migration entry was replaced by the new PTE; u.mig.pte is the new PTE */
	MIG_SET_PMD,
	MIG_REMOVE_PMD,
};

/* u.cp.variant for EV_CHANGE_PROTECTION */
enum uffdwp_cp_variant {
	CP_PTE = 1,		/* change_protection() */
	CP_HUGETLB,		/* hugetlb_change_protection() */
	CP_HUGE_PMD,		/* change_huge_pmd() */
};

/* Kernel constants the records carry verbatim (uapi / mm.h values, stable). */
#define UFFDWP_MM_CP_TRY_CHANGE_WRITABLE	(1UL << 0)
#define UFFDWP_MM_CP_PROT_NUMA			(1UL << 1)
#define UFFDWP_MM_CP_UFFD_WP			(1UL << 2)
#define UFFDWP_MM_CP_UFFD_WP_RESOLVE		(1UL << 3)
#define UFFDWP_MM_CP_UFFD_RWP			(1UL << 4)	/* 7.3: UFFDIO_RWPROTECT */
#define UFFDWP_ZAP_FLAG_DROP_MARKER		(1UL << 0)	/* zap_details.zap_flags */

#define UFFDWP_VM_WRITE		0x00000002UL
#define UFFDWP_VM_SHARED	0x00000008UL
#define UFFDWP_VM_UFFD_MISSING	0x00000200UL
#define UFFDWP_VM_HUGETLB	0x00400000UL
#define UFFDWP_VM_UFFD_WP	0x00001000UL
/* VM_UFFD_MINOR moved (bit 37 in 6.1, 38 in 6.12): a handle_userfault reason that is
 * neither VM_UFFD_WP nor VM_UFFD_MISSING is a minor fault. */

/* What backs the VMA of an event (vma_backing), as the kernel decides
 * vma_is_anonymous() / is_vm_hugetlb_page() / shmem_file(): it picks the
 * zap and marker rules (zap_install_uffd_wp_if_needed(),
 * userfaultfd_wp_use_markers()) and whether an unprotect may make a page
 * writable (can_change_pte_writable()). */
enum uffdwp_backing {
	BACKING_UNKNOWN = 0,	/* no VMA seen by this event */
	BACKING_ANON,		/* no vm_file (private anonymous) */
	BACKING_SHMEM,		/* tmpfs/memfd/MAP_SHARED|MAP_ANONYMOUS (vm_flags says shared or not) */
	BACKING_HUGETLB,	/* VM_HUGETLB */
	BACKING_FILE,		/* any other file */
	BACKING_MAX,
};

/* EV_PTE_RUN u.run.state bits: the decoded state shared by every page of the run. */
#define PTE_ST_NONE		(1u << 0)	/* pte_none / empty upper level */
#define PTE_ST_PRESENT		(1u << 1)
#define PTE_ST_WRITE		(1u << 2)
#define PTE_ST_UFFD_WP		(1u << 3)	/* uffd-wp bit (present or swap) */
#define PTE_ST_SWAP		(1u << 4)
#define PTE_ST_MIGRATION	(1u << 5)
#define PTE_ST_MARKER_WP	(1u << 6)	/* PTE marker with PTE_MARKER_UFFD_WP */
#define PTE_ST_HUGE		(1u << 7)	/* leaf at PMD/PUD level */
#define PTE_ST_DIRTY		(1u << 8)
/* A PTE marker without PTE_MARKER_UFFD_WP: PTE_MARKER_POISONED (6.6+,
 * UFFDIO_POISON, hugetlb/memory-failure), PTE_MARKER_GUARD (6.13+,
 * MADV_GUARD_INSTALL), and 6.1's SWP_SWAPIN_ERROR entry.  Nothing is mapped
 * and it says nothing about write protection: never PTE_ST_SWAP. */
#define PTE_ST_MARKER_OTHER	(1u << 9)
/* A present entry with pte_special() (x86 _PAGE_SPECIAL, bit 9): the shared
 * zero page (a read fault, or 6.12+'s try_to_map_unused_to_zeropage() of a
 * zero-filled subpage when an anon THP is split) or a pfnmap; no exclusive
 * anon page behind it, so no write bit is ever owed (vm_normal_page() is NULL
 * in can_change_pte_writable()). */
#define PTE_ST_SPECIAL		(1u << 10)

struct uffdwp_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 mm;		/* mm_struct address: identity only */
	__u32 kind;		/* enum uffdwp_kind */
	__u16 hook;		/* enum uffdwp_hook */
	__u16 mech;		/* enum uffdwp_mech the hook ran under */
	__u32 pid;		/* thread group id */
	__u32 tid;
	__s64 ret;		/* return value of the syscall / function, 0 if none */
	__u64 start;		/* affected range [start, end), page aligned where the kernel aligns */
	__u64 end;
	__u64 vma_start;	/* the VMA, when the hook has one (0 otherwise) */
	__u64 vma_end;
	__u64 vm_flags;
	__u32 vma_backing;	/* enum uffdwp_backing of the VMA above */
	__u32 lost_before;	/* records lost (ring full) since the last one that said so:
				   the model's knowledge before this one has a hole */
	union {
		struct {			/* EV_UFFD_OPEN */
			__s32 fd;
			__u32 flags;
		} open;
		struct {			/* EV_UFFD_CLOSE */
			__s32 fd;
			__u32 released;
		} close;
		struct {			/* EV_UFFD_API */
			__s32 fd;
			__u32 _pad;
			__u64 api;
			__u64 features_req;	/* what the caller asked for */
			__u64 features;		/* what the kernel returned (0 on error) */
			__u64 ioctls;
		} api;
		struct {			/* EV_UFFD_REGISTER / UNREGISTER / WRITEPROTECT */
			__s32 fd;
			__u32 _pad;
			__u64 mode;		/* UFFDIO_REGISTER_MODE_* or UFFDIO_WRITEPROTECT_MODE_* */
			__u64 ioctls;		/* REGISTER: returned ioctls */
			__u8 begin;		/* WRITEPROTECT: 1 = the ioctl was entered, 0 = it returned */
		} range;
		struct {			/* EV_UFFD_COPY */
			__s32 fd;
			__u32 op;		/* enum uffdwp_fill_op */
			__u64 mode;		/* UFFDIO_COPY_MODE_WP etc.; MOVE: UFFDIO_MOVE_MODE_* */
			__s64 done;		/* bytes copied/zeroed/mapped/moved (the struct's
						   result field) */
			__u64 src;		/* COPY, MOVE: the source address */
			__u8 begin;		/* 1: the ioctl was entered (MODE_WP fills only: their
						   PTEs are live before it returns); 0: it returned.
						   The model's struct call_in_flight says why. */
		} fill;
		struct {			/* EV_UFFD_WP_MESSAGE / EV_UFFD_MESSAGE: start = address */
			__s32 fd;
			__u8 event;		/* UFFD_EVENT_* */
			__u8 _pad[3];
			__u64 flags;		/* pagefault.flags (UFFD_PAGEFAULT_FLAG_*) */
			__u64 arg1;		/* fork: ufd; remap: from; remove/unmap: start */
			__u64 arg2;		/* remap: to; remove/unmap: end */
			__u64 arg3;		/* remap: len */
		} msg;
		struct {			/* EV_HANDLE_USERFAULT: start = address */
			__u64 reason;		/* VM_UFFD_WP, VM_UFFD_MISSING, else minor */
			__u64 fault_flags;	/* FAULT_FLAG_* */
		} fault;
		struct {			/* EV_CHANGE_PROTECTION */
			__u64 cp_flags;		/* MM_CP_* */
			__u32 variant;		/* enum uffdwp_cp_variant */
			__u32 _pad;
			__u64 vm_page_prot;	/* pgprot of the VMA after the call */
		} cp;
		struct {			/* EV_MIGRATION_PTE: start = address */
			__u64 pte;		/* see enum uffdwp_mig_where */
			__u32 where;		/* enum uffdwp_mig_where */
			__s32 order;
			__u32 state;		/* PTE_ST_* of pte, decoded in the kernel (it
						   knows this kernel's swap-entry types) */
			__u8 lost_wp;		/* state breaks the f1eb1bacfba9 invariant */
		} mig;
		struct {			/* EV_ZAP */
			__u64 zap_flags;	/* zap_details->zap_flags, 0 without details */
			__u8 has_details;
			__u8 even_cows;
			__u8 in_mremap;		/* inside mremap(): move_vma() unmapping the
						   moved-from range, or MREMAP_FIXED's target;
						   the EV_MREMAP record accounts for both */
		} zap;
		struct {			/* EV_MPROTECT */
			__u64 prot;
		} mprotect;
		struct {			/* EV_MADVISE */
			__u64 advice;
		} madvise;
		struct {			/* EV_MREMAP: start/end = old range */
			__u64 new_len;
			__u64 flags;
			__u64 new_addr;		/* requested (MREMAP_FIXED); ret holds the result */
		} mremap;
		struct {			/* EV_MMAP: start/end = the requested range; ret = address */
			__u64 prot;
			__u64 flags;		/* MAP_* */
			__s64 fd;
		} mmap;
		struct {			/* EV_FALLOCATE: start/end = file offsets */
			__s32 fd;
			__u32 mode;
		} falloc;
		struct {			/* EV_FORK: pid = parent */
			__u32 child_pid;
			__u32 _pad;
			__u64 child_mm;
		} fork;
		struct {			/* EV_EXIT */
			__s32 code;
		} exit;
		struct {			/* EV_WRITE_FAULT: start = address */
			__u64 error_code;	/* x86 PF error code */
			__u64 ip;
		} wf;
		struct {			/* EV_PTE_RUN: [start, end) share one state */
			__u32 state;		/* PTE_ST_* */
			__u16 source_kind;	/* the event kind this observation belongs to */
			__u8 level;		/* 1 = PTE, 2 = PMD, 3 = PUD */
			__u8 capped;		/* the walk stopped at its per-event cap here */
			__u64 sample;		/* raw entry value of the first page */
			__u8 lost_wp;		/* state breaks the f1eb1bacfba9 invariant */
		} run;
		struct {			/* EV_PM_SCAN: start/end = the requested range */
			__u64 walk_end;		/* where the walk stopped (the return record) */
			__u32 flags;		/* PM_SCAN_WP_MATCHING, PM_SCAN_CHECK_WPASYNC */
			__u16 category_mask;	/* PAGE_IS_* (all fit 16 bits up to 7.3) */
			__u16 category_inverted;
			__u16 category_anyof_mask;
			__u16 return_mask;
			__u32 nregions_read;	/* EV_PM_SCAN_REGION records sent before this
						   one; fewer than ret: the rest was not read */
			__u8 begin;		/* 1: the ioctl was entered; 0: it returned */
			__u8 vec_given;		/* a vector was passed (vec_len != 0): without one
						   WP_MATCHING takes the kernel's unfiltered path */
		} scan;
		struct {			/* EV_PM_SCAN_REGION: start = the scan's start */
			__u32 first;		/* index in the returned vector of r[0] */
			__u32 n;		/* regions in r[] */
			struct pm_scan_region_packed {
				__u32 offset;	/* first page, in pages from start */
				__u32 npages;	/* | PM_REGION_WRITTEN */
			} r[PM_REGIONS_PER_RECORD];
		} scan_regions;
		__u64 raw[5];
	} u;
	char comm[UFFDWP_COMM_LEN];
};

/* The entry record of an ioctl reported at both ends (u.range/u.fill.begin):
 * not a call of its own when calls are counted. */
static inline int uffdwp_event_is_begin(const struct uffdwp_event *e)
{
	return (e->kind == EV_UFFD_WRITEPROTECT && e->u.range.begin) ||
	       (e->kind == EV_UFFD_COPY && e->u.fill.begin) ||
	       (e->kind == EV_PM_SCAN && e->u.scan.begin);
}

#endif /* UFFDWP_EVENT_H */
