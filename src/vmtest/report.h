/* SPDX-License-Identifier: GPL-2.0 */
/* The runner's verdict (exit status + one-line reason) and its text, TAP and JSON forms. */
#ifndef UFFDWP_VMTEST_REPORT_H
#define UFFDWP_VMTEST_REPORT_H
#include "console.h"
#include "initramfs.h"
#include "qemu.h"

struct outcome {
	enum vmtest_exit exit;
	char reason[512];
	char accel_note[400];	/* why KVM was not used, "" if it was or was not asked */
};

/* What one expected run (scenario or command) came to. */
enum run_state {
	RUN_CLEAN,		/* ran, tracer exit 0 (command: exit 0) */
	RUN_FINDING,		/* tracer exit 1 (command: bisect "bad" status) */
	RUN_UNDECIDED,		/* tracer exit 2/3/other, command 125-127 */
	RUN_NOT_FINISHED,	/* started, no end marker (panic, timeout) */
	RUN_NOT_STARTED,	/* r is NULL */
};

/* The runs a boot was to make: the scenarios to run, or the one guest "command". */
int report_expected_runs(const struct vmtest_opts *opts, const struct payload *p);
const char *report_expected_name(const struct vmtest_opts *opts, const struct payload *p, int i);
/* The state of run r (NULL: never began); a command's status read as git bisect does. */
enum run_state report_run_state(const struct guest_run *r);
/* What became of a run, in a few words, for the summary, TAP, the reason and KCIDB. */
void report_describe_run(const struct guest_run *r, char *buf, size_t size);
/* "lost N: HOOK n, ...; CAUSE n, ..." from the run's summary (its nonzero
 * counts); for an inconclusive run with no loss counted, the summary's reason;
 * else "" (or no summary). */
void report_losses(const struct guest_run *r, char *buf, size_t size);

/* A failure before any boot (reason in out): JSON/TAP forms and the stderr result line. */
void report_early_failure(const struct vmtest_opts *opts, const struct outcome *out);
/* Before the boot: remembers the output mode, prints the TAP plan. */
void report_begin(const struct vmtest_opts *opts, const struct payload *p);
/* console_echo_fn: streams guest lines according to the output mode. */
void report_echo(const struct console *c, const char *line, bool is_marker);
/* Decides the exit status and its reason. */
void report_decide(const struct vmtest_opts *opts, const struct payload *p,
		   const struct console *c, const struct vm_result *res, struct outcome *out);
/*
 * When the guest never reached /init or stopped before its "done" marker: the exit status
 * (125) and why in out, and true. False when the guest ran its whole job.
 */
bool report_guest_failure(const struct console *c, const struct vm_result *res,
			  struct outcome *out);
/* "uffdwp-vmtest: result N (good|bad|skip): REASON" on stderr. */
void report_result_line(const struct outcome *out);
/* good, bad or skip. */
const char *report_exit_word(enum vmtest_exit e);
/* A tracer exit status in words ("clean", "inconclusive (lost events ...)"). */
const char *report_tracer_status_text(int status);
/* Prints the summary (text, TAP or JSON) and the one-line result on stderr. */
void report_print(const struct vmtest_opts *opts, const struct payload *p,
		  const struct console *c, const struct vm_result *res,
		  const struct outcome *out);

#endif
