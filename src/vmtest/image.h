/* SPDX-License-Identifier: GPL-2.0 */
#ifndef UFFDWP_VMTEST_IMAGE_H
#define UFFDWP_VMTEST_IMAGE_H
#include <stdbool.h>
#include <stddef.h>

/* False, with the reason in why, when path cannot be a complete x86 bzImage. */
bool image_check(const char *path, char *why, size_t size);

#endif
