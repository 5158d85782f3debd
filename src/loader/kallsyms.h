/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the loader needs from /proc/kallsyms, read in one pass: the kernel
 * formats its ~200,000 lines on every read (tens of ms on the host, seconds
 * under TCG), and libbpf would read it once more for typeless __ksym externs.
 */
#ifndef UFFDWP_LOADER_KALLSYMS_H
#define UFFDWP_LOADER_KALLSYMS_H

#include <stdbool.h>
#include <linux/types.h>

struct uffdwp;

struct kernel_kallsyms {
	bool read;				/* the file could be read */
	/* variables the page-table walk reads (0: absent, or hidden by kptr_restrict) */
	__u64 page_offset_base;			/* x86 KASLR direct-map base */
	__u64 physical_mask;			/* CONFIG_DYNAMIC_PHYSICAL_MASK */
	/* vmlinux functions whose configs shape the swap types (swap_types.c) */
	bool make_device_exclusive_range, make_device_exclusive, migrate_pages;
};

void kallsyms_read(struct kernel_kallsyms *k);

/* Set the walk's variable addresses in an opened, not yet loaded skeleton. */
void kallsyms_apply(const struct kernel_kallsyms *k, struct uffdwp *skel);

#endif
