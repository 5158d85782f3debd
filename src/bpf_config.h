/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load-time configuration the loader writes into the BPF object's .rodata
 * between open and load.  Shared by bpf/ and src/loader/.
 */
#ifndef UFFDWP_BPF_CONFIG_H
#define UFFDWP_BPF_CONFIG_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/*
 * What a kernel function argument means to us.  The loader finds each role
 * by parameter name in the running kernel's BTF, because prototypes drift
 * (change_protection() lost `newprot` after 6.1, folio replaced page, ...).
 */
enum uffdwp_arg_role {
	ROLE_VMA = 0,	/* struct vm_area_struct *vma */
	ROLE_START,	/* start / addr / address */
	ROLE_END,	/* end */
	ROLE_SIZE,	/* size (end = start + size) */
	ROLE_FLAGS,	/* cp_flags (change_protection), reason (handle_userfault),
			 * zap_flags (unmap_hugepage_range) */
	ROLE_DETAILS,	/* struct zap_details *details */
	ROLE_VMF,	/* struct vm_fault *vmf */
	ROLE_PVMW,	/* struct page_vma_mapped_walk *pvmw */
	ROLE_MAX,
};

#define ARG_ABSENT	(-1)
#define MAX_FUNC_ARGS	6	/* register arguments on x86-64 and arm64 */
/* WP-registered ranges tracked in the kernel for write faults, per thread group
 * (struct traced_task, bpf/wp_ranges.bpf.h) */
#define WP_RANGES_PER_PROCESS	32
#define MAX_MSGS_PER_READ 16	/* uffd_msg decoded per read() */
/* Copies of one hook's program at most (bpf/stash_copies.bpf.h); the
 * skips_covered map has a per-CPU counter per hook and copy,
 * hook * HOOK_COPIES_MAX + copy: the calls that copy skipped and another
 * recorded, which cost no record (handle_userfault's, the one hook whose
 * programs are all entry programs: bpf/func_hooks.bpf.c). */
#define HOOK_COPIES_MAX	3

/* Per-CPU write-fault counters (wf_stats map), summed by the loader. */
enum uffdwp_wf_stat {
	WF_STAT_SEEN = 0,	/* write faults of traced threads inside WP ranges */
	WF_STAT_REPEATS,	/* of those, not recorded: repeats faults.bpf.c proved changeless */
	WF_STAT_MAX,
};

/* Per-CPU walk counters (walk_stats map, bpf/pgtable.bpf.c), summed by the loader. */
enum uffdwp_walk_stat {
	WALK_STAT_PAGES = 0,	/* 4 KiB pages of the ranges pgtable_walk() was asked to observe */
	WALK_STAT_MAX,
};

/* A uffd-wp registered range [start, end); a free slot has start 0. */
struct wp_range {
	__u64 start;
	__u64 end;
};

/* Value of the traced_tgids map; the loader inserts the target all zero. */
struct traced_task {
	__u64 mm;	/* current mm of the thread group, 0 until seen */
	/* Its WP ranges, where write faults are recorded: here, as the write-fault
	 * program has this entry at hand (a map of their own cost a hash lookup
	 * per fault, ~150 ns on the host), and they go with the entry. */
	struct wp_range wp[WP_RANGES_PER_PROCESS];
};

#endif
