// SPDX-License-Identifier: GPL-2.0
/*
 * A found sequence as a ready tests/scenarios/ program: the ops as straight-line calls
 * of scenario.h's helpers, the oracle's check at the op where it disagreed (so the
 * program's self-check says bug where the fuzzer saw one), and the expected.tsv row.
 */
#include "fuzz.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const char *const backing_enum[SEQ_BACKING_MAX] = {
	[SEQ_ANON] = "BACKING_ANON",
	[SEQ_SHMEM] = "BACKING_SHMEM",
	[SEQ_HUGETLB_PRIVATE] = "BACKING_HUGETLB_PRIVATE",
	[SEQ_HUGETLB_SHARED] = "BACKING_HUGETLB_SHARED",
	[SEQ_THP] = "BACKING_THP",
};

/* The fuzzer's uffd (exec.c's uffd_start()): the MINOR features the kernel has, no event;
 * a wp_async sequence's WP_ASYNC | WP_UNPOPULATED where the kernel has them. */
#define UFFD_NEW "uffd_new(uffd_supported_features() & (UFFD_FEATURE_MINOR_SHMEM | " \
		 "UFFD_FEATURE_MINOR_HUGETLBFS))"
#define UFFD_NEW_ASYNC "uffd_new(uffd_supported_features() & (UFFD_FEATURE_MINOR_SHMEM | " \
		       "UFFD_FEATURE_MINOR_HUGETLBFS | UFFD_FEATURE_WP_ASYNC | " \
		       "UFFD_FEATURE_WP_UNPOPULATED))"

/* Where the oracle disagreed: parsed back from its "seqfuzz: bug" line. */
struct disagreement {
	unsigned int op, vma, page;	/* op 1-based; 0: none (tracer-only) */
	char kind[32];
	bool want_one;			/* wp_msgs: the write owed exactly one message */
	bool scan_missed;		/* scan: a written page not reported (else a
					 * protected one reported) */
	unsigned long long want_data;
};

static void parse_disagreement(const char *line, struct disagreement *d)
{
	const char *p;

	memset(d, 0, sizeof(*d));
	if (!line || !(p = strstr(line, " op=")) || sscanf(p, " op=%u", &d->op) != 1)
		return;
	if (!(p = strstr(line, " kind=")) ||
	    sscanf(p, " kind=%31s vma=%u page=%u", d->kind, &d->vma, &d->page) != 3) {
		d->op = 0;
		return;
	}
	d->want_one = strstr(line, "want exactly 1") != NULL;
	d->scan_missed = strstr(line, "did not report") != NULL;
	if ((p = strstr(line, ", want 0x")))
		sscanf(p, ", want 0x%llx", &d->want_data);
}

static bool seq_has(const struct seq *s, enum seq_op_kind k)
{
	for (unsigned int i = 0; i < s->n_ops; i++)
		if (s->ops[i].kind == k)
			return true;
	return false;
}

static bool moves_parts(const struct seq *s)
{
	for (unsigned int i = 0; i < s->n_ops; i++)
		if (s->ops[i].kind == OP_MREMAP && s->ops[i].arg == SEQ_MREMAP_PART)
			return true;
	return false;
}

static void emit_prelude(FILE *f, const struct seq *s, const char *name, const char *what)
{
	fprintf(f, "// SPDX-License-Identifier: GPL-2.0\n"
		"/*\n * %s: found by uffdwp-fuzz (seed %llu, sequence %llu) and minimised.\n"
		" * %s\n */\n#include \"scenario.h\"\n\n", name, (unsigned long long)s->seed,
		(unsigned long long)s->index, what);
	fprintf(f, "static struct region vma[%u];\nstatic int uffd;\nstatic struct uffd_monitor mon;\n\n",
		s->n_vmas);
	fputs("/* The fuzzer ignores what an op's syscall answers: so does its replay.  (A\n"
	      " * sequence may have no uffd ioctl at all.) */\n"
	      "__attribute__((unused))\nstatic void range_ioctl(unsigned long req, char *addr, size_t len, uint64_t mode)\n"
	      "{\n\tstruct uffdio_range r = { .start = (uintptr_t)addr, .len = len };\n"
	      "\tstruct uffdio_register reg = { .range = r, .mode = mode };\n"
	      "\tstruct uffdio_writeprotect wp = { .range = r, .mode = mode };\n\n"
	      "\tif (ioctl(uffd, req, req == UFFDIO_REGISTER ? (void *)&reg :\n"
	      "\t\t  req == UFFDIO_WRITEPROTECT ? (void *)&wp : (void *)&r) < 0)\n"
	      "\t\tprintf(\"# ioctl 0x%lx: %s\\n\", req, strerror(errno));\n}\n\n", f);
	if (seq_has(s, OP_COPY))
		fputs("/* UFFDIO_COPY of n pages tagged tag + first + i, as the fuzzer does. */\n"
		      "static void copy_range(char *dst, size_t gran, unsigned int first, unsigned int n,\n"
		      "\t\t       uint64_t tag, bool wp)\n{\n"
		      "\tchar *src = mmap(NULL, n * gran, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
		      "\tstruct uffdio_copy copy = { .dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = n * gran,\n"
		      "\t\t\t\t     .mode = wp ? UFFDIO_COPY_MODE_WP : 0 };\n\n"
		      "\tif (src == MAP_FAILED)\n\t\tscen_fail(\"mmap(copy source)\");\n"
		      "\tfor (unsigned int i = 0; i < n; i++)\n"
		      "\t\t*(uint64_t *)(src + i * gran) = tag + first + i;\n"
		      "\tif (ioctl(uffd, UFFDIO_COPY, &copy) < 0)\n"
		      "\t\tprintf(\"# UFFDIO_COPY: %s, copied %lld\\n\", strerror(errno), (long long)copy.copy);\n"
		      "\tmunmap(src, n * gran);\n}\n\n", f);
	if (seq_has(s, OP_MOVE))
		fputs("static void move_uffd(char *dst, char *src, size_t len)\n{\n"
		      "\tstruct scen_uffdio_move mv = { .dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = len };\n\n"
		      "\tif (ioctl(uffd, SCEN_UFFDIO_MOVE, &mv) < 0)\n"
		      "\t\tprintf(\"# UFFDIO_MOVE: %s, moved %lld\\n\", strerror(errno), (long long)mv.move);\n"
		      "}\n\n", f);
	if (seq_has(s, OP_CONTINUE))
		fputs("/* UFFDIO_CONTINUE over file pages tagged tag + index through a second mapping. */\n"
		      "static void continue_range(struct region *r, char *at, size_t offset, size_t len,\n"
		      "\t\t\t   uint64_t tag, bool wp)\n{\n"
		      "\tstruct uffdio_continue c = { .range = { .start = (uintptr_t)at, .len = len },\n"
		      "\t\t\t\t     .mode = wp ? UFFDIO_CONTINUE_MODE_WP : 0 };\n\n"
		      "\tif (region_fill_cache(r, offset, len, tag) < 0)\n"
		      "\t\tprintf(\"# fill the page cache: failed\\n\");\n"
		      "\telse if (ioctl(uffd, UFFDIO_CONTINUE, &c) < 0)\n"
		      "\t\tprintf(\"# UFFDIO_CONTINUE: %s, mapped %lld\\n\", strerror(errno), (long long)c.mapped);\n"
		      "}\n\n", f);
	if (seq_has(s, OP_SCAN))
		fputs("/*\n * PAGEMAP_SCAN for written pages, re-protecting them, as the fuzzer does.  What it\n"
		      " * said of the granule at page (NULL: none), as the fuzzer judges it: 1 reported\n"
		      " * written, 0 not, -1 not judged (not present before the scan, past where the walk\n"
		      " * stopped, or the scan failed).\n */\n"
		      "static int scan_range(char *addr, unsigned int n, size_t gran, char *page)\n{\n"
		      "\tbool reported[512], present = page && (pagemap_entry(page) & PM_PRESENT);\n"
		      "\tint fd = open(\"/proc/self/pagemap\", O_RDONLY);\n"
		      "\tuint64_t walk_end = 0;\n"
		      "\tlong got = pagemap_scan_written(fd, addr, n, gran, reported, &walk_end);\n\n"
		      "\tclose(fd);\n"
		      "\tif (got < 0)\n\t\tprintf(\"# PAGEMAP_SCAN: %s\\n\", strerror((int)-got));\n"
		      "\tif (got < 0 || !present || page < addr || (uintptr_t)page + gran > walk_end)\n"
		      "\t\treturn -1;\n"
		      "\treturn reported[(page - addr) / gran];\n}\n\n", f);
	if (seq_has(s, OP_POISON))
		fputs("static void poison_range(char *addr, size_t len)\n{\n"
		      "\tstruct scen_uffdio_poison p = { .range = { .start = (uintptr_t)addr, .len = len } };\n\n"
		      "\tif (ioctl(uffd, SCEN_UFFDIO_POISON, &p) < 0)\n"
		      "\t\tprintf(\"# UFFDIO_POISON: %s, updated %lld\\n\", strerror(errno), (long long)p.updated);\n"
		      "}\n\n", f);
	if (moves_parts(s))
		fprintf(f, "/* Where each granule is: region_move_part() moves parts of a VMA away. */\n"
			"static char *at[%u][%u];\n\n", s->n_vmas, SEQ_MAX_PAGES);
	if (moves_parts(s))
		fputs("static void at_fill(unsigned int v, unsigned int n, size_t gran)\n{\n"
		      "\tfor (unsigned int p = 0; p < n; p++)\n\t\tat[v][p] = vma[v].addr + p * gran;\n}\n\n"
		      "static void mremap_part(unsigned int v, unsigned int first, unsigned int n, size_t gran)\n{\n"
		      "\tchar *to = region_move_part(at[v][first], n * gran);\n\n"
		      "\tif (!to) {\n\t\tprintf(\"# mremap of a part: %s\\n\", strerror(errno));\n\t\treturn;\n\t}\n"
		      "\tfor (unsigned int i = 0; i < n; i++)\n\t\tat[v][first + i] = to + i * gran;\n}\n\n", f);
	if (seq_has(s, OP_MOVE_PAGES))
		fputs("static void move_range(char *addr, size_t gran, unsigned int n, int node)\n"
	      "{\n\tfor (unsigned int i = 0; i < n; i++) {\n"
	      "\t\tvoid *page = addr + i * gran;\n"
	      "\t\t/* node 2: to the node the page is not on */\n"
	      "\t\tint to = node < 2 ? node : move_one_page(page, -1) == 0, status;\n\n"
	      "\t\tsyscall(__NR_move_pages, 0, 1UL, &page, &to, &status, MPOL_MF_MOVE);\n"
		      "\t}\n}\n\n", f);
}

/*
 * Where the pieces of each VMA are, as the executor's granule.piece: a new piece for each
 * part an mremap moves (taken as done: the program's at[][] table holds where it really
 * went), so that an op is written once per piece of its range, as the executor runs it.
 */
static unsigned int piece[SEQ_MAX_VMAS][SEQ_MAX_PAGES], pieces[SEQ_MAX_VMAS];
static bool at_table;	/* the sequence moves parts: addresses come from at[V][P] */

/* "vma[V].addr + F * GRAN", or "at[V][F]" when parts of VMAs move */
static void addr_expr(char *buf, size_t size, const struct seq *s, unsigned int v, unsigned int p)
{
	if (at_table)
		snprintf(buf, size, "at[%u][%u]", v, p);
	else
		snprintf(buf, size, "vma[%u].addr + %uUL * %luUL", v, p,
			 seq_granule(s->vmas[v].backing));
}

/* Pages an earlier mprotect op made read-only (the fuzzer does not write them), and pages
 * a poison op may have poisoned (it does not touch them: SIGBUS; here every page of its
 * range, as what the kernel did is not known when the program is written). */
static bool ro[SEQ_MAX_VMAS][SEQ_MAX_PAGES], poisoned[SEQ_MAX_VMAS][SEQ_MAX_PAGES];

/* The action of op i (o: the op, or its cut to one piece of its VMA); check: the kind of
 * the oracle's check when it is about this action (the disagreeing op; cut, the piece
 * holding its page), else NULL; pa that page.  The scan and the fork carry their kind's
 * check inside the action. */
static void emit_action(FILE *f, const struct seq *s, unsigned int i, const struct seq_op *o,
			const char *check, const char *pa)
{
	unsigned long gran = seq_granule(s->vmas[o->vma].backing);
	char a[96], da[96];

	addr_expr(a, sizeof(a), s, o->vma, o->first);
	switch (o->kind) {
	case OP_REGISTER:
		fprintf(f, "\trange_ioctl(UFFDIO_REGISTER, %s, %uUL * %luUL, %u);\n", a, o->count,
			gran, o->arg);
		break;
	case OP_UNREGISTER:
		fprintf(f, "\trange_ioctl(UFFDIO_UNREGISTER, %s, %uUL * %luUL, 0);\n", a, o->count, gran);
		break;
	case OP_WP_ON:
	case OP_WP_OFF:
		fprintf(f, "\trange_ioctl(UFFDIO_WRITEPROTECT, %s, %uUL * %luUL, %s);\n", a, o->count,
			gran, o->kind == OP_WP_ON ? "UFFDIO_WRITEPROTECT_MODE_WP" : "0");
		break;
	case OP_WRITE:
	case OP_READ:
		for (unsigned int p = o->first; p < o->first + o->count; p++) {
			addr_expr(a, sizeof(a), s, o->vma, p);
			if (poisoned[o->vma][p])
				continue;
			if (o->kind == OP_READ)
				fprintf(f, "\t(void)*(volatile uint64_t *)(%s);\n", a);
			else if (!ro[o->vma][p])	/* the fuzzer skips read-only pages */
				fprintf(f, "\t*(volatile uint64_t *)(%s) = 0x%xULL << 32 | %u;\n", a,
					i + 1, p);
		}
		break;
	case OP_MPROTECT:
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			ro[o->vma][p] = !o->arg;
		fprintf(f, "\tmprotect(%s, %uUL * %luUL, %s);\n", a, o->count, gran,
			o->arg ? "PROT_READ | PROT_WRITE" : "PROT_READ");
		break;
	case OP_DONTNEED:
		fprintf(f, "\tmadvise(%s, %uUL * %luUL, MADV_DONTNEED);\n", a, o->count, gran);
		break;
	case OP_MADVISE: {
		static const char *const advice[SEQ_MADV_MAX] = {
			[SEQ_MADV_REMOVE] = "MADV_REMOVE", [SEQ_MADV_FREE] = "MADV_FREE",
			[SEQ_MADV_PAGEOUT] = "MADV_PAGEOUT", [SEQ_MADV_COLLAPSE] = "MADV_COLLAPSE",
		};

		fprintf(f, "\tmadvise(%s, %uUL * %luUL, %s);\n", a, o->count, gran,
			o->arg < SEQ_MADV_MAX ? advice[o->arg] : "-1");
		break;
	}
	case OP_PUNCH_HOLE:	/* the fuzzer skips it without a file: fallocate(-1) fails alike */
		fprintf(f, "\tfallocate(vma[%u].fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, "
			"%uL * %luL, %uL * %luL);\n", o->vma, o->first, gran, o->count, gran);
		break;
	case OP_MREMAP:
		if (o->arg == SEQ_MREMAP_SHRINK && o->count / 2)
			fprintf(f, "\tregion_shrink(&vma[%u], %s, %uUL * %luUL, %uUL * %luUL, "
				"%uUL * %luUL);\n", o->vma, a, o->first, gran, o->count, gran,
				o->count / 2, gran);
		if (o->arg == SEQ_MREMAP_SHRINK) {	/* the tail comes back fresh */
			for (unsigned int p = o->first + o->count / 2; o->count / 2 &&
			     p < o->first + o->count; p++)
				ro[o->vma][p] = poisoned[o->vma][p] = false;
		} else if (o->arg == SEQ_MREMAP_PART) {
			fprintf(f, "\tmremap_part(%u, %u, %u, %luUL);\n", o->vma, o->first, o->count,
				gran);
			pieces[o->vma]++;
			for (unsigned int p = o->first; p < o->first + o->count; p++)
				piece[o->vma][p] = pieces[o->vma];
		} else if (at_table) {	/* the whole VMA, at_fill() where it went */
			fprintf(f, "\tif (region_mremap(&vma[%u], %s) == 0)\n"
				"\t\tat_fill(%u, %u, %luUL);\n", o->vma,
				o->arg == SEQ_MREMAP_GROW ? "true" : "false", o->vma,
				s->vmas[o->vma].pages, gran);
		} else {
			fprintf(f, "\tregion_mremap(&vma[%u], %s);\n", o->vma,
				o->arg == SEQ_MREMAP_GROW ? "true" : "false");
		}
		break;
	case OP_COPY:
		fprintf(f, "\tcopy_range(%s, %luUL, %u, %u, 0x%xULL << 32 | 0xc0000000ULL, %s);\n", a,
			gran, o->first, o->count, i + 1, o->arg ? "true" : "false");
		break;
	case OP_MUNMAP:
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			ro[o->vma][p] = poisoned[o->vma][p] = false;
		if (at_table)
			fprintf(f, "\tregion_remap_at(&vma[%u], %s, %uUL * %luUL, %uUL * %luUL);\n",
				o->vma, a, o->first, gran, o->count, gran);
		else
			fprintf(f, "\tregion_remap(&vma[%u], %uUL * %luUL, %uUL * %luUL);\n", o->vma,
				o->first, gran, o->count, gran);
		break;
	case OP_MOVE:
		addr_expr(da, sizeof(da), s, seq_move_dst_vma(o), seq_move_dst_first(o));
		fprintf(f, "\tmove_uffd(%s, %s, %uUL * %luUL);\n", da, a, o->count, gran);
		break;
	case OP_SCAN:
		if (check && !strcmp(check, "scan"))
			fprintf(f, "\tscan_said = scan_range(%s, %u, %luUL, %s);\n", a, o->count,
				gran, pa);
		else
			fprintf(f, "\tscan_range(%s, %u, %luUL, NULL);\n", a, o->count, gran);
		break;
	case OP_CONTINUE:
		fprintf(f, "\tcontinue_range(&vma[%u], %s, %uUL * %luUL, %uUL * %luUL, "
			"0x%xULL << 32 | 0xc0a00000ULL, %s);\n", o->vma, a, o->first, gran, o->count,
			gran, i + 1, o->arg ? "true" : "false");
		break;
	case OP_POISON:
		for (unsigned int p = o->first; p < o->first + o->count; p++)
			poisoned[o->vma][p] = true;
		fprintf(f, "\tpoison_range(%s, %uUL * %luUL);\n", a, o->count, gran);
		break;
	case OP_MOVE_PAGES:
		fprintf(f, "\tif (numa_node_count() < 2)\n\t\tscen_end(VERDICT_SKIP, \"needs_2_numa_nodes\");\n"
			"\tmove_range(%s, %luUL, %u, %u);\n", a, gran, o->count, o->arg);
		break;
	case OP_FORK:
		fprintf(f, "\tpid = scen_fork();\n\tif (pid == 0) {\n");
		if (check && !strcmp(check, "child_bit"))
			fprintf(f, "\t\tuint64_t e = pagemap_entry(%s);\n\n"
				"\t\tif ((e & PM_PRESENT) && (e & PM_UFFD_WP))\n\t\t\t_exit(1);\n", pa);
		for (unsigned int p = o->first; o->arg && p < o->first + o->count; p++) {
			addr_expr(a, sizeof(a), s, o->vma, p);
			if (!ro[o->vma][p] && !poisoned[o->vma][p])	/* as the fuzzer's child */
				fprintf(f, "\t\t*(volatile uint64_t *)(%s) = %u;\n", a, p);
		}
		fprintf(f, "\t\t_exit(0);\n\t}\n");
		if (check && !strcmp(check, "child_bit"))
			fprintf(f, "\tif (child_wait(pid) == 1)\n\t\tscen_end(VERDICT_BUG, \"child_has_uffd_wp_bit_without_event_fork\");\n");
		else
			fprintf(f, "\tchild_wait(pid);\n");
		break;
	case OP_CLOSE:
		fprintf(f, "\tmonitor_stop(&mon);\n\tclose(uffd);\n\tuffd = %s;\n"
			"\tmonitor_start(&mon, uffd, %luUL, NULL, NULL);\n",
			s->wp_async ? UFFD_NEW_ASYNC : UFFD_NEW, gran);
		break;
	default:
		break;
	}
}

/* Before the disagreeing op: what its check compares with afterwards. */
static void emit_check_before(FILE *f, const struct disagreement *d, const char *pa,
			      unsigned long gran)
{
	if (!strcmp(d->kind, "wp_msgs"))
		fprintf(f, "\tunsigned int before = monitor_wp_in(&mon, %s, %luUL);\n", pa, gran);
	else if (!strcmp(d->kind, "minor_msgs"))
		fprintf(f, "\tunsigned int minor_before = monitor_minor_in(&mon, %s, %luUL);\n", pa,
			gran);
	else if (!strcmp(d->kind, "scan"))	/* set by the scan of the page's piece */
		fputs("\tint scan_said = -1;\n", f);
}

/* After the disagreeing op: the oracle's check of its page, VERDICT_BUG where it saw one.
 * (An unasked-for event is checked once the monitor is stopped: emit_event_check().) */
static void emit_check_after(FILE *f, const struct disagreement *d, const char *pa,
			     unsigned long gran)
{
	if (!strcmp(d->kind, "wp_msgs"))
		fprintf(f, "\tif (monitor_wp_in(&mon, %s, %luUL) - before != %u)\n"
			"\t\tscen_end(VERDICT_BUG, \"wp_messages=%%u_want_%u\",\n"
			"\t\t\t monitor_wp_in(&mon, %s, %luUL) - before);\n", pa, gran, d->want_one,
			d->want_one, pa, gran);
	else if (!strcmp(d->kind, "bit_lost") || !strcmp(d->kind, "bit_stale"))
		fprintf(f, "\tif ((pagemap_entry(%s) & PM_PRESENT) && %spage_uffd_wp(%s))\n"
			"\t\tscen_end(VERDICT_BUG, \"%s\");\n", pa,
			!strcmp(d->kind, "bit_lost") ? "!" : "", pa,
			!strcmp(d->kind, "bit_lost") ? "protected_page_lost_uffd_wp_bit"
						     : "unprotected_page_has_uffd_wp_bit");
	else if (!strcmp(d->kind, "data"))
		fprintf(f, "\tif (*(volatile uint64_t *)(%s) != 0x%llxULL)\n"
			"\t\tscen_end(VERDICT_BUG, \"data_lost\");\n", pa, d->want_data);
	else if (!strcmp(d->kind, "scan") && d->scan_missed)
		fputs("\tif (scan_said == 0)\n\t\tscen_end(VERDICT_BUG, "
		      "\"pagemap_scan_missed_a_page_written_since_protected\");\n", f);
	else if (!strcmp(d->kind, "scan"))
		fputs("\tif (scan_said == 1)\n\t\tscen_end(VERDICT_BUG, "
		      "\"pagemap_scan_reported_a_protected_page_written\");\n", f);
	else if (!strcmp(d->kind, "minor_msgs"))	/* no MODE_MINOR covers the page */
		fprintf(f, "\tif (monitor_minor_in(&mon, %s, %luUL) != minor_before)\n"
			"\t\tscen_end(VERDICT_BUG, \"minor_fault_where_no_mode_minor\");\n", pa,
			gran);
}

/*
 * The uffd asks for no event, so any event message is the bug.  The kernel completes an
 * event inside the monitor's read() (userfaultfd_ctx_read()), before the monitor records
 * it: the op may return first.  After monitor_stop() (the thread records what it read, then
 * is joined) the count is final; the disagreeing op is the program's last, so this comes
 * right after it.
 */
static void emit_event_check(FILE *f)
{
	fputs("\tif (mon.event_count)\n\t\tscen_end(VERDICT_BUG, \"uffd_event_0x%x_never_asked_for\",\n"
	      "\t\t\t (unsigned int)mon.event[0].event);\n", f);
}

/* The op's action, once per piece of its range (as run_memory_op() runs it); at the
 * disagreeing op, the oracle's check around it. */
static void emit_op(FILE *f, const struct seq *s, unsigned int i, const struct disagreement *d)
{
	const struct seq_op *o = &s->ops[i];
	bool check = d->op == i + 1;
	bool whole = o->kind == OP_FORK || o->kind == OP_CLOSE ||
		     (o->kind == OP_MREMAP && o->arg != SEQ_MREMAP_SHRINK &&
		      o->arg != SEQ_MREMAP_PART);
	unsigned int from = o->first, end = o->first + o->count;
	char pa[96];

	addr_expr(pa, sizeof(pa), s, d->vma, d->page);
	fprintf(f, "\t/* op %u: ", i + 1);
	seq_print_op(f, o);
	fputs(" */\n", f);
	if (check)
		emit_check_before(f, d, pa, seq_granule(s->vmas[d->vma].backing));
	if (whole)
		emit_action(f, s, i, o, check ? d->kind : NULL, pa);
	for (unsigned int p = o->first + 1; !whole && p <= end; p++) {
		struct seq_op cut = *o;

		if (p < end && piece[o->vma][p] == piece[o->vma][from])
			continue;
		seq_op_shrink(&cut, from, p - from);
		emit_action(f, s, i, &cut,
			    check && d->vma == o->vma && d->page >= from && d->page < p ? d->kind
											 : NULL,
			    pa);
		from = p;
	}
	if (check)
		emit_check_after(f, d, pa, seq_granule(s->vmas[d->vma].backing));
}

/* text (from open_memstream(), freed here) line by line to out, each after prefix; an
 * empty line gets it too when blank_too. */
static void put_lines(FILE *out, char *text, const char *prefix, bool blank_too)
{
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		fprintf(out, "%s%s\n", blank_too || *line ? prefix : "", line);
	}
	free(text);
}

/*
 * The sequence: its VMAs, the uffd and its monitor, the ops (up to the disagreeing one).
 * In a child (in_child: the rsvd_leak check) one tab deeper; a skip there is the
 * child's CHILD_SKIP, its reason on stderr (scen_end()).
 */
static void emit_body(FILE *out, const struct seq *s, const struct disagreement *d,
		      unsigned long gran, bool in_child)
{
	char *text = NULL;
	size_t len = 0;
	FILE *c = open_memstream(&text, &len);

	for (unsigned int v = 0; v < s->n_vmas; v++)
		fprintf(c, "\twhy = region_map(&vma[%u], %s, %u);\n\tif (why)\n"
			"\t\tscen_end(VERDICT_SKIP, \"%%s\", why);\n", v,
			backing_enum[s->vmas[v].backing],
			s->vmas[v].backing == SEQ_THP ? 1 : s->vmas[v].pages);
	for (unsigned int v = 0; at_table && v < s->n_vmas; v++)
		fprintf(c, "\tat_fill(%u, %u, %luUL);\n", v, s->vmas[v].pages,
			seq_granule(s->vmas[v].backing));
	fprintf(c, "\tuffd = %s;\n\tmonitor_start(&mon, uffd, %luUL, NULL, NULL);\n",
		s->wp_async ? UFFD_NEW_ASYNC : UFFD_NEW, gran);
	for (unsigned int i = 0; i < s->n_ops && (!d->op || i < d->op); i++)
		emit_op(c, s, i, d);
	fputs("\tmonitor_stop(&mon);\n", c);
	if (!strcmp(d->kind, "event"))
		emit_event_check(c);
	fclose(c);
	put_lines(out, text, in_child ? "\t" : "", false);
}

void emit_scenario(FILE *f, const struct seq *s, const char *name, const char *oracle_line,
		   const char *tracer_class)
{
	struct disagreement d;
	unsigned long gran = 4096;
	struct utsname u;
	bool pool;

	parse_disagreement(oracle_line, &d);
	pool = !strcmp(d.kind, RUN_KIND_RSVD_LEAK);
	for (unsigned int v = 0; v < s->n_vmas; v++)
		if (seq_granule(s->vmas[v].backing) > gran && s->n_vmas == 1)
			gran = seq_granule(s->vmas[v].backing);
	memset(ro, 0, sizeof(ro));
	memset(poisoned, 0, sizeof(poisoned));
	memset(piece, 0, sizeof(piece));
	memset(pieces, 0, sizeof(pieces));
	at_table = moves_parts(s);
	fprintf(f, "seqfuzz: scenario tests/scenarios/%s.c follows (lines \"seqfuzz-file %s.c: \")\n",
		name, name);
	{
		char *text = NULL, prefix[256];
		size_t len = 0;
		FILE *c = open_memstream(&text, &len);

		emit_prelude(c, s, name, pool ? "What is judged: HugePages_Rsvd once the "
					       "sequence's process has exited." :
					 d.op ? "The user-space oracle sees it: see the check below."
					      : "Only the tracer sees it (user space cannot).");
		fprintf(c, "int main(void)\n{\n\tconst char *why;\n%s%s\n\tscen_begin(\"%s\");\n",
			seq_has(s, OP_FORK) ? "\tpid_t pid;\n" : "",
			pool ? "\tlong rsvd_before = meminfo_value(\"HugePages_Rsvd:\"), rsvd_after;\n"
			       "\tpid_t seq_pid;\n" : "", name);
		if (pool)	/* the sequence in a child: its exit is what must give all back */
			fputs("\tseq_pid = scen_fork();\n\tif (seq_pid == 0) {\n", c);
		emit_body(c, s, &d, gran, pool);
		if (pool)
			fputs("\t\t_exit(CHILD_OK);\n\t}\n"
			      "\tswitch (child_wait(seq_pid)) {\n\tcase CHILD_OK:\n\t\tbreak;\n"
			      "\tcase CHILD_SKIP:\n\t\tscen_end(VERDICT_SKIP, \"the_sequence_skipped(why:_the_child's_line)\");\n"
			      "\tdefault:\n\t\tscen_end(VERDICT_ERROR, \"the_sequence_failed\");\n\t}\n"
			      "\trsvd_after = meminfo_value(\"HugePages_Rsvd:\");\n"
			      "\tscen_end(rsvd_after > rsvd_before ? VERDICT_BUG : VERDICT_OK,\n"
			      "\t\t \"HugePages_Rsvd_%ld_before_%ld_after_the_exit\", rsvd_before, "
			      "rsvd_after);\n}\n", c);
		else
			fputs("\tscen_end(VERDICT_OK, \"as_the_oracle_expects\");\n}\n", c);
		fclose(c);
		snprintf(prefix, sizeof(prefix), "seqfuzz-file %s.c: ", name);
		put_lines(f, text, prefix, true);
	}
	uname(&u);
	fprintf(f, "seqfuzz: expected.tsv cell on this kernel (%s): %s/%s; the other columns: run "
		"uffdwp-vmtest --matrix --scenario %s\n", u.release, tracer_class ? tracer_class : "?",
		d.op || pool ? "bug" : "ok", name);
}
