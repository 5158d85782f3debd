// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the uffdwp-vmtest sources. */
#include "vmtest.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

char vmtest_last_error[512];

void vmtest_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vmtest_last_error, sizeof(vmtest_last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "uffdwp-vmtest: %s\n", vmtest_last_error);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		vmtest_err("out of memory");
		exit(VMTEST_SKIP);
	}
	return p;
}

char *vmtest_self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return strdup(".");
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return strdup(buf);
}

char *vmtest_parent_dir(const char *path)
{
	size_t len = strlen(path);
	char *copy = xmalloc(len + 2);	/* room for "." */
	char *slash;

	memcpy(copy, path, len + 1);
	slash = strrchr(copy, '/');
	if (!slash)
		memcpy(copy, ".", 2);
	else if (slash == copy)
		slash[1] = '\0';	/* the parent of /x is / */
	else
		*slash = '\0';
	return copy;
}

char *vmtest_path_join(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(len);

	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

/*
 * Relative to the executable, not a prefix fixed at build time: the same binary serves
 * the build tree, /usr, /usr/local and a package unpacked into a scratch root.
 */
char *vmtest_data_path(const char *in_build_tree, const char *installed)
{
	char *self = vmtest_self_dir();
	char *build = vmtest_path_join(self, in_build_tree);
	char *inst = vmtest_path_join(self, installed);
	char *found = realpath(build, NULL);

	if (!found)
		found = realpath(inst, NULL);
	if (!found) {
		found = build;
		build = NULL;
	}
	free(inst);
	free(build);
	free(self);
	return found;
}

bool vmtest_is_executable(const char *path)
{
	return access(path, X_OK) == 0;
}

double vmtest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 'it'\''s' style: safe for any byte string in a POSIX shell. */
char *vmtest_shell_quote(const char *s)
{
	size_t quotes = 0;
	const char *p;
	char *out, *o;

	for (p = s; *p; p++)
		quotes += *p == '\'';
	out = o = xmalloc(strlen(s) + 3 * quotes + 3);
	*o++ = '\'';
	for (p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}
