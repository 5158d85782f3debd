/* SPDX-License-Identifier: GPL-2.0 */
/* Choosing the accelerator: KVM only where it really runs a guest. */
#ifndef UFFDWP_VMTEST_ACCEL_H
#define UFFDWP_VMTEST_ACCEL_H
#include "vmtest.h"

/*
 * Runs a one-instruction (HLT) real-mode guest through /dev/kvm with a short alarm.
 * Returns true when KVM_RUN came back with KVM_EXIT_HLT; otherwise false and why in
 * why (e.g. "/dev/kvm: No such file or directory", "KVM_RUN did not return within 2 s").
 */
bool accel_kvm_works(char *why, size_t size);

/*
 * The probe passes on hosts where a real KVM guest still fails: it hangs silently, or
 * QEMU aborts or reports a KVM error before the kernel starts (boot.c). That verdict and
 * its reason are remembered for the host's current boot (a file in $TMPDIR named by the
 * boot_id), so only the first run pays for it. known_broken() fills why with the reason.
 */
bool accel_kvm_known_broken(char *why, size_t size);
void accel_kvm_mark_broken(const char *why);

const char *accel_name(enum accel_choice a);

#endif
