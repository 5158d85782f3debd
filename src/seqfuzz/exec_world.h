/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one sequence's run shares between the runner (exec.c: reports, the monitor, the
 * pagemap check, fork and close) and the memory ops (exec_ops.c, exec_uffdio.c): the
 * oracle's per-granule beliefs and the mapped VMAs.  Internal to exec_*.c.
 */
#ifndef UFFDWP_SEQFUZZ_EXEC_WORLD_H
#define UFFDWP_SEQFUZZ_EXEC_WORLD_H
#include "exec.h"
#include "scenario.h"

#include <stdatomic.h>

/* What the oracle believes about one granule's write protection. */
enum prot_state { PROT_NO, PROT_YES, PROT_UNKNOWN };

#define DATA_UNKNOWN UINT64_MAX

struct granule {
	uint8_t prot;		/* enum prot_state */
	uint8_t reg;		/* SEQ_MODE_* the range is registered with */
	bool ro;		/* mprotect(PROT_READ): writes are skipped */
	bool poisoned;		/* UFFDIO_POISON may have left a marker: never accessed (SIGBUS) */
	bool lazyfree;		/* MADV_FREE'd and not written since: reclaim may discard it */
	uint64_t data;		/* the first word, or DATA_UNKNOWN */
	char *addr;		/* where it is mapped: an mremap of part of the VMA moves it */
	/* which piece of the split VMA it is in: 0 where region_map() put it, a new one
	 * for each part moved away; granules of one piece lie next to each other */
	unsigned int piece;
	atomic_uint wp_msgs;	/* WP messages on it, counted by the monitor */
	atomic_uint missing_msgs;
	atomic_uint minor_msgs;	/* MINOR faults, resolved with UFFDIO_CONTINUE */
};

struct vma_run {
	struct region r;	/* from scenario.h's region_map() */
	const char *unavailable;	/* why this guest cannot map it, else NULL */
	unsigned long gran;
	unsigned int pages;
	struct granule *g;
	unsigned int pieces;	/* piece ids handed out (granule.piece) */
};

struct exec_world {
	const struct seq *s;
	struct vma_run v[SEQ_MAX_VMAS];
	int uffd;
	int stop_fd;
	pthread_t monitor;
	atomic_int monitor_error;
	atomic_uint unrequested_event;	/* a message of an event our uffd never asked for */
	/* 1 + VMA * SEQ_MAX_PAGES + granule of a MINOR fault where no MINOR is registered */
	atomic_uint wrong_minor;
	uint64_t features;	/* negotiated at UFFDIO_API: the MINOR ones the kernel has */
	bool async;		/* the sequence's wp_async, and the kernel has WP_ASYNC */
	unsigned int op;	/* the op being run, 0-based */
	unsigned long label;
	char *kind;		/* shared with the parent: the bug's kind */
	char *zero_huge;	/* UFFDIO_COPY source for hugetlb missing faults */
};
extern struct exec_world world;

/* exec.c */
__attribute__((noreturn, format(printf, 4, 5)))
void report_bug(const char *kind, unsigned int vma, unsigned int page, const char *fmt, ...);
void report_skip(const char *why);
/* EINVAL/ENOSYS/EOPNOTSUPP: this backing or kernel does not do it, a skip; else nothing changed */
bool refused(const char *what);
int pagemap_open(void);
uint64_t pagemap_of(const struct vma_run *v, unsigned int page, int fd);

/* exec_ops.c: the ops on memory (all but fork and close); scenario.h's name is per file */
void exec_ops_begin(void);
void run_memory_op(unsigned int vi, const struct seq_op *o);
/* exec_uffdio.c: copy, move, poison, continue and scan */
void exec_uffdio_begin(void);
void run_uffdio_op(unsigned int vi, const struct seq_op *o);
/* exec_remap.c: mremap (whole, shrink, part) and munmap */
void exec_remap_begin(void);
void run_remap_op(unsigned int vi, const struct seq_op *o);

static inline volatile uint64_t *word_of(const struct vma_run *v, unsigned int page)
{
	return (volatile uint64_t *)v->g[page].addr;
}

/* The address of granule `page` (the start of a range: see run_memory_op()). */
static inline char *addr_of(const struct vma_run *v, unsigned int page)
{
	return v->g[page].addr;
}

/* Whether a fault on granule g may be a minor one: one with a missing or minor message
 * since its counts were before/minor_before (the fault was resolved by us, not the kernel). */
static inline bool resolved_by_us(const struct granule *g, unsigned int missing_before,
				  unsigned int minor_before)
{
	return g->missing_msgs != missing_before || g->minor_msgs != minor_before;
}

static inline bool backing_private(enum seq_backing b)
{
	return b == SEQ_ANON || b == SEQ_THP || b == SEQ_HUGETLB_PRIVATE;
}

#endif
