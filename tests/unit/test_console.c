// SPDX-License-Identifier: GPL-2.0
/*
 * The guest console parser (src/vmtest/console.c): a panic's reason names the first oops
 * and where it happened, not only "Fatal exception", and a later oops does not replace it;
 * a guest program's text on the job line is never taken for the kernel's.
 */
#include "vmtest/console.h"
#include "tap.h"

#include <stdlib.h>

static void feed_all(struct console *c, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_feed(c, lines[i]);
}

/* The 6.12 guest's crash in uffd-stress (TCG, the TSC marked unstable mid-run), abridged. */
static void first_oops_and_rip(void)
{
	static const char *const lines[] = {
		"[  159.991135] TSC found unstable after boot, most likely due to broken BIOS.",
		"[  159.993081] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI",
		"[  159.993589] CPU: 0 UID: 0 PID: 280 Comm: uffd-stress Not tainted 6.12.117",
		"[  159.994014] RIP: 0010:sched_clock_cpu+0x9/0x190",
		"[  159.995077] RIP: 0033:0x40d97f",
		"[  159.995077] Oops: int3: 0000 [#2] PREEMPT SMP NOPTI",
		"[  159.995077] RIP: 0010:update_rq_clock+0x35/0x1a0",
		"[  159.995077] Kernel panic - not syncing: Fatal exception in interrupt",
	};
	struct console c = { 0 };

	console_init(&c);
	feed_all(&c, lines, sizeof(lines) / sizeof(lines[0]));
	tap_ok(!strcmp(c.panic, "Kernel panic - not syncing: Fatal exception in interrupt"),
	       "the panic line: %s", c.panic);
	tap_ok(!strcmp(c.oops, "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI at sched_clock_cpu+0x9/0x190"),
	       "the first oops, at its kernel RIP: %s", c.oops);
	console_release(&c);
}

/* A BUG line with no RIP after it, and a user-space RIP (0033) that is not the kernel's. */
static void oops_without_kernel_rip(void)
{
	static const char *const lines[] = {
		"[    1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008",
		"[    1.1] RIP: 0033:0x40d97f",
		"[    1.2] Kernel panic - not syncing: Fatal exception",
	};
	struct console c = { 0 };

	console_init(&c);
	feed_all(&c, lines, sizeof(lines) / sizeof(lines[0]));
	tap_ok(!strcmp(c.oops, "BUG: kernel NULL pointer dereference, address: 0000000000000008"),
	       "a BUG line alone: %s", c.oops);
	console_release(&c);
}

static void no_oops(void)
{
	static const char *const lines[] = {
		"[    0.5] Kernel panic - not syncing: VFS: Unable to mount root fs",
	};
	struct console c = { 0 };

	console_init(&c);
	feed_all(&c, lines, 1);
	tap_ok(c.panic[0] && !c.oops[0], "a panic with no oops before it leaves oops empty");
	console_release(&c);
}

/* The job line (console_feed_job()): markers and a run's lines count, but text a guest
 * program prints there is not the kernel's: no banner, oops, panic or boot-stub halt,
 * which would end QEMU at once. */
static void job_line_is_not_the_kernel(void)
{
	static const char *const lines[] = {
		CONSOLE_MARKER " init release=7.3.4 hugepages=64 nodes=2",
		CONSOLE_MARKER " begin scenario printer",
		"Linux version 0.0 (a program's own text)",
		"Oops: int3: 0000 [#1] PREEMPT SMP NOPTI",
		"Kernel panic - not syncing: said by a program",
		"Decompressing ... -- System halted",
		"scenario: printer verdict=ok detail=-",
		CONSOLE_MARKER " end scenario printer status=0",
	};
	const struct guest_run *r;
	struct console c = { 0 };
	int markers = 0;

	console_init(&c);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		markers += console_feed_job(&c, lines[i]);
	r = console_find_run(&c, "printer");
	tap_ok(markers == 3 && c.init_started && r && r->ended && !strcmp(r->verdict, "ok"),
	       "the job line's markers and self-check count (%d markers)", markers);
	tap_ok(!c.kernel_started && !c.oops[0] && !c.panic[0] && !c.halted,
	       "its text is no kernel banner, oops, panic or halt (oops '%s', panic '%s')", c.oops,
	       c.panic);
	console_release(&c);
}

static const struct tap_test tests[] = {
	TAP_TEST(first_oops_and_rip),
	TAP_TEST(oops_without_kernel_rip),
	TAP_TEST(no_oops),
	TAP_TEST(job_line_is_not_the_kernel),
};

int main(int argc, char **argv)
{
	return tap_main(TAP_TESTS(tests), argc, argv);
}
