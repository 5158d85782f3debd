// SPDX-License-Identifier: GPL-2.0
/*
 * uffdwp-vmtest: run uffdwp-trace's scenarios (or a command) on any kernel image in QEMU
 * and answer with a `git bisect run` exit status. See --help, and vmtest.h for the flow.
 */
#include "accel.h"
#include "console.h"
#include "image.h"
#include "initramfs.h"
#include "qemu.h"
#include "report.h"
#include "vmtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The generated initramfs, removed at exit unless --keep-initramfs. */
static char initramfs_path[4096];

static void remove_initramfs(void)
{
	if (initramfs_path[0])
		unlink(initramfs_path);
}

static bool make_initramfs(const struct vmtest_opts *o, const struct payload *p)
{
	const char *tmp = getenv("TMPDIR");
	int fd;
	FILE *f;
	bool ok;

	snprintf(initramfs_path, sizeof(initramfs_path), "%s/uffdwp-vmtest-XXXXXX.cpio",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkstemps(initramfs_path, strlen(".cpio"));
	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		vmtest_err("cannot create %s: %m", initramfs_path);
		initramfs_path[0] = '\0';
		return false;
	}
	if (!o->keep_initramfs)
		atexit(remove_initramfs);
	else
		fprintf(stderr, "uffdwp-vmtest: initramfs kept at %s\n", initramfs_path);
	ok = initramfs_write(o, p, f);
	return fclose(f) == 0 && ok;
}

static enum accel_choice choose_accel(const struct vmtest_opts *o, char *note, size_t size)
{
	char why[160];

	if (o->accel != ACCEL_AUTO)
		return o->accel;
	if (accel_kvm_known_broken()) {
		snprintf(note, size, "(KVM hung a guest earlier since this host booted)");
		return ACCEL_TCG;
	}
	if (!accel_kvm_works(why, sizeof(why))) {
		snprintf(note, size, "(KVM unusable: %s)", why);
		return ACCEL_TCG;
	}
	return ACCEL_KVM;
}

/* Boots once; under auto, a KVM guest without a kernel banner is rerun under TCG. */
static void boot(const struct vmtest_opts *o, struct console *c, struct vm_result *res,
		 struct outcome *out)
{
	enum accel_choice accel = choose_accel(o, out->accel_note, sizeof(out->accel_note));

	console_init(c);
	qemu_run(o, initramfs_path, accel, c, report_echo, res);
	if (o->accel == ACCEL_AUTO && accel == ACCEL_KVM && res->end == VM_NO_BANNER) {
		accel_kvm_mark_broken();
		snprintf(out->accel_note, sizeof(out->accel_note),
			 "(a KVM guest printed nothing within %u s: fell back to TCG)",
			 res->deadline_s);
		fprintf(stderr, "uffdwp-vmtest: %s\n", out->accel_note);
		console_init(c);
		qemu_run(o, initramfs_path, ACCEL_TCG, c, report_echo, res);
	}
}

int main(int argc, char **argv)
{
	struct vmtest_opts opts;
	struct outcome out = { .exit = VMTEST_SKIP };
	static struct payload payload;
	static struct console console;
	struct vm_result res;

	if (!vmtest_parse_args(argc, argv, &opts))
		return VMTEST_SKIP;
	if (!image_check(opts.kernel, out.reason, sizeof(out.reason)) ||
	    (!payload_resolve(&opts, &payload) || !make_initramfs(&opts, &payload))) {
		if (!out.reason[0])
			snprintf(out.reason, sizeof(out.reason), "%s", vmtest_last_error);
		report_early_failure(&opts, &out);
		return VMTEST_SKIP;
	}
	report_begin(&opts, &payload);
	boot(&opts, &console, &res, &out);
	report_decide(&opts, &payload, &console, &res, &out);
	report_print(&opts, &payload, &console, &res, &out);
	return out.exit;
}
