/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random, mostly nonsensical events for the checker, which must not crash on
 * them: drawn from a xorshift state (tests/unit/test_fuzz.c) or from a
 * fuzzer's input bytes (tests/fuzz/fuzz_checker.c), the same generator.
 */
#ifndef UFFDWP_EVGEN_H
#define UFFDWP_EVGEN_H
#include <stdint.h>
#include <string.h>

#include "synth.h"

struct evgen {
	uint64_t state;		/* xorshift, when data is NULL */
	const uint8_t *data;	/* else the bytes left to draw from */
	size_t len;
};

/*
 * From bytes: one byte a draw, or the next eight after a 0xff (wild values),
 * 0 once they run out.  Small draws stay cheap, so an input holds many events.
 */
static inline uint64_t evgen_rnd(struct evgen *g)
{
	uint64_t v;

	if (!g->data) {
		g->state ^= g->state << 13;
		g->state ^= g->state >> 7;
		g->state ^= g->state << 17;
		return g->state;
	}
	if (!g->len)
		return 0;
	v = *g->data++;
	g->len--;
	if (v == 0xff && g->len >= sizeof(v)) {
		memcpy(&v, g->data, sizeof(v));
		g->data += sizeof(v);
		g->len -= sizeof(v);
	}
	return v;
}

/* Addresses cluster in a small window so events interact; some are wild. */
static inline uint64_t evgen_addr(struct evgen *g)
{
	if (evgen_rnd(g) % 64 == 0)
		return evgen_rnd(g);
	return A_BASE + (evgen_rnd(g) % 256) * PG;
}

static inline void evgen_event(struct uffdwp_event *ev, struct evgen *g)
{
	uint64_t a = evgen_addr(g), b = evgen_addr(g);

	memset(ev, 0, sizeof(*ev));
	for (size_t k = 0; k < sizeof(ev->u.raw) / sizeof(ev->u.raw[0]); k++)
		ev->u.raw[k] = evgen_rnd(g) % 4 ? evgen_rnd(g) % 16 : evgen_rnd(g);
	ev->kind = 1 + (uint32_t)(evgen_rnd(g) % (EV_KIND_MAX - 1));
	ev->hook = (uint16_t)(evgen_rnd(g) % HOOK_MAX);
	ev->mm = 0x1000 + (evgen_rnd(g) % 3) * 0x1000;
	ev->pid = (uint32_t)(evgen_rnd(g) % 3);
	ev->ret = evgen_rnd(g) % 3 ? 0 : (int64_t)evgen_rnd(g);
	ev->start = a < b ? a : b;
	ev->end = a < b ? b : a;
	ev->vm_flags = evgen_rnd(g) % 2 ? evgen_rnd(g) : 0;
	ev->vma_start = ev->start;
	ev->vma_end = ev->end;
	if (ev->kind == EV_FORK)
		ev->u.fork.child_mm = 0x1000 + (evgen_rnd(g) % 4) * 0x1000;
}

#endif
