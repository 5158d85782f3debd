// SPDX-License-Identifier: GPL-2.0
/* Which of the kernel's skips of our programs cost records (src/loader/skips.h):
 * a table of windows, each the skips of some programs and the loss it bounds. */
#include <string.h>

#include "loader/skips.h"
#include "tap.h"

#define PROGS_MAX 6

/* A program: its name (a copy's suffix as src/loader/hooks.c names them), hook,
 * copy, and its window's skips and covered skips. */
struct prog_case {
	const char *name;
	int hook, copy;
	__u64 misses, covered;
	bool unloaded;
};

struct window_case {
	const char *what;
	unsigned int counted_by_bpf;
	int hook;		/* whose loss is checked */
	__u64 lost, added;	/* lost[hook], and the sum over hooks */
	struct prog_case progs[PROGS_MAX];
};

#define CP HOOK_CHANGE_PROTECTION
#define HU HOOK_HANDLE_USERFAULT

static const struct window_case cases[] = {
	{ "copies lose a call only where each skipped: 4 skips of the first, none of the second",
	  0, HOOK_SCHED, 0, 0,
	  { { "sched_process_exit", HOOK_SCHED, 0, 4 },
	    { "sched_process_exit_second", HOOK_SCHED, 1, 0 } } },
	{ "each program its least: exit 3 and 2, fork 1 and 1",
	  0, HOOK_SCHED, 3, 3,
	  { { "sched_process_exit", HOOK_SCHED, 0, 3 },
	    { "sched_process_exit_second", HOOK_SCHED, 1, 2 },
	    { "sched_process_fork", HOOK_SCHED, 0, 1 },
	    { "sched_process_fork_second", HOOK_SCHED, 1, 1 } } },
	{ "handle_userfault skips 5, 2, 1, covered 5, 2, 0",
	  0, HU, 0, 0,
	  { { "handle_userfault_enter", HU, 0, 5, 5 },
	    { "handle_userfault_enter_second", HU, 1, 2, 2 },
	    { "handle_userfault_enter_third", HU, 2, 1, 0 } } },
	{ "handle_userfault skips 5, 2, 4, covered 3, 0, 1",
	  0, HU, 2, 2,
	  { { "handle_userfault_enter", HU, 0, 5, 3 },
	    { "handle_userfault_enter_second", HU, 1, 2, 0 },
	    { "handle_userfault_enter_third", HU, 2, 4, 1 } } },
	{ "change_protection entry 25/0, exit 35/1, counted by BPF: none more",
	  1u << CP, CP, 0, 0,
	  { { "change_protection_enter", CP, 0, 25 },
	    { "change_protection_enter_second", CP, 1, 0 },
	    { "change_protection_exit", CP, 0, 35 },
	    { "change_protection_exit_second", CP, 1, 1 } } },
	{ "the same, not counted by BPF: the exit copies' least",
	  0, CP, 1, 1,
	  { { "change_protection_enter", CP, 0, 25 },
	    { "change_protection_enter_second", CP, 1, 0 },
	    { "change_protection_exit", CP, 0, 35 },
	    { "change_protection_exit_second", CP, 1, 1 } } },
	{ "counted by BPF, every zap program skipping 2 or more: the calls all skipped",
	  1u << HOOK_ZAP, HOOK_ZAP, 2, 2,
	  { { "zap_enter", HOOK_ZAP, 0, 2 }, { "zap_enter_second", HOOK_ZAP, 1, 3 },
	    { "zap_enter_third", HOOK_ZAP, 2, 2 }, { "zap_exit", HOOK_ZAP, 0, 4 },
	    { "zap_exit_second", HOOK_ZAP, 1, 2 }, { "zap_exit_third", HOOK_ZAP, 2, 5 } } },
	{ "a kprobe's one loaded copy skipping 3; the syscall programs count their own",
	  0, HOOK_ZAP, 3, 3,
	  { { "zap_enter", HOOK_ZAP, 0, 3 },
	    { "zap_enter_second", HOOK_ZAP, 1, 0, 0, true },
	    { "raw_sys_enter", HOOK_SYSCALLS, 0, 9 },
	    { "raw_sys_enter_second", HOOK_SYSCALLS, 1, 9 } } },
	{ "copies by whole name: zap_enter 2, its second 1, zap_hugetlb_enter 0 beside them",
	  0, HOOK_ZAP, 1, 1,
	  { { "zap_enter", HOOK_ZAP, 0, 2 },
	    { "zap_hugetlb_enter", HOOK_ZAP_HUGETLB, 0, 0 },
	    { "zap_enter_second", HOOK_ZAP, 1, 1 } } },
};

static void window(long i)
{
	static const char *const suffix[] = { "", "_second", "_third" };
	const struct window_case *c = &cases[i];
	struct prog_skips p[PROGS_MAX];
	__u64 lost[HOOK_MAX] = { 0 }, added;
	int n = 0;

	for (; n < PROGS_MAX && c->progs[n].name; n++) {
		const struct prog_case *q = &c->progs[n];

		p[n] = (struct prog_skips){
			.name = q->name, .base_len = strlen(q->name) - strlen(suffix[q->copy]),
			.hook = q->hook, .copy = q->copy, .loaded = !q->unloaded,
			.misses = q->misses, .covered = q->covered,
		};
	}
	added = skips_lost(p, n, c->counted_by_bpf, lost);
	tap_ok(lost[c->hook] == c->lost && added == c->added, "%s: lost %llu, %llu in all (want %llu, %llu)",
	       c->what, (unsigned long long)lost[c->hook], (unsigned long long)added,
	       (unsigned long long)c->lost, (unsigned long long)c->added);
}

static const struct tap_test tests[] = {
	TAP_TEST_ARG(window, 0), TAP_TEST_ARG(window, 1), TAP_TEST_ARG(window, 2),
	TAP_TEST_ARG(window, 3), TAP_TEST_ARG(window, 4), TAP_TEST_ARG(window, 5),
	TAP_TEST_ARG(window, 6), TAP_TEST_ARG(window, 7), TAP_TEST_ARG(window, 8),
};

int main(int argc, char **argv)
{
	_Static_assert(sizeof(tests) / sizeof(tests[0]) == sizeof(cases) / sizeof(cases[0]),
		       "a test per case");
	return tap_main(TAP_TESTS(tests), argc, argv);
}
