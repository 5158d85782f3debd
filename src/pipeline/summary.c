// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "model/checker.h"
#include "pipeline/summary.h"
#include "report/json.h"
#include "report/names.h"

/* What each hook gives evidence for, and whether --strict requires it. */
static const struct {
	const char *evidence;	/* finding classes, space-separated */
	bool kernel_hook;	/* one of the four kernel hooks of the design card */
} hook_traits[HOOK_MAX] = {
	[HOOK_CHANGE_PROTECTION] = { "LOST_WP LOST_WRITE_BIT", true },
	[HOOK_HUGETLB_CHANGE_PROTECTION] = { "LOST_WP" },
	[HOOK_CHANGE_HUGE_PMD] = { "LOST_WP" },
	[HOOK_MIGRATION_PTE] = { "LOST_WP LOST_WRITE_BIT", true },
	[HOOK_SET_MIGRATION_PTE] = { "LOST_WP" },
	[HOOK_MIGRATION_PMD] = { "LOST_WP" },
	[HOOK_SET_MIGRATION_PMD] = { "LOST_WP" },
	[HOOK_ZAP] = { "DROPPED_MARKER", true },
	[HOOK_HANDLE_USERFAULT] = { "FALSE_WP", true },
	[HOOK_SYSCALLS] = { "FALSE_WP" },
	[HOOK_WRITE_FAULT] = { "LOST_WRITE_BIT" },
	[HOOK_SCHED] = { NULL },
	[HOOK_ZAP_HUGETLB] = { "DROPPED_MARKER" },
};

bool run_walks_at_syscall_exit(const __u8 mech[HOOK_MAX])
{
	return mech[HOOK_CHANGE_PROTECTION] == MECH_NONE || mech[HOOK_ZAP] == MECH_NONE;
}

static const char *hook_evidence(const __u8 mech[HOOK_MAX], int h)
{
	/* the walks after mprotect/MADV_DONTNEED/UFFDIO_WRITEPROTECT */
	if (h == HOOK_SYSCALLS && run_walks_at_syscall_exit(mech))
		return "FALSE_WP LOST_WP DROPPED_MARKER LOST_WRITE_BIT";
	return hook_traits[h].evidence;
}

void run_classes(const __u8 mech[HOOK_MAX], char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int cls = 0; cls < FIND_CLASS_MAX; cls++) {
		const char *name = finding_class_name(cls);

		for (int h = 0; h < HOOK_MAX; h++) {
			const char *ev = hook_evidence(mech, h);

			if (mech[h] != MECH_NONE && ev && strstr(ev, name)) {
				n += snprintf(buf + n, len > n ? len - n : 0, "%s%s", n ? " " : "",
					      name);
				break;
			}
		}
	}
}

void summary_print_hooks(FILE *f, const struct run_info *ri)
{
	char classes[128];

	fprintf(f, "%-26s %-11s %-30s %s\n", "HOOK", "MECHANISM", "TARGET", "NOTES");
	for (int h = 0; h < HOOK_MAX; h++)
		fprintf(f, "%-26s %-11s %-30s %s\n", hook_name(h), mech_name(ri->mech[h]),
			ri->target[h][0] ? ri->target[h] : "-", ri->note[h]);
	run_classes(ri->mech, classes, sizeof(classes));
	fprintf(f, "finding classes possible: %s\n", classes[0] ? classes : "none");
}

__u64 run_hook_total(const __u64 v[HOOK_MAX])
{
	__u64 total = 0;

	for (int h = 0; h < HOOK_MAX; h++)
		total += v[h];
	return total;
}

void run_lost_causes(const struct run_info *ri, char *buf, size_t len)
{
	size_t n = 0;
	__u64 known = 0;

	for (int c = 0; c < LOST_CAUSE_MAX; c++)
		known += ri->lost_cause[c];
	if (!known) {
		snprintf(buf, len, "causes not recorded");
		return;
	}
	buf[0] = '\0';
	for (int c = 0; c < LOST_CAUSE_MAX && n < len; c++)
		n += snprintf(buf + n, len - n, "%s%s=%llu", c ? " " : "", lost_cause_name(c),
			      (unsigned long long)ri->lost_cause[c]);
}

/* Why a run cannot be called clean, or NULL. */
static const char *inconclusive_reason(const struct run_info *ri, const struct run_totals *t,
				       char *buf, size_t len)
{
	size_t n = 0;

	if (!ri->ended)
		n += snprintf(buf, len, "the run's end was not recorded (the tracer did not "
			      "finish, or a format-1 recording): losses unknown");
	else if (run_hook_total(ri->lost))
		n += snprintf(buf, len, "%llu events lost", (unsigned long long)run_hook_total(ri->lost));
	if (ri->record_incomplete || t->record_errors)
		n += snprintf(buf + n, len - n, "%srecording incomplete", n ? "; " : "");
	for (int h = 0; h < HOOK_MAX && n < len; h++) {
		bool required = h == HOOK_SYSCALLS || h == HOOK_SCHED ||
				(ri->strict && hook_traits[h].kernel_hook);

		if (required && ri->mech[h] == MECH_NONE)
			n += snprintf(buf + n, len - n, "%srequired hook %s not attached",
				      n ? "; " : "", hook_name(h));
	}
	return n ? buf : NULL;
}

enum verdict { VERDICT_CLEAN, VERDICT_FINDINGS, VERDICT_INCONCLUSIVE };

/*
 * Capped walks, added to @why (in @buf) or, for a run with no finding, its
 * reason: a page-table walk stopped at its bound or could not look (every
 * walk slot of its CPU held, or no way into the tables), so part of a range
 * the kernel changed was never checked.  The model draws nothing from a part
 * no run record covers (tests/unit/checker_protect.c: an empty capped walk is
 * no observation), so the findings it does make stay sound: this outranks
 * only "clean".
 */
static const char *add_unverified(const struct run_totals *t, bool has_findings,
				  const char *why, char *buf, size_t len)
{
	size_t n = why ? strlen(buf) : 0;

	if (!t->walks_capped || (!why && has_findings) || n >= len)
		return why;
	snprintf(buf + n, len - n, "%s%llu page-table walk(s) capped: ranges only partly verified",
		 n ? "; " : "", (unsigned long long)t->walks_capped);
	return buf;
}

/* A kernel-counted invariant violation is certain even when its record was
 * lost, so it outranks "inconclusive". */
static enum verdict run_verdict(const struct run_info *ri, size_t findings, const char *why)
{
	if (run_hook_total(ri->invariant))
		return VERDICT_FINDINGS;
	if (why)
		return VERDICT_INCONCLUSIVE;
	return findings ? VERDICT_FINDINGS : VERDICT_CLEAN;
}

static void count_classes(const struct checker *c, size_t per[FIND_CLASS_MAX])
{
	memset(per, 0, FIND_CLASS_MAX * sizeof(*per));
	for (size_t i = 0; i < checker_nfindings(c); i++)
		per[checker_finding(c, i)->cls]++;
}

static void print_json(FILE *f, const struct run_info *ri, const struct run_totals *t,
		       const struct checker *c, const char *why, enum verdict v,
		       const struct summary_extra *extra)
{
	static const char *const names[] = { "clean", "findings", "inconclusive" };
	size_t per[FIND_CLASS_MAX];
	char classes[128];
	struct json j;

	count_classes(c, per);
	run_classes(ri->mech, classes, sizeof(classes));
	json_begin(&j, f);
	json_str(&j, "type", "summary");
	json_str(&j, "kernel", ri->kernel);
	json_obj_begin(&j, "hooks");
	for (int h = 0; h < HOOK_MAX; h++)
		json_str(&j, hook_name(h), mech_name(ri->mech[h]));
	json_obj_end(&j);
	json_obj_begin(&j, "targets");
	for (int h = 0; h < HOOK_MAX; h++)
		json_str(&j, hook_name(h), ri->target[h]);
	json_obj_end(&j);
	json_str(&j, "classes", classes);
	json_u64(&j, "events", checker_nevents(c));
	json_obj_begin(&j, "counts");
	for (int k = 1; k < EV_KIND_MAX; k++)
		json_u64(&j, kind_name(k), t->counts[k]);
	json_obj_end(&j);
	json_obj_begin(&j, "uffd_fills");	/* counts.uffd_copy by ioctl */
	for (int op = 1; op < FILL_OP_MAX; op++)
		json_u64(&j, fill_op_name(op), t->fills[op]);
	json_obj_end(&j);
	json_u64(&j, "lost", run_hook_total(ri->lost));
	json_obj_begin(&j, "lost_by_hook");
	for (int h = 0; h < HOOK_MAX; h++)
		if (ri->lost[h])
			json_u64(&j, hook_name(h), ri->lost[h]);
	json_obj_end(&j);
	json_obj_begin(&j, "lost_by_cause");
	for (int c = 0; c < LOST_CAUSE_MAX; c++)
		json_u64(&j, lost_cause_name(c), ri->lost_cause[c]);
	json_obj_end(&j);
	json_bool(&j, "losses_known", ri->ended);
	json_u64(&j, "invariant_violations", run_hook_total(ri->invariant));
	json_u64(&j, "walks_capped", t->walks_capped);
	json_u64(&j, "pages_verified", t->pages_verified);
	if (ri->pages_to_verify)
		json_u64(&j, "pages_to_verify", ri->pages_to_verify);
	if (ri->wf_seen) {
		json_obj_begin(&j, "write_faults");
		json_u64(&j, "seen", ri->wf_seen);
		json_u64(&j, "recorded", t->counts[EV_WRITE_FAULT]);
		json_u64(&j, "repeats", ri->wf_repeats);
		json_u64(&j, "lost", ri->lost[HOOK_WRITE_FAULT]);
		json_obj_end(&j);
	}
	json_u64(&j, "findings", checker_nfindings(c));
	json_obj_begin(&j, "findings_by_class");
	for (int k = 0; k < FIND_CLASS_MAX; k++)
		json_u64(&j, finding_class_name(k), per[k]);
	json_obj_end(&j);
	if (ri->tracer_cpu.measured) {
		json_obj_begin(&j, "tracer_cpu_ms");
		json_u64(&j, "user", ri->tracer_cpu.user_us / 1000);
		json_u64(&j, "sys", ri->tracer_cpu.sys_us / 1000);
		json_obj_end(&j);
	}
	if (ri->startup_ms.total) {	/* where a run's first seconds went (TCG: most of them) */
		json_obj_begin(&j, "startup_ms");
		json_u64(&j, "vmlinux_btf", ri->startup_ms.btf);
		json_u64(&j, "swap_types", ri->startup_ms.swap_types);
		json_u64(&j, "calibrate", ri->startup_ms.calibrate);
		json_u64(&j, "load", ri->startup_ms.load);
		json_u64(&j, "attach", ri->startup_ms.attach);
		json_u64(&j, "total", ri->startup_ms.total);
		json_obj_end(&j);
	}
	json_i64(&j, "target_pid", ri->target_pid);
	if (ri->target_exit >= 0)
		json_i64(&j, "target_exit", ri->target_exit);
	json_str(&j, "verdict", names[v]);
	if (why)
		json_str(&j, "reason", why);
	if (extra && extra->json)
		extra->json(&j, extra->ctx);
	json_end(&j);
}

static void print_text(FILE *f, const struct run_info *ri, const struct run_totals *t,
		       const struct checker *c, const char *why, enum verdict v,
		       const struct summary_extra *extra)
{
	static const char *const names[] = { "clean", "FINDINGS", "INCONCLUSIVE" };
	size_t per[FIND_CLASS_MAX];

	count_classes(c, per);
	fprintf(f, "\n=== uffdwp-trace summary (kernel %s, target %d) ===\n",
		ri->kernel[0] ? ri->kernel : "unknown", ri->target_pid);
	summary_print_hooks(f, ri);
	fprintf(f, "events: total=%llu", (unsigned long long)checker_nevents(c));
	for (int k = 1; k < EV_KIND_MAX; k++)
		if (t->counts[k])
			fprintf(f, " %s=%llu", kind_name(k), (unsigned long long)t->counts[k]);
	if (t->counts[EV_UFFD_COPY]) {		/* uffd_copy by ioctl */
		fprintf(f, "\nuffd fills:");
		for (int op = 1; op < FILL_OP_MAX; op++)
			if (t->fills[op])
				fprintf(f, " %s=%llu", fill_op_name(op),
					(unsigned long long)t->fills[op]);
	}
	fprintf(f, "\nlost: %llu%s", (unsigned long long)run_hook_total(ri->lost),
		ri->ended ? "" : " (unknown: the run's end was not recorded)");
	for (int h = 0; h < HOOK_MAX; h++)
		if (ri->lost[h])
			fprintf(f, " %s=%llu", hook_name(h), (unsigned long long)ri->lost[h]);
	if (run_hook_total(ri->lost)) {
		char causes[128];

		run_lost_causes(ri, causes, sizeof(causes));
		fprintf(f, "; by cause: %s", causes);
	}
	fprintf(f, "\nkernel-side invariant violations (writable and uffd-wp): %llu",
		(unsigned long long)run_hook_total(ri->invariant));
	for (int h = 0; h < HOOK_MAX; h++)
		if (ri->invariant[h])
			fprintf(f, " %s=%llu", hook_name(h), (unsigned long long)ri->invariant[h]);
	fprintf(f, "\nwalks capped (range only partly observed): %llu, pages verified: %llu",
		(unsigned long long)t->walks_capped, (unsigned long long)t->pages_verified);
	if (ri->pages_to_verify)
		fprintf(f, " of %llu the walks were asked for", (unsigned long long)ri->pages_to_verify);
	if (ri->wf_seen)
		fprintf(f, "\nwrite faults: seen=%llu recorded=%llu repeats=%llu lost=%llu "
			"(a repeat: same thread and page as a recorded fault, no record between)",
			(unsigned long long)ri->wf_seen, (unsigned long long)t->counts[EV_WRITE_FAULT],
			(unsigned long long)ri->wf_repeats,
			(unsigned long long)ri->lost[HOOK_WRITE_FAULT]);
	if (ri->tracer_cpu.measured)
		fprintf(f, "\ntracer CPU (this process, start-up excluded): user %llu ms, sys %llu ms",
			(unsigned long long)ri->tracer_cpu.user_us / 1000,
			(unsigned long long)ri->tracer_cpu.sys_us / 1000);
	fprintf(f, "\nfindings: %zu", checker_nfindings(c));
	for (int k = 0; k < FIND_CLASS_MAX; k++)
		if (per[k])
			fprintf(f, " %s=%zu", finding_class_name(k), per[k]);
	fprintf(f, "\nverdict: %s%s%s\n", names[v], why ? ": " : "", why ? why : "");
	if (extra && extra->text)
		extra->text(f, extra->ctx);
}

int summary_print(FILE *f, bool json, const struct run_info *ri, const struct run_totals *t,
		  const struct checker *c, const struct summary_extra *extra)
{
	static const int status[] = { EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCONCLUSIVE };
	char buf[512];
	const char *why = inconclusive_reason(ri, t, buf, sizeof(buf));
	/* a kernel-counted invariant violation is a finding (run_verdict()) */
	bool has_findings = checker_nfindings(c) || run_hook_total(ri->invariant);
	enum verdict v;

	why = add_unverified(t, has_findings, why, buf, sizeof(buf));
	v = run_verdict(ri, checker_nfindings(c), why);

	if (json)
		print_json(f, ri, t, c, why, v, extra);
	else
		print_text(f, ri, t, c, why, v, extra);
	return status[v];
}
