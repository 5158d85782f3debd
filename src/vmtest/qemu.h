/* SPDX-License-Identifier: GPL-2.0 */
/* Running QEMU and streaming its serial console into the console parser. */
#ifndef UFFDWP_VMTEST_QEMU_H
#define UFFDWP_VMTEST_QEMU_H
#include "console.h"
#include "vmtest.h"

enum vm_end {
	VM_EXITED,		/* QEMU exited by itself (poweroff, panic, triple fault) */
	VM_TIMEOUT,		/* --timeout expired */
	VM_NO_BANNER,		/* no kernel banner before the banner deadline */
	VM_NO_INIT,		/* the kernel never started /init before the init deadline */
	VM_START_FAILED,	/* QEMU could not be started */
	VM_ACCEL_FAILED,	/* QEMU reported a KVM error before the kernel banner, then hung */
};

struct vm_result {
	enum vm_end end;
	enum accel_choice accel;	/* ACCEL_KVM or ACCEL_TCG */
	int qemu_status;		/* wait status of QEMU when it exited */
	char qemu_error[256];		/* QEMU's last stderr line (the KVM error for VM_ACCEL_FAILED) */
	char kvm_failure[320];		/* why a KVM start failed (boot.c), "" otherwise */
	double boot_seconds;		/* start to the /init marker; 0 if never */
	double total_seconds;
	unsigned int deadline_s;	/* the deadline that expired, for the message */
	double kvm_error_at;		/* when QEMU's stderr reported a KVM error; 0 = never */
};

/* Called for each console line after the parser saw it; is_marker as console_feed(). */
typedef void (*console_echo_fn)(const struct console *c, const char *line, bool is_marker);

/* Boots opts->kernel with initramfs and the swap disk (swap.h) under accel, feeding each
 * console line to c and echo. */
void qemu_run(const struct vmtest_opts *opts, const char *initramfs, const char *swap_disk,
	      enum accel_choice accel, struct console *c, console_echo_fn echo,
	      struct vm_result *res);

#endif
