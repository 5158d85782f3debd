// SPDX-License-Identifier: GPL-2.0
/* One sequence under the user-space oracle (see exec.h): the reports, the monitor, the
 * pagemap check after every op, fork and close, and the runner; the memory ops are in
 * exec_ops.c. */
#include "exec_world.h"

struct exec_world world;

/* ------------------------------------------------------------------ */
/* Reports                                                             */

static void op_text(char *buf, size_t size, unsigned int op)
{
	const struct seq_op *o = &world.s->ops[op];

	snprintf(buf, size, "%s %u %u %u %u", seq_op_name(o->kind), o->vma, o->first, o->count,
		 o->arg);
}

void report_bug(const char *kind, unsigned int vma, unsigned int page, const char *fmt, ...)
{
	char what[256], op[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	op_text(op, sizeof(op), world.op);
	snprintf(world.kind, EXEC_KIND_LEN, "%s", kind);
	printf("seqfuzz: bug label=%lu pid=%d op=%u (%s) kind=%s vma=%u page=%u: %s\n",
	       world.label, getpid(), world.op + 1, op, kind, vma, page, what);
	fflush(stdout);
	_exit(EXEC_BUG);
}

void report_skip(const char *why)
{
	char op[64];

	op_text(op, sizeof(op), world.op);
	printf("seqfuzz: skip label=%lu op=%u (%s) %s\n", world.label,
	       world.op + 1, op, why);
}

bool refused(const char *what)
{
	char why[64];

	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return false;
	snprintf(why, sizeof(why), "%s_refused_%s", what,
		 errno == EINVAL ? "EINVAL" : errno == ENOSYS ? "ENOSYS" : "EOPNOTSUPP");
	report_skip(why);
	return true;
}

/* ------------------------------------------------------------------ */
/* The monitor: counts WP and missing faults per granule, resolves them */

/* Granule by granule: a part of a VMA moved by mremap lies elsewhere (granule.addr). */
static struct granule *granule_at(uintptr_t addr, unsigned int *vma)
{
	for (unsigned int i = 0; i < world.s->n_vmas; i++) {
		struct vma_run *v = &world.v[i];

		for (unsigned int p = 0; v->g && p < v->pages; p++) {
			uintptr_t lo = (uintptr_t)v->g[p].addr;

			if (addr >= lo && addr < lo + v->gran) {
				*vma = i;
				return &v->g[p];
			}
		}
	}
	return NULL;
}

/*
 * A missing fault nothing can resolve: the fill found no page to fill it with
 * (ENOMEM; for hugetlb, mfill_atomic_hugetlb()'s alloc_hugetlb_folio() on a dry pool), and its
 * writer would sleep in handle_userfault() until the alarm, a "hang" a minute later.
 * A private hugetlb mapping reserves its pages at mmap, so a dry pool there is what a
 * lost reservation looks like: Debian 7.3's mremap of part of one (FINDINGS.md §4) left
 * seed 9's sequence 7348 so in the hunts, after thousands of sequences had each leaked
 * some.  The sequence's error, with the pool; --check-pool names the sequence that leaked.
 */
__attribute__((noreturn))
static void no_page_for_missing_fault(const struct granule *g, unsigned int vma)
{
	char op[64], pool[160] = "";

	op_text(op, sizeof(op), world.op);
	if (world.v[vma].gran > SCEN_PAGE_SIZE)
		snprintf(pool, sizeof(pool), "; HugePages_Free %ld, HugePages_Rsvd %ld): a "
			 "reservation lost earlier? (--check-pool",
			 meminfo_value("HugePages_Free:"), meminfo_value("HugePages_Rsvd:"));
	printf("seqfuzz: error label=%lu pid=%d op=%u (%s): a missing fault at vma %u page %lu "
	       "cannot be resolved: no page to fill it with (ENOMEM%s)\n",
	       world.label, getpid(), world.op + 1, op, vma, (unsigned long)(g - world.v[vma].g),
	       pool);
	fflush(stdout);
	_exit(EXEC_ERROR);
}

static void resolve_missing(const struct granule *g, unsigned int vma)
{
	uintptr_t page = (uintptr_t)g->addr;
	struct vma_run *v = &world.v[vma];
	struct uffdio_range wake = { .start = page, .len = v->gran };
	int ret;

	struct uffdio_copy copy = {
		.dst = page, .src = (uintptr_t)world.zero_huge, .len = v->gran,
	};

	if (v->gran > SCEN_PAGE_SIZE) {
		ret = ioctl(world.uffd, UFFDIO_COPY, &copy);
	} else {
		struct uffdio_zeropage zero = { .range = { .start = page, .len = v->gran } };

		ret = ioctl(world.uffd, UFFDIO_ZEROPAGE, &zero);
		/* a uffd-wp marker on anon (WP_UNPOPULATED, the async sequences) faults
		 * MISSING, but mfill_atomic_pte_zeropage() wants pte_none() (6.12, 7.3):
		 * EEXIST, and the refault would come back for ever; a copy fills over a
		 * marker (mfill_atomic_install_pte(): pte_none_mostly() or a marker) */
		if (ret < 0 && errno == EEXIST)
			ret = ioctl(world.uffd, UFFDIO_COPY, &copy);
	}
	/* EEXIST: the page appeared meanwhile; the faulting thread still needs a wake */
	if (ret < 0 && errno == EEXIST)
		ret = ioctl(world.uffd, UFFDIO_WAKE, &wake);
	if (ret < 0 && errno == ENOMEM)
		no_page_for_missing_fault(g, vma);
	if (ret < 0 && !world.monitor_error)
		world.monitor_error = errno;
}

static void handle_msg(const struct uffd_msg *msg)
{
	uintptr_t addr = msg->arg.pagefault.address;
	unsigned int vma;
	struct granule *g;
	uintptr_t page;

	/* our uffd asks for no event (uffd_new(0)): an mremap (EVENT_REMAP), a shrink or
	 * munmap (EVENT_UNMAP), a fork or MADV_DONTNEED must not queue one
	 * (userfaultfd_unmap_prep(), mremap_userfaultfd_prep() check the features) */
	if (msg->event != UFFD_EVENT_PAGEFAULT) {
		world.unrequested_event = msg->event;
		return;
	}
	g = granule_at(addr, &vma);
	if (!g) {
		world.monitor_error = EFAULT;
		return;
	}
	page = (uintptr_t)g->addr;
	if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
		int err;

		/* only a range registered with MODE_MINOR has minor faults */
		if (!(g->reg & SEQ_MODE_MINOR) && !world.wrong_minor)
			world.wrong_minor = 1 + vma * SEQ_MAX_PAGES +
					    (unsigned int)(g - world.v[vma].g);
		atomic_fetch_add(&g->minor_msgs, 1);
		err = uffd_continue_fault(world.uffd, page, world.v[vma].gran);
		if (err && !world.monitor_error)
			world.monitor_error = err;
	} else if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
		struct uffdio_writeprotect wp = { .range = { .start = page, .len = world.v[vma].gran } };

		atomic_fetch_add(&g->wp_msgs, 1);
		if (ioctl(world.uffd, UFFDIO_WRITEPROTECT, &wp) < 0 && !world.monitor_error)
			world.monitor_error = errno;
	} else {
		atomic_fetch_add(&g->missing_msgs, 1);
		resolve_missing(g, vma);
	}
}

static void *monitor_main(void *arg)
{
	struct pollfd pfd[2] = {
		{ .fd = world.uffd, .events = POLLIN },
		{ .fd = world.stop_fd, .events = POLLIN },
	};
	struct uffd_msg msg;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		while (read(world.uffd, &msg, sizeof(msg)) == sizeof(msg))
			handle_msg(&msg);
		if (pfd[1].revents & POLLIN)
			break;
	}
	return arg;
}

static void uffd_start(void)
{
	/* no EVENT_FORK: a forked child's VMAs are not registered; the MINOR features this
	 * kernel has (MINOR_HUGETLBFS 5.13, MINOR_SHMEM 5.14): they only allow MODE_MINOR */
	uint64_t async = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED;
	uint64_t have = uffd_supported_features();

	world.features = have & (UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_MINOR_HUGETLBFS);
	/* WP_ASYNC (6.7, with PAGEMAP_SCAN) and WP_UNPOPULATED (6.4) so anon
	 * VMAs use markers (userfaultfd_wp_use_markers()), as PAGEMAP_SCAN wants; a kernel
	 * without them runs the sequence in sync mode, its scans skipped */
	world.async = world.s->wp_async && (have & async) == async;
	if (world.async)
		world.features |= async;
	world.uffd = uffd_new(world.features);
	world.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (world.stop_fd < 0 || pthread_create(&world.monitor, NULL, monitor_main, NULL))
		scen_fail("monitor");
}

static void uffd_stop(void)
{
	uint64_t one = 1;

	SCEN_CHECK(write(world.stop_fd, &one, sizeof(one)));
	pthread_join(world.monitor, NULL);
	close(world.stop_fd);
	close(world.uffd);
}

/* ------------------------------------------------------------------ */
/* Ground truth helpers                                                */

uint64_t pagemap_of(const struct vma_run *v, unsigned int page, int fd)
{
	uint64_t e = 0;
	uintptr_t addr = (uintptr_t)addr_of(v, page);

	if (pread(fd, &e, sizeof(e), (off_t)(addr / SCEN_PAGE_SIZE) * 8) != sizeof(e))
		scen_fail("pread(pagemap)");
	return e;
}

int pagemap_open(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		scen_fail("open(/proc/self/pagemap)");
	return fd;
}

/*
 * A lazyfree page protected after its MADV_FREE (UFFDIO_WRITEPROTECT, PAGEMAP_SCAN)
 * may still be discarded by reclaim (MADV_PAGEOUT, memory pressure), and the discard
 * (try_to_unmap_one()'s MADV_FREE check) leaves no marker in an anonymous VMA, as
 * MADV_DONTNEED's zap does not: pte_install_uffd_wp_if_needed() before 7.x and
 * cond_install_uffd_wp_ptes() in 7.3 return at once for one ("Zap on anonymous always
 * means dropping everything").  A read then maps the zero page without the bit.  So
 * its protection is never certain until a write keeps the page (uffdwp-fuzz seed 9
 * sequence 20135 on 7.3, the same on 6.12: a PAGEMAP_SCAN re-protect, then
 * MADV_PAGEOUT, was called bit_lost).
 */
static void lazyfree_protection_unknown(void)
{
	for (unsigned int i = 0; i < world.s->n_vmas; i++)
		for (unsigned int p = 0; world.v[i].g && p < world.v[i].pages; p++)
			if (world.v[i].g[p].lazyfree && world.v[i].g[p].prot == PROT_YES)
				world.v[i].g[p].prot = PROT_UNKNOWN;
}

/* After every op: a present page the model calls protected has bit 57, an unprotected one not. */
static void check_pagemap(void)
{
	int fd = pagemap_open();

	for (unsigned int i = 0; i < world.s->n_vmas; i++) {
		struct vma_run *v = &world.v[i];

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


/* ------------------------------------------------------------------ */
/* Fork and close                                                      */

static void fork_child(const struct seq_op *o)
{
	int fd = pagemap_open();

	for (unsigned int i = 0; i < world.s->n_vmas; i++) {
		struct vma_run *v = &world.v[i];

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
		struct vma_run *v = &world.v[o->vma];

		for (unsigned int p = o->first; p < o->first + o->count; p++)
			if (!v->g[p].ro && !v->g[p].poisoned)
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
	printf("seqfuzz: forked label=%lu pid=%d\n", world.label, pid);
	fflush(stdout);
	if (waitpid(pid, &status, 0) < 0)
		scen_fail("waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXEC_BUG)
		_exit(EXEC_BUG);	/* the child printed the bug line */
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* the search's log says why: a signal, or the child's scen_fail() */
		printf("seqfuzz: fork child label=%lu pid=%d failed: %s %d\n", world.label, pid,
		       WIFSIGNALED(status) ? "signal" : "exit", WIFSIGNALED(status) ?
		       WTERMSIG(status) : WEXITSTATUS(status));
		fflush(stdout);
		_exit(EXEC_ERROR);
	}
	/* the child wrote a shared page: the parent sees its data */
	if (o->arg && !backing_private(world.s->vmas[o->vma].backing))
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			world.v[o->vma].g[p].data = DATA_UNKNOWN;
}

static void op_close(void)
{
	uffd_stop();
	uffd_start();
	for (unsigned int i = 0; i < world.s->n_vmas; i++)
		for (unsigned int p = 0; world.v[i].g && p < world.v[i].pages; p++) {
			/* release clears what the uffd protected (c88033efe9a3) */
			if (world.v[i].g[p].prot == PROT_YES)
				world.v[i].g[p].prot = PROT_NO;
			world.v[i].g[p].reg = 0;
		}
}

static void run_op(const struct seq_op *o)
{
	unsigned int vi = o->vma;

	if (world.v[vi].unavailable) {
		report_skip(world.v[vi].unavailable);
		return;
	}
	switch (o->kind) {
	case OP_FORK: op_fork(o); break;
	case OP_CLOSE: op_close(); break;
	default: run_memory_op(vi, o); break;
	}
}

/* ------------------------------------------------------------------ */

static void map_vmas(void)
{
	for (unsigned int i = 0; i < world.s->n_vmas; i++) {
		const struct seq_vma *sv = &world.s->vmas[i];
		struct vma_run *v = &world.v[i];
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
		for (unsigned int p = 0; p < v->pages; p++)
			v->g[p].addr = v->r.addr + (size_t)p * v->gran;
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

/* What the monitor saw that no op may cause: a MINOR message outside MODE_MINOR,
 * an event message the uffd never asked for. */
static void report_monitor_finds(const struct seq *s)
{
	if (world.wrong_minor)
		report_bug("minor_msgs", (world.wrong_minor - 1) / SEQ_MAX_PAGES,
			   (world.wrong_minor - 1) % SEQ_MAX_PAGES,
			   "a MINOR fault where no MODE_MINOR is registered");
	if (world.unrequested_event)
		report_bug("event", s->ops[world.op].vma, s->ops[world.op].first,
			   "the uffd got an event message 0x%x it never asked for",
			   world.unrequested_event);
}

void exec_sequence(const struct seq *s, unsigned long label, char *kind)
{
	world.label = label;
	world.kind = kind;
	scen_begin("uffdwp-fuzz");
	exec_ops_begin();
	exec_uffdio_begin();
	exec_remap_begin();
	signal(SIGALRM, on_alarm);
	alarm(EXEC_ALARM_SECONDS);
	world.s = s;
	world.zero_huge = mmap(NULL, 2UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (world.zero_huge == MAP_FAILED)
		scen_fail("mmap(zero source)");
	map_vmas();
	uffd_start();
	for (world.op = 0; world.op < s->n_ops; world.op++) {
		run_op(&s->ops[world.op]);
		if (world.monitor_error) {
			errno = world.monitor_error;
			scen_fail("monitor");
		}
		report_monitor_finds(s);
		lazyfree_protection_unknown();
		check_pagemap();
	}
	/* The kernel completes an event inside the monitor's read(), before the
	 * monitor records it, so the last op may have returned first; joined, the
	 * monitor has recorded all it read.  (Mid-sequence such a message is
	 * reported at the next op: the minimised program keeps both, and its check
	 * comes after its own monitor_stop(), emit.c.) */
	uffd_stop();
	if (s->n_ops) {
		world.op = s->n_ops - 1;
		report_monitor_finds(s);
	}
	fflush(stdout);
	_exit(EXEC_OK);
}
