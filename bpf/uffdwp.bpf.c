// SPDX-License-Identifier: GPL-2.0
/*
 * uffdwp-trace kernel side: the license, and the load-time knobs and maps
 * that more than one file uses, defined once here and declared extern in
 * emit.bpf.h, uffdwp.bpf.h, sys_stash.bpf.h, call_stash.bpf.h and faults.bpf.h.
 *
 * The programs are in the other BPF source files, each compiled on its own
 * and linked with this one into build/uffdwp.bpf.o (bpftool gen object), the
 * one object and skeleton (struct uffdwp) the loader opens:
 *   func_hooks.bpf.c  kernel-function hooks, migration tracepoints
 *   faults.bpf.c      write faults in WP ranges (page_fault_user)
 *   sched.bpf.c       process lifetime (fork, exec, exit)
 *   syscalls.bpf.c    uffd and mm syscalls
 *   pgtable.bpf.c     the page-table walk, pgtable_walk()
 * This file is linked first: libbpf's linker takes a map's .maps BTF offset
 * from the first object that names it, so definitions precede the externs.
 */
#include "uffdwp.bpf.h"
#include "sys_stash.bpf.h"
#include "call_stash.bpf.h"
#include "faults.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- load-time knobs (documented where declared) ---- */

const volatile __u8 hook_mech[HOOK_MAX] = {};
const volatile __u64 wakeup_bytes = 2 << 20;
const volatile __s8 hook_arg_idx[HOOK_MAX][ROLE_MAX] = {};
const volatile __u8 hook_nargs[HOOK_MAX] = {};
const volatile bool follow_children = true;
const volatile bool walk_at_syscall_exit = false;
const volatile bool tp_preemptible = true;

/* ---- maps (documented where declared) ---- */

struct events_map events SEC(".maps");
struct hook_counters_map lost_events SEC(".maps");
struct lost_causes_map lost_causes SEC(".maps");
struct hook_counters_map invariant_violations SEC(".maps");
struct u64_cell_map lost_unreported SEC(".maps");
struct u64_cell_map record_clock SEC(".maps");
struct wf_last_map wf_last SEC(".maps");
struct wf_stats_map wf_stats SEC(".maps");
struct traced_tgids_map traced_tgids SEC(".maps");
struct traced_mms_map traced_mms SEC(".maps");
struct sys_stash_map sys_stash SEC(".maps");
struct call_stash_map call_stash SEC(".maps");
struct skips_covered_map skips_covered SEC(".maps");
