// SPDX-License-Identifier: GPL-2.0
/* The model's uffd contexts: features per fd, EVENT_FORK pairing, and which
 * mm an ioctl on a (forked) uffd acts on. */
#include <string.h>

#include "model/model_internal.h"

/* ---- uffd contexts ---- */

struct uffd_ctx *ctx_find(struct mm_state *m, int fd)
{
	for (size_t i = 0; i < m->nctxs; i++)
		if (m->ctxs[i].fd == fd)
			return &m->ctxs[i];
	return NULL;
}

struct uffd_ctx *ctx_set(struct mm_state *m, int fd, uint64_t features)
{
	struct uffd_ctx *c = ctx_find(m, fd);

	if (!c) {
		GROW(m->ctxs, m->nctxs, m->cap_ctxs);
		c = &m->ctxs[m->nctxs++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
	}
	c->features = features;
	return c;
}

/* A new context on fd (userfaultfd(), a fork message): whatever fd held
 * before was closed, so no stale binding to another mm survives. */
struct uffd_ctx *ctx_open(struct mm_state *m, int fd, uint64_t features)
{
	struct uffd_ctx *c = ctx_set(m, fd, features);

	c->owner_mm = 0;
	c->unpaired_children.n = 0;
	c->unpaired_fds.n = 0;
	return c;
}

static void fork_queue_push(struct fork_queue *q, uint64_t v)
{
	if (q->n == CTX_PENDING_FORKS) {	/* never paired: forget the oldest */
		memmove(q->v, q->v + 1, (CTX_PENDING_FORKS - 1) * sizeof(*q->v));
		q->n--;
	}
	q->v[q->n++] = v;
}

static uint64_t fork_queue_pop(struct fork_queue *q)
{
	uint64_t v = q->v[0];

	memmove(q->v, q->v + 1, --q->n * sizeof(*q->v));
	return v;
}

/* Pairs a fork of parent context fd with its UFFD_EVENT_FORK message:
 * resolve_userfault_fork() installed the child's context (made by
 * dup_userfaultfd()) as child_fd in the reader.  The message may be read
 * before sched_process_fork fires: dup_userfaultfd_complete() runs inside
 * copy_mm(), so whichever of the two comes second makes the pair. */
void ctx_fork_pair(struct mm_state *m, int fd, int64_t child_fd, uint64_t child_mm)
{
	struct uffd_ctx *c = ctx_find(m, fd);
	uint64_t features;

	if (!c)
		return;		/* a context this mm never opened: unknown */
	if (child_fd < 0 && !c->unpaired_fds.n) {
		fork_queue_push(&c->unpaired_children, child_mm);
		return;
	}
	if (child_mm == 0 && !c->unpaired_children.n) {
		fork_queue_push(&c->unpaired_fds, (uint64_t)child_fd);
		return;
	}
	if (child_fd < 0)
		child_fd = (int64_t)fork_queue_pop(&c->unpaired_fds);
	else
		child_mm = fork_queue_pop(&c->unpaired_children);
	features = c->features;
	ctx_open(m, (int)child_fd, features)->owner_mm = child_mm;	/* c may move */
}

/* Each parent context with EVENT_FORK ranges owes one fork message. */
void ctxs_note_fork(struct mm_state *parent, uint64_t child_mm)
{
	for (size_t i = 0; i < parent->nregions; i++) {
		const struct region *r = &parent->regions[i];
		bool seen = false;

		if (!(r->features & UFFD_FEAT_EVENT_FORK) || r->fd < 0)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = parent->regions[j].fd == r->fd &&
			       (parent->regions[j].features & UFFD_FEAT_EVENT_FORK);
		if (!seen)
			ctx_fork_pair(parent, r->fd, -1, child_mm);
	}
}

static int uffd_ioctl_fd(const struct uffdwp_event *ev)
{
	switch (ev->kind) {
	case EV_UFFD_REGISTER:
	case EV_UFFD_UNREGISTER:
	case EV_UFFD_WRITEPROTECT:
		return ev->u.range.fd;
	case EV_UFFD_COPY:
		return ev->u.fill.fd;
	default:
		return -1;
	}
}

const struct uffdwp_event *model_route(const struct model *mdl, const struct uffdwp_event *ev,
				       struct uffdwp_event *buf)
{
	struct mm_state *m;
	const struct uffd_ctx *c;
	int fd = uffd_ioctl_fd(ev);

	if (fd < 0 || !(m = model_find_mm(mdl, ev->mm)) || !(c = ctx_find(m, fd)) ||
	    !c->owner_mm || !model_find_mm(mdl, c->owner_mm))
		return ev;
	*buf = *ev;
	buf->mm = c->owner_mm;
	return buf;
}
