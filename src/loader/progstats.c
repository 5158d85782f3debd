// SPDX-License-Identifier: GPL-2.0
/*
 * Per-program run statistics.  BPF_ENABLE_STATS is the descriptor form of
 * `sysctl kernel.bpf_stats_enabled=1`: the kernel counts while any such
 * descriptor is open, so the previous setting comes back by itself when we
 * close it or exit, even on a crash, and another user's setting is untouched.
 * run_time_ns covers the program body only, not the trampoline or kprobe
 * that calls it; the wall-time overhead in `make bench` includes both.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader/hooks.h"
#include "loader/progstats.h"
#include "loader/skips.h"
#include "report/json.h"
#include "report/names.h"

static int stats_fd = -1;
static int enable_err = ENOTCONN;	/* progstats_enable() not called */

void progstats_enable(void)
{
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	enable_err = stats_fd < 0 ? errno : 0;
}

void progstats_disable(void)
{
	if (stats_fd >= 0)
		close(stats_fd);
	stats_fd = -1;
}

struct run_stats {
	__u64 runs;
	__u64 time_ns;
	__u64 misses;	/* runs the kernel skipped: the program was already running on that CPU */
};

static __u64 ns_per_run(const struct run_stats *r)
{
	return r->runs ? (r->time_ns + r->runs / 2) / r->runs : 0;
}

/* Length of prefix when name starts with it, else 0. */
static size_t prefix_len(const char *name, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;

	return n && !strncmp(name, prefix, n) ? n : 0;
}

/*
 * The hook a skeleton program serves, from hook_defs' program names
 * (<func_prog>_enter/_exit, tracepoint prefixes); the longest match wins.
 * -1 for a program no hook names.
 */
static int hook_of_program(const char *name)
{
	size_t best = 0;
	int hook = -1;

	for (int h = 0; h < HOOK_MAX; h++) {
		const struct hook_def *d = &hook_defs[h];
		size_t n = prefix_len(name, d->func_prog);

		if (n && name[n] != '_')
			n = 0;
		for (int t = 0; t < 2; t++)
			if (prefix_len(name, d->tps[t].prog_prefix) > n)
				n = prefix_len(name, d->tps[t].prog_prefix);
		if (n > best) {
			best = n;
			hook = h;
		}
	}
	return hook;
}

static const char *hook_label(int hook)
{
	return hook < 0 ? "other" : hook_name(hook);
}

/* The kernel's counters for one loaded program; false when not loaded. */
static bool program_stats(const struct bpf_program *prog, struct run_stats *r)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	r->runs = info.run_cnt;
	r->time_ns = info.run_time_ns;
	r->misses = info.recursion_misses;
	return true;
}

void progstats_read_misses(const struct bpf_object *obj, struct prog_misses *m)
{
	struct bpf_program *prog;
	struct run_stats r;
	int i = 0;

	memset(m->n, 0, sizeof(m->n));
	bpf_object__for_each_program(prog, obj) {
		if (i >= PROGSTATS_PROGS_MAX)
			break;
		m->n[i++] = program_stats(prog, &r) ? r.misses : 0;
	}
}

__u64 progstats_lost_to_skips(const struct bpf_object *obj, unsigned int counted_by_bpf,
			      const struct prog_misses *base, const struct prog_misses *now,
			      __u64 lost[HOOK_MAX])
{
	struct prog_skips p[PROGSTATS_PROGS_MAX];
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, obj) {
		struct prog_skips *q = &p[n];

		if (n >= PROGSTATS_PROGS_MAX)
			break;
		q->name = bpf_program__name(prog);
		q->hook = hook_of_program(q->name);
		q->copy = prog_copy_index(q->name, &q->base_len);
		q->loaded = bpf_program__fd(prog) >= 0;
		q->misses = now->n[n] - base->n[n];
		q->covered = 0;
		if (q->hook >= 0 && q->copy < HOOK_COPIES_MAX) {
			int c = q->hook * HOOK_COPIES_MAX + q->copy;

			q->covered = now->covered[c] - base->covered[c];
		}
		n++;
	}
	return skips_lost(p, n, counted_by_bpf, lost);
}

/* Every loaded program's counters, and their sums per hook. */
static void hook_totals(const struct bpf_object *obj, struct run_stats totals[HOOK_MAX])
{
	struct bpf_program *prog;
	struct run_stats r;

	memset(totals, 0, sizeof(*totals) * HOOK_MAX);
	bpf_object__for_each_program(prog, obj) {
		int hook = hook_of_program(bpf_program__name(prog));

		if (hook >= 0 && program_stats(prog, &r)) {
			totals[hook].runs += r.runs;
			totals[hook].time_ns += r.time_ns;
			totals[hook].misses += r.misses;
		}
	}
}

void progstats_print_text(FILE *f, const struct bpf_object *obj)
{
	struct run_stats totals[HOOK_MAX], r;
	struct bpf_program *prog;

	if (enable_err) {
		fprintf(f, "prog stats: unavailable (BPF_ENABLE_STATS: %s)\n", strerror(enable_err));
		return;
	}
	fprintf(f, "%-28s %-26s %12s %14s %8s %8s\n", "PROGRAM", "HOOK", "RUNS", "RUN_TIME_NS", "NS/RUN",
		"MISSED");
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);

		if (program_stats(prog, &r))
			fprintf(f, "%-28s %-26s %12llu %14llu %8llu %8llu\n", name,
				hook_label(hook_of_program(name)), (unsigned long long)r.runs,
				(unsigned long long)r.time_ns, (unsigned long long)ns_per_run(&r),
				(unsigned long long)r.misses);
	}
	hook_totals(obj, totals);
	for (int h = 0; h < HOOK_MAX; h++)
		if (totals[h].runs)
			fprintf(f, "%-28s %-26s %12llu %14llu %8llu %8llu\n", "(all)", hook_name(h),
				(unsigned long long)totals[h].runs,
				(unsigned long long)totals[h].time_ns,
				(unsigned long long)ns_per_run(&totals[h]),
				(unsigned long long)totals[h].misses);
}

static void json_run_stats(struct json *j, const char *key, const char *hook,
			   const struct run_stats *r)
{
	json_obj_begin(j, key);
	if (hook)
		json_str(j, "hook", hook);
	json_u64(j, "runs", r->runs);
	json_u64(j, "run_time_ns", r->time_ns);
	json_u64(j, "ns_per_run", ns_per_run(r));
	json_u64(j, "recursion_misses", r->misses);
	json_obj_end(j);
}

void progstats_print_json(struct json *j, const struct bpf_object *obj)
{
	struct run_stats totals[HOOK_MAX], r;
	struct bpf_program *prog;

	json_obj_begin(j, "prog_stats");
	if (enable_err) {
		json_str(j, "error", strerror(enable_err));
		json_obj_end(j);
		return;
	}
	json_obj_begin(j, "programs");
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);

		if (program_stats(prog, &r))
			json_run_stats(j, name, hook_label(hook_of_program(name)), &r);
	}
	json_obj_end(j);
	hook_totals(obj, totals);
	json_obj_begin(j, "hooks");
	for (int h = 0; h < HOOK_MAX; h++)
		if (totals[h].runs)
			json_run_stats(j, hook_name(h), NULL, &totals[h]);
	json_obj_end(j);
	json_obj_end(j);
}
