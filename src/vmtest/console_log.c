// SPDX-License-Identifier: GPL-2.0
/* The console and per-run logs a KCIDB report links to: see console_log.h. */
#include "console_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One boot is logged at a time (the matrix boots its kernels one after the other). */
static struct {
	char *base;
	FILE *console, *run;
	const struct guest_run *run_of;	/* whose output run holds */
	console_echo_fn next;
	bool failed;
} log_state;

char *console_log_base(const char *kcidb_path, const char *kernel)
{
	size_t len = strlen(kcidb_path), total;
	char *base;

	if (len > 5 && !strcmp(kcidb_path + len - 5, ".json"))
		len -= 5;
	total = len + strlen(kernel) + 2;
	base = malloc(total);
	if (base)
		snprintf(base, total, "%.*s.%s", (int)len, kcidb_path, kernel);
	return base;
}

char *console_log_path(const char *base, const char *run)
{
	size_t total = strlen(base) + (run ? strlen(run) : 0) + sizeof(".console.log") + 8;
	char *path = malloc(total);

	if (path && run)
		snprintf(path, total, "%s.%s.output.log", base, run);
	else if (path)
		snprintf(path, total, "%s.console.log", base);
	return path;
}

static FILE *open_log(const char *run)
{
	char *path = console_log_path(log_state.base, run);
	FILE *f = path ? fopen(path, "w") : NULL;

	if (!f && !log_state.failed)
		vmtest_err("cannot write %s: %s", path ? path : log_state.base, strerror(errno));
	log_state.failed |= !f;
	free(path);
	return f;
}

/* console_echo_fn: the line into the console log, and into its run's while one runs. */
static void log_echo(const struct console *c, const char *line, bool is_marker)
{
	if (log_state.console)
		fprintf(log_state.console, "%s\n", line);
	if (c->current != log_state.run_of) {	/* a begin marker: the run's own file */
		if (log_state.run)
			fclose(log_state.run);
		log_state.run = NULL;
		log_state.run_of = c->current;
		if (c->current)
			log_state.run = open_log(c->current->name);
	}
	if (log_state.run && !is_marker)
		fprintf(log_state.run, "%s\n", line);
	log_state.next(c, line, is_marker);
}

console_echo_fn console_log_start(const char *base, console_echo_fn next)
{
	memset(&log_state, 0, sizeof(log_state));
	log_state.base = strdup(base);
	log_state.next = next;
	if (!log_state.base || !(log_state.console = open_log(NULL))) {
		free(log_state.base);
		log_state.base = NULL;
		return NULL;
	}
	return log_echo;
}

bool console_log_stop(void)
{
	bool ok = !log_state.failed;

	if (log_state.run && fclose(log_state.run))
		ok = false;
	if (log_state.console && fclose(log_state.console))
		ok = false;
	if (!ok && !log_state.failed)
		vmtest_err("cannot write the console logs %s.*: %s", log_state.base, strerror(errno));
	free(log_state.base);
	memset(&log_state, 0, sizeof(log_state));
	return ok;
}
