// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "model/checker.h"
#include "model/record.h"
#include "pipeline/pipeline.h"
#include "report/events.h"
#include "report/findings.h"

int pipeline_init(struct pipeline *p, const struct pipeline_opts *o, const struct run_info *ri)
{
	memset(p, 0, sizeof(*p));
	p->o = *o;
	p->checker = checker_new();
	if (!p->checker)
		return -ENOMEM;
	if (o->record) {
		p->recorder = recorder_open(o->record, ri);
		if (!p->recorder) {
			int err = errno;

			checker_free(p->checker);
			p->checker = NULL;
			return -err;
		}
	}
	return 0;
}

void pipeline_feed(struct pipeline *p, const struct uffdwp_event *e)
{
	if (!p->t0_ns)
		p->t0_ns = e->ts_ns;
	if (e->kind < EV_KIND_MAX && !uffdwp_event_is_begin(e))
		p->totals.counts[e->kind]++;
	if (e->kind == EV_UFFD_COPY && !e->u.fill.begin && e->u.fill.op < FILL_OP_MAX)
		p->totals.fills[e->u.fill.op]++;
	if (e->kind == EV_PTE_RUN && e->u.run.capped)
		p->totals.walks_capped++;
	if (e->kind == EV_PTE_RUN && e->end > e->start)
		p->totals.pages_verified += (e->end - e->start) >> 12;
	if (p->o.events && p->o.json)
		event_print_json(p->o.out, e);
	else if (p->o.events)
		event_print_text(p->o.out, e, p->t0_ns);
	checker_feed(p->checker, e);
	if (p->recorder && recorder_write(p->recorder, e))
		p->totals.record_errors++;
}

int pipeline_finish(struct pipeline *p, struct run_info *ri, const struct summary_extra *extra)
{
	__u64 lost = run_hook_total(ri->lost);

	if (p->recorder && recorder_close(p->recorder, ri->ended ? ri : NULL))
		p->totals.record_errors++;
	p->recorder = NULL;
	checker_finish(p->checker);
	if (p->o.json)
		findings_print_json(p->o.out, p->checker);
	else
		findings_print_text(p->o.out, p->checker);
	if (lost) {
		char causes[128];

		run_lost_causes(ri, causes, sizeof(causes));
		fprintf(stderr, "uffdwp-trace: %llu events lost (%s; per hook in the summary): "
			"the run is inconclusive\n", (unsigned long long)lost, causes);
	}
	return summary_print(p->o.out, p->o.json, ri, &p->totals, p->checker, extra);
}

void pipeline_free(struct pipeline *p)
{
	if (p->recorder)
		recorder_close(p->recorder, NULL);
	checker_free(p->checker);
	memset(p, 0, sizeof(*p));
}
