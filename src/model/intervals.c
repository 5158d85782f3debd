// SPDX-License-Identifier: GPL-2.0
/*
 * Interval map as a step function: sorted entries (start, value); an entry's
 * value holds until the next entry's start.  Canonical form: no entry has
 * the value of the entry before it (the value before the first entry is 0),
 * which is what makes equal neighbours merge for free.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/intervals.h"

#define CHUNK_CAP 256

struct chunk {
	uint32_t n;
	uint64_t start[CHUNK_CAP];
	imap_val val[CHUNK_CAP];
};

struct imap {
	struct chunk **chunks;
	size_t nchunks, cap;
	size_t nruns;
	size_t hint;	/* chunk of the last update: updates cluster */
};

/* A position: entry i of chunk c. */
struct pos {
	size_t c, i;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q)
		abort();	/* the model cannot continue half-updated */
	return q;
}

struct imap *imap_new(void)
{
	struct imap *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	return m;
}

void imap_free(struct imap *m)
{
	if (!m)
		return;
	for (size_t c = 0; c < m->nchunks; c++)
		free(m->chunks[c]);
	free(m->chunks);
	free(m);
}

static bool chunk_holds(const struct imap *m, size_t c, uint64_t key)
{
	return c < m->nchunks && m->chunks[c]->start[0] <= key &&
	       (c + 1 == m->nchunks || m->chunks[c + 1]->start[0] > key);
}

/* Index of the last chunk whose first key <= key, or -1. */
static long chunk_for(const struct imap *m, uint64_t key)
{
	size_t lo = 0, hi = m->nchunks;

	if (chunk_holds(m, m->hint, key))
		return (long)m->hint;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->chunks[mid]->start[0] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* Number of entries in ch with start <= key. */
static size_t upper_bound(const struct chunk *ch, uint64_t key)
{
	size_t lo = 0, hi = ch->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ch->start[mid] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The last entry with start <= key; false if there is none. */
static bool locate(const struct imap *m, uint64_t key, struct pos *p)
{
	long c = chunk_for(m, key);

	if (c < 0)
		return false;
	p->c = (size_t)c;
	p->i = upper_bound(m->chunks[c], key) - 1;
	return true;
}

static bool pos_valid(const struct imap *m, const struct pos *p)
{
	return p->c < m->nchunks;
}

static void pos_next(const struct imap *m, struct pos *p)
{
	if (++p->i >= m->chunks[p->c]->n) {
		p->c++;
		p->i = 0;
	}
}

imap_val imap_get(const struct imap *m, uint64_t key)
{
	struct pos p;

	return locate(m, key, &p) ? m->chunks[p.c]->val[p.i] : 0;
}

static void insert_chunk(struct imap *m, size_t at, struct chunk *ch)
{
	if (m->nchunks == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->chunks = xrealloc(m->chunks, m->cap * sizeof(*m->chunks));
	}
	memmove(&m->chunks[at + 1], &m->chunks[at],
		(m->nchunks - at) * sizeof(*m->chunks));
	m->chunks[at] = ch;
	m->nchunks++;
}

static void remove_chunk(struct imap *m, size_t at)
{
	free(m->chunks[at]);
	memmove(&m->chunks[at], &m->chunks[at + 1],
		(m->nchunks - at - 1) * sizeof(*m->chunks));
	m->nchunks--;
}

static struct chunk *chunk_alloc(void)
{
	struct chunk *ch = malloc(sizeof(*ch));

	if (!ch)
		abort();
	ch->n = 0;
	return ch;
}

/* Moves the entries of chunk c from index keep on into a new chunk c + 1. */
static void split_chunk(struct imap *m, size_t c, uint32_t keep)
{
	struct chunk *old = m->chunks[c], *new = chunk_alloc();

	new->n = old->n - keep;
	memcpy(new->start, &old->start[keep], new->n * sizeof(new->start[0]));
	memcpy(new->val, &old->val[keep], new->n * sizeof(new->val[0]));
	old->n = keep;
	insert_chunk(m, c + 1, new);
}

static void chunk_insert_at(struct chunk *ch, size_t i, uint64_t key, imap_val val)
{
	memmove(&ch->start[i + 1], &ch->start[i], (ch->n - i) * sizeof(ch->start[0]));
	memmove(&ch->val[i + 1], &ch->val[i], (ch->n - i) * sizeof(ch->val[0]));
	ch->start[i] = key;
	ch->val[i] = val;
	ch->n++;
}

/* Inserts an entry; no entry with this key exists. */
static void insert_entry(struct imap *m, uint64_t key, imap_val val)
{
	long c = chunk_for(m, key);
	size_t i;

	if (c < 0) {
		c = 0;
		if (!m->nchunks)
			insert_chunk(m, 0, chunk_alloc());
	}
	i = upper_bound(m->chunks[c], key);
	if (m->chunks[c]->n == CHUNK_CAP) {
		/* Inserting near the end of a full chunk (ascending fills, the
		 * common case) splits at the insertion point: the chunk left
		 * behind stays dense instead of half-empty. */
		uint32_t keep = i >= CHUNK_CAP - 8 ? (uint32_t)i : CHUNK_CAP / 2;

		split_chunk(m, (size_t)c, keep);
		if (i > keep || (i == keep && keep == CHUNK_CAP)) {
			i -= keep;
			c++;
		}
	}
	chunk_insert_at(m->chunks[c], i, key, val);
	m->nruns++;
	m->hint = (size_t)c;
}

/* Removes every entry with lo <= start <= hi. */
static void erase_entries(struct imap *m, uint64_t lo, uint64_t hi)
{
	struct pos p;

	if (!locate(m, lo, &p))
		p = (struct pos){ 0, 0 };
	else if (m->chunks[p.c]->start[p.i] < lo)
		pos_next(m, &p);

	while (pos_valid(m, &p)) {
		struct chunk *ch = m->chunks[p.c];
		size_t j = upper_bound(ch, hi);

		if (j <= p.i)
			return;
		memmove(&ch->start[p.i], &ch->start[j], (ch->n - j) * sizeof(ch->start[0]));
		memmove(&ch->val[p.i], &ch->val[j], (ch->n - j) * sizeof(ch->val[0]));
		m->nruns -= j - p.i;
		ch->n -= (uint32_t)(j - p.i);
		if (ch->n == 0) {
			remove_chunk(m, p.c);
			p.i = 0;
			continue;
		}
		if (p.i < ch->n)
			return;		/* stopped inside this chunk */
		p.c++;
		p.i = 0;
	}
}

void imap_set(struct imap *m, uint64_t start, uint64_t end, imap_val val)
{
	imap_val before, after;

	if (start >= end)
		return;
	before = start ? imap_get(m, start - 1) : 0;
	after = imap_get(m, end);
	erase_entries(m, start, end);
	if (before != val)
		insert_entry(m, start, val);
	if (after != val)
		insert_entry(m, end, after);
}

void imap_foreach(const struct imap *m, uint64_t start, uint64_t end,
		  imap_visit_fn fn, void *arg)
{
	struct pos p = { 0, 0 };
	imap_val cur = 0;

	if (locate(m, start, &p)) {
		cur = m->chunks[p.c]->val[p.i];
		pos_next(m, &p);
	}
	while (start < end) {
		uint64_t next = pos_valid(m, &p) ? m->chunks[p.c]->start[p.i] : UINT64_MAX;
		uint64_t run_end = next < end ? next : end;

		fn(start, run_end, cur, arg);
		start = run_end;
		if (start < end) {
			cur = m->chunks[p.c]->val[p.i];
			pos_next(m, &p);
		}
	}
}

struct run {
	uint64_t start, end;
	imap_val val;
};

/* Runs collected for an update: on the stack for the usual few. */
struct run_list {
	struct run *runs;
	size_t n, cap;
	struct run local[8];
};

static void collect_run(uint64_t start, uint64_t end, imap_val val, void *arg)
{
	struct run_list *l = arg;

	if (l->n == l->cap) {
		bool on_stack = l->runs == l->local;

		l->cap *= 2;
		l->runs = xrealloc(on_stack ? NULL : l->runs, l->cap * sizeof(*l->runs));
		if (on_stack)
			memcpy(l->runs, l->local, sizeof(l->local));
	}
	l->runs[l->n].start = start;
	l->runs[l->n].end = end;
	l->runs[l->n].val = val;
	l->n++;
}

size_t imap_update(struct imap *m, uint64_t start, uint64_t end,
		   imap_map_fn fn, void *arg)
{
	struct run_list l;

	l.runs = l.local;
	l.n = 0;
	l.cap = sizeof(l.local) / sizeof(l.local[0]);
	/* Collect first: imap_set reshapes the storage being walked. */
	imap_foreach(m, start, end, collect_run, &l);
	for (size_t k = 0; k < l.n; k++) {
		imap_val nv = fn(l.runs[k].start, l.runs[k].end, l.runs[k].val, arg);

		if (nv != l.runs[k].val)
			imap_set(m, l.runs[k].start, l.runs[k].end, nv);
	}
	if (l.runs != l.local)
		free(l.runs);
	return l.n;
}

size_t imap_nruns(const struct imap *m)
{
	return m->nruns;
}

size_t imap_bytes(const struct imap *m)
{
	return sizeof(*m) + m->cap * sizeof(*m->chunks) + m->nchunks * sizeof(struct chunk);
}
