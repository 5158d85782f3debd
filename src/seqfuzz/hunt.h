/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs the worker (this program with --worker), under the tracer when one is given, and
 * reads its output and the tracer's JSON back into one view per sequence: the oracle's
 * verdict and the tracer's finding classes, tied together by the sequence's child PIDs.
 */
#ifndef UFFDWP_SEQFUZZ_HUNT_H
#define UFFDWP_SEQFUZZ_HUNT_H
#include "exec.h"
#include "fuzz.h"

#include <sys/types.h>

/* uffdwp-trace's exit status for a run it cannot call clean or not: events lost, a
 * required hook missing, or with no finding walks capped (README, "Exit status"). */
#define TRACER_INCONCLUSIVE 3

/* The tracer's finding classes, as a bit set. */
enum finding_bit { FB_LOST_WP = 1, FB_LOST_WRITE_BIT = 2, FB_DROPPED_MARKER = 4, FB_FALSE_WP = 8 };

struct label_view {
	bool ran;
	enum exec_status status;
	char kind[EXEC_KIND_LEN];
	char oracle_line[400];		/* the "seqfuzz: bug" line */
	unsigned int classes;		/* enum finding_bit */
	char finding_line[600];		/* the first tracer finding (JSON, cut) */
	double t;			/* seconds into the search when it ended */
};

struct batch {
	struct label_view *labels;	/* indexed by label */
	unsigned long n_labels, cap_labels;
	struct { pid_t pid; unsigned long label; } *pids;
	unsigned long n_pids, cap_pids;
	int tracer_status;		/* the tracer's (or the worker's) exit status */
	bool tracer_summary;		/* the tracer's summary line was read */
	bool tracer_lossy;		/* it says records were lost, or not what was lost */
	unsigned int stray_classes;	/* findings on a PID of no sequence */
	unsigned long hangs;
	char summary[300];		/* the worker's "seqfuzz: ran" line */
};

/*
 * Runs `[TRACER --json --no-events --strict --] SELF --worker ARGS...` (args NULL-terminated), echoing
 * its lines when echo is true; fills b (release with batch_free).  False if it could not start.
 */
bool batch_run(const struct fuzz_opts *o, bool traced, char *const args[], bool echo,
	       struct batch *b);
void batch_free(struct batch *b);
/* A traced batch whose tracer lost records, or did not say (no summary, or losses
 * unknown): its findings may be the tracer's own errors (hunt.c confirmed_alone()). */
bool batch_lossy(const struct fuzz_opts *o, const struct batch *b);

unsigned int finding_bit_of(const char *class_name);
const char *finding_class_of(unsigned int bit);	/* the lowest bit's name */

/* minimise.c: delta debugging of s (in place) while it still fails as `want` says. */
struct failure {
	bool oracle;			/* judge by the oracle's kind, else by the tracer class */
	char kind[EXEC_KIND_LEN];
	unsigned int class_bit;
};
void minimise(const struct fuzz_opts *o, struct seq *s, const struct failure *want,
	      unsigned int deadline_s);
/* Whether a label's view shows that failure. */
bool failure_matches(const struct failure *want, const struct label_view *v);
/* Writes s to DIR/NAME; false after one error line. */
bool seq_save(const struct fuzz_opts *o, const char *name, const struct seq *s, char *path,
	      size_t path_size);

#endif
