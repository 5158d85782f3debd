// SPDX-License-Identifier: GPL-2.0
/*
 * shmem-migrate: bug #1 (fix 51d3d5eb74ff, reverted in bad-A) through migration.
 *
 * A protected MAP_SHARED page is moved to the other NUMA node.
 * remove_migration_pte() rebuilds the PTE from vma->vm_page_prot and re-adds
 * the uffd-wp bit; without writenotify that prot is RW, so the page comes back
 * writable and protected at once and the write produces no message.  Needs
 * two nodes (numa=fake=2); skips otherwise.
 */
#include "scenario.h"

#define NPAGES 4

/* Moves every page of the region; returns how many really moved. */
static size_t migrate_region(struct region *r, int node)
{
	size_t moved = 0;

	for (size_t off = 0; off < r->len; off += r->page_size)
		moved += move_one_page(r->addr + off, node) == node;
	return moved;
}

static void run_backing(struct scen_rows *rows, enum backing b)
{
	unsigned int wp_msgs;
	size_t moved, wp_bits;
	const char *why;
	struct region r;
	int uffd, node;

	why = region_map(&r, b, NPAGES);
	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return;
	}
	region_fill(&r, 0);
	node = other_node_or_skip(r.addr);
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);

	moved = migrate_region(&r, node);
	if (moved != NPAGES) {
		rows_add(rows, b, VERDICT_SKIP, "migrated=%zu/%d", moved, NPAGES);
	} else {
		wp_bits = count_uffd_wp(r.addr, r.len) * SCEN_PAGE_SIZE / r.page_size;
		wp_msgs = write_all_count_wp(uffd, &r, 1, NULL);
		rows_add(rows, b, wp_msgs == NPAGES ? VERDICT_OK : VERDICT_BUG,
			 "node=%d wp_bits_after_migration=%zu wp_msgs=%u/%d", node, wp_bits,
			 wp_msgs, NPAGES);
	}
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("shmem-migrate", NULL, BACKING_SHMEM, BACKING_HUGETLB_SHARED)
