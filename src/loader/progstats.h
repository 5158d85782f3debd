/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --prog-stats: the kernel's own accounting of every BPF program of the run
 * (run count and run time, kernel.bpf_stats_enabled), per program and per
 * hook, printed with the summary.  `make bench` takes ns/event from it.
 */
#ifndef UFFDWP_PROGSTATS_H
#define UFFDWP_PROGSTATS_H
#include <stdio.h>

struct bpf_object;
struct json;

/*
 * Turn the kernel's run-time accounting on until progstats_disable() or the
 * process ends.  Call before the programs run.  A failure is kept and shown
 * in the summary instead of the figures.
 */
void progstats_enable(void);
void progstats_disable(void);

/* The table after the text summary; "prog_stats":{...} inside the JSON one. */
void progstats_print_text(FILE *f, const struct bpf_object *obj);
void progstats_print_json(struct json *j, const struct bpf_object *obj);

#endif
