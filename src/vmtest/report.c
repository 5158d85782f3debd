// SPDX-License-Identifier: GPL-2.0
/* Verdict and output of uffdwp-vmtest: see report.h and the --help text for the contract. */
#include "report.h"
#include "accel.h"
#include "report/json.h"
#include "report/json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct vmtest_opts *report_opts;

/* The three "%s" after a panic line: " (first: <oops> at <RIP>)", or nothing. */
#define OOPS_ARGS(c) (c)->oops[0] ? " (first: " : "", (c)->oops, (c)->oops[0] ? ")" : ""

static void set_reason(struct outcome *out, enum vmtest_exit status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_reason(struct outcome *out, enum vmtest_exit status, const char *fmt, ...)
{
	va_list ap;

	out->exit = status;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

int report_expected_runs(const struct vmtest_opts *o, const struct payload *p)
{
	return o->guest_argv ? 1 : p->n_run;
}

const char *report_expected_name(const struct vmtest_opts *o, const struct payload *p, int i)
{
	return o->guest_argv ? "command" : p->run[i];
}

/* The git-bisect reading of a guest command's status (see --help). */
static enum run_state command_state(int status)
{
	if (status == 0)
		return RUN_CLEAN;
	if (status == 125 || status == 126 || status == 127 || status < 0)
		return RUN_UNDECIDED;
	return RUN_FINDING;
}

enum run_state report_run_state(const struct guest_run *r)
{
	if (!r)
		return RUN_NOT_STARTED;
	if (!r->ended)
		return RUN_NOT_FINISHED;
	if (r->is_command)
		return command_state(r->status);
	return r->status == TRACER_CLEAN ? RUN_CLEAN
	       : r->status == TRACER_FINDINGS ? RUN_FINDING : RUN_UNDECIDED;
}

const char *report_tracer_status_text(int status)
{
	switch (status) {
	case TRACER_CLEAN: return "clean";
	case TRACER_FINDINGS: return "findings";
	case TRACER_ERROR: return "tracer error";
	case TRACER_INCONCLUSIVE: return "inconclusive (lost events, hooks missing or walks capped)";
	case 127: return "tracer not found in the guest";
	default: return status > 128 ? "tracer killed by a signal" : "unexpected tracer status";
	}
}

/* The scenario's own ground truth contradicts the tracer (skip/error contradict nothing). */
static bool self_check_disagrees(const struct guest_run *r)
{
	return (!strcmp(r->verdict, "bug") && r->status == TRACER_CLEAN) ||
	       (!strcmp(r->verdict, "ok") && r->status == TRACER_FINDINGS);
}

/* Appends "NAME N" for each nonzero member of @obj to @buf, the first after
 * @first, the others after ", ". */
static void append_counts(const struct json_value *obj, char *buf, size_t size, const char *first)
{
	const char *sep = first;

	for (int i = 0; obj && obj->type == JSON_OBJECT && i < obj->n; i++) {
		size_t len = strlen(buf);

		if (obj->item[i].type != JSON_NUMBER || obj->item[i].number <= 0 || len >= size)
			continue;
		snprintf(buf + len, size - len, "%s%s %.0f", sep, obj->key[i], obj->item[i].number);
		sep = ", ";
	}
}

void report_losses(const struct guest_run *r, char *buf, size_t size)
{
	struct json_value *summary;
	const char *reason;
	char err[80];

	buf[0] = 0;
	/* only a run that lost events, or an inconclusive one, has anything to say */
	if (!r->summary || (r->lost <= 0 && r->status != TRACER_INCONCLUSIVE) ||
	    !(summary = json_parse(r->summary, err, sizeof(err))))
		return;
	if (r->lost > 0) {
		snprintf(buf, size, "lost %ld:", r->lost);
		append_counts(json_get(summary, "lost_by_hook"), buf, size, " ");
		append_counts(json_get(summary, "lost_by_cause"), buf, size,
			      buf[strlen(buf) - 1] == ':' ? " " : "; ");
	} else if ((reason = json_get_str(summary, "reason", NULL))) {
		/* no loss counted: the tracer's own reason (a hook missing, walks
		 * capped, losses unknown) */
		snprintf(buf, size, "%s", reason);
	}
	json_free(summary);
}

void report_describe_run(const struct guest_run *r, char *buf, size_t size)
{
	if (!r)
		snprintf(buf, size, "not run");
	else if (!r->ended)
		snprintf(buf, size, "did not finish");
	else if (r->is_command)
		snprintf(buf, size, "exited %d", r->status);
	else {
		char losses[200];

		report_losses(r, losses, sizeof(losses));
		if (!losses[0])
			snprintf(losses, sizeof(losses), "lost %ld", r->lost);
		snprintf(buf, size, "%s (tracer exit %d, findings %ld, %s)%s%s%s",
			 report_tracer_status_text(r->status), r->status, r->findings, losses,
			 r->verdict[0] ? "; self-check " : "", r->verdict,
			 self_check_disagrees(r) ? " (disagrees with the tracer)" : "");
	}
}

/* Why the guest never reached /init. */
static void decide_no_init(const struct console *c, const struct vm_result *res,
			   struct outcome *out)
{
	const char *accel = accel_name(res->accel);

	if (res->kvm_failure[0])
		set_reason(out, VMTEST_SKIP, "no boot under --accel kvm: %s", res->kvm_failure);
	else if (res->end == VM_START_FAILED)
		set_reason(out, VMTEST_SKIP, "cannot start QEMU: %s", res->qemu_error);
	else if (c->halted)
		set_reason(out, VMTEST_SKIP, "no boot: the kernel's boot stub stopped: %s", c->panic);
	else if (c->panic[0])
		set_reason(out, VMTEST_SKIP, "kernel panic before /init: %s%s%s%s", c->panic,
			   OOPS_ARGS(c));
	else if (res->end == VM_ACCEL_FAILED)
		set_reason(out, VMTEST_SKIP, "no boot: QEMU's accelerator failed: %s", res->qemu_error);
	else if (res->end == VM_NO_BANNER)
		set_reason(out, VMTEST_SKIP, "no boot: no kernel output within %u s (%s)",
			   res->deadline_s, accel);
	else if (res->end == VM_NO_INIT)
		set_reason(out, VMTEST_SKIP, "no boot: the kernel did not start /init within %u s (%s)",
			   res->deadline_s, accel);
	else if (res->end == VM_TIMEOUT)
		set_reason(out, VMTEST_SKIP, "timeout: %u s elapsed before /init started (%s)",
			   res->deadline_s, accel);
	else if (!c->kernel_started && res->qemu_error[0])
		set_reason(out, VMTEST_SKIP, "no boot: QEMU refused the image: %s", res->qemu_error);
	else if (!c->kernel_started)
		set_reason(out, VMTEST_SKIP, "no boot: the image never started the kernel (QEMU "
			   "exited after %.1f s without a kernel banner: truncated or not a bzImage?)",
			   res->total_seconds);
	else
		set_reason(out, VMTEST_SKIP, "no boot: the kernel stopped before /init without "
			   "a panic message (see the console tail)");
}

/* Why the guest stopped before its "done" marker, with the run it was in. */
static void decide_unfinished(const struct console *c, const struct vm_result *res,
			      struct outcome *out)
{
	const char *during = c->current ? c->current->name : "between runs";

	if (c->panic[0])
		set_reason(out, VMTEST_SKIP, "kernel panic during %s: %s%s%s%s", during, c->panic,
			   OOPS_ARGS(c));
	else if (res->end == VM_TIMEOUT)
		set_reason(out, VMTEST_SKIP, "timeout: %u s elapsed during %s", res->deadline_s,
			   during);
	else
		set_reason(out, VMTEST_SKIP, "the guest stopped during %s without finishing",
			   during);
}

bool report_guest_failure(const struct console *c, const struct vm_result *res,
			  struct outcome *out)
{
	if (!c->init_started)
		decide_no_init(c, res, out);
	else if (!c->done)
		decide_unfinished(c, res, out);
	else
		return false;
	return true;
}

void report_decide(const struct vmtest_opts *o, const struct payload *p,
		   const struct console *c, const struct vm_result *res, struct outcome *out)
{
	int n = report_expected_runs(o, p), clean = 0;
	char first_undecided[300] = "", desc[240];

	for (int i = 0; i < n; i++) {
		const char *name = report_expected_name(o, p, i);
		const struct guest_run *r = console_find_run(c, name);

		report_describe_run(r, desc, sizeof(desc));
		switch (report_run_state(r)) {
		case RUN_FINDING:	/* a finding decides, whatever else went wrong later */
			set_reason(out, VMTEST_BAD, "%s%s: %s", o->guest_argv ? "" : "finding: ",
				   name, desc);
			return;
		case RUN_CLEAN:
			clean++;
			break;
		default:
			if (!first_undecided[0])
				snprintf(first_undecided, sizeof(first_undecided), "%s: %s",
					 name, desc);
		}
	}
	if (report_guest_failure(c, res, out))
		return;
	if (first_undecided[0])
		set_reason(out, VMTEST_SKIP, "undecided: %s", first_undecided);
	else if (o->guest_argv)
		set_reason(out, VMTEST_GOOD, "command exited 0");
	else
		set_reason(out, VMTEST_GOOD, "%d scenario%s clean", clean, clean == 1 ? "" : "s");
}

void report_begin(const struct vmtest_opts *o, const struct payload *p)
{
	report_opts = o;
	if (o->output == OUTPUT_TAP) {
		printf("TAP version 13\n1..%d\n", report_expected_runs(o, p));
		fflush(stdout);
	}
}

void report_echo(const struct console *c, const char *line, bool is_marker)
{
	const struct vmtest_opts *o = report_opts;
	bool booting = !c->init_started || (is_marker && strstr(line, CONSOLE_MARKER " init "));

	if (booting && !o->verbose)
		return;		/* kept in the console tail, shown if the boot fails */
	if (o->output == OUTPUT_TAP)
		printf("# %s\n", line);
	else
		fprintf(o->output == OUTPUT_JSON ? stderr : stdout, "%s\n", line);
	fflush(o->output == OUTPUT_JSON ? stderr : stdout);
}

const char *report_exit_word(enum vmtest_exit e)
{
	return e == VMTEST_GOOD ? "good" : e == VMTEST_BAD ? "bad" : "skip";
}

static void print_text(const struct vmtest_opts *o, const struct payload *p,
		       const struct console *c, const struct vm_result *res,
		       const struct outcome *out)
{
	char desc[300];

	printf("uffdwp-vmtest: kernel %s, release %s, accel %s%s%s, boot %.1f s, total %.1f s\n",
	       o->kernel, c->release[0] ? c->release : "?", accel_name(res->accel),
	       out->accel_note[0] ? " " : "", out->accel_note, res->boot_seconds,
	       res->total_seconds);
	if (c->init_started) {
		printf("uffdwp-vmtest: guest hugepages %d, NUMA nodes %d\n", c->hugepages,
		       c->numa_nodes);
		printf("uffdwp-vmtest: swap: %s\n", c->swap[0] ? c->swap : "? (the guest did not say)");
	}
	for (int i = 0; i < report_expected_runs(o, p); i++) {
		report_describe_run(console_find_run(c, report_expected_name(o, p, i)), desc, sizeof(desc));
		printf("uffdwp-vmtest:   %s: %s\n", report_expected_name(o, p, i), desc);
	}
}

static void print_tap(const struct vmtest_opts *o, const struct payload *p,
		      const struct console *c, const struct vm_result *res,
		      const struct outcome *out)
{
	char desc[300];

	printf("# kernel %s, release %s, accel %s%s%s, boot %.1f s, total %.1f s\n", o->kernel,
	       c->release[0] ? c->release : "?", accel_name(res->accel),
	       out->accel_note[0] ? " " : "", out->accel_note, res->boot_seconds,
	       res->total_seconds);
	if (c->init_started)
		printf("# swap: %s\n", c->swap[0] ? c->swap : "? (the guest did not say)");
	for (int i = 0; i < report_expected_runs(o, p); i++) {
		const char *name = report_expected_name(o, p, i);
		const struct guest_run *r = console_find_run(c, name);

		report_describe_run(r, desc, sizeof(desc));
		printf("%s %d - %s # %s\n", report_run_state(r) == RUN_CLEAN ? "ok" : "not ok", i + 1,
		       name, desc);
	}
	if (!c->init_started)
		printf("Bail out! %s\n", out->reason);
}

static void print_json_run(struct json *j, const struct guest_run *r, const char *name)
{
	char desc[300];

	report_describe_run(r, desc, sizeof(desc));
	json_arr_obj_begin(j);
	json_str(j, "name", name);
	json_str(j, "kind", r && r->is_command ? "command" : "scenario");
	json_bool(j, "finished", r && r->ended);
	if (r && r->ended)
		json_i64(j, "status", r->status);
	if (r && !r->is_command) {
		json_i64(j, "findings", r->findings);
		json_i64(j, "lost", r->lost);
		json_str(j, "self_check", r->verdict);
		json_str(j, "self_check_reason", r->verdict_reason);
		/* the tracer's own summary line, verbatim (a JSON document in a string) */
		json_str(j, "tracer_summary", r->summary ? r->summary : "");
	}
	json_str(j, "description", desc);
	json_obj_end(j);
}

static void print_json(const struct vmtest_opts *o, const struct payload *p,
		       const struct console *c, const struct vm_result *res,
		       const struct outcome *out)
{
	struct json j;

	json_begin(&j, stdout);
	json_i64(&j, "exit", out->exit);
	json_str(&j, "result", report_exit_word(out->exit));
	json_str(&j, "reason", out->reason);
	json_str(&j, "kernel", o->kernel);
	json_str(&j, "release", c->release);
	json_str(&j, "accel", accel_name(res->accel));
	json_str(&j, "accel_note", out->accel_note);
	json_u64(&j, "boot_ms", (uint64_t)(res->boot_seconds * 1000));
	json_u64(&j, "total_ms", (uint64_t)(res->total_seconds * 1000));
	json_i64(&j, "hugepages", c->hugepages);
	json_i64(&j, "numa_nodes", c->numa_nodes);
	json_str(&j, "swap", c->swap);
	json_arr_begin(&j, "runs");
	for (int i = 0; i < report_expected_runs(o, p); i++)
		print_json_run(&j, console_find_run(c, report_expected_name(o, p, i)), report_expected_name(o, p, i));
	json_arr_end(&j);
	json_end(&j);
}

void report_result_line(const struct outcome *out)
{
	fprintf(stderr, "uffdwp-vmtest: result %d (%s): %s\n", out->exit, report_exit_word(out->exit),
		out->reason);
}

void report_early_failure(const struct vmtest_opts *o, const struct outcome *out)
{
	struct json j;

	if (o->output == OUTPUT_TAP) {
		printf("TAP version 13\n1..0 # SKIP %s\n", out->reason);
	} else if (o->output == OUTPUT_JSON) {
		json_begin(&j, stdout);
		json_i64(&j, "exit", out->exit);
		json_str(&j, "result", report_exit_word(out->exit));
		json_str(&j, "reason", out->reason);
		json_str(&j, "kernel", o->kernel);
		json_end(&j);
	}
	fflush(stdout);
	report_result_line(out);
}

void report_print(const struct vmtest_opts *o, const struct payload *p,
		  const struct console *c, const struct vm_result *res,
		  const struct outcome *out)
{
	if (!c->init_started && !o->verbose && c->tail_count) {
		fprintf(stderr, "uffdwp-vmtest: last console lines:\n");
		console_print_tail(c, stderr, "  | ");
	}
	if (o->output == OUTPUT_TAP)
		print_tap(o, p, c, res, out);
	else if (o->output == OUTPUT_JSON)
		print_json(o, p, c, res, out);
	else
		print_text(o, p, c, res, out);
	fflush(stdout);
	report_result_line(out);
}
