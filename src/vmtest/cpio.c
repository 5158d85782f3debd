// SPDX-License-Identifier: GPL-2.0
/* newc cpio writer: see cpio.h. */
#include "cpio.h"
#include "vmtest.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CPIO_ALIGN 4

static void cpio_write(struct cpio *c, const void *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, c->f) != len)
		c->failed = true;
}

/* Header and name are padded together, and the data too, to a multiple of 4 bytes. */
static void cpio_pad(struct cpio *c)
{
	static const char zeros[CPIO_ALIGN];
	long pos = ftell(c->f);

	if (pos < 0) {
		c->failed = true;
		return;
	}
	cpio_write(c, zeros, (CPIO_ALIGN - pos % CPIO_ALIGN) % CPIO_ALIGN);
}

static void cpio_header(struct cpio *c, const char *name, mode_t mode, size_t size,
			unsigned int rmajor, unsigned int rminor)
{
	size_t namesize = strlen(name) + 1;
	char hdr[128];
	int len;

	/* magic, then 13 fields of 8 hex digits: ino, mode, uid, gid, nlink, mtime, filesize,
	 * devmajor, devminor, rdevmajor, rdevminor, namesize, check. Fields are 32-bit. */
	len = snprintf(hdr, sizeof(hdr),
		       "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		       (unsigned int)c->ino++, (unsigned int)mode, 0, 0, S_ISDIR(mode) ? 2 : 1, 0,
		       (unsigned int)size, 0, 0, rmajor, rminor, (unsigned int)namesize, 0);
	cpio_write(c, hdr, len);
	cpio_write(c, name, namesize);
	cpio_pad(c);
}

void cpio_start(struct cpio *c, FILE *f)
{
	c->f = f;
	c->ino = 1;
	c->failed = false;
}

void cpio_dir(struct cpio *c, const char *name, mode_t perm)
{
	cpio_header(c, name, S_IFDIR | perm, 0, 0, 0);
}

void cpio_chardev(struct cpio *c, const char *name, mode_t perm, unsigned int major,
		  unsigned int minor)
{
	cpio_header(c, name, S_IFCHR | perm, 0, major, minor);
}

void cpio_symlink(struct cpio *c, const char *name, const char *target)
{
	size_t len = strlen(target);

	cpio_header(c, name, S_IFLNK | 0777, len, 0, 0);
	cpio_write(c, target, len);
	cpio_pad(c);
}

void cpio_data(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len)
{
	cpio_header(c, name, S_IFREG | perm, len, 0, 0);
	cpio_write(c, data, len);
	cpio_pad(c);
}

bool cpio_file(struct cpio *c, const char *name, mode_t perm, const char *src)
{
	FILE *in = fopen(src, "rb");
	struct stat st;
	char buf[1 << 16];
	size_t n, copied = 0;

	if (!in || fstat(fileno(in), &st) < 0) {
		vmtest_err("cannot read %s: %s", src, strerror(errno));
		if (in)
			fclose(in);
		return false;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > UINT32_MAX) {
		vmtest_err("cannot pack %s: not a regular file below 4 GiB", src);
		fclose(in);
		return false;
	}
	cpio_header(c, name, S_IFREG | perm, st.st_size, 0, 0);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		cpio_write(c, buf, n);
		copied += n;
	}
	fclose(in);
	if (copied != (size_t)st.st_size) {
		vmtest_err("%s changed size while being packed", src);
		c->failed = true;
		return false;
	}
	cpio_pad(c);
	return true;
}

bool cpio_finish(struct cpio *c)
{
	cpio_header(c, "TRAILER!!!", 0, 0, 0, 0);
	if (fflush(c->f) != 0)
		c->failed = true;
	return !c->failed;
}
