/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The expected-results table (tests/scenarios/expected.tsv) that drives --matrix, and the
 * sets of finding classes its cells and the tracer's findings are compared as.
 *
 * Table: '#' lines and blank lines are comments; the first other line is the header
 * "scenario<TAB>KERNEL<TAB>KERNEL..."; every further line is "SCENARIO<TAB>CELL...", one
 * cell per kernel column. A cell is TRACER/SELF-CHECK:
 *   TRACER      `clean`, or finding class names joined with '+' (LOST_WP+LOST_WRITE_BIT)
 *   SELF-CHECK  ok, bug or skip: the scenario's own verdict
 * and `skip` alone is short for clean/skip.
 */
#ifndef UFFDWP_VMTEST_EXPECT_H
#define UFFDWP_VMTEST_EXPECT_H
#include "vmtest.h"

#define EXPECT_MAX_KERNELS 16
#define EXPECT_NAME_LEN 64
#define EXPECT_VERDICT_LEN 16
/* Wide enough for every class joined with '+' plus "/skip" (expect_cell_format). */
#define EXPECT_CELL_LEN 96

/*
 * A set of finding classes: bit k is enum finding_class k (model/checker.h). A class name
 * the core does not know (a newer tracer) is kept as CLASS_SET_UNKNOWN, so it can never
 * compare equal to an expectation.
 */
typedef unsigned int class_set;
#define CLASS_SET_UNKNOWN (1u << 31)

/* Adds the class called name[0..len) to *set; false (and the UNKNOWN bit) if unknown. */
bool class_set_add(class_set *set, const char *name, size_t len);
/* "clean" for the empty set, else the names in enum order joined with '+'. */
void class_set_format(class_set set, char *buf, size_t size);

struct expect_cell {
	class_set classes;
	char verdict[EXPECT_VERDICT_LEN];	/* ok, bug or skip */
};

struct expect_row {
	char scenario[EXPECT_NAME_LEN];
	struct expect_cell cell[EXPECT_MAX_KERNELS];	/* by kernel column */
};

struct expect_table {
	char kernel[EXPECT_MAX_KERNELS][EXPECT_NAME_LEN];	/* column names, in order */
	int n_kernels;
	struct expect_row row[VMTEST_MAX_LIST];
	int n_rows;
};

/*
 * Reads the table at path; on a malformed one prints one error line naming path:line and
 * what is wrong there, and returns false.
 */
bool expect_load(const char *path, struct expect_table *t);
/* Parses one cell ("LOST_WP/bug", "clean/ok", "skip"); false with the reason in why. */
bool expect_cell_parse(const char *text, struct expect_cell *cell, char *why, size_t size);
/* The cell syntax for classes and verdict ("skip" when clean/skip); verdict "" -> "-". */
void expect_cell_format(class_set classes, const char *verdict, char *buf, size_t size);

/* Column index of kernel, or -1. */
int expect_kernel_index(const struct expect_table *t, const char *kernel);
/* The row of scenario, or NULL. */
const struct expect_row *expect_find_row(const struct expect_table *t, const char *scenario);

#endif
