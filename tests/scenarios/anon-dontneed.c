// SPDX-License-Identifier: GPL-2.0
/*
 * anon-dontneed: MADV_DONTNEED on protected anon pages owes no message.
 *
 * Without UFFD_FEATURE_WP_UNPOPULATED a zap of anon memory drops the data
 * and the protection with it (zap_install_uffd_wp_if_needed() returns early
 * for anon VMAs): the pages read back as zeroes, pagemap shows no bit 57 and
 * writing them must not produce a WP message.
 */
#include "scenario.h"

#define NPAGES 4

int main(void)
{
	size_t wp_bits, nonzero = 0;
	unsigned int wp_msgs;
	struct region r;
	int uffd;

	scen_begin("anon-dontneed");
	region_map(&r, BACKING_ANON, NPAGES);
	region_fill(&r, 0);
	uffd = uffd_new(0);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	SCEN_CHECK(madvise(r.addr, r.len, MADV_DONTNEED));

	wp_bits = count_uffd_wp(r.addr, r.len);
	for (size_t off = 0; off < r.len; off += sizeof(uint64_t))
		nonzero += *(uint64_t *)(r.addr + off) != 0;
	wp_msgs = write_all_count_wp(uffd, &r, 1, NULL);
	scen_end(wp_msgs || wp_bits || nonzero || region_mismatches(&r, 1) ? VERDICT_BUG
								 : VERDICT_OK,
		 "wp_bits_after_zap=%zu wp_msgs=%u nonzero_words_after_zap=%zu", wp_bits, wp_msgs,
		 nonzero);
}
