// SPDX-License-Identifier: GPL-2.0
/*
 * Static sanity check of a kernel image before booting it: an x86 boot header, and a file
 * at least as long as that header says (Documentation/arch/x86/boot.rst: setup_sects at
 * 0x1f1, syssize in 16-byte paragraphs at 0x1f4, "HdrS" at 0x202). A truncated image is
 * thus named as such at once; anything subtler is caught by the boot deadlines (qemu.c).
 */
#include "image.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_MAGIC 0x202
#define HDR_END 0x206

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

bool image_check(const char *path, char *why, size_t size)
{
	unsigned char hdr[HDR_END];
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned long setup_sects, expected;

	if (!f || fstat(fileno(f), &st) < 0) {
		snprintf(why, size, "kernel image %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr) || memcmp(hdr + HDR_MAGIC, "HdrS", 4)) {
		snprintf(why, size, "no boot: %s is not an x86 bzImage (no HdrS boot header)", path);
		fclose(f);
		return false;
	}
	fclose(f);
	setup_sects = hdr[HDR_SETUP_SECTS] ? hdr[HDR_SETUP_SECTS] : 4;
	expected = (setup_sects + 1) * 512 + (unsigned long)le32(hdr + HDR_SYSSIZE) * 16;
	if ((unsigned long)st.st_size < expected) {
		snprintf(why, size, "no boot: %s is truncated (%lld bytes, its boot header needs %lu)",
			 path, (long long)st.st_size, expected);
		return false;
	}
	return true;
}
