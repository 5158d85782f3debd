/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: userfaultfd itself: opening one (the syscall, else
 * /dev/userfaultfd), the features the kernel offers, UFFDIO_API, registering,
 * unregistering and write-protecting a range.
 */
#ifndef UFFDWP_SCEN_UFFD_H
#define UFFDWP_SCEN_UFFD_H

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scen_report.h"

/* ------------------------------------------------------------------ */
/* userfaultfd                                                         */

/*
 * The userfaultfd(2) syscall may be refused (vm.unprivileged_userfaultfd,
 * seccomp); /dev/userfaultfd (6.1+) is the documented fallback.
 */
static inline int uffd_open(void)
{
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	int dev;

	if (fd >= 0)
		return fd;
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -1;
	fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
	close(dev);
	return fd;
}

/*
 * UFFDIO_API may be issued only once per uffd, so probing what the kernel
 * supports takes a throwaway fd: features=0 returns the full supported set.
 */
static inline uint64_t uffd_supported_features(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = uffd_open();

	if (fd < 0)
		scen_fail("userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api) < 0)
		scen_fail("UFFDIO_API(probe)");
	close(fd);
	return api.features;
}

/* Ends the scenario as a skip when the kernel lacks one of the features. */
static inline void uffd_require_features(uint64_t features, const char *what)
{
	if ((uffd_supported_features() & features) != features)
		scen_end(VERDICT_SKIP, "kernel_lacks_%s", what);
}

/* A uffd with exactly these features negotiated. */
static inline int uffd_new(uint64_t features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = uffd_open();

	if (fd < 0)
		scen_fail("userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api) < 0)
		scen_fail("UFFDIO_API");
	return fd;
}

/* Returns 0 or -errno, so callers can turn "this backing can't" into a skip. */
static inline int uffd_register_try(int uffd, void *addr, size_t len, uint64_t mode)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = mode,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &reg) < 0 ? -errno : 0;
}

static inline void uffd_register(int uffd, void *addr, size_t len, uint64_t mode)
{
	int err = uffd_register_try(uffd, addr, len, mode);

	if (err) {
		errno = -err;
		scen_fail("UFFDIO_REGISTER");
	}
}

static inline void uffd_unregister(int uffd, void *addr, size_t len)
{
	struct uffdio_range range = { .start = (uintptr_t)addr, .len = len };

	SCEN_CHECK(ioctl(uffd, UFFDIO_UNREGISTER, &range));
}

/* mode=WP protects; mode=0 resolves and wakes the faulting threads. */
static inline void uffd_writeprotect(int uffd, void *addr, size_t len, bool protect)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	SCEN_CHECK(ioctl(uffd, UFFDIO_WRITEPROTECT, &wp));
}

#endif /* UFFDWP_SCEN_UFFD_H */
