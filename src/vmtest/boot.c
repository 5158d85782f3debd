// SPDX-License-Identifier: GPL-2.0
/* Initramfs file and boot with the KVM -> TCG fallback: see boot.h. */
#include "boot.h"
#include "accel.h"

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

bool boot_make_initramfs(const struct vmtest_opts *o, const struct payload *p)
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

void boot_kernel(const struct vmtest_opts *o, struct console *c, console_echo_fn echo,
		 struct vm_result *res, struct outcome *out)
{
	enum accel_choice accel = choose_accel(o, out->accel_note, sizeof(out->accel_note));

	console_init(c);
	qemu_run(o, initramfs_path, accel, c, echo, res);
	if (o->accel == ACCEL_AUTO && accel == ACCEL_KVM && res->end == VM_NO_BANNER) {
		accel_kvm_mark_broken();
		snprintf(out->accel_note, sizeof(out->accel_note),
			 "(a KVM guest printed nothing within %u s: fell back to TCG)",
			 res->deadline_s);
		fprintf(stderr, "uffdwp-vmtest: %s\n", out->accel_note);
		console_release(c);
		console_init(c);
		qemu_run(o, initramfs_path, ACCEL_TCG, c, echo, res);
		accel = ACCEL_TCG;
	}
	/* A stock kernel has been seen to panic in an interrupt before /init
	 * under TCG once in many boots: boot once more.  A kernel that really
	 * cannot boot panics again and stays undecided (125). */
	if (c->kernel_started && c->panic[0] && !c->halted && !c->init_started) {
		fprintf(stderr, "uffdwp-vmtest: kernel panic before /init (%s): booting once more\n",
			c->panic);
		console_release(c);
		console_init(c);
		qemu_run(o, initramfs_path, accel, c, echo, res);
	}
}
