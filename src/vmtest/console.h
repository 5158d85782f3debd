/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest console protocol. /init (initramfs.c) prints marker lines around each run:
 *
 *   @@uffdwp-vmtest swap on /dev/vda N KiB | swap off (WHY)  before init: the guest's swap
 *   @@uffdwp-vmtest init release=R hugepages=N nodes=N   /init is running
 *   @@uffdwp-vmtest begin scenario NAME | begin command
 *   @@uffdwp-vmtest end scenario NAME status=S | end command status=S
 *   @@uffdwp-vmtest done                                 every run finished
 *
 * Inside a scenario run the parser also keeps the tracer's last {"type":"summary",...} line,
 * the classes of its {"type":"finding","class":...} lines and the scenario's own self-check
 * "scenario: NAME verdict=ok|bug|skip REASON". Markers are
 * matched anywhere in a line: output without a final newline may precede them.
 *
 * /init writes all of it on the guest's second serial line, CONSOLE_JOB_TTY, which the
 * kernel never writes to: its messages stay on the first (console=ttyS0) and cannot cut
 * a line in two (qemu.c reads each line apart). Both feed the same parse, a line at a
 * time but not in the order the guest printed them: a kernel line can come a pipe's worth
 * of job output early or late, so which run a kernel message falls in is approximate.
 * Without a usable CONSOLE_JOB_TTY, /init prints on the console as before.
 */
#ifndef UFFDWP_VMTEST_CONSOLE_H
#define UFFDWP_VMTEST_CONSOLE_H
#include "expect.h"
#include "vmtest.h"

#include <stdio.h>

#define CONSOLE_MARKER "@@uffdwp-vmtest"
#define CONSOLE_JOB_TTY "/dev/ttyS1"
#define CONSOLE_TAIL_LINES 30
/* Printed without a newline by the x86 boot stub's error() (arch/x86/boot/compressed/misc.c) */
#define CONSOLE_HALTED "System halted"

struct guest_run {
	char name[64];			/* scenario name, or "command" */
	bool is_command;
	bool ended;			/* its end marker was seen */
	int status;			/* exit status of the tracer (or the command) */
	char *summary;			/* the tracer's summary JSON line (malloc'd) */
	long findings, lost;		/* from the summary; -1 when absent */
	class_set classes;		/* of the tracer's finding lines */
	char verdict[16];		/* scenario self-check: ok, bug, skip; "" = none */
	char verdict_reason[160];
	double began, seconds;		/* when its begin marker came; begin to end */
};

struct console {
	bool kernel_started;		/* the kernel printed its "Linux version" banner */
	bool init_started;
	bool done;
	char panic[200];		/* the "Kernel panic" line, or the decompressor's
					 * "... -- System halted"; "" if none */
	bool halted;			/* the boot stub halted: QEMU will never exit */
	char oops[200];			/* the first "Oops:"/"BUG:"/"general protection
					 * fault" line and the kernel RIP after it, as
					 * "Oops: ... at func+0x9/0x190"; "" if none */
	char release[80];
	int hugepages, numa_nodes;
	char swap[160];			/* "on /dev/vda N KiB" or "off (why)"; "" = not said */
	struct guest_run runs[VMTEST_MAX_LIST];
	int n_runs;
	struct guest_run *current;	/* between a begin and its end marker */
	char tail[CONSOLE_TAIL_LINES][200];	/* last lines, for a failure's diagnosis */
	int tail_next, tail_count;
};

/* Starts a fresh parse; c must be zeroed or have been through console_release(). */
void console_init(struct console *c);
/* Frees what the parse allocated (the summaries). */
void console_release(struct console *c);
/* Parses one line (no trailing newline) of the kernel's console, or of the job line
 * (console_feed_job(): a guest program's text there is no oops, panic or halt); returns
 * true for a marker line. */
bool console_feed(struct console *c, const char *line);
bool console_feed_job(struct console *c, const char *line);
/* The run called name ("command" for a guest command), or NULL if it never began. */
const struct guest_run *console_find_run(const struct console *c, const char *name);
/* Prints the last console lines to f, each prefixed with prefix. */
void console_print_tail(const struct console *c, FILE *f, const char *prefix);

#endif
