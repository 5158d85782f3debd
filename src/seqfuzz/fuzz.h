/* SPDX-License-Identifier: GPL-2.0 */
/* uffdwp-fuzz's command line and the modes main.c dispatches to (hunt.c, minimise.c, emit.c). */
#ifndef UFFDWP_SEQFUZZ_FUZZ_H
#define UFFDWP_SEQFUZZ_FUZZ_H
#include "seq.h"

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses: the `git bisect run` contract of uffdwp-vmtest. */
enum fuzz_exit {
	FUZZ_NOTHING = 0,	/* nothing found in the budget */
	FUZZ_FOUND = 1,		/* a bug found (oracle or tracer) */
	FUZZ_UNDECIDED = 125,	/* lost events, a hung sequence, a tracer error, bad usage */
};

#define FUZZ_MAX_FILES 64

struct fuzz_opts {
	uint64_t seed;
	unsigned int budget_s;		/* 0: no time limit (then count limits) */
	unsigned long count;		/* 0: no count limit */
	bool keep_going;		/* do not stop at the first oracle bug */
	const char *replay[FUZZ_MAX_FILES];	/* --replay FILE... */
	int n_replay;
	bool print;			/* --print: the sequence --seed/--index would run */
	unsigned long index;
	const char *tracer;		/* --tracer PATH: hunt under it */
	const char *out_dir;		/* where found and minimised sequences go */
	bool minimise;
	bool check_pool;		/* --check-pool: a reservation left behind is a bug */
	const char *self;		/* this program, for the tracer to start */
	bool worker;			/* --worker: started by fuzz_hunt(), just run and print */
};

/* hunt.c: generate (or replay) under the tracer, pick the first failing sequence,
 * minimise it and print it as a scenario; returns an enum fuzz_exit. */
int fuzz_hunt(const struct fuzz_opts *o);

/* main.c: the worker's modes, which fuzz_hunt() starts as a child (or the tracer's target). */
int fuzz_generate(const struct fuzz_opts *o);
int fuzz_replay(const struct fuzz_opts *o);
/* Reads a sequence file; false after one error line. */
bool fuzz_load(const char *path, struct seq *s);

/* emit.c: s as a ready tests/scenarios/NAME.c (scenario.h), and its expected.tsv row. */
void emit_scenario(FILE *f, const struct seq *s, const char *name, const char *oracle_line,
		   const char *tracer_class);

#endif
