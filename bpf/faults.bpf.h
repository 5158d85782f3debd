/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps of faults.bpf.c: each thread's last recorded write fault, and the
 * per-CPU write-fault counters.  Defined in uffdwp.bpf.c.
 */
#ifndef UFFDWP_FAULTS_BPF_H
#define UFFDWP_FAULTS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_config.h"

/* A thread's last recorded write fault: its mm and page, and the record clock
 * (emit.bpf.h) right after its reserve, stored only when no non-fault record
 * was being reserved around it.  Task storage: only the faulting thread reads
 * or writes its own (the program runs as it), and a fault on another page
 * replaces it, which only costs a record.  An LRU hash of (mm, tid, page)
 * before: its update was a third of the program's time (a host wp-bench run:
 * about 1,000 ns per recorded fault with it, 650-690 ns without). */
struct wf_last {
	__u64 mm;
	__u64 page;
	__u64 clock;
};

struct wf_last_map {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct wf_last);
};
extern struct wf_last_map wf_last SEC(".maps");

struct wf_stats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WF_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
};
extern struct wf_stats_map wf_stats SEC(".maps");

#endif /* UFFDWP_FAULTS_BPF_H */
