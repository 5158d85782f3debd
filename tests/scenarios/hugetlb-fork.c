// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb-fork: bug #8 (fix 5a2f8d22ace4, 6.4; still in Debian 6.1).
 *
 * A private hugetlb page is registered and protected, then the process forks
 * without UFFD_FEATURE_EVENT_FORK.  The child's VMA is not registered, so its
 * PTE must carry no uffd-wp bit; copy_hugetlb_page_range() on 6.1 copies it
 * anyway.  The child checks pagemap bit 57, then registers WP itself (without
 * protecting anything) and writes: a message there is one it never asked for.
 */
#include "scenario.h"

struct child_view {
	int wp_bit;	    /* pagemap bit 57 in the child before anything else */
	unsigned int msgs;  /* WP messages after the child's own REGISTER(WP) */
};

static struct child_view child_look(struct region *r)
{
	struct child_view v = { .wp_bit = page_uffd_wp(r->addr) };
	int uffd = uffd_new(0);

	uffd_register(uffd, r->addr, r->len, UFFDIO_REGISTER_MODE_WP);
	v.msgs = write_all_count_wp(uffd, r, 1, NULL);
	return v;
}

int main(void)
{
	struct child_view view;
	struct region r;
	const char *why;
	int uffd, pipefd[2], status;
	pid_t pid;

	scen_begin("hugetlb-fork");
	why = region_map(&r, BACKING_HUGETLB_PRIVATE, 1);
	if (why)
		scen_end(VERDICT_SKIP, "%s", why);
	region_fill(&r, 0);
	uffd = uffd_new(0); /* deliberately no EVENT_FORK */
	uffd_register(uffd, r.addr, r.len, UFFDIO_REGISTER_MODE_WP);
	uffd_writeprotect(uffd, r.addr, r.len, true);
	if (!page_uffd_wp(r.addr))
		scen_end(VERDICT_ERROR, "parent_page_not_protected");
	SCEN_CHECK(pipe2(pipefd, O_CLOEXEC));

	pid = scen_fork();
	if (pid == 0) {
		view = child_look(&r);
		if (write(pipefd[1], &view, sizeof(view)) != sizeof(view))
			_exit(CHILD_ERROR);
		_exit(CHILD_OK);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &view, sizeof(view)) != sizeof(view))
		scen_end(VERDICT_ERROR, "child_gave_no_result");
	status = child_wait(pid);
	if (status != CHILD_OK)
		scen_end(VERDICT_ERROR, "child_exit=%d", status);

	scen_end(view.wp_bit || view.msgs ? VERDICT_BUG : VERDICT_OK,
		 "child_wp_bit=%d child_unexpected_wp_msgs=%u", view.wp_bit, view.msgs);
}
