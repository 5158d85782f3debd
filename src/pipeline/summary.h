/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's closing summary, one for live tracing and replay: the hooks and
 * what they can decide, event counts, losses, findings and the verdict, as
 * text or as the {"type":"summary",...} JSON line.
 */
#ifndef UFFDWP_SUMMARY_H
#define UFFDWP_SUMMARY_H
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "event.h"
#include "run.h"

struct checker;
struct json;

/* Exit statuses of uffdwp-trace (README "Exit status"), live and replay alike. */
enum {
	EXIT_CLEAN = 0,
	EXIT_FINDINGS = 1,
	EXIT_ERROR = 2,		/* usage or environment, unreadable recording */
	EXIT_INCONCLUSIVE = 3,	/* lost events, required hooks missing, losses unknown;
				 * without findings, also walks capped */
};

/* What the pipeline counted from the records themselves. */
struct run_totals {
	__u64 counts[EV_KIND_MAX];	/* per kind; an ioctl's begin record is not a call */
	__u64 fills[FILL_OP_MAX];	/* EV_UFFD_COPY calls per u.fill.op: COPY ... MOVE */
	__u64 walks_capped;		/* page-table walks stopped by their bound,
					   or that could not look */
	__u64 pages_verified;		/* 4 KiB pages the walks' records cover */
	unsigned int record_errors;	/* records --record could not write */
};

/* Live-only additions (--prog-stats): called inside the JSON object / after the text. */
struct summary_extra {
	void (*json)(struct json *j, const void *ctx);
	void (*text)(FILE *f, const void *ctx);
	const void *ctx;
};

/*
 * No change_protection or zap hook: the BPF side walks the page tables when
 * mprotect/madvise/UFFDIO_WRITEPROTECT return instead (walk_at_syscall_exit).
 */
bool run_walks_at_syscall_exit(const __u8 mech[HOOK_MAX]);
/* Finding classes the hooks of mech can decide (space-separated names). */
void run_classes(const __u8 mech[HOOK_MAX], char *buf, size_t len);
/* A per-hook counter's total (ri->lost, ri->invariant). */
__u64 run_hook_total(const __u64 v[HOOK_MAX]);
/* The run's losses by cause, "ring_full=A table_full=B skipped_runs=C", or
 * "causes not recorded" (a recording written before they were). */
void run_lost_causes(const struct run_info *ri, char *buf, size_t len);
/* The HOOK / MECHANISM / TARGET / NOTES table and the classes line. */
void summary_print_hooks(FILE *f, const struct run_info *ri);

/*
 * Prints the summary of a finished run to f and returns its exit status
 * (EXIT_CLEAN, EXIT_FINDINGS or EXIT_INCONCLUSIVE).
 */
int summary_print(FILE *f, bool json, const struct run_info *ri, const struct run_totals *t,
		  const struct checker *c, const struct summary_extra *extra);

#endif
