/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An interval map: a step function from u64 keys (page numbers in the model)
 * to a small value, stored as runs.  Every run [start, next start) holds one
 * value; keys never set hold 0.  Neighbouring runs always differ, so a
 * uniform range costs one run however large it is (protecting 1 TiB is two
 * entries, not 2^28).
 *
 * Storage: sorted runs in fixed-size chunks (a two-level B-tree): lookup and
 * update are O(log n + chunk) and memory is 12 bytes per run plus slack.
 */
#ifndef UFFDWP_INTERVALS_H
#define UFFDWP_INTERVALS_H
#include <stddef.h>
#include <stdint.h>

typedef uint32_t imap_val;

struct imap;

struct imap *imap_new(void);
void imap_free(struct imap *m);

/* The value at key. */
imap_val imap_get(const struct imap *m, uint64_t key);

/* Sets [start, end) to val, merging with equal neighbours. */
void imap_set(struct imap *m, uint64_t start, uint64_t end, imap_val val);

/* Calls fn once per run intersecting [start, end), clipped to it, in order. */
typedef void (*imap_visit_fn)(uint64_t start, uint64_t end, imap_val val, void *arg);
void imap_foreach(const struct imap *m, uint64_t start, uint64_t end,
		  imap_visit_fn fn, void *arg);

/* Replaces each run's value in [start, end) by fn(value); returns runs seen. */
typedef imap_val (*imap_map_fn)(uint64_t start, uint64_t end, imap_val val, void *arg);
size_t imap_update(struct imap *m, uint64_t start, uint64_t end,
		   imap_map_fn fn, void *arg);

size_t imap_nruns(const struct imap *m);
size_t imap_bytes(const struct imap *m);	/* heap bytes held */

#endif
