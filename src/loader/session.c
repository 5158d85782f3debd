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
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "loader/hooks.h"
#include "loader/progstats.h"
#include "loader/session.h"
#include "loader/kallsyms.h"
#include "loader/swap_types.h"
#include "pipeline/pipeline.h"
#include "report/error.h"
#include "report/json.h"
#include "report/names.h"
#include "uffdwp.skel.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
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
		return report_error(o->json, EXIT_ERROR, "must run as root (loading BPF needs CAP_BPF and CAP_PERFMON)");
	*btf = btf__load_vmlinux_btf();
	if (!*btf)
		return report_error(o->json, EXIT_ERROR,
				    "kernel has no BTF (/sys/kernel/btf/vmlinux: %s); CONFIG_DEBUG_INFO_BTF=y is required",
				    strerror(errno));
	return 0;
}

#define POLL_MS 10	/* the longest a record waits in the ring buffer when nothing wakes the tracer */

/* The kernel's counters since the programs loaded: a run's figures are
 * their growth over it (one tracer, several runs with --each). */
struct kernel_counters {
	__u64 lost[HOOK_MAX];
	__u64 lost_cause[LOST_CAUSE_MAX];
	__u64 invariant[HOOK_MAX];
	__u64 wf[WF_STAT_MAX];
	__u64 walk[WALK_STAT_MAX];
	struct prog_misses misses;	/* the kernel's skips, per program */
};

struct session {
	const struct trace_opts *o;
	struct uffdwp *skel;
	struct hook_plan plan;
	struct swap_types swap;	/* the walk's swap types, learnt before loading */
	struct kernel_kallsyms kallsyms;	/* read once: swap types and the walk's addresses */
	struct ring_buffer *rb;
	struct pipeline pipeline;	/* print, check, record, summarise */
	struct run_info ri;
	struct kernel_counters base;	/* the counters when this run began (--each) */
	char **cmd;		/* the command being run, NULL-terminated; NULL with -p */
	pid_t target;
	int target_pidfd;
	bool target_is_child;
	bool target_exited;
	bool target_reaped;
	int target_status;
	struct run_cpu cpu_base;	/* this process's CPU time when the run began */
};

/* This process's CPU time so far (all its threads; not the target's). */
static struct run_cpu cpu_now(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return (struct run_cpu){ 0 };
	return (struct run_cpu){
		.user_us = (__u64)ru.ru_utime.tv_sec * 1000000 + (__u64)ru.ru_utime.tv_usec,
		.sys_us = (__u64)ru.ru_stime.tv_sec * 1000000 + (__u64)ru.ru_stime.tv_usec,
		.measured = true,
	};
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct uffdwp_event *e = data;

	if (size < sizeof(*e))
		return 0;
	pipeline_feed(&s->pipeline, e);
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

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

/* Adds the time since *mark to *phase and moves the mark. */
static void phase_done(__u32 *phase, __u64 *mark)
{
	__u64 now = now_ms();

	*phase += (__u32)(now - *mark);
	*mark = now;
}

/* Add a per-CPU array map's counters, keys 0 to n - 1, summed over the CPUs,
 * to sums[]: the per-hook losses and invariant violations, the losses by
 * cause, the write-fault counters (bpf/faults.bpf.c). */
static void read_percpu_counters(const struct bpf_map *map, __u64 *sums, __u32 n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals));

	for (__u32 i = 0; vals && i < n; i++) {
		if (bpf_map__lookup_elem(map, &i, sizeof(i), vals, sizeof(*vals) * ncpu, 0))
			continue;
		for (int c = 0; c < ncpu; c++)
			sums[i] += vals[c];
	}
	free(vals);
}

/* Open the skeleton, configure it from the plan, load it. */
static int open_and_load(struct session *s)
{
	int err;

	s->skel = uffdwp__open();
	if (!s->skel)
		return report_error(s->o->json, EXIT_ERROR, "cannot open the BPF object: %s", strerror(errno));
	s->skel->rodata->follow_children = !s->o->no_follow;
	if (s->o->buffer_mib) {
		err = bpf_map__set_max_entries(s->skel->maps.events, (__u32)s->o->buffer_mib << 20);
		if (err)
			return report_error(s->o->json, EXIT_ERROR, "cannot size the ring buffer: %s",
					    strerror(-err));
		/* wake early enough that a burst between two polls cannot fill it */
		s->skel->rodata->wakeup_bytes = ((__u64)s->o->buffer_mib << 20) / 16;
	}
	swap_types_apply(&s->swap, s->skel);
	kallsyms_apply(&s->kallsyms, s->skel);
	err = hooks_configure(s->skel, &s->plan);
	if (err)
		return report_error(s->o->json, EXIT_ERROR, "cannot configure BPF programs: %s", strerror(-err));
	/* --debug: each program's verifier statistics (BPF_LOG_STATS: instructions
	 * processed, states, verification time), where a slow start-up goes */
	if (s->o->debug) {
		struct bpf_program *prog;

		bpf_object__for_each_program(prog, s->skel->obj)
			if (bpf_program__autoload(prog))
				bpf_program__set_log_level(prog, 4);
	}
	err = uffdwp__load(s->skel);
	if (err)
		return report_error(s->o->json, EXIT_ERROR,
				    "the kernel refused the BPF programs: %s (run with --debug for the verifier log)",
				    strerror(-err));
	return 0;
}

/* Open, configure from the calibrated plan, load and attach.  Calibration
 * only loads fentry probes and a tracepoint's calibration can pass where the
 * real program's attach is refused: then the object is planned and loaded
 * again without what was refused (kprobes, the next tracepoint); each pass
 * adds refusals, so three passes cover a refusal found in the second. */
static int load_programs(struct session *s, const struct btf *btf)
{
	struct run_startup *t = &s->ri.startup_ms;
	struct attach_refusals refused = { 0 };
	__u64 mark = now_ms();
	bool again;
	int err;

	/* Before any program is loaded: the probe's own uffd-wp marker must not
	 * be traced, and no event of this process can be. */
	kallsyms_read(&s->kallsyms);
	swap_types_detect(&s->swap, btf, &s->kallsyms);
	phase_done(&t->swap_types, &mark);
	if (s->swap.note[0])
		fprintf(stderr, "uffdwp-trace: %s\n", s->swap.note);
	else if (s->o->verbose || s->o->debug)
		swap_types_print(stderr, &s->swap);
	for (int pass = 0; pass < 3; pass++) {
		if (pass) {
			hooks_detach();
			uffdwp__destroy(s->skel);
			s->skel = NULL;
		}
		hooks_calibrate(&s->plan, btf, !s->o->no_fentry, &refused);
		phase_done(&t->calibrate, &mark);
		err = open_and_load(s);
		if (err)
			return err;
		phase_done(&t->load, &mark);
		again = hooks_attach(s->skel, &s->plan, &refused);
		phase_done(&t->attach, &mark);
		if (!again)
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

	if (s->cmd) {
		s->target = spawn_held(s->cmd, &go_fd, &exec_err_fd);
		if (s->target < 0)
			return report_error(s->o->json, EXIT_ERROR, "cannot start %s: %s", s->cmd[0], strerror(errno));
		s->target_is_child = true;
	} else {
		s->target = s->o->pid;
		s->target_pidfd = syscall(SYS_pidfd_open, s->target, 0);
		if (s->target_pidfd < 0)
			return report_error(s->o->json, EXIT_ERROR, "PID %d: %s", s->target,
					    errno == ESRCH ? "no such process" : strerror(errno));
	}
	if (add_target(s, s->target))
		return report_error(s->o->json, EXIT_ERROR, "cannot add target %d: %s", s->target, strerror(errno));
	if (go_fd >= 0) {
		if (write(go_fd, "g", 1) != 1)
			return report_error(s->o->json, EXIT_ERROR, "cannot release %s", s->cmd[0]);
		close(go_fd);
		if (read(exec_err_fd, &exec_errno, 1) == 1) {
			waitpid(s->target, NULL, 0);
			return report_error(s->o->json, EXIT_ERROR, "cannot run %s: %s", s->cmd[0],
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

static void prog_stats_json(struct json *j, const void *obj)
{
	progstats_print_json(j, obj);
}

static void prog_stats_text(FILE *f, const void *obj)
{
	progstats_print_text(f, obj);
}

static void read_kernel_counters(struct session *s, struct kernel_counters *k)
{
	memset(k, 0, sizeof(*k));
	read_percpu_counters(s->skel->maps.lost_events, k->lost, HOOK_MAX);
	read_percpu_counters(s->skel->maps.lost_causes, k->lost_cause, LOST_CAUSE_MAX);
	progstats_read_misses(s->skel->obj, &k->misses);
	read_percpu_counters(s->skel->maps.skips_covered, k->misses.covered,
			     HOOK_MAX * HOOK_COPIES_MAX);
	read_percpu_counters(s->skel->maps.invariant_violations, k->invariant, HOOK_MAX);
	read_percpu_counters(s->skel->maps.wf_stats, k->wf, WF_STAT_MAX);
	read_percpu_counters(s->skel->maps.walk_stats, k->walk, WALK_STAT_MAX);
}

/* The kernel's counters complete the run; the pipeline prints its end. */
static int finish(struct session *s)
{
	const struct summary_extra prog_stats = {
		.json = prog_stats_json, .text = prog_stats_text, .ctx = s->skel->obj,
	};
	struct run_cpu cpu = cpu_now();
	struct kernel_counters now;

	s->ri.tracer_cpu.measured = cpu.measured && s->cpu_base.measured;
	if (s->ri.tracer_cpu.measured) {
		s->ri.tracer_cpu.user_us = cpu.user_us - s->cpu_base.user_us;
		s->ri.tracer_cpu.sys_us = cpu.sys_us - s->cpu_base.sys_us;
	}
	read_kernel_counters(s, &now);
	for (int h = 0; h < HOOK_MAX; h++) {
		s->ri.lost[h] = now.lost[h] - s->base.lost[h];
		s->ri.invariant[h] = now.invariant[h] - s->base.invariant[h];
	}
	for (int c = 0; c < LOST_CAUSE_MAX; c++)
		s->ri.lost_cause[c] = now.lost_cause[c] - s->base.lost_cause[c];
	/* the skips in this run's window, per program: a least over copies of
	 * the counters since load would charge a run with an earlier run's */
	s->ri.lost_cause[LOST_SKIPPED] +=
		progstats_lost_to_skips(s->skel->obj, hooks_counting_skipped_calls(&s->plan),
					&s->base.misses, &now.misses, s->ri.lost);
	s->ri.wf_seen = now.wf[WF_STAT_SEEN] - s->base.wf[WF_STAT_SEEN];
	s->ri.wf_repeats = now.wf[WF_STAT_REPEATS] - s->base.wf[WF_STAT_REPEATS];
	s->ri.pages_to_verify = now.walk[WALK_STAT_PAGES] - s->base.walk[WALK_STAT_PAGES];
	if (s->target_reaped && WIFEXITED(s->target_status))
		s->ri.target_exit = WEXITSTATUS(s->target_status);
	s->ri.target_pid = s->target;
	s->ri.ended = true;
	return pipeline_finish(&s->pipeline, &s->ri, s->o->prog_stats ? &prog_stats : NULL);
}

static void kernel_release(char *buf, size_t len)
{
	struct utsname u;

	const char *release = uname(&u) ? "unknown" : u.release;

	/* a release fills at most 64 bytes of a recording's header */
	snprintf(buf, len, "%.*s", (int)len - 1, release);
}

/* The pipeline starts once the hooks are known: a recording's header has them. */
static int start_pipeline(struct session *s)
{
	const struct pipeline_opts po = {
		.out = stdout, .json = s->o->json, .events = (s->o->json || s->o->verbose) && !s->o->no_events,
		.record = s->o->record,
	};
	int err;

	hooks_run_info(&s->plan, &s->ri);
	err = pipeline_init(&s->pipeline, &po, &s->ri);
	if (err)
		return report_error(s->o->json, EXIT_ERROR, "cannot %s: %s",
				    s->o->record ? "write the recording" : "set up the checker",
				    strerror(-err));
	return 0;
}

#define RELEASE_WAIT_MS 2000

/*
 * Destroys the object, then waits until the kernel has let go of its
 * programs: a raw tracepoint link drops its program's last reference only
 * after an RCU grace period (bpf_link_free()'s deferred dealloc), so without
 * the wait they were still listed for a moment after the tool had gone.
 * Bounded; a program is gone when its id no longer opens.
 */
static void destroy_and_wait(struct uffdwp *skel)
{
	__u32 ids[128];
	size_t n = 0;
	struct bpf_program *prog;

	if (!skel)
		return;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && n < sizeof(ids) / sizeof(ids[0]) &&
		    !bpf_obj_get_info_by_fd(fd, &info, &len))
			ids[n++] = info.id;
	}
	uffdwp__destroy(skel);
	for (int ms = 0; n && ms < RELEASE_WAIT_MS; ms++) {
		size_t alive = 0;

		for (size_t i = 0; i < n; i++) {
			int fd = bpf_prog_get_fd_by_id(ids[i]);

			if (fd >= 0) {
				close(fd);
				ids[alive++] = ids[i];
			}
		}
		n = alive;
		if (n)
			usleep(1000);
	}
}

/* One target, from its pipeline's start to its summary: the exit status. */
static int run_target(struct session *s)
{
	int status;

	s->cpu_base = cpu_now();
	status = start_pipeline(s);

	if (status)
		return status;
	status = start_target(s);
	if (status) {
		/* a command that could not run: its child's exit is this run's */
		ring_buffer__consume(s->rb);
	} else {
		follow_target(s);
		status = finish(s);
	}
	pipeline_free(&s->pipeline);
	return status;
}

/* The exit status of several runs: an error, else findings, else a run
 * that decided nothing, else clean. */
static int worse_status(int a, int b)
{
	static const int rank[] = {
		[EXIT_CLEAN] = 0, [EXIT_INCONCLUSIVE] = 1, [EXIT_FINDINGS] = 2, [EXIT_ERROR] = 3,
	};

	if (a < 0 || a > EXIT_INCONCLUSIVE || b < 0 || b > EXIT_INCONCLUSIVE)
		return EXIT_ERROR;
	return rank[a] >= rank[b] ? a : b;
}

/* --each's line before (status < 0) and after each command's own output. */
static void command_line(const struct session *s, int index, char **cmd, int status)
{
	if (s->o->json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "type", status < 0 ? "command" : "command_end");
		json_u64(&j, "index", (__u64)index);
		json_str(&j, "command", cmd[0]);
		if (status >= 0)
			json_i64(&j, "status", status);
		json_end(&j);
	} else if (status < 0) {
		printf("== command %d: %s\n", index, cmd[0]);
	} else {
		printf("== command %d: %s: exit status %d\n", index, cmd[0], status);
	}
	fflush(stdout);		/* before the command writes to the same stdout */
}

/*
 * --each: the commands between ';' arguments, one after the other under the
 * programs loaded once (a start-up is seconds under TCG, a scenario a
 * fraction of one).  Each is a run of its own: its own model, findings,
 * summary and exit status, and the kernel's counters as they grew during it.
 * A process a command leaves running is still traced, into the next run.
 */
static int run_each(struct session *s)
{
	char **cmd = s->o->cmd;
	int worst = EXIT_CLEAN;

	for (int index = 1; cmd && *cmd && !stop_requested; index++) {
		int n = 0, status;
		char *sep;

		while (cmd[n] && strcmp(cmd[n], ";"))
			n++;
		sep = cmd[n];
		cmd[n] = NULL;
		s->cmd = cmd;
		s->target = 0;
		s->target_pidfd = -1;
		s->target_is_child = s->target_exited = s->target_reaped = false;
		s->target_status = 0;
		s->ri.ended = s->ri.record_incomplete = false;
		s->ri.target_exit = -1;
		if (index > 1)	/* paid once, by the first run */
			memset(&s->ri.startup_ms, 0, sizeof(s->ri.startup_ms));
		read_kernel_counters(s, &s->base);
		command_line(s, index, cmd, -1);
		status = run_target(s);
		command_line(s, index, cmd, status);
		worst = worse_status(worst, status);
		cmd[n] = sep;
		cmd += n + (sep != NULL);
	}
	return worst;
}

int trace_run(const struct trace_opts *o)
{
	struct session s = { .o = o, .cmd = o->cmd, .target_pidfd = -1, .ri = { .target_exit = -1 } };
	struct btf *btf = NULL;
	int status;

	__u64 start = now_ms(), mark = start;

	libbpf_set_print(o->debug ? libbpf_verbose : libbpf_quiet);
	status = check_environment(o, &btf);
	if (status)
		return status;
	phase_done(&s.ri.startup_ms.btf, &mark);
	if (o->pid && kill(o->pid, 0) && errno == ESRCH) {
		btf__free(btf);
		return report_error(o->json, EXIT_ERROR, "PID %d: no such process", o->pid);
	}
	kernel_release(s.ri.kernel, sizeof(s.ri.kernel));
	s.ri.strict = o->strict;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	status = load_programs(&s, btf);
	if (status)
		goto out;
	s.ri.startup_ms.total = (__u32)(now_ms() - start);
	s.rb = ring_buffer__new(bpf_map__fd(s.skel->maps.events), on_event, &s, NULL);
	if (!s.rb) {
		status = report_error(o->json, EXIT_ERROR, "cannot open the ring buffer: %s", strerror(errno));
		goto out;
	}
	status = o->each ? run_each(&s) : run_target(&s);
out:
	/* detach everything: no program or link outlives the tool */
	ring_buffer__free(s.rb);
	hooks_detach();
	destroy_and_wait(s.skel);
	btf__free(btf);
	return status;
}

int probe_run(const struct trace_opts *o)
{
	struct hook_plan plan;
	struct swap_types swap;
	struct kernel_kallsyms kallsyms;
	struct run_info ri = {};
	struct btf *btf = NULL;
	char classes[128];
	struct json j;
	int status;

	libbpf_set_print(o->debug ? libbpf_verbose : libbpf_quiet);
	status = check_environment(o, &btf);
	if (status)
		return status;
	hooks_calibrate(&plan, btf, !o->no_fentry, NULL);
	kallsyms_read(&kallsyms);
	swap_types_detect(&swap, btf, &kallsyms);
	btf__free(btf);
	hooks_run_info(&plan, &ri);
	if (!o->json) {
		summary_print_hooks(stdout, &ri);
		swap_types_print(stdout, &swap);
		if (swap.note[0])
			printf("note: %s\n", swap.note);
		return EXIT_CLEAN;
	}
	run_classes(ri.mech, classes, sizeof(classes));
	json_begin(&j, stdout);
	json_str(&j, "type", "probe");
	json_obj_begin(&j, "hooks");
	for (int h = 0; h < HOOK_MAX; h++) {
		json_obj_begin(&j, hook_name(h));
		json_str(&j, "mech", mech_name(ri.mech[h]));
		json_str(&j, "target", ri.target[h]);
		json_str(&j, "why", ri.note[h]);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_str(&j, "classes", classes);
	json_obj_begin(&j, "swap_types");
	json_u64(&j, "marker", swap.marker);
	if (swap.migration != SWAP_TYPE_NONE)
		json_u64(&j, "migration", swap.migration);
	json_str(&j, "from", swap.from);
	json_str(&j, "note", swap.note);
	json_obj_end(&j);
	json_end(&j);
	return EXIT_CLEAN;
}
