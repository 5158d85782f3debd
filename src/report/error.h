/* SPDX-License-Identifier: GPL-2.0 */
/* The one error line of a failed run: stderr, or a JSON error object on stdout. */
#ifndef UFFDWP_REPORT_ERROR_H
#define UFFDWP_REPORT_ERROR_H
#include <stdbool.h>

/*
 * "uffdwp-trace: MESSAGE" on stderr, or {"type":"error","error":MESSAGE,
 * "exit":STATUS} on stdout when json; returns status.
 */
int report_error(bool json, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
