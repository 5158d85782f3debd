// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the input bytes drive tests/unit/evgen.h's event generator into
 * the checker, which must not crash or trip ASan/UBSan on any stream. */
#include <stddef.h>
#include <stdint.h>

#include "evgen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evgen g = { .data = data, .len = size };
	struct checker *c = checker_new();
	struct uffdwp_event ev;

	while (g.len) {
		evgen_event(&ev, &g);
		checker_feed(c, &ev);
	}
	checker_finish(c);
	for (size_t i = 0; i < checker_nfindings(c); i++)
		(void)checker_finding(c, i);
	checker_free(c);
	return 0;
}
