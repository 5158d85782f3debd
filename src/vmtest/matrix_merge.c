// SPDX-License-Identifier: GPL-2.0
/*
 * --merge FILE...: the matrix JSON of every slice of one `--matrix --shard I/N` run read
 * back into one struct matrix, which then goes through the printers and the KCIDB report
 * of an unsharded run (matrix_close_column, matrix_finish): same matrix, TAP, JSON, KCIDB
 * and exit status. The table's expectations come from the cells' "expected" texts, so
 * the merging machine needs neither the table nor the images.
 */
#include "matrix.h"
#include "matrix_print.h"
#include "report.h"
#include "report/json_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One slice file, parsed (its strings stay in the tree until the program ends). */
struct slice {
	const char *path;
	struct json_value *doc;
	int index, count;		/* 1/1 for an unsharded run's JSON */
	const struct json_value *all;	/* the run's kernel names (shard.kernels), or NULL */
};

static struct slice slices[VMTEST_MAX_LIST];
static struct expect_table table;	/* rebuilt from the cells' expectations */
static struct matrix matrix;

static bool merge_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool merge_error(const char *fmt, ...)
{
	char msg[sizeof(vmtest_last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vmtest_err("--merge: %s", msg);
	return false;
}

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, buf[65536];
	size_t size = 0, n;
	FILE *out;

	if (!f)
		return NULL;
	out = open_memstream(&text, &size);
	while (out && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, out);
	if (out)
		fclose(out);
	if (ferror(f)) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static int name_index(const char *name, const char *(*name_of)(int), int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(name, name_of(i)))
			return i;
	return -1;
}

static const char *cell_state_of(int s) { return matrix_cell_state_name(s); }
static const char *kernel_state_of(int s) { return matrix_kernel_state_name(s); }

static bool load_slice(struct slice *s)
{
	char *text = read_whole(s->path), err[160];
	const struct json_value *shard;

	if (!text)
		return merge_error("%s: %s", s->path, strerror(errno));
	s->doc = json_parse(text, err, sizeof(err));
	free(text);
	if (!s->doc)
		return merge_error("%s is not JSON: %s", s->path, err);
	if (!json_get(s->doc, "rows") || !json_get(s->doc, "kernels") || !json_get(s->doc, "cells"))
		return merge_error("%s is not the JSON of a matrix run%s%s", s->path,
				   json_get_str(s->doc, "reason", NULL) ? ": " : "",
				   json_get_str(s->doc, "reason", ""));
	shard = json_get(s->doc, "shard");
	s->index = (int)json_get_num(shard, "index", 1);
	s->count = (int)json_get_num(shard, "count", 1);
	s->all = json_get(shard, "kernels");
	if (s->index < 1 || s->index > s->count || (shard && (!s->all || s->all->type != JSON_ARRAY)))
		return merge_error("%s: a malformed \"shard\" object", s->path);
	return true;
}

/* The same rows (scenario, in_table, program) in the same order. */
static bool same_rows(const struct json_value *a, const struct json_value *b)
{
	static const char *const keys[] = { "in_table", "program" };

	if (!a || !b || a->type != JSON_ARRAY || b->type != JSON_ARRAY || a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++) {
		if (strcmp(json_get_str(&a->item[i], "scenario", ""),
			   json_get_str(&b->item[i], "scenario", "")))
			return false;
		for (int k = 0; k < 2; k++)
			if (json_get_bool(&a->item[i], keys[k], false) !=
			    json_get_bool(&b->item[i], keys[k], false))
				return false;
	}
	return true;
}

/* The same list of kernel names (shard.kernels), or both absent. */
static bool same_names(const struct json_value *a, const struct json_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (a->item[i].type != JSON_STRING || b->item[i].type != JSON_STRING ||
		    strcmp(a->item[i].string, b->item[i].string))
			return false;
	return true;
}

/* Every slice of the same run, each once, none missing. */
static bool check_slices(int n)
{
	const struct slice *first = &slices[0];
	const char *seen[VMTEST_MAX_LIST] = { NULL };

	for (int i = 0; i < n; i++) {
		const struct slice *s = &slices[i];

		if (strcmp(json_get_str(s->doc, "table", ""), json_get_str(first->doc, "table", "")) ||
		    !same_rows(json_get(s->doc, "rows"), json_get(first->doc, "rows")))
			return merge_error("%s and %s ran different tables or scenarios", first->path,
					   s->path);
		if (s->count != first->count || !same_names(s->all, first->all))
			return merge_error("%s and %s are slices of different runs (kernels or N "
					   "differ)", first->path, s->path);
		if (seen[s->index - 1])
			return merge_error("%s and %s are both slice %d/%d", seen[s->index - 1],
					   s->path, s->index, s->count);
		seen[s->index - 1] = s->path;
	}
	for (int i = 0; i < first->count; i++)
		if (!seen[i])
			return merge_error("slice %d/%d is missing", i + 1, first->count);
	return true;
}

static bool load_rows(struct matrix *m, const struct json_value *rows)
{
	if (rows->type != JSON_ARRAY || rows->n > VMTEST_MAX_LIST)
		return merge_error("\"rows\" is not a list of at most %d scenarios", VMTEST_MAX_LIST);
	for (int r = 0; r < rows->n; r++) {
		const struct json_value *row = &rows->item[r];
		struct expect_row *e = &table.row[table.n_rows++];

		snprintf(e->scenario, sizeof(e->scenario), "%s", json_get_str(row, "scenario", ""));
		m->row[r].scenario = e->scenario;
		m->row[r].expected = json_get_bool(row, "in_table", false) ? e : NULL;
		m->row[r].has_binary = json_get_bool(row, "program", false);
	}
	m->n_rows = rows->n;
	return true;
}

/* The run's kernels in order: the shard's list, or (unsharded) the kernels themselves. */
static bool kernel_names(const struct slice *s, const char **names, int *n)
{
	const struct json_value *list = s->all ? s->all : json_get(s->doc, "kernels");

	if (list->type != JSON_ARRAY || list->n > EXPECT_MAX_KERNELS)
		return merge_error("%s: not a list of at most %d kernels", s->path, EXPECT_MAX_KERNELS);
	for (int k = 0; k < list->n; k++) {
		names[k] = s->all ? (list->item[k].type == JSON_STRING ? list->item[k].string : NULL)
				  : json_get_str(&list->item[k], "name", NULL);
		if (!names[k])
			return merge_error("%s: a kernel without a name", s->path);
	}
	*n = list->n;
	return true;
}

static char *copy_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Kernel k of the run, from slice s's JSON object j. */
static bool load_kernel(struct matrix *m, int k, const struct slice *s, const struct json_value *j)
{
	struct matrix_kernel *kernel = &m->kernel[k];
	const char *log = json_get_str(j, "console_log", NULL);
	int state = name_index(json_get_str(j, "state", ""), kernel_state_of, KERNEL_UNDECIDED + 1);

	if (state < 0)
		return merge_error("%s: kernel %s has no known state", s->path, kernel->name);
	kernel->column = k;
	kernel->state = state;
	kernel->image = copy_or_null(json_get_str(j, "image", ""));
	kernel->booted = json_get_bool(j, "booted", false);
	kernel->config = copy_or_null(json_get_str(j, "config", NULL));
	snprintf(kernel->image_hash, sizeof(kernel->image_hash), "%s", json_get_str(j, "image_hash", ""));
	snprintf(kernel->reason, sizeof(kernel->reason), "%s", json_get_str(j, "reason", ""));
	snprintf(kernel->release, sizeof(kernel->release), "%s", json_get_str(j, "release", ""));
	snprintf(kernel->accel_note, sizeof(kernel->accel_note), "%s",
		 json_get_str(j, "accel_note", ""));
	kernel->accel = json_get_str(j, "accel", "");
	kernel->boot_s = json_get_num(j, "boot_ms", 0) / 1000;
	kernel->total_s = json_get_num(j, "total_ms", 0) / 1000;
	/* the logs' prefix: console_log_path() adds ".console.log" */
	if (log && strlen(log) > strlen(".console.log"))
		kernel->log_base = strndup(log, strlen(log) - strlen(".console.log"));
	return true;
}

/* "clean" or "A+B" (class_set_format's form) back into a set. */
static class_set parse_classes(const char *text)
{
	class_set set = 0;

	for (const char *p = text; strcmp(text, "clean") && *p; p += *p == '+') {
		size_t len = strcspn(p, "+");

		class_set_add(&set, p, len);
		p += len;
	}
	return set;
}

static bool load_cell(struct matrix *m, int r, int k, const struct slice *s,
		      const struct json_value *j)
{
	struct matrix_cell *c = &m->cell[r][k];
	const char *expected = json_get_str(j, "expected", ""), *tracer = json_get_str(j, "tracer", NULL);
	int state = name_index(json_get_str(j, "state", ""), cell_state_of, CELL_STATES);
	struct expect_row *row = &table.row[r];
	char why[160];

	if (state < 0 || strcmp(json_get_str(j, "scenario", ""), m->row[r].scenario) ||
	    strcmp(json_get_str(j, "kernel", ""), m->kernel[k].name))
		return merge_error("%s: the cell of %s on %s is missing or malformed", s->path,
				   m->row[r].scenario, m->kernel[k].name);
	if (m->row[r].expected && !expect_cell_parse(expected, &row->cell[k], why, sizeof(why)))
		return merge_error("%s: %s on %s: %s", s->path, m->row[r].scenario,
				   m->kernel[k].name, why);
	memset(c, 0, sizeof(*c));
	c->expected = m->row[r].expected ? &row->cell[k] : NULL;
	c->state = state;
	c->started = json_get_bool(j, "started", false);
	c->finished = tracer != NULL;
	c->classes = tracer ? parse_classes(tracer) : 0;
	c->tracer_status = (int)json_get_num(j, "tracer_exit", 0);
	snprintf(c->verdict, sizeof(c->verdict), "%s", json_get_str(j, "self_check", ""));
	c->seconds = json_get_num(j, "seconds", 0);
	c->findings = (long)json_get_num(j, "findings", -1);
	c->lost = (long)json_get_num(j, "lost", -1);
	c->output_logged = json_get(j, "output_log") != NULL;
	c->tracer_agrees = json_get_bool(j, "tracer_agrees", state == CELL_AS_EXPECTED);
	c->self_check_agrees = json_get_bool(j, "self_check_agrees", state == CELL_AS_EXPECTED);
	snprintf(c->why, sizeof(c->why), "%s", json_get_str(j, "why", ""));
	return true;
}

/* Slice s's kernels and their cells into the run's columns. */
static bool load_columns(struct matrix *m, const struct slice *s)
{
	const struct json_value *kernels = json_get(s->doc, "kernels"), *cells = json_get(s->doc, "cells");
	int next_cell = 0;

	if (kernels->type != JSON_ARRAY || cells->type != JSON_ARRAY ||
	    cells->n != kernels->n * m->n_rows)
		return merge_error("%s: %d cells for %d kernels and %d scenarios", s->path,
				   cells->n, kernels->n, m->n_rows);
	for (int i = 0; i < kernels->n; i++) {
		const char *name = json_get_str(&kernels->item[i], "name", "");
		int k = 0;

		while (k < m->n_kernels && strcmp(m->kernel[k].name, name))
			k++;
		if (k == m->n_kernels || k % s->count != s->index - 1)
			return merge_error("%s: kernel %s is not in slice %d/%d of the run", s->path,
					   name, s->index, s->count);
		if (!load_kernel(m, k, s, &kernels->item[i]))
			return false;
	}
	/* the printers' order: row by row, each over the slice's kernels */
	for (int r = 0; r < m->n_rows; r++)
		for (int i = 0; i < kernels->n; i++, next_cell++) {
			int k = 0;

			while (strcmp(m->kernel[k].name, json_get_str(&kernels->item[i], "name", "")))
				k++;
			if (!load_cell(m, r, k, s, &cells->item[next_cell]))
				return false;
		}
	return true;
}

static bool load_all(struct matrix *m, const struct vmtest_opts *o)
{
	const char *names[EXPECT_MAX_KERNELS];
	int n = 0;

	for (int i = 0; i < o->n_merge; i++) {
		slices[i].path = o->merge[i];
		if (!load_slice(&slices[i]))
			return false;
	}
	if (!check_slices(o->n_merge) || !kernel_names(&slices[0], names, &n) ||
	    !load_rows(m, json_get(slices[0].doc, "rows")))
		return false;
	m->table_path = json_get_str(slices[0].doc, "table", "");
	for (int k = 0; k < n; k++) {
		snprintf(table.kernel[k], sizeof(table.kernel[k]), "%s", names[k]);
		m->kernel[k].name = table.kernel[k];
		m->all_kernels[k] = table.kernel[k];
	}
	table.n_kernels = m->n_kernels = m->n_all_kernels = n;
	for (int i = 0; i < o->n_merge; i++)
		if (!load_columns(m, &slices[i]))
			return false;
	for (int k = 0; k < n; k++)
		if (!m->kernel[k].image)
			return merge_error("kernel %s is in no slice", m->kernel[k].name);
	return true;
}

int matrix_merge(const struct vmtest_opts *o)
{
	struct matrix *m = &matrix;
	struct outcome out = { .exit = VMTEST_SKIP };

	m->output = o->output;
	m->table = &table;
	m->tap_next = 1;
	if (!load_all(m, o)) {
		snprintf(out.reason, sizeof(out.reason), "%s", vmtest_last_error);
		matrix_print_early_failure(o->output, out.reason);
		report_result_line(&out);
		return VMTEST_SKIP;
	}
	matrix_print_tap_plan(m);
	for (int k = 0; k < m->n_kernels; k++) {
		if (m->kernel[k].booted)
			matrix_note_booting(m, k);
		matrix_close_column(m, k);
	}
	return matrix_finish(m, o);
}
