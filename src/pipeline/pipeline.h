/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event pipeline that live tracing (loader/session.c) and replay
 * (pipeline/replay.c) share: each record is counted, printed, checked and
 * recorded here, and the run ends here with its findings and one summary.
 */
#ifndef UFFDWP_PIPELINE_H
#define UFFDWP_PIPELINE_H
#include <stdbool.h>
#include <stdio.h>

#include "event.h"
#include "pipeline/summary.h"
#include "run.h"

struct checker;
struct recorder;

struct pipeline_opts {
	FILE *out;
	bool json;		/* JSON lines, else text */
	bool events;		/* print every record too */
	const char *record;	/* also write the records to this file (--record) */
};

struct pipeline {
	struct pipeline_opts o;
	struct checker *checker;
	struct recorder *recorder;
	struct run_totals totals;
	__u64 t0_ns;		/* the first record's time: printed as 0 */
};

/*
 * Sets p up; ri is the run as known at the start (kernel, hooks), written to
 * the recording's header.  0, or -errno after which nothing needs freeing.
 */
int pipeline_init(struct pipeline *p, const struct pipeline_opts *o, const struct run_info *ri);
void pipeline_feed(struct pipeline *p, const struct uffdwp_event *e);
/*
 * Ends the run with ri complete (ri->ended once the kernel's counters are
 * in): closes the recording with it, prints the findings and the summary,
 * and returns the run's exit status.
 */
int pipeline_finish(struct pipeline *p, struct run_info *ri, const struct summary_extra *extra);
void pipeline_free(struct pipeline *p);

#endif
