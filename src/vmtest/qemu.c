// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU child process: command line, console streaming and the deadlines that turn a
 * kernel that does not boot into an answer instead of a hang:
 *  - the kernel banner ("Linux version") must appear within BANNER_DEADLINE_*: it comes
 *    right after decompression (~3 s under TCG here, < 1 s under KVM);
 *  - /init must print its marker within INIT_DEADLINE;
 *  - the whole run must end within --timeout.
 * earlyprintk makes the boot stub and early boot errors visible; a halted boot stub
 * (console.h: CONSOLE_HALTED) ends QEMU at once.
 *
 * The guest has two serial lines: the kernel's console on the first, /init's job output
 * on the second (console.h: CONSOLE_JOB_TTY), each read here into lines of its own. On one
 * line the kernel's printk() cut into whatever user output the UART had not sent yet: a
 * 6.12 guest's "MCE: Killing uffd-poison" messages landed inside the tracer's JSON lines
 * a hundred lines behind, and once inside a marker, so that a scenario "did not run".
 */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BANNER_DEADLINE_KVM 8
#define BANNER_DEADLINE_TCG 60
#define INIT_DEADLINE 300
/* After a KVM error line QEMU may exit (its status says more) or pause the guest forever. */
#define KVM_ERROR_GRACE 2
#define LINE_MAX_LEN 65536

/* Guest defaults that the scenarios need (issue 3); /init mounts the rest.
 * tsc=reliable: under TCG a loaded host makes the clocksource watchdog mark the TSC
 * unstable mid-run; clear_sched_clock_stable() then flips __sched_clock_stable, and that
 * text_poke_bp() of sched_clock_cpu() raced a TCG vCPU into an unclaimed int3 (6.12 guest
 * in uffd-stress: "Oops: int3" at sched_clock_cpu+0x9, "Fatal exception in interrupt"). */
static const char base_cmdline[] =
	"console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 numa=fake=2 numa_balancing=disable "
	"hugepagesz=2M hugepages=64 transparent_hugepage=madvise tsc=reliable rdinit=/init";

/* The job line's pipe end in QEMU, named as a file to its chardev. */
#define JOB_FD 3
#define JOB_FD_PATH "/dev/fd/3"

struct qemu_child {
	pid_t pid;
	int out_fd;		/* the first serial line: the kernel's console */
	int job_fd;		/* the second: /init's job output */
	int err_fd;		/* QEMU's own diagnostics */
};

struct line_buf {
	char data[LINE_MAX_LEN + 1];	/* + the terminating NUL of a full line */
	size_t len;
};

static void build_argv(const struct vmtest_opts *o, const char *initramfs,
		       const char *swap_disk, enum accel_choice accel, char *cmdline, size_t cmdline_size,
		       char smp[16], char drive[4200], const char **argv)
{
	int n = 0;

	snprintf(drive, 4200, "if=none,id=swap,format=raw,cache=unsafe,file=%s", swap_disk);
	snprintf(cmdline, cmdline_size, "%s%s%s", base_cmdline, o->cmdline_extra ? " " : "",
		 o->cmdline_extra ? o->cmdline_extra : "");
	snprintf(smp, 16, "%d", o->smp);
	argv[n++] = o->qemu;
	argv[n++] = "-accel";
	argv[n++] = accel == ACCEL_KVM ? "kvm" : "tcg";
	if (accel == ACCEL_KVM) {
		argv[n++] = "-cpu";
		argv[n++] = "host";
	}
	argv[n++] = "-m";
	argv[n++] = o->mem;
	argv[n++] = "-smp";
	argv[n++] = smp;
	/* No default devices (no NIC option ROM, no VGA): only the serial console. */
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-chardev";
	argv[n++] = "stdio,id=console,signal=off";
	argv[n++] = "-serial";
	argv[n++] = "chardev:console";
	argv[n++] = "-chardev";
	argv[n++] = "file,id=job,path=" JOB_FD_PATH;
	argv[n++] = "-serial";
	argv[n++] = "chardev:job";
	argv[n++] = "-no-reboot";	/* with panic=-1, a panic ends QEMU */
	/* the swap disk (swap.h): the guest's data is thrown away, so no host flushes */
	argv[n++] = "-drive";
	argv[n++] = drive;
	argv[n++] = "-device";
	argv[n++] = "virtio-blk-pci,drive=swap";
	argv[n++] = "-kernel";
	argv[n++] = o->kernel;
	argv[n++] = "-initrd";
	argv[n++] = initramfs;
	argv[n++] = "-append";
	argv[n++] = cmdline;
	argv[n] = NULL;
}

static bool spawn(const char **argv, struct qemu_child *child, struct vm_result *res)
{
	int out[2], job[2], err[2];

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(job, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		snprintf(res->qemu_error, sizeof(res->qemu_error), "pipe: %s", strerror(errno));
		return false;
	}
	child->pid = fork();
	if (child->pid < 0) {
		snprintf(res->qemu_error, sizeof(res->qemu_error), "fork: %s", strerror(errno));
		return false;
	}
	if (child->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		/* dup2() onto itself would keep O_CLOEXEC */
		if ((job[1] == JOB_FD ? fcntl(JOB_FD, F_SETFD, 0) : dup2(job[1], JOB_FD)) < 0) {
			dprintf(STDERR_FILENO, "cannot pass the job line to QEMU: %s\n", strerror(errno));
			_exit(127);
		}
		execvp(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(job[1]);
	close(err[1]);
	child->out_fd = out[0];
	child->job_fd = job[0];
	child->err_fd = err[0];
	return true;
}

/*
 * Splits buffered bytes into lines ("\r\n" from the serial line counts as one end). A line
 * longer than the buffer, or the unterminated rest at the end (flush), goes out as it is.
 * job: the bytes came on the job line (console_feed_job()), else on the kernel's console.
 */
static void deliver_lines(struct line_buf *b, bool job, struct console *c, console_echo_fn echo,
			  bool flush)
{
	char *start = b->data;

	for (;;) {
		size_t left = b->data + b->len - start;
		char *nl = memchr(start, '\n', left);
		char *end = nl;
		bool marker;

		if (!nl && left && (flush || left == LINE_MAX_LEN))
			end = start + left;
		if (!end)
			break;
		*end = '\0';
		if (end > start && end[-1] == '\r')
			end[-1] = '\0';
		marker = job ? console_feed_job(c, start) : console_feed(c, start);
		echo(c, start, marker);
		start = nl ? nl + 1 : end;
	}
	b->len -= start - b->data;
	memmove(b->data, start, b->len);
}

/*
 * A line of QEMU's stderr that says its KVM accelerator failed: "KVM internal error.
 * Suberror: 1" (the guest is then paused forever), "failed to initialize kvm", an
 * assertion in kvm-all.c ("kvm_buf_set_msrs: Assertion ... failed").  Warnings are not.
 */
static bool is_kvm_error(const char *line)
{
	return strcasestr(line, "kvm") && !strstr(line, "warning:");
}

/*
 * Keeps QEMU's last stderr line (its reason when it refuses an image); returns true when
 * a line is a KVM error, which is then the one kept.
 */
static bool keep_last_error(char *dst, size_t size, const char *buf, ssize_t n, bool kvm)
{
	char tmp[512];
	char *line, *save = NULL;

	if (n >= (ssize_t)sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	for (line = strtok_r(tmp, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		snprintf(dst, size, "%s", line);
		if (kvm && is_kvm_error(line))
			return true;
	}
	return false;
}

/* Seconds until the earliest deadline that still applies, and which one it is. */
static double next_deadline(const struct vmtest_opts *o, const struct console *c,
			    const struct vm_result *res, double elapsed, enum vm_end *which,
			    unsigned int *limit)
{
	unsigned int banner = res->accel == ACCEL_KVM ? BANNER_DEADLINE_KVM : BANNER_DEADLINE_TCG;

	*which = VM_TIMEOUT;
	*limit = o->timeout_s;
	if (res->kvm_error_at && !c->kernel_started &&
	    res->kvm_error_at + KVM_ERROR_GRACE < *limit) {
		*which = VM_ACCEL_FAILED;
		*limit = (unsigned int)res->kvm_error_at + KVM_ERROR_GRACE;
	} else if (!c->kernel_started && banner < *limit) {
		*which = VM_NO_BANNER;
		*limit = banner;
	} else if (!c->init_started && INIT_DEADLINE < *limit) {
		*which = VM_NO_INIT;
		*limit = INIT_DEADLINE;
	}
	return *limit - elapsed;
}

static void stream_until_exit(const struct vmtest_opts *o, struct qemu_child *child,
			      struct console *c, console_echo_fn echo, struct vm_result *res,
			      double start)
{
	/* the console and the job line, each split into lines of its own */
	static struct line_buf lines[2];
	struct pollfd fds[3] = {
		{ .fd = child->out_fd, .events = POLLIN },
		{ .fd = child->job_fd, .events = POLLIN },
		{ .fd = child->err_fd, .events = POLLIN },
	};
	const int err = 2;
	int open_fds = 3;

	lines[0].len = lines[1].len = 0;
	while (open_fds > 0) {
		double now = vmtest_now() - start;
		enum vm_end which;
		unsigned int limit;
		double left = next_deadline(o, c, res, now, &which, &limit);
		char tmp[4096];
		ssize_t n;

		if (left <= 0 || c->halted) {
			res->end = c->halted ? VM_EXITED : which;
			res->deadline_s = limit;
			kill(child->pid, SIGKILL);
			break;
		}
		if (poll(fds, 3, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 3; i++) {
			struct line_buf *b = i == err ? NULL : &lines[i];

			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = i == err ? read(fds[i].fd, tmp, sizeof(tmp))
				     : read(fds[i].fd, b->data + b->len, LINE_MAX_LEN - b->len);
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			} else if (i != err) {
				b->len += n;
				deliver_lines(b, i == 1, c, echo, false);
				if (i == 0 && memmem(b->data, b->len, CONSOLE_HALTED, strlen(CONSOLE_HALTED)))
					deliver_lines(b, false, c, echo, true);	/* no newline follows */
				if (c->init_started && !res->boot_seconds)
					res->boot_seconds = vmtest_now() - start;
			} else if (!res->kvm_error_at &&	/* keep the KVM error, not what follows it */
				   keep_last_error(res->qemu_error, sizeof(res->qemu_error), tmp, n,
						   res->accel == ACCEL_KVM && !c->kernel_started)) {
				res->kvm_error_at = vmtest_now() - start;
			}
		}
	}
	deliver_lines(&lines[0], false, c, echo, true);
	deliver_lines(&lines[1], true, c, echo, true);
	for (int i = 0; i < 3; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
}

void qemu_run(const struct vmtest_opts *o, const char *initramfs, const char *swap_disk,
	      enum accel_choice accel,
	      struct console *c, console_echo_fn echo, struct vm_result *res)
{
	char cmdline[4096], smp[16], drive[4200];
	const char *argv[40];
	struct qemu_child child;
	double start = vmtest_now();

	memset(res, 0, sizeof(*res));
	res->accel = accel;
	res->end = VM_EXITED;
	build_argv(o, initramfs, swap_disk, accel, cmdline, sizeof(cmdline), smp, drive, argv);
	if (!spawn(argv, &child, res)) {
		res->end = VM_START_FAILED;
		return;
	}
	stream_until_exit(o, &child, c, echo, res, start);
	waitpid(child.pid, &res->qemu_status, 0);
	if (WIFEXITED(res->qemu_status) && WEXITSTATUS(res->qemu_status) == 127 &&
	    !c->kernel_started && res->end == VM_EXITED)
		res->end = VM_START_FAILED;
	res->total_seconds = vmtest_now() - start;
}
