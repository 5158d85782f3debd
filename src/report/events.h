/* SPDX-License-Identifier: GPL-2.0 */
/* One event as a text line (-v) or a JSON line (--json). */
#ifndef UFFDWP_REPORT_EVENTS_H
#define UFFDWP_REPORT_EVENTS_H
#include <stdio.h>
#include <linux/types.h>
#include "event.h"

/* t0_ns: timestamp printed as 0 (the first event of the run). */
void event_print_text(FILE *f, const struct uffdwp_event *e, __u64 t0_ns);
void event_print_json(FILE *f, const struct uffdwp_event *e);
/* The kind-specific part only, "key=value ..." (used in findings' event chains). */
void event_print_fields(FILE *f, const struct uffdwp_event *e);

#endif
