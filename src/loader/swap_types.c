// SPDX-License-Identifier: GPL-2.0
/*
 * SWP_PTE_MARKER and SWP_MIGRATION_READ of the running kernel.
 *
 * include/linux/swap.h counts the special swap types down from
 * 1 << MAX_SWAPFILES_SHIFT (32), in this order from the top:
 *
 *   6.1:   SWP_SWAPIN_ERROR (1), SWP_PTE_MARKER (CONFIG_PTE_MARKER),
 *          SWP_DEVICE_* (4 with CONFIG_DEVICE_PRIVATE), SWP_MIGRATION_* (3
 *          with CONFIG_MIGRATION), SWP_HWPOISON (CONFIG_MEMORY_FAILURE)
 *   6.12:  SWP_PTE_MARKER, SWP_DEVICE_* (4), SWP_MIGRATION_* (3), SWP_HWPOISON
 *   7.3:   SWP_PTE_MARKER, SWP_DEVICE_* (3: one SWP_DEVICE_EXCLUSIVE), ...
 *
 * with SWP_PTE_MARKER = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM
 * + SWP_DEVICE_NUM and SWP_MIGRATION_READ = MAX_SWAPFILES + SWP_HWPOISON_NUM,
 * so   SWP_MIGRATION_READ = SWP_PTE_MARKER - SWP_DEVICE_NUM - SWP_MIGRATION_NUM
 * whatever CONFIG_MEMORY_FAILURE says.  Debian 7.3 (CONFIG_DEVICE_PRIVATE=y):
 * MAX_SWAPFILES = 32 - 3 - 3 - 1 - 1 = 24, migration 25, marker 31; Debian
 * 6.12: 27, 28, 31; Debian 6.1: 26, 27, 30 (and the shared 6.1.192 kernel,
 * CONFIG_MEMORY_FAILURE=n: 27, 27, 30).
 *
 * How, most trusted first:
 *  1. SWP_PTE_MARKER is measured: a MAP_SHARED memfd page, registered for WP
 *     and write-protected while unpopulated, gets a PTE marker
 *     (change_pte_range(): make_pte_marker(PTE_MARKER_UFFD_WP) on a none PTE
 *     of a non-anonymous VMA; change_pmd_prepare() allocates the table), and
 *     /proc/self/pagemap reports it as PM_SWAP with the frame
 *     swp_type(entry) | (swp_offset(entry) << MAX_SWAPFILES_SHIFT)
 *     (pte_to_pagemap_entry(), fs/proc/task_mmu.c, 6.1 to 7.3; frames need
 *     CAP_SYS_ADMIN).  swp_type() is __swp_type() of arch/x86/include/asm/
 *     pgtable_64.h, raw >> (64 - SWP_TYPE_BITS): what arch_decode_swap() reads.
 *     The offset must be PTE_MARKER_UFFD_WP (1), else it is not our marker.
 *  2. SWP_DEVICE_NUM and SWP_MIGRATION_NUM from the symbols their configs
 *     build, in the kernel's BTF or else /proc/kallsyms:
 *       make_device_exclusive_range (mm/rmap.c, CONFIG_DEVICE_PRIVATE, up to
 *         6.14): 4 device types (SWP_DEVICE_EXCLUSIVE_READ/_WRITE);
 *       make_device_exclusive (mm/rmap.c, CONFIG_DEVICE_PRIVATE, 6.15+, the
 *         series that also merged the two exclusive types): 3 (7.3 swap.h);
 *       migrate_pages (mm/migrate.o is obj-$(CONFIG_MIGRATION)): 3.
 *  3. Only if 1 fails is SWP_PTE_MARKER taken from the version: 31, or 30 on
 *     5.19..6.1 where SWP_SWAPIN_ERROR sits above it (added with "mm/swapfile:
 *     unuse_pte can map random data if swap read fails", removed by 6.2's
 *     "mm: use pte markers for swap errors").  The note says so.  The same
 *     version rule cross-checks a measured marker.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include "loader/kallsyms.h"
#include "loader/swap_types.h"
#include "uffdwp.skel.h"

#define SWP_TYPE_COUNT		32	/* 1 << MAX_SWAPFILES_SHIFT */
#define PM_SWAP			(1ULL << 62)	/* fs/proc/task_mmu.c */
#define PM_UFFD_WP		(1ULL << 57)
#define PM_FRAME_MASK		((1ULL << 55) - 1)
#define PM_SWP_TYPE_BITS	5	/* MAX_SWAPFILES_SHIFT */
#define PTE_MARKER_UFFD_WP	1ULL	/* swapops.h, bit 0 in 6.1..7.3 */

/* Make a uffd-wp PTE marker in this process and read its swap type back
 * from pagemap.  Returns the type, or -1 with *why set. */
static int probe_marker_type(const char **why)
{
	long psz = sysconf(_SC_PAGESIZE);
	int mfd = -1, ufd = -1, pfd = -1, type = -1;
	void *p = MAP_FAILED;
	uint64_t pm = 0;

	mfd = memfd_create("uffdwp-swp-probe", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, psz)) {
		*why = "no memfd";
		goto out;
	}
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED) {
		*why = "cannot map the memfd";
		goto out;
	}
	ufd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (ufd < 0) {
		*why = "no userfaultfd";
		goto out;
	}
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_WP_HUGETLBFS_SHMEM };
	struct uffdio_register reg = {
		.range = { (uintptr_t)p, psz }, .mode = UFFDIO_REGISTER_MODE_WP,
	};
	struct uffdio_writeprotect wp = {
		.range = { (uintptr_t)p, psz }, .mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};

	if (ioctl(ufd, UFFDIO_API, &api) || ioctl(ufd, UFFDIO_REGISTER, &reg)) {
		*why = "shmem cannot be registered for uffd-wp";
		goto out;
	}
	if (ioctl(ufd, UFFDIO_WRITEPROTECT, &wp)) {
		*why = "UFFDIO_WRITEPROTECT failed";
		goto out;
	}
	pfd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pfd < 0 || pread(pfd, &pm, sizeof(pm), (uintptr_t)p / psz * sizeof(pm)) != sizeof(pm)) {
		*why = "cannot read /proc/self/pagemap";
		goto out;
	}
	if (!(pm & PM_SWAP) || !(pm & PM_UFFD_WP)) {
		*why = "no uffd-wp PTE marker on unpopulated shmem";
		goto out;
	}
	if (!(pm & PM_FRAME_MASK)) {
		*why = "pagemap hides swap entries (no CAP_SYS_ADMIN)";
		goto out;
	}
	if (((pm & PM_FRAME_MASK) >> PM_SWP_TYPE_BITS) != PTE_MARKER_UFFD_WP) {
		*why = "pagemap entry is not a bare PTE_MARKER_UFFD_WP";
		goto out;
	}
	type = (int)(pm & (SWP_TYPE_COUNT - 1));
out:
	if (pfd >= 0)
		close(pfd);
	if (ufd >= 0)
		close(ufd);
	if (p != MAP_FAILED)
		munmap(p, psz);
	if (mfd >= 0)
		close(mfd);
	return type;
}

struct kernel_syms {
	bool device_range, device_single, migration;
	const char *source;	/* "BTF", "kallsyms" or NULL: neither could be read */
};

static void syms_from_kallsyms(struct kernel_syms *k, const struct kernel_kallsyms *ks)
{
	if (!ks->read)
		return;
	k->device_range = ks->make_device_exclusive_range;
	k->device_single = ks->make_device_exclusive;
	k->migration = ks->migrate_pages;
	k->source = "kallsyms";
}

static bool btf_has_func(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) >= 0;
}

static void kernel_syms(struct kernel_syms *k, const struct btf *btf,
			const struct kernel_kallsyms *kallsyms)
{
	struct kernel_syms ks = {};

	memset(k, 0, sizeof(*k));
	if (btf) {
		k->device_range = btf_has_func(btf, "make_device_exclusive_range");
		k->device_single = btf_has_func(btf, "make_device_exclusive");
		k->migration = btf_has_func(btf, "migrate_pages");
		k->source = "BTF";
		if (k->migration && (k->device_range || k->device_single))
			return;
	}
	/* BTF leaves out functions pahole could not encode: kallsyms settles a
	 * config BTF says is off, or stands in without BTF. */
	syms_from_kallsyms(&ks, kallsyms);
	if (!ks.source)
		return;
	if (!btf) {
		*k = ks;
		return;
	}
	if (ks.device_range > k->device_range || ks.device_single > k->device_single ||
	    ks.migration > k->migration) {
		k->device_range |= ks.device_range;
		k->device_single |= ks.device_single;
		k->migration |= ks.migration;
		k->source = "BTF+kallsyms";
	}
}

/* SWP_PTE_MARKER by the version alone (see the top of the file). */
static unsigned int marker_by_version(char *release, size_t len)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2) {
		snprintf(release, len, "unknown");
		return SWP_TYPE_COUNT - 1;
	}
	snprintf(release, len, "%u.%u", major, minor);
	if ((major == 5 && minor >= 19) || (major == 6 && minor < 2))
		return SWP_TYPE_COUNT - 2;	/* SWP_SWAPIN_ERROR above it */
	return SWP_TYPE_COUNT - 1;
}

void swap_types_detect(struct swap_types *st, const struct btf *btf,
		       const struct kernel_kallsyms *kallsyms)
{
	const char *why = NULL;
	int probed = probe_marker_type(&why);
	struct kernel_syms k;
	char release[32];
	unsigned int by_version = marker_by_version(release, sizeof(release));
	unsigned int device_num, migration_num;

	memset(st, 0, sizeof(*st));
	kernel_syms(&k, btf, kallsyms);
	device_num = k.device_single ? 3 : k.device_range ? 4 : 0;
	migration_num = k.migration ? 3 : 0;

	if (probed >= 0) {
		st->marker = probed;
		if ((unsigned int)probed != by_version)
			snprintf(st->note, sizeof(st->note),
				 "swap types: the measured PTE marker type %d is not the %u expected of %s; "
				 "decoding with the measured one", probed, by_version, release);
	} else {
		st->marker = by_version;
		snprintf(st->note, sizeof(st->note),
			 "swap types: cannot measure the PTE marker type (%s); last resort: "
			 "marker %u from kernel version %s, may misdecode entries", why, by_version, release);
	}
	if (!migration_num) {
		st->migration = SWAP_TYPE_NONE;
	} else if (st->marker < device_num + migration_num + 1) {
		st->migration = SWAP_TYPE_NONE;
		snprintf(st->note, sizeof(st->note),
			 "swap types: marker %u leaves no room for %u device and %u migration types; "
			 "migration entries will not be decoded", st->marker, device_num, migration_num);
	} else {
		st->migration = st->marker - device_num - migration_num;
	}
	snprintf(st->from, sizeof(st->from), "marker %s; %u device, %u migration types from %s",
		 probed >= 0 ? "measured via pagemap" : "by kernel version",
		 device_num, migration_num, k.source ? k.source : "nothing (no BTF, no kallsyms)");
}

void swap_types_apply(const struct swap_types *st, struct uffdwp *skel)
{
	skel->rodata->uffdwp_swp_type_marker = st->marker;
	skel->rodata->uffdwp_swp_type_migration = st->migration;
}

void swap_types_print(FILE *f, const struct swap_types *st)
{
	if (st->migration == SWAP_TYPE_NONE)
		fprintf(f, "swap types: marker %u, migration none (%s)\n", st->marker, st->from);
	else
		fprintf(f, "swap types: marker %u, migration %u (%s)\n", st->marker, st->migration,
			st->from);
}
