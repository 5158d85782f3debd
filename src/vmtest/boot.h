/* SPDX-License-Identifier: GPL-2.0 */
/* The steps every mode shares: write the initramfs once, boot a kernel with it. */
#ifndef UFFDWP_VMTEST_BOOT_H
#define UFFDWP_VMTEST_BOOT_H
#include "console.h"
#include "initramfs.h"
#include "qemu.h"
#include "report.h"

/*
 * Writes the initramfs for opts/p to a temporary file, removed at exit unless
 * --keep-initramfs; its path is what boot_kernel() boots. False after one error line.
 */
bool boot_make_initramfs(const struct vmtest_opts *opts, const struct payload *p);

/*
 * Boots opts->kernel once with that initramfs, console lines parsed into c (which must be
 * zeroed or released) and passed to echo. Under --accel auto a KVM start that fails before
 * the kernel's banner (QEMU killed by a signal, exiting, reporting a KVM error, or a silent
 * guest) is rerun under TCG; out->accel_note says why KVM was not used. Under --accel kvm
 * such a failure ends the boot with res->kvm_failure saying why.
 */
void boot_kernel(const struct vmtest_opts *opts, struct console *c, console_echo_fn echo,
		 struct vm_result *res, struct outcome *out);

#endif
