/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP harness: ok()/not ok lines, the plan at the end, exit status; and a
 * table of tests (as the kernel's selftests/mm/uffd-unit-tests.c keeps one) that
 * tap_main() runs, lists (-l) or filters by name (-f SUBSTRING).
 */
#ifndef UFFDWP_TAP_H
#define UFFDWP_TAP_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One count for the program, however many of its files include this (test_checker's
 * cases are in several): weak, so the linker keeps one copy for all of them. */
__attribute__((weak)) int tap_count, tap_failures;

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

/* One test of a table: a function without an argument, or one called with arg. */
struct tap_test {
	const char *name;
	void (*run)(void);
	void (*run_arg)(long arg);
	long arg;
};
/* A table entry named after the function, and after the argument as written. */
#define TAP_TEST(fn) { #fn, fn, NULL, 0 }
#define TAP_TEST_ARG(fn, a) { #fn "(" #a ")", NULL, fn, a }
#define TAP_TESTS(table) (table), sizeof(table) / sizeof((table)[0])

static inline bool tap_test_wanted(const struct tap_test *t, const char *filter)
{
	return !filter || strstr(t->name, filter);
}

/*
 * The main() of a table of tests: runs them in order (those whose name contains
 * -f's SUBSTRING), or lists their names (-l), and returns tap_done()'s status;
 * 2 on a usage error or when no name matches.
 */
static inline int tap_main(const struct tap_test *tests, size_t n, int argc, char **argv)
{
	const char *filter = NULL;
	bool list = false;
	size_t wanted = 0;
	int opt;

	while ((opt = getopt(argc, argv, "lf:h")) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 'f':
			filter = optarg;
			break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: %s [-l] [-f SUBSTRING]\n"
				"  -l            list the tests (those -f selects)\n"
				"  -f SUBSTRING  only the tests whose name contains SUBSTRING\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (try -h)\n", argv[0], argv[optind]);
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		wanted += tap_test_wanted(&tests[i], filter);
	if (!wanted) {
		fprintf(stderr, "%s: no test name contains '%s' (try -l)\n", argv[0], filter);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tap_test *t = &tests[i];

		if (!tap_test_wanted(t, filter))
			continue;
		if (list)
			printf("%s\n", t->name);
		else if (t->run)
			t->run();
		else
			t->run_arg(t->arg);
	}
	return list ? 0 : tap_done();
}

#endif
