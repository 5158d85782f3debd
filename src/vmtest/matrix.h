/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --matrix: the scenario corpus on every kernel of the expected table (expect.h), each cell
 * compared three ways: what the table expects, what the tracer found (classes and exit
 * status) and what the scenario's own self-check said. matrix.c runs and decides,
 * matrix_print.c (matrix_print.h) prints what was decided.
 */
#ifndef UFFDWP_VMTEST_MATRIX_H
#define UFFDWP_VMTEST_MATRIX_H
#include "expect.h"
#include "vmtest.h"

enum kernel_state {
	KERNEL_PENDING,		/* not booted yet */
	KERNEL_RAN,		/* /init ran (reason set when it stopped before the end) */
	KERNEL_ABSENT,		/* no image: the column is skipped */
	KERNEL_UNDECIDED,	/* the image did not boot to /init */
};

struct matrix_kernel {
	const char *name;	/* the table's column name */
	int column;		/* in the table */
	char *image;
	enum kernel_state state;
	bool booted;		/* QEMU was started on it (KERNEL_RAN, or no /init) */
	char image_hash[17];	/* FNV-1a 64 of the image's bytes; "" if unread */
	char *config;		/* the kernel's configuration where known, else NULL */
	char *log_base;		/* --kcidb: prefix of its console logs (console_log.h); NULL */
	char reason[512];	/* why absent / undecided / unfinished; "" if none */
	char release[80];
	const char *accel;
	char accel_note[400];
	double boot_s, total_s;
};

enum cell_state {
	CELL_AS_EXPECTED,
	CELL_DISAGREES,		/* the tracer or the self-check contradicts the table */
	CELL_UNDECIDED,		/* not run to the end, or the tracer could not decide */
	CELL_SKIPPED,		/* the kernel's image is absent */
	CELL_STATES,
};

struct matrix_cell {
	const struct expect_cell *expected;	/* the table's cell; NULL: no row */
	enum cell_state state;
	bool tracer_agrees, self_check_agrees;
	bool started;		/* the scenario's run began in the guest */
	bool finished;		/* the scenario's run ended in the guest */
	double seconds;		/* from its begin to its end marker */
	long findings, lost;	/* from the tracer's summary; -1 when absent */
	bool output_logged;	/* its output is in a log beside the KCIDB report */
	int tracer_status;
	class_set classes;	/* of the tracer's findings */
	char verdict[EXPECT_VERDICT_LEN];	/* the self-check; "" = none printed */
	char why[512];		/* undecided, skipped, or not comparable: why */
};

struct matrix_row {
	const char *scenario;
	const struct expect_row *expected;	/* NULL: no row in the table */
	bool has_binary;			/* a scenario program exists */
};

struct matrix {
	const char *table_path;
	const struct expect_table *table;
	enum output_mode output;
	struct matrix_row row[VMTEST_MAX_LIST];
	int n_rows;
	struct matrix_kernel kernel[EXPECT_MAX_KERNELS];
	int n_kernels;
	struct matrix_cell cell[VMTEST_MAX_LIST][EXPECT_MAX_KERNELS];	/* [row][kernel] */
	int count[CELL_STATES];
	int tap_next;		/* number of the next TAP test */
	/* --shard I/N: this run's slice of the kernels below; 0/0 for the whole matrix */
	int shard_index, shard_count;
	const char *all_kernels[EXPECT_MAX_KERNELS];	/* the run's kernels, before slicing */
	int n_all_kernels;
};

/* Runs --matrix as opts say and returns the exit status (0, 1 or 125: see --help). */
int matrix_run(const struct vmtest_opts *opts);

/*
 * What a run prints once its cells are decided, for matrix.c and --merge alike: kernel
 * k's progress notes and TAP tests as its column closes (matrix_close_column), then the
 * matrix, the KCIDB report and the result line (matrix_finish, which returns the exit).
 */
void matrix_close_column(struct matrix *m, int k);
int matrix_finish(struct matrix *m, const struct vmtest_opts *opts);

/* matrix_merge.c: --merge FILE..., the slices' JSON into one matrix (see --help). */
int matrix_merge(const struct vmtest_opts *opts);

#endif
