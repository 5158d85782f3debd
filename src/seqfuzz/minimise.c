// SPDX-License-Identifier: GPL-2.0
/*
 * Delta debugging of a failing sequence: drop chunks of ops (halves, quarters, ... single
 * ops) while it still fails the same way, then shrink each op's range, then drop VMAs no op
 * uses.  Each round's candidates run as one batch (one tracer start when only the tracer
 * sees the failure: its start is the expensive part under TCG).
 */
#include "hunt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_CANDIDATES FUZZ_MAX_FILES

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs the candidates as one batch; the first one that still fails as wanted, or -1. */
static int first_still_failing(const struct fuzz_opts *o, const struct seq *cand, int n,
			       const struct failure *want)
{
	char paths[MAX_CANDIDATES][4096], name[32];
	char *args[MAX_CANDIDATES + 2];
	struct batch b;
	int found = -1;

	if (!n)
		return -1;
	args[0] = "--replay";
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "candidate-%d.seq", i);
		if (!seq_save(o, name, &cand[i], paths[i], sizeof(paths[i])))
			return -1;
		args[i + 1] = paths[i];
	}
	args[n + 1] = NULL;
	if (!batch_run(o, !want->oracle && o->tracer, args, false, &b))
		return -1;
	/* a tracer that lost records may find what is not there (hunt.c confirmed_alone()) */
	if (!want->oracle && batch_lossy(o, &b))
		n = 0;
	for (int i = 0; i < n && found < 0; i++)
		if ((unsigned long)i < b.n_labels && failure_matches(want, &b.labels[i]))
			found = i;
	batch_free(&b);
	return found;
}

static void drop_ops(struct seq *dst, const struct seq *src, unsigned int from, unsigned int n)
{
	*dst = *src;
	memmove(&dst->ops[from], &src->ops[from + n], (src->n_ops - from - n) * sizeof(src->ops[0]));
	dst->n_ops = src->n_ops - n;
}

/* One pass at one chunk size; true when it removed something. */
static bool drop_chunks(const struct fuzz_opts *o, struct seq *s, unsigned int chunk,
			const struct failure *want)
{
	static struct seq cand[MAX_CANDIDATES];
	int n = 0, hit;

	for (unsigned int from = 0; from < s->n_ops && n < MAX_CANDIDATES; from += chunk) {
		unsigned int len = from + chunk <= s->n_ops ? chunk : s->n_ops - from;

		if (len < s->n_ops)
			drop_ops(&cand[n++], s, from, len);
	}
	hit = first_still_failing(o, cand, n, want);
	if (hit >= 0)
		*s = cand[hit];
	return hit >= 0;
}

/* Candidates with one op's range cut to its first or last granule, or its first half
 * (a move's destination cut alike). */
static bool shrink_ranges(const struct fuzz_opts *o, struct seq *s, const struct failure *want)
{
	static struct seq cand[MAX_CANDIDATES];
	int n = 0, hit;

	for (unsigned int i = 0; i < s->n_ops && n + 3 <= MAX_CANDIDATES; i++) {
		struct seq_op *op = &s->ops[i];

		if (op->count <= 1)
			continue;
		cand[n] = *s;
		seq_op_shrink(&cand[n++].ops[i], op->first, 1);
		cand[n] = *s;
		seq_op_shrink(&cand[n++].ops[i], op->first + op->count - 1, 1);
		if (op->count > 2) {
			cand[n] = *s;
			seq_op_shrink(&cand[n++].ops[i], op->first, op->count / 2);
		}
	}
	hit = first_still_failing(o, cand, n, want);
	if (hit >= 0)
		*s = cand[hit];
	return hit >= 0;
}

/* Drops VMAs no op names (renumbering the rest) when the result still fails. */
static void drop_unused_vmas(const struct fuzz_opts *o, struct seq *s, const struct failure *want)
{
	static struct seq cand;
	int map[SEQ_MAX_VMAS];
	bool used[SEQ_MAX_VMAS] = { false };

	for (unsigned int i = 0; i < s->n_ops; i++) {
		used[s->ops[i].vma] = true;
		if (s->ops[i].kind == OP_MOVE)
			used[seq_move_dst_vma(&s->ops[i])] = true;
	}
	cand = *s;
	cand.n_vmas = 0;
	for (unsigned int v = 0; v < s->n_vmas; v++) {
		map[v] = used[v] ? (int)cand.n_vmas : -1;
		if (used[v])
			cand.vmas[cand.n_vmas++] = s->vmas[v];
	}
	if (cand.n_vmas == s->n_vmas || !cand.n_vmas)
		return;
	for (unsigned int i = 0; i < cand.n_ops; i++) {
		struct seq_op *op = &cand.ops[i];

		op->vma = (unsigned int)map[op->vma];
		if (op->kind == OP_MOVE)
			op->arg = seq_move_arg((unsigned int)map[seq_move_dst_vma(op)],
					       seq_move_dst_first(op));
	}
	if (first_still_failing(o, &cand, 1, want) == 0)
		*s = cand;
}

void minimise(const struct fuzz_opts *o, struct seq *s, const struct failure *want,
	      unsigned int deadline_s)
{
	double end = mono_now() + deadline_s;
	unsigned int chunk = s->n_ops / 2 ? s->n_ops / 2 : 1;

	for (;;) {
		if (mono_now() > end) {
			printf("seqfuzz: minimising stopped at its %u s deadline\n", deadline_s);
			return;
		}
		if (drop_chunks(o, s, chunk, want))
			continue;	/* same chunk size again on the shorter sequence */
		if (chunk == 1)
			break;
		chunk /= 2;
	}
	while (mono_now() < end && shrink_ranges(o, s, want))
		;
	drop_unused_vmas(o, s, want);
}
