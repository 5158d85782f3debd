// SPDX-License-Identifier: GPL-2.0
/* Which skips cost records (src/loader/skips.h). */
#include <string.h>
#include "loader/skips.h"

static __u64 uncovered(const struct prog_skips *p)
{
	return p->misses - (p->covered < p->misses ? p->covered : p->misses);
}

/* The least of uncovered skips over the loaded copies of @first's program
 * (every one skipped a lost call: at most that many). */
static __u64 least_of_copies(const struct prog_skips *p, int n, int first)
{
	bool any = false;
	__u64 least = 0;

	for (int j = 0; j < n; j++) {
		if (!p[j].loaded || p[j].base_len != p[first].base_len ||
		    strncmp(p[j].name, p[first].name, p[first].base_len))
			continue;
		if (!any || uncovered(&p[j]) < least)
			least = uncovered(&p[j]);
		any = true;
	}
	return least;
}

__u64 skips_lost(const struct prog_skips *p, int n, unsigned int counted_by_bpf,
		 __u64 lost[HOOK_MAX])
{
	__u64 least_of_hook[HOOK_MAX] = { 0 }, added = 0;
	bool hook_seen[HOOK_MAX] = { false };

	for (int i = 0; i < n; i++) {
		int hook = p[i].hook;
		__u64 least;

		if (hook == HOOK_SYSCALLS || !p[i].loaded)
			continue;
		if (hook >= 0 && hook < HOOK_MAX && (counted_by_bpf & (1u << hook))) {
			if (!hook_seen[hook] || uncovered(&p[i]) < least_of_hook[hook])
				least_of_hook[hook] = uncovered(&p[i]);
			hook_seen[hook] = true;
			continue;
		}
		/* once per program, at its first copy */
		if (p[i].copy > 0)
			continue;
		least = least_of_copies(p, n, i);
		/* a program of no hook (none today) charges the syscalls */
		lost[hook >= 0 && hook < HOOK_MAX ? hook : HOOK_SYSCALLS] += least;
		added += least;
	}
	for (int h = 0; h < HOOK_MAX; h++) {
		lost[h] += least_of_hook[h];
		added += least_of_hook[h];
	}
	return added;
}
