// SPDX-License-Identifier: GPL-2.0
/* The hunt: worker under the tracer, one view per sequence, minimise, report.  See hunt.h. */
#include "hunt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Kinds of failure reported (and minimised) per hunt, and the time all minimising gets. */
#define MAX_SIGNATURES 8
#define MINIMISE_SECONDS 600

static const char *const class_names[] = { "LOST_WP", "LOST_WRITE_BIT", "DROPPED_MARKER",
					   "FALSE_WP" };

unsigned int finding_bit_of(const char *name)
{
	for (unsigned int i = 0; i < 4; i++)
		if (!strcmp(name, class_names[i]))
			return 1u << i;
	return 0;
}

const char *finding_class_of(unsigned int bits)
{
	for (unsigned int i = 0; i < 4; i++)
		if (bits & (1u << i))
			return class_names[i];
	return "clean";
}

static struct label_view *label_get(struct batch *b, unsigned long label)
{
	if (label >= b->cap_labels) {
		unsigned long cap = (label + 1) * 2;
		struct label_view *n = realloc(b->labels, cap * sizeof(*n));

		if (!n)
			abort();
		memset(n + b->cap_labels, 0, (cap - b->cap_labels) * sizeof(*n));
		b->labels = n;
		b->cap_labels = cap;
	}
	if (label >= b->n_labels)
		b->n_labels = label + 1;
	return &b->labels[label];
}

static void pid_add(struct batch *b, pid_t pid, unsigned long label)
{
	if (b->n_pids == b->cap_pids) {
		b->cap_pids = b->cap_pids ? b->cap_pids * 2 : 256;
		b->pids = realloc(b->pids, b->cap_pids * sizeof(*b->pids));
		if (!b->pids)
			abort();
	}
	b->pids[b->n_pids].pid = pid;
	b->pids[b->n_pids++].label = label;
}

static long label_of_pid(const struct batch *b, pid_t pid)
{
	/* the newest first: PIDs are reused over a long run */
	for (unsigned long i = b->n_pids; i-- > 0;)
		if (b->pids[i].pid == pid)
			return (long)b->pids[i].label;
	return -1;
}

/* A tracer finding line: {"type":"finding","class":"X","pid":N,...} */
static void parse_finding(struct batch *b, const char *line)
{
	const char *c = strstr(line, "\"class\":\""), *p = strstr(line, "\"pid\":");
	char cls[32] = "";
	unsigned int bit;
	long label;

	if (!c || !p || sscanf(c + 9, "%31[A-Z_]", cls) != 1)
		return;
	bit = finding_bit_of(cls);
	label = label_of_pid(b, (pid_t)atol(p + 6));
	if (label < 0) {
		b->stray_classes |= bit;
		return;
	}
	struct label_view *v = label_get(b, (unsigned long)label);

	if (!v->classes)
		snprintf(v->finding_line, sizeof(v->finding_line), "%s", line);
	v->classes |= bit;
}

static void parse_line(struct batch *b, const char *line)
{
	unsigned long label;
	char status[16], kind[EXEC_KIND_LEN];
	int pid;

	if (!strncmp(line, "{\"type\":\"finding\"", 17)) {
		parse_finding(b, line);
	} else if (sscanf(line, "seqfuzz: seq label=%lu pid=%d", &label, &pid) == 2 ||
		   sscanf(line, "seqfuzz: forked label=%lu pid=%d", &label, &pid) == 2) {
		pid_add(b, pid, label);
		label_get(b, label)->ran = true;
	} else if (sscanf(line, "seqfuzz: done label=%lu pid=%d status=%15s kind=%31s", &label,
			  &pid, status, kind) == 4) {
		struct label_view *v = label_get(b, label);
		const char *t = strstr(line, " t=");

		v->t = t ? atof(t + 3) : 0;
		v->status = !strcmp(status, "ok") ? EXEC_OK : !strcmp(status, "bug") ? EXEC_BUG :
			    !strcmp(status, "hang") ? EXEC_HANG : EXEC_ERROR;
		snprintf(v->kind, sizeof(v->kind), "%s", strcmp(kind, "-") ? kind : "");
		b->hangs += v->status == EXEC_HANG;
	} else if (sscanf(line, "seqfuzz: bug label=%lu", &label) == 1) {
		snprintf(label_get(b, label)->oracle_line, sizeof(b->labels[0].oracle_line), "%s",
			 line);
	} else if (!strncmp(line, "{\"type\":\"summary\"", 17)) {
		/* the top-level "lost" comes first; "losses_known":false when not recorded */
		const char *lost = strstr(line, "\"lost\":");

		b->tracer_summary = true;
		b->tracer_lossy = !lost || strtoull(lost + 7, NULL, 10) ||
				  strstr(line, "\"losses_known\":false");
	} else if (!strncmp(line, "seqfuzz: ran ", 13)) {
		snprintf(b->summary, sizeof(b->summary), "%s", line);
	}
}

bool batch_run(const struct fuzz_opts *o, bool traced, char *const args[], bool echo,
	       struct batch *b)
{
	char *argv[FUZZ_MAX_FILES + 16];
	int n = 0, fds[2], status;
	char *line = NULL;
	size_t cap = 0;
	pid_t pid;
	FILE *in;

	memset(b, 0, sizeof(*b));
	if (traced) {
		/* findings and the summary only: a consumer that formats every event as a
		 * JSON line falls behind the ring under TCG (BENCHMARKS.md, the selftests at
		 * their own sizes; a 7.3 search lost 580,836 records, all the ring's) */
		argv[n++] = (char *)o->tracer;
		argv[n++] = "--json";
		argv[n++] = "--no-events";
		argv[n++] = "--strict";
		argv[n++] = "--";
	}
	argv[n++] = (char *)o->self;
	argv[n++] = "--worker";
	if (o->check_pool)
		argv[n++] = "--check-pool";
	for (int i = 0; args[i] && n < (int)(sizeof(argv) / sizeof(argv[0])) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(stdout);
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "uffdwp-fuzz: cannot start %s: %s\n", argv[0], strerror(errno));
		return false;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		fprintf(stderr, "uffdwp-fuzz: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		/* a tracer without --no-events (an older one) prints every event: not echoed */
		if (echo && strncmp(line, "{\"type\":\"event\"", 15))
			puts(line);
		parse_line(b, line);
	}
	free(line);
	if (in)
		fclose(in);
	waitpid(pid, &status, 0);
	b->tracer_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return true;
}

bool batch_lossy(const struct fuzz_opts *o, const struct batch *b)
{
	return o->tracer && (!b->tracer_summary || b->tracer_lossy);
}

void batch_free(struct batch *b)
{
	free(b->labels);
	free(b->pids);
	memset(b, 0, sizeof(*b));
}

bool failure_matches(const struct failure *want, const struct label_view *v)
{
	if (want->oracle)
		return v->status == EXEC_BUG && !strcmp(v->kind, want->kind);
	return v->classes & want->class_bit;
}

bool seq_save(const struct fuzz_opts *o, const char *name, const struct seq *s, char *path,
	      size_t path_size)
{
	FILE *f;

	mkdir(o->out_dir, 0755);
	snprintf(path, path_size, "%s/%s", o->out_dir, name);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "uffdwp-fuzz: cannot write %s: %s\n", path, strerror(errno));
		return false;
	}
	seq_print(f, s);
	return fclose(f) == 0;
}

/* The sequence as "seqfuzz-file NAME: LINE" lines, for uffdwp-vmtest to save on the host. */
static void print_file(const char *name, const struct seq *s)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	seq_print(f, s);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("seqfuzz-file %s: %s\n", name, line);
	free(text);
}

/* A failure's signature: the tracer's classes and the oracle's kind, e.g. "FALSE_WP+child_bit". */
static void signature(const struct label_view *v, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int bit = 1; bit <= FB_FALSE_WP; bit <<= 1)
		if (v->classes & bit)
			n += snprintf(buf + n, size - n, "%s%s", n ? "+" : "", finding_class_of(bit));
	if (v->status == EXEC_BUG && n < size)
		snprintf(buf + n, size - n, "%s%s", n ? "+" : "", v->kind);
}

/* The first sequence of each signature, in label order; their count. */
static int distinct_failures(const struct batch *b, unsigned long *labels, int max)
{
	char sig[MAX_SIGNATURES][96], this[96];
	int n = 0;

	for (unsigned long i = 0; i < b->n_labels && n < max; i++) {
		const struct label_view *v = &b->labels[i];
		int k;

		if (v->status != EXEC_BUG && !v->classes)
			continue;
		signature(v, this, sizeof(this));
		for (k = 0; k < n && strcmp(sig[k], this); k++)
			;
		if (k == n) {
			snprintf(sig[n], sizeof(sig[n]), "%s", this);
			labels[n++] = i;
		}
	}
	return n;
}

/* Both views of one sequence, as the report's lines. */
static void print_views(const struct label_view *v, bool traced)
{
	printf("seqfuzz: oracle: %s\n", v->status == EXEC_BUG ? v->oracle_line :
	       "no disagreement (user space cannot see it)");
	if (traced)
		printf("seqfuzz: tracer: %s%s\n", v->classes ? "" : "no finding",
		       v->classes ? v->finding_line : "");
}

/* Runs the final sequence once more, under the tracer when there is one: both views.
 * False when that run's tracer lost records (batch_lossy()), or it could not run. */
static bool rerun_views(const struct fuzz_opts *o, const char *path, struct label_view *out)
{
	char *args[] = { "--replay", (char *)path, NULL };
	struct batch b;
	bool whole;

	memset(out, 0, sizeof(*out));
	if (!batch_run(o, o->tracer != NULL, args, false, &b))
		return false;
	if (b.n_labels)
		*out = b.labels[0];
	whole = !batch_lossy(o, &b);
	batch_free(&b);
	return whole;
}

static int undecided_or_nothing(const struct fuzz_opts *o, const struct batch *b)
{
	/* the tracer's 0 or 1 (findings of no sequence are handled before), the worker's 0 */
	if (b->tracer_status != 0 && (!o->tracer || b->tracer_status != 1)) {
		printf("seqfuzz: result 125 (undecided): the %s exited %d%s\n",
		       o->tracer ? "tracer" : "worker", b->tracer_status,
		       o->tracer && b->tracer_status == TRACER_INCONCLUSIVE ?
		       " (inconclusive: events lost, a hook missing or walks capped)" : "");
		return FUZZ_UNDECIDED;
	}
	/* its exit status alone misses it: 1 for an invariant violation, losses or not */
	if (batch_lossy(o, b)) {
		printf("seqfuzz: result 125 (undecided): the tracer lost records (or did not "
		       "say what it lost)\n");
		return FUZZ_UNDECIDED;
	}
	if (b->hangs) {
		printf("seqfuzz: result 125 (undecided): %lu sequence(s) hung\n", b->hangs);
		return FUZZ_UNDECIDED;
	}
	printf("seqfuzz: result 0 (nothing found)\n");
	return FUZZ_NOTHING;
}

/* A file name from a signature: "FALSE_WP+child_bit" -> "false_wp-child_bit". */
static void sig_name(const char *sig, char *buf, size_t size)
{
	size_t i;

	for (i = 0; sig[i] && i + 1 < size; i++)
		buf[i] = sig[i] == '+' ? '-' : (sig[i] >= 'A' && sig[i] <= 'Z') ? sig[i] + 32 : sig[i];
	buf[i] = '\0';
}

/*
 * A failure only the tracer saw, in a search whose tracer lost records, may be the
 * tracer's own error: the model missed a record and judged without it (a 7.3 hunt's
 * LOST_WP and DROPPED_MARKER came with 730,278 records lost, all of them the ring's,
 * and neither failed again alone).  It counts only when the sequence alone, under a
 * fresh tracer that loses nothing, fails the same way.
 */
static bool confirmed_alone(const struct fuzz_opts *o, const char *path,
			    const struct failure *want)
{
	struct label_view alone;
	bool whole = rerun_views(o, path, &alone);

	if (whole && failure_matches(want, &alone))
		return true;
	printf("seqfuzz: not confirmed: the search's tracer lost records, and the sequence "
	       "alone under a fresh tracer %s\n",
	       whole ? "does not fail so" : "lost records too (or did not run)");
	print_views(&alone, true);
	return false;
}

/* Reports (and minimises) the failing sequence `label` of batch b (lossy: its tracer
 * lost records).  False when it was not confirmed (confirmed_alone()), or could not be
 * when it needed to be: a failure the oracle saw, or a whole tracer's, stays found even
 * where its sequence cannot be saved. */
static bool report_failure(const struct fuzz_opts *o, const struct label_view *first,
			   unsigned long label, unsigned int minimise_s, bool lossy)
{
	struct label_view final = *first;
	struct failure want = { 0 };
	char sig[96], name[128], file[160], path[4096];
	static struct seq s;
	unsigned int before;
	bool needs_confirming;

	want.oracle = first->status == EXEC_BUG;
	snprintf(want.kind, sizeof(want.kind), "%s", first->kind);
	want.class_bit = first->classes & -first->classes;
	needs_confirming = lossy && !want.oracle;
	if (o->n_replay ? !fuzz_load(o->replay[label], &s) : (seq_generate(&s, o->seed, label), 0))
		return !needs_confirming;
	signature(first, sig, sizeof(sig));
	sig_name(sig, name, sizeof(name));
	printf("seqfuzz: found %s: sequence %lu (seed %llu index %llu, %u ops), %.1f s into the "
	       "search\n", sig, label, (unsigned long long)s.seed, (unsigned long long)s.index,
	       s.n_ops, first->t);
	print_views(first, o->tracer != NULL);
	snprintf(file, sizeof(file), "found-%s.seq", name);
	if (!seq_save(o, file, &s, path, sizeof(path)))
		return !needs_confirming;
	printf("seqfuzz: saved %s\n", path);
	print_file(file, &s);
	if (needs_confirming && !confirmed_alone(o, path, &want))
		return false;
	if (o->minimise) {
		before = s.n_ops;
		minimise(o, &s, &want, minimise_s);
		printf("seqfuzz: minimised %u ops to %u\n", before, s.n_ops);
		snprintf(file, sizeof(file), "minimised-%s.seq", name);
		if (seq_save(o, file, &s, path, sizeof(path)))
			printf("seqfuzz: saved %s\n", path);
		print_file(file, &s);
		rerun_views(o, path, &final);
		printf("seqfuzz: the minimised sequence, run again:\n");
		print_views(&final, o->tracer != NULL);
	}
	snprintf(file, sizeof(file), "fuzz-%s", name);
	emit_scenario(stdout, &s, file, final.status == EXEC_BUG ? final.oracle_line : NULL,
		      o->tracer ? finding_class_of(final.classes) : NULL);
	return true;
}

int fuzz_hunt(const struct fuzz_opts *o)
{
	char budget[24], count[24], seed[24];
	char *args[FUZZ_MAX_FILES + 12];
	unsigned long found[MAX_SIGNATURES];
	struct label_view first;
	unsigned int minimise_s;
	struct batch b;
	int n = 0, n_found, n_confirmed = 0, ret;
	bool lossy;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < o->n_replay; i++) {
		static struct seq check;

		if (!fuzz_load(o->replay[i], &check))
			return FUZZ_UNDECIDED;
	}
	if (o->n_replay) {
		args[n++] = "--replay";
		for (int i = 0; i < o->n_replay; i++)
			args[n++] = (char *)o->replay[i];
	} else {
		snprintf(seed, sizeof(seed), "%llu", (unsigned long long)o->seed);
		snprintf(budget, sizeof(budget), "%u", o->budget_s);
		snprintf(count, sizeof(count), "%lu", o->count);
		args[n++] = "--seed";
		args[n++] = seed;
		if (o->budget_s) {
			args[n++] = "--budget";
			args[n++] = budget;
		}
		if (o->count) {
			args[n++] = "--count";
			args[n++] = count;
		}
		/* the whole budget: each kind of failure is reported once */
		args[n++] = "--keep-going";
	}
	args[n] = NULL;
	if (!batch_run(o, o->tracer != NULL, args, true, &b))
		return FUZZ_UNDECIDED;
	n_found = b.labels ? distinct_failures(&b, found, MAX_SIGNATURES) : 0;
	if (!n_found) {
		if (b.stray_classes) {
			printf("seqfuzz: result 1 (found): tracer finding %s on a PID of no sequence\n",
			       finding_class_of(b.stray_classes));
			batch_free(&b);
			return FUZZ_FOUND;
		}
		ret = undecided_or_nothing(o, &b);
		batch_free(&b);
		return ret;
	}
	printf("seqfuzz: %d kind(s) of failure\n", n_found);
	/* minimising gets as long as the search had, at most MINIMISE_SECONDS in all */
	minimise_s = o->budget_s && o->budget_s < MINIMISE_SECONDS ? o->budget_s : MINIMISE_SECONDS;
	lossy = batch_lossy(o, &b);
	for (int i = 0; i < n_found; i++) {
		first = b.labels[found[i]];
		n_confirmed += report_failure(o, &first, found[i], minimise_s / n_found, lossy);
	}
	if (!n_confirmed) {
		ret = undecided_or_nothing(o, &b);
		batch_free(&b);
		return ret;
	}
	batch_free(&b);
	printf("seqfuzz: result 1 (found)\n");
	return FUZZ_FOUND;
}
