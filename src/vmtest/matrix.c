// SPDX-License-Identifier: GPL-2.0
/*
 * --matrix: one initramfs (the scenario mode's, see initramfs.c) booted on every kernel of
 * the expected table, each scenario x kernel cell decided against the table. See matrix.h.
 */
#include "matrix.h"
#include "matrix_print.h"
#include "accel.h"
#include "boot.h"
#include "console_log.h"
#include "image.h"
#include "kcidb.h"
#include "swap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The table and the decisions: large, and one per run of the program. */
static struct expect_table table;
static struct matrix matrix;

/* Empties the cell of row r in kernel k's column, keeping the table's cell for it. */
static struct matrix_cell *reset_cell(struct matrix *m, int r, int k)
{
	const struct expect_row *row = m->row[r].expected;
	struct matrix_cell *cell = &m->cell[r][k];

	memset(cell, 0, sizeof(*cell));
	cell->expected = row ? &row->cell[m->kernel[k].column] : NULL;
	return cell;
}

/* --expected, else the table of the tree whose build/ holds us, or the installed one. */
static char *default_table_path(void)
{
	return vmtest_data_path(BUILD_EXPECTED_TABLE, INSTALLED_EXPECTED_TABLE);
}

/* --kernels-dir, $UFFDWP_SHARED_KERNELS, else ../shared/kernels beside the project root. */
static char *shared_kernels_dir(const struct vmtest_opts *o)
{
	const char *env = getenv("UFFDWP_SHARED_KERNELS");
	char *self, *root, *above, *dir;

	if (o->kernels_dir)
		return strdup(o->kernels_dir);
	if (env && *env)
		return strdup(env);
	self = vmtest_self_dir();
	root = vmtest_parent_dir(self);
	above = vmtest_parent_dir(root);
	dir = vmtest_path_join(above, "shared/kernels");
	free(above);
	free(root);
	free(self);
	return dir;
}

/* debian-VER lives in the cache as --debian's images do; any other NAME is NAME.bzImage. */
static char *kernel_image(const char *name, const char *shared_dir)
{
	char *dir, *image, *file;

	if (!strncmp(name, "debian-", strlen("debian-"))) {
		dir = vmtest_path_join(vmtest_cache_dir(), name);
		image = vmtest_path_join(dir, "vmlinuz");
		free(dir);
		return image;
	}
	file = malloc(strlen(name) + sizeof(".bzImage"));
	if (!file)
		return NULL;
	sprintf(file, "%s.bzImage", name);
	image = vmtest_path_join(shared_dir, file);
	free(file);
	return image;
}

static bool add_kernel(struct matrix *m, const char *name, const char *shared_dir)
{
	struct matrix_kernel *k = &m->kernel[m->n_kernels];
	int column = expect_kernel_index(m->table, name);

	if (column < 0) {
		vmtest_err("--kernels: '%s' is not a kernel column of %s", name, m->table_path);
		return false;
	}
	if (m->n_kernels >= EXPECT_MAX_KERNELS) {
		vmtest_err("--kernels: more than %d kernels", EXPECT_MAX_KERNELS);
		return false;
	}
	k->name = m->table->kernel[column];
	k->column = column;
	k->image = kernel_image(name, shared_dir);
	m->n_kernels++;
	return k->image != NULL;
}

/* --kernels in their order, else every column of the table. */
static bool choose_kernels(struct matrix *m, const struct vmtest_opts *o)
{
	char *shared_dir = shared_kernels_dir(o);
	bool ok = true;

	for (int i = 0; ok && i < o->n_matrix_kernel; i++)
		ok = add_kernel(m, o->matrix_kernel[i], shared_dir);
	for (int i = 0; ok && !o->n_matrix_kernel && i < m->table->n_kernels; i++)
		ok = add_kernel(m, m->table->kernel[i], shared_dir);
	free(shared_dir);
	return ok;
}

static void add_row(struct matrix *m, const char *scenario, const struct payload *p)
{
	struct matrix_row *row = &m->row[m->n_rows++];

	row->scenario = scenario;
	row->expected = expect_find_row(m->table, scenario);
	row->has_binary = payload_has_scenario(p, scenario);
}

/*
 * --scenario's names, else every row of the table and then every scenario program the
 * table lacks: a row without a program, or a program without a row, is a disagreement.
 */
static void choose_rows(struct matrix *m, const struct vmtest_opts *o, const struct payload *p)
{
	for (int i = 0; o->n_scenario && i < p->n_run; i++)
		add_row(m, p->run[i], p);
	if (o->n_scenario)
		return;
	for (int i = 0; i < m->table->n_rows; i++)
		add_row(m, m->table->row[i].scenario, p);
	for (int i = 0; i < p->n_available && m->n_rows < VMTEST_MAX_LIST; i++)
		if (!expect_find_row(m->table, p->available[i]))
			add_row(m, p->available[i], p);
}

/* Compares a finished run (tracer exit 0 or 1) with the table. */
static void compare_cell(const struct expect_cell *e, struct matrix_cell *cell)
{
	int expected_status = e->classes ? TRACER_FINDINGS : TRACER_CLEAN;

	cell->tracer_agrees = cell->classes == e->classes &&
			      cell->tracer_status == expected_status;
	cell->self_check_agrees = !strcmp(cell->verdict, e->verdict);
	cell->state = cell->tracer_agrees && cell->self_check_agrees ? CELL_AS_EXPECTED
								   : CELL_DISAGREES;
}

static void decide_cell(struct matrix *m, int r, int k, const struct guest_run *run)
{
	const struct matrix_row *row = &m->row[r];
	const struct matrix_kernel *kernel = &m->kernel[k];
	struct matrix_cell *cell = reset_cell(m, r, k);

	cell->state = CELL_DISAGREES;
	if (!row->has_binary) {
		snprintf(cell->why, sizeof(cell->why), "there is no scenario program of that name");
		return;
	}
	cell->started = run != NULL;
	cell->output_logged = run && kernel->log_base;
	if (!run || !run->ended) {
		cell->state = CELL_UNDECIDED;
		snprintf(cell->why, sizeof(cell->why), "%s",
			 kernel->reason[0] ? kernel->reason : "the scenario did not run");
		return;
	}
	cell->finished = true;
	cell->seconds = run->seconds;
	cell->findings = run->findings;
	cell->lost = run->lost;
	cell->tracer_status = run->status;
	cell->classes = run->classes;
	snprintf(cell->verdict, sizeof(cell->verdict), "%s", run->verdict);
	if (run->status != TRACER_CLEAN && run->status != TRACER_FINDINGS) {
		cell->state = CELL_UNDECIDED;
		char losses[200];

		report_losses(run, losses, sizeof(losses));
		snprintf(cell->why, sizeof(cell->why), "tracer exit %d: %s%s%s", run->status,
			 report_tracer_status_text(run->status), losses[0] ? ": " : "", losses);
	} else if (cell->expected) {
		compare_cell(cell->expected, cell);
	}
}

/* Every cell of kernel k's column in the same state, for the same reason. */
static void set_column(struct matrix *m, int k, enum cell_state state)
{
	for (int r = 0; r < m->n_rows; r++) {
		struct matrix_cell *cell = reset_cell(m, r, k);

		cell->state = state;
		snprintf(cell->why, sizeof(cell->why), "%s", m->kernel[k].reason);
	}
}

/* Only with -v: the guest's console, on stderr (stdout carries the matrix). */
static void echo_verbose(const struct console *c, const char *line, bool is_marker)
{
	fprintf(stderr, "%s\n", line);
}

static void echo_nothing(const struct console *c, const char *line, bool is_marker)
{
}

static void boot_one(struct matrix *m, int k, const struct vmtest_opts *base)
{
	struct matrix_kernel *kernel = &m->kernel[k];
	struct vmtest_opts o = *base;
	static struct console console;
	struct outcome out = { .exit = VMTEST_SKIP };
	struct vm_result res;
	console_echo_fn echo = base->verbose ? echo_verbose : echo_nothing;

	o.kernel = kernel->image;
	matrix_note_booting(m, k);
	if (base->kcidb && (kernel->log_base = console_log_base(base->kcidb, kernel->name)))
		echo = console_log_start(kernel->log_base, echo);
	if (!echo) {	/* the log cannot be written: the report would lie, so no boot */
		kernel->state = KERNEL_UNDECIDED;
		snprintf(kernel->reason, sizeof(kernel->reason), "%s", vmtest_last_error);
		set_column(m, k, CELL_UNDECIDED);
		return;
	}
	kernel->booted = true;
	boot_kernel(&o, &console, echo, &res, &out);
	if (base->kcidb && !console_log_stop() && !kernel->reason[0])
		snprintf(kernel->reason, sizeof(kernel->reason), "%s", vmtest_last_error);
	kernel->state = console.init_started ? KERNEL_RAN : KERNEL_UNDECIDED;
	if (report_guest_failure(&console, &res, &out))
		snprintf(kernel->reason, sizeof(kernel->reason), "%s", out.reason);
	snprintf(kernel->release, sizeof(kernel->release), "%s", console.release);
	kernel->config = image_config(kernel->image, kernel->release);
	snprintf(kernel->accel_note, sizeof(kernel->accel_note), "%s", out.accel_note);
	kernel->accel = accel_name(res.accel);
	kernel->boot_s = res.boot_seconds;
	kernel->total_s = res.total_seconds;
	if (kernel->state == KERNEL_UNDECIDED)
		set_column(m, k, CELL_UNDECIDED);
	for (int r = 0; kernel->state == KERNEL_RAN && r < m->n_rows; r++)
		decide_cell(m, r, k, console_find_run(&console, m->row[r].scenario));
	console_release(&console);
}

/* Adds kernel k's cells to the counts, says how the column came out, prints its TAP. */
void matrix_close_column(struct matrix *m, int k)
{
	const struct matrix_kernel *kernel = &m->kernel[k];
	int count[CELL_STATES] = { 0 };

	for (int r = 0; r < m->n_rows; r++)
		count[m->cell[r][k].state]++;
	for (int s = 0; s < CELL_STATES; s++)
		m->count[s] += count[s];
	if (kernel->state == KERNEL_RAN)
		matrix_note(m, "%s: release %s, %.1f s: %d as expected, %d disagree, %d undecided%s%s",
			    kernel->name, kernel->release, kernel->total_s,
			    count[CELL_AS_EXPECTED], count[CELL_DISAGREES],
			    count[CELL_UNDECIDED], kernel->reason[0] ? ": " : "", kernel->reason);
	else
		matrix_note(m, "%s: %s: %s", kernel->name,
			    kernel->state == KERNEL_ABSENT ? "skipped" : "undecided", kernel->reason);
	if (m->output == OUTPUT_TAP)
		matrix_print_tap_kernel(m, k);
}

/* Decides kernel k's column: absent image, unbootable image, or a boot. */
static void run_kernel(struct matrix *m, int k, const struct vmtest_opts *o)
{
	struct matrix_kernel *kernel = &m->kernel[k];

	if (access(kernel->image, F_OK) != 0) {
		kernel->state = KERNEL_ABSENT;
		snprintf(kernel->reason, sizeof(kernel->reason), "no image at %s", kernel->image);
		set_column(m, k, CELL_SKIPPED);
	} else if (!image_check(kernel->image, kernel->reason, sizeof(kernel->reason))) {
		kernel->state = KERNEL_UNDECIDED;
		image_hash(kernel->image, kernel->image_hash);
		set_column(m, k, CELL_UNDECIDED);
	} else {
		image_hash(kernel->image, kernel->image_hash);
		boot_one(m, k, o);
	}
	matrix_close_column(m, k);
}

/* The exit status and its one-line reason (see --help). */
static int decide_exit(const struct matrix *m, char *reason, size_t size)
{
	int cells = m->n_rows * m->n_kernels;
	int decided = m->count[CELL_AS_EXPECTED] + m->count[CELL_DISAGREES];

	if (m->count[CELL_DISAGREES]) {
		snprintf(reason, size, "%d of %d cells disagree with %s (%d undecided, %d skipped)",
			 m->count[CELL_DISAGREES], cells, m->table_path, m->count[CELL_UNDECIDED],
			 m->count[CELL_SKIPPED]);
		return VMTEST_BAD;
	}
	if (m->count[CELL_UNDECIDED]) {
		snprintf(reason, size, "%d of %d cells undecided, the %d decided ones as expected",
			 m->count[CELL_UNDECIDED], cells, decided);
		return VMTEST_SKIP;
	}
	if (!m->n_kernels && m->shard_count) {
		snprintf(reason, size, "slice %d/%d is empty: the run has %d kernel%s",
			 m->shard_index, m->shard_count, m->n_all_kernels,
			 m->n_all_kernels == 1 ? "" : "s");
		return VMTEST_GOOD;
	}
	if (!decided) {
		snprintf(reason, size, "nothing could be decided: every kernel image is absent");
		return VMTEST_SKIP;
	}
	snprintf(reason, size, "all %d cells as expected (%d skipped: absent images)", decided,
		 m->count[CELL_SKIPPED]);
	return VMTEST_GOOD;
}

/*
 * --shard I/N: keeps the kernels at positions I-1, I-1+N, ... of the run's order (the
 * table's, or --kernels'); all_kernels keeps that order for --merge.
 */
static void slice_kernels(struct matrix *m, const struct vmtest_opts *o)
{
	int kept = 0;

	m->n_all_kernels = m->n_kernels;
	for (int k = 0; k < m->n_kernels; k++)
		m->all_kernels[k] = m->kernel[k].name;
	if (!o->shard_count)
		return;
	m->shard_index = o->shard_index;
	m->shard_count = o->shard_count;
	for (int k = 0; k < m->n_kernels; k++)
		if (k % o->shard_count == o->shard_index - 1)
			m->kernel[kept++] = m->kernel[k];
	m->n_kernels = kept;
	if (!kept)
		matrix_note(m, "slice %d/%d is empty: the run has %d kernel%s", o->shard_index,
			    o->shard_count, m->n_all_kernels, m->n_all_kernels == 1 ? "" : "s");
}

/* Table, kernels, scenarios and the initramfs: everything before the first boot. */
static bool prepare(struct matrix *m, const struct vmtest_opts *o, struct payload *p)
{
	m->output = o->output;
	m->table_path = o->expected ? o->expected : default_table_path();
	m->table = &table;
	m->tap_next = 1;
	if (!expect_load(m->table_path, &table) || !choose_kernels(m, o))
		return false;
	slice_kernels(m, o);
	if (!payload_resolve(o, p))
		return false;
	for (int k = 0; k < m->n_kernels; k++)
		if (m->kernel[k].image)
			swap_find_modules(p, m->kernel[k].image);
	return boot_make_initramfs(o, p);
}

int matrix_finish(struct matrix *m, const struct vmtest_opts *o)
{
	struct outcome out = { .exit = VMTEST_SKIP };

	out.exit = decide_exit(m, out.reason, sizeof(out.reason));
	if (o->kcidb && !kcidb_write_matrix(m, o)) {
		out.exit = VMTEST_SKIP;
		snprintf(out.reason, sizeof(out.reason), "%s", vmtest_last_error);
	}
	matrix_print(m, out.exit, out.reason);
	report_result_line(&out);
	return out.exit;
}

int matrix_run(const struct vmtest_opts *o)
{
	static struct payload payload;
	struct matrix *m = &matrix;
	struct outcome out = { .exit = VMTEST_SKIP };

	if (!prepare(m, o, &payload)) {
		snprintf(out.reason, sizeof(out.reason), "%s", vmtest_last_error);
		matrix_print_early_failure(o->output, out.reason);
		report_result_line(&out);
		return VMTEST_SKIP;
	}
	choose_rows(m, o, &payload);
	matrix_print_tap_plan(m);
	for (int k = 0; k < m->n_kernels; k++)
		run_kernel(m, k, o);
	return matrix_finish(m, o);
}
