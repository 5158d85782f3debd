// SPDX-License-Identifier: GPL-2.0
/* Transitions of the reference model, one event kind at a time. */
#include <stdlib.h>

#include "synth.h"
#include "tap.h"

#define FD 3
#define A A_BASE
#define N8 (8 * PG)
#define MM 0xffff888000010000ULL
#define CHILD 0xffff888000020000ULL

static struct model *mdl;

/* A fresh model with one registered range of 8 pages; page 0 written. */
static void start(struct synth *s, __u64 vm_flags, __u64 features)
{
	model_free(mdl);
	mdl = model_new();
	synth_init(s, NULL, MM, 10, vm_flags, A, A + N8);
	s->mdl = mdl;
	model_apply(mdl, &(struct uffdwp_event){ .mm = MM, .pid = 10, .kind = EV_EXEC });
	s_open_api(s, FD, features);
	s_register(s, FD, A, A + N8);
	s_write_fault(s, A, PF_USER_WRITE);
	s_cp(s, A, A, 0);	/* any kernel hook: teaches the model the VMA flags */
}

static imap_val page(__u64 mm, __u64 addr)
{
	struct mm_state *m = model_find_mm(mdl, mm);

	return m ? imap_get(m->pages, addr >> 12) : 0xffffffff;
}

static bool expect_is(__u64 mm, __u64 addr, enum expect e)
{
	return pg_expect(page(mm, addr)) == e;
}

static void t_register_protect(void)
{
	struct synth s;

	start(&s, VMF_ANON, 0);
	tap_ok(expect_is(MM, A + PG, EXP_UNPROTECTED) && expect_is(MM, A + N8, EXP_NONE),
	       "register: UNPROTECTED inside, nothing outside");
	s_range(&s, EV_UFFD_WRITEPROTECT, FD, A, A + N8, UFFD_WP_MODE_WP, -22);
	tap_ok(expect_is(MM, A, EXP_UNPROTECTED), "writeprotect with ret != 0: no effect");
	s_writeprotect(&s, FD, A, A + N8, true);
	tap_ok(expect_is(MM, A, EXP_PROTECTED) && expect_is(MM, A + PG, EXP_PROTECTED_IF_POPULATED),
	       "protect anon: populated PROTECTED, empty PROTECTED_IF_POPULATED");
	s_pte(&s, A + PG, A + 2 * PG, PTE_ST_PRESENT | PTE_ST_UFFD_WP, HOOK_ZAP);
	tap_ok(expect_is(MM, A + PG, EXP_PROTECTED), "observed bit resolves PROTECTED_IF_POPULATED");
	s_writeprotect(&s, FD, A, A + N8, false);
	tap_ok(expect_is(MM, A, EXP_UNPROTECTED) && (page(MM, A) & PG_WANT_WRITE) &&
	       !(page(MM, A + PG) & PG_WANT_WRITE),
	       "unprotect: UNPROTECTED, written exclusive page must become writable");
	s_syscall_range(&s, EV_MPROTECT, A, A + N8, 1);
	tap_ok(!(page(MM, A) & PG_WANT_WRITE), "mprotect: no writable expectation left");

	start(&s, VMF_SHMEM, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	tap_ok(expect_is(MM, A + PG, EXP_PROTECTED), "protect shmem: empty pages get markers");
	start(&s, VMF_ANON, UFFD_FEAT_WP_UNPOPULATED);
	s_writeprotect(&s, FD, A, A + N8, true);
	tap_ok(expect_is(MM, A + PG, EXP_PROTECTED), "protect anon with WP_UNPOPULATED: markers");
}

static void t_faults_and_fills(void)
{
	struct synth s;

	start(&s, VMF_ANON, 0);
	s_copy(&s, FD, A + PG, 2 * PG, FILL_COPY, UFFD_COPY_MODE_WP);
	s_copy(&s, FD, A + 3 * PG, PG, FILL_ZEROPAGE, 0);
	tap_ok(expect_is(MM, A + 2 * PG, EXP_PROTECTED) && (page(MM, A + PG) & PG_WRITTEN) &&
	       expect_is(MM, A + 3 * PG, EXP_UNPROTECTED) && !(page(MM, A + 3 * PG) & PG_WRITTEN),
	       "COPY(MODE_WP) protected and written; ZEROPAGE neither");
	s_write_fault(&s, A + PG, PF_PROT_WRITE);
	tap_ok(expect_is(MM, A + PG, EXP_PROTECTED) && (page(MM, A + PG) & PG_WP_FAULTED),
	       "sync WP fault: stays PROTECTED until the handler resolves");

	start(&s, VMF_ANON, UFFD_FEAT_WP_ASYNC);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_write_fault(&s, A, PF_PROT_WRITE);
	tap_ok(expect_is(MM, A, EXP_UNPROTECTED), "async WP fault: the kernel unprotects");
}

/* UFFDIO_MOVE (docs/model.md §8): src B (WP, four pages written, protected,
 * the third unprotected again) moved to dst A + PG. */
static void t_move(void)
{
	const __u64 B = A + 16 * PG;
	struct synth s;

	start(&s, VMF_ANON, UFFD_FEAT_WP_UNPOPULATED);
	s_register(&s, FD, B, B + N8);
	for (__u64 a = B; a < B + 4 * PG; a += PG)
		s_write_fault(&s, a, PF_USER_WRITE);
	s_writeprotect(&s, FD, B, B + N8, true);
	s_writeprotect(&s, FD, B + 2 * PG, B + 3 * PG, false);
	s_move(&s, FD, A + PG, B, 3 * PG, 3 * PG);
	tap_ok(expect_is(MM, A + PG, EXP_PROTECTED_IF_POPULATED) &&
	       expect_is(MM, A + 2 * PG, EXP_PROTECTED_IF_POPULATED) &&
	       (page(MM, A + PG) & PG_WAS_PROT) && (page(MM, A + PG) & PG_POPULATED),
	       "move of protected pages: dst populated, bit only if src was swapped (either)");
	tap_ok(expect_is(MM, A + 3 * PG, EXP_UNPROTECTED) && (page(MM, A + 3 * PG) & PG_POPULATED) &&
	       !(page(MM, A + 3 * PG) & PG_WANT_WRITE),
	       "move of an unprotected page: dst populated, UNPROTECTED");
	tap_ok(expect_is(MM, B, EXP_UNPROTECTED) && expect_is(MM, B + 2 * PG, EXP_UNPROTECTED) &&
	       !(page(MM, B) & (PG_POPULATED | PG_WRITTEN | PG_ZAPPED)) &&
	       expect_is(MM, B + 3 * PG, EXP_PROTECTED),
	       "move: src empty and owes no marker, the page after it untouched");
	s_move(&s, FD, A + 4 * PG, B + 3 * PG, 2 * PG, PG);
	tap_ok(expect_is(MM, B + 3 * PG, EXP_UNPROTECTED) && expect_is(MM, B + 4 * PG, EXP_PROTECTED) &&
	       expect_is(MM, A + 4 * PG, EXP_PROTECTED_IF_POPULATED) &&
	       expect_is(MM, A + 5 * PG, EXP_UNPROTECTED),
	       "short move: only the bytes moved change");
	s_move(&s, FD, A + 6 * PG, B + 5 * PG, PG, -17);
	tap_ok(expect_is(MM, B + 5 * PG, EXP_PROTECTED) && expect_is(MM, A + 6 * PG, EXP_UNPROTECTED),
	       "failed move (-EEXIST): nothing changes");
}

static void t_zaps(void)
{
	struct synth s;

	start(&s, VMF_SHMEM, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_dontneed(&s, A, A + N8);
	tap_ok(expect_is(MM, A, EXP_PROTECTED) && (page(MM, A) & PG_ZAPPED),
	       "DONTNEED on shmem: still PROTECTED, a marker owed");
	start(&s, VMF_ANON, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_dontneed(&s, A, A + N8);
	tap_ok(expect_is(MM, A, EXP_PROTECTED_IF_POPULATED) && !(page(MM, A) & PG_POPULATED),
	       "DONTNEED on anon: protection dropped with the data");

	start(&s, VMF_SHMEM, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	{
		struct uffdwp_event ev = synth_ev(&s, EV_ZAP, HOOK_ZAP);

		ev.start = A;
		ev.end = A + N8;
		ev.u.zap.has_details = 1;
		ev.u.zap.zap_flags = UFFDWP_ZAP_FLAG_DROP_MARKER;
		synth_feed(&s, &ev);
	}
	tap_ok(expect_is(MM, A, EXP_UNPROTECTED), "zap with ZAP_FLAG_DROP_MARKER drops markers");
	s_syscall_range(&s, EV_MUNMAP, A, A + 4 * PG, 0);
	tap_ok(expect_is(MM, A, EXP_NONE) && !model_region(model_find_mm(mdl, MM), A) &&
	       model_region(model_find_mm(mdl, MM), A + 4 * PG), "munmap forgets part of a region");
	{
		struct uffdwp_event ev = synth_ev(&s, EV_MMAP, HOOK_SYSCALLS);

		ev.start = A + 4 * PG;
		ev.end = A + 6 * PG;
		ev.u.mmap.flags = 0x10;		/* MAP_FIXED */
		ev.ret = -12;			/* -ENOMEM: nothing was replaced */
		synth_feed(&s, &ev);
		tap_ok(model_region(model_find_mm(mdl, MM), A + 4 * PG) &&
		       !expect_is(MM, A + 4 * PG, EXP_NONE), "a failed mmap(MAP_FIXED) forgets nothing");
		ev.ret = (__s64)ev.start;
		synth_feed(&s, &ev);
		tap_ok(expect_is(MM, A + 4 * PG, EXP_NONE) &&
		       !model_region(model_find_mm(mdl, MM), A + 5 * PG) &&
		       model_region(model_find_mm(mdl, MM), A + 6 * PG),
		       "mmap(MAP_FIXED) over a region forgets what it replaced, and only that");
	}
}

static void t_mremap(void)
{
	const __u64 to = A + 0x40000000ULL;
	struct synth s;

	start(&s, VMF_ANON, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_mremap(&s, A, A + N8, to, 3);
	tap_ok(expect_is(MM, A, EXP_NONE) && expect_is(MM, to, EXP_NONE) &&
	       (page(MM, to) & PG_POPULATED) && !model_region(model_find_mm(mdl, MM), to),
	       "mremap without EVENT_REMAP: new range unregistered, no bits");
	start(&s, VMF_ANON, UFFD_FEAT_EVENT_REMAP);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_mremap(&s, A, A + N8, to, 3);
	tap_ok(expect_is(MM, A, EXP_NONE) && expect_is(MM, to, EXP_PROTECTED) &&
	       region_is_wp(model_region(model_find_mm(mdl, MM), to + PG)),
	       "mremap with EVENT_REMAP: protection moves");
	s_mremap(&s, to, to + N8, to, 0);
	tap_ok(expect_is(MM, to, EXP_PROTECTED), "mremap in place keeps the state");
}

/*
 * A registration of no pages makes no region: else each zero-length
 * MREMAP_DONTUNMAP of its address doubled the empty regions there (found by
 * tests/fuzz/fuzz_checker: 2^k regions after k such records, a hang).
 */
static void t_empty_range(void)
{
	struct synth s;
	size_t before;

	start(&s, VMF_ANON, 0);
	before = model_find_mm(mdl, MM)->nregions;
	s_register(&s, FD, A + N8, A + N8);
	for (int i = 0; i < 12; i++)
		s_mremap(&s, A + N8, A + N8, 0, UFFD_MREMAP_DONTUNMAP);
	tap_ok(model_find_mm(mdl, MM)->nregions == before,
	       "register of an empty range, zero-length mremaps: no region (%zu, was %zu)",
	       model_find_mm(mdl, MM)->nregions, before);
}

static void t_fork_exit(void)
{
	struct synth s;

	start(&s, VMF_ANON, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_fork(&s, CHILD, 11);
	tap_ok(expect_is(CHILD, A, EXP_NONE) && !(page(MM, A) & PG_WRITTEN) &&
	       expect_is(MM, A, EXP_PROTECTED), "fork without EVENT_FORK: child has no protection");
	start(&s, VMF_ANON, UFFD_FEAT_EVENT_FORK);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_fork(&s, CHILD, 11);
	tap_ok(expect_is(CHILD, A, EXP_PROTECTED) &&
	       region_is_wp(model_region(model_find_mm(mdl, CHILD), A)),
	       "fork with EVENT_FORK: child inherits protection");
	s.mm = CHILD;
	s_exit(&s);
	tap_ok(!model_find_mm(mdl, CHILD) && model_find_mm(mdl, MM), "exit forgets the mm");
}

/*
 * A process whose exit record was lost leaves its model behind; when fork or
 * exec makes a new mm at the same address (an mm_struct's is soon reused), the
 * newcomer starts empty: the leftover's registration and protection judged it.
 */
static void t_leftover_mm(void)
{
	struct synth s;
	struct mm_state *m;

	start(&s, VMF_ANON, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	/* no exit record: another process forks a child with MM's address */
	s.mm = CHILD;
	s.pid = 20;
	s_fork(&s, MM, 21);
	m = model_find_mm(mdl, MM);
	tap_ok(m && m->pid == 21 && m->nregions == 0 && expect_is(MM, A, EXP_NONE),
	       "fork into a leftover mm's address: a new model (pid %u, %zu regions)",
	       m ? m->pid : 0, m ? m->nregions : 0);

	start(&s, VMF_ANON, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	model_apply(mdl, &(struct uffdwp_event){ .mm = MM, .pid = 30, .kind = EV_EXEC });
	m = model_find_mm(mdl, MM);
	tap_ok(m && m->pid == 30 && m->nregions == 0 && expect_is(MM, A, EXP_NONE),
	       "exec into a leftover mm's address: a new model (pid %u, %zu regions)",
	       m ? m->pid : 0, m ? m->nregions : 0);
	model_apply(mdl, &(struct uffdwp_event){ .mm = MM, .pid = 30, .kind = EV_EXEC });
	tap_ok(model_find_mm(mdl, MM) == m, "an exec's own mm seen again is kept");
	s.mm = MM;
	s.pid = 30;
	s_fork(&s, MM, 31);
	tap_ok(model_find_mm(mdl, MM) == m, "a CLONE_VM child's mm is its parent's: kept");
}

/*
 * remove_migration_pte() hooked as a function (no tracepoint) sends a record
 * without a decoded entry: no observation, the page stays as it was.  The
 * model once observed an uninitialised entry here (valgrind: model.c).
 */
static void t_migration_without_state(void)
{
	struct synth s;
	imap_val before;

	start(&s, VMF_ANON, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	before = page(MM, A);
	s_migration(&s, A, MIG_REMOVE_PTE, 0, 0);
	tap_ok(page(MM, A) == before && expect_is(MM, A, EXP_PROTECTED),
	       "a migration record without a decoded entry observes nothing");
}

/* close() of a uffd: its last reference releases the context (every range
 * unregistered, c88033efe9a3); another reference leaves all as it was. */
static void t_uffd_close(void)
{
	struct synth s;
	struct mm_state *m;

	start(&s, VMF_ANON, 0);
	s_writeprotect(&s, FD, A, A + N8, true);
	s_uffd_close(&s, FD, false);
	m = model_find_mm(mdl, MM);
	tap_ok(expect_is(MM, A, EXP_PROTECTED) && model_region(m, A),
	       "close of a uffd with another reference: the ranges stay");
	s_open_api(&s, FD + 1, 0);
	s_register(&s, FD + 1, A + N8, A + 2 * N8);
	s_writeprotect(&s, FD + 1, A + N8, A + 2 * N8, true);
	s_uffd_close(&s, FD, true);
	tap_ok(expect_is(MM, A, EXP_NONE) && !model_region(m, A) && !(page(MM, A) & PG_WAS_PROT) &&
	       expect_is(MM, A + N8, EXP_PROTECTED_IF_POPULATED) && model_region(m, A + N8),
	       "the last close releases its own ranges only");
}

/* ---- walks overtaken by other threads' records (src/model/overtaken.c) ---- */

struct parts {
	int n;
	__u64 start[4], end[4];
};

static void collect_part(uint64_t start, uint64_t end, void *arg)
{
	struct parts *p = arg;

	if (p->n < 4) {
		p->start[p->n] = start;
		p->end[p->n] = end;
	}
	p->n++;
}

static __u64 seq;

/* A record of thread tid remembered by its mm, as checker_feed() does. */
static void remember(struct mm_state *m, __u32 tid, __u32 kind, __u64 start, __u64 end)
{
	struct uffdwp_event ev = { .mm = MM, .pid = 10, .tid = tid, .kind = kind,
				   .start = start, .end = end };

	model_remember(m, &ev, ++seq);
}

static struct parts fresh_parts(struct mm_state *m, __u32 tid, __u64 start, __u64 end)
{
	struct uffdwp_event run = { .mm = MM, .pid = 10, .tid = tid, .kind = EV_PTE_RUN,
				    .start = start, .end = end };
	struct parts p = { 0 };

	model_remember(m, &run, ++seq);
	model_fresh_parts(m, &run, start, end, collect_part, &p);
	return p;
}

static struct mm_state *fresh_mm(void)
{
	model_free(mdl);
	mdl = model_new();
	return model_mm(mdl, MM, 10);
}

static void t_overtaken_walks(void)
{
	struct mm_state *m = fresh_mm();
	struct parts p;

	remember(m, 1, EV_CHANGE_PROTECTION, A, A + N8);	/* thread 1's hook, then its walk */
	remember(m, 2, EV_CHANGE_PROTECTION, A + 3 * PG, A + 4 * PG);
	remember(m, 3, EV_WRITE_FAULT, A + 5 * PG, A + 5 * PG);	/* a fault does not overtake */
	p = fresh_parts(m, 1, A, A + N8);
	tap_ok(p.n == 2 && p.start[0] == A && p.end[0] == A + 3 * PG &&
	       p.start[1] == A + 4 * PG && p.end[1] == A + N8,
	       "a run leaves out the page another thread's record overtook (%d parts)", p.n);
	p = fresh_parts(m, 2, A + 3 * PG, A + 4 * PG);
	tap_ok(p.n == 1 && p.start[0] == A + 3 * PG && p.end[0] == A + 4 * PG,
	       "a run after its own thread's record, nothing since: all of it");

	m = fresh_mm();
	remember(m, 1, EV_CHANGE_PROTECTION, A, A + N8);
	for (int i = 0; i <= MM_CHANGE_LOG; i++)
		remember(m, 2, EV_MPROTECT, A + N8, A + 2 * N8);
	p = fresh_parts(m, 1, A, A + N8);
	tap_ok(p.n == 0, "the log no longer reaches the walk's start: none of the run (%d parts)",
	       p.n);

	/* 64 thread slots: the thread that recorded longest ago makes room,
	 * not thread 1, the first seen and the last to record */
	m = fresh_mm();
	remember(m, 1, EV_UFFD_WP_MESSAGE, A, A + PG);
	for (__u32 tid = 100; tid < 100 + MM_THREADS - 1; tid++)
		remember(m, tid, EV_UFFD_WP_MESSAGE, A, A + PG);
	remember(m, 1, EV_CHANGE_PROTECTION, A, A + N8);
	remember(m, 500, EV_CHANGE_PROTECTION, A, A + PG);	/* a new thread, overtaking */
	p = fresh_parts(m, 1, A, A + N8);
	tap_ok(p.n == 1 && p.start[0] == A + PG && p.end[0] == A + N8,
	       "a full thread table keeps the thread that recorded last (%d parts)", p.n);

	/* threads 7 and 7 + MM_THREAD_HINTS share a lookup hint: each still
	 * finds its own mark, whichever recorded last */
	m = fresh_mm();
	remember(m, 7, EV_CHANGE_PROTECTION, A, A + N8);
	remember(m, 7 + MM_THREAD_HINTS, EV_CHANGE_PROTECTION, A + 2 * PG, A + 3 * PG);
	p = fresh_parts(m, 7, A, A + N8);
	tap_ok(p.n == 2 && p.end[0] == A + 2 * PG && p.start[1] == A + 3 * PG,
	       "two threads on one hint: the first one's walk is cut by the second's record (%d parts)",
	       p.n);
	p = fresh_parts(m, 7 + MM_THREAD_HINTS, A + 2 * PG, A + 3 * PG);
	tap_ok(p.n == 1, "and the second one's walk is whole (%d parts)", p.n);
}

static const struct tap_test tests[] = {
	TAP_TEST(t_register_protect),
	TAP_TEST(t_migration_without_state),
	TAP_TEST(t_uffd_close),
	TAP_TEST(t_faults_and_fills),
	TAP_TEST(t_move),
	TAP_TEST(t_zaps),
	TAP_TEST(t_mremap),
	TAP_TEST(t_empty_range),
	TAP_TEST(t_fork_exit),
	TAP_TEST(t_leftover_mm),
	TAP_TEST(t_overtaken_walks),
};

int main(int argc, char **argv)
{
	int status = tap_main(TAP_TESTS(tests), argc, argv);

	model_free(mdl);
	return status;
}
