// SPDX-License-Identifier: GPL-2.0
/* Parser of the guest console protocol: see console.h. */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void console_init(struct console *c)
{
	memset(c, 0, sizeof(*c));
	c->hugepages = c->numa_nodes = -1;
}

void console_release(struct console *c)
{
	for (int i = 0; i < c->n_runs; i++)
		free(c->runs[i].summary);
	memset(c, 0, sizeof(*c));
}

static void copy_field(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Value of "key=" in a marker line as a string, up to the next blank. */
static void marker_word(const char *line, const char *key, char *dst, size_t size)
{
	const char *p = strstr(line, key);

	if (!p) {
		*dst = '\0';
		return;
	}
	p += strlen(key);
	copy_field(dst, size, p, strcspn(p, " \t"));
}

/* Integer after "key" (e.g. "status=" or "\"lost\":"), or dflt. */
static long number_after(const char *line, const char *key, long dflt)
{
	const char *p = strstr(line, key);
	char *end;
	long v;

	if (!p)
		return dflt;
	v = strtol(p + strlen(key), &end, 10);
	return end == p + strlen(key) ? dflt : v;
}

static void remember_tail(struct console *c, const char *line)
{
	copy_field(c->tail[c->tail_next], sizeof(c->tail[0]), line, strlen(line));
	c->tail_next = (c->tail_next + 1) % CONSOLE_TAIL_LINES;
	if (c->tail_count < CONSOLE_TAIL_LINES)
		c->tail_count++;
}

/* The last non-empty line of the tail before the current one, or "". */
static const char *previous_line(const struct console *c)
{
	for (int back = 2; back <= c->tail_count; back++) {
		const char *l = c->tail[(c->tail_next - back + CONSOLE_TAIL_LINES) % CONSOLE_TAIL_LINES];

		if (l[strspn(l, " \t")])
			return l;
	}
	return "";
}

/* The first oops of the run and where it happened: the panic line itself only says
 * "Fatal exception", and the first oops is the one that matters (later ones follow it). */
static void note_oops(struct console *c, const char *line)
{
	static const char *const starts[] = { "Oops: ", "BUG: ", "kernel BUG at ",
					      "general protection fault" };
	const char *rip = strstr(line, "RIP: 0010:");
	size_t len;

	if (!c->oops[0]) {
		for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
			const char *p = strstr(line, starts[i]);

			if (p) {
				copy_field(c->oops, sizeof(c->oops), p, strlen(p));
				return;
			}
		}
	} else if (rip && !strstr(c->oops, " at ")) {
		rip += strlen("RIP: 0010:");
		len = strlen(c->oops);
		snprintf(c->oops + len, sizeof(c->oops) - len, " at %.*s", (int)strcspn(rip, " \t"),
			 rip);
	}
}

static void note_fatal(struct console *c, const char *line)
{
	const char *panic = strstr(line, "Kernel panic - not syncing");

	if (c->panic[0])
		return;
	if (panic) {
		copy_field(c->panic, sizeof(c->panic), panic, strlen(panic));
	} else if (strstr(line, CONSOLE_HALTED)) {
		snprintf(c->panic, sizeof(c->panic), "%s -- %s", previous_line(c), CONSOLE_HALTED);
		c->halted = true;
	}
}

static void on_begin(struct console *c, const char *args)
{
	struct guest_run *r;
	const char *name;

	if (c->n_runs >= VMTEST_MAX_LIST)
		return;
	r = &c->runs[c->n_runs++];
	memset(r, 0, sizeof(*r));
	r->findings = r->lost = -1;
	r->is_command = !strncmp(args, "command", 7);
	name = r->is_command ? "command" : args + strlen("scenario ");
	copy_field(r->name, sizeof(r->name), name, strcspn(name, " \t"));
	r->began = vmtest_now();
	c->current = r;
}

static void on_end(struct console *c, const char *args)
{
	if (!c->current)
		return;
	c->current->status = number_after(args, "status=", -1);
	c->current->ended = true;
	c->current->seconds = vmtest_now() - c->current->began;
	c->current = NULL;
}

static void on_marker(struct console *c, const char *m)
{
	const char *args = m + strlen(CONSOLE_MARKER) + 1;

	if (!strncmp(args, "init ", 5)) {
		c->init_started = true;
		marker_word(args, "release=", c->release, sizeof(c->release));
		c->hugepages = number_after(args, "hugepages=", -1);
		c->numa_nodes = number_after(args, "nodes=", -1);
	} else if (!strncmp(args, "swap ", 5)) {
		copy_field(c->swap, sizeof(c->swap), args + 5, strlen(args + 5));
	} else if (!strncmp(args, "begin ", 6)) {
		on_begin(c, args + 6);
	} else if (!strncmp(args, "end ", 4)) {
		on_end(c, args + 4);
	} else if (!strncmp(args, "done", 4)) {
		c->done = true;
	}
}

/* A {"type":"finding","class":"NAME",...} line of the tracer: NAME joins the run's set. */
static void note_finding_class(struct guest_run *r, const char *finding)
{
	const char *key = "\"class\":\"";
	const char *name = strstr(finding, key);

	if (name) {
		name += strlen(key);
		class_set_add(&r->classes, name, strcspn(name, "\""));
	}
}

/* Lines of the running scenario: the tracer's summary and findings, and the self-check. */
static void on_run_output(struct guest_run *r, const char *line)
{
	const char *summary = strstr(line, "{\"type\":\"summary\"");
	const char *finding = strstr(line, "{\"type\":\"finding\"");
	const char *check = strstr(line, "scenario: ");

	if (summary) {
		free(r->summary);
		r->summary = strdup(summary);
		r->findings = number_after(summary, "\"findings\":", -1);
		r->lost = number_after(summary, "\"lost\":", -1);
	}
	if (finding)
		note_finding_class(r, finding);
	if (check && strstr(check, " verdict=")) {
		const char *reason;

		marker_word(check, " verdict=", r->verdict, sizeof(r->verdict));
		reason = strstr(check, " verdict=") + strlen(" verdict=") + strlen(r->verdict);
		reason += strspn(reason, " \t");
		copy_field(r->verdict_reason, sizeof(r->verdict_reason), reason, strlen(reason));
	}
}

/* kernel: a line of the kernel's console, where the banner, an oops, a panic and the
 * boot stub's halt can come; the job line carries only /init's and its job's output. */
static bool feed(struct console *c, const char *line, bool kernel)
{
	const char *marker = strstr(line, CONSOLE_MARKER " ");

	remember_tail(c, line);
	if (kernel) {
		if (!c->kernel_started && strstr(line, "Linux version "))
			c->kernel_started = true;
		note_oops(c, line);
		note_fatal(c, line);
	}
	if (marker) {
		on_marker(c, marker);
		return true;
	}
	if (c->current && !c->current->is_command)
		on_run_output(c->current, line);
	return false;
}

bool console_feed(struct console *c, const char *line)
{
	return feed(c, line, true);
}

bool console_feed_job(struct console *c, const char *line)
{
	return feed(c, line, false);
}

const struct guest_run *console_find_run(const struct console *c, const char *name)
{
	for (int i = 0; i < c->n_runs; i++)
		if (!strcmp(c->runs[i].name, name))
			return &c->runs[i];
	return NULL;
}

void console_print_tail(const struct console *c, FILE *f, const char *prefix)
{
	int first = (c->tail_next - c->tail_count + CONSOLE_TAIL_LINES) % CONSOLE_TAIL_LINES;

	for (int i = 0; i < c->tail_count; i++)
		fprintf(f, "%s%s\n", prefix, c->tail[(first + i) % CONSOLE_TAIL_LINES]);
}
