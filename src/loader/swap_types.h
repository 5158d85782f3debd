/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The swap types the page-table walk decodes (SWP_PTE_MARKER and
 * SWP_MIGRATION_READ), learnt from the running kernel at load time: they
 * move between versions and configs (include/linux/swap.h), so they are
 * never baked in.  See swap_types.c for how.
 */
#ifndef UFFDWP_LOADER_SWAP_TYPES_H
#define UFFDWP_LOADER_SWAP_TYPES_H

#include <stdio.h>

struct btf;
struct kernel_kallsyms;
struct uffdwp;

/* A migration type above any 5-bit swap type: the kernel has none
 * (CONFIG_MIGRATION=n); arch_decode_swap() then matches no migration entry. */
#define SWAP_TYPE_NONE 0xff

struct swap_types {
	unsigned int marker;		/* SWP_PTE_MARKER */
	unsigned int migration;		/* SWP_MIGRATION_READ (+1 READ_EXCLUSIVE, +2 WRITE), or SWAP_TYPE_NONE */
	char from[160];			/* how they were obtained */
	char note[240];			/* a mismatch or fallback, one line; "" if none */
};

/* Learn the types: a PTE marker made in this process and read back through
 * /proc/self/pagemap, and the kernel's BTF (or kallsyms) for the types
 * between the marker and the migration types.  Never fails: what could not
 * be learnt is said in st->note. */
void swap_types_detect(struct swap_types *st, const struct btf *btf,
		       const struct kernel_kallsyms *kallsyms);

/* Set the rodata knobs of an opened, not yet loaded skeleton. */
void swap_types_apply(const struct swap_types *st, struct uffdwp *skel);

/* "swap types: marker 31, migration 25 (from ...)" */
void swap_types_print(FILE *f, const struct swap_types *st);

#endif /* UFFDWP_LOADER_SWAP_TYPES_H */
