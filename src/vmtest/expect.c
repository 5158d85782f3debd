// SPDX-License-Identifier: GPL-2.0
/* The expected-results table and finding-class sets: see expect.h. */
#include "expect.h"
#include "model/checker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdicts[] = { "ok", "bug", "skip" };

bool class_set_add(class_set *set, const char *name, size_t len)
{
	for (int k = 0; k < FIND_CLASS_MAX; k++) {
		const char *known = finding_class_name(k);

		if (strlen(known) == len && !memcmp(known, name, len)) {
			*set |= 1u << k;
			return true;
		}
	}
	*set |= CLASS_SET_UNKNOWN;
	return false;
}

void class_set_format(class_set set, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!set) {
		snprintf(buf, size, "clean");
		return;
	}
	for (int k = 0; k < FIND_CLASS_MAX && n < size; k++)
		if (set & (1u << k))
			n += snprintf(buf + n, size - n, "%s%s", n ? "+" : "", finding_class_name(k));
	if ((set & CLASS_SET_UNKNOWN) && n < size)
		snprintf(buf + n, size - n, "%sUNKNOWN", n ? "+" : "");
}

static bool known_verdict(const char *v)
{
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (!strcmp(v, verdicts[i]))
			return true;
	return false;
}

/* "A+B" or "clean" into *set; false with why on an unknown or empty name. */
static bool parse_classes(const char *text, size_t len, class_set *set, char *why, size_t size)
{
	const char *end = text + len;

	*set = 0;
	if (!len) {
		snprintf(why, size, "no finding class before the '/' (write clean)");
		return false;
	}
	if (len == strlen("clean") && !memcmp(text, "clean", len))
		return true;
	while (text < end) {
		const char *plus = memchr(text, '+', end - text);
		size_t n = (plus ? plus : end) - text;

		if (!class_set_add(set, text, n)) {
			snprintf(why, size, "unknown finding class '%.*s' (LOST_WP, DROPPED_MARKER, "
				 "FALSE_WP, LOST_WRITE_BIT, or clean)", (int)n, text);
			return false;
		}
		text += n + (plus != NULL);
		if (plus && text == end) {
			snprintf(why, size, "a '+' with no class after it");
			return false;
		}
	}
	return true;
}

bool expect_cell_parse(const char *text, struct expect_cell *cell, char *why, size_t size)
{
	const char *slash = strchr(text, '/');

	memset(cell, 0, sizeof(*cell));
	if (!strcmp(text, "skip")) {
		snprintf(cell->verdict, sizeof(cell->verdict), "skip");
		return true;
	}
	if (!slash) {
		snprintf(why, size, "cell '%s' is not TRACER/SELF-CHECK (e.g. LOST_WP/bug, "
			 "clean/ok, skip)", text);
		return false;
	}
	if (!known_verdict(slash + 1)) {
		snprintf(why, size, "cell '%s': self-check '%s' is not ok, bug or skip", text,
			 slash + 1);
		return false;
	}
	snprintf(cell->verdict, sizeof(cell->verdict), "%s", slash + 1);
	return parse_classes(text, slash - text, &cell->classes, why, size);
}

void expect_cell_format(class_set classes, const char *verdict, char *buf, size_t size)
{
	char names[EXPECT_CELL_LEN];

	if (!classes && !strcmp(verdict, "skip")) {
		snprintf(buf, size, "skip");
		return;
	}
	class_set_format(classes, names, sizeof(names));
	snprintf(buf, size, "%s/%s", names, verdict[0] ? verdict : "-");
}

int expect_kernel_index(const struct expect_table *t, const char *kernel)
{
	for (int i = 0; i < t->n_kernels; i++)
		if (!strcmp(t->kernel[i], kernel))
			return i;
	return -1;
}

const struct expect_row *expect_find_row(const struct expect_table *t, const char *scenario)
{
	for (int i = 0; i < t->n_rows; i++)
		if (!strcmp(t->row[i].scenario, scenario))
			return &t->row[i];
	return NULL;
}

/* Where we are in the file, for the one error line. */
struct table_reader {
	const char *path;
	int line;
	char why[300];
};

static bool table_error(struct table_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool table_error(struct table_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return false;
}

/* Copies field into dst (a name column); false when empty or too long. */
static bool take_name(struct table_reader *r, const char *field, char *dst, const char *what)
{
	if (!*field || strlen(field) >= EXPECT_NAME_LEN)
		return table_error(r, "%s name '%s' is empty or longer than %d characters", what,
				   field, EXPECT_NAME_LEN - 1);
	snprintf(dst, EXPECT_NAME_LEN, "%s", field);
	return true;
}

static bool parse_header(struct table_reader *r, char *line, struct expect_table *t)
{
	char *field = strsep(&line, "\t");

	if (strcmp(field, "scenario"))
		return table_error(r, "the header must start with 'scenario', not '%s'", field);
	while ((field = strsep(&line, "\t"))) {
		if (t->n_kernels >= EXPECT_MAX_KERNELS)
			return table_error(r, "more than %d kernel columns", EXPECT_MAX_KERNELS);
		if (!take_name(r, field, t->kernel[t->n_kernels], "kernel"))
			return false;
		if (expect_kernel_index(t, field) >= 0)
			return table_error(r, "kernel column '%s' appears twice", field);
		t->n_kernels++;
	}
	if (!t->n_kernels)
		return table_error(r, "the header names no kernel column");
	return true;
}

static bool parse_row(struct table_reader *r, char *line, struct expect_table *t)
{
	struct expect_row *row = &t->row[t->n_rows];
	char *field = strsep(&line, "\t");
	int n = 0;

	if (t->n_rows >= VMTEST_MAX_LIST)
		return table_error(r, "more than %d scenario rows", VMTEST_MAX_LIST);
	if (!take_name(r, field, row->scenario, "scenario"))
		return false;
	if (expect_find_row(t, row->scenario))
		return table_error(r, "scenario '%s' has two rows", row->scenario);
	while ((field = strsep(&line, "\t"))) {
		if (n >= t->n_kernels)
			return table_error(r, "more cells than the header's %d kernel columns",
					   t->n_kernels);
		if (!expect_cell_parse(field, &row->cell[n], r->why, sizeof(r->why)))
			return false;
		n++;
	}
	if (n != t->n_kernels)
		return table_error(r, "%d cells, the header has %d kernel columns", n,
				   t->n_kernels);
	t->n_rows++;
	return true;
}

static bool parse_lines(struct table_reader *r, FILE *f, struct expect_table *t)
{
	char *line = NULL;
	size_t cap = 0;
	bool ok = true, have_header = false;

	while (ok && getline(&line, &cap, f) >= 0) {
		r->line++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		ok = have_header ? parse_row(r, line, t) : parse_header(r, line, t);
		have_header = true;
	}
	free(line);
	if (ok && !have_header) {
		r->line = 0;
		ok = table_error(r, "no header line (scenario<TAB>KERNEL...)");
	}
	return ok;
}

bool expect_load(const char *path, struct expect_table *t)
{
	struct table_reader r = { .path = path };
	FILE *f = fopen(path, "r");
	bool ok;

	memset(t, 0, sizeof(*t));
	if (!f) {
		vmtest_err("cannot read the expected table %s: %s (give --expected FILE)", path,
			   strerror(errno));
		return false;
	}
	ok = parse_lines(&r, f, t);
	fclose(f);
	if (!ok && r.line)
		vmtest_err("%s:%d: %s", path, r.line, r.why);
	else if (!ok)
		vmtest_err("%s: %s", path, r.why);
	return ok;
}
