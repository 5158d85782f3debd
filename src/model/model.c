// SPDX-License-Identifier: GPL-2.0
/*
 * The reference model (docs/model.md): the traced mms and their lifetime, and
 * the dispatch of each event to its transition.  Each transition mirrors the
 * behaviour of a fixed kernel and names the kernel function; a kernel that
 * behaves differently shows up as a finding in checker.c, never as a special
 * case here.  The transitions live by responsibility: ctx.c (uffd contexts),
 * regions.c (registered ranges), uffdio.c (the UFFDIO_* ioctls), mm_ops.c
 * (mm syscalls and kernel hooks), observe.c (what the kernel was seen to hold).
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

/* ---- mms ---- */

struct model *model_new(void)
{
	struct model *mdl = calloc(1, sizeof(*mdl));

	if (!mdl)
		abort();
	return mdl;
}

static void mm_free(struct mm_state *m)
{
	imap_free(m->pages);
	free(m->regions);
	free(m->ctxs);
	free(m->scans);
	free(m);
}

void model_free(struct model *mdl)
{
	if (!mdl)
		return;
	for (size_t i = 0; i < mdl->nmms; i++)
		mm_free(mdl->mms[i]);
	free(mdl->mms);
	free(mdl);
}

struct mm_state *model_find_mm(const struct model *mdl, uint64_t mm)
{
	if (mdl->last && mdl->last->mm == mm)
		return mdl->last;
	for (size_t i = 0; i < mdl->nmms; i++)
		if (mdl->mms[i]->mm == mm)
			return mdl->mms[i];
	return NULL;
}

struct mm_state *model_mm(struct model *mdl, uint64_t mm, uint32_t pid)
{
	struct mm_state *m = model_find_mm(mdl, mm);

	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m)
			abort();
		m->mm = mm;
		m->id = ++mdl->next_mm_id;
		m->pid = pid;
		m->pages = imap_new();
		GROW(mdl->mms, mdl->nmms, mdl->cap_mms);
		mdl->mms[mdl->nmms++] = m;
	}
	mdl->last = m;
	return m;
}

static void model_drop_mm(struct model *mdl, struct mm_state *m)
{
	for (size_t i = 0; i < mdl->nmms; i++) {
		if (mdl->mms[i] != m)
			continue;
		mdl->mms[i] = mdl->mms[--mdl->nmms];
		break;
	}
	if (mdl->last == m)
		mdl->last = NULL;
	mm_free(m);
}

void model_remember(struct mm_state *m, const struct uffdwp_event *ev, uint64_t seq)
{
	unsigned slot = m->ring_count++ % MM_RING;

	m->ring[slot] = *ev;
	m->ring_seq[slot] = seq;
	overtaken_note(m, ev, seq);
}

/* ---- dispatch ---- */

bool model_walk_awaited_by_other(struct mm_state *m, uint64_t addr, uint32_t tid)
{
	for (unsigned i = 0; i < m->ncalls; i++)
		if (m->calls[i].kind == EV_CHANGE_PROTECTION && m->calls[i].tid != tid &&
		    addr >= m->calls[i].start && addr < m->calls[i].end)
			return true;
	return false;
}

bool model_walk_awaited(struct mm_state *m, uint64_t addr)
{
	return model_walk_awaited_by_other(m, addr, 0);
}

/* What an mm's pages are once history cannot be trusted: a protected or
 * unprotected page may be either, may have been protected since it was
 * registered, and is not known to be populated; the last observation
 * stays. */
static imap_val page_unknown(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	imap_val keep = v & (PG_OBS_MASK | PG_FALSE_WP_SEEN);

	if (pg_expect(v) == EXP_NONE)
		return keep;
	return pg_with_expect(keep | PG_WAS_PROT, EXP_PROTECTED_IF_POPULATED);
}

void model_forget_history(struct model *mdl)
{
	for (size_t i = 0; i < mdl->nmms; i++) {
		struct mm_state *m = mdl->mms[i];

		imap_update(m->pages, 0, UINT64_MAX, page_unknown, NULL);
		m->complete = false;	/* a registration may have been missed */
		m->ncalls = 0;
		m->nfaulting = 0;
		m->nscans = 0;
	}
}

/*
 * The mm that fork or exec has just made is new, so a model under its address
 * is a leftover: a process whose exit record was lost (counted), its
 * mm_struct freed and the address reused.  Kept, its regions and pages would
 * judge the newcomer.  At fork nothing of the child's mm comes before the
 * fork record (the child runs after the tracepoint); at exec the new image's
 * own set-up records may, under its pid.
 */
static void drop_leftover_mm(struct model *mdl, const struct uffdwp_event *ev)
{
	struct mm_state *old;

	if (ev->kind == EV_FORK && ev->u.fork.child_mm != ev->mm) {
		old = model_find_mm(mdl, ev->u.fork.child_mm);
		if (old)
			model_drop_mm(mdl, old);
	} else if (ev->kind == EV_EXEC) {
		old = model_find_mm(mdl, ev->mm);
		if (old && old->pid != ev->pid)
			model_drop_mm(mdl, old);
	}
}

struct observe_part_arg {
	struct mm_state *m;
	uint32_t state;
};

static void observe_part(uint64_t start, uint64_t end, void *arg)
{
	const struct observe_part_arg *a = arg;

	model_observe(a->m, start, end, a->state);
}

void model_apply(struct model *mdl, const struct uffdwp_event *ev)
{
	struct mm_state *m;
	struct call_in_flight awaited;

	drop_leftover_mm(mdl, ev);
	m = model_mm(mdl, ev->mm, ev->pid);

	/* Any record of the thread, its walk first, ends model_walk_awaited(). */
	call_end(m, ev->tid, EV_CHANGE_PROTECTION, &awaited);
	faulting_note(m, ev);

	memcpy(m->comm, ev->comm, sizeof(m->comm));
	learn_vma(m, ev);
	switch (ev->kind) {
	case EV_UFFD_OPEN:
		if (ev->ret >= 0)
			ctx_open(m, (int)ev->ret, 0);
		/* First sight of this mm is its uffd: every registration will
		 * be seen, so bits in unregistered ranges are decidable. */
		m->complete |= m->ring_count <= 1;
		break;
	case EV_UFFD_API:
		if (ev->ret == 0)
			/* userfaultfd_api(): the context gets what was asked for
			 * (uffd_ctx_features()); the struct comes back with every
			 * feature the kernel has, which is not what is in force. */
			ctx_set(m, ev->u.api.fd, ev->u.api.features_req);
		break;
	case EV_UFFD_REGISTER:
		if (ev->ret == 0)
			on_register(m, ev);
		break;
	case EV_UFFD_UNREGISTER:
		if (ev->ret == 0)
			on_unregister(m, ev);
		break;
	case EV_UFFD_CLOSE:
		on_uffd_close(m, ev);
		break;
	case EV_UFFD_WRITEPROTECT:
		if (ev->u.range.begin)
			on_writeprotect_begin(m, ev);
		else
			on_writeprotect_end(m, ev);
		break;
	case EV_UFFD_COPY:
		on_fill(m, ev);
		break;
	case EV_CHANGE_PROTECTION:
		on_change_protection(m, ev);
		break;
	case EV_MPROTECT:
		if (ev->ret == 0)
			on_mprotect(m, ev);
		break;
	case EV_MADVISE:
		if (ev->ret == 0)
			on_madvise(m, ev);
		break;
	case EV_ZAP:
		on_zap(m, ev);
		break;
	case EV_MUNMAP:
		if (ev->ret == 0)
			forget_range(m, ev->start, ev->end);
		break;
	case EV_MMAP:
		/* MAP_FIXED: do_mmap() unmapped the old range first, and the
		 * new VMA is registered nowhere. */
		if (ev->ret == (int64_t)ev->start)
			forget_range(m, ev->start, ev->end);
		break;
	case EV_MREMAP:
		on_mremap(m, ev);
		break;
	case EV_FORK:
		on_fork(mdl, m, ev);
		break;
	case EV_UFFD_MESSAGE:
		if (ev->u.msg.event == UFFD_EVENT_FORK_MSG)
			ctx_fork_pair(m, ev->u.msg.fd, (int64_t)(int)ev->u.msg.arg1, 0);
		break;
	case EV_EXEC:
		m->complete = true;
		break;
	case EV_EXIT:
		model_drop_mm(mdl, m);
		break;
	case EV_WRITE_FAULT:
		on_write_fault(m, ev->start);
		break;
	case EV_HANDLE_USERFAULT:
		if (ev->u.fault.reason & UFFDWP_VM_UFFD_WP)
			on_point(m, ev->start, wp_fault_page);
		else
			on_fill_owed(m, ev->start);
		break;
	case EV_PM_SCAN:
		if (ev->u.scan.begin)
			on_pm_scan_begin(m, ev);
		else
			on_pm_scan_end(m, ev);
		break;
	case EV_PM_SCAN_REGION:
		on_pm_scan_region(m, ev);
		break;
	case EV_PTE_RUN:
	case EV_MIGRATION_PTE: {
		struct observed_entry o;

		/* a record without a decoded entry is no observation */
		if (model_event_observation(m, ev, &o)) {
			struct observe_part_arg a = { m, o.state };

			model_fresh_parts(m, ev, o.start, o.end, observe_part, &a);
		}
		break;
	}
	default:
		/* EV_FALLOCATE works on file offsets: the kernel zaps each
		 * mapping through unmap_mapping_range() (shmem), or
		 * unmap_hugepage_range() (hugetlbfs), seen as EV_ZAP. */
		break;
	}
}

size_t model_bytes(const struct model *mdl)
{
	size_t n = sizeof(*mdl) + mdl->cap_mms * sizeof(*mdl->mms);

	for (size_t i = 0; i < mdl->nmms; i++)
		n += sizeof(struct mm_state) + imap_bytes(mdl->mms[i]->pages) +
		     mdl->mms[i]->cap_regions * sizeof(struct region);
	return n;
}

size_t model_nruns(const struct model *mdl)
{
	size_t n = 0;

	for (size_t i = 0; i < mdl->nmms; i++)
		n += imap_nruns(mdl->mms[i]->pages);
	return n;
}
