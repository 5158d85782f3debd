// SPDX-License-Identifier: GPL-2.0
/* The guest's swap disk and its driver modules: see swap.h. */
#include "swap.h"
#include "cpio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first line of path, without its newline, into dst; false if unreadable or empty. */
static bool read_line(const char *path, char *dst, size_t size)
{
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(dst, (int)size, f);

	if (f)
		fclose(f);
	if (ok)
		dst[strcspn(dst, "\n")] = '\0';
	return ok && *dst;
}

void swap_find_modules(struct payload *p, const char *image)
{
	char *dir = vmtest_parent_dir(image), *file = vmtest_path_join(dir, "release");
	char *modules = vmtest_path_join(dir, SWAP_MODULES_NAME);
	char *order = vmtest_path_join(modules, "load-order");
	char release[128];

	free(dir);
	if (read_line(file, release, sizeof(release)) && !access(order, R_OK) &&
	    p->n_swap_modules < PAYLOAD_MAX_KERNELS) {
		for (int i = 0; i < p->n_swap_modules; i++)
			if (!strcmp(p->swap_release[i], release))
				goto out;
		p->swap_release[p->n_swap_modules] = strdup(release);
		p->swap_modules[p->n_swap_modules++] = modules;
		modules = NULL;
	}
out:
	free(modules);
	free(order);
	free(file);
}

/* One kernel's modules: RELEASE/load-order and each NAME.ko it lists. */
static bool pack_release(struct cpio *c, const char *release, const char *modules)
{
	char *order = vmtest_path_join(modules, "load-order");
	char guest[512], name[128];
	FILE *f = fopen(order, "r");
	bool ok = f != NULL;

	snprintf(guest, sizeof(guest), "%s/%s", SWAP_MODULES_PATH, release);
	cpio_dir(c, guest, 0755);
	snprintf(guest, sizeof(guest), "%s/%s/load-order", SWAP_MODULES_PATH, release);
	ok = ok && cpio_file(c, guest, 0644, order);
	while (ok && fscanf(f, "%127s", name) == 1) {
		char ko[160], *src;

		snprintf(ko, sizeof(ko), "%s.ko", name);
		src = vmtest_path_join(modules, ko);
		snprintf(guest, sizeof(guest), "%s/%s/%s", SWAP_MODULES_PATH, release, ko);
		ok = cpio_file(c, guest, 0644, src);
		free(src);
	}
	if (!f)
		vmtest_err("cannot read %s: %s", order, strerror(errno));
	else
		fclose(f);
	free(order);
	return ok;
}

bool swap_pack_modules(struct cpio *c, const struct payload *p)
{
	cpio_dir(c, "lib", 0755);
	cpio_dir(c, SWAP_MODULES_PATH, 0755);
	for (int i = 0; i < p->n_swap_modules; i++)
		if (!pack_release(c, p->swap_release[i], p->swap_modules[i]))
			return false;
	return true;
}

/*
 * mkswap's header (include/linux/swap.h: union swap_header), written here rather than
 * by the guest's mkswap, whose UUID read from /dev/urandom blocks until the guest's CRNG
 * is ready: 4 s of an early TCG boot.  Little-endian, as host and guest are.
 */
static bool write_swap_header(int fd)
{
	static const char magic[10] = "SWAPSPACE2";	/* no NUL: the page's last bytes */
	static unsigned char page[SWAP_PAGE_SIZE];
	uint32_t info[3] = {
		1,					/* version */
		SWAP_DISK_BYTES / SWAP_PAGE_SIZE - 1,	/* last_page */
		0,					/* nr_badpages; a zero UUID */
	};

	memcpy(page + 1024, info, sizeof(info));
	memcpy(page + SWAP_PAGE_SIZE - sizeof(magic), magic, sizeof(magic));
	return pwrite(fd, page, sizeof(page), 0) == (ssize_t)sizeof(page);
}

bool swap_make_disk(char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, size, "%s/uffdwp-vmtest-XXXXXX.swap", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemps(path, strlen(".swap"));
	/* sparse: the host spends only what the guest swaps out */
	if (fd < 0 || ftruncate(fd, (off_t)SWAP_DISK_BYTES) < 0 || !write_swap_header(fd)) {
		vmtest_err("cannot create the swap disk %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		path[0] = '\0';
		return false;
	}
	close(fd);
	return true;
}
