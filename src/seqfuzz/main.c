// SPDX-License-Identifier: GPL-2.0
/*
 * uffdwp-fuzz: a differential fuzzer of uffd-wp operation sequences (issue 15).  Generates
 * random valid sequences from a seed, runs each in a fresh child under the user-space
 * oracle (exec.c) and, with --tracer, under uffdwp-trace too; a disagreement is minimised
 * and printed as a ready scenario.  See man/uffdwp-fuzz.8.
 */
#include "fuzz.h"
#include "run.h"
#include "../getopt_refused.h"

#define SHORT_OPTIONS "h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
"Usage: uffdwp-fuzz [--seed N] [--budget SECONDS] [--count N] [--keep-going]\n"
"                   [--tracer PATH] [--out DIR] [--no-minimise] [--check-pool]\n"
"       uffdwp-fuzz --replay FILE... [--tracer PATH] [--out DIR] [--no-minimise]\n"
"                   [--check-pool]\n"
"       uffdwp-fuzz --print [--seed N] [--index I]\n"
"\n"
"Generates random but valid sequences of uffd-wp operations (register in every mode,\n"
"write-protect on/off, writes from several threads, reads, mprotect, MADV_DONTNEED,\n"
"madvise REMOVE/FREE/PAGEOUT/COLLAPSE, fallocate(PUNCH_HOLE), mremap (move, grow),\n"
"munmap and mmap back, UFFDIO_COPY (plain, WP), UFFDIO_MOVE, UFFDIO_POISON, move_pages,\n"
"fork, close of the uffd) over\n"
"a few VMAs of anon, shmem, hugetlb and THP\n"
"memory, deterministically from the seed: sequence I of seed N is always the same.  Each\n"
"runs in a fresh child and is judged after every op by the user-space oracle (one WP\n"
"message per first write to a protected page and none otherwise, pagemap bit 57, data,\n"
"a forked child's bits).  For each kind of failure (the tracer's classes and the\n"
"oracle's kind) the first sequence is minimised and printed as a tests/scenarios/\n"
"program with its expected.tsv cell.\n"
"\n"
"  --seed N          seed of the generator (default 1)\n"
"  --budget SECONDS  generate for this long (default 60 unless --count)\n"
"  --count N         run at most N sequences\n"
"  --keep-going      (--worker) do not stop at the first oracle disagreement\n"
"  --replay FILE...  run saved sequences instead (each in its own child)\n"
"  --print           print sequence --index (default 0) of --seed and exit\n"
"  --tracer PATH     run all that under `PATH --json --no-events --strict` too,\n"
"                    findings tied to sequences by the child's PID\n"
"  --out DIR         where the found (found-KIND.seq) and minimised (minimised-KIND.seq)\n"
"                    sequences go (default /tmp/uffdwp-fuzz)\n"
"  --no-minimise     report the found sequence as it is\n"
"  --check-pool      also judge each sequence by the hugetlb pool: HugePages_Rsvd must\n"
"                    be back once its processes have exited (kind rsvd_leak; no other\n"
"                    hugetlb user may run meanwhile)\n"
"\n"
"Exit status: 0 nothing found, 1 a bug found, 125 undecided (a hung sequence, lost\n"
"events, a tracer error, bad usage: one line says which).\n";

enum { OPT_SEED = 256, OPT_BUDGET, OPT_COUNT, OPT_KEEP, OPT_REPLAY, OPT_PRINT, OPT_INDEX,
       OPT_TRACER, OPT_OUT, OPT_NO_MIN, OPT_CHECK_POOL, OPT_WORKER };

static const struct option long_opts[] = {
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "keep-going", no_argument, NULL, OPT_KEEP },
	{ "replay", no_argument, NULL, OPT_REPLAY },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "index", required_argument, NULL, OPT_INDEX },
	{ "tracer", required_argument, NULL, OPT_TRACER },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "no-minimise", no_argument, NULL, OPT_NO_MIN },
	{ "check-pool", no_argument, NULL, OPT_CHECK_POOL },
	/* internal: what fuzz_hunt() starts (under the tracer): run and print, no verdict */
	{ "worker", no_argument, NULL, OPT_WORKER },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static bool usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "uffdwp-fuzz: %s%s%s (see --help)\n", msg, arg ? ": " : "", arg ? arg : "");
	return false;
}

static bool parse_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return *s && !*end && !errno && *out <= max && s[0] != '-';
}

static bool parse_args(int argc, char **argv, struct fuzz_opts *o)
{
	static char self_path[4096];
	unsigned long long v;
	bool replay = false;
	char word[3];
	int opt;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->out_dir = "/tmp/uffdwp-fuzz";
	o->minimise = true;
	/* the worker is this very program, wherever PATH found it */
	o->self = realpath("/proc/self/exe", self_path) ? self_path : argv[0];
	/* ":" and opterr 0: getopt prints nothing, the cases below say the one line */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":" SHORT_OPTIONS, long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SEED:
			if (!parse_ull(optarg, UINT64_MAX, &v))
				return usage_error("--seed takes a number", optarg);
			o->seed = v;
			break;
		case OPT_BUDGET:
			if (!parse_ull(optarg, 86400, &v) || !v)
				return usage_error("--budget takes seconds (1..86400)", optarg);
			o->budget_s = v;
			break;
		case OPT_COUNT:
			if (!parse_ull(optarg, 100000000, &v) || !v)
				return usage_error("--count takes a positive number", optarg);
			o->count = v;
			break;
		case OPT_INDEX:
			if (!parse_ull(optarg, UINT64_MAX, &v))
				return usage_error("--index takes a number", optarg);
			o->index = v;
			break;
		case OPT_KEEP: o->keep_going = true; break;
		case OPT_REPLAY: replay = true; break;
		case OPT_PRINT: o->print = true; break;
		case OPT_TRACER: o->tracer = optarg; break;
		case OPT_OUT: o->out_dir = optarg; break;
		case OPT_NO_MIN: o->minimise = false; break;
		case OPT_CHECK_POOL: o->check_pool = true; break;
		case OPT_WORKER: o->worker = true; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
		default:	/* '?' (getopt_refused.h) */
			return usage_error(opt == ':' ? "option needs a value" : "unknown option",
					   getopt_refused_word(argv, SHORT_OPTIONS, word));
		}
	}
	for (; optind < argc && replay; optind++) {
		if (o->n_replay >= FUZZ_MAX_FILES)
			return usage_error("too many --replay files", NULL);
		o->replay[o->n_replay++] = argv[optind];
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (replay && !o->n_replay)
		return usage_error("--replay names no file", NULL);
	if (!o->budget_s && !o->count)
		o->budget_s = 60;
	return true;
}

bool fuzz_load(const char *path, struct seq *s)
{
	FILE *f = fopen(path, "re");
	char err[200];
	bool ok;

	if (!f) {
		fprintf(stderr, "uffdwp-fuzz: cannot read %s: %s\n", path, strerror(errno));
		return false;
	}
	ok = seq_parse(f, s, err, sizeof(err));
	fclose(f);
	if (!ok)
		fprintf(stderr, "uffdwp-fuzz: %s: not a sequence: %s\n", path, err);
	return ok;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sequences 0, 1, ... of the seed, until the budget or count is spent (or an oracle bug). */
int fuzz_generate(const struct fuzz_opts *o)
{
	unsigned long n = 0, counts[EXEC_HANG + 1] = { 0 };
	double t0 = now(), dt;
	struct run_result res;
	static struct seq s;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seqfuzz: generate seed=%llu budget=%us count=%lu\n", (unsigned long long)o->seed,
	       o->budget_s, o->count);
	while ((!o->count || n < o->count) && (!o->budget_s || now() - t0 < o->budget_s)) {
		seq_generate(&s, o->seed, n);
		run_sequence(&s, n, o->check_pool, &res);
		counts[res.status]++;
		n++;
		if (res.status == EXEC_BUG && !o->keep_going)
			break;
	}
	dt = now() - t0;
	printf("seqfuzz: ran %lu sequences in %.1f s (%.2f/s): ok %lu, bug %lu, error %lu, hang %lu\n",
	       n, dt, dt > 0 ? n / dt : 0.0, counts[EXEC_OK], counts[EXEC_BUG], counts[EXEC_ERROR],
	       counts[EXEC_HANG]);
	return counts[EXEC_BUG] ? FUZZ_FOUND : counts[EXEC_HANG] ? FUZZ_UNDECIDED : FUZZ_NOTHING;
}

/* Each file's sequence, labelled by its position (0-based). */
int fuzz_replay(const struct fuzz_opts *o)
{
	int bugs = 0, hangs = 0;
	struct run_result res;
	static struct seq s;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < o->n_replay; i++) {
		if (!fuzz_load(o->replay[i], &s))
			return FUZZ_UNDECIDED;
		run_sequence(&s, (unsigned long)i, o->check_pool, &res);
		bugs += res.status == EXEC_BUG;
		hangs += res.status == EXEC_HANG;
	}
	return bugs ? FUZZ_FOUND : hangs ? FUZZ_UNDECIDED : FUZZ_NOTHING;
}

int main(int argc, char **argv)
{
	struct fuzz_opts o;
	static struct seq s;

	if (!parse_args(argc, argv, &o))
		return FUZZ_UNDECIDED;
	if (o.print) {
		seq_generate(&s, o.seed, o.index);
		seq_print(stdout, &s);
		return 0;
	}
	if (!o.worker)
		return fuzz_hunt(&o);
	return o.n_replay ? fuzz_replay(&o) : fuzz_generate(&o);
}
