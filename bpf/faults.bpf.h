/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps of faults.bpf.c: the write faults already recorded, and the
 * per-CPU write-fault counters.  Defined in uffdwp.bpf.c.
 */
#ifndef UFFDWP_FAULTS_BPF_H
#define UFFDWP_FAULTS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_config.h"

struct wf_key {
	__u64 mm;
	__u64 page;
	__u32 tid;
	__u32 _pad;
};

/* (mm, tid, page) of a recorded write fault -> the record clock (emit.bpf.h)
 * right after its reserve, stored only when no non-fault record was being
 * reserved around it.  LRU: a forgotten entry only costs a record. */
struct wf_seen_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_WF_SEEN);
	__type(key, struct wf_key);
	__type(value, __u64);
};
extern struct wf_seen_map wf_seen SEC(".maps");

struct wf_stats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WF_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
};
extern struct wf_stats_map wf_stats SEC(".maps");

#endif /* UFFDWP_FAULTS_BPF_H */
