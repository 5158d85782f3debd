// SPDX-License-Identifier: GPL-2.0
/* Initramfs file and boot with the KVM -> TCG fallback: see boot.h. */
#include "boot.h"
#include "accel.h"
#include "swap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The generated initramfs, removed at exit unless --keep-initramfs; the swap disk. */
static char initramfs_path[4096];
static char swap_disk_path[4096];

static void remove_initramfs(void)
{
	if (initramfs_path[0])
		unlink(initramfs_path);
}

static void remove_swap_disk(void)
{
	if (swap_disk_path[0])
		unlink(swap_disk_path);
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
	if (fclose(f) != 0 || !ok)
		return false;
	if (!swap_make_disk(swap_disk_path, sizeof(swap_disk_path)))
		return false;
	atexit(remove_swap_disk);
	return true;
}

static enum accel_choice choose_accel(const struct vmtest_opts *o, char *note, size_t size)
{
	char why[320];

	if (o->accel != ACCEL_AUTO)
		return o->accel;
	if (accel_kvm_known_broken(why, sizeof(why))) {
		snprintf(note, size, "(KVM failed earlier since this host booted: %s)", why);
		return ACCEL_TCG;
	}
	if (!accel_kvm_works(why, sizeof(why))) {
		snprintf(note, size, "(KVM unusable: %s)", why);
		return ACCEL_TCG;
	}
	return ACCEL_KVM;
}

/*
 * Whether a KVM run failed before the kernel started, and how: QEMU killed by a signal
 * (an assertion's SIGABRT), exiting on its own, reporting a KVM error, or a silent guest.
 * A boot stub that halted did start: the image is at fault, not KVM.
 */
static bool kvm_start_failed(const struct console *c, const struct vm_result *res,
			     char *why, size_t size)
{
	int st = res->qemu_status;

	if (res->accel != ACCEL_KVM || c->kernel_started || c->halted)
		return false;
	if (res->end == VM_EXITED && WIFSIGNALED(st))
		snprintf(why, size, "QEMU %s (SIG%s) before the kernel started%s%s",
			 WTERMSIG(st) == SIGABRT ? "aborted" : "was killed",
			 sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?",
			 res->qemu_error[0] ? ": " : "", res->qemu_error);
	else if (res->end == VM_EXITED && WIFEXITED(st) && WEXITSTATUS(st))
		snprintf(why, size, "QEMU exited %d before the kernel started%s%s",
			 WEXITSTATUS(st), res->qemu_error[0] ? ": " : "", res->qemu_error);
	else if (res->end == VM_ACCEL_FAILED)
		snprintf(why, size, "QEMU reported a KVM error before the kernel started: %s",
			 res->qemu_error);
	else if (res->end == VM_NO_BANNER)
		snprintf(why, size, "a guest printed nothing within %u s", res->deadline_s);
	else
		return false;
	return true;
}

void boot_kernel(const struct vmtest_opts *o, struct console *c, console_echo_fn echo,
		 struct vm_result *res, struct outcome *out)
{
	enum accel_choice accel = choose_accel(o, out->accel_note, sizeof(out->accel_note));
	char why[320];

	console_init(c);
	qemu_run(o, initramfs_path, swap_disk_path, accel, c, echo, res);
	if (kvm_start_failed(c, res, why, sizeof(why))) {
		if (o->accel == ACCEL_KVM) {	/* forced: the failure is the answer */
			snprintf(res->kvm_failure, sizeof(res->kvm_failure), "%s", why);
			return;
		}
		snprintf(out->accel_note, sizeof(out->accel_note), "(KVM: %s)", why);
		fprintf(stderr, "uffdwp-vmtest: KVM: %s: booting again under TCG\n", why);
		console_release(c);
		console_init(c);
		qemu_run(o, initramfs_path, swap_disk_path, ACCEL_TCG, c, echo, res);
		accel = ACCEL_TCG;
		/* only a kernel that starts under TCG clears the image of the blame */
		if (c->kernel_started)
			accel_kvm_mark_broken(why);
	}
	/* A stock kernel has been seen to panic in an interrupt before /init
	 * under TCG once in many boots: boot once more.  A kernel that really
	 * cannot boot panics again and stays undecided (125). */
	if (c->kernel_started && c->panic[0] && !c->halted && !c->init_started) {
		fprintf(stderr, "uffdwp-vmtest: kernel panic before /init (%s): booting once more\n",
			c->panic);
		console_release(c);
		console_init(c);
		qemu_run(o, initramfs_path, swap_disk_path, accel, c, echo, res);
	}
}
