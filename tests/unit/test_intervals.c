// SPDX-License-Identifier: GPL-2.0
/* The interval map against a plain array, plus the cost of huge ranges. */
#include <stdlib.h>

#include "model/intervals.h"
#include "tap.h"

#define KEYS 2048

static void ref_set(imap_val *ref, uint64_t s, uint64_t e, imap_val v)
{
	for (uint64_t k = s; k < e && k < KEYS; k++)
		ref[k] = v;
}

/* Canonical form: the number of runs is the number of value changes. */
static size_t ref_runs(const imap_val *ref)
{
	size_t n = 0;
	imap_val prev = 0;

	for (size_t k = 0; k < KEYS; k++) {
		n += ref[k] != prev;
		prev = ref[k];
	}
	return n + (prev != 0);
}

static bool same_as_ref(const struct imap *m, const imap_val *ref)
{
	for (uint64_t k = 0; k < KEYS; k++)
		if (imap_get(m, k) != ref[k])
			return false;
	return imap_nruns(m) == ref_runs(ref) && imap_get(m, KEYS + 5) == 0;
}

static imap_val add_one(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	return v + 1;
}

static void randomized(void)
{
	struct imap *m = imap_new();
	imap_val ref[KEYS] = { 0 };
	bool ok = true;

	srand(42);
	for (int i = 0; i < 20000 && ok; i++) {
		uint64_t s = (uint64_t)rand() % KEYS, len = (uint64_t)rand() % (i % 10 ? 8 : 600);
		imap_val v = (imap_val)(rand() % 4);

		if (s + len > KEYS)
			len = KEYS - s;

		if (i % 7 == 0) {
			imap_update(m, s, s + len, add_one, NULL);
			for (uint64_t k = s; k < s + len && k < KEYS; k++)
				ref[k]++;
		} else {
			imap_set(m, s, s + len, v);
			ref_set(ref, s, s + len, v);
		}
		ok = same_as_ref(m, ref);
		if (!ok)
			tap_diag("diverged at step %d: set [%llu,%llu)", i,
				 (unsigned long long)s, (unsigned long long)(s + len));
	}
	tap_ok(ok, "20000 random sets/updates match a plain array, runs canonical");
	imap_free(m);
}

struct visit {
	uint64_t covered;
	unsigned calls;
	bool ordered;
	uint64_t last_end;
};

static void visit_run(uint64_t s, uint64_t e, imap_val v, void *arg)
{
	struct visit *vi = arg;

	vi->ordered &= s == vi->last_end && e > s;
	vi->last_end = e;
	vi->covered += e - s;
	vi->calls++;
}

static void foreach_clips(void)
{
	struct imap *m = imap_new();
	struct visit vi = { 0, 0, true, 10 };

	imap_set(m, 0, 100, 1);
	imap_set(m, 20, 30, 2);
	imap_foreach(m, 10, 50, visit_run, &vi);
	tap_ok(vi.ordered && vi.covered == 40 && vi.calls == 3,
	       "foreach visits clipped, contiguous runs (%u calls)", vi.calls);
	imap_set(m, 20, 30, 1);
	tap_ok(imap_nruns(m) == 2, "equal neighbours merge back (%zu entries)", imap_nruns(m));
	imap_free(m);
}

static void huge_ranges(void)
{
	const uint64_t tib_pages = (1ULL << 40) >> 12;
	struct imap *m = imap_new();

	imap_set(m, 1ULL << 30, (1ULL << 30) + tib_pages, 3);
	tap_ok(imap_nruns(m) == 2 && imap_bytes(m) < 16384,
	       "1 TiB of pages costs %zu entries, %zu bytes", imap_nruns(m), imap_bytes(m));
	imap_set(m, (1ULL << 30) + 12345, (1ULL << 30) + 12346, 1);
	tap_ok(imap_nruns(m) == 4 && imap_get(m, (1ULL << 30) + 12346) == 3,
	       "one page punched into it splits the run");
	imap_free(m);
}

static void many_runs(void)
{
	struct imap *m = imap_new();
	bool ok = true;

	/* Descending inserts exercise chunk splits away from the end. */
	for (uint64_t k = 100000; k-- > 0;)
		imap_set(m, 2 * k, 2 * k + 1, 1 + (k & 1));
	for (uint64_t k = 0; k < 100000 && ok; k += 997)
		ok = imap_get(m, 2 * k) == 1 + (k & 1) && imap_get(m, 2 * k + 1) == 0;
	tap_ok(ok && imap_nruns(m) == 200000, "100000 separate runs (%zu entries)", imap_nruns(m));
	imap_set(m, 0, 400000, 0);
	tap_ok(imap_nruns(m) == 0, "clearing everything leaves no entries");
	imap_free(m);
}

static const struct tap_test tests[] = {
	TAP_TEST(randomized),
	TAP_TEST(foreach_clips),
	TAP_TEST(huge_ranges),
	TAP_TEST(many_runs),
};

int main(int argc, char **argv)
{
	return tap_main(TAP_TESTS(tests), argc, argv);
}
