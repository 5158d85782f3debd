// SPDX-License-Identifier: GPL-2.0
/* Random, mostly nonsensical event streams: the checker must not crash. */
#include <stdlib.h>

#include "synth.h"
#include "tap.h"

static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Addresses cluster in a small window so events interact; some are wild. */
static uint64_t addr(uint64_t *st)
{
	if (rnd(st) % 64 == 0)
		return rnd(st);
	return A_BASE + (rnd(st) % 256) * PG;
}

static void random_event(struct uffdwp_event *ev, uint64_t *st)
{
	uint64_t a = addr(st), b = addr(st);

	memset(ev, 0, sizeof(*ev));
	for (size_t k = 0; k < sizeof(ev->u.raw) / sizeof(ev->u.raw[0]); k++)
		ev->u.raw[k] = rnd(st) % 4 ? rnd(st) % 16 : rnd(st);
	ev->kind = 1 + (uint32_t)(rnd(st) % (EV_KIND_MAX - 1));
	ev->hook = (uint16_t)(rnd(st) % HOOK_MAX);
	ev->mm = 0x1000 + (rnd(st) % 3) * 0x1000;
	ev->pid = (uint32_t)(rnd(st) % 3);
	ev->ret = rnd(st) % 3 ? 0 : (int64_t)rnd(st);
	ev->start = a < b ? a : b;
	ev->end = a < b ? b : a;
	ev->vm_flags = rnd(st) % 2 ? rnd(st) : 0;
	ev->vma_start = ev->start;
	ev->vma_end = ev->end;
	if (ev->kind == EV_FORK)
		ev->u.fork.child_mm = 0x1000 + (rnd(st) % 4) * 0x1000;
}

static void random_events(void)
{
	struct checker *c = checker_new();
	uint64_t st = 0x9e3779b97f4a7c15ULL;
	struct uffdwp_event ev;

	for (int i = 0; i < 300000; i++) {
		random_event(&ev, &st);
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
