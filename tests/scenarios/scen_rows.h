/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: table-driven scenarios, one row per backing: rows_add(),
 * rows_end()'s verdict of the rows, scen_run_backings() and the main() it makes
 * (SCEN_MAIN_BACKINGS()).
 */
#ifndef UFFDWP_SCEN_ROWS_H
#define UFFDWP_SCEN_ROWS_H

#include <stdarg.h>
#include <stdio.h>

#include "scen_region.h"
#include "scen_report.h"

/* ------------------------------------------------------------------ */
/* Table-driven scenarios: one row per backing                         */

struct scen_rows {
	unsigned int ok, bug, skip;
	char detail[400];
	size_t used;
};

/* Records one backing's outcome as "backing:verdict(detail)" in the line. */
__attribute__((format(printf, 4, 5)))
static inline void rows_add(struct scen_rows *t, enum backing b, enum scen_verdict v,
			    const char *fmt, ...)
{
	char row[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(row, sizeof(row), fmt, ap);
	va_end(ap);
	t->ok += v == VERDICT_OK;
	t->bug += v == VERDICT_BUG;
	t->skip += v == VERDICT_SKIP;
	n = snprintf(t->detail + t->used, sizeof(t->detail) - t->used, "%s%s:%s(%s)",
		     t->used ? ";" : "", backing_name(b), scen_verdict_name(v), row);
	if (n > 0)
		t->used = t->used + n < sizeof(t->detail) ? t->used + n : sizeof(t->detail) - 1;
}

/* bug if any backing saw the bug, ok if any ran clean, else skip. */
__attribute__((noreturn))
static inline void rows_end(struct scen_rows *t)
{
	enum scen_verdict v = t->bug ? VERDICT_BUG : t->ok ? VERDICT_OK : VERDICT_SKIP;

	scen_end(v, "%s", t->detail);
}

/*
 * A scenario run once per backing: scen_begin(name), then prepare() unless NULL (e.g. to
 * skip when the kernel lacks a feature), run_backing() on each backing, one row each,
 * and the verdict of the rows (rows_end() exits).
 */
static inline int scen_run_backings(const char *name, void (*prepare)(void),
				    const enum backing *backings, size_t n,
				    void (*run_backing)(struct scen_rows *, enum backing))
{
	struct scen_rows rows = { 0 };

	scen_begin(name);
	if (prepare)
		prepare();
	for (size_t i = 0; i < n; i++)
		run_backing(&rows, backings[i]);
	rows_end(&rows);
	return 0;
}

/*
 * The main() of such a scenario, with its static run_backing():
 *   SCEN_MAIN_BACKINGS("name", NULL, BACKING_ANON, BACKING_SHMEM)
 */
#define SCEN_MAIN_BACKINGS(name, prepare, ...)                                              \
	int main(void)                                                                      \
	{                                                                                   \
		static const enum backing backings[] = { __VA_ARGS__ };                     \
                                                                                            \
		return scen_run_backings(name, prepare, backings,                           \
					 sizeof(backings) / sizeof(backings[0]), run_backing); \
	}

#endif /* UFFDWP_SCEN_ROWS_H */
