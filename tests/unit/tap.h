/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny TAP harness: ok()/not ok lines, the plan at the end, exit status. */
#ifndef UFFDWP_TAP_H
#define UFFDWP_TAP_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_count, tap_failures;

static inline bool tap_ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass)
		tap_failures++;
	return pass;
}

/* Prints a diagnostic line ("# ..."), for context on failures. */
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Prints the plan; the test's exit status. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
