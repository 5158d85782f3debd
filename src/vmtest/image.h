/* SPDX-License-Identifier: GPL-2.0 */
#ifndef UFFDWP_VMTEST_IMAGE_H
#define UFFDWP_VMTEST_IMAGE_H
#include <stdbool.h>
#include <stddef.h>

/* False, with the reason in why, when path cannot be a complete x86 bzImage. */
bool image_check(const char *path, char *why, size_t size);

/* The FNV-1a 64 of the image's bytes as 16 hex digits into out[17]; false if unreadable. */
bool image_hash(const char *path, char out[17]);

/*
 * The kernel configuration beside an image where one is known: DIR/config (the Debian
 * cache of vm/setup.sh), else DIR/config-RELEASE (../shared/kernels). Malloc'd, or NULL.
 */
char *image_config(const char *path, const char *release);

#endif
