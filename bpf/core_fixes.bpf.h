/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel types whose fields changed between the kernels we trace, read through
 * CO-RE "flavours" (struct name___suffix with only the fields we need, as bcc's
 * libbpf-tools/core_fixes.bpf.h does), so one object loads on every kernel:
 * the field that exists on the running kernel is chosen at load time.
 */
#ifndef UFFDWP_CORE_FIXES_BPF_H
#define UFFDWP_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * zap_details: up to 7.0 `bool even_cows` (zap COWed private pages too); the
 * 7.1 zap rework (unmap_page_range() became __zap_vma_range()) turned it into
 * `bool skip_cows`, the opposite sense (7.3.4 mm/memory.c should_zap_cows():
 * "return !details->skip_cows").
 */
struct zap_details___even_cows {
	bool even_cows;
} __attribute__((preserve_access_index));

struct zap_details___skip_cows {
	bool skip_cows;
} __attribute__((preserve_access_index));

/* Whether this zap takes COWed private pages too, on any kernel. */
static __always_inline bool zap_details_even_cows(const void *details)
{
	if (bpf_core_field_exists(struct zap_details___skip_cows, skip_cows))
		return !BPF_CORE_READ((struct zap_details___skip_cows *)details, skip_cows);
	return BPF_CORE_READ((struct zap_details___even_cows *)details, even_cows);
}

/*
 * struct file's reference count: up to 6.12 `atomic_long_t f_count`, the
 * count itself; 6.13's 90ee6ed776c0 ("fs: port files to file_ref") made it
 * `file_ref_t f_ref`, whose refcnt is the count minus one (FILE_REF_ONEREF is
 * 0, include/linux/file_ref.h).
 */
struct file___f_count {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

/* Whether f holds exactly one reference: dropping it releases the file. */
static __always_inline bool file_one_reference(const void *f)
{
	if (bpf_core_field_exists(struct file___f_count, f_count))
		return BPF_CORE_READ((struct file___f_count *)f, f_count.counter) == 1;
	return BPF_CORE_READ((struct file *)f, f_ref.refcnt.counter) == 0;
}

#endif
