// SPDX-License-Identifier: GPL-2.0
/*
 * The guest of `make bench snapshot`: /init of a one-file initramfs in a QEMU guest whose
 * RAM the host's QEMU snapshots in the background (migration capability
 * background-snapshot, QEMU's uffd-wp client, migration/ram.c ram_write_tracking_start()).
 * It fills MIB MiB once, says so on the serial console, then writes one word in every page
 * over and over, so that the snapshot meets a stream of first writes to protected pages
 * (each one a uffd-wp fault QEMU resolves by copying the page out, then unprotecting it).
 *
 *   snapshot-writer [MIB]    (MIB from the kernel command line: writer.mib=N, default 768)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long mib_from_cmdline(void)
{
	char buf[4096];
	char *p;
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "writer.mib=");
	return p ? strtoul(p + strlen("writer.mib="), NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	unsigned long mib = 768, pages, i, pass;
	long page = sysconf(_SC_PAGESIZE);
	volatile unsigned long *mem;
	FILE *con;

	/* As /init, nothing is mounted and there is no console yet. */
	mkdir("/dev", 0755);
	mkdir("/proc", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	con = fopen("/dev/ttyS0", "w");
	if (!con)
		con = stderr;
	setvbuf(con, NULL, _IONBF, 0);
	if (argc > 1)
		mib = strtoul(argv[1], NULL, 10);
	else if (mib_from_cmdline())
		mib = mib_from_cmdline();
	pages = (mib << 20) / (unsigned long)page;
	mem = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		   -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(con, "writer: cannot map %lu MiB\n", mib);
		for (;;)
			pause();
	}
	for (i = 0; i < pages; i++)
		mem[i * page / sizeof(*mem)] = i;
	fprintf(con, "writer: ready %lu MiB\n", mib);
	for (pass = 1;; pass++)
		for (i = 0; i < pages; i++)
			mem[i * page / sizeof(*mem)] = pass;
}
