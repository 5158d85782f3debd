/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writer for the "newc" cpio format, the one the kernel unpacks as an initramfs
 * (init/initramfs.c; Documentation/driver-api/early-userspace/buffer-format.rst).
 * Uncompressed, so every kernel accepts it whatever its CONFIG_RD_* choices.
 */
#ifndef UFFDWP_VMTEST_CPIO_H
#define UFFDWP_VMTEST_CPIO_H
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct cpio {
	FILE *f;
	unsigned long ino;	/* next inode number: each entry gets its own */
	bool failed;		/* a write failed; checked once at cpio_finish() */
};

void cpio_start(struct cpio *c, FILE *f);
void cpio_dir(struct cpio *c, const char *name, mode_t perm);
void cpio_chardev(struct cpio *c, const char *name, mode_t perm, unsigned int major,
		  unsigned int minor);
void cpio_symlink(struct cpio *c, const char *name, const char *target);
void cpio_data(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len);
/* Copies the host file src to name; false (and an error line) when it cannot be read. */
bool cpio_file(struct cpio *c, const char *name, mode_t perm, const char *src);
/* Writes the TRAILER!!! entry; false when any write failed. */
bool cpio_finish(struct cpio *c);

#endif
