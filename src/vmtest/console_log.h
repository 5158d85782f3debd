/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console logs for the KCIDB report (--kcidb FILE): while a kernel boots, every console
 * line goes to BASE.console.log and the lines of each run (between its begin and end
 * markers: the tracer's JSON lines and the scenario's output) to BASE.RUN.output.log,
 * where BASE is FILE without ".json", a dot and the kernel's name (console_log_base()).
 */
#ifndef UFFDWP_VMTEST_CONSOLE_LOG_H
#define UFFDWP_VMTEST_CONSOLE_LOG_H
#include "qemu.h"

/* FILE without its ".json", "." and kernel: the prefix of that kernel's logs (malloc'd). */
char *console_log_base(const char *kcidb_path, const char *kernel);
/* The console log of base, or (run != NULL) the output of that run (malloc'd). */
char *console_log_path(const char *base, const char *run);

/*
 * Starts logging a boot under base; returns the echo to give boot_kernel(), which logs
 * each line and passes it on to next. NULL after one error line (the file cannot be made).
 */
console_echo_fn console_log_start(const char *base, console_echo_fn next);
/* Closes the files of the boot; false after one error line when one could not be written. */
bool console_log_stop(void);

#endif
