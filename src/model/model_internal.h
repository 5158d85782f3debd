/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the model's files (model.c, ctx.c, regions.c, uffdio.c, mm_ops.c,
 * observe.c, overtaken.c, pagemap_scan.c) share with one another and nobody else; the model's users see
 * model/model.h only.
 */
#ifndef UFFDWP_MODEL_INTERNAL_H
#define UFFDWP_MODEL_INTERNAL_H
#include <stdlib.h>

#include "model/model.h"

static inline void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q)
		abort();
	return q;
}

#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		(cap) = (cap) ? 2 * (cap) : 8;				\
		(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));	\
	}								\
} while (0)

/* ctx.c: uffd contexts */
struct uffd_ctx *ctx_find(struct mm_state *m, int fd);
struct uffd_ctx *ctx_set(struct mm_state *m, int fd, uint64_t features);
struct uffd_ctx *ctx_open(struct mm_state *m, int fd, uint64_t features);
void ctx_fork_pair(struct mm_state *m, int fd, int64_t child_fd, uint64_t child_mm);
void ctxs_note_fork(struct mm_state *parent, uint64_t child_mm);

/* regions.c: registered ranges */
bool region_file_backed(const struct region *r);
void regions_split(struct mm_state *m, uint64_t addr);
void regions_remove(struct mm_state *m, uint64_t start, uint64_t end);
void regions_add(struct mm_state *m, const struct region *r);
void learn_vma(struct mm_state *m, const struct uffdwp_event *ev);

/* uffdio.c: the UFFDIO_* ioctls */
void update_per_region(struct mm_state *m, uint64_t start, uint64_t end,
		       imap_map_fn fn);
void writeprotect(struct mm_state *m, uint64_t start, uint64_t end, bool wp);
struct call_in_flight *call_find(struct mm_state *m, uint32_t tid, uint32_t kind);
void call_begin(struct mm_state *m, const struct uffdwp_event *ev);
bool call_end(struct mm_state *m, uint32_t tid, uint32_t kind, struct call_in_flight *out);
void on_writeprotect_begin(struct mm_state *m, const struct uffdwp_event *ev);
void on_writeprotect_end(struct mm_state *m, const struct uffdwp_event *ev);
imap_val register_page(uint64_t s, uint64_t e, imap_val v, void *arg);
imap_val protect_page(uint64_t s, uint64_t e, imap_val v, void *arg);
void on_register(struct mm_state *m, const struct uffdwp_event *ev);
void on_unregister(struct mm_state *m, const struct uffdwp_event *ev);
void on_uffd_close(struct mm_state *m, const struct uffdwp_event *ev);
void on_fill(struct mm_state *m, const struct uffdwp_event *ev);

/* mm_ops.c: kernel hooks and mm syscalls */
void on_change_protection(struct mm_state *m, const struct uffdwp_event *ev);
void on_mprotect(struct mm_state *m, const struct uffdwp_event *ev);
void on_zap(struct mm_state *m, const struct uffdwp_event *ev);
void on_madvise(struct mm_state *m, const struct uffdwp_event *ev);
void forget_range(struct mm_state *m, uint64_t start, uint64_t end);
struct imap *pages_snapshot(const struct mm_state *m, uint64_t ps, uint64_t pe);
void on_mremap(struct mm_state *m, const struct uffdwp_event *ev);
void on_fork(struct model *mdl, struct mm_state *parent, const struct uffdwp_event *ev);

/* observe.c: observations and faults */
void model_observe(struct mm_state *m, uint64_t start, uint64_t end, uint32_t state);
void on_write_fault(struct mm_state *m, uint64_t addr);
void on_fill_owed(struct mm_state *m, uint64_t addr);
imap_val protected_or_gone_page(uint64_t s, uint64_t e, imap_val v, void *arg);
imap_val wp_fault_page(uint64_t s, uint64_t e, imap_val v, void *arg);
void on_point(struct mm_state *m, uint64_t addr, imap_map_fn fn);

/* overtaken.c: walks other threads' records overtook */
void overtaken_note(struct mm_state *m, const struct uffdwp_event *ev, uint64_t seq);

/* pagemap_scan.c: PAGEMAP_SCAN and the write faults it may race with */
void faulting_note(struct mm_state *m, const struct uffdwp_event *ev);
bool pm_scan_in_flight(const struct mm_state *m);
void on_pm_scan_begin(struct mm_state *m, const struct uffdwp_event *ev);
void on_pm_scan_region(struct mm_state *m, const struct uffdwp_event *ev);
void on_pm_scan_end(struct mm_state *m, const struct uffdwp_event *ev);

#endif
