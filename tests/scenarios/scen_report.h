/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: the verdict and errors.  scen_begin() names the
 * scenario, scen_end() prints its one result line and exits (a forked
 * child's exit code instead), scen_fail() and SCEN_CHECK() end it as an
 * error when an operation it relies on fails.
 */
#ifndef UFFDWP_SCEN_REPORT_H
#define UFFDWP_SCEN_REPORT_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Verdict and errors                                                  */

enum scen_verdict {
	VERDICT_OK = 0,
	VERDICT_BUG = 1,
	VERDICT_ERROR = 2,
	VERDICT_SKIP = 77,
};

/* Child exit codes, so the parent can name what the child saw. */
enum child_result {
	CHILD_OK = 0,
	CHILD_BUG = 1,
	CHILD_ERROR = 2,
	CHILD_SKIP = 3,
};

static const char *scen_name = "unnamed";
/* Set in forked children: they report through their exit code, not a line. */
static bool scen_is_child;

static inline void scen_begin(const char *name)
{
	scen_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline const char *scen_verdict_name(enum scen_verdict v)
{
	switch (v) {
	case VERDICT_OK: return "ok";
	case VERDICT_BUG: return "bug";
	case VERDICT_SKIP: return "skip";
	default: return "error";
	}
}

/* The one result line; the detail has no newline and uses key=value words. */
__attribute__((noreturn, format(printf, 2, 3)))
static inline void scen_end(enum scen_verdict v, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (scen_is_child) {
		fprintf(stderr, "%s: child: verdict=%s detail=%s\n", scen_name,
			scen_verdict_name(v), detail);
		_exit(v == VERDICT_OK ? CHILD_OK : v == VERDICT_BUG ? CHILD_BUG :
		      v == VERDICT_SKIP ? CHILD_SKIP : CHILD_ERROR);
	}
	printf("scenario: %s verdict=%s detail=%s\n", scen_name, scen_verdict_name(v), detail);
	fflush(stdout);
	exit(v);
}

/* An operation the scenario relies on failed: not a kernel verdict. */
#define scen_fail(what)                                                          \
	do {                                                                     \
		int e_ = errno;                                                  \
		fprintf(stderr, "%s: %s:%d: %s: %s\n", scen_name, __FILE__,      \
			__LINE__, (what), strerror(e_));                         \
		scen_end(VERDICT_ERROR, "%s_failed_errno=%d", (what), e_);       \
	} while (0)

/* Run a syscall-style expression; any negative result ends the scenario. */
#define SCEN_CHECK(expr)                                                         \
	do {                                                                     \
		if ((expr) < 0)                                                  \
			scen_fail(#expr);                                        \
	} while (0)

#endif /* UFFDWP_SCEN_REPORT_H */
