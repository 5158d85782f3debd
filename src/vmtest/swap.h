/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's swap: a sparse raw disk file on the host with mkswap's header (swap.c,
 * made by boot.c), attached as a virtio-blk PCI device (qemu.c) and turned on by /init
 * (initramfs.c).  Where the kernel has virtio-blk as a module, its driver comes from
 * SWAP_MODULES_NAME beside the image (vm/setup.sh puts the decompressed .ko files and
 * their load-order there for Debian's kernels), packed into the initramfs under
 * SWAP_MODULES_DIR/RELEASE, RELEASE read from "release" beside it.
 */
#ifndef UFFDWP_VMTEST_SWAP_H
#define UFFDWP_VMTEST_SWAP_H

#include "initramfs.h"

#include <stdbool.h>
#include <stddef.h>

struct cpio;

#define SWAP_DEVICE "/dev/vda"
#define SWAP_DISK_BYTES (512ULL << 20)
#define SWAP_PAGE_SIZE 4096	/* x86-64 guests */
#define SWAP_MODULES_NAME "swap-modules"
#define SWAP_MODULES_PATH "lib/uffdwp-swap"	/* in the cpio */
#define SWAP_MODULES_DIR "/" SWAP_MODULES_PATH

/* Adds the swap modules beside image (if it has them, and no other image of its release
 * did) to what the initramfs carries. */
void swap_find_modules(struct payload *p, const char *image);
/* Packs every kernel's swap modules found; false after one error line. */
bool swap_pack_modules(struct cpio *c, const struct payload *p);
/* Creates the empty sparse disk in $TMPDIR and writes its path; false after one error line. */
bool swap_make_disk(char *path, size_t size);

#endif
