/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attach strategy: per hook, the best mechanism this kernel really allows
 * (fentry -> kprobe -> tracepoint, or tracepoint first where the tracepoint
 * carries more), the attach target, and the argument layout from BTF.
 */
#ifndef UFFDWP_HOOKS_H
#define UFFDWP_HOOKS_H
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "event.h"
#include "bpf_config.h"
#include "run.h"

struct btf;
struct uffdwp;	/* the BPF skeleton */

/* A tracepoint way to serve a hook, and the skeleton programs that implement it. */
struct tp_alt {
	const char *name;	/* raw: "name" (tp_btf); else "category/name" (perf tracepoint) */
	const char *prog_prefix;
	bool raw;
};

struct hook_def {
	const char *funcs[3];	/* kernel functions, best first; NULL-terminated */
	const char *func_prog;	/* FUNC_HOOK() name: programs <func_prog>_enter/_exit */
	struct tp_alt tps[2];	/* tracepoint alternatives, best first */
	bool prefer_tp;		/* the tracepoint carries more than the function */
};

extern const struct hook_def hook_defs[HOOK_MAX];

/* Later programs on a hook, run after its first to do what the kernel skipped
 * there (bpf/stash_copies.bpf.h): named <first>_second, <first>_third. */
#define PROG_COPIES_MAX HOOK_COPIES_MAX
extern const char *const prog_copy_suffix[PROG_COPIES_MAX];
/* Which copy program @name is (0: the first), and the length of its first's
 * name in *base_len. */
int prog_copy_index(const char *name, size_t *base_len);

struct hook_choice {
	__u8 mech;			/* enum uffdwp_mech */
	const char *target;		/* function or tracepoint chosen */
	int tp_alt;			/* index in hook_def.tps when mech is MECH_TRACEPOINT */
	int nargs;
	__s8 arg_idx[ROLE_MAX];
	char why[192];			/* why better mechanisms were not taken */
};

struct hook_plan {
	struct hook_choice hook[HOOK_MAX];
	/* This kernel's tracepoints may run their programs preemptible, so the
	 * tracepoint hooks need their later copies (hooks_calibrate()). */
	bool tp_preemptible;
};

/* What real attaches refused after calibration said yes (hooks_attach()): the
 * next plan does without it. */
struct attach_refusals {
	unsigned int fentry;		/* a bit per hook: kprobes instead */
	unsigned char tp_skip[HOOK_MAX];	/* tracepoint alternatives to pass over */
};

/*
 * Decide every hook by really loading (fentry) or attaching (kprobe,
 * tracepoints) a trivial program.  Without fentry (--no-fentry) kprobes are
 * used where fentry would be; so they are for the hooks @refused names
 * (NULL: none), and its refused tracepoint alternatives are passed over.
 */
void hooks_calibrate(struct hook_plan *plan, const struct btf *vmlinux, bool use_fentry,
		     const struct attach_refusals *refused);
/* Configure the opened skeleton from the plan: rodata, program types, autoload. */
int hooks_configure(struct uffdwp *skel, const struct hook_plan *plan);
/* Attach every autoloaded program; a failure downgrades the hook to MECH_NONE.
 * True when something was refused that another plan may do without (fentry:
 * kprobes; a tracepoint: the next alternative), added to *refused; the object
 * must then be planned and loaded again (only the chosen programs load). */
bool hooks_attach(struct uffdwp *skel, struct hook_plan *plan, struct attach_refusals *refused);
void hooks_detach(void);

/*
 * A bit per hook whose BPF programs count the calls every entry or every exit
 * copy skipped (fentry function hooks with exit programs: counts_skipped_calls()
 * in bpf/call_stash.bpf.h, whose rule this is).  The loader counts only what
 * those cannot see: calls every copy of both skipped (src/loader/progstats.c).
 */
unsigned int hooks_counting_skipped_calls(const struct hook_plan *plan);

/* The plan as the run's summary and recording keep it: mechanism, target
 * and notes per hook (what each hook can decide: pipeline/summary.h). */
void hooks_run_info(const struct hook_plan *plan, struct run_info *ri);

#endif
