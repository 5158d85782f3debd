// SPDX-License-Identifier: GPL-2.0
/* Command line of uffdwp-vmtest. */
#include "vmtest.h"
#include "../getopt_refused.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CACHE "/var/cache/uffdwp-trace/kernels"
/* The Debian images vm/setup.sh caches (7.3 from trixie-backports). */
#define DEBIAN_VERSIONS "6.1|6.12|7.3"
static const char *const debian_versions[] = { "6.1", "6.12", "7.3" };
static bool seed_given;	/* --seed was on the command line */

static const char usage_text[] =
"Usage: uffdwp-vmtest (--kernel IMAGE | --debian " DEBIAN_VERSIONS ") [--add FILE]...\n"
"                     [--mem 2G] [--cmdline EXTRA] [--timeout SECONDS] [--tap | --json]\n"
"                     [--scenario NAME]... [-- GUEST-COMMAND [ARGS...]]\n"
"       uffdwp-vmtest --matrix [--kernels NAME,...] [--expected FILE] [--kernels-dir DIR]\n"
"                     [--tap | --json] [--scenario NAME]... [other options as above]\n"
"                     [--shard I/N]\n"
"       uffdwp-vmtest --merge FILE... [--tap | --json]\n"
"  any of them:       [--kcidb FILE [--origin NAME] [--git-commit SHA] [--git-url URL]]\n"
"       uffdwp-vmtest (--kernel IMAGE | --debian VER)\n"
"                     (--fuzz SECONDS [--seed N] | --fuzz-replay FILE) [--fuzz-out DIR]\n"
"                     [--fuzz-check-pool] [other options as above]\n"
"\n"
"Boots IMAGE in QEMU with a generated initramfs (static busybox, uffdwp-trace, every\n"
"scenario binary, the --add files; all on PATH) and runs every scenario, or the named ones,\n"
"under one `uffdwp-trace --json --strict --each`, each a run of its own (a kernel hook that\n"
"cannot attach is undecided, 125); with `--`, runs GUEST-COMMAND instead.\n"
"Guest: 2 CPUs, numa=fake=2, numa_balancing off, tsc=reliable, 64 x 2MiB hugetlb pages\n"
"on /mnt/huge, THP madvise, proc/sys/devtmpfs/tracefs/debugfs/bpffs mounted, 512 MiB of\n"
"swap on a virtio-blk disk (a sparse file in $TMPDIR; the driver from swap-modules/\n"
"beside the image where it is a module): the report says \"swap: on ...\" or \"swap: off\n"
"(why)\".\n"
"\n"
"  --kernel IMAGE       bzImage to boot (e.g. a kernel tree's arch/x86/boot/bzImage)\n"
"  --debian " DEBIAN_VERSIONS "\n"
"                       Debian's own image, fetched by `make setup` into\n"
"                       $UFFDWP_CACHE (default " DEFAULT_CACHE ")\n"
"  --add FILE           also pack FILE into the guest's /bin (repeatable)\n"
"  --mem SIZE           guest memory (default 2G)\n"
"  --smp N              guest CPUs (default 2)\n"
"  --cmdline EXTRA      append EXTRA to the kernel command line\n"
"  --timeout SECONDS    limit for the whole run, boot included (default 600)\n"
"  --tap                print TAP, one test per scenario (guest output as # lines)\n"
"  --json               print one JSON object (guest output goes to stderr)\n"
"  --scenario NAME      run only this scenario (repeatable)\n"
"  --tracer PATH        uffdwp-trace to pack (default: beside this program)\n"
"  --scenarios-dir DIR  scenario binaries (default: build/scenarios beside this program,\n"
"                       else ../libexec/uffdwp-trace/scenarios beside it, as installed)\n"
"  --list-scenarios     print the scenario names found there, one a line, and exit\n"
"  --accel auto|kvm|tcg accelerator (default $UFFDWP_ACCEL, else auto: KVM where a guest\n"
"                       really starts under it, else TCG; any failed KVM start is booted\n"
"                       again under TCG and remembered until the host reboots; kvm: a\n"
"                       failed KVM start is 125 with the reason, never a fallback)\n"
"  --qemu PATH          QEMU binary (default qemu-system-x86_64)\n"
"  --busybox PATH       static busybox for the guest (default /bin/busybox)\n"
"  --keep-initramfs     keep the generated initramfs and print its path\n"
"  -v, --verbose        also stream the kernel's boot log\n"
"  -h, --help           this text\n"
"\n"
"Matrix mode (--matrix): boots every kernel column of the expected table once (debian-VER\n"
"from the cache as --debian does, any other NAME as DIR/NAME.bzImage), runs the scenarios\n"
"under the tracer, and compares each scenario x kernel cell with the table: the tracer's\n"
"set of finding classes and exit status, and the scenario's own self-check verdict.\n"
"Prints the matrix, marking disagreeing (!) and undecided (?) cells, then one line per\n"
"such cell; an absent image is a skipped column with the reason.\n"
"  --expected FILE      the table (default: tests/scenarios/expected.tsv of the project\n"
"                       this program was built in, else ../share/uffdwp-trace/expected.tsv\n"
"                       beside it, as installed)\n"
"  --kernels A,B,...    only these columns (repeatable)\n"
"  --kernels-dir DIR    the shared test kernels (default $UFFDWP_SHARED_KERNELS, else\n"
"                       ../shared/kernels beside the project)\n"
"  --tap                one test per cell (skips with reasons)\n"
"  --json               one JSON object: counts, kernels, every cell\n"
"  --timeout applies to each kernel's run. Guest output is shown with -v only (stderr).\n"
"  --shard I/N          run only the I-th of N slices of the kernel columns (those at\n"
"                       positions I, I+N, I+2N... of the run's stable order) and print\n"
"                       that slice's JSON (implies --json; an empty slice says so)\n"
"  --merge FILE...      no boot: combine the JSON of every slice 1..N of one sharded run\n"
"                       into the matrix, exit status, TAP (--tap), JSON (--json) and KCIDB\n"
"                       report (--kcidb) the unsharded run would give; overlapping,\n"
"                       missing or mismatched slices are one error line and 125\n"
"\n"
"KCIDB (KernelCI's database) output, for every mode:\n"
"  --kcidb FILE         also write a KCIDB v4.5 report to FILE: one checkout and build per\n"
"                       kernel, one test per scenario (per cell with --matrix/--merge),\n"
"                       path uffdwp.SCENARIO, status FAIL/ERROR/MISS/PASS/SKIP; the console\n"
"                       log and each scenario's output are written beside FILE (FILE\n"
"                       without .json, then .KERNEL.console.log and\n"
"                       .KERNEL.SCENARIO.output.log)\n"
"                       and linked as file:// URLs; ids are ORIGIN:..., stable for the same\n"
"                       image, commit and scenario\n"
"  --origin NAME        the KCIDB origin, [a-z0-9_]+ (default uffdwp)\n"
"  --git-commit SHA     the kernel's commit (40 hex digits), for the checkout (not --matrix)\n"
"  --git-url URL        its repository, https:// or git:// (not --matrix)\n"
"\n"
"Fuzz mode (--fuzz): runs uffdwp-fuzz, the differential fuzzer, in the guest under the\n"
"tracer: random but valid uffd-wp operation sequences from the seed, each in a fresh\n"
"child, judged by user-space ground truth and by the tracer; for each kind of failure,\n"
"the first sequence is minimised and printed as a tests/scenarios/ program with its\n"
"expected.tsv cell.\n"
"  --fuzz SECONDS       generate sequences for this long (the run's --timeout grows to\n"
"                       SECONDS + 1200 for the boot, the minimising and the re-run)\n"
"  --seed N             the generator's seed (default 1): same seed and kernel, same\n"
"                       sequences\n"
"  --fuzz-replay FILE   run one saved sequence (found-*.seq, minimised-*.seq) instead, under\n"
"                       the tracer: for `git bisect run`\n"
"  --fuzz-out DIR       where the found and minimised sequences and the scenario programs\n"
"                       are saved\n"
"                       (default $TMPDIR/uffdwp-fuzz, else /tmp/uffdwp-fuzz)\n"
"  --fuzz-check-pool    uffdwp-fuzz --check-pool: a hugetlb reservation left behind\n"
"                       after a sequence's processes exit is a bug too\n"
"  Exit status: 0 nothing found in the budget, 1 a bug found (a tracer finding or a\n"
"  user-space disagreement, both views printed), 125 undecided (lost events, a hung\n"
"  sequence, no boot).\n"
"\n"
"Exit status (the `git bisect run` contract):\n"
"  0    every scenario (or the command) ran and the tracer found nothing\n"
"  1    a finding (the tracer exited 1 for some scenario): the kernel is bad\n"
"  125  could not decide: the image did not boot, panicked or timed out, the tracer failed\n"
"       (exit 2) or was inconclusive (exit 3: lost events, hooks missing, walks capped);\n"
"       the reason is printed on one line. Usage errors also exit 125, so that a broken\n"
"       bisect script skips a commit instead of blaming it.\n"
"  With `--`, the command's status maps like `git bisect run`: 0 -> 0, 125 -> 125,\n"
"  126/127 (cannot run) -> 125, anything else -> 1.\n"
"  --matrix: 0 every cell that ran is as expected; 1 a cell where the tracer or the\n"
"  self-check disagrees with the table; 125 no disagreement but a cell undecided (no boot,\n"
"  panic, timeout, tracer error or inconclusive), nothing could run at all, a malformed\n"
"  table or a usage error. Columns skipped for an absent image do not change the status.\n";

enum long_only_opt {
	OPT_KERNEL = 256, OPT_DEBIAN, OPT_ADD, OPT_MEM, OPT_SMP, OPT_CMDLINE, OPT_TIMEOUT,
	OPT_TAP, OPT_JSON, OPT_SCENARIO, OPT_TRACER, OPT_SCENARIOS_DIR, OPT_ACCEL, OPT_QEMU,
	OPT_BUSYBOX, OPT_KEEP, OPT_MATRIX, OPT_KERNELS, OPT_EXPECTED, OPT_KERNELS_DIR,
	OPT_LIST_SCENARIOS,
	OPT_SHARD, OPT_MERGE, OPT_KCIDB, OPT_ORIGIN, OPT_GIT_COMMIT, OPT_GIT_URL,
	OPT_FUZZ, OPT_SEED, OPT_FUZZ_REPLAY, OPT_FUZZ_OUT, OPT_FUZZ_CHECK_POOL,
};

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "debian", required_argument, NULL, OPT_DEBIAN },
	{ "add", required_argument, NULL, OPT_ADD },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "tap", no_argument, NULL, OPT_TAP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "tracer", required_argument, NULL, OPT_TRACER },
	{ "scenarios-dir", required_argument, NULL, OPT_SCENARIOS_DIR },
	{ "list-scenarios", no_argument, NULL, OPT_LIST_SCENARIOS },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "busybox", required_argument, NULL, OPT_BUSYBOX },
	{ "keep-initramfs", no_argument, NULL, OPT_KEEP },
	{ "matrix", no_argument, NULL, OPT_MATRIX },
	{ "kernels", required_argument, NULL, OPT_KERNELS },
	{ "expected", required_argument, NULL, OPT_EXPECTED },
	{ "kernels-dir", required_argument, NULL, OPT_KERNELS_DIR },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "merge", required_argument, NULL, OPT_MERGE },
	{ "kcidb", required_argument, NULL, OPT_KCIDB },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "git-commit", required_argument, NULL, OPT_GIT_COMMIT },
	{ "git-url", required_argument, NULL, OPT_GIT_URL },
	{ "fuzz", required_argument, NULL, OPT_FUZZ },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "fuzz-replay", required_argument, NULL, OPT_FUZZ_REPLAY },
	{ "fuzz-out", required_argument, NULL, OPT_FUZZ_OUT },
	{ "fuzz-check-pool", no_argument, NULL, OPT_FUZZ_CHECK_POOL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static bool usage_error(const char *msg, const char *arg)
{
	vmtest_err("%s%s%s (see --help)", msg, arg ? ": " : "", arg ? arg : "");
	return false;
}

#define SHORT_OPTIONS "vh"

/* getopt's '?' and ':' as one usage line naming the option at fault
 * (getopt_refused.h); true when it was such a refusal, said. */
static bool getopt_refused(int opt, char *const *argv)
{
	char buf[3];

	if (opt != '?' && opt != ':')
		return false;
	usage_error(opt == '?' ? "unknown option" : "option needs a value",
		    getopt_refused_word(argv, SHORT_OPTIONS, buf));
	return true;
}

static bool parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v == 0 || v > max)
		return false;
	*out = v;
	return true;
}

static bool append(const char **list, int *n, const char *item, const char *what)
{
	if (*n >= VMTEST_MAX_LIST)
		return usage_error("too many", what);
	list[(*n)++] = item;
	return true;
}

const char *vmtest_cache_dir(void)
{
	const char *cache = getenv("UFFDWP_CACHE");

	return cache && *cache ? cache : DEFAULT_CACHE;
}

/* --debian VER -> $UFFDWP_CACHE/debian-VER/vmlinuz, the layout vm/setup.sh writes. */
static bool resolve_debian(struct vmtest_opts *o, const char *ver)
{
	static char path[4096];

	size_t i = 0;

	while (i < sizeof(debian_versions) / sizeof(debian_versions[0]) && strcmp(ver, debian_versions[i]))
		i++;
	if (i == sizeof(debian_versions) / sizeof(debian_versions[0]))
		return usage_error("--debian takes " DEBIAN_VERSIONS ", not", ver);
	snprintf(path, sizeof(path), "%s/debian-%s/vmlinuz", vmtest_cache_dir(), ver);
	o->debian = ver;
	o->kernel = path;
	return true;
}

/* --kernels A,B: each name, copied, joins the list (the copies live as long as the program). */
static bool append_kernels(struct vmtest_opts *o, const char *arg)
{
	for (const char *p = arg; *p; p += *p == ',') {
		size_t len = strcspn(p, ",");
		char *name = len ? strndup(p, len) : NULL;

		p += len;
		if (name && !append(o->matrix_kernel, &o->n_matrix_kernel, name, "--kernels names")) {
			free(name);
			return false;
		}
	}
	if (!o->n_matrix_kernel)
		return usage_error("--kernels names no kernel", arg);
	return true;
}

static bool parse_accel(const char *s, enum accel_choice *out, const char *what)
{
	char msg[64];

	if (!strcmp(s, "auto"))
		*out = ACCEL_AUTO;
	else if (!strcmp(s, "kvm"))
		*out = ACCEL_KVM;
	else if (!strcmp(s, "tcg"))
		*out = ACCEL_TCG;
	else
		return snprintf(msg, sizeof(msg), "%s takes auto, kvm or tcg, not", what),
		       usage_error(msg, s);
	return true;
}

/* --shard I/N with 1 <= I <= N <= VMTEST_MAX_LIST. */
static bool parse_shard(struct vmtest_opts *o, const char *arg)
{
	unsigned int i, n;
	char *slash = strchr(arg, '/'), head[16];

	if (!slash || slash - arg >= (long)sizeof(head))
		return usage_error("--shard takes I/N (e.g. 2/3), not", arg);
	snprintf(head, sizeof(head), "%.*s", (int)(slash - arg), arg);
	if (!parse_uint(head, VMTEST_MAX_LIST, &i) || !parse_uint(slash + 1, VMTEST_MAX_LIST, &n) ||
	    i > n)
		return usage_error("--shard takes I/N with 1 <= I <= N, not", arg);
	o->shard_index = i;
	o->shard_count = n;
	return true;
}

/* True when every character of s is in set (and s is not empty). */
static bool only_chars(const char *s, const char *set)
{
	return *s && !s[strspn(s, set)];
}

/* The options of sharding and KCIDB output, with the forms KCIDB's schema allows. */
static bool parse_kcidb_shard_option(struct vmtest_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case OPT_SHARD:
		return parse_shard(o, arg);
	case OPT_MERGE:
		return append(o->merge, &o->n_merge, arg, "--merge files");
	case OPT_KCIDB:
		o->kcidb = arg;
		return true;
	case OPT_ORIGIN:
		if (!only_chars(arg, "abcdefghijklmnopqrstuvwxyz0123456789_"))
			return usage_error("--origin takes [a-z0-9_]+ (KCIDB's origin), not", arg);
		o->origin = arg;
		return true;
	case OPT_GIT_COMMIT:
		if (strlen(arg) != 40 || !only_chars(arg, "0123456789abcdef"))
			return usage_error("--git-commit takes a full commit hash (40 lowercase hex "
					   "digits), not", arg);
		o->git_commit = arg;
		return true;
	default:
		if (strncmp(arg, "https://", 8) && strncmp(arg, "git://", 6))
			return usage_error("--git-url takes an https:// or git:// URL, not", arg);
		o->git_url = arg;
		return true;
	}
}

static void set_defaults(struct vmtest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->fuzz_seed = 1;
	o->mem = "2G";
	o->smp = 2;
	o->timeout_s = 600;
	o->output = OUTPUT_TEXT;
	o->accel = ACCEL_AUTO;
	o->qemu = "qemu-system-x86_64";
	o->busybox = "/bin/busybox";
	o->origin = "uffdwp";
}

static bool parse_fuzz_opt(struct vmtest_opts *o, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case OPT_FUZZ:
		if (!parse_uint(arg, 86400, &o->fuzz_seconds))
			return usage_error("--fuzz takes seconds (1..86400), not", arg);
		return true;
	case OPT_SEED:
		errno = 0;
		o->fuzz_seed = strtoull(arg, &end, 10);
		if (!*arg || *end || errno || *arg == '-')
			return usage_error("--seed takes a number, not", arg);
		seed_given = true;
		return true;
	case OPT_FUZZ_REPLAY:
		o->fuzz_replay = arg;
		return true;
	case OPT_FUZZ_CHECK_POOL:
		o->fuzz_check_pool = true;
		return true;
	default:
		o->fuzz_out = arg;
		return true;
	}
}

/* Fuzz mode runs its own guest command on one kernel. */
static bool check_fuzz_args(const struct vmtest_opts *o)
{
	bool fuzzing = o->fuzz_seconds || o->fuzz_replay;

	if (!fuzzing)
		return (seed_given || o->fuzz_out || o->fuzz_check_pool) ?
		       usage_error("--seed, --fuzz-out and --fuzz-check-pool go with --fuzz or "
				   "--fuzz-replay", NULL) : true;
	if (o->fuzz_seconds && o->fuzz_replay)
		return usage_error("give one of --fuzz and --fuzz-replay", NULL);
	if (o->fuzz_replay && seed_given)
		return usage_error("--seed goes with --fuzz, not --fuzz-replay", NULL);
	if (o->matrix || o->guest_argv || o->n_scenario)
		return usage_error("--fuzz runs the fuzzer: not with --matrix, --scenario or a guest "
				   "command", NULL);
	if (o->fuzz_replay && access(o->fuzz_replay, R_OK) != 0)
		return usage_error("cannot read --fuzz-replay", o->fuzz_replay);
	return true;
}

static bool parse_one(struct vmtest_opts *o, int opt, const char *arg)
{
	unsigned int n;

	switch (opt) {
	case OPT_KERNEL:
		if (o->kernel)
			return usage_error("give one of --kernel and --debian, once", NULL);
		o->kernel = arg;
		return true;
	case OPT_DEBIAN:
		if (o->kernel)
			return usage_error("give one of --kernel and --debian, once", NULL);
		return resolve_debian(o, arg);
	case OPT_ADD:
		return append(o->add, &o->n_add, arg, "--add files");
	case OPT_SCENARIO:
		return append(o->scenario, &o->n_scenario, arg, "--scenario names");
	case OPT_MEM:
		o->mem = arg;
		return true;
	case OPT_SMP:
		if (!parse_uint(arg, 64, &n))
			return usage_error("--smp takes 1..64, not", arg);
		o->smp = n;
		return true;
	case OPT_CMDLINE:
		o->cmdline_extra = arg;
		return true;
	case OPT_TIMEOUT:
		if (!parse_uint(arg, 86400, &o->timeout_s))
			return usage_error("--timeout takes seconds (1..86400), not", arg);
		return true;
	case OPT_TAP:
	case OPT_JSON:
		if (o->output != OUTPUT_TEXT)
			return usage_error("give at most one of --tap and --json", NULL);
		o->output = opt == OPT_TAP ? OUTPUT_TAP : OUTPUT_JSON;
		return true;
	case OPT_TRACER:
		o->tracer = arg;
		return true;
	case OPT_SCENARIOS_DIR:
		o->scenarios_dir = arg;
		return true;
	case OPT_LIST_SCENARIOS:
		o->list_scenarios = true;
		return true;
	case OPT_ACCEL:
		return parse_accel(arg, &o->accel, "--accel");
	case OPT_QEMU:
		o->qemu = arg;
		return true;
	case OPT_BUSYBOX:
		o->busybox = arg;
		return true;
	case OPT_KEEP:
		o->keep_initramfs = true;
		return true;
	case OPT_MATRIX:
		o->matrix = true;
		return true;
	case OPT_KERNELS:
		return append_kernels(o, arg);
	case OPT_EXPECTED:
		o->expected = arg;
		return true;
	case OPT_KERNELS_DIR:
		o->kernels_dir = arg;
		return true;
	case OPT_SHARD:
	case OPT_MERGE:
	case OPT_KCIDB:
	case OPT_ORIGIN:
	case OPT_GIT_COMMIT:
	case OPT_GIT_URL:
		return parse_kcidb_shard_option(o, opt, arg);
	case OPT_FUZZ:
	case OPT_SEED:
	case OPT_FUZZ_REPLAY:
	case OPT_FUZZ_CHECK_POOL:
	case OPT_FUZZ_OUT:
		return parse_fuzz_opt(o, opt, arg);
	case 'v':
		o->verbose = true;
		return true;
	case 'h':
		fputs(usage_text, stdout);
		exit(0);
	default:	/* '?' and ':' are answered by vmtest_parse_args(), which has argv */
		return usage_error("bad option", NULL);
	}
}

/* --merge reads what slices decided: nothing to boot, nothing to choose. */
static bool check_merge_args(const struct vmtest_opts *o)
{
	if (o->matrix || o->kernel || o->guest_argv || o->n_scenario || o->n_matrix_kernel ||
	    o->expected || o->kernels_dir || o->shard_count)
		return usage_error("--merge takes only slice files, --tap/--json and the KCIDB "
				   "options (the slices' runs chose the rest)", NULL);
	return true;
}

/* The KCIDB options that need --kcidb, and a checkout that is one kernel's. */
static bool check_kcidb_args(const struct vmtest_opts *o)
{
	if (!o->kcidb && (strcmp(o->origin, "uffdwp") || o->git_commit || o->git_url))
		return usage_error("--origin, --git-commit and --git-url go with --kcidb", NULL);
	if ((o->matrix || o->n_merge) && (o->git_commit || o->git_url))
		return usage_error("--git-commit and --git-url name one kernel's checkout: not with "
				   "--matrix or --merge (their checkouts come from each image)", NULL);
	return true;
}

/* The matrix picks its kernels from the table and always runs scenarios. */
static bool check_matrix_args(struct vmtest_opts *o)
{
	if (o->kernel)
		return usage_error("--matrix takes its kernels from the table: use --kernels NAME,... "
				   "instead of --kernel/--debian", NULL);
	if (o->guest_argv)
		return usage_error("--matrix runs the scenarios, not a guest command", NULL);
	if (o->shard_count && o->output == OUTPUT_TAP)
		return usage_error("a slice prints JSON: --tap goes with --merge of the slices", NULL);
	if (o->shard_count)
		o->output = OUTPUT_JSON;
	return true;
}

bool vmtest_parse_args(int argc, char **argv, struct vmtest_opts *o)
{
	const char *accel = getenv("UFFDWP_ACCEL");
	int opt;

	set_defaults(o);
	opterr = 0;
	/* for CI: the environment chooses, the command line still overrides */
	if (accel && !parse_accel(accel, &o->accel, "UFFDWP_ACCEL"))
		return false;
	/* "+": stop at the first non-option, so "-- CMD -x" is never parsed as ours;
	 * ":": getopt prints nothing, getopt_refused() says the one line.
	 * optarg is set for every option that takes one; "" for -v and -h keeps
	 * arg non-NULL in parse_one(), which the analyzer cannot know. */
	for (;;) {
		while ((opt = getopt_long(argc, argv, "+:" SHORT_OPTIONS, long_opts, NULL)) != -1)
			if (getopt_refused(opt, argv) || !parse_one(o, opt, optarg ? optarg : ""))
				return false;
		/* --merge A B C: the files after the first are arguments, options may follow */
		if (!o->n_merge || optind >= argc || !strcmp(argv[optind - 1], "--"))
			break;
		if (!append(o->merge, &o->n_merge, argv[optind++], "--merge files"))
			return false;
	}
	if (!check_kcidb_args(o))
		return false;
	if (o->n_merge)
		return check_merge_args(o) &&
		       (optind >= argc || usage_error("--merge runs no guest command", NULL));
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--"))
			return usage_error("unexpected argument (a guest command follows --)",
					   argv[optind]);
		o->guest_argv = &argv[optind];
	} else if (optind > 1 && !strcmp(argv[optind - 1], "--")) {
		return usage_error("nothing after --", NULL);
	}
	if (o->list_scenarios)	/* needs no kernel: only --scenarios-dir matters */
		return true;
	if (!check_fuzz_args(o))
		return false;
	if (o->matrix)
		return check_matrix_args(o);
	if (o->n_matrix_kernel || o->expected || o->kernels_dir || o->shard_count)
		return usage_error("--kernels, --expected, --kernels-dir and --shard go with --matrix",
				   NULL);
	if (!o->kernel)
		return usage_error("no kernel: give --kernel IMAGE or --debian " DEBIAN_VERSIONS, NULL);
	if (o->guest_argv && o->n_scenario)
		return usage_error("--scenario and a guest command exclude each other", NULL);
	return true;
}
