/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference state model (docs/model.md): for each traced
 * mm, what a fixed kernel (6.12) holds for every page.  Fed one struct
 * uffdwp_event at a time; the checker (checker.c) compares observations with
 * it.  Page state lives in an interval map keyed by page number.
 */
#ifndef UFFDWP_MODEL_H
#define UFFDWP_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "event.h"
#include "model/intervals.h"

/* uapi constants (include/uapi/linux/userfaultfd.h, mman, madvise): stable ABI. */
#define UFFD_FEAT_EVENT_FORK		(1ULL << 1)
#define UFFD_FEAT_EVENT_REMAP		(1ULL << 2)
#define UFFD_FEAT_WP_UNPOPULATED	(1ULL << 13)
#define UFFD_FEAT_WP_ASYNC		(1ULL << 15)
#define UFFD_REG_MODE_MISSING		(1ULL << 0)
#define UFFD_REG_MODE_WP		(1ULL << 1)
/* UFFDIO_REGISTER_MODE_RWP (7.3): read-write protection on the same PTE bit;
 * older kernels refuse the mode (-EINVAL), so it is never seen there. */
#define UFFD_REG_MODE_RWP		(1ULL << 3)
#define UFFD_WP_MODE_WP			(1ULL << 0)
#define UFFD_COPY_MODE_WP		(1ULL << 1)	/* also UFFDIO_CONTINUE_MODE_WP */
#define UFFD_PF_FLAG_WP			(1ULL << 1)
#define UFFD_PROT_WRITE			0x2
#define UFFD_MADV_DONTNEED		4
#define UFFD_MADV_FREE			8
#define UFFD_MADV_REMOVE		9
#define UFFD_MREMAP_DONTUNMAP		4
#define X86_PF_PROT			(1ULL << 0)	/* fault on a present page */

/* Expected protection of a page (two low bits of a page value). */
enum expect {
	EXP_NONE = 0,		/* not in a WP-registered range: no bit, no marker */
	EXP_UNPROTECTED,
	EXP_PROTECTED,
	EXP_PROTECTED_IF_POPULATED,	/* anon without WP_UNPOPULATED: empty is fine */
};

#define PG_EXPECT_MASK	0x3u
#define PG_POPULATED	(1u << 2)	/* known to be mapped */
#define PG_WRITTEN	(1u << 3)	/* written since populated, no fork since: an
					   exclusive dirty page in a private VMA */
#define PG_WANT_WRITE	(1u << 4)	/* unprotected while PG_WRITTEN in a writable
					   private VMA: the next write must not fault */
#define PG_ZAPPED	(1u << 5)	/* zapped while PROTECTED: a marker is owed */
#define PG_WP_FAULTED	(1u << 6)	/* a WP fault was seen since the last protect */
#define PG_WAS_PROT	(1u << 7)	/* PROTECTED at some point since registration */
#define PG_OBS_SHIFT	8		/* last observation: PTE_ST_* bits */
#define PG_OBS_MASK	(0x1ffu << PG_OBS_SHIFT)
#define PG_UNPROT_BEGUN	(1u << 18)	/* an unprotect began since the last protect began:
					   that protect's end may not re-protect the page */
#define PG_RACED	(1u << 19)	/* a protect and an unprotect were in flight at once:
					   either may have reached the PTE last, so neither
					   end decides; the next observation does */
#define PG_DIRTY	(1u << 20)	/* UNPROTECTED by a write fault in a WP_ASYNC range since
					   the last protect: the PTE has no uffd bit, so
					   PAGEMAP_SCAN must call it PAGE_IS_WRITTEN */
#define PG_SCAN_RACED	(1u << 21)	/* that write may have raced with a PAGEMAP_SCAN (it was
					   in flight, or began before the scan and had not
					   returned): the scan may have seen it either way */
#define PG_POISONED	(1u << 22)	/* UFFDIO_POISON's marker holds the entry: nothing
					   since replaced it (a fill, a zap, an observation) */
#define PG_FALSE_WP_SEEN (1u << 17)	/* FALSE_WP reported: the same stray bit seen by
					   a later hook is not a second finding */

static inline enum expect pg_expect(imap_val v)
{
	return (enum expect)(v & PG_EXPECT_MASK);
}

static inline imap_val pg_with_expect(imap_val v, enum expect e)
{
	return (v & ~PG_EXPECT_MASK) | (imap_val)e;
}

/* A range registered with a uffd, as the VMA flags say (userfaultfd_register()). */
struct region {
	uint64_t start, end;	/* addresses */
	int fd;			/* -1 for a context inherited through EVENT_FORK */
	uint64_t mode;		/* UFFDIO_REGISTER_MODE_* */
	uint64_t features;	/* of the context, at registration */
	uint64_t vm_flags;	/* last seen in a kernel hook; valid if flags_known */
	bool flags_known;
	uint32_t backing;	/* enum uffdwp_backing, BACKING_UNKNOWN until a record says */
	bool writable;		/* VM_WRITE, from vm_flags or mprotect */
	bool writable_known;
	bool markers_seen;	/* a PTE marker was observed: file/shmem/hugetlb backing */
};

#define UFFD_EVENT_FORK_MSG	0x13	/* uffd_msg.event of UFFD_EVENT_FORK */
#define CTX_PENDING_FORKS	8	/* forks and fork messages not paired yet */

struct uffd_ctx {
	int fd;
	uint64_t features;
	/* Non-zero for a context dup_userfaultfd() made for a child at fork,
	 * reached through the fd a UFFD_EVENT_FORK message handed over: its
	 * ioctls act on the child's mm (ctx->mm), not on the caller's. */
	uint64_t owner_mm;
	/* dup_userfaultfd() pairs each fork (while this context had EVENT_FORK
	 * ranges) with one UFFD_EVENT_FORK message on it, in order; either may
	 * be seen first.  Oldest first: children not yet paired with a message,
	 * or fds handed over by messages not yet paired with a fork. */
	struct fork_queue {
		uint64_t v[CTX_PENDING_FORKS];
		unsigned n;
	} unpaired_children, unpaired_fds;
};

#define MM_RING 32	/* recent events kept per mm for evidence chains */
#define MM_FAULTING 16	/* threads with a write fault not known to have returned */
#define MM_CALLS 16	/* uffd ioctls in flight: one per thread at a time */

/*
 * An ioctl between its entry and its return (UFFDIO_WRITEPROTECT, and
 * UFFDIO_COPY/CONTINUE with MODE_WP).  Other threads fault, resolve and walk
 * meanwhile, and the records of two threads are ordered only by when each
 * was written, not by when the PTEs changed; so the model weakens protection
 * when a call begins and strengthens it only when it ends, and never over a
 * weakening that began meanwhile.
 */
struct call_in_flight {
	uint32_t tid;
	uint32_t kind;		/* EV_UFFD_WRITEPROTECT or EV_UFFD_COPY; EV_CHANGE_PROTECTION:
				   an unprotect's change_protection() returned and the
				   walk BPF does at that exit is not in yet */
	uint64_t start, end;
	bool wp;		/* a protect (UFFDIO_WRITEPROTECT_MODE_WP) */
	bool applied;		/* its change_protection() exit was seen and applied */
	bool resolved;		/* a MODE_WP fill: an unprotect of its range began while
				   it ran (on_writeprotect_begin()) */
};

/*
 * A thread's last write fault, until the thread's next record shows that it
 * returned (page_fault_user fires at exception entry): until then a
 * PAGEMAP_SCAN may find the page either way.
 */
struct fault_in_flight {
	uint32_t tid;
	uint64_t page;
};

/* The regions a PAGEMAP_SCAN in flight returned (EV_PM_SCAN_REGION), until
 * its return record (EV_PM_SCAN) judges and applies them. */
struct pm_scan_result {
	uint32_t tid;
	uint32_t n;
	struct pm_region {
		uint64_t start, end, categories;
	} r[PM_SCAN_REGIONS_MAX];
};

/* Records of an mm that may change PTEs (overtaken.c), newest last, and each
 * thread's last record: a walk's run is read after its thread's last record,
 * and may be older than another thread's record in between. */
#define MM_CHANGE_LOG 256
#define MM_THREADS 64
#define MM_THREAD_HINTS 128	/* where a tid's mark was last found, by tid % 128 */
struct change_rec {
	uint64_t seq;
	uint64_t start, end;
};
struct thread_mark {
	uint32_t tid;
	uint64_t seq;
};

/* Ranges forget_range() unmapped lately, so that a finding is not merged with a
 * new one on the same addresses of a later mapping (munmap + mmap again). */
#define MM_UNMAP_RING 16
struct unmapped_range {
	uint64_t start, end, gen;
};

struct mm_state {
	uint64_t mm;
	uint64_t id;		/* unique in the model: the kernel reuses mm addresses */
	uint32_t pid;
	char comm[UFFDWP_COMM_LEN];
	bool complete;		/* traced from birth: every registration was seen */
	uint64_t parent_mm;	/* the mm it was forked from, 0 if not seen */
	struct imap *pages;
	struct region *regions;	/* sorted, non-overlapping */
	size_t nregions, cap_regions;
	struct uffd_ctx *ctxs;
	size_t nctxs, cap_ctxs;
	struct call_in_flight calls[MM_CALLS];
	unsigned ncalls;
	struct fault_in_flight faulting[MM_FAULTING];
	unsigned nfaulting;
	struct pm_scan_result *scans;	/* PAGEMAP_SCANs with regions in */
	size_t nscans, cap_scans;
	struct uffdwp_event ring[MM_RING];
	uint64_t ring_seq[MM_RING];
	uint64_t ring_count;
	struct change_rec changes[MM_CHANGE_LOG];
	uint64_t nchanges;	/* ever logged */
	uint64_t changes_dropped_seq;	/* the newest record the log let go */
	struct thread_mark threads[MM_THREADS];
	unsigned nthreads;
	uint8_t thread_hint[MM_THREAD_HINTS];	/* index + 1 in threads[], 0: none; checked */
	struct unmapped_range unmapped[MM_UNMAP_RING];
	uint64_t unmap_gen;	/* forget_range() calls so far */
};

struct model {
	struct mm_state **mms;
	size_t nmms, cap_mms;
	uint64_t next_mm_id;
	struct mm_state *last;	/* lookup cache */
};

struct model *model_new(void);
void model_free(struct model *mdl);

/* The mm of an event, created on first sight. */
struct mm_state *model_mm(struct model *mdl, uint64_t mm, uint32_t pid);
struct mm_state *model_find_mm(const struct model *mdl, uint64_t mm);
/* Whether any range m unmapped after its unmap_gen was `gen` meets [start, end);
 * true when too many unmaps came since to tell. */
bool model_unmapped_since(const struct mm_state *m, uint64_t gen, uint64_t start, uint64_t end);

/* Applies the expectation change of an event, every kind; observations
 * update population, resolve PROTECTED_IF_POPULATED and store the observed
 * state.  The checker calls it after judging the event. */
void model_apply(struct model *mdl, const struct uffdwp_event *ev);

/* Records were lost before an event (ev->lost_before): any of them may have
 * changed any page of any mm, so every page's expectation becomes unknown
 * (PROTECTED_IF_POPULATED) and the model relearns from what follows.  Findings
 * then come only from what was seen after the hole. */
void model_forget_history(struct model *mdl);

/* The event as it acts on the kernel: a uffd ioctl through a context that a
 * fork handed over (UFFD_EVENT_FORK) is returned as a copy in buf with the
 * child's mm; any other event is returned as it is. */
const struct uffdwp_event *model_route(const struct model *mdl, const struct uffdwp_event *ev,
				       struct uffdwp_event *buf);

/* Remembers ev in its mm's ring of recent events, and what a walk running
 * meanwhile in another thread needs (model_fresh_parts()). */
void model_remember(struct mm_state *m, const struct uffdwp_event *ev, uint64_t seq);

/* The region covering addr, or NULL; the predicates accept NULL. */
struct region *model_region(struct mm_state *m, uint64_t addr);
bool region_is_wp(const struct region *r);
/* Registered for RWP (7.3): its uffd bits are RWP's, not judged by WP rules. */
bool region_is_rwp(const struct region *r);
/* Unpopulated protected pages carry a PTE marker (userfaultfd_wp_use_markers()). */
bool region_uses_markers(const struct region *r);
/* Private, not hugetlb, known: the only backing where LOST_WRITE_BIT is decidable. */
bool region_private_known(const struct region *r);
/* VM_HUGETLB, by the backing or the flags a record gave. */
bool region_is_hugetlb(const struct region *r);

#define UFFDWP_PAGE_SIZE (1ULL << UFFDWP_PAGE_SHIFT)

/* Page helpers (addresses in bytes, state in page numbers). */
static inline uint64_t pfn_of(uint64_t addr)
{
	return addr >> UFFDWP_PAGE_SHIFT;
}

/* What an observation event (EV_PTE_RUN, EV_MIGRATION_PTE) saw. */
struct observed_entry {
	uint64_t start, end;	/* bytes, page aligned */
	uint32_t state;		/* PTE_ST_* */
	uint64_t raw;		/* the entry value, 0 if none */
};
/* The entry an EV_PTE_RUN or EV_MIGRATION_PTE record shows, and the pages it
 * covers (m: the record's mm, for the VMA's backing; may be NULL). */
bool model_event_observation(struct mm_state *m, const struct uffdwp_event *ev,
			     struct observed_entry *o);

/* A change_protection() (or, where it is not hooked, an unprotect's
 * syscall) that resolved addr returned, and its thread's next record (the
 * walk at that exit) has not come yet: a write fault recorded meanwhile may
 * have hit the PTE before it changed. */
bool model_walk_awaited(struct mm_state *m, uint64_t addr);
/* The same, for a change made by a thread other than tid. */
bool model_walk_awaited_by_other(struct mm_state *m, uint64_t addr, uint32_t tid);

/* Calls fn for each part of [start, end) (bytes) that the observation ev
 * shows as the model's state of it can be compared with: all of it, except
 * for a walk's run (EV_PTE_RUN), where the pages that a record of another
 * thread written since the walk began may have changed before or after the
 * walk read them are left out (src/model/overtaken.c). */
typedef void (*model_range_fn)(uint64_t start, uint64_t end, void *arg);
void model_fresh_parts(struct mm_state *m, const struct uffdwp_event *ev, uint64_t start,
		       uint64_t end, model_range_fn fn, void *arg);

/* A PAGEMAP_SCAN return (EV_PM_SCAN, begin 0) judged page by page: calls
 * fn for each run of pages the model knows were written since their last
 * protect and that the scan, as far as it can be read, calls clean. */
typedef void (*pm_scan_clean_fn)(uint64_t start, uint64_t end, void *arg);
void model_pm_scan_lost(struct mm_state *m, const struct uffdwp_event *ev,
			pm_scan_clean_fn fn, void *arg);

/* Applies fn to the page runs of [start, end) (bytes, rounded out to pages);
 * PG_DIRTY and PG_SCAN_RACED hold only on UNPROTECTED populated pages. */
size_t model_pages_update(struct mm_state *m, uint64_t start, uint64_t end,
			  imap_map_fn fn, void *arg);

size_t model_bytes(const struct model *mdl);
size_t model_nruns(const struct model *mdl);

#endif
