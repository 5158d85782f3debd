/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 page-table specifics for the ground-truth walk (pgtable.bpf.h).
 *
 * Everything that depends on the architecture's entry format lives here, so an
 * arm64 port provides the same small set of functions:
 *   arch_pgt_setup()       page-table geometry of the running kernel
 *   arch_entry_none()      an empty entry at any level
 *   arch_entry_is_table()  an upper-level entry that points to a next-level table
 *   arch_entry_table_pa()  the physical address of that table
 *   arch_entry_decode()    an entry (leaf or empty) -> PTE_ST_* bits
 *
 * Levels are numbered as in event.h: 1 = PTE, 2 = PMD, 3 = PUD, 4 = P4D,
 * 5 = PGD of 5-level paging.  With 4-level paging the PGD is the top (level 4)
 * and the P4D is folded into it, as p4d_offset() does for !pgtable_l5_enabled().
 *
 * Encodings: arch/x86/include/asm/pgtable_types.h, pgtable_64.h (6.1 and 6.12
 * agree), include/linux/swap.h, include/linux/swapops.h.
 */
#ifndef UFFDWP_ARCH_X86_BPF_H
#define UFFDWP_ARCH_X86_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "event.h"

#define X86_PAGE_PRESENT	(1ULL << 0)
#define X86_PAGE_RW		(1ULL << 1)
#define X86_PAGE_USER		(1ULL << 2)
#define X86_PAGE_ACCESSED	(1ULL << 5)
#define X86_PAGE_DIRTY		(1ULL << 6)
#define X86_PAGE_PSE		(1ULL << 7)	/* leaf at PMD/PUD level; PAT at PTE level */
#define X86_PAGE_PROTNONE	(1ULL << 8)	/* _PAGE_GLOBAL reused: PROT_NONE / NUMA hinting */
#define X86_PAGE_SPECIAL	(1ULL << 9)	/* _PAGE_SOFTW1: pte_special() */
#define X86_PAGE_UFFD_WP	(1ULL << 10)	/* _PAGE_SOFTW2 */
/* 6.6+: pte_wrprotect()/pmd_wrprotect() move D into _PAGE_SAVED_DIRTY
 * (_PAGE_BIT_SOFTW5, mksaveddirty_shift(), for shadow stacks) and pte_dirty()
 * tests both.  Before 6.6 bit 58 is _PAGE_DEVMAP, so it only counts there. */
#define X86_PAGE_SAVED_DIRTY	(1ULL << 58)
#define X86_PAGE_NX		(1ULL << 63)
#define X86_PAGE_SWP_UFFD_WP	X86_PAGE_USER	/* _PAGE_SWP_UFFD_WP in swap-format entries */
/* _PAGE_KNL_ERRATUM_MASK: pte_none()/pmd_none()/... ignore these two bits. */
#define X86_PAGE_KNL_ERRATUM	(X86_PAGE_DIRTY | X86_PAGE_ACCESSED)
/* Physical address bits 12..51 (__PHYSICAL_MASK_SHIFT 52); drops NX and the software bits. */
#define X86_PTE_PFN_MASK	0x000ffffffffff000ULL

/* Swap-format entry (pgtable_64.h): type in the top SWP_TYPE_BITS bits, the
 * offset inverted in bits SWP_OFFSET_FIRST_BIT (_PAGE_BIT_PROTNONE + 1 = 9)
 * up to 58:  __swp_offset(x) = ~x << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT. */
#define X86_SWP_TYPE_BITS	5
#define X86_SWP_OFFSET_SHIFT	(9 + X86_SWP_TYPE_BITS)
#define SWP_PTE_MARKER_UFFD_WP	(1ULL << 0)	/* PTE_MARKER_UFFD_WP, swapops.h */

/* Any canonical 4-level kernel address is at or above this; the 5-level direct
 * map starts at 0xff11000000000000 and its KASLR slot stays far below it. */
#define X86_L4_KERNEL_FLOOR	0xffff800000000000ULL
#define X86_PUD_SIZE		(1ULL << 30)

/*
 * Knobs the loader may set before load (all default to "derive it here").
 *
 * uffdwp_page_offset_base: the direct-map base (page_offset_base, KASLR).
 *   0: use the kernel variable through kallsyms (CONFIG_KALLSYMS_ALL, true for
 *   the Debian and shared/kernels configs), else discover it once by checking
 *   candidates against the page tables (pgt_discover_dmap_base()).
 * uffdwp_swp_type_marker / uffdwp_swp_type_migration: SWP_PTE_MARKER and
 *   SWP_MIGRATION_READ (> 31: the kernel has no migration types).  They move
 *   between versions and configs (include/linux/swap.h: Debian 7.3 with
 *   CONFIG_DEVICE_PRIVATE=y has 31/25, Debian 6.12 31/28, 6.1 30/27), so the
 *   loader always sets them from the running kernel (src/loader/swap_types.c:
 *   a PTE marker measured through pagemap, device/migration types from BTF).
 *   0 (a loader that set nothing): last resort, derived from the version
 *   assuming CONFIG_DEVICE_PRIVATE=n and CONFIG_MIGRATION=y: marker 30 on
 *   5.19..6.1 (SWP_SWAPIN_ERROR on top), 31 on 6.2+, migration = marker - 3.
 */
extern const volatile __u64 uffdwp_page_offset_base;	/* all three in pgtable.bpf.c */
extern const volatile __u32 uffdwp_swp_type_marker;
extern const volatile __u32 uffdwp_swp_type_migration;

extern int LINUX_KERNEL_VERSION __kconfig;
/* Addresses of page_offset_base and physical_mask, set by the loader from its
 * one pass over /proc/kallsyms (src/loader/kallsyms.c; typeless __ksym externs
 * would make libbpf read the file again); 0 when the kernel lacks them (no
 * CONFIG_KALLSYMS_ALL, or no CONFIG_DYNAMIC_PHYSICAL_MASK).  In pgtable.bpf.c. */
extern const volatile __u64 uffdwp_ksym_page_offset_base;
extern const volatile __u64 uffdwp_ksym_physical_mask;

/* Discovered direct-map base, cached for the life of the object (pgtable.bpf.c). */
extern __u64 uffdwp_pgt_dmap_base_cache;

struct pgt_geom {
	__u64 pgd;		/* mm->pgd: a direct-map virtual address */
	__u64 dmap_base;	/* page_offset_base */
	__u64 pa_mask;		/* table/page physical address bits */
	__u32 top_level;	/* 5 or 4 */
	__u32 swp_marker;	/* SWP_PTE_MARKER */
	__u32 swp_migration;	/* SWP_MIGRATION_READ; +1 READ_EXCLUSIVE, +2 WRITE */
	__u64 dirty_bits;	/* _PAGE_DIRTY_BITS of this kernel */
};

static __always_inline __u32 arch_level_shift(__u32 level)
{
	return 12 + 9 * (level - 1);
}

static __always_inline __u64 arch_entry_index(__u64 addr, __u32 level)
{
	return (addr >> arch_level_shift(level)) & 511;
}

static __always_inline int arch_entry_none(__u64 val)
{
	return (val & ~X86_PAGE_KNL_ERRATUM) == 0;
}

static __always_inline __u64 arch_entry_table_pa(const struct pgt_geom *g, __u64 val)
{
	return val & g->pa_mask;
}

/* A non-empty entry that is not a leaf: pgd/p4d always; pud/pmd when present
 * and not PSE (pud_leaf()/pmd_leaf()).  Non-present non-empty PMD/PUD entries
 * are swap-format leaves (THP / hugetlb migration entries, hugetlb markers). */
static __always_inline int arch_entry_is_table(__u64 val, __u32 level)
{
	if (level >= 4)
		return 1;
	return (val & X86_PAGE_PRESENT) && !(val & X86_PAGE_PSE);
}

/* pte_present()/pmd_present(): PROT_NONE and NUMA-hinting entries (PROTNONE
 * set, PRESENT clear) count as present, as the kernel and pagemap count them;
 * pmd_present() also accepts PSE alone (pmdp_invalidate() during a split). */
static __always_inline int arch_entry_present(__u64 val, __u32 level)
{
	__u64 bits = X86_PAGE_PRESENT | X86_PAGE_PROTNONE;

	if (level >= 2)
		bits |= X86_PAGE_PSE;
	return (val & bits) != 0;
}

/*
 * A swap-format entry -> PTE_ST_*.  SWP_PTE_MARKER entries carry the marker
 * bits in the offset (make_pte_marker_entry(): swp_entry(SWP_PTE_MARKER,
 * marker)): PTE_MARKER_UFFD_WP is bit 0 in 6.1, 6.12 and 7.3 (swapops.h);
 * the others are PTE_MARKER_POISONED (bit 1, 6.6+) and PTE_MARKER_GUARD
 * (bit 2, 6.13+; 7.3 swapops.h, read through leafops.h).  A marker without
 * the uffd-wp bit maps nothing and says nothing about protection:
 * PTE_ST_MARKER_OTHER, not PTE_ST_SWAP.  5.19..6.1 also have SWP_SWAPIN_ERROR
 * right above SWP_PTE_MARKER (6.1 swap.h: MAX_SWAPFILES + ... +
 * SWP_PTE_MARKER_NUM), written by unuse_pte() in place of an unreadable swap
 * entry; 6.2 made it PTE_MARKER_SWAPIN_ERROR and SWP_PTE_MARKER the top type
 * (31), so marker + 1 matches no 5-bit type there.
 */
static __always_inline __u32 arch_decode_swap(const struct pgt_geom *g, __u64 val)
{
	__u32 type = val >> (64 - X86_SWP_TYPE_BITS);
	__u64 offset = ~val << X86_SWP_TYPE_BITS >> X86_SWP_OFFSET_SHIFT;
	__u32 st = 0;

	if (val & X86_PAGE_SWP_UFFD_WP)
		st |= PTE_ST_UFFD_WP;
	if (type == g->swp_marker)	/* SWAP|MARKER_WP|UFFD_WP as before, or MARKER_OTHER */
		return st | ((offset & SWP_PTE_MARKER_UFFD_WP) ?
			     PTE_ST_SWAP | PTE_ST_MARKER_WP | PTE_ST_UFFD_WP : PTE_ST_MARKER_OTHER);
	if (type == g->swp_marker + 1)	/* 6.1's SWP_SWAPIN_ERROR */
		return st | PTE_ST_MARKER_OTHER;
	st |= PTE_ST_SWAP;
	/* unsigned: UFFDWP_SWP_TYPE_NONE (no CONFIG_MIGRATION) matches nothing */
	if (type - g->swp_migration <= 2) {
		st |= PTE_ST_MIGRATION;
		if (type == g->swp_migration + 2)	/* SWP_MIGRATION_WRITE */
			st |= PTE_ST_WRITE;
	}
	return st;
}

/* A leaf or empty entry at @level -> PTE_ST_* (see pgtable.bpf.h for the meaning). */
static __always_inline __u32 arch_entry_decode(const struct pgt_geom *g, __u64 val, __u32 level)
{
	__u32 st = level >= 2 ? PTE_ST_HUGE : 0;

	if (arch_entry_none(val))
		return PTE_ST_NONE;
	if (!arch_entry_present(val, level))
		return st | arch_decode_swap(g, val);
	st |= PTE_ST_PRESENT;
	if (val & X86_PAGE_RW)
		st |= PTE_ST_WRITE;
	if (val & g->dirty_bits)
		st |= PTE_ST_DIRTY;
	if (val & X86_PAGE_UFFD_WP)
		st |= PTE_ST_UFFD_WP;
	if (val & X86_PAGE_SPECIAL)
		st |= PTE_ST_SPECIAL;
	return st;
}

/* ---- direct-map base discovery (kernels without page_offset_base in kallsyms) ---- */

#define PGT_DISCOVER_MAX_GB	4096	/* the pgd page sits in the first 4 TiB of RAM */
#define PGT_DMAP_BASE_NONE	1ULL	/* cached "no base fits" (a base is PUD-aligned) */

struct pgt_discover_ctx {
	struct pgt_geom g;	/* by value: the callback sees only this frame */
	__u64 va;		/* mm->pgd: its translation must equal va - base */
	__u64 top_pa;		/* next-level table of the top entry covering va */
	__u64 user_bit;		/* that top entry's _PAGE_USER: the kernel's own tables' */
	__u64 base;		/* result, 0 if none fits */
};

/*
 * Translate ctx->va with a candidate base; levels below the top are read
 * through that base, so only the right base reproduces va - base.  A wrong
 * base reads some other page as a table, and a small number there (bits 0
 * and 7 set, nothing above bit 29) passed for a 1 GiB leaf mapping va - base
 * when that was under 1 GiB: on the 6.18 host (no CONFIG_KALLSYMS_ALL) one
 * tracer run in four took such a base, and every walk then read empty
 * tables.  So every entry on the way must also look like the kernel's own
 * direct map: present and writable, with the user bit of the top entry that
 * maps the pgd itself (read without a candidate: clear on bare metal and KVM,
 * _KERNPG_TABLE; set under PVM, whose guest kernel runs in hardware ring 3 and
 * maps itself with _PAGE_USER, as the 6.18 PVM host does), and the leaf not
 * executable (PAGE_KERNEL(_LARGE) carries NX on every CPU that has
 * it, and the direct map has been NX since 4.x; a CPU without NX finds no
 * base, and walks observe nothing rather than something false).
 */
static __always_inline int pgt_candidate_fits(struct pgt_discover_ctx *c, __u64 base)
{
	const struct pgt_geom *g = &c->g;
	__u64 table_pa = c->top_pa, val = 0, size;
	__u32 level;

#pragma unroll
	for (int i = 1; i < 5; i++) {
		level = g->top_level - i;
		if (level < 1)
			return 0;
		if (bpf_probe_read_kernel(&val, sizeof(val),
					  (void *)(base + table_pa + arch_entry_index(c->va, level) * 8)))
			return 0;
		if ((val & (X86_PAGE_PRESENT | X86_PAGE_RW | X86_PAGE_USER)) !=
		    (X86_PAGE_PRESENT | X86_PAGE_RW | c->user_bit))
			return 0;
		if (level == 1 || !arch_entry_is_table(val, level))
			break;
		table_pa = arch_entry_table_pa(g, val);
	}
	if (!(val & X86_PAGE_NX))
		return 0;
	size = 1ULL << arch_level_shift(level);
	return ((val & g->pa_mask & ~(size - 1)) | (c->va & (size - 1))) == c->va - base;
}

static int pgt_discover_step(__u32 k, void *data)
{
	struct pgt_discover_ctx *c = data;
	/* KASLR places page_offset_base on a PUD_SIZE boundary (kernel_randomize_memory()). */
	__u64 base = (c->va & ~(X86_PUD_SIZE - 1)) - (__u64)k * X86_PUD_SIZE;

	if (pgt_candidate_fits(c, base)) {
		c->base = base;
		return 1;
	}
	return 0;
}

static __noinline __u64 pgt_discover_dmap_base(const struct pgt_geom *g)
{
	struct pgt_discover_ctx c = { .g = *g, .va = g->pgd };
	__u64 top = 0;

	if (bpf_probe_read_kernel(&top, sizeof(top),
				  (void *)(g->pgd + arch_entry_index(g->pgd, g->top_level) * 8)))
		return 0;
	c.top_pa = arch_entry_table_pa(g, top);
	c.user_bit = top & X86_PAGE_USER;
	bpf_loop(PGT_DISCOVER_MAX_GB, pgt_discover_step, &c, 0);
	return c.base;
}

static __always_inline __u64 arch_dmap_base(const struct pgt_geom *g)
{
	__u64 base = uffdwp_page_offset_base;

	if (base)
		return base;
	if (uffdwp_ksym_page_offset_base &&
	    !bpf_probe_read_kernel(&base, sizeof(base), (const void *)uffdwp_ksym_page_offset_base) &&
	    base)
		return base;
	/* A failed discovery is remembered too (PGT_DMAP_BASE_NONE): it reads
	 * up to 4096 candidates, ~20 ms, and would cost that on every walk. */
	base = uffdwp_pgt_dmap_base_cache;
	if (base)
		return base == PGT_DMAP_BASE_NONE ? 0 : base;
	base = pgt_discover_dmap_base(g);
	uffdwp_pgt_dmap_base_cache = base ? base : PGT_DMAP_BASE_NONE;
	return base;
}

static __always_inline __u32 arch_swp_type_marker(void)
{
	if (uffdwp_swp_type_marker)
		return uffdwp_swp_type_marker;
	return LINUX_KERNEL_VERSION < KERNEL_VERSION(6, 2, 0) ? 30 : 31;
}

/* The part of @g that decoding an entry needs (no mm, no tables). */
static __always_inline void arch_decode_setup(struct pgt_geom *g)
{
	g->swp_marker = arch_swp_type_marker();
	g->swp_migration = uffdwp_swp_type_migration ? uffdwp_swp_type_migration
						     : g->swp_marker - 3;
	g->dirty_bits = X86_PAGE_DIRTY;
	if (LINUX_KERNEL_VERSION >= KERNEL_VERSION(6, 6, 0))
		g->dirty_bits |= X86_PAGE_SAVED_DIRTY;
}

/* Fill @g for @mm; returns 0, or -1 if the tables cannot be reached. */
static __always_inline int arch_pgt_setup(struct pgt_geom *g, struct mm_struct *mm)
{
	__u64 mask = 0;

	arch_decode_setup(g);
	g->pgd = (__u64)BPF_CORE_READ(mm, pgd);
	if (!g->pgd)
		return -1;
	/* The pgd page is in the direct map: below the 4-level kernel half
	 * means 5-level paging (pgtable_l5_enabled() has no stable symbol:
	 * __pgtable_l5_enabled is gone in recent kernels, and is data). */
	g->top_level = g->pgd < X86_L4_KERNEL_FLOOR ? 5 : 4;
	g->pa_mask = X86_PTE_PFN_MASK;
	/* physical_mask (CONFIG_DYNAMIC_PHYSICAL_MASK) excludes the SME C-bit / TDX shared bit. */
	if (uffdwp_ksym_physical_mask &&
	    !bpf_probe_read_kernel(&mask, sizeof(mask), (const void *)uffdwp_ksym_physical_mask) &&
	    mask)
		g->pa_mask &= mask;
	g->dmap_base = arch_dmap_base(g);
	return g->dmap_base ? 0 : -1;
}

#endif /* UFFDWP_ARCH_X86_BPF_H */
