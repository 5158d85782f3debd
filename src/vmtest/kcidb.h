/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --kcidb FILE: the results as a KernelCI database (KCIDB) I/O report, schema v4.5
 * (kernelci/kcidb-io, kcidb_io/schema/v04_05.py), ready for kcidb-submit. One checkout
 * and one build per kernel image, one test per scenario (per matrix cell), each test
 * linking the kernel's console log and the run's own output (console_log.h) by file://
 * URL. Ids are ORIGIN:checkout-H, ORIGIN:build-H, ORIGIN:test-H, H an FNV-1a 64 of the
 * image's bytes and release (or --git-commit/--git-url), the kernel's name and the
 * scenario: the same inputs give the same ids. Fed by what the printers print (the
 * matrix, or one boot's console), never by a second reading of the results.
 */
#ifndef UFFDWP_VMTEST_KCIDB_H
#define UFFDWP_VMTEST_KCIDB_H
#include "matrix.h"
#include "report.h"

#define KCIDB_MAJOR 4
#define KCIDB_MINOR 5

/* --matrix and --merge: kernels whose image was absent are left out. */
bool kcidb_write_matrix(const struct matrix *m, const struct vmtest_opts *opts);

/*
 * One boot (--kernel/--debian): image_hash as image_hash() gives it ("" if unread),
 * log_base the prefix of its console logs (NULL: none). False after one error line.
 */
bool kcidb_write_run(const struct vmtest_opts *opts, const struct payload *p,
		     const struct console *c, const struct vm_result *res,
		     const char *image_hash, const char *log_base);

/* The name a single run's kernel goes by: debian-VER, else the image's file name. */
const char *kcidb_kernel_name(const struct vmtest_opts *opts);

#endif
