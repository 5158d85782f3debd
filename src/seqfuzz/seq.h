/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uffdwp-fuzz's operation sequences: the world (a few VMAs, each with a backing and a size
 * in pages of its granule), the operations over sub-ranges of them, the seeded generator and
 * the text file format a found sequence is saved and replayed in.  Plain C, no syscalls:
 * the unit tests link it on the host.
 *
 * File format, one item a line ('#' lines are comments):
 *   vma INDEX BACKING PAGES            e.g. "vma 0 shmem 16"
 *   op NAME VMA FIRST COUNT ARG        e.g. "op register 0 2 4 3" (ARG: mode bits here)
 *   uffd wp_async                      the uffd has UFFD_FEATURE_WP_ASYNC (absent: sync)
 * FIRST and COUNT are in the VMA's granule (4 KiB, or 2 MiB for hugetlb).  A move's ARG
 * names its destination: DST_VMA * SEQ_MAX_PAGES + DST_FIRST (seq_move_arg()).
 */
#ifndef UFFDWP_SEQFUZZ_SEQ_H
#define UFFDWP_SEQFUZZ_SEQ_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SEQ_MAX_VMAS 4
#define SEQ_MAX_OPS 64
#define SEQ_MAX_PAGES 512	/* per VMA, in granules */

enum seq_backing {
	SEQ_ANON,
	SEQ_SHMEM,
	SEQ_HUGETLB_PRIVATE,
	SEQ_HUGETLB_SHARED,
	SEQ_THP,
	SEQ_BACKING_MAX,
};

enum seq_op_kind {
	OP_REGISTER,	/* arg: mode bits, SEQ_MODE_* */
	OP_UNREGISTER,
	OP_WP_ON,
	OP_WP_OFF,
	OP_WRITE,	/* arg: thread 0 (the sequence's own) .. SEQ_WRITE_THREADS-1 */
	OP_READ,
	OP_MPROTECT,	/* arg: 0 read-only, 1 read-write */
	OP_DONTNEED,
	OP_MOVE_PAGES,	/* arg: target node, or SEQ_MOVE_OTHER_NODE */
	OP_FORK,	/* arg: 1 the child writes its pages too */
	OP_CLOSE,	/* close the uffd (no unregister), open a fresh one */
	OP_MADVISE,	/* arg: SEQ_MADV_* (REMOVE, FREE, PAGEOUT, COLLAPSE) */
	OP_PUNCH_HOLE,	/* fallocate(PUNCH_HOLE) on the VMA's file (shmem, hugetlb shared) */
	OP_MREMAP,	/* arg: enum seq_mremap (MOVE, GROW: the whole VMA; SHRINK, PART: the range) */
	OP_COPY,	/* UFFDIO_COPY of tagged pages; arg: 1 UFFDIO_COPY_MODE_WP */
	OP_MUNMAP,	/* munmap, then mmap the same backing back at the same address */
	OP_MOVE,	/* UFFDIO_MOVE to another range; arg: seq_move_arg(DST_VMA, DST_FIRST) */
	OP_POISON,	/* UFFDIO_POISON (6.6+): the range's empty entries become poison markers */
	OP_CONTINUE,	/* UFFDIO_CONTINUE over page-cache pages written through a second
			 * mapping (shmem, hugetlb shared); arg: 1 UFFDIO_CONTINUE_MODE_WP (6.3+) */
	OP_SCAN,	/* PAGEMAP_SCAN for written pages, re-protecting them (wp_async only) */
	OP_KIND_MAX,
};

/* Register modes (UFFDIO_REGISTER_MODE_MISSING, _WP and _MINOR have these values). */
#define SEQ_MODE_MISSING 1u
#define SEQ_MODE_WP 2u
#define SEQ_MODE_MINOR 4u	/* drawn for shmem and hugetlb shared VMAs only */
#define SEQ_WRITE_THREADS 3
/* move_pages to whichever node the page is not on (0 and 1 name the node itself) */
#define SEQ_MOVE_OTHER_NODE 2u
/* OP_MADVISE's advice, by index (the file format keeps the index, not the kernel's value) */
/*
 * OP_MREMAP's arg (the file keeps these values): the whole VMA to a new address
 * (MREMAP_FIXED), or one granule longer (MAYMOVE); the range shrunk to its first half
 * (COUNT / 2 granules; the rest unmapped, then mapped back fresh, as OP_MUNMAP does), or
 * the range moved on its own to a new address (MAYMOVE | FIXED: its VMA splits).
 */
enum seq_mremap { SEQ_MREMAP_MOVE, SEQ_MREMAP_GROW, SEQ_MREMAP_SHRINK, SEQ_MREMAP_PART,
		  SEQ_MREMAP_MAX };
enum seq_madv { SEQ_MADV_REMOVE, SEQ_MADV_FREE, SEQ_MADV_PAGEOUT, SEQ_MADV_COLLAPSE, SEQ_MADV_MAX };

struct seq_vma {
	enum seq_backing backing;
	unsigned int pages;		/* in granules */
};

struct seq_op {
	enum seq_op_kind kind;
	unsigned int vma, first, count, arg;
};

/* OP_MOVE's destination, packed in its arg: the same count of granules at DST_FIRST. */
static inline unsigned int seq_move_arg(unsigned int dst_vma, unsigned int dst_first)
{
	return dst_vma * SEQ_MAX_PAGES + dst_first;
}

static inline unsigned int seq_move_dst_vma(const struct seq_op *op)
{
	return op->arg / SEQ_MAX_PAGES;
}

static inline unsigned int seq_move_dst_first(const struct seq_op *op)
{
	return op->arg % SEQ_MAX_PAGES;
}

/* Cuts op to count granules from first (inside its range), a move's destination along. */
void seq_op_shrink(struct seq_op *op, unsigned int first, unsigned int count);

struct seq {
	uint64_t seed, index;		/* where the generator made it (0 0 when hand-made) */
	bool wp_async;			/* the uffd has WP_ASYNC | WP_UNPOPULATED (6.7+) */
	unsigned int n_vmas, n_ops;
	struct seq_vma vmas[SEQ_MAX_VMAS];
	struct seq_op ops[SEQ_MAX_OPS];
};

/* The seeded PRNG (splitmix64): same state, same numbers, on every machine. */
struct seq_rng {
	uint64_t state;
};
void seq_rng_init(struct seq_rng *r, uint64_t seed, uint64_t stream);
uint64_t seq_rng_next(struct seq_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
unsigned int seq_rng_below(struct seq_rng *r, unsigned int n);

const char *seq_backing_name(enum seq_backing b);
const char *seq_op_name(enum seq_op_kind k);
/* Granule of a backing in bytes: 2 MiB for hugetlb, else 4 KiB (THP is split by 4 KiB ops). */
unsigned long seq_granule(enum seq_backing b);

/* Sequence number `index` of seed `seed`: deterministic, valid (every range inside its VMA). */
void seq_generate(struct seq *s, uint64_t seed, uint64_t index);

/* Writes s in the file format. */
void seq_print(FILE *f, const struct seq *s);
/* One op as "NAME VMA FIRST COUNT ARG" (the op line without "op "). */
void seq_print_op(FILE *f, const struct seq_op *op);
/*
 * Reads the file format into s; false with why (line number and what) in err when the
 * text is not a valid sequence (unknown names, ranges outside their VMA, too many items).
 */
bool seq_parse(FILE *f, struct seq *s, char *err, size_t err_size);
/* Whether every op's range (and a move's destination) lies inside its VMA. */
bool seq_valid(const struct seq *s, char *err, size_t err_size);

#endif
