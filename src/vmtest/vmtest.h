/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uffdwp-vmtest: boot a kernel image in QEMU with a generated initramfs, run the scenarios
 * under uffdwp-trace (or one command) and turn the outcome into a git-bisect exit status.
 *
 * Flow (src/vmtest/main.c): args -> initramfs -> accel -> qemu (streams the console into console.c)
 * -> report. --matrix (matrix.c) boots that one initramfs on every kernel of the expected
 * table (expect.c) and compares each scenario x kernel cell (matrix_print.c prints it).
 */
#ifndef UFFDWP_VMTEST_H
#define UFFDWP_VMTEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses: the `git bisect run` contract (issue 3). */
enum vmtest_exit {
	VMTEST_GOOD = 0,	/* everything ran, no finding */
	VMTEST_BAD = 1,		/* a finding: the kernel is bad */
	VMTEST_SKIP = 125,	/* could not decide (also usage errors: bisect must not blame) */
};

/* Exit statuses of uffdwp-trace (issue 2). */
enum tracer_exit {
	TRACER_CLEAN = 0,
	TRACER_FINDINGS = 1,
	TRACER_ERROR = 2,
	TRACER_INCONCLUSIVE = 3,
};

enum output_mode { OUTPUT_TEXT, OUTPUT_TAP, OUTPUT_JSON };
enum accel_choice { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

#define VMTEST_MAX_LIST 256

struct vmtest_opts {
	const char *kernel;		/* image to boot (resolved from --debian too) */
	const char *debian;		/* "6.1", "6.12" or "7.3" when --debian was given */
	const char *add[VMTEST_MAX_LIST];
	int n_add;
	const char *scenario[VMTEST_MAX_LIST];	/* --scenario; empty = all found */
	int n_scenario;
	char **guest_argv;		/* after "--"; NULL = scenario mode */
	const char *mem;
	int smp;
	const char *cmdline_extra;
	unsigned int timeout_s;		/* whole run, boot included */
	enum output_mode output;
	enum accel_choice accel;
	const char *tracer;		/* uffdwp-trace to pack; NULL = beside this binary */
	const char *scenarios_dir;	/* NULL = vmtest_data_path(BUILD_SCENARIOS_DIR, ...) */
	const char *qemu;
	const char *busybox;
	bool keep_initramfs;		/* print and keep the generated cpio (debugging) */
	bool verbose;			/* stream the kernel's boot log too */
	bool list_scenarios;		/* --list-scenarios: print the names found, run nothing */
	/* --matrix */
	bool matrix;
	const char *expected;		/* the table; NULL = vmtest_data_path(BUILD_EXPECTED_TABLE, ...) */
	const char *matrix_kernel[VMTEST_MAX_LIST];	/* --kernels; empty = every column */
	int n_matrix_kernel;
	const char *kernels_dir;	/* shared test kernels (NAME.bzImage); NULL = default */
	int shard_index, shard_count;	/* --shard I/N (1-based); 0/0 = the whole matrix */
	/* --merge FILE...: the matrix JSON of each slice, combined (matrix_merge.c) */
	const char *merge[VMTEST_MAX_LIST];
	int n_merge;
	/* --kcidb FILE (kcidb.c): a KCIDB v4 report, console logs beside it */
	const char *kcidb;
	const char *origin;		/* KCIDB origin and id prefix (default "uffdwp") */
	const char *git_commit, *git_url;	/* the checkout, for single runs */
	/* --fuzz, --fuzz-replay (fuzz.c) */
	unsigned int fuzz_seconds;	/* 0: not fuzzing */
	unsigned long long fuzz_seed;
	const char *fuzz_replay;	/* a saved sequence to run instead */
	const char *fuzz_out;		/* where found sequences land; NULL = $TMPDIR/uffdwp-fuzz */
	bool fuzz_check_pool;		/* uffdwp-fuzz --check-pool */
};

/* args.c */
/* Parses argv into opts; on error prints one line (and usage) and returns false. */
bool vmtest_parse_args(int argc, char **argv, struct vmtest_opts *opts);

/* $UFFDWP_CACHE, else the default cache of vm/setup.sh (debian-VER/vmlinuz inside). */
const char *vmtest_cache_dir(void);

/* util.c: small helpers shared by the other files. */
extern char vmtest_last_error[512];	/* what vmtest_err() printed last */
/* Prints "uffdwp-vmtest: MESSAGE" on stderr and keeps MESSAGE in vmtest_last_error. */
void vmtest_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *vmtest_self_dir(void);		/* directory of this executable (malloc'd) */
char *vmtest_parent_dir(const char *path);	/* path without its last component (malloc'd) */
char *vmtest_path_join(const char *dir, const char *name);	/* malloc'd */

/*
 * What uffdwp-vmtest reads besides its options, relative to the directory of this
 * executable: in the build tree (build/uffdwp-vmtest), and where `make install` puts it
 * (PREFIX/bin/uffdwp-vmtest; the Makefile's LIBEXECDIR and DATADIR must agree).
 */
#define BUILD_SCENARIOS_DIR	"scenarios"
#define INSTALLED_SCENARIOS_DIR	"../libexec/uffdwp-trace/scenarios"
#define BUILD_EXPECTED_TABLE	"../tests/scenarios/expected.tsv"
#define INSTALLED_EXPECTED_TABLE "../share/uffdwp-trace/expected.tsv"
/* The build tree's path if it exists, else the installed one if that exists (both
 * canonical), else the build tree's as it is (malloc'd). */
char *vmtest_data_path(const char *in_build_tree, const char *installed);
bool vmtest_is_executable(const char *path);
double vmtest_now(void);		/* CLOCK_MONOTONIC seconds */
char *vmtest_shell_quote(const char *s);	/* '...' form for /bin/sh (malloc'd) */
/* FNV-1a 64 of len bytes, continuing from h (start with VMTEST_FNV_START): stable ids. */
#define VMTEST_FNV_START 0xcbf29ce484222325ull
uint64_t vmtest_fnv1a(uint64_t h, const void *data, size_t len);

#endif
