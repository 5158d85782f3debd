/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the scenario programs in tests/scenarios/.
 *
 * Every scenario is one translation unit built as a static binary that runs
 * in a bare guest (no libc beyond the static one, no libnuma), so everything
 * here is header-only static functions.  A scenario:
 *   - calls scen_begin("name") first,
 *   - drives one uffd-wp behaviour and checks the kernel's answer from user
 *     space (messages read, pagemap bits, fault counters, data),
 *   - ends with scen_end(), which prints exactly one line
 *       scenario: NAME verdict=ok|bug|skip|error detail=...
 *     and exits 0 (ok), 1 (bug), 77 (skip) or 2 (error: the scenario itself
 *     could not run, e.g. an unexpected syscall failure; a line on stderr
 *     says which call failed).
 * Synchronisation is by joins, eventfds and the uffd protocol itself, never
 * by sleeping.
 */
#ifndef UFFDWP_SCENARIO_H
#define UFFDWP_SCENARIO_H

#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25	/* 6.1; glibc 2.36 lacks the name */
#endif

/* Newer than the 6.1 UAPI headers Debian 12 ships. */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef UFFDIO_CONTINUE_MODE_WP
#define UFFDIO_CONTINUE_MODE_WP ((__u64)1 << 1)	/* 6.3: userfaultfd_continue() */
#endif
/* UFFDIO_POISON (6.6), UFFDIO_MOVE (6.8), RWP (7.3: UFFDIO_RWPROTECT), MADV_GUARD_* (6.13) */
#define SCEN_UFFD_FEATURE_POISON (1 << 14)
#define SCEN_UFFD_FEATURE_MOVE (1 << 16)
#define SCEN_UFFD_FEATURE_RWP (1 << 17)
#define SCEN_UFFDIO_REGISTER_MODE_RWP (1ULL << 3)
#define SCEN_UFFD_PAGEFAULT_FLAG_RWP (1 << 3)
struct scen_uffdio_poison {
	struct uffdio_range range;
	uint64_t mode;
	int64_t updated;
};
struct scen_uffdio_rwprotect {
	struct uffdio_range range;
	uint64_t mode; /* 1 << 0: protect; 0: undo and wake */
};
struct scen_uffdio_move {
	uint64_t dst, src, len, mode;
	int64_t move;	/* bytes moved, or -errno */
};
#define SCEN_UFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct scen_uffdio_move)
#define SCEN_UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct scen_uffdio_poison)
#define SCEN_UFFDIO_RWPROTECT _IOWR(UFFDIO, 0x09, struct scen_uffdio_rwprotect)
#define SCEN_MADV_GUARD_INSTALL 102
#define SCEN_MADV_GUARD_REMOVE 103

/* PAGEMAP_SCAN (6.7, 52526ca7fdb9): include/uapi/linux/fs.h, newer than Debian 12's */
struct scen_page_region {
	uint64_t start, end, categories;
};
struct scen_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define SCEN_PAGEMAP_SCAN _IOWR('f', 16, struct scen_pm_scan_arg)
#define SCEN_PM_SCAN_WP_MATCHING (1 << 0)
#define SCEN_PM_SCAN_CHECK_WPASYNC (1 << 1)
#define SCEN_PAGE_IS_WRITTEN (1 << 1)

/* /proc/PID/pagemap bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_UFFD_WP (1ULL << 57)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

#define SCEN_PAGE_SIZE 4096UL
#define SCEN_HPAGE_SIZE (2UL << 20) /* x86-64 PMD size: THP and default hugetlb */

/* ------------------------------------------------------------------ */
/* Verdict and errors                                                  */

enum scen_verdict {
	VERDICT_OK = 0,
	VERDICT_BUG = 1,
	VERDICT_ERROR = 2,
	VERDICT_SKIP = 77,
};

/* Child exit codes, so the parent can name what the child saw. */
enum child_result {
	CHILD_OK = 0,
	CHILD_BUG = 1,
	CHILD_ERROR = 2,
	CHILD_SKIP = 3,
};

static const char *scen_name = "unnamed";
/* Set in forked children: they report through their exit code, not a line. */
static bool scen_is_child;

static inline void scen_begin(const char *name)
{
	scen_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline const char *scen_verdict_name(enum scen_verdict v)
{
	switch (v) {
	case VERDICT_OK: return "ok";
	case VERDICT_BUG: return "bug";
	case VERDICT_SKIP: return "skip";
	default: return "error";
	}
}

/* The one result line; the detail has no newline and uses key=value words. */
__attribute__((noreturn, format(printf, 2, 3)))
static inline void scen_end(enum scen_verdict v, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (scen_is_child) {
		fprintf(stderr, "%s: child: verdict=%s detail=%s\n", scen_name,
			scen_verdict_name(v), detail);
		_exit(v == VERDICT_OK ? CHILD_OK : v == VERDICT_BUG ? CHILD_BUG : CHILD_ERROR);
	}
	printf("scenario: %s verdict=%s detail=%s\n", scen_name, scen_verdict_name(v), detail);
	fflush(stdout);
	exit(v);
}

/* An operation the scenario relies on failed: not a kernel verdict. */
#define scen_fail(what)                                                          \
	do {                                                                     \
		int e_ = errno;                                                  \
		fprintf(stderr, "%s: %s:%d: %s: %s\n", scen_name, __FILE__,      \
			__LINE__, (what), strerror(e_));                         \
		scen_end(VERDICT_ERROR, "%s_failed_errno=%d", (what), e_);       \
	} while (0)

/* Run a syscall-style expression; any negative result ends the scenario. */
#define SCEN_CHECK(expr)                                                         \
	do {                                                                     \
		if ((expr) < 0)                                                  \
			scen_fail(#expr);                                        \
	} while (0)

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

/* ------------------------------------------------------------------ */
/* The message reader                                                  */

#define MONITOR_MAX_WP 1024
#define MONITOR_MAX_EVENTS 8

/*
 * A thread that reads one uffd until stopped.  WP faults are recorded and
 * resolved by unprotecting the faulting page (granule `page_size`) with
 * wake, so a writer never hangs whatever the kernel does.  Other messages (fork, remap, ...) are recorded for
 * the scenario to inspect.  Fields written by the thread are read by others
 * only under `lock` or after monitor_stop() (the join orders them).
 */
struct uffd_monitor {
	int uffd;
	size_t page_size;
	/* Called for each WP fault before it is resolved (snapshot copies here). */
	void (*on_wp)(struct uffd_monitor *m, uintptr_t page, void *ctx);
	void *ctx;

	pthread_t thread;
	int stop_fd;
	pthread_mutex_t lock;
	pthread_cond_t event_arrived; /* signalled when a non-fault event is recorded */
	unsigned int wp_count;
	unsigned int rwp_count; /* RWP faults (7.3), resolved by UFFDIO_RWPROTECT(mode=0) */
	unsigned int other_count;
	uintptr_t wp_addr[MONITOR_MAX_WP];
	unsigned int event_count;
	struct uffd_msg event[MONITOR_MAX_EVENTS];
	int error; /* errno of a failed read/ioctl in the thread, else 0 */
};

static inline void monitor_record(struct uffd_monitor *m, const struct uffd_msg *msg)
{
	pthread_mutex_lock(&m->lock);
	if (msg->event == UFFD_EVENT_PAGEFAULT &&
	    (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)) {
		if (m->wp_count < MONITOR_MAX_WP)
			m->wp_addr[m->wp_count] = msg->arg.pagefault.address;
		m->wp_count++;
	} else if (msg->event == UFFD_EVENT_PAGEFAULT &&
		   (msg->arg.pagefault.flags & SCEN_UFFD_PAGEFAULT_FLAG_RWP)) {
		m->rwp_count++;
	} else if (msg->event == UFFD_EVENT_PAGEFAULT) {
		m->other_count++;
	} else if (m->event_count < MONITOR_MAX_EVENTS) {
		m->event[m->event_count++] = *msg;
		pthread_cond_broadcast(&m->event_arrived);
	}
	pthread_mutex_unlock(&m->lock);
}

static inline void monitor_resolve_wp(struct uffd_monitor *m, const struct uffd_msg *msg)
{
	uintptr_t page = msg->arg.pagefault.address & ~(uintptr_t)(m->page_size - 1);
	struct uffdio_writeprotect wp = {
		.range = { .start = page, .len = m->page_size },
		.mode = 0,
	};

	if (m->on_wp)
		m->on_wp(m, page, m->ctx);
	if (ioctl(m->uffd, UFFDIO_WRITEPROTECT, &wp) < 0 && !m->error)
		m->error = errno;
}

/*
 * A minor fault (a page in the page cache, not mapped here: MODE_MINOR) wants the page
 * mapped as it is: UFFDIO_CONTINUE (a COPY would find the page there, EEXIST, and the
 * thread fault again forever).  EEXIST: mapped meanwhile, the thread still needs a wake.
 * 0 or the errno.
 */
static inline int uffd_continue_fault(int uffd, uintptr_t page, size_t len)
{
	struct uffdio_continue cont = { .range = { .start = page, .len = len } };
	struct uffdio_range wake = { .start = page, .len = len };

	if (ioctl(uffd, UFFDIO_CONTINUE, &cont) == 0)
		return 0;
	if (errno == EEXIST && ioctl(uffd, UFFDIO_WAKE, &wake) == 0)
		return 0;
	return errno;
}

static inline void monitor_resolve_rwp(struct uffd_monitor *m, const struct uffd_msg *msg)
{
	uintptr_t page = msg->arg.pagefault.address & ~(uintptr_t)(m->page_size - 1);
	struct scen_uffdio_rwprotect rwp = { .range = { .start = page, .len = m->page_size } };

	if (ioctl(m->uffd, SCEN_UFFDIO_RWPROTECT, &rwp) < 0 && !m->error)
		m->error = errno;
}

/* Reads every queued message; returns false when the uffd is unusable. */
static inline bool monitor_drain(struct uffd_monitor *m)
{
	struct uffd_msg msg;

	for (;;) {
		ssize_t n = read(m->uffd, &msg, sizeof(msg));

		if (n < 0 && errno == EAGAIN)
			return true;
		if (n != sizeof(msg)) {
			m->error = n < 0 ? errno : EIO;
			return false;
		}
		monitor_record(m, &msg);
		if (msg.event == UFFD_EVENT_PAGEFAULT &&
		    (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP))
			monitor_resolve_wp(m, &msg);
		else if (msg.event == UFFD_EVENT_PAGEFAULT &&
			 (msg.arg.pagefault.flags & SCEN_UFFD_PAGEFAULT_FLAG_RWP))
			monitor_resolve_rwp(m, &msg);
		else if (msg.event == UFFD_EVENT_PAGEFAULT &&
			 (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR)) {
			int err = uffd_continue_fault(m->uffd, msg.arg.pagefault.address &
							       ~(uintptr_t)(m->page_size - 1),
						      m->page_size);

			if (err && !m->error)
				m->error = err;
		}
	}
}

static inline void *monitor_thread(void *arg)
{
	struct uffd_monitor *m = arg;
	struct pollfd pfd[2] = {
		{ .fd = m->uffd, .events = POLLIN },
		{ .fd = m->stop_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			m->error = errno;
			break;
		}
		if ((pfd[0].revents & POLLIN) && !monitor_drain(m))
			break;
		if (pfd[1].revents & POLLIN) {
			/* Messages queued before the stop still count. */
			monitor_drain(m);
			break;
		}
	}
	return NULL;
}

/* Starts the reader; on_wp (may be NULL) runs on each WP fault before it is
 * resolved, e.g. to copy the page's old contents. */
static inline void monitor_start(struct uffd_monitor *m, int uffd, size_t page_size,
				 void (*on_wp)(struct uffd_monitor *, uintptr_t, void *), void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->uffd = uffd;
	m->page_size = page_size;
	m->on_wp = on_wp;
	m->ctx = ctx;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->event_arrived, NULL);
	m->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (m->stop_fd < 0)
		scen_fail("eventfd");
	errno = pthread_create(&m->thread, NULL, monitor_thread, m);
	if (errno)
		scen_fail("pthread_create(monitor)");
}

static inline void monitor_stop(struct uffd_monitor *m)
{
	uint64_t one = 1;

	SCEN_CHECK(write(m->stop_fd, &one, sizeof(one)));
	pthread_join(m->thread, NULL);
	close(m->stop_fd);
	if (m->error) {
		errno = m->error;
		scen_fail("uffd monitor");
	}
}

static inline const struct uffd_msg *monitor_find_event_locked(struct uffd_monitor *m,
								uint8_t event)
{
	for (unsigned int i = 0; i < m->event_count; i++)
		if (m->event[i].event == event)
			return &m->event[i];
	return NULL;
}

/*
 * Waits until the monitor has recorded a message of this type (fork, remap,
 * ...).  The kernel completes such events inside the monitor's read(), so
 * the caller's fork()/mremap() may return before the monitor records it.
 * The deadline only guards against a kernel that never sends the event.
 */
static inline struct uffd_msg monitor_wait_event(struct uffd_monitor *m, uint8_t event)
{
	const struct uffd_msg *found;
	struct timespec deadline;
	struct uffd_msg msg;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 30;
	pthread_mutex_lock(&m->lock);
	while (!(found = monitor_find_event_locked(m, event)) && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&m->event_arrived, &m->lock, &deadline);
	if (found)
		msg = *found;
	pthread_mutex_unlock(&m->lock);
	if (!found)
		scen_end(VERDICT_BUG, "uffd_event_%u_never_arrived", event);
	return msg;
}

/* WP messages whose address falls in [addr, addr+len). */
static inline unsigned int monitor_wp_in(struct uffd_monitor *m, const void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len;
	unsigned int n = 0;

	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < m->wp_count && i < MONITOR_MAX_WP; i++)
		n += m->wp_addr[i] >= lo && m->wp_addr[i] < hi;
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* ------------------------------------------------------------------ */
/* Ground truth: pagemap, fault counters, NUMA                         */

static inline uint64_t pagemap_entry(const void *addr)
{
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)addr / SCEN_PAGE_SIZE) * sizeof(entry);

	if (fd < 0)
		scen_fail("open(/proc/self/pagemap)");
	if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		scen_fail("pread(pagemap)");
	close(fd);
	return entry;
}

static inline bool page_uffd_wp(const void *addr)
{
	return pagemap_entry(addr) & PM_UFFD_WP;
}

/* Pages in [addr, addr+len) (4 KiB granules) whose pagemap shows bit 57;
 * read 512 entries at a time (wp-1gib counts 262,144 pages). */
static inline size_t count_uffd_wp(const void *addr, size_t len)
{
	uint64_t entries[512];
	size_t n = 0, pages = len / SCEN_PAGE_SIZE, first = (uintptr_t)addr / SCEN_PAGE_SIZE;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		scen_fail("open(/proc/self/pagemap)");
	for (size_t done = 0; done < pages;) {
		size_t chunk = pages - done < 512 ? pages - done : 512;
		ssize_t got = pread(fd, entries, chunk * sizeof(entries[0]),
				    (off_t)((first + done) * sizeof(entries[0])));

		if (got != (ssize_t)(chunk * sizeof(entries[0])))
			scen_fail("pread(pagemap)");
		for (size_t i = 0; i < chunk; i++)
			n += !!(entries[i] & PM_UFFD_WP);
		done += chunk;
	}
	close(fd);
	return n;
}

/*
 * Page faults taken by the calling thread so far, minor and major: 6.1
 * accounts a fault retried after a uffd resolve as major (FAULT_FLAG_TRIED
 * in mm_account_fault()), later kernels as minor.
 */
static inline long thread_faults(void)
{
	struct rusage ru;

	SCEN_CHECK(getrusage(RUSAGE_THREAD, &ru));
	return ru.ru_minflt + ru.ru_majflt;
}

static inline int numa_node_count(void)
{
	char path[64];
	int n = 0;

	for (;; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK) != 0)
			return n;
	}
}

/* move_pages(2) for one page of this process; returns the page's node after
 * the call (or -errno as status), moving it first when node >= 0. */
static inline int move_one_page(void *addr, int node)
{
	void *pages[1] = { addr };
	int nodes[1] = { node };
	int status[1] = { -1 };

	if (syscall(__NR_move_pages, 0, 1UL, pages, node >= 0 ? nodes : NULL, status,
		    MPOL_MF_MOVE) < 0)
		scen_fail("move_pages");
	return status[0];
}

/* Skips unless the machine has a second node to migrate to; returns it. */
static inline int other_node_or_skip(void *addr)
{
	int nodes = numa_node_count();
	int here;

	if (nodes < 2)
		scen_end(VERDICT_SKIP, "needs_2_numa_nodes_have=%d(boot_with_numa=fake=2)", nodes);
	here = move_one_page(addr, -1);
	if (here < 0)
		scen_end(VERDICT_ERROR, "page_not_resident_status=%d", here);
	return here == 0 ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Backings                                                            */

enum backing {
	BACKING_ANON,		/* MAP_PRIVATE|MAP_ANONYMOUS, 4 KiB pages */
	BACKING_SHMEM,		/* memfd, MAP_SHARED */
	BACKING_HUGETLB_PRIVATE, /* MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB */
	BACKING_HUGETLB_SHARED,	/* memfd MFD_HUGETLB, MAP_SHARED */
	BACKING_THP,		/* anon, 2 MiB aligned, MADV_HUGEPAGE */
};

static inline const char *backing_name(enum backing b)
{
	static const char *const names[] = {
		[BACKING_ANON] = "anon",
		[BACKING_SHMEM] = "shmem",
		[BACKING_HUGETLB_PRIVATE] = "hugetlb_private",
		[BACKING_HUGETLB_SHARED] = "hugetlb_shared",
		[BACKING_THP] = "thp",
	};
	return names[b];
}

struct region {
	enum backing backing;
	char *addr;	  /* start of the usable, suitably aligned range */
	size_t len;
	size_t page_size; /* the granule uffd-wp works in for this backing */
	char *map_base;	  /* what to munmap */
	size_t map_len;
	int fd;		  /* memfd or -1 */
};

static inline bool thp_disabled(void)
{
	char buf[128] = "";
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);

	if (fd < 0)
		return true;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strstr(buf, "[never]") != NULL || buf[0] == 0;
}

static inline void region_unmap(struct region *r)
{
	if (r->map_base)
		munmap(r->map_base, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map_base = NULL;
	r->fd = -1;
}

static inline int region_memfd(struct region *r, unsigned int flags)
{
	r->fd = memfd_create(backing_name(r->backing), MFD_CLOEXEC | flags);
	if (r->fd < 0)
		return -errno;
	if (ftruncate(r->fd, r->len) < 0)
		return -errno;
	return 0;
}

/*
 * Maps npages of the backing's granule.  Returns NULL on success, or why the
 * backing is unavailable here (the caller skips it); other errors are fatal.
 */
static inline const char *region_map(struct region *r, enum backing b, size_t npages)
{
	bool huge = b == BACKING_HUGETLB_PRIVATE || b == BACKING_HUGETLB_SHARED || b == BACKING_THP;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	memset(r, 0, sizeof(*r));
	r->backing = b;
	r->fd = -1;
	r->page_size = huge ? SCEN_HPAGE_SIZE : SCEN_PAGE_SIZE;
	r->len = npages * r->page_size;
	r->map_len = r->len;

	switch (b) {
	case BACKING_ANON:
		break;
	case BACKING_SHMEM:
		if (region_memfd(r, 0) < 0)
			scen_fail("memfd_create");
		flags = MAP_SHARED;
		break;
	case BACKING_HUGETLB_PRIVATE:
		flags |= MAP_HUGETLB;
		break;
	case BACKING_HUGETLB_SHARED:
		if (region_memfd(r, MFD_HUGETLB) < 0) {
			region_unmap(r);
			return "memfd_hugetlb_unavailable";
		}
		flags = MAP_SHARED;
		break;
	case BACKING_THP:
		if (thp_disabled())
			return "thp_disabled";
		/* Over-map so a 2 MiB aligned start exists inside. */
		r->map_len = r->len + SCEN_HPAGE_SIZE;
		break;
	}

	p = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, flags, r->fd, 0);
	if (p == MAP_FAILED) {
		if (b == BACKING_HUGETLB_PRIVATE || b == BACKING_HUGETLB_SHARED) {
			region_unmap(r);
			return "no_free_hugetlb_pages(set_vm.nr_hugepages)";
		}
		scen_fail("mmap");
	}
	r->map_base = p;
	r->addr = p;
	if (b == BACKING_THP) {
		uintptr_t aligned = ((uintptr_t)p + SCEN_HPAGE_SIZE - 1) & ~(SCEN_HPAGE_SIZE - 1);

		r->addr = (char *)aligned;
		SCEN_CHECK(madvise(r->addr, r->len, MADV_HUGEPAGE));
	}
	return NULL;
}

/* Whether one VMA holds [at, at + len) (ops on sub-ranges split VMAs). */
static inline bool range_in_one_vma(const char *at, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long lo, hi;
	char line[512];
	bool one = false;

	if (!f)
		scen_fail("fopen(/proc/self/maps)");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= (uintptr_t)at &&
		    (uintptr_t)at < hi) {
			one = (uintptr_t)at + len <= hi;
			break;
		}
	fclose(f);
	return one;
}

/* Whether one VMA holds the whole region. */
static inline bool region_in_one_vma(const struct region *r)
{
	return range_in_one_vma(r->addr, r->len);
}

/*
 * mremap(2) of the whole region: to a fresh 2 MiB aligned address (a THP or hugetlb page
 * can stay one PMD), or (grow) one granule longer, moved if it must be.  Returns 0 with
 * r->addr updated, or -errno with the mapping unchanged.  The old slack of a THP region
 * and the rest of the reservation stay mapped until the process exits.
 */
static inline int region_mremap(struct region *r, bool grow)
{
	char *to, *area = NULL;
	int err;

	/* since 6.17 a move of several VMAs stops at a uffd-armed one, the ones before
	 * it moved: keep to one VMA, where every kernel moves all or nothing */
	if (!region_in_one_vma(r))
		return -EFAULT;
	if (grow) {
		to = mremap(r->addr, r->len, r->len + r->page_size, MREMAP_MAYMOVE);
	} else {
		area = mmap(NULL, r->len + SCEN_HPAGE_SIZE, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (area == MAP_FAILED)
			return -errno;
		to = (char *)(((uintptr_t)area + SCEN_HPAGE_SIZE - 1) & ~(SCEN_HPAGE_SIZE - 1));
		to = mremap(r->addr, r->len, r->len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	}
	if (to == MAP_FAILED) {
		err = -errno;
		if (area)
			munmap(area, r->len + SCEN_HPAGE_SIZE);
		return err;
	}
	if (to != r->addr) {
		r->addr = to;
		r->map_base = to;
		r->map_len = grow ? r->len + r->page_size : r->len;
	}
	return 0;
}

/*
 * munmap(2) of len bytes at `at` (the region's bytes from offset: a part moved by
 * region_move_part() keeps its file offset), then mmap(2) of the same backing back at the
 * same address (MAP_FIXED; a file at the same offset): a fresh VMA no uffd has
 * registered, a file's data kept, private memory zero.  0, or -errno with nothing changed.
 */
static inline int region_remap_at(struct region *r, char *at, size_t offset, size_t len)
{
	int flags = MAP_FIXED | (r->fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS);

	if (r->backing == BACKING_HUGETLB_PRIVATE)
		flags |= MAP_HUGETLB;
	if (munmap(at, len) < 0)
		return -errno;
	/* a hole where the region's pages were: nothing after it can run */
	if (mmap(at, len, PROT_READ | PROT_WRITE, flags, r->fd, r->fd >= 0 ? (off_t)offset : 0) != at)
		scen_fail("mmap(MAP_FIXED) after munmap");
	if (r->backing == BACKING_THP)
		SCEN_CHECK(madvise(at, len, MADV_HUGEPAGE));
	return 0;
}

/* region_remap_at() of len bytes at offset into the region where region_map() put them */
static inline int region_remap(struct region *r, size_t offset, size_t len)
{
	return region_remap_at(r, r->addr + offset, offset, len);
}

/*
 * mremap(2) of len bytes at `at`, part of one VMA, to a fresh address with the same offset
 * from a 2 MiB boundary (a PMD-mapped part stays one PMD) with MREMAP_MAYMOVE |
 * MREMAP_FIXED: the VMA splits and the part's page tables move (move_page_tables()),
 * leaving a hole.  The new address, or NULL with errno (EFAULT: the part spans VMAs,
 * which 6.17+ would move VMA by VMA, stopping at a uffd-armed one: kept out here).
 */
static inline char *region_move_part(char *at, size_t len)
{
	size_t area_len = len + 2 * SCEN_HPAGE_SIZE;
	char *area, *to;

	if (!range_in_one_vma(at, len)) {
		errno = EFAULT;
		return NULL;
	}
	area = mmap(NULL, area_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return NULL;
	to = (char *)((((uintptr_t)area + SCEN_HPAGE_SIZE - 1) & ~(SCEN_HPAGE_SIZE - 1)) +
		      ((uintptr_t)at & (SCEN_HPAGE_SIZE - 1)));
	to = mremap(at, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (to == MAP_FAILED) {
		int err = errno;

		munmap(area, area_len);
		errno = err;
		return NULL;
	}
	return to;	/* the rest of the reservation stays until the process exits */
}

/*
 * mremap(2) of len bytes at `at` (the region's bytes from offset) down to keep bytes: the
 * kernel unmaps the tail (do_vmi_munmap(), do_mas_munmap() on 6.1), then it is mapped
 * back as region_remap_at() does.  0, or -errno with nothing changed.
 */
static inline int region_shrink(struct region *r, char *at, size_t offset, size_t len,
				size_t keep)
{
	if (mremap(at, len, keep, 0) == MAP_FAILED)
		return -errno;
	return region_remap_at(r, at + keep, offset + keep, len - keep);
}

/*
 * Puts the file pages of len bytes at offset of a region's memfd (shmem, hugetlb shared)
 * in the page cache, each granule's first word tag + its index, through a second mapping
 * of the file (as uffd-unit-tests' minor tests do): the region's own mapping is not
 * touched, so its entries stay as they were for a minor fault or UFFDIO_CONTINUE.
 * fallocate() first: a hugetlb page the pool lacks is ENOSPC here, not a SIGBUS on the
 * write.  0, or -errno (EOPNOTSUPP without a file) with nothing written.
 */
static inline int region_fill_cache(const struct region *r, size_t offset, size_t len,
				    uint64_t tag)
{
	char *alias;

	if (r->fd < 0)
		return -EOPNOTSUPP;
	if (fallocate(r->fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)len) < 0)
		return -errno;
	alias = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, (off_t)offset);
	if (alias == MAP_FAILED)
		return -errno;
	for (size_t at = 0; at < len; at += r->page_size)
		*(volatile uint64_t *)(alias + at) = tag + (offset + at) / r->page_size;
	munmap(alias, len);
	return 0;
}

/*
 * PAGEMAP_SCAN of [addr, addr + n * gran) on pagemap_fd for written pages, re-protecting
 * them (PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC: -EPERM where a VMA is not WP_ASYNC
 * with markers, pagemap_scan_test_walk()); reported[i] says whether granule i was
 * reported, *walk_end (if not NULL) where the walk stopped.  The count of regions, or
 * -errno.
 */
static inline long pagemap_scan_written(int pagemap_fd, char *addr, size_t n, size_t gran,
					bool *reported, uint64_t *walk_end)
{
	struct scen_page_region *vec = calloc(n, sizeof(*vec));
	struct scen_pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = SCEN_PM_SCAN_WP_MATCHING | SCEN_PM_SCAN_CHECK_WPASYNC,
		.start = (uintptr_t)addr,
		.end = (uintptr_t)addr + n * gran,
		.vec = (uintptr_t)vec,
		.vec_len = n,
		.category_mask = SCEN_PAGE_IS_WRITTEN,
		.return_mask = SCEN_PAGE_IS_WRITTEN,
	};
	long got;

	if (!vec)
		scen_fail("calloc(page_region)");
	got = ioctl(pagemap_fd, SCEN_PAGEMAP_SCAN, &arg);
	memset(reported, 0, n * sizeof(*reported));
	for (long i = 0; i < got; i++)
		for (uint64_t a = vec[i].start; a < vec[i].end; a += gran)
			if (a >= (uintptr_t)addr && (a - (uintptr_t)addr) / gran < n)
				reported[(a - (uintptr_t)addr) / gran] = true;
	if (walk_end)
		*walk_end = arg.walk_end;
	free(vec);
	return got < 0 ? -errno : got;
}

/* The "FIELD:" line (e.g. "AnonHugePages:") of the smaps entry that contains addr, in kB
 * (-1: none). */
static inline long smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[256];
	bool inside = false;
	size_t flen = strlen(field);
	long kb = -1;

	if (!f)
		scen_fail("fopen(/proc/self/smaps)");
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (inside && !strncmp(line, field, flen) && sscanf(line + flen, " %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static inline long smaps_anon_huge_kb(const void *addr)
{
	return smaps_kb(addr, "AnonHugePages:");
}

/* True when the populated THP region is really PMD-mapped. */
static inline bool region_is_thp(const struct region *r)
{
	return smaps_anon_huge_kb(r->addr) >= (long)(r->len / 1024);
}

/* ------------------------------------------------------------------ */
/* Swap                                                                */

/*
 * NULL when swap is on (/proc/swaps lists a device or file), else why not, for a skip:
 * uffdwp-vmtest's /init says in $UFFDWP_GUEST_SWAP why its guest has none.
 */
static inline const char *scen_swap_missing(void)
{
	static char why[200];
	const char *guest = getenv("UFFDWP_GUEST_SWAP");
	FILE *f = fopen("/proc/swaps", "re");
	char line[256];
	int lines = 0;

	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	if (lines > 1)	/* the header, then one line per swap area */
		return NULL;
	snprintf(why, sizeof(why), "no_swap(%s)",
		 guest && *guest ? guest : "/proc/swaps lists none");
	return why;
}

/*
 * MADV_PAGEOUT over the region; returns how many of its pages went to swap.  An anon
 * page's PTE becomes a swap entry: pagemap bit 62 without bit 63.  A shmem page's PTE
 * becomes none or a uffd-wp marker, which pagemap also calls bit 62, so there the count
 * is the Swap: of the mapping's smaps (the memfd's pages in swap, counted as they enter
 * the swap cache).
 */
static inline size_t region_page_out(const struct region *r)
{
	size_t swapped = 0;
	long kb;

	SCEN_CHECK(madvise(r->addr, r->len, MADV_PAGEOUT));
	if (r->backing != BACKING_ANON) {
		kb = smaps_kb(r->addr, "Swap:");
		return kb > 0 ? (size_t)kb * 1024 / r->page_size : 0;
	}
	for (size_t off = 0; off < r->len; off += r->page_size)
		swapped += (pagemap_entry(r->addr + off) & (PM_SWAP | PM_PRESENT)) == PM_SWAP;
	return swapped;
}

/* Reads a word of every page (a read fault swaps a swapped page in); how many are then
 * present (pagemap bit 63). */
static inline size_t region_read_in(const struct region *r)
{
	size_t present = 0;

	for (size_t off = 0; off < r->len; off += r->page_size) {
		(void)*(volatile uint64_t *)(r->addr + off);
		present += (pagemap_entry(r->addr + off) & PM_PRESENT) != 0;
	}
	return present;
}

/* ------------------------------------------------------------------ */
/* Table-driven scenarios: one row per backing                         */

struct scen_rows {
	unsigned int ok, bug, skip;
	char detail[400];
	size_t used;
};

/* Records one backing's outcome as "backing:verdict(detail)" in the line. */
__attribute__((format(printf, 4, 5)))
static inline void rows_add(struct scen_rows *t, enum backing b, enum scen_verdict v,
			    const char *fmt, ...)
{
	char row[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(row, sizeof(row), fmt, ap);
	va_end(ap);
	t->ok += v == VERDICT_OK;
	t->bug += v == VERDICT_BUG;
	t->skip += v == VERDICT_SKIP;
	n = snprintf(t->detail + t->used, sizeof(t->detail) - t->used, "%s%s:%s(%s)",
		     t->used ? ";" : "", backing_name(b), scen_verdict_name(v), row);
	if (n > 0)
		t->used = t->used + n < sizeof(t->detail) ? t->used + n : sizeof(t->detail) - 1;
}

/* bug if any backing saw the bug, ok if any ran clean, else skip. */
__attribute__((noreturn))
static inline void rows_end(struct scen_rows *t)
{
	enum scen_verdict v = t->bug ? VERDICT_BUG : t->ok ? VERDICT_OK : VERDICT_SKIP;

	scen_end(v, "%s", t->detail);
}

/*
 * A scenario run once per backing: scen_begin(name), then prepare() unless NULL (e.g. to
 * skip when the kernel lacks a feature), run_backing() on each backing, one row each,
 * and the verdict of the rows (rows_end() exits).
 */
static inline int scen_run_backings(const char *name, void (*prepare)(void),
				    const enum backing *backings, size_t n,
				    void (*run_backing)(struct scen_rows *, enum backing))
{
	struct scen_rows rows = { 0 };

	scen_begin(name);
	if (prepare)
		prepare();
	for (size_t i = 0; i < n; i++)
		run_backing(&rows, backings[i]);
	rows_end(&rows);
	return 0;
}

/*
 * The main() of such a scenario, with its static run_backing():
 *   SCEN_MAIN_BACKINGS("name", NULL, BACKING_ANON, BACKING_SHMEM)
 */
#define SCEN_MAIN_BACKINGS(name, prepare, ...)                                              \
	int main(void)                                                                      \
	{                                                                                   \
		static const enum backing backings[] = { __VA_ARGS__ };                     \
                                                                                            \
		return scen_run_backings(name, prepare, backings,                           \
					 sizeof(backings) / sizeof(backings[0]), run_backing); \
	}

/* ------------------------------------------------------------------ */
/* Accesses that must fail                                             */

static sigjmp_buf scen_access_jmp;

static inline void scen_access_handler(int sig)
{
	siglongjmp(scen_access_jmp, sig);
}

/*
 * Reads or writes one byte at p; returns the signal it raised (SIGBUS for a
 * poisoned page, SIGSEGV for a guard page) or 0 if the access went through.
 */
static inline int access_signal(volatile char *p, bool write)
{
	struct sigaction sa = { .sa_handler = scen_access_handler }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(scen_access_jmp, 1);
	if (!sig) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

/* ------------------------------------------------------------------ */
/* Page contents                                                       */

/* Every 64-bit word of the page holds tag ^ word index: cheap and exact. */
static inline void page_fill(void *page, size_t size, uint64_t tag)
{
	uint64_t *w = page;

	for (size_t i = 0; i < size / sizeof(*w); i++)
		w[i] = tag ^ i;
}

static inline bool page_holds(const void *page, size_t size, uint64_t tag)
{
	const uint64_t *w = page;

	for (size_t i = 0; i < size / sizeof(*w); i++)
		if (w[i] != (tag ^ i))
			return false;
	return true;
}

/* The tag page i of a region holds in "generation" gen. */
static inline uint64_t page_tag(size_t i, unsigned int gen)
{
	return 0x5eed000000000000ULL | ((uint64_t)gen << 32) | i;
}

static inline void region_fill(struct region *r, unsigned int gen)
{
	for (size_t i = 0; i < r->len / r->page_size; i++)
		page_fill(r->addr + i * r->page_size, r->page_size, page_tag(i, gen));
}

/*
 * The common start of a per-backing scenario: map @npages of backing @b, fill
 * them, register them for WP on a uffd with @features and protect them all.
 * Returns the uffd, or -1 after adding a skip row when the backing is not
 * available here.
 */
static inline int region_map_protected_with(struct scen_rows *rows, struct region *r,
					    enum backing b, size_t npages, uint64_t features)
{
	const char *why = region_map(r, b, npages);
	int uffd;

	if (why) {
		rows_add(rows, b, VERDICT_SKIP, "%s", why);
		return -1;
	}
	region_fill(r, 0);
	uffd = uffd_new(features);
	uffd_register(uffd, r->addr, r->len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r->addr, r->len, true);
	return uffd;
}

static inline int region_map_protected(struct scen_rows *rows, struct region *r, enum backing b,
				       size_t npages)
{
	return region_map_protected_with(rows, r, b, npages, 0);
}

/* Number of pages that do not hold generation gen. */
static inline size_t region_mismatches(const struct region *r, unsigned int gen)
{
	size_t bad = 0;

	for (size_t i = 0; i < r->len / r->page_size; i++)
		bad += !page_holds(r->addr + i * r->page_size, r->page_size, page_tag(i, gen));
	return bad;
}

/* ------------------------------------------------------------------ */
/* Writer threads                                                      */

/*
 * Writes generation `gen` into pages [first, first+count) of a region and
 * counts the faults the writing thread took: with unprotects done
 * before the writes, more faults than pages is a read-only PTE left behind
 * (LOST_WRITE_BIT).  A WP fault itself is not counted (VM_FAULT_RETRY is not
 * accounted, mm_account_fault()); its retry after the resolve is.
 */
struct page_writer {
	struct region *region;
	size_t first, count;
	unsigned int gen;
	long faults;
	pthread_t thread;
};

static inline void *page_writer_thread(void *arg)
{
	struct page_writer *w = arg;
	struct region *r = w->region;
	long before = thread_faults();

	for (size_t i = w->first; i < w->first + w->count; i++)
		page_fill(r->addr + i * r->page_size, r->page_size, page_tag(i, w->gen));
	w->faults = thread_faults() - before;
	return NULL;
}

static inline void page_writer_start(struct page_writer *w, struct region *r, size_t first,
				     size_t count, unsigned int gen)
{
	*w = (struct page_writer){ .region = r, .first = first, .count = count, .gen = gen };
	errno = pthread_create(&w->thread, NULL, page_writer_thread, w);
	if (errno)
		scen_fail("pthread_create(writer)");
}

static inline void page_writer_join(struct page_writer *w)
{
	pthread_join(w->thread, NULL);
}

/*
 * With the region protected: start a monitor, write generation gen into
 * every page from another thread, and return how many WP messages the
 * writes produced (the monitor unprotects each faulting page).  The writer's
 * faults go to *writer_faults unless it is NULL.
 */
static inline unsigned int write_all_count_wp(int uffd, struct region *r, unsigned int gen,
					      long *writer_faults)
{
	struct uffd_monitor mon;
	struct page_writer writer;

	monitor_start(&mon, uffd, r->page_size, NULL, NULL);
	page_writer_start(&writer, r, 0, r->len / r->page_size, gen);
	page_writer_join(&writer);
	monitor_stop(&mon);
	if (writer_faults)
		*writer_faults = writer.faults;
	return mon.wp_count;
}

/* ------------------------------------------------------------------ */
/* Child processes                                                     */

/* fork(); the child's scen_end()/scen_fail() then become exit codes. */
static inline pid_t scen_fork(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		scen_fail("fork");
	if (pid == 0)
		scen_is_child = true;
	return pid;
}

/* Waits for a child and returns its exit code (CHILD_ERROR if it died). */
static inline int child_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		scen_fail("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : CHILD_ERROR;
}

/*
 * A row whose step may never return (a kernel livelock): @row runs in a child,
 * writes its detail to @fd and returns CHILD_OK, CHILD_BUG or CHILD_SKIP; it
 * sets an RLIMIT_CPU of @cpu_s seconds (scen_limit_cpu()) before that step.
 * A child the limit kills adds a bug row "@hang_detail(killed_by_SIGXCPU_after_Ns_of_CPU)".
 */
static inline void rows_add_from_child(struct scen_rows *rows, enum backing b,
				       int (*row)(enum backing b, int fd), unsigned int cpu_s,
				       const char *hang_detail)
{
	char detail[256] = "";
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	SCEN_CHECK(pipe(pipefd));
	pid = scen_fork();
	if (pid == 0) {
		close(pipefd[0]);
		_exit(row(b, pipefd[1]));
	}
	close(pipefd[1]);
	n = read(pipefd[0], detail, sizeof(detail) - 1);
	detail[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		scen_fail("waitpid");
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
		rows_add(rows, b, VERDICT_BUG, "%s(killed_by_%s_after_%us_of_CPU)", hang_detail,
			 WTERMSIG(status) == SIGXCPU ? "SIGXCPU" : "SIGKILL", cpu_s);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) == CHILD_ERROR)
		scen_fail("row child");
	else
		rows_add(rows, b, WEXITSTATUS(status) == CHILD_SKIP ? VERDICT_SKIP :
			 WEXITSTATUS(status) == CHILD_BUG ? VERDICT_BUG : VERDICT_OK, "%s", detail);
}

/* In such a child: at most @cpu_s seconds of CPU from now (SIGXCPU, then SIGKILL). */
static inline void scen_limit_cpu(unsigned int cpu_s)
{
	struct rlimit cpu = { cpu_s, cpu_s + 1 };

	SCEN_CHECK(setrlimit(RLIMIT_CPU, &cpu));
}

#endif /* UFFDWP_SCENARIO_H */
