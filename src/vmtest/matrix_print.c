// SPDX-License-Identifier: GPL-2.0
/* The matrix as text, TAP (one test per cell) or one JSON object. See matrix_print.h. */
#include "matrix_print.h"
#include "console_log.h"
#include "report.h"
#include "report/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_LEN 1024

static const char *const cell_state_names[CELL_STATES] = {
	[CELL_AS_EXPECTED] = "as_expected",
	[CELL_DISAGREES] = "disagrees",
	[CELL_UNDECIDED] = "undecided",
	[CELL_SKIPPED] = "skipped",
};

const char *matrix_cell_state_name(enum cell_state s)
{
	return cell_state_names[s];
}

const char *matrix_kernel_state_name(enum kernel_state s)
{
	switch (s) {
	case KERNEL_RAN: return "ran";
	case KERNEL_ABSENT: return "absent";
	case KERNEL_UNDECIDED: return "undecided";
	default: return "pending";
	}
}

void matrix_note(const struct matrix *m, const char *fmt, ...)
{
	FILE *f = m->output == OUTPUT_TAP ? stdout : stderr;
	va_list ap;

	fputs(m->output == OUTPUT_TAP ? "# " : "uffdwp-vmtest: matrix: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

void matrix_note_booting(const struct matrix *m, int k)
{
	matrix_note(m, "%s: booting %s", m->kernel[k].name, m->kernel[k].image);
}

/* What the tracer and the self-check said, in the table's cell syntax. */
static void observed_text(const struct matrix_cell *c, char *buf, size_t size)
{
	expect_cell_format(c->classes, c->verdict, buf, size);
}

static void expected_text(const struct matrix_cell *c, char *buf, size_t size)
{
	const struct expect_cell *e = c->expected;

	if (e)
		expect_cell_format(e->classes, e->verdict, buf, size);
	else
		snprintf(buf, size, "nothing (no row)");
}

/* The matrix cell: the observation, '!' in front when it disagrees, '?' undecided, '-'. */
static void cell_text(const struct matrix *m, int r, int k, char *buf, size_t size)
{
	const struct matrix_cell *c = &m->cell[r][k];
	char observed[EXPECT_CELL_LEN];

	if (c->state == CELL_SKIPPED || c->state == CELL_UNDECIDED) {
		snprintf(buf, size, "%s", c->state == CELL_SKIPPED ? "-" : "?");
		return;
	}
	observed_text(c, observed, sizeof(observed));
	snprintf(buf, size, "%s%s", c->state == CELL_DISAGREES ? "!" : "",
		 c->finished ? observed : "-");
}

/* ", agrees" or ", disagrees" after an opinion, when the table has one to compare with. */
static const char *verdict_on(const struct matrix *m, int r, bool agrees)
{
	return !m->row[r].expected ? "" : agrees ? ", agrees" : ", disagrees";
}

/* A disagreeing cell: what the table, the tracer and the self-check each said. */
static void disagreement_text(const struct matrix *m, int r, int k, char *buf, size_t size)
{
	const struct matrix_cell *c = &m->cell[r][k];
	char expected[EXPECT_CELL_LEN], classes[EXPECT_CELL_LEN];

	expected_text(c, expected, sizeof(expected));
	if (!c->finished) {
		snprintf(buf, size, "table says %s; %s", expected, c->why);
		return;
	}
	class_set_format(c->classes, classes, sizeof(classes));
	snprintf(buf, size, "table says %s; tracer says %s (exit %d)%s; self-check says %s%s",
		 expected, classes, c->tracer_status, verdict_on(m, r, c->tracer_agrees),
		 c->verdict[0] ? c->verdict : "nothing", verdict_on(m, r, c->self_check_agrees));
}

void matrix_print_tap_plan(const struct matrix *m)
{
	if (m->output != OUTPUT_TAP)
		return;
	printf("TAP version 13\n1..%d\n", m->n_rows * m->n_kernels);
	fflush(stdout);
}

void matrix_print_tap_kernel(struct matrix *m, int k)
{
	char text[LINE_LEN];

	for (int r = 0; r < m->n_rows; r++) {
		const struct matrix_cell *c = &m->cell[r][k];
		int n = m->tap_next++;
		const char *scenario = m->row[r].scenario, *kernel = m->kernel[k].name;

		switch (c->state) {
		case CELL_AS_EXPECTED:
			observed_text(c, text, sizeof(text));
			printf("ok %d - %s on %s: %s\n", n, scenario, kernel, text);
			break;
		case CELL_DISAGREES:
			disagreement_text(m, r, k, text, sizeof(text));
			printf("not ok %d - %s on %s: %s\n", n, scenario, kernel, text);
			break;
		case CELL_UNDECIDED:
			printf("not ok %d - %s on %s: undecided: %s\n", n, scenario, kernel, c->why);
			break;
		default:
			printf("ok %d - %s on %s # SKIP %s\n", n, scenario, kernel, c->why);
		}
	}
	fflush(stdout);
}

/* Width of the scenario column, and of kernel k's column (k = -1: the scenario column). */
static int column_width(const struct matrix *m, int k)
{
	int width = k < 0 ? (int)strlen("scenario") : (int)strlen(m->kernel[k].name);
	char text[LINE_LEN];

	for (int r = 0; r < m->n_rows; r++) {
		if (k < 0)
			snprintf(text, sizeof(text), "%s", m->row[r].scenario);
		else
			cell_text(m, r, k, text, sizeof(text));
		if ((int)strlen(text) > width)
			width = strlen(text);
	}
	return width;
}

static void print_grid(const struct matrix *m)
{
	int width[EXPECT_MAX_KERNELS], first = column_width(m, -1);
	char text[LINE_LEN];

	/* the last column unpadded: no trailing blanks */
	for (int k = 0; k < m->n_kernels; k++)
		width[k] = k == m->n_kernels - 1 ? 0 : column_width(m, k);
	printf("%-*s", first, "scenario");
	for (int k = 0; k < m->n_kernels; k++)
		printf("  %-*s", width[k], m->kernel[k].name);
	putchar('\n');
	for (int r = 0; r < m->n_rows; r++) {
		printf("%-*s", first, m->row[r].scenario);
		for (int k = 0; k < m->n_kernels; k++) {
			cell_text(m, r, k, text, sizeof(text));
			printf("  %-*s", width[k], text);
		}
		putchar('\n');
	}
}

static void print_kernels(const struct matrix *m)
{
	printf("\nkernels:\n");
	for (int k = 0; k < m->n_kernels; k++) {
		const struct matrix_kernel *kernel = &m->kernel[k];

		if (kernel->state == KERNEL_ABSENT)
			printf("  %s: skipped: %s\n", kernel->name, kernel->reason);
		else if (kernel->state == KERNEL_UNDECIDED)
			printf("  %s: undecided: %s\n", kernel->name, kernel->reason);
		else
			printf("  %s: release %s, %s%s%s, boot %.1f s, total %.1f s%s%s\n",
			       kernel->name, kernel->release[0] ? kernel->release : "?",
			       kernel->accel, kernel->accel_note[0] ? " " : "", kernel->accel_note,
			       kernel->boot_s, kernel->total_s, kernel->reason[0] ? "; " : "",
			       kernel->reason);
	}
}

/* One line per cell in state (cells of a kernel that never booted are said once above). */
static void print_cells_in(const struct matrix *m, enum cell_state state, const char *title)
{
	char text[LINE_LEN];

	if (!m->count[state])
		return;
	printf("\n%s:\n", title);
	for (int k = 0; k < m->n_kernels; k++) {
		if (m->kernel[k].state != KERNEL_RAN)
			continue;
		for (int r = 0; r < m->n_rows; r++) {
			if (m->cell[r][k].state != state)
				continue;
			if (state == CELL_DISAGREES)
				disagreement_text(m, r, k, text, sizeof(text));
			else
				snprintf(text, sizeof(text), "%s", m->cell[r][k].why);
			printf("  %s on %s: %s\n", m->row[r].scenario, m->kernel[k].name, text);
		}
	}
}

static void print_text(const struct matrix *m)
{
	printf("uffdwp-vmtest: matrix of %s\n", m->table_path);
	printf("cell: tracer's finding classes/scenario's self-check; ! disagrees with the table, "
	       "? undecided, - skipped\n\n");
	print_grid(m);
	print_kernels(m);
	print_cells_in(m, CELL_DISAGREES, "disagreements");
	print_cells_in(m, CELL_UNDECIDED, "undecided");
}

/* A log beside the KCIDB report: its path, under key. */
static void print_json_log(struct json *j, const char *key, const char *base, const char *run)
{
	char *path = console_log_path(base, run);

	json_str(j, key, path ? path : "");
	free(path);
}

/* Everything the printers and the KCIDB report use, so that --merge can rebuild it. */
static void print_json_kernel(struct json *j, const struct matrix_kernel *kernel)
{
	json_arr_obj_begin(j);
	json_str(j, "name", kernel->name);
	json_str(j, "image", kernel->image);
	json_str(j, "state", matrix_kernel_state_name(kernel->state));
	json_str(j, "reason", kernel->reason);
	if (kernel->state == KERNEL_RAN) {
		json_str(j, "release", kernel->release);
		json_str(j, "accel", kernel->accel);
		json_str(j, "accel_note", kernel->accel_note);
		json_u64(j, "boot_ms", (uint64_t)(kernel->boot_s * 1000));
		json_u64(j, "total_ms", (uint64_t)(kernel->total_s * 1000));
	}
	json_bool(j, "booted", kernel->booted);
	json_str(j, "image_hash", kernel->image_hash);
	if (kernel->config)
		json_str(j, "config", kernel->config);
	if (kernel->log_base)
		print_json_log(j, "console_log", kernel->log_base, NULL);
	json_obj_end(j);
}

static void print_json_cell(struct json *j, const struct matrix *m, int r, int k)
{
	const struct matrix_cell *c = &m->cell[r][k];
	char text[EXPECT_CELL_LEN];

	json_arr_obj_begin(j);
	json_str(j, "scenario", m->row[r].scenario);
	json_str(j, "kernel", m->kernel[k].name);
	json_str(j, "state", cell_state_names[c->state]);
	expected_text(c, text, sizeof(text));
	json_str(j, "expected", m->row[r].expected ? text : "");
	if (c->finished) {
		class_set_format(c->classes, text, sizeof(text));
		json_str(j, "tracer", text);
		json_i64(j, "tracer_exit", c->tracer_status);
		json_str(j, "self_check", c->verdict);
	}
	if (c->state == CELL_DISAGREES && c->finished && m->row[r].expected) {
		json_bool(j, "tracer_agrees", c->tracer_agrees);
		json_bool(j, "self_check_agrees", c->self_check_agrees);
	}
	json_str(j, "why", c->why);
	/* for --merge and the KCIDB report */
	json_bool(j, "started", c->started);
	if (c->finished) {
		json_f64(j, "seconds", c->seconds);
		json_i64(j, "findings", c->findings);
		json_i64(j, "lost", c->lost);
	}
	if (c->output_logged)
		print_json_log(j, "output_log", m->kernel[k].log_base, m->row[r].scenario);
	json_obj_end(j);
}

static void print_json(const struct matrix *m, int exit_status, const char *reason)
{
	struct json j;

	json_begin(&j, stdout);
	json_i64(&j, "exit", exit_status);
	json_str(&j, "result", report_exit_word(exit_status));
	json_str(&j, "reason", reason);
	json_str(&j, "table", m->table_path);
	json_obj_begin(&j, "counts");
	for (int s = 0; s < CELL_STATES; s++)
		json_i64(&j, cell_state_names[s], m->count[s]);
	json_obj_end(&j);
	json_arr_begin(&j, "kernels");
	for (int k = 0; k < m->n_kernels; k++)
		print_json_kernel(&j, &m->kernel[k]);
	json_arr_end(&j);
	json_arr_begin(&j, "cells");
	for (int r = 0; r < m->n_rows; r++)
		for (int k = 0; k < m->n_kernels; k++)
			print_json_cell(&j, m, r, k);
	json_arr_end(&j);
	json_arr_begin(&j, "rows");
	for (int r = 0; r < m->n_rows; r++) {
		json_arr_obj_begin(&j);
		json_str(&j, "scenario", m->row[r].scenario);
		json_bool(&j, "in_table", m->row[r].expected != NULL);
		json_bool(&j, "program", m->row[r].has_binary);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (m->shard_count) {
		json_obj_begin(&j, "shard");
		json_i64(&j, "index", m->shard_index);
		json_i64(&j, "count", m->shard_count);
		json_arr_begin(&j, "kernels");
		for (int k = 0; k < m->n_all_kernels; k++)
			json_str(&j, NULL, m->all_kernels[k]);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_end(&j);
}

void matrix_print_early_failure(enum output_mode output, const char *reason)
{
	struct json j;

	if (output == OUTPUT_TAP) {
		/* a failed test, not a skip: a broken table must fail `make check` */
		printf("TAP version 13\n1..1\nnot ok 1 - matrix: %s\n", reason);
	} else if (output == OUTPUT_JSON) {
		json_begin(&j, stdout);
		json_i64(&j, "exit", VMTEST_SKIP);
		json_str(&j, "result", report_exit_word(VMTEST_SKIP));
		json_str(&j, "reason", reason);
		json_end(&j);
	}
	fflush(stdout);
}

void matrix_print(const struct matrix *m, int exit_status, const char *reason)
{
	if (m->output == OUTPUT_JSON)
		print_json(m, exit_status, reason);
	else if (m->output == OUTPUT_TEXT)
		print_text(m);
	fflush(stdout);
}
