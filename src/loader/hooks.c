// SPDX-License-Identifier: GPL-2.0
/*
 * Per-hook attach strategy.  Like libbpf-tools' fentry_can_attach() and
 * kprobe_exists(), but by really attaching: this host's kernel, for one,
 * loads fentry programs and refuses the attach with EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "loader/hooks.h"
#include "pipeline/summary.h"
#include "report/names.h"
#include "uffdwp.skel.h"

#define TP(n, prefix) { .name = n, .prog_prefix = prefix }
#define RAW_TP(n, prefix) { .name = n, .prog_prefix = prefix, .raw = true }

const struct hook_def hook_defs[HOOK_MAX] = {
	[HOOK_CHANGE_PROTECTION] = {
		.funcs = { "change_protection" }, .func_prog = "change_protection" },
	[HOOK_HUGETLB_CHANGE_PROTECTION] = {
		.funcs = { "hugetlb_change_protection" }, .func_prog = "hugetlb_change_protection" },
	[HOOK_CHANGE_HUGE_PMD] = {
		.funcs = { "change_huge_pmd" }, .func_prog = "change_huge_pmd" },
	/* the tracepoint (5.19+) carries the final PTE; the function does not */
	[HOOK_MIGRATION_PTE] = {
		.funcs = { "remove_migration_pte" }, .func_prog = "remove_migration_pte",
		.tps = { RAW_TP("remove_migration_pte", "remove_migration_pte_tp") },
		.prefer_tp = true },
	[HOOK_SET_MIGRATION_PTE] = {
		.tps = { RAW_TP("set_migration_pte", "set_migration_pte_tp") } },
	[HOOK_MIGRATION_PMD] = {
		.funcs = { "remove_migration_pmd" }, .func_prog = "remove_migration_pmd" },
	[HOOK_SET_MIGRATION_PMD] = {
		.funcs = { "set_pmd_migration_entry" }, .func_prog = "set_pmd_migration_entry" },
	/*
	 * The per-VMA zap worker, which every zap (munmap/exit, MADV_DONTNEED,
	 * hole punch, unmap_mapping_range) calls: unmap_page_range() up to 7.0,
	 * __zap_vma_range() since the 7.1 zap rework (static, called out of line
	 * by unmap_vmas(), zap_vma_range_batched() and zap_vma_for_reaping() in
	 * Debian's 7.3.4).  zap_pte_range() is inlined everywhere.
	 */
	[HOOK_ZAP] = {
		.funcs = { "unmap_page_range", "__zap_vma_range", "zap_page_range_single" },
		.func_prog = "zap" },
	[HOOK_HANDLE_USERFAULT] = {
		.funcs = { "handle_userfault" }, .func_prog = "handle_userfault" },
	/* raw_syscalls first: one program pair for every syscall, filtered by
	 * number before any map lookup; the per-syscall tracepoints are ten
	 * copies of the exit handler, each verified on its own (~0.6 s of a
	 * 0.85 s start-up on the host, more under TCG) */
	[HOOK_SYSCALLS] = {
		.tps = { RAW_TP("sys_enter", "raw_sys_"), TP("syscalls/sys_enter_ioctl", "sys_") } },
	[HOOK_WRITE_FAULT] = {
		.tps = { RAW_TP("page_fault_user", "page_fault_user") } },
	[HOOK_SCHED] = { .tps = { RAW_TP("sched_process_fork", "sched_process_") } },
	/*
	 * The hugetlb zaps the zap hook does not see: unmap_page_range() is
	 * never called for a hugetlb VMA (unmap_single_vma() calls
	 * __unmap_hugepage_range() instead, up to 7.0), and hugetlbfs hole punch
	 * and truncate (hugetlb_vmdelete_list(), hugetlb_unmap_file_folio())
	 * call unmap_hugepage_range() directly on every kernel (6.1-7.3), not
	 * through unmap_mapping_range() as shmem does.
	 */
	[HOOK_ZAP_HUGETLB] = {
		.funcs = { "unmap_hugepage_range" }, .func_prog = "zap_hugetlb" },
};

static const struct {
	const char *param;
	enum uffdwp_arg_role role;
} role_by_param[] = {
	{ "vma", ROLE_VMA }, { "start", ROLE_START }, { "addr", ROLE_START },
	{ "address", ROLE_START }, { "end", ROLE_END }, { "size", ROLE_SIZE },
	{ "cp_flags", ROLE_FLAGS }, { "reason", ROLE_FLAGS }, { "zap_flags", ROLE_FLAGS },
	{ "details", ROLE_DETAILS },
	{ "vmf", ROLE_VMF }, { "pvmw", ROLE_PVMW },
};

static void note(struct hook_choice *c, const char *fmt, const char *what, int err)
{
	size_t n = strlen(c->why);

	snprintf(c->why + n, sizeof(c->why) - n, "%s%s: %s", n ? "; " : "", what,
		 fmt ? fmt : strerror(err));
}

/* ---- trivial programs for calibration ---- */

static const struct bpf_insn return_zero[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* The attach result of a calibration probe; both descriptors are closed. */
static int attach_result(int prog, int link)
{
	int err = link < 0 ? -errno : 0;

	if (link >= 0)
		close(link);
	close(prog);
	return err;
}

/*
 * Loading is the test: the verifier resolves the target and checks it may be
 * traced (the 6.18 host refuses here with EPERM).  Attaching is not tried:
 * each probe would build and tear down a trampoline, ~80 ms under TCG, 1.9 s
 * per start on Debian 6.1.  A real attach that still fails is re-planned
 * (hooks_attach(), session.c).
 */
static int try_fentry(int btf_id)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = btf_id);
	int prog;

	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "uffdwp_probe", "GPL", return_zero, 2, &opts);
	if (prog < 0)
		return -errno;
	close(prog);
	return 0;
}

static int read_int_file(const char *path, int *val)
{
	char buf[32] = {};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	*val = atoi(buf);
	return 0;
}

/* A trivial program of @type attached to the perf event @attr describes
 * (perf_event_open + PERF_EVENT_IOC_SET_BPF, as libbpf does); 0 or -errno. */
static int try_perf_attach(enum bpf_prog_type type, struct perf_event_attr *attr)
{
	int prog = bpf_prog_load(type, "uffdwp_probe", "GPL", return_zero, 2, NULL), pfd, err;

	if (prog < 0)
		return -errno;
	pfd = syscall(__NR_perf_event_open, attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	err = pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) < 0 ? -errno : 0;
	if (pfd >= 0)
		close(pfd);
	close(prog);
	return err;
}

/* Attach through the kprobe PMU. */
static int try_kprobe(const char *func, const char **why)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int type = 0;

	if (read_int_file("/sys/bus/event_source/devices/kprobe/type", &type)) {
		*why = "no kprobe PMU (kernel without CONFIG_KPROBES?)";
		return -ENOENT;
	}
	attr.type = type;
	attr.config1 = (__u64)(unsigned long)func;
	return try_perf_attach(BPF_PROG_TYPE_KPROBE, &attr);
}

/* Tracepoints we attach need tracefs; a bare initramfs may not have it mounted. */
static bool tracefs_events_dir(char *buf, size_t len)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	struct stat st;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
			snprintf(buf, len, "%s/events", roots[i]);
			if (!stat(buf, &st))
				return true;
		}
		if (pass == 0)
			mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	}
	return false;
}

/* A classic tracepoint is attached through a perf event: try exactly that. */
static int try_perf_tracepoint(const char *tp, const char **why)
{
	struct perf_event_attr attr = { .size = sizeof(attr), .type = PERF_TYPE_TRACEPOINT,
					.sample_period = 1, .wakeup_events = 1 };
	char path[512];
	int id = 0;
	size_t n;

	if (!tracefs_events_dir(path, sizeof(path))) {
		*why = "tracefs unavailable";
		return -ENOENT;
	}
	n = strlen(path);
	snprintf(path + n, sizeof(path) - n, "/%s/id", tp);
	if (read_int_file(path, &id)) {
		*why = "no such tracepoint";
		return -ENOENT;
	}
	attr.config = id;
	return try_perf_attach(BPF_PROG_TYPE_TRACEPOINT, &attr);
}

/* tp_btf programs need the tracepoint's BTF type and a raw tracepoint attach. */
static int try_raw_tracepoint(const struct btf *btf, const char *tp, const char **why)
{
	char type[128];
	int prog;

	snprintf(type, sizeof(type), "btf_trace_%s", tp);
	if (btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF) < 0) {
		*why = "no such tracepoint in BTF";
		return -ENOENT;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "uffdwp_probe", "GPL", return_zero, 2, NULL);
	if (prog < 0)
		return -errno;
	return attach_result(prog, bpf_raw_tracepoint_open(tp, prog));
}

static bool btf_func_layout(const struct btf *btf, const char *func, struct hook_choice *c)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *proto;
	const struct btf_param *p;

	if (id < 0)
		return false;
	proto = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	p = btf_params(proto);
	c->nargs = btf_vlen(proto);
	memset(c->arg_idx, ARG_ABSENT, sizeof(c->arg_idx));
	for (int i = 0; i < c->nargs && i < MAX_FUNC_ARGS; i++) {
		const char *name = btf__name_by_offset(btf, p[i].name_off);

		for (size_t r = 0; r < sizeof(role_by_param) / sizeof(role_by_param[0]); r++)
			if (name && !strcmp(name, role_by_param[r].param))
				c->arg_idx[role_by_param[r].role] = i;
	}
	return true;
}

static bool choose_function(struct hook_choice *c, const struct hook_def *d,
			    const struct btf *btf, int mech)
{
	for (int i = 0; i < 3 && d->funcs[i]; i++) {
		const char *func = d->funcs[i], *why = NULL;
		char what[96];
		int err;

		if (!btf_func_layout(btf, func, c))
			continue;	/* noted once by note_absent_functions() */
		if (mech == MECH_FENTRY)
			err = try_fentry(btf__find_by_name_kind(btf, func, BTF_KIND_FUNC));
		else
			err = try_kprobe(func, &why);
		if (!err) {
			c->mech = mech;
			c->target = func;
			return true;
		}
		snprintf(what, sizeof(what), "%s %s", mech_name(mech), func);
		note(c, why, what, -err);
		if (why)	/* no kprobe support at all: other functions fare no better */
			return false;
	}
	return false;
}

/* Functions the running kernel's BTF lacks, noted once (not per mechanism),
 * up to the first it has: the ones after it are alternatives for older or
 * newer kernels, not something this one is missing. */
static void note_absent_functions(struct hook_choice *c, const struct hook_def *d,
				  const struct btf *btf)
{
	for (int i = 0; i < 3 && d->funcs[i]; i++) {
		if (btf__find_by_name_kind(btf, d->funcs[i], BTF_KIND_FUNC) >= 0)
			return;
		note(c, "not in BTF (inlined or absent)", d->funcs[i], 0);
	}
}

/*
 * The best alternative that calibrates, passing over the first @skip (refused
 * at a real attach: this host denies perf-event links to the syscall
 * tracepoint programs though their calibration passes).
 */
static bool choose_tracepoint(struct hook_choice *c, const struct hook_def *d,
			      const struct btf *btf, int skip)
{
	for (int i = 1; i >= 0; i--) {
		const struct tp_alt *t = &d->tps[i];
		const char *why = NULL;
		int err;

		if (!t->name)
			continue;
		if (i < skip) {
			note(c, "refused at attach", t->name, 0);
			continue;
		}
		err = t->raw ? try_raw_tracepoint(btf, t->name, &why) : try_perf_tracepoint(t->name, &why);
		if (!err) {
			c->mech = MECH_TRACEPOINT;
			c->target = t->name;
			c->tp_alt = i;
			memset(c->arg_idx, ARG_ABSENT, sizeof(c->arg_idx));
		} else {
			note(c, why, t->name, -err);
		}
	}
	return c->mech == MECH_TRACEPOINT;
}

/*
 * Whether tracepoint programs may be preempted, and so skipped by the kernel
 * on a CPU where a preempted run holds them (bpf/stash_copies.bpf.h).  A
 * kernel without struct tracepoint_ext runs every tracepoint's callbacks with
 * preemption off (__DO_TRACE()'s preempt_disable_notrace(), 6.1 and 6.12) and
 * its raw tracepoint programs under cant_sleep(): one program per tracepoint
 * sees every call.  The struct came with faultable syscall tracepoints
 * ("tracing: Introduce tracepoint extended structure", then "tracing: Allow
 * system call tracepoints to handle page faults"); after it, syscall
 * tracepoints run their programs preemptible, and since tracepoints moved
 * to SRCU-fast (Debian's 7.3) all of them do.  So the struct's presence keeps
 * every copy: a kernel with it may or may not need them, one without never
 * does.
 */
static bool tracepoints_preemptible(const struct btf *vmlinux)
{
	return btf__find_by_name_kind(vmlinux, "tracepoint_ext", BTF_KIND_STRUCT) >= 0;
}

void hooks_calibrate(struct hook_plan *plan, const struct btf *vmlinux, bool use_fentry,
		     const struct attach_refusals *refused)
{
	memset(plan, 0, sizeof(*plan));
	plan->tp_preemptible = tracepoints_preemptible(vmlinux);
	for (int h = 0; h < HOOK_MAX; h++) {
		const struct hook_def *d = &hook_defs[h];
		struct hook_choice *c = &plan->hook[h];
		bool fentry = use_fentry && !(refused && (refused->fentry & (1u << h)));
		int tp_skip = refused ? refused->tp_skip[h] : 0;

		memset(c->arg_idx, ARG_ABSENT, sizeof(c->arg_idx));
		if (use_fentry && !fentry)
			note(c, "refused at attach", "fentry", 0);
		if (d->prefer_tp && choose_tracepoint(c, d, vmlinux, tp_skip))
			continue;
		note_absent_functions(c, d, vmlinux);
		if (d->funcs[0] && ((fentry && choose_function(c, d, vmlinux, MECH_FENTRY)) ||
				    choose_function(c, d, vmlinux, MECH_KPROBE)))
			continue;
		if (!d->prefer_tp)
			choose_tracepoint(c, d, vmlinux, tp_skip);
	}
}

/* ---- skeleton configuration and attach ---- */

/* Whether @prog is named @prefix@suffix, its later copies included (no
 * @suffix: any name that starts with @prefix). */
static bool prog_is(const struct bpf_program *prog, const char *prefix, const char *suffix)
{
	const char *name = bpf_program__name(prog);
	size_t n = strlen(prefix), base;

	if (strncmp(name, prefix, n))
		return false;
	prog_copy_index(name, &base);
	return !suffix || (base == n + strlen(suffix) && !strncmp(name + n, suffix, base - n));
}

/*
 * Which hook a program belongs to; *tp_alt is its tracepoint alternative, or
 * -1 for a function hook program (then *is_exit tells entry from exit).
 */
static int prog_hook(const struct bpf_program *prog, int *tp_alt, bool *is_exit)
{
	for (int h = 0; h < HOOK_MAX; h++) {
		const struct hook_def *d = &hook_defs[h];

		for (int i = 0; i < 2; i++) {
			if (d->tps[i].prog_prefix && prog_is(prog, d->tps[i].prog_prefix, NULL)) {
				*tp_alt = i;
				return h;
			}
		}
		if (d->func_prog && (prog_is(prog, d->func_prog, "_enter") ||
				     prog_is(prog, d->func_prog, "_exit"))) {
			*tp_alt = -1;
			*is_exit = prog_is(prog, d->func_prog, "_exit");
			return h;
		}
	}
	return -1;
}

void hooks_run_info(const struct hook_plan *plan, struct run_info *ri)
{
	for (int h = 0; h < HOOK_MAX; h++) {
		const struct hook_choice *c = &plan->hook[h];

		ri->mech[h] = c->mech;
		snprintf(ri->target[h], sizeof(ri->target[h]), "%s", c->target ? c->target : "");
		snprintf(ri->note[h], sizeof(ri->note[h]), "%s", c->why);
	}
}

/* Whether a hook's later copies load: not a kprobe's, whose program runs
 * with preemption off (and a kretprobe's return handlers run in the opposite
 * order of its entry handlers, which the copies' protocol would need), nor a
 * tracepoint's that runs its programs with preemption off. */
static bool hook_loads_copies(const struct hook_choice *c, const struct hook_plan *plan)
{
	if (c->mech == MECH_KPROBE)
		return false;
	return c->mech != MECH_TRACEPOINT || plan->tp_preemptible;
}

int hooks_configure(struct uffdwp *skel, const struct hook_plan *plan)
{
	struct bpf_program *prog;
	struct run_info ri;

	hooks_run_info(plan, &ri);
	skel->rodata->walk_at_syscall_exit = run_walks_at_syscall_exit(ri.mech);
	skel->rodata->tp_preemptible = plan->tp_preemptible;
	for (int h = 0; h < HOOK_MAX; h++) {
		skel->rodata->hook_mech[h] = plan->hook[h].mech;
		skel->rodata->hook_nargs[h] = plan->hook[h].nargs;
		memcpy((void *)skel->rodata->hook_arg_idx[h], plan->hook[h].arg_idx, ROLE_MAX);
	}
	bpf_object__for_each_program(prog, skel->obj) {
		bool is_exit = false, load;
		int tp_alt, h = prog_hook(prog, &tp_alt, &is_exit), err = 0;
		const struct hook_choice *c;

		if (h < 0)
			continue;
		c = &plan->hook[h];
		/* only the chosen alternative: a refusal plans and loads again */
		load = tp_alt < 0 ? (c->mech == MECH_FENTRY || c->mech == MECH_KPROBE)
				  : (c->mech == MECH_TRACEPOINT && tp_alt == c->tp_alt);
		if (!hook_loads_copies(c, plan) && prog_copy_index(bpf_program__name(prog), NULL) > 0)
			load = false;
		bpf_program__set_autoload(prog, load);
		if (!load || c->mech != MECH_FENTRY)
			continue;
		/* one program, retyped: fentry/fexit instead of kprobe/kretprobe */
		err = err ?: bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
		err = err ?: bpf_program__set_expected_attach_type(prog, is_exit ? BPF_TRACE_FEXIT
										 : BPF_TRACE_FENTRY);
		err = err ?: bpf_program__set_attach_target(prog, 0, c->target);
		if (err)
			return err;
	}
	return 0;
}

#define MAX_LINKS 64
static struct bpf_link *links[MAX_LINKS];
static int link_hook[MAX_LINKS];
static int nlinks;

static void detach_hook(int h)
{
	for (int i = 0; i < nlinks; i++) {
		if (link_hook[i] == h && links[i]) {
			bpf_link__destroy(links[i]);
			links[i] = NULL;
		}
	}
}

unsigned int hooks_counting_skipped_calls(const struct hook_plan *plan)
{
	unsigned int mask = 0;

	for (int h = 0; h < HOOK_MAX; h++)
		if (plan->hook[h].mech == MECH_FENTRY && hook_defs[h].func_prog &&
		    h != HOOK_HANDLE_USERFAULT)
			mask |= 1u << h;
	return mask;
}

const char *const prog_copy_suffix[PROG_COPIES_MAX] = { "", "_second", "_third" };

int prog_copy_index(const char *name, size_t *base_len)
{
	size_t n = strlen(name);

	for (int i = PROG_COPIES_MAX - 1; i > 0; i--) {
		size_t k = strlen(prog_copy_suffix[i]);

		if (n > k && !strcmp(name + n - k, prog_copy_suffix[i])) {
			if (base_len)
				*base_len = n - k;
			return i;
		}
	}
	if (base_len)
		*base_len = n;
	return 0;
}

/* Attach @prog for hook @h: a link, or -errno with the reason noted in @c. */
static int attach_one(struct bpf_program *prog, struct hook_choice *c, int h, bool is_exit,
		      bool function)
{
	struct bpf_link *link;

	if (nlinks >= MAX_LINKS)
		return -E2BIG;
	if (function && c->mech == MECH_KPROBE)
		link = bpf_program__attach_kprobe(prog, is_exit, c->target);
	else if (function)
		link = bpf_program__attach_trace(prog);
	else
		link = bpf_program__attach(prog);
	if (!link) {
		int err = -errno;

		note(c, NULL, bpf_program__name(prog), -err);
		return err;
	}
	link_hook[nlinks] = h;
	links[nlinks++] = link;
	return 0;
}

/* Attach the programs of hook @h for alternative @alt (-1: the function hook).
 * A copy must run after the ones before it (bpf/stash_copies.bpf.h).  A
 * tracepoint runs its programs in the order they were attached (equal
 * priority: func_add() in kernel/tracepoint.c appends): firsts first.  A
 * trampoline runs the last attached first (bpf_trampoline_link_prog():
 * hlist_add_head()): the last copies first.  Kprobes get only the first
 * (hooks_configure()). */
static int attach_programs(struct uffdwp *skel, struct hook_choice *c, int h, int alt)
{
	struct bpf_program *prog;

	for (int pass = 0; pass < PROG_COPIES_MAX; pass++) {
		int copy = alt < 0 ? PROG_COPIES_MAX - 1 - pass : pass;

		bpf_object__for_each_program(prog, skel->obj) {
			bool is_exit = false;
			int tp_alt, err;

			if (!bpf_program__autoload(prog) ||
			    prog_hook(prog, &tp_alt, &is_exit) != h || tp_alt != alt ||
			    prog_copy_index(bpf_program__name(prog), NULL) != copy)
				continue;
			err = attach_one(prog, c, h, is_exit, alt < 0);
			if (err) {
				detach_hook(h);
				return err;
			}
		}
	}
	return 0;
}

bool hooks_attach(struct uffdwp *skel, struct hook_plan *plan, struct attach_refusals *refused)
{
	bool again = false;

	for (int h = 0; h < HOOK_MAX; h++) {
		struct hook_choice *c = &plan->hook[h];
		bool tp = c->mech == MECH_TRACEPOINT;

		if (c->mech == MECH_NONE || !attach_programs(skel, c, h, tp ? c->tp_alt : -1))
			continue;
		if (c->mech == MECH_FENTRY) {
			refused->fentry |= 1u << h;
			again = true;
		} else if (tp) {
			refused->tp_skip[h] = (unsigned char)(c->tp_alt + 1);
			again = true;
		}
		c->mech = MECH_NONE;
	}
	return again;
}

void hooks_detach(void)
{
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	nlinks = 0;
}
