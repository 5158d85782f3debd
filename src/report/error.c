// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "report/error.h"
#include "report/json.h"

int report_error(bool json, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "type", "error");
		json_str(&j, "error", msg);
		json_i64(&j, "exit", status);
		json_end(&j);
	} else {
		fprintf(stderr, "uffdwp-trace: %s\n", msg);
	}
	return status;
}
