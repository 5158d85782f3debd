// SPDX-License-Identifier: GPL-2.0
/* Random, mostly nonsensical event streams: the checker must not crash. */
#include <stdlib.h>

#include "evgen.h"
#include "tap.h"

static void random_events(void)
{
	struct checker *c = checker_new();
	struct evgen g = { .state = 0x9e3779b97f4a7c15ULL };
	struct uffdwp_event ev;

	for (int i = 0; i < 300000; i++) {
		evgen_event(&ev, &g);
		checker_feed(c, &ev);
	}
	checker_finish(c);
	tap_ok(true, "300000 random events, %zu findings, no crash", checker_nfindings(c));
	checker_free(c);
}

static const struct tap_test tests[] = {
	TAP_TEST(random_events),
};

int main(int argc, char **argv)
{
	return tap_main(TAP_TESTS(tests), argc, argv);
}
