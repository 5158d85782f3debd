// SPDX-License-Identifier: GPL-2.0
/*
 * fork-event: fork() with UFFD_FEATURE_EVENT_FORK, the correct twin of
 * hugetlb-fork.
 *
 * The parent protects populated anon pages and forks.  The monitor receives
 * UFFD_EVENT_FORK with a new uffd for the child; the child's pages must
 * still be protected (pagemap bit 57) and its writes must arrive as WP
 * messages on that new uffd, which a second monitor in the parent resolves.
 */
#include "scenario.h"

#define NPAGES 4

struct child_view {
	size_t wp_bits;	  /* protected pages in the child before writing */
	size_t wrong_data; /* pages not holding what the child wrote */
};

static struct child_view child_write(struct region *r)
{
	struct child_view v = { .wp_bits = count_uffd_wp(r->addr, r->len) / (r->page_size /
									   SCEN_PAGE_SIZE) };

	region_fill(r, 1); /* blocks on each page until the parent resolves it */
	v.wrong_data = region_mismatches(r, 1);
	return v;
}

int main(void)
{
	struct uffd_monitor parent_mon, child_mon;
	struct child_view view;
	struct uffd_msg fork_msg;
	struct region r;
	int uffd, pipefd[2], status;
	pid_t pid;

	scen_begin("fork-event");
	uffd_require_features(UFFD_FEATURE_EVENT_FORK, "UFFD_FEATURE_EVENT_FORK");
	region_map(&r, BACKING_ANON, NPAGES);
	region_fill(&r, 0);
	uffd = uffd_new(UFFD_FEATURE_EVENT_FORK);
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	monitor_start(&parent_mon, uffd, r.page_size, NULL, NULL);
	SCEN_CHECK(pipe2(pipefd, O_CLOEXEC));

	pid = scen_fork();
	if (pid == 0) {
		view = child_write(&r);
		if (write(pipefd[1], &view, sizeof(view)) != sizeof(view))
			_exit(CHILD_ERROR);
		_exit(CHILD_OK);
	}
	close(pipefd[1]);
	fork_msg = monitor_wait_event(&parent_mon, UFFD_EVENT_FORK);
	monitor_start(&child_mon, (int)fork_msg.arg.fork.ufd, r.page_size, NULL, NULL);

	if (read(pipefd[0], &view, sizeof(view)) != sizeof(view))
		scen_end(VERDICT_ERROR, "child_gave_no_result");
	status = child_wait(pid);
	monitor_stop(&child_mon);
	monitor_stop(&parent_mon);
	if (status != CHILD_OK)
		scen_end(VERDICT_ERROR, "child_exit=%d", status);

	scen_end(view.wp_bits == NPAGES && child_mon.wp_count == NPAGES && !view.wrong_data &&
				 !parent_mon.wp_count
			 ? VERDICT_OK
			 : VERDICT_BUG,
		 "child_wp_bits=%zu/%d child_wp_msgs=%u/%d parent_wp_msgs=%u child_wrong_data=%zu",
		 view.wp_bits, NPAGES, child_mon.wp_count, NPAGES, parent_mon.wp_count,
		 view.wrong_data);
}
