// SPDX-License-Identifier: GPL-2.0
/*
 * KVM probe. On some hosts /dev/kvm opens and VMs can be created, yet a guest never runs
 * (the vCPU spins in the host kernel). Running a HLT instruction through KVM_RUN, bounded by
 * an alarm, tells such a host apart in milliseconds. boot.c keeps a second line of defence:
 * a KVM start that fails in any way before the kernel's banner is restarted under TCG, and
 * the failure is remembered here for the host's current boot.
 */
#include "accel.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define PROBE_SECONDS 2
#define PROBE_GUEST_ADDR 0x1000
#define PROBE_MEM_SIZE 0x2000

const char *accel_name(enum accel_choice a)
{
	return a == ACCEL_KVM ? "kvm" : a == ACCEL_TCG ? "tcg" : "auto";
}

static void on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN with EINTR */
}

/* Points the vCPU at PROBE_GUEST_ADDR in real mode (CS base 0). */
static int probe_setup_vcpu(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = PROBE_GUEST_ADDR, .rflags = 0x2 };

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return -1;
	return ioctl(vcpu, KVM_SET_REGS, &regs);
}

/* Runs the vCPU once under an alarm; 1 = halted, 0 = other exit or timeout, -1 = error. */
static int kvm_probe_run(int kvm, int vcpu, char *why, size_t size)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;	/* no SA_RESTART */
	int map_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run;
	int ret, err;

	if (map_size <= 0)
		return -1;
	run = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return -1;
	sigaction(SIGALRM, &sa, &old);
	alarm(PROBE_SECONDS);
	ret = ioctl(vcpu, KVM_RUN, 0);
	err = errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (ret < 0 && err == EINTR)
		snprintf(why, size, "KVM_RUN of a HLT guest did not return within %d s",
			 PROBE_SECONDS);
	else if (ret < 0)
		snprintf(why, size, "KVM_RUN: %s", strerror(err));
	else if (run->exit_reason != KVM_EXIT_HLT)
		snprintf(why, size, "a HLT guest exited with KVM exit reason %u", run->exit_reason);
	ret = ret == 0 && run->exit_reason == KVM_EXIT_HLT;
	munmap(run, map_size);
	return ret;
}

/* Per host boot (boot_id), so a fixed or reconfigured host is probed again after a reboot. */
static void broken_marker_path(char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	char boot_id[64] = "unknown";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (f) {
		if (fgets(boot_id, sizeof(boot_id), f))
			boot_id[strcspn(boot_id, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, size, "%s/uffdwp-vmtest-kvm-broken.%s", tmp && *tmp ? tmp : "/tmp", boot_id);
}

bool accel_kvm_known_broken(char *why, size_t size)
{
	char path[4096];
	FILE *f;

	broken_marker_path(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(why, (int)size, f))
		snprintf(why, size, "no reason kept");
	why[strcspn(why, "\n")] = '\0';
	fclose(f);
	return true;
}

void accel_kvm_mark_broken(const char *why)
{
	char path[4096];
	FILE *f;

	broken_marker_path(path, sizeof(path));
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", why);
		fclose(f);
	}
}

bool accel_kvm_works(char *why, size_t size)
{
	static const unsigned char hlt = 0xf4;
	int kvm = -1, vm = -1, vcpu = -1;
	void *mem = MAP_FAILED;
	bool works = false;

	snprintf(why, size, "/dev/kvm: %s", "cannot set up a probe VM");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(why, size, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		goto out;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	mem = mmap(NULL, PROBE_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED)
		goto out;
	memcpy((char *)mem + PROBE_GUEST_ADDR, &hlt, 1);
	struct kvm_userspace_memory_region region = {
		.memory_size = PROBE_MEM_SIZE,
		.userspace_addr = (unsigned long)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		goto out;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0 || probe_setup_vcpu(vcpu) < 0)
		goto out;
	works = kvm_probe_run(kvm, vcpu, why, size) == 1;
out:
	if (vcpu >= 0)
		close(vcpu);
	if (mem != MAP_FAILED)
		munmap(mem, PROBE_MEM_SIZE);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return works;
}
