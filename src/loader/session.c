// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "loader/hooks.h"
#include "loader/progstats.h"
#include "loader/session.h"
#include "model/checker.h"
#include "model/record.h"
#include "report/events.h"
#include "report/findings.h"
#include "report/json.h"
#include "report/names.h"
#include "uffdwp.skel.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

int report_error(const struct trace_opts *o, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o && o->json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "type", "error");
		json_str(&j, "error", msg);
		json_i64(&j, "exit", status);
		json_end(&j);
	} else {
		fprintf(stderr, "uffdwp-trace: %s\n", msg);
	}
	return status;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

/* Privileges and BTF: the two things every run needs before anything else. */
static int check_environment(const struct trace_opts *o, struct btf **btf)
{
	if (geteuid() != 0)
		return report_error(o, EXIT_ERROR, "must run as root (loading BPF needs CAP_BPF and CAP_PERFMON)");
	*btf = btf__load_vmlinux_btf();
	if (!*btf)
		return report_error(o, EXIT_ERROR,
				    "kernel has no BTF (/sys/kernel/btf/vmlinux: %s); CONFIG_DEBUG_INFO_BTF=y is required",
				    strerror(errno));
	return 0;
}

#define POLL_MS 10	/* the longest a record waits in the ring buffer when nothing wakes the tracer */

struct session {
	const struct trace_opts *o;
	struct uffdwp *skel;
	struct hook_plan plan;
	struct ring_buffer *rb;
	struct checker *checker;
	struct recorder *recorder;
	pid_t target;
	int target_pidfd;
	bool target_is_child;
	bool target_exited;
	bool target_reaped;
	int target_status;
	__u64 t0_ns;
	__u64 counts[EV_KIND_MAX];
	__u64 lost[HOOK_MAX];
	__u64 lost_total;
	__u64 invariant[HOOK_MAX];	/* write+uffd-wp entries counted in the kernel */
	__u64 invariant_total;
	__u64 walks_capped;		/* walks stopped by their per-event bound */
	int record_errors;
	char kernel[128];
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct uffdwp_event *e = data;

	if (size < sizeof(*e))
		return 0;
	if (!s->t0_ns)
		s->t0_ns = e->ts_ns;
	if (e->kind < EV_KIND_MAX && !uffdwp_event_is_begin(e))
		s->counts[e->kind]++;
	if (e->kind == EV_PTE_RUN && e->u.run.capped)
		s->walks_capped++;
	if (s->o->json)
		event_print_json(stdout, e);
	else if (s->o->verbose)
		event_print_text(stdout, e, s->t0_ns);
	checker_feed(s->checker, e);
	if (s->recorder && recorder_write(s->recorder, e))
		s->record_errors++;
	if (e->kind == EV_EXIT && e->pid == (__u32)s->target)
		s->target_exited = true;
	return 0;
}

/*
 * A child held at a pipe until every program is attached (no lost prologue).
 * A failed exec reports its errno through a close-on-exec pipe, which a
 * successful exec closes: EOF means the command runs.
 */
static pid_t spawn_held(char **cmd, int *go_fd, int *exec_err_fd)
{
	int go[2], err[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		if (read(go[0], &c, 1) != 1)	/* the tracer gave up */
			_exit(127);
		execvp(cmd[0], cmd);
		c = errno;
		if (write(err[1], &c, 1) != 1)
			_exit(126);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	*go_fd = go[1];
	*exec_err_fd = err[0];
	return pid;
}

static int add_target(struct session *s, pid_t pid)
{
	struct traced_task t = {};
	__u32 key = pid;

	return bpf_map__update_elem(s->skel->maps.traced_tgids, &key, sizeof(key), &t,
				    sizeof(t), BPF_ANY);
}

static bool target_gone(struct session *s)
{
	struct pollfd p = { .fd = s->target_pidfd, .events = POLLIN };

	if (s->target_is_child) {
		int status;

		if (waitpid(s->target, &status, WNOHANG) == s->target) {
			s->target_status = status;
			s->target_reaped = true;
			return true;
		}
		return false;
	}
	return s->target_pidfd >= 0 && poll(&p, 1, 0) == 1;
}

static __u64 now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Sum a per-CPU, per-hook counter map into by_hook[]; returns the total. */
static __u64 read_hook_counters(const struct bpf_map *map, __u64 by_hook[HOOK_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals)), total = 0;

	for (__u32 h = 0; vals && h < HOOK_MAX; h++) {
		if (bpf_map__lookup_elem(map, &h, sizeof(h), vals, sizeof(*vals) * ncpu, 0))
			continue;
		for (int c = 0; c < ncpu; c++)
			by_hook[h] += vals[c];
		total += by_hook[h];
	}
	free(vals);
	return total;
}

static void read_counters(struct session *s)
{
	s->lost_total = read_hook_counters(s->skel->maps.lost_events, s->lost);
	s->invariant_total = read_hook_counters(s->skel->maps.invariant_violations, s->invariant);
}

/* Why a run cannot be called clean, or NULL. */
static const char *inconclusive_reason(const struct session *s, char *buf, size_t len)
{
	size_t n = 0;

	if (s->lost_total)
		n += snprintf(buf + n, len - n, "%llu events lost", (unsigned long long)s->lost_total);
	if (s->record_errors)
		n += snprintf(buf + n, len - n, "%srecording incomplete", n ? "; " : "");
	for (int h = 0; h < HOOK_MAX && n < len; h++) {
		bool required = h == HOOK_SYSCALLS || h == HOOK_SCHED ||
				(s->o->strict && hook_defs[h].kernel_hook);

		if (required && s->plan.hook[h].mech == MECH_NONE)
			n += snprintf(buf + n, len - n, "%srequired hook %s not attached", n ? "; " : "",
				      hook_name(h));
	}
	return n ? buf : NULL;
}

/* The run's verdict: a kernel-counted invariant violation is certain even
 * when its record was lost, so it outranks "inconclusive". */
enum verdict { VERDICT_CLEAN, VERDICT_FINDINGS, VERDICT_INCONCLUSIVE };

static enum verdict run_verdict(const struct session *s, size_t findings, const char *why)
{
	if (s->invariant_total)
		return VERDICT_FINDINGS;
	if (why)
		return VERDICT_INCONCLUSIVE;
	return findings ? VERDICT_FINDINGS : VERDICT_CLEAN;
}

static void print_summary_json(struct session *s, size_t findings, const char *why)
{
	static const char *const names[] = { "clean", "findings", "inconclusive" };

	char classes[128];
	struct json j;

	hooks_classes(&s->plan, classes, sizeof(classes));
	json_begin(&j, stdout);
	json_str(&j, "type", "summary");
	json_str(&j, "kernel", s->kernel);
	json_obj_begin(&j, "hooks");
	for (int h = 0; h < HOOK_MAX; h++)
		json_str(&j, hook_name(h), mech_name(s->plan.hook[h].mech));
	json_obj_end(&j);
	json_obj_begin(&j, "targets");
	for (int h = 0; h < HOOK_MAX; h++)
		json_str(&j, hook_name(h), s->plan.hook[h].target ? s->plan.hook[h].target : "");
	json_obj_end(&j);
	json_str(&j, "classes", classes);
	json_obj_begin(&j, "counts");
	for (int k = 1; k < EV_KIND_MAX; k++)
		json_u64(&j, kind_name(k), s->counts[k]);
	json_obj_end(&j);
	json_u64(&j, "lost", s->lost_total);
	json_obj_begin(&j, "lost_by_hook");
	for (int h = 0; h < HOOK_MAX; h++)
		if (s->lost[h])
			json_u64(&j, hook_name(h), s->lost[h]);
	json_obj_end(&j);
	json_u64(&j, "invariant_violations", s->invariant_total);
	json_u64(&j, "walks_capped", s->walks_capped);
	json_u64(&j, "findings", findings);
	json_i64(&j, "target_pid", s->target);
	if (s->target_reaped && WIFEXITED(s->target_status))
		json_i64(&j, "target_exit", WEXITSTATUS(s->target_status));
	json_str(&j, "verdict", names[run_verdict(s, findings, why)]);
	if (why)
		json_str(&j, "reason", why);
	if (s->o->prog_stats)
		progstats_print_json(&j, s->skel->obj);
	json_end(&j);
}

static void print_summary_text(struct session *s, size_t findings, const char *why)
{
	static const char *const names[] = { "clean", "FINDINGS", "INCONCLUSIVE" };

	fprintf(stdout, "\n=== uffdwp-trace summary (kernel %s, target %d) ===\n", s->kernel, s->target);
	hooks_print_table(stdout, &s->plan);
	fprintf(stdout, "events:");
	for (int k = 1; k < EV_KIND_MAX; k++)
		if (s->counts[k])
			fprintf(stdout, " %s=%llu", kind_name(k), (unsigned long long)s->counts[k]);
	fprintf(stdout, "\nlost: %llu", (unsigned long long)s->lost_total);
	for (int h = 0; h < HOOK_MAX; h++)
		if (s->lost[h])
			fprintf(stdout, " %s=%llu", hook_name(h), (unsigned long long)s->lost[h]);
	fprintf(stdout, "\nkernel-side invariant violations (writable and uffd-wp): %llu",
		(unsigned long long)s->invariant_total);
	for (int h = 0; h < HOOK_MAX; h++)
		if (s->invariant[h])
			fprintf(stdout, " %s=%llu", hook_name(h), (unsigned long long)s->invariant[h]);
	fprintf(stdout, "\nwalks capped (range only partly observed): %llu",
		(unsigned long long)s->walks_capped);
	fprintf(stdout, "\nfindings: %zu\nverdict: %s%s%s\n", findings,
		names[run_verdict(s, findings, why)], why ? ": " : "", why ? why : "");
	if (s->o->prog_stats)
		progstats_print_text(stdout, s->skel->obj);
}

/* Open the skeleton, configure it from the plan, load it. */
static int open_and_load(struct session *s)
{
	int err;

	s->skel = uffdwp__open();
	if (!s->skel)
		return report_error(s->o, EXIT_ERROR, "cannot open the BPF object: %s", strerror(errno));
	s->skel->rodata->follow_children = !s->o->no_follow;
	if (s->o->buffer_mib) {
		err = bpf_map__set_max_entries(s->skel->maps.events, (__u32)s->o->buffer_mib << 20);
		if (err)
			return report_error(s->o, EXIT_ERROR, "cannot size the ring buffer: %s",
					    strerror(-err));
		/* wake early enough that a burst between two polls cannot fill it */
		s->skel->rodata->wakeup_bytes = ((__u64)s->o->buffer_mib << 20) / 16;
	}
	err = hooks_configure(s->skel, &s->plan);
	if (err)
		return report_error(s->o, EXIT_ERROR, "cannot configure BPF programs: %s", strerror(-err));
	err = uffdwp__load(s->skel);
	if (err)
		return report_error(s->o, EXIT_ERROR,
				    "the kernel refused the BPF programs: %s (run with --debug for the verifier log)",
				    strerror(-err));
	return 0;
}

/* Open, configure from the calibrated plan, load and attach.  Calibration
 * only loads fentry probes: if a real fentry attach is refused, the object is
 * planned and loaded once more with kprobes for those hooks. */
static int load_programs(struct session *s, const struct btf *btf)
{
	unsigned int refused = 0;
	int err;

	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			hooks_detach();
			uffdwp__destroy(s->skel);
			s->skel = NULL;
		}
		hooks_calibrate(&s->plan, btf, !s->o->no_fentry, refused);
		err = open_and_load(s);
		if (err)
			return err;
		refused = hooks_attach(s->skel, &s->plan);
		if (!refused)
			break;
	}
	for (int h = 0; h < HOOK_MAX; h++)
		if (s->plan.hook[h].mech == MECH_NONE && (s->o->verbose || s->o->debug))
			fprintf(stderr, "uffdwp-trace: hook %s not attached: %s\n", hook_name(h),
				s->plan.hook[h].why[0] ? s->plan.hook[h].why : "no mechanism");
	return 0;
}

static int start_target(struct session *s)
{
	int go_fd = -1, exec_err_fd = -1;
	char exec_errno;

	if (s->o->cmd) {
		s->target = spawn_held(s->o->cmd, &go_fd, &exec_err_fd);
		if (s->target < 0)
			return report_error(s->o, EXIT_ERROR, "cannot start %s: %s", s->o->cmd[0], strerror(errno));
		s->target_is_child = true;
	} else {
		s->target = s->o->pid;
		s->target_pidfd = syscall(SYS_pidfd_open, s->target, 0);
		if (s->target_pidfd < 0)
			return report_error(s->o, EXIT_ERROR, "PID %d: %s", s->target,
					    errno == ESRCH ? "no such process" : strerror(errno));
	}
	if (add_target(s, s->target))
		return report_error(s->o, EXIT_ERROR, "cannot add target %d: %s", s->target, strerror(errno));
	if (go_fd >= 0) {
		if (write(go_fd, "g", 1) != 1)
			return report_error(s->o, EXIT_ERROR, "cannot release %s", s->o->cmd[0]);
		close(go_fd);
		if (read(exec_err_fd, &exec_errno, 1) == 1) {
			waitpid(s->target, NULL, 0);
			return report_error(s->o, EXIT_ERROR, "cannot run %s: %s", s->o->cmd[0],
					    strerror(exec_errno));
		}
		close(exec_err_fd);
	}
	fprintf(stderr, "uffdwp-trace: tracing PID %d\n", s->target);
	return 0;
}

static void follow_target(struct session *s)
{
	__u64 deadline = s->o->duration ? now_s() + s->o->duration : 0;

	while (!stop_requested && !s->target_exited) {
		/* records come without wake-ups (event_submit()): poll on a tick */
		if (ring_buffer__poll(s->rb, POLL_MS) < 0 && errno != EINTR)
			break;
		ring_buffer__consume(s->rb);
		if (target_gone(s) || (deadline && now_s() >= deadline))
			break;
	}
	/* sched_process_exit fires before the parent can reap: all events are queued */
	ring_buffer__consume(s->rb);
	if (s->target_is_child && !s->target_reaped && !stop_requested)
		s->target_reaped = waitpid(s->target, &s->target_status, 0) == s->target;
}

static int finish(struct session *s)
{
	char buf[512];
	const char *why;
	size_t findings;

	read_counters(s);
	checker_finish(s->checker);
	findings = checker_nfindings(s->checker);
	why = inconclusive_reason(s, buf, sizeof(buf));
	if (s->o->json) {
		findings_print_json(stdout, s->checker);
		print_summary_json(s, findings, why);
	} else {
		findings_print_text(stdout, s->checker);
		print_summary_text(s, findings, why);
	}
	if (s->lost_total)
		fprintf(stderr, "uffdwp-trace: %llu events lost (ring buffer full): the run is inconclusive\n",
			(unsigned long long)s->lost_total);
	switch (run_verdict(s, findings, why)) {
	case VERDICT_FINDINGS:
		return EXIT_FINDINGS;
	case VERDICT_INCONCLUSIVE:
		return EXIT_INCONCLUSIVE;
	default:
		return EXIT_CLEAN;
	}
}

static void kernel_release(char *buf, size_t len)
{
	struct utsname u;

	snprintf(buf, len, "%s", uname(&u) ? "unknown" : u.release);
}

int trace_run(const struct trace_opts *o)
{
	struct session s = { .o = o, .target_pidfd = -1 };
	struct btf *btf = NULL;
	int status;

	libbpf_set_print(o->debug ? libbpf_verbose : libbpf_quiet);
	status = check_environment(o, &btf);
	if (status)
		return status;
	if (o->pid && kill(o->pid, 0) && errno == ESRCH) {
		btf__free(btf);
		return report_error(o, EXIT_ERROR, "PID %d: no such process", o->pid);
	}
	kernel_release(s.kernel, sizeof(s.kernel));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	s.checker = checker_new();
	status = load_programs(&s, btf);
	if (status)
		goto out;
	s.rb = ring_buffer__new(bpf_map__fd(s.skel->maps.events), on_event, &s, NULL);
	if (!s.rb) {
		status = report_error(o, EXIT_ERROR, "cannot open the ring buffer: %s", strerror(errno));
		goto out;
	}
	if (o->record) {
		__u8 mech[HOOK_MAX];

		for (int h = 0; h < HOOK_MAX; h++)
			mech[h] = s.plan.hook[h].mech;
		s.recorder = recorder_open(o->record, s.kernel, mech);
		if (!s.recorder) {
			status = report_error(o, EXIT_ERROR, "cannot write %s: %s", o->record, strerror(errno));
			goto out;
		}
	}
	status = start_target(&s);
	if (status)
		goto out;
	follow_target(&s);
	if (s.recorder && recorder_close(s.recorder))
		s.record_errors++;
	s.recorder = NULL;
	status = finish(&s);
out:
	if (s.recorder)
		recorder_close(s.recorder);
	/* detach everything: no program or link outlives the tool */
	ring_buffer__free(s.rb);
	hooks_detach();
	uffdwp__destroy(s.skel);
	checker_free(s.checker);
	btf__free(btf);
	return status;
}

int probe_run(const struct trace_opts *o)
{
	struct hook_plan plan;
	struct btf *btf = NULL;
	char classes[128];
	int status;

	libbpf_set_print(o->debug ? libbpf_verbose : libbpf_quiet);
	status = check_environment(o, &btf);
	if (status)
		return status;
	hooks_calibrate(&plan, btf, !o->no_fentry, 0);
	btf__free(btf);
	if (!o->json) {
		hooks_print_table(stdout, &plan);
		return EXIT_CLEAN;
	}
	struct json j;

	hooks_classes(&plan, classes, sizeof(classes));
	json_begin(&j, stdout);
	json_str(&j, "type", "probe");
	json_obj_begin(&j, "hooks");
	for (int h = 0; h < HOOK_MAX; h++) {
		json_obj_begin(&j, hook_name(h));
		json_str(&j, "mech", mech_name(plan.hook[h].mech));
		json_str(&j, "target", plan.hook[h].target ? plan.hook[h].target : "");
		json_str(&j, "why", plan.hook[h].why);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_str(&j, "classes", classes);
	json_end(&j);
	return EXIT_CLEAN;
}
