// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "model/record.h"
#include "pipeline/pipeline.h"
#include "pipeline/replay.h"
#include "report/error.h"

int uffdwp_replay(const char *path, unsigned int flags, FILE *out)
{
	const struct pipeline_opts o = {
		.out = out, .json = flags & REPLAY_JSON, .events = flags & REPLAY_EVENTS,
	};
	const struct uffdwp_event *batch;
	struct record_reader *r;
	struct pipeline p;
	struct run_info ri;
	char why[160];
	long n;

	r = record_reader_open(path, &ri, why, sizeof(why));
	if (!r)
		return report_error(o.json, EXIT_ERROR, "%s: %s", path, why);
	if (pipeline_init(&p, &o, &ri)) {
		record_reader_close(r);
		return report_error(o.json, EXIT_ERROR, "%s: out of memory", path);
	}
	if (!o.json)
		fprintf(out, "replay of %s: kernel %s\n\n", path,
			ri.kernel[0] ? ri.kernel : "(unknown)");
	while ((n = record_reader_next(r, &batch, &ri, why, sizeof(why))) > 0)
		for (long i = 0; i < n; i++)
			pipeline_feed(&p, &batch[i]);
	record_reader_close(r);
	if (n < 0) {
		pipeline_free(&p);
		return report_error(o.json, EXIT_ERROR, "%s: %s", path, why);
	}
	n = pipeline_finish(&p, &ri, NULL);
	pipeline_free(&p);
	return (int)n;
}
