// SPDX-License-Identifier: GPL-2.0
/*
 * Static sanity check of a kernel image before booting it: an x86 boot header, and a file
 * at least as long as that header says (Documentation/arch/x86/boot.rst: setup_sects at
 * 0x1f1, syssize in 16-byte paragraphs at 0x1f4, "HdrS" at 0x202). A truncated image is
 * thus named as such at once; anything subtler is caught by the boot deadlines (qemu.c).
 */
#include "image.h"
#include "vmtest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool image_hash(const char *path, char out[17])
{
	unsigned char buf[65536];
	uint64_t h = VMTEST_FNV_START;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		h = vmtest_fnv1a(h, buf, n);
	if (ferror(f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
	return true;
}

char *image_config(const char *path, const char *release)
{
	char *dir = vmtest_parent_dir(path), *config = vmtest_path_join(dir, "config");
	char name[128];

	if (access(config, R_OK) && release && *release) {
		free(config);
		snprintf(name, sizeof(name), "config-%s", release);
		config = vmtest_path_join(dir, name);
	}
	free(dir);
	if (access(config, R_OK)) {
		free(config);
		return NULL;
	}
	return config;
}
