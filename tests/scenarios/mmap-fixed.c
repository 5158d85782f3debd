// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-fixed: mmap(MAP_FIXED) over protected pages replaces them, protection
 * and all.
 *
 * do_mmap() unmaps whatever the fixed range held (do_vmi_munmap()) before
 * it maps the new VMA, which no uffd has registered.  The upper half of a
 * protected region is replaced with fresh anonymous memory and registered
 * for WP again (not protected), as the kernel's pagemap_ioctl selftest does
 * in mprotect_tests(): the new pages read as zeroes, carry no bit 57 and
 * take no message; the lower half still owes one message per page.  A
 * tracer that misses the implicit unmap believes the old protected pages are
 * still there, and calls their empty entries a lost marker.
 */
#include "scenario.h"

#define NPAGES 4
#define KEPT (NPAGES / 2)

static void run_backing(struct scen_rows *rows, enum backing b)
{
	size_t wp_bits, nonzero = 0, replaced_len;
	unsigned int wp_msgs, wp_msgs_kept;
	struct uffd_monitor mon;
	struct page_writer writer;
	char *replaced;
	struct region r;
	int uffd;

	uffd = region_map_protected(rows, &r, b, NPAGES);
	if (uffd < 0)
		return;
	replaced = r.addr + KEPT * r.page_size;
	replaced_len = r.len - KEPT * r.page_size;
	if (mmap(replaced, replaced_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != replaced)
		scen_fail("mmap(MAP_FIXED)");
	uffd_register(uffd, replaced, replaced_len, UFFDIO_REGISTER_MODE_WP);

	wp_bits = count_uffd_wp(replaced, replaced_len);
	for (size_t off = 0; off < replaced_len; off += sizeof(uint64_t))
		nonzero += *(uint64_t *)(replaced + off) != 0;

	monitor_start(&mon, uffd, r.page_size, NULL, NULL);
	page_writer_start(&writer, &r, 0, NPAGES, 1);
	page_writer_join(&writer);
	monitor_stop(&mon);
	wp_msgs = mon.wp_count;
	wp_msgs_kept = monitor_wp_in(&mon, r.addr, KEPT * r.page_size);

	rows_add(rows, b,
		 wp_bits || nonzero || wp_msgs != KEPT || wp_msgs_kept != KEPT ||
				 region_mismatches(&r, 1)
			 ? VERDICT_BUG
			 : VERDICT_OK,
		 "wp_bits_replaced=%zu nonzero_words_replaced=%zu wp_msgs=%u(kept_half=%u,want=%d)",
		 wp_bits, nonzero, wp_msgs, wp_msgs_kept, KEPT);
	close(uffd);
	region_unmap(&r);
}

SCEN_MAIN_BACKINGS("mmap-fixed", NULL, BACKING_ANON, BACKING_SHMEM)
