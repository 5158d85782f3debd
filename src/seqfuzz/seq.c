// SPDX-License-Identifier: GPL-2.0
/* Sequence names, the seeded generator and the file format: see seq.h. */
#include "seq.h"

#include <stdlib.h>
#include <string.h>

static const char *const backing_names[SEQ_BACKING_MAX] = {
	[SEQ_ANON] = "anon",
	[SEQ_SHMEM] = "shmem",
	[SEQ_HUGETLB_PRIVATE] = "hugetlb_private",
	[SEQ_HUGETLB_SHARED] = "hugetlb_shared",
	[SEQ_THP] = "thp",
};

static const char *const op_names[OP_KIND_MAX] = {
	[OP_REGISTER] = "register",
	[OP_UNREGISTER] = "unregister",
	[OP_WP_ON] = "wp_on",
	[OP_WP_OFF] = "wp_off",
	[OP_WRITE] = "write",
	[OP_READ] = "read",
	[OP_MPROTECT] = "mprotect",
	[OP_DONTNEED] = "dontneed",
	[OP_MOVE_PAGES] = "move_pages",
	[OP_FORK] = "fork",
	[OP_CLOSE] = "close",
	[OP_MADVISE] = "madvise",
	[OP_PUNCH_HOLE] = "punch_hole",
	[OP_MREMAP] = "mremap",
	[OP_COPY] = "copy",
	[OP_MUNMAP] = "munmap",
	[OP_MOVE] = "move",
	[OP_POISON] = "poison",
	[OP_CONTINUE] = "continue",
	[OP_SCAN] = "scan",
};

/*
 * How often the generator picks each op: writes and protections most (they are what the
 * oracle judges), the entry-rewriting ops next.  Weights, never recipes: every op is drawn
 * on its own, over a random VMA and range.
 */
static const unsigned int op_weights[OP_KIND_MAX] = {
	[OP_REGISTER] = 12, [OP_UNREGISTER] = 3, [OP_WP_ON] = 14, [OP_WP_OFF] = 4,
	[OP_WRITE] = 22, [OP_READ] = 8, [OP_MPROTECT] = 6, [OP_DONTNEED] = 7,
	[OP_MOVE_PAGES] = 9, [OP_FORK] = 5, [OP_MADVISE] = 4, [OP_PUNCH_HOLE] = 2,
	[OP_MREMAP] = 5, [OP_COPY] = 3, [OP_MUNMAP] = 2, [OP_MOVE] = 2,
	[OP_POISON] = 1,	/* the pages it poisons are never touched again */
	[OP_CONTINUE] = 3,	/* a skip but on shmem and hugetlb shared */
	[OP_SCAN] = 0,		/* not drawn: wp_async sequences get theirs in async_ops() */
	/* the tracer models a uffd's release since 7f5efee (EV_UFFD_CLOSE) */
	[OP_CLOSE] = 2,
};

void seq_rng_init(struct seq_rng *r, uint64_t seed, uint64_t stream)
{
	r->state = seed * 0x9e3779b97f4a7c15ULL ^ (stream + 0x632be59bd9b4e019ULL);
	seq_rng_next(r);
}

uint64_t seq_rng_next(struct seq_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned int seq_rng_below(struct seq_rng *r, unsigned int n)
{
	return n ? (unsigned int)(seq_rng_next(r) % n) : 0;
}

const char *seq_backing_name(enum seq_backing b)
{
	return b < SEQ_BACKING_MAX ? backing_names[b] : "?";
}

const char *seq_op_name(enum seq_op_kind k)
{
	return k < OP_KIND_MAX ? op_names[k] : "?";
}

unsigned long seq_granule(enum seq_backing b)
{
	return b == SEQ_HUGETLB_PRIVATE || b == SEQ_HUGETLB_SHARED ? 2UL << 20 : 4096UL;
}

static unsigned int vma_pages(struct seq_rng *r, enum seq_backing b)
{
	switch (b) {
	case SEQ_HUGETLB_PRIVATE:
	case SEQ_HUGETLB_SHARED:
		return 2;
	case SEQ_THP:
		return 512;	/* one PMD */
	default:
		return 8 + seq_rng_below(r, 9);
	}
}

/* Ops that rewrite existing entries (and so can drop or keep a protection bit). */
static bool rewrites_entries(enum seq_op_kind k)
{
	return k == OP_MPROTECT || k == OP_DONTNEED || k == OP_MOVE_PAGES || k == OP_FORK ||
	       k == OP_MADVISE || k == OP_PUNCH_HOLE || k == OP_MREMAP;
}

/* One kind by op_weights; only among the entry-rewriting kinds when `rewriting`. */
static enum seq_op_kind pick_kind(struct seq_rng *r, bool rewriting)
{
	unsigned int total = 0, x;
	int k;

	for (k = 0; k < OP_KIND_MAX; k++)
		if (!rewriting || rewrites_entries(k))
			total += op_weights[k];
	x = seq_rng_below(r, total);
	for (k = 0; !(!rewriting || rewrites_entries(k)) || x >= op_weights[k]; k++)
		if (!rewriting || rewrites_entries(k))
			x -= op_weights[k];
	return (enum seq_op_kind)k;
}

/*
 * Half the ops cover their whole VMA, half a random sub-range.  On a THP VMA (one PMD)
 * seven in eight cover it whole: any sub-range register, protect, mprotect or zap splits
 * the PMD, and with one in two a THP rarely stayed PMD-mapped long enough for what a
 * PMD entry does (bad-C's migration bug was in 4 of 5000 sequences of seed 1, now ~40).
 */
static void pick_range(struct seq_rng *r, const struct seq_vma *v, struct seq_op *op)
{
	if (seq_rng_below(r, 8) < (v->backing == SEQ_THP ? 7u : 4u)) {
		op->first = 0;
		op->count = v->pages;
		return;
	}
	op->first = seq_rng_below(r, v->pages);
	op->count = 1 + seq_rng_below(r, v->pages - op->first < 8 ? v->pages - op->first : 8);
}

static bool file_backing(enum seq_backing b)
{
	return b == SEQ_SHMEM || b == SEQ_HUGETLB_SHARED;
}

static unsigned int pick_arg(struct seq_rng *r, enum seq_op_kind k, enum seq_backing b)
{
	static const unsigned int modes[] = {
		SEQ_MODE_WP, SEQ_MODE_WP, SEQ_MODE_MISSING, SEQ_MODE_MISSING | SEQ_MODE_WP,
		SEQ_MODE_MINOR, SEQ_MODE_MINOR | SEQ_MODE_WP,
	};
	/* MINOR only where a page cache backs the VMA (vma_can_userfault()) */
	bool file = file_backing(b);

	switch (k) {
	case OP_REGISTER:
		return modes[seq_rng_below(r, file ? 6 : 4)];
	case OP_WRITE:
		return seq_rng_below(r, SEQ_WRITE_THREADS);
	case OP_MOVE_PAGES:	/* node 0, node 1 or SEQ_MOVE_OTHER_NODE */
		return seq_rng_below(r, SEQ_MOVE_OTHER_NODE + 1);
	case OP_MADVISE:
		return seq_rng_below(r, SEQ_MADV_MAX);
	case OP_MREMAP:
		return seq_rng_below(r, SEQ_MREMAP_MAX);
	case OP_MPROTECT:
	case OP_FORK:
	case OP_COPY:
	case OP_CONTINUE:
		return seq_rng_below(r, 2);
	default:
		return 0;
	}
}

static bool anon_backing(enum seq_backing b)
{
	return b == SEQ_ANON || b == SEQ_THP;
}

/*
 * A move: at most half its VMA, so the VMA itself has room for a destination beside the
 * range (an overlapping one is a skip); the destination in its own VMA, anywhere that
 * does not overlap, or in another anon VMA it fits in (UFFDIO_MOVE refuses the rest).
 */
static void pick_move(struct seq_rng *r, const struct seq *s, struct seq_op *op)
{
	unsigned int pages = s->vmas[op->vma].pages, dst = op->vma, n = 1;
	unsigned int left, right, at;

	if (op->count > pages / 2 && pages > 1)
		op->count = pages / 2;
	for (unsigned int v = 0; v < s->n_vmas; v++)	/* reservoir: each candidate 1 in n */
		if (v != op->vma && anon_backing(s->vmas[v].backing) &&
		    s->vmas[v].pages >= op->count && seq_rng_below(r, ++n) == 0)
			dst = v;
	if (dst != op->vma) {
		op->arg = seq_move_arg(dst, seq_rng_below(r, s->vmas[dst].pages - op->count + 1));
		return;
	}
	left = op->first >= op->count ? op->first - op->count + 1 : 0;
	right = pages >= op->first + 2 * op->count ? pages - op->first - 2 * op->count + 1 : 0;
	if (!left && !right) {	/* no room on either side: start the range at 0 */
		op->first = 0;
		right = pages >= 2 * op->count ? pages - 2 * op->count + 1 : 0;
	}
	at = seq_rng_below(r, left + right);
	op->arg = seq_move_arg(op->vma, at < left ? at : op->first + op->count + (at - left));
}

/*
 * A continue needs page-cache pages, so a file-backed VMA (the first, where the drawn
 * one is not), and a range our uffd registered, else it is ENOENT: three times in four
 * the range of the last register op on a file-backed VMA, where there was one.
 */
static void pick_continue(struct seq_rng *r, struct seq *s, unsigned int i)
{
	struct seq_op *op = &s->ops[i];

	for (unsigned int j = i; j-- > 0;)
		if (s->ops[j].kind == OP_REGISTER && file_backing(s->vmas[s->ops[j].vma].backing)) {
			if (seq_rng_below(r, 4) < 3) {
				op->vma = s->ops[j].vma;
				op->first = s->ops[j].first;
				op->count = s->ops[j].count;
			}
			break;
		}
	for (unsigned int v = 0; !file_backing(s->vmas[op->vma].backing) && v < s->n_vmas; v++)
		if (file_backing(s->vmas[v].backing)) {
			op->vma = v;
			pick_range(r, &s->vmas[v], op);
		}
}

/*
 * One sequence in four has a WP_ASYNC uffd, and there one op in five becomes a
 * PAGEMAP_SCAN: of its range, or (three times in four) of the range of the last WP
 * register before it, as a scan of a range not all registered for WP is EPERM
 * (PM_SCAN_CHECK_WPASYNC).  Drawn from a stream of its own (~index), after the ops, so
 * the sync sequences stay as they were before async ones were generated.
 */
static void async_ops(struct seq *s, uint64_t seed, uint64_t index)
{
	struct seq_rng r;

	seq_rng_init(&r, seed, ~index);
	s->wp_async = seq_rng_below(&r, 4) == 0;
	for (unsigned int i = 0; s->wp_async && i < s->n_ops; i++)
		if (seq_rng_below(&r, 5) == 0) {
			s->ops[i].kind = OP_SCAN;
			s->ops[i].arg = 0;
			for (unsigned int j = i; j-- > 0;)
				if (s->ops[j].kind == OP_REGISTER && (s->ops[j].arg & SEQ_MODE_WP)) {
					if (seq_rng_below(&r, 4) < 3) {
						s->ops[i].vma = s->ops[j].vma;
						s->ops[i].first = s->ops[j].first;
						s->ops[i].count = s->ops[j].count;
					}
					break;
				}
		}
}

void seq_generate(struct seq *s, uint64_t seed, uint64_t index)
{
	struct seq_rng r;

	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->index = index;
	seq_rng_init(&r, seed, index);
	s->n_vmas = 1 + seq_rng_below(&r, SEQ_MAX_VMAS - 1);
	for (unsigned int i = 0; i < s->n_vmas; i++) {
		s->vmas[i].backing = (enum seq_backing)seq_rng_below(&r, SEQ_BACKING_MAX);
		s->vmas[i].pages = vma_pages(&r, s->vmas[i].backing);
	}
	s->n_ops = 10 + seq_rng_below(&r, 31);
	for (unsigned int i = 0; i < s->n_ops; i++) {
		struct seq_op *op = &s->ops[i];
		const struct seq_op *prev = i ? &s->ops[i - 1] : NULL;
		unsigned int local = seq_rng_below(&r, 6);

		/* what a protection meets next is where its bit gets lost: after a
		 * wp_on, an entry-rewriting op more often than by weight alone */
		op->kind = pick_kind(&r, prev && prev->kind == OP_WP_ON &&
					 seq_rng_below(&r, 2));
		/* Locality, not a recipe: bugs live in what one op does to the state the
		 * ops before left on the same pages, so two thirds of the ops stay on the
		 * previous op's VMA, half of those on its very range. */
		op->vma = prev && local < 4 ? prev->vma : seq_rng_below(&r, s->n_vmas);
		if (prev && local < 2) {
			op->first = prev->first;
			op->count = prev->count;
		} else {
			pick_range(&r, &s->vmas[op->vma], op);
		}
		op->arg = pick_arg(&r, op->kind, s->vmas[op->vma].backing);
		/* mremap moves the VMA whole: the ops after it name its pages by index
		 * (a part moved or shrunk keeps its indices: the executor follows it) */
		if (op->kind == OP_MREMAP &&
		    (op->arg == SEQ_MREMAP_MOVE || op->arg == SEQ_MREMAP_GROW)) {
			op->first = 0;
			op->count = s->vmas[op->vma].pages;
		}
		/* a shrink keeps COUNT / 2 granules: at least two, where the VMA has them */
		if (op->kind == OP_MREMAP && op->arg == SEQ_MREMAP_SHRINK && op->count < 2 &&
		    s->vmas[op->vma].pages >= 2) {
			op->first = op->first + 2 <= s->vmas[op->vma].pages ? op->first
									 : op->first - 1;
			op->count = 2;
		}
		if (op->kind == OP_MOVE)
			pick_move(&r, s, op);
		if (op->kind == OP_CONTINUE)
			pick_continue(&r, s, i);
	}
	async_ops(s, seed, index);
}

void seq_print_op(FILE *f, const struct seq_op *op)
{
	fprintf(f, "%s %u %u %u %u", seq_op_name(op->kind), op->vma, op->first, op->count,
		op->arg);
}

void seq_print(FILE *f, const struct seq *s)
{
	fprintf(f, "# uffdwp-fuzz sequence seed=%llu index=%llu\n",
		(unsigned long long)s->seed, (unsigned long long)s->index);
	if (s->wp_async)
		fputs("uffd wp_async\n", f);
	for (unsigned int i = 0; i < s->n_vmas; i++)
		fprintf(f, "vma %u %s %u\n", i, seq_backing_name(s->vmas[i].backing),
			s->vmas[i].pages);
	for (unsigned int i = 0; i < s->n_ops; i++) {
		fputs("op ", f);
		seq_print_op(f, &s->ops[i]);
		fputc('\n', f);
	}
}

static int lookup(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

void seq_op_shrink(struct seq_op *op, unsigned int first, unsigned int count)
{
	if (op->kind == OP_MOVE)
		op->arg = seq_move_arg(seq_move_dst_vma(op),
				       seq_move_dst_first(op) + (first - op->first));
	op->first = first;
	op->count = count;
}

bool seq_valid(const struct seq *s, char *err, size_t err_size)
{
	for (unsigned int i = 0; i < s->n_ops; i++) {
		const struct seq_op *op = &s->ops[i];
		unsigned int dst = seq_move_dst_vma(op);

		if (op->vma >= s->n_vmas || !op->count ||
		    op->first + op->count > s->vmas[op->vma].pages ||
		    op->first + op->count < op->first) {
			snprintf(err, err_size, "op %u (%s): range %u+%u outside vma %u", i + 1,
				 seq_op_name(op->kind), op->first, op->count, op->vma);
			return false;
		}
		if (op->kind == OP_MOVE &&
		    (dst >= s->n_vmas || seq_move_dst_first(op) + op->count > s->vmas[dst].pages)) {
			snprintf(err, err_size, "op %u (move): destination vma %u page %u (+%u) "
				 "outside its vma", i + 1, dst, seq_move_dst_first(op), op->count);
			return false;
		}
	}
	return true;
}

/* One "vma" or "op" line into s; false with why in err. */
static bool parse_line(const char *line, struct seq *s, char *err, size_t err_size)
{
	char word[32], name[32];
	unsigned int a, b, c, d;

	if (sscanf(line, "%31s", word) != 1 || word[0] == '#')
		return true;
	if (!strcmp(word, "vma")) {
		int backing;

		if (sscanf(line, "vma %u %31s %u", &a, name, &b) != 3 || a != s->n_vmas)
			return snprintf(err, err_size, "want \"vma %u BACKING PAGES\"", s->n_vmas),
			       false;
		backing = lookup(backing_names, SEQ_BACKING_MAX, name);
		if (backing < 0 || a >= SEQ_MAX_VMAS || b == 0 || b > SEQ_MAX_PAGES)
			return snprintf(err, err_size, "bad vma (backing %s, pages %u, at most %d vmas)",
					name, b, SEQ_MAX_VMAS), false;
		s->vmas[s->n_vmas++] = (struct seq_vma){ .backing = backing, .pages = b };
		return true;
	}
	if (!strcmp(word, "uffd")) {	/* absent in files older than async sequences */
		if (sscanf(line, "uffd %31s", name) != 1 || strcmp(name, "wp_async"))
			return snprintf(err, err_size, "want \"uffd wp_async\""), false;
		s->wp_async = true;
		return true;
	}
	if (!strcmp(word, "op")) {
		int kind;

		if (sscanf(line, "op %31s %u %u %u %u", name, &a, &b, &c, &d) != 5)
			return snprintf(err, err_size, "want \"op NAME VMA FIRST COUNT ARG\""), false;
		kind = lookup(op_names, OP_KIND_MAX, name);
		if (kind < 0 || s->n_ops >= SEQ_MAX_OPS)
			return snprintf(err, err_size, "unknown op %s (or more than %d ops)", name,
					SEQ_MAX_OPS), false;
		s->ops[s->n_ops++] = (struct seq_op){
			.kind = kind, .vma = a, .first = b, .count = c, .arg = d,
		};
		return true;
	}
	return snprintf(err, err_size, "unknown line \"%s\"", word), false;
}

bool seq_parse(FILE *f, struct seq *s, char *err, size_t err_size)
{
	char line[256], why[160];
	unsigned long long seed, index;
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (sscanf(line, "# uffdwp-fuzz sequence seed=%llu index=%llu", &seed, &index) == 2) {
			s->seed = seed;
			s->index = index;
		}
		if (!parse_line(line, s, why, sizeof(why))) {
			snprintf(err, err_size, "line %d: %s", lineno, why);
			return false;
		}
	}
	if (!s->n_vmas) {
		snprintf(err, err_size, "no vma line");
		return false;
	}
	return seq_valid(s, err, err_size);
}
