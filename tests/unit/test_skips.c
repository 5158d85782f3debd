// SPDX-License-Identifier: GPL-2.0
/* Which of the kernel's skips of our programs cost records (src/loader/skips.h). */
#include <string.h>

#include "loader/skips.h"
#include "tap.h"

/* A loaded program named @base plus @copy's suffix (as src/loader/hooks.c
 * names the copies), with its window's skips. */
static struct prog_skips prog(const char *name, int hook, int copy, __u64 misses, __u64 covered)
{
	static const char *const suffix[] = { "", "_second", "_third" };
	size_t n = strlen(name) - strlen(suffix[copy]);

	return (struct prog_skips){ .name = name, .base_len = n, .hook = hook, .copy = copy,
				    .loaded = true, .misses = misses, .covered = covered };
}

static __u64 lost_of(const struct prog_skips *p, int n, unsigned int counted_by_bpf, int hook,
		     __u64 *added)
{
	__u64 lost[HOOK_MAX] = { 0 };

	*added = skips_lost(p, n, counted_by_bpf, lost);
	return lost[hook];
}

/* Copies lose a call only where each skipped: one copy's skips are no loss. */
static void one_copy_skipping_is_no_loss(void)
{
	const struct prog_skips p[] = {
		prog("sched_process_exit", HOOK_SCHED, 0, 4, 0),
		prog("sched_process_exit_second", HOOK_SCHED, 1, 0, 0),
	};
	__u64 added, lost = lost_of(p, 2, 0, HOOK_SCHED, &added);

	tap_ok(lost == 0 && added == 0, "4 skips of the first copy, none of the second: lost %llu",
	       (unsigned long long)lost);
}

static void every_copy_skipping_bounds_the_loss(void)
{
	const struct prog_skips p[] = {
		prog("sched_process_exit", HOOK_SCHED, 0, 3, 0),
		prog("sched_process_exit_second", HOOK_SCHED, 1, 2, 0),
		prog("sched_process_fork", HOOK_SCHED, 0, 1, 0),
		prog("sched_process_fork_second", HOOK_SCHED, 1, 1, 0),
	};
	__u64 added, lost = lost_of(p, 4, 0, HOOK_SCHED, &added);

	tap_ok(lost == 3 && added == 3, "exit 3 and 2, fork 1 and 1: lost 2 + 1 (got %llu, added %llu)",
	       (unsigned long long)lost, (unsigned long long)added);
}

/* handle_userfault's copies report the skips another copy covered. */
static void covered_skips_are_no_loss(void)
{
	const struct prog_skips p[] = {
		prog("handle_userfault_enter", HOOK_HANDLE_USERFAULT, 0, 5, 5),
		prog("handle_userfault_enter_second", HOOK_HANDLE_USERFAULT, 1, 2, 2),
		prog("handle_userfault_enter_third", HOOK_HANDLE_USERFAULT, 2, 1, 0),
	};
	__u64 added, lost = lost_of(p, 3, 0, HOOK_HANDLE_USERFAULT, &added);

	tap_ok(lost == 0, "handle_userfault skips 5, 2, 1 with 5, 2, 0 covered: lost %llu",
	       (unsigned long long)lost);
}

static void uncovered_skips_of_every_copy_are_lost(void)
{
	const struct prog_skips p[] = {
		prog("handle_userfault_enter", HOOK_HANDLE_USERFAULT, 0, 5, 3),
		prog("handle_userfault_enter_second", HOOK_HANDLE_USERFAULT, 1, 2, 0),
		prog("handle_userfault_enter_third", HOOK_HANDLE_USERFAULT, 2, 4, 1),
	};
	__u64 added, lost = lost_of(p, 3, 0, HOOK_HANDLE_USERFAULT, &added);

	tap_ok(lost == 2, "handle_userfault skips 5, 2, 4 with 3, 0, 1 covered: lost 2 (got %llu)",
	       (unsigned long long)lost);
}

/* A hook whose BPF side counts entry-or-exit losses: the loader adds only the
 * calls every one of its programs skipped. */
static void counted_by_bpf_takes_the_least_of_all(void)
{
	const struct prog_skips p[] = {
		prog("change_protection_enter", HOOK_CHANGE_PROTECTION, 0, 25, 0),
		prog("change_protection_enter_second", HOOK_CHANGE_PROTECTION, 1, 0, 0),
		prog("change_protection_exit", HOOK_CHANGE_PROTECTION, 0, 35, 0),
		prog("change_protection_exit_second", HOOK_CHANGE_PROTECTION, 1, 1, 0),
	};
	__u64 added, by_bpf = lost_of(p, 4, 1u << HOOK_CHANGE_PROTECTION, HOOK_CHANGE_PROTECTION,
				      &added);
	__u64 by_copies = lost_of(p, 4, 0, HOOK_CHANGE_PROTECTION, &added);

	tap_ok(by_bpf == 0 && by_copies == 1,
	       "change_protection 25/0 entry, 35/1 exit skips: 0 counted by BPF (got %llu), "
	       "else 0 + 1 (got %llu)", (unsigned long long)by_bpf, (unsigned long long)by_copies);
}

static void counted_by_bpf_still_bounds_total_skips(void)
{
	const struct prog_skips p[] = {
		prog("zap_enter", HOOK_ZAP, 0, 2, 0),
		prog("zap_enter_second", HOOK_ZAP, 1, 3, 0),
		prog("zap_enter_third", HOOK_ZAP, 2, 2, 0),
		prog("zap_exit", HOOK_ZAP, 0, 4, 0),
		prog("zap_exit_second", HOOK_ZAP, 1, 2, 0),
		prog("zap_exit_third", HOOK_ZAP, 2, 5, 0),
	};
	__u64 added, lost = lost_of(p, 6, 1u << HOOK_ZAP, HOOK_ZAP, &added);

	tap_ok(lost == 2 && added == 2, "zap, every program skipping 2 or more: lost 2 (got %llu)",
	       (unsigned long long)lost);
}

/* Unloaded programs (kprobes get one copy) and the syscall programs. */
static void unloaded_copies_and_syscalls_do_not_count(void)
{
	struct prog_skips p[] = {
		prog("zap_enter", HOOK_ZAP, 0, 3, 0),
		prog("zap_enter_second", HOOK_ZAP, 1, 0, 0),
		prog("raw_sys_enter", HOOK_SYSCALLS, 0, 9, 0),
		prog("raw_sys_enter_second", HOOK_SYSCALLS, 1, 9, 0),
	};
	__u64 added, lost;

	p[1].loaded = false;
	lost = lost_of(p, 4, 0, HOOK_ZAP, &added);
	tap_ok(lost == 3 && added == 3,
	       "a kprobe's one loaded copy skipping 3: lost 3, syscalls none (got %llu, added %llu)",
	       (unsigned long long)lost, (unsigned long long)added);
}

/* Programs whose names share a prefix are not copies of each other. */
static void copies_are_matched_by_whole_name(void)
{
	const struct prog_skips p[] = {
		prog("zap_enter", HOOK_ZAP, 0, 2, 0),
		prog("zap_hugetlb_enter", HOOK_ZAP_HUGETLB, 0, 0, 0),
		prog("zap_enter_second", HOOK_ZAP, 1, 1, 0),
	};
	__u64 added, lost = lost_of(p, 3, 0, HOOK_ZAP, &added);

	tap_ok(lost == 1, "zap_enter 2 and its second 1 beside zap_hugetlb_enter 0: lost 1 (got %llu)",
	       (unsigned long long)lost);
}

static const struct tap_test tests[] = {
	TAP_TEST(one_copy_skipping_is_no_loss),
	TAP_TEST(every_copy_skipping_bounds_the_loss),
	TAP_TEST(covered_skips_are_no_loss),
	TAP_TEST(uncovered_skips_of_every_copy_are_lost),
	TAP_TEST(counted_by_bpf_takes_the_least_of_all),
	TAP_TEST(counted_by_bpf_still_bounds_total_skips),
	TAP_TEST(unloaded_copies_and_syscalls_do_not_count),
	TAP_TEST(copies_are_matched_by_whole_name),
};

int main(int argc, char **argv)
{
	return tap_main(TAP_TESTS(tests), argc, argv);
}
