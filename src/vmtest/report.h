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
