/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The matrix as text, TAP or JSON (matrix_print.c). The printer only reads what matrix.c
 * decided (each cell holds its expected cell of the table); it never calls back.
 */
#ifndef UFFDWP_VMTEST_MATRIX_PRINT_H
#define UFFDWP_VMTEST_MATRIX_PRINT_H
#include "matrix.h"

/* A progress or diagnostic line: stderr, or a "# " comment in TAP. */
void matrix_note(const struct matrix *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The names the JSON gives the states ("as_expected", "ran", ...). */
const char *matrix_cell_state_name(enum cell_state s);
const char *matrix_kernel_state_name(enum kernel_state s);
/* "KERNEL: booting IMAGE", as kernel k's boot starts (and as --merge replays it). */
void matrix_note_booting(const struct matrix *m, int k);
void matrix_print_tap_plan(const struct matrix *m);
/* The TAP tests of kernel k's column, numbered on from m->tap_next. */
void matrix_print_tap_kernel(struct matrix *m, int k);
/* Before any boot (bad table, no tracer...): TAP says "not ok", JSON gives the reason. */
void matrix_print_early_failure(enum output_mode output, const char *reason);
/* The whole matrix in the output mode (text or JSON; TAP was printed per kernel). */
void matrix_print(const struct matrix *m, int exit_status, const char *reason);

#endif
