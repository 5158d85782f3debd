// SPDX-License-Identifier: GPL-2.0
/* The fuzzer in the guest: see fuzz.h. */
#include "fuzz.h"
#include "boot.h"
#include "image.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Seconds the guest may spend minimising and re-running a find, on top of the budget. */
#define FUZZ_EXTRA_SECONDS 1200

static const char *out_dir;	/* --fuzz-out, else $TMPDIR/uffdwp-fuzz */

/* "seqfuzz-file NAME: LINE" lines (sequences, scenario programs) go to out_dir/NAME. */
static void save_line(const char *line)
{
	static char open_name[64];
	static FILE *f;
	char name[64], path[4096];
	const char *text;

	if (sscanf(line, "seqfuzz-file %63[^:]:", name) == 1 && !strchr(name, '/')) {
		text = line + strlen("seqfuzz-file ") + strlen(name) + 1;
		text += *text == ' ';
	} else {
		return;
	}
	if (!f || strcmp(name, open_name)) {
		if (f)
			fclose(f);
		snprintf(open_name, sizeof(open_name), "%s", name);
		snprintf(path, sizeof(path), "%s/%s", out_dir, name);
		f = fopen(path, "w");
		if (!f) {
			vmtest_err("cannot write %s: %s", path, strerror(errno));
			return;
		}
		fprintf(stderr, "uffdwp-vmtest: saving %s\n", path);
	}
	fprintf(f, "%s\n", text);
	fflush(f);
}

static void fuzz_echo(const struct console *c, const char *line, bool is_marker)
{
	if (!is_marker)
		save_line(line);
	report_echo(c, line, is_marker);
}

/* uffdwp-fuzz beside this program, as the tracer is found. */
static char *find_fuzzer(void)
{
	char *self = vmtest_self_dir();
	char *path = vmtest_path_join(self, "uffdwp-fuzz");

	free(self);
	if (vmtest_is_executable(path))
		return path;
	vmtest_err("uffdwp-fuzz not found beside uffdwp-vmtest (build it: make)");
	free(path);
	return NULL;
}

int fuzz_run(const struct vmtest_opts *opts)
{
	static char seed[24], budget[24], replay_path[4200];
	static struct vmtest_opts o;
	static struct payload payload;
	static struct console console;
	static char *argv[16];
	struct outcome out = { .exit = VMTEST_SKIP };
	char *fuzzer = find_fuzzer(), *copy;
	const char *tmp = getenv("TMPDIR");
	static char default_out[4096];
	struct vm_result res;
	int n = 0;

	o = *opts;
	snprintf(default_out, sizeof(default_out), "%s/uffdwp-fuzz", tmp && *tmp ? tmp : "/tmp");
	out_dir = o.fuzz_out ? o.fuzz_out : default_out;
	if (fuzzer && (mkdir(out_dir, 0755) < 0 && errno != EEXIST)) {
		vmtest_err("cannot create --fuzz-out %s: %s", out_dir, strerror(errno));
		free(fuzzer);
		fuzzer = NULL;
	}
	if (!fuzzer || o.n_add + 2 > VMTEST_MAX_LIST) {
		snprintf(out.reason, sizeof(out.reason), "%s", vmtest_last_error);
		report_early_failure(&o, &out);
		free(fuzzer);
		return VMTEST_SKIP;
	}
	o.add[o.n_add++] = fuzzer;
	argv[n++] = "uffdwp-fuzz";
	argv[n++] = "--tracer";
	argv[n++] = "/bin/uffdwp-trace";
	argv[n++] = "--out";
	argv[n++] = "/tmp/uffdwp-fuzz";
	if (o.fuzz_check_pool)
		argv[n++] = "--check-pool";
	if (o.fuzz_replay) {
		o.add[o.n_add++] = o.fuzz_replay;	/* packed into /bin under its base name */
		copy = strdup(o.fuzz_replay);
		snprintf(replay_path, sizeof(replay_path), "/bin/%s", basename(copy));
		free(copy);
		argv[n++] = "--no-minimise";	/* a bisect step wants the verdict only */
		argv[n++] = "--replay";
		argv[n++] = replay_path;
	} else {
		snprintf(seed, sizeof(seed), "%llu", o.fuzz_seed);
		snprintf(budget, sizeof(budget), "%u", o.fuzz_seconds);
		argv[n++] = "--seed";
		argv[n++] = seed;
		argv[n++] = "--budget";
		argv[n++] = budget;
	}
	argv[n] = NULL;
	o.guest_argv = argv;
	if (o.timeout_s < o.fuzz_seconds + FUZZ_EXTRA_SECONDS)
		o.timeout_s = o.fuzz_seconds + FUZZ_EXTRA_SECONDS;
	if (!image_check(o.kernel, out.reason, sizeof(out.reason)) ||
	    !payload_resolve(&o, &payload) || !payload.tracer || !boot_make_initramfs(&o, &payload)) {
		if (!out.reason[0])
			snprintf(out.reason, sizeof(out.reason), "%s", payload.tracer || !vmtest_last_error[0]
				 ? vmtest_last_error : "uffdwp-trace not found beside uffdwp-vmtest");
		report_early_failure(&o, &out);
		return VMTEST_SKIP;
	}
	report_begin(&o, &payload);
	boot_kernel(&o, &console, fuzz_echo, &res, &out);
	report_decide(&o, &payload, &console, &res, &out);
	report_print(&o, &payload, &console, &res, &out);
	fprintf(stderr, "uffdwp-vmtest: fuzzer output (sequences, scenario) in %s\n", out_dir);
	return out.exit;
}
