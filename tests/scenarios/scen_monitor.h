/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of scenario.h: the message reader, a thread that reads one uffd, counts
 * and resolves its faults (WP, RWP, minor) and keeps its other events for the
 * scenario to wait for.
 */
#ifndef UFFDWP_SCEN_MONITOR_H
#define UFFDWP_SCEN_MONITOR_H

#include <errno.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "scen_report.h"
#include "scen_uapi.h"

/* ------------------------------------------------------------------ */
/* The message reader                                                  */

#define MONITOR_MAX_WP 1024
#define MONITOR_MAX_MINOR 1024
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
	unsigned int other_count; /* missing and MINOR faults */
	uintptr_t wp_addr[MONITOR_MAX_WP];
	unsigned int minor_count;
	uintptr_t minor_addr[MONITOR_MAX_MINOR];
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
		if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
			if (m->minor_count < MONITOR_MAX_MINOR)
				m->minor_addr[m->minor_count] = msg->arg.pagefault.address;
			m->minor_count++;
		}
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

/* Of the *count (at most max) recorded fault addresses, those in [addr, addr+len): count
 * by pointer, as the thread updates it, read under the lock. */
static inline unsigned int monitor_count_in(struct uffd_monitor *m, const uintptr_t *addrs,
					    const unsigned int *count, unsigned int max,
					    const void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len;
	unsigned int n = 0;

	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < *count && i < max; i++)
		n += addrs[i] >= lo && addrs[i] < hi;
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* WP messages whose address falls in [addr, addr+len). */
static inline unsigned int monitor_wp_in(struct uffd_monitor *m, const void *addr, size_t len)
{
	return monitor_count_in(m, m->wp_addr, &m->wp_count, MONITOR_MAX_WP, addr, len);
}

/* MINOR faults whose address falls in [addr, addr+len). */
static inline unsigned int monitor_minor_in(struct uffd_monitor *m, const void *addr, size_t len)
{
	return monitor_count_in(m, m->minor_addr, &m->minor_count, MONITOR_MAX_MINOR, addr, len);
}

#endif /* UFFDWP_SCEN_MONITOR_H */
