// SPDX-License-Identifier: GPL-2.0
/* One sequence under the user-space oracle: see exec.h. */
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
	uint64_t data;		/* the first word, or DATA_UNKNOWN */
	atomic_uint wp_msgs;	/* WP messages on it, counted by the monitor */
	atomic_uint missing_msgs;
};

struct vma_run {
	struct region r;	/* from scenario.h's region_map() */
	const char *unavailable;	/* why this guest cannot map it, else NULL */
	unsigned long gran;
	unsigned int pages;
	struct granule *g;
};

static struct {
	const struct seq *s;
	struct vma_run v[SEQ_MAX_VMAS];
	int uffd;
	int stop_fd;
	pthread_t monitor;
	atomic_int monitor_error;
	unsigned int op;	/* the op being run, 0-based */
	unsigned long label;
	char *kind;		/* shared with the parent: the bug's kind */
	char *zero_huge;	/* UFFDIO_COPY source for hugetlb missing faults */
} w;

/* ------------------------------------------------------------------ */
/* Reports                                                             */

static void op_text(char *buf, size_t size, unsigned int op)
{
	const struct seq_op *o = &w.s->ops[op];

	snprintf(buf, size, "%s %u %u %u %u", seq_op_name(o->kind), o->vma, o->first, o->count,
		 o->arg);
}

__attribute__((format(printf, 4, 5)))
static void report_bug(const char *kind, unsigned int vma, unsigned int page, const char *fmt, ...)
{
	char what[256], op[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	op_text(op, sizeof(op), w.op);
	snprintf(w.kind, EXEC_KIND_LEN, "%s", kind);
	printf("seqfuzz: bug label=%lu pid=%d op=%u (%s) kind=%s vma=%u page=%u: %s\n",
	       w.label, getpid(), w.op + 1, op, kind, vma, page, what);
	fflush(stdout);
	_exit(EXEC_BUG);
}

static void report_skip(const char *why)
{
	char op[64];

	op_text(op, sizeof(op), w.op);
	printf("seqfuzz: skip label=%lu op=%u (%s) %s\n", w.label,
	       w.op + 1, op, why);
}

/* ------------------------------------------------------------------ */
/* The monitor: counts WP and missing faults per granule, resolves them */

static struct granule *granule_at(uintptr_t addr, unsigned int *vma)
{
	for (unsigned int i = 0; i < w.s->n_vmas; i++) {
		struct vma_run *v = &w.v[i];
		uintptr_t lo = (uintptr_t)v->r.addr;

		if (v->g && addr >= lo && addr < lo + (uintptr_t)v->pages * v->gran) {
			*vma = i;
			return &v->g[(addr - lo) / v->gran];
		}
	}
	return NULL;
}

static void resolve_missing(uintptr_t page, unsigned int vma)
{
	struct vma_run *v = &w.v[vma];
	struct uffdio_range wake = { .start = page, .len = v->gran };
	int ret;

	if (v->gran > SCEN_PAGE_SIZE) {
		struct uffdio_copy copy = {
			.dst = page, .src = (uintptr_t)w.zero_huge, .len = v->gran,
		};

		ret = ioctl(w.uffd, UFFDIO_COPY, &copy);
	} else {
		struct uffdio_zeropage zero = { .range = { .start = page, .len = v->gran } };

		ret = ioctl(w.uffd, UFFDIO_ZEROPAGE, &zero);
	}
	/* EEXIST: the page appeared meanwhile; the faulting thread still needs a wake */
	if (ret < 0 && errno == EEXIST)
		ret = ioctl(w.uffd, UFFDIO_WAKE, &wake);
	if (ret < 0 && !w.monitor_error)
		w.monitor_error = errno;
}

static void handle_msg(const struct uffd_msg *msg)
{
	uintptr_t addr = msg->arg.pagefault.address;
	unsigned int vma;
	struct granule *g;
	uintptr_t page;

	if (msg->event != UFFD_EVENT_PAGEFAULT)
		return;
	g = granule_at(addr, &vma);
	if (!g) {
		w.monitor_error = EFAULT;
		return;
	}
	page = addr & ~(uintptr_t)(w.v[vma].gran - 1);
	if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
		struct uffdio_writeprotect wp = { .range = { .start = page, .len = w.v[vma].gran } };

		atomic_fetch_add(&g->wp_msgs, 1);
		if (ioctl(w.uffd, UFFDIO_WRITEPROTECT, &wp) < 0 && !w.monitor_error)
			w.monitor_error = errno;
	} else {
		atomic_fetch_add(&g->missing_msgs, 1);
		resolve_missing(page, vma);
	}
}

static void *monitor_main(void *arg)
{
	struct pollfd pfd[2] = {
		{ .fd = w.uffd, .events = POLLIN },
		{ .fd = w.stop_fd, .events = POLLIN },
	};
	struct uffd_msg msg;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		while (read(w.uffd, &msg, sizeof(msg)) == sizeof(msg))
			handle_msg(&msg);
		if (pfd[1].revents & POLLIN)
			break;
	}
	return arg;
}

static void uffd_start(void)
{
	w.uffd = uffd_new(0);	/* no EVENT_FORK: a forked child's VMAs are not registered */
	w.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (w.stop_fd < 0 || pthread_create(&w.monitor, NULL, monitor_main, NULL))
		scen_fail("monitor");
}

static void uffd_stop(void)
{
	uint64_t one = 1;

	SCEN_CHECK(write(w.stop_fd, &one, sizeof(one)));
	pthread_join(w.monitor, NULL);
	close(w.stop_fd);
	close(w.uffd);
}

/* ------------------------------------------------------------------ */
/* Ground truth helpers                                                */

static uint64_t pagemap_of(const struct vma_run *v, unsigned int page, int fd)
{
	uint64_t e = 0;
	uintptr_t addr = (uintptr_t)v->r.addr + (uintptr_t)page * v->gran;

	if (pread(fd, &e, sizeof(e), (off_t)(addr / SCEN_PAGE_SIZE) * 8) != sizeof(e))
		scen_fail("pread(pagemap)");
	return e;
}

static int pagemap_open(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		scen_fail("open(/proc/self/pagemap)");
	return fd;
}

/* After every op: a present page the model calls protected has bit 57, an unprotected one not. */
static void check_pagemap(void)
{
	int fd = pagemap_open();

	for (unsigned int i = 0; i < w.s->n_vmas; i++) {
		struct vma_run *v = &w.v[i];

		for (unsigned int p = 0; v->g && p < v->pages; p++) {
			uint64_t e = pagemap_of(v, p, fd);
			bool bit = e & PM_UFFD_WP;

			if (!(e & PM_PRESENT) || v->g[p].prot == PROT_UNKNOWN)
				continue;
			if (v->g[p].prot == PROT_YES && !bit)
				report_bug("bit_lost", i, p, "a protected page lost its uffd-wp bit "
					   "(pagemap 0x%llx)", (unsigned long long)e);
			if (v->g[p].prot == PROT_NO && bit)
				report_bug("bit_stale", i, p, "a page never protected (or unprotected) has "
					   "the uffd-wp bit (pagemap 0x%llx)", (unsigned long long)e);
		}
	}
	close(fd);
}

static volatile uint64_t *word_of(const struct vma_run *v, unsigned int page)
{
	return (volatile uint64_t *)(v->r.addr + (size_t)page * v->gran);
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */

struct write_job {
	struct vma_run *v;
	unsigned int first, count;
	uint64_t tag;
};

static void *write_range(void *arg)
{
	struct write_job *j = arg;

	for (unsigned int p = j->first; p < j->first + j->count; p++)
		if (!j->v->g[p].ro)
			*word_of(j->v, p) = j->tag + p;
	return NULL;
}

/* Writes from thread `thread` (0: this one); each page owes one WP message if protected. */
static void op_write(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &w.v[vi];
	struct write_job job = { v, o->first, o->count, ((uint64_t)w.op + 1) << 32 };
	unsigned int before[512], missing[512];
	pthread_t t;

	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		before[p - o->first] = v->g[p].wp_msgs;
		missing[p - o->first] = v->g[p].missing_msgs;
	}
	if (o->arg == 0) {
		write_range(&job);
	} else {
		if (pthread_create(&t, NULL, write_range, &job))
			scen_fail("pthread_create(writer)");
		pthread_join(t, NULL);
	}
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];
		unsigned int got = g->wp_msgs - before[p - o->first];
		bool missed = g->missing_msgs != missing[p - o->first];

		if (g->ro)
			continue;
		if (g->prot == PROT_YES && got != 1 && !missed)
			report_bug("wp_msgs", vi, p, "a write to a protected page gave %u WP "
				   "messages, want exactly 1", got);
		if (g->prot == PROT_NO && got)
			report_bug("wp_msgs", vi, p, "a write to an unprotected page gave %u WP "
				   "messages, want none", got);
		g->prot = PROT_NO;
		g->data = job.tag + p;
	}
}

static void op_read(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &w.v[vi];

	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];
		unsigned int wp = g->wp_msgs, missing = g->missing_msgs;
		uint64_t got = *word_of(v, p);

		if (g->wp_msgs != wp)
			report_bug("wp_msgs", vi, p, "a read gave a WP message");
		if (g->data != DATA_UNKNOWN && got != g->data)
			report_bug("data", vi, p, "read 0x%llx, want 0x%llx",
				   (unsigned long long)got, (unsigned long long)g->data);
		/* a missing fault resolved over a marker maps the page without its bit */
		if (g->missing_msgs != missing)
			g->prot = PROT_UNKNOWN;
	}
}

static int range_ioctl(unsigned long req, unsigned int vi, const struct seq_op *o,
		       uint64_t mode, bool with_mode)
{
	struct vma_run *v = &w.v[vi];
	struct uffdio_range range = {
		.start = (uintptr_t)v->r.addr + (uintptr_t)o->first * v->gran,
		.len = (uint64_t)o->count * v->gran,
	};
	union {
		struct uffdio_register reg;
		struct uffdio_writeprotect wp;
	} arg;

	if (req == UFFDIO_REGISTER)
		arg.reg = (struct uffdio_register){ .range = range, .mode = mode };
	else if (with_mode)
		arg.wp = (struct uffdio_writeprotect){ .range = range, .mode = mode };
	return ioctl(w.uffd, req, with_mode || req == UFFDIO_REGISTER ? (void *)&arg
								      : (void *)&range);
}

static void op_register(unsigned int vi, const struct seq_op *o)
{
	struct granule *g = w.v[vi].g;

	if (range_ioctl(UFFDIO_REGISTER, vi, o, o->arg, false) < 0)
		return;		/* refused (EBUSY on 7.3 for dropping WP, EINVAL): nothing changed */
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		/* A VMA this uffd registered with every requested mode already is
		 * skipped (userfaultfd_register_range(): "(vma->vm_flags & vm_flags)
		 * == vm_flags ... goto skip"): MISSING over MISSING|WP keeps WP and its
		 * protection.  Granules of one VMA share its modes, so per granule. */
		if (g[p].reg && (g[p].reg & o->arg) == o->arg)
			continue;
		/* dropping WP from a registration must drop the protection with it */
		if ((g[p].reg & SEQ_MODE_WP) && !(o->arg & SEQ_MODE_WP) && g[p].prot == PROT_YES)
			g[p].prot = PROT_NO;
		g[p].reg = o->arg;
	}
}

static void op_unregister(unsigned int vi, const struct seq_op *o)
{
	struct granule *g = w.v[vi].g;

	if (range_ioctl(UFFDIO_UNREGISTER, vi, o, 0, false) < 0)
		return;
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		if (g[p].prot == PROT_YES)
			g[p].prot = PROT_NO;
		g[p].reg = 0;
	}
}

static void op_writeprotect(unsigned int vi, const struct seq_op *o, bool on)
{
	struct vma_run *v = &w.v[vi];
	bool present[512];
	int fd = pagemap_open();

	for (unsigned int p = o->first; p < o->first + o->count; p++)
		present[p - o->first] = pagemap_of(v, p, fd) & PM_PRESENT;
	close(fd);
	if (range_ioctl(UFFDIO_WRITEPROTECT, vi, o, on ? UFFDIO_WRITEPROTECT_MODE_WP : 0, true) < 0) {
		/* since 6.5 the ioctl walks VMA by VMA: one not registered for WP (ENOENT)
		 * ends it with the VMAs before it already done */
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			if (on || v->g[p].prot == PROT_YES)
				v->g[p].prot = PROT_UNKNOWN;
		return;
	}
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];

		if (!on && g->prot == PROT_YES)
			g->prot = PROT_NO;
		/* an unpopulated page gets a marker or nothing, by backing and kernel */
		if (on)
			g->prot = present[p - o->first] ? PROT_YES : PROT_UNKNOWN;
	}
}

static void op_mprotect(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &w.v[vi];

	if (mprotect(v->r.addr + (size_t)o->first * v->gran, (size_t)o->count * v->gran,
		     o->arg ? PROT_READ | PROT_WRITE : PROT_READ) < 0)
		return;
	for (unsigned int p = o->first; p < o->first + o->count; p++)
		v->g[p].ro = !o->arg;
}

static bool backing_private(enum seq_backing b)
{
	return b == SEQ_ANON || b == SEQ_THP || b == SEQ_HUGETLB_PRIVATE;
}

static void op_dontneed(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &w.v[vi];
	enum seq_backing b = w.s->vmas[vi].backing;

	if (madvise(v->r.addr + (size_t)o->first * v->gran, (size_t)o->count * v->gran,
		    MADV_DONTNEED) < 0)
		return;
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];

		/* shmem and hugetlb keep a marker; anon has none without WP_UNPOPULATED */
		if ((b == SEQ_ANON || b == SEQ_THP) && g->prot == PROT_YES)
			g->prot = PROT_UNKNOWN;
		if (backing_private(b))
			g->data = 0;
	}
}

static void op_move_pages(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &w.v[vi];
	void *pages[512];
	int nodes[512], status[512];

	if (numa_node_count() < 2) {
		report_skip("needs_2_numa_nodes");
		return;
	}
	for (unsigned int p = 0; p < o->count; p++)
		pages[p] = v->r.addr + (size_t)(o->first + p) * v->gran;
	/* each page to the node it is not on: status, without nodes, says where it is */
	if (o->arg == SEQ_MOVE_OTHER_NODE &&
	    syscall(__NR_move_pages, 0, (unsigned long)o->count, pages, NULL, status, 0) < 0)
		return;
	for (unsigned int p = 0; p < o->count; p++)
		nodes[p] = o->arg != SEQ_MOVE_OTHER_NODE ? (int)o->arg : status[p] == 0;
	/* pages that cannot move (not present, busy) just stay: the model needs no change */
	syscall(__NR_move_pages, 0, (unsigned long)o->count, pages, nodes, status, MPOL_MF_MOVE);
}

/* EINVAL/ENOSYS/EOPNOTSUPP: this backing or kernel does not do it, a skip; else nothing changed */
static bool refused(const char *what)
{
	char why[64];

	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return false;
	snprintf(why, sizeof(why), "%s_refused_%s", what,
		 errno == EINVAL ? "EINVAL" : errno == ENOSYS ? "ENOSYS" : "EOPNOTSUPP");
	report_skip(why);
	return true;
}

/*
 * A hole in a shared file: the pages read back zero, and a protected page keeps its
 * protection as a marker (the zap of unmap_mapping_range() keeps them; only truncation
 * drops them), so a re-fault maps the new page protected.
 */
static void file_hole(struct vma_run *v, const struct seq_op *o)
{
	for (unsigned int p = o->first; p < o->first + o->count; p++)
		v->g[p].data = 0;
}

static void op_madvise(unsigned int vi, const struct seq_op *o)
{
	static const int advice[SEQ_MADV_MAX] = {
		[SEQ_MADV_REMOVE] = MADV_REMOVE, [SEQ_MADV_FREE] = MADV_FREE,
		[SEQ_MADV_PAGEOUT] = MADV_PAGEOUT, [SEQ_MADV_COLLAPSE] = MADV_COLLAPSE,
	};
	struct vma_run *v = &w.v[vi];

	if (o->arg >= SEQ_MADV_MAX) {
		report_skip("unknown_advice");
		return;
	}
	if (madvise(v->r.addr + (size_t)o->first * v->gran, (size_t)o->count * v->gran,
		    advice[o->arg]) < 0) {
		/* COLLAPSE's EAGAIN/ENOMEM: part of the range may be collapsed, which must
		 * keep protections and data as they are, so the model needs no change */
		refused("madvise");
		return;
	}
	for (unsigned int p = o->first; p < o->first + o->count; p++) {
		struct granule *g = &v->g[p];

		switch (o->arg) {
		case SEQ_MADV_REMOVE:	/* shared mappings only: file_hole() below */
			break;
		case SEQ_MADV_FREE:	/* anon only: reclaim may discard the page (no marker:
					 * anon) or keep it, until a write keeps it for sure */
			if (g->prot == PROT_YES)
				g->prot = PROT_UNKNOWN;
			g->data = DATA_UNKNOWN;
			break;
		default:	/* PAGEOUT (swap entries and markers keep the bit) and
				 * COLLAPSE (refuses protected PTEs since dd47ac428c3f):
				 * protection and data stay */
			break;
		}
	}
	if (o->arg == SEQ_MADV_REMOVE)
		file_hole(v, o);
}

static void op_punch_hole(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &w.v[vi];

	if (v->r.fd < 0) {
		report_skip("punch_hole_needs_a_file_backing");
		return;
	}
	if (fallocate(v->r.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)o->first * (off_t)v->gran, (off_t)o->count * (off_t)v->gran) < 0) {
		refused("fallocate");
		return;
	}
	file_hole(v, o);
}

/*
 * The whole VMA moves (or grows, moving if it must).  Our uffd has no EVENT_REMAP, so
 * a moved VMA is no longer registered and 0cef0bb836e3 clears the bits and markers its
 * pages carried: nothing in it is protected any more.  Data and read-only-ness move along.
 */
static void op_mremap(unsigned int vi, const struct seq_op *o)
{
	struct vma_run *v = &w.v[vi];
	char *before = v->r.addr;
	int err = region_mremap(&v->r, o->arg == SEQ_MREMAP_GROW);

	if (err < 0) {
		errno = -err;
		refused("mremap");
		return;
	}
	if (v->r.addr == before)	/* grown in place: the same VMA, the same pages */
		return;
	for (unsigned int p = 0; p < v->pages; p++) {
		v->g[p].prot = PROT_NO;
		v->g[p].reg = 0;
	}
}

/* The child of a fork without EVENT_FORK: none of its VMAs is registered, so no bit 57. */
static void fork_child(const struct seq_op *o)
{
	int fd = pagemap_open();

	for (unsigned int i = 0; i < w.s->n_vmas; i++) {
		struct vma_run *v = &w.v[i];

		for (unsigned int p = 0; v->g && p < v->pages; p++) {
			uint64_t e = pagemap_of(v, p, fd);

			if ((e & PM_PRESENT) && (e & PM_UFFD_WP))
				report_bug("child_bit", i, p, "the child of a fork without "
					   "EVENT_FORK has the uffd-wp bit (pagemap 0x%llx)",
					   (unsigned long long)e);
		}
	}
	close(fd);
	if (o->arg) {	/* the child's own writes: its VMAs are plain memory */
		struct vma_run *v = &w.v[o->vma];

		for (unsigned int p = o->first; p < o->first + o->count; p++)
			if (!v->g[p].ro)
				*word_of(v, p) = 0xc41dULL << 32 | p;
	}
	_exit(EXEC_OK);
}

static void op_fork(const struct seq_op *o)
{
	int status;
	pid_t pid;

	pid = scen_fork();	/* the child's scen_fail() is its exit code, not a result line */
	if (pid == 0)
		fork_child(o);
	printf("seqfuzz: forked label=%lu pid=%d\n", w.label, pid);
	fflush(stdout);
	if (waitpid(pid, &status, 0) < 0)
		scen_fail("waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXEC_BUG)
		_exit(EXEC_BUG);	/* the child printed the bug line */
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		_exit(EXEC_ERROR);
	/* the child wrote a shared page: the parent sees its data */
	if (o->arg && !backing_private(w.s->vmas[o->vma].backing))
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			w.v[o->vma].g[p].data = DATA_UNKNOWN;
}

static void op_close(void)
{
	uffd_stop();
	uffd_start();
	for (unsigned int i = 0; i < w.s->n_vmas; i++)
		for (unsigned int p = 0; w.v[i].g && p < w.v[i].pages; p++) {
			/* release clears what the uffd protected (c88033efe9a3) */
			if (w.v[i].g[p].prot == PROT_YES)
				w.v[i].g[p].prot = PROT_NO;
			w.v[i].g[p].reg = 0;
		}
}

static void run_op(const struct seq_op *o)
{
	unsigned int vi = o->vma;

	if (w.v[vi].unavailable) {
		report_skip(w.v[vi].unavailable);
		return;
	}
	switch (o->kind) {
	case OP_REGISTER: op_register(vi, o); break;
	case OP_UNREGISTER: op_unregister(vi, o); break;
	case OP_WP_ON: op_writeprotect(vi, o, true); break;
	case OP_WP_OFF: op_writeprotect(vi, o, false); break;
	case OP_WRITE: op_write(vi, o); break;
	case OP_READ: op_read(vi, o); break;
	case OP_MPROTECT: op_mprotect(vi, o); break;
	case OP_DONTNEED: op_dontneed(vi, o); break;
	case OP_MOVE_PAGES: op_move_pages(vi, o); break;
	case OP_FORK: op_fork(o); break;
	case OP_CLOSE: op_close(); break;
	case OP_MADVISE: op_madvise(vi, o); break;
	case OP_PUNCH_HOLE: op_punch_hole(vi, o); break;
	case OP_MREMAP: op_mremap(vi, o); break;
	default: break;
	}
}

/* ------------------------------------------------------------------ */

static void map_vmas(void)
{
	for (unsigned int i = 0; i < w.s->n_vmas; i++) {
		const struct seq_vma *sv = &w.s->vmas[i];
		struct vma_run *v = &w.v[i];
		/* seq_backing and scenario.h's backing list the same kinds in the same order */
		enum backing b = (enum backing)sv->backing;
		size_t granules = sv->backing == SEQ_THP ? sv->pages / 512 : sv->pages;

		if (sv->backing == SEQ_THP && sv->pages % 512) {
			v->unavailable = "thp_vma_not_a_multiple_of_512_pages";
			continue;
		}
		v->unavailable = region_map(&v->r, b, granules ? granules : 1);
		if (v->unavailable)
			continue;
		v->gran = seq_granule(sv->backing);
		v->pages = sv->pages;
		v->g = calloc(v->pages, sizeof(*v->g));
		if (!v->g)
			scen_fail("calloc");
	}
}

static void on_alarm(int sig)
{
	static const char msg[] = "seqfuzz: hang: an op did not finish in time\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(EXEC_HANG);
	_exit(EXEC_HANG);
}

void exec_sequence(const struct seq *s, unsigned long label, char *kind)
{
	w.label = label;
	w.kind = kind;
	scen_begin("uffdwp-fuzz");
	signal(SIGALRM, on_alarm);
	alarm(EXEC_ALARM_SECONDS);
	w.s = s;
	w.zero_huge = mmap(NULL, 2UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (w.zero_huge == MAP_FAILED)
		scen_fail("mmap(zero source)");
	map_vmas();
	uffd_start();
	for (w.op = 0; w.op < s->n_ops; w.op++) {
		run_op(&s->ops[w.op]);
		if (w.monitor_error) {
			errno = w.monitor_error;
			scen_fail("monitor");
		}
		check_pagemap();
	}
	fflush(stdout);
	_exit(EXEC_OK);
}
