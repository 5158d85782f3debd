// SPDX-License-Identifier: GPL-2.0
/*
 * The PAGEMAP_SCAN check on a real run: tests/golden/debian-7.3/pagemap-scan.uwt
 * (the pagemap-scan scenario traced in a Debian 7.3 guest, re-recorded by
 * tests/golden/record.sh) is clean as recorded, and becomes exactly one
 * LOST_WP when one region the kernel returned is taken out: the scan then
 * calls clean a page whose async WP write fault the trace holds.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "model/checker.h"
#include "model/record.h"
#include "report/findings.h"

#define GOLDEN "tests/golden/debian-7.3/pagemap-scan.uwt"

/* Feeds the recording to a new checker, leaving out the first region of the
 * region record at index drop (-1: none) as a kernel that never reported it
 * would: its scan's return record then counts one region fewer.  NULL if the
 * file cannot be read. */
static struct checker *replay(long drop, long *first_region)
{
	char why[256];
	struct run_info ri;
	struct record_reader *r = record_reader_open(GOLDEN, &ri, why, sizeof(why));
	const struct uffdwp_event *batch;
	struct checker *c;
	long n, idx = 0;
	bool dropped = false;

	if (!r) {
		tap_diag("%s: %s", GOLDEN, why);
		return NULL;
	}
	c = checker_new();
	*first_region = -1;
	while ((n = record_reader_next(r, &batch, &ri, why, sizeof(why))) > 0)
		for (long i = 0; i < n; i++, idx++) {
			if (batch[i].kind == EV_PM_SCAN_REGION && *first_region < 0)
				*first_region = idx;
			struct uffdwp_event ev = batch[i];

			if (idx == drop) {
				struct pm_scan_region_packed *r = ev.u.scan_regions.r;

				memmove(&r[0], &r[1], (PM_REGIONS_PER_RECORD - 1) * sizeof(r[0]));
				ev.u.scan_regions.n--;
				dropped = true;
			}
			if (dropped && ev.kind == EV_PM_SCAN && !ev.u.scan.begin) {
				ev.ret--;
				ev.u.scan.nregions_read--;
				dropped = false;
			}
			checker_feed(c, &ev);
		}
	record_reader_close(r);
	return c;
}

static void recorded_run_is_clean(void)
{
	long first;
	struct checker *c = replay(-1, &first);

	if (!tap_ok(c && checker_nfindings(c) == 0 && first >= 0,
		    "%s: clean, with PAGEMAP_SCAN regions in it", GOLDEN) && c)
		findings_print_text(stdout, c);
	checker_free(c);
}

static void dropped_region_is_lost_wp(void)
{
	long first;
	struct checker *c = replay(-1, &first);
	const struct finding *f;

	checker_free(c);
	c = first >= 0 ? replay(first, &first) : NULL;
	f = c ? checker_finding(c, 0) : NULL;
	if (!tap_ok(c && checker_nfindings(c) == 1 && f->cls == FIND_LOST_WP &&
		    f->source_kind == EV_PM_SCAN && f->end - f->start == 4096,
		    "%s without its first returned region: one LOST_WP of one page", GOLDEN) && c)
		findings_print_text(stdout, c);
	checker_free(c);
}

static const struct tap_test tests[] = {
	TAP_TEST(recorded_run_is_clean),
	TAP_TEST(dropped_region_is_lost_wp),
};

int main(int argc, char **argv)
{
	return tap_main(TAP_TESTS(tests), argc, argv);
}
