// SPDX-License-Identifier: GPL-2.0
/*
 * uffdwp-trace: trace a process's userfaultfd write-protection and check the
 * kernel kept its promise.  See README.md and uffdwp-trace(8).
 *
 * The command line is bpftool's shape: global options, then a subcommand
 * (trace, the default; probe; replay) with its own arguments.  Options may
 * stand before or after the subcommand's name; one that does not apply to
 * it is an error, not ignored.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loader/progstats.h"
#include "loader/session.h"
#include "pipeline/replay.h"
#include "report/error.h"

const char *argp_program_version = "uffdwp-trace 0.1";
const char *argp_program_bug_address = "the project's issue tracker";

static const char doc[] =
	"Trace userfaultfd write-protection of a process and report kernel violations.\v"
	"Subcommands:\n"
	"  [trace] PID | -p PID | [--] CMD [ARGS...]   trace a process (the default)\n"
	"  probe                                       which mechanism each hook gets\n"
	"  replay [-v] [--json] FILE                   a --record file, as the live run\n"
	"A lone number is a PID when no command of that name is on PATH and a\n"
	"process has it; `--` always starts a command.\n\n"
	"Exit status: 0 clean, 1 findings, 2 usage or environment error,\n"
	"3 inconclusive (events lost, required hooks missing; with no finding,\n"
	"page-table walks capped); replay the same.\n\n"
	"Examples:\n"
	"  uffdwp-trace 1234                  trace a running process until it exits\n"
	"  uffdwp-trace -v -- ./snapshot-app  start a program held until all hooks attach\n"
	"  uffdwp-trace --json -d 10 -p 1234  JSON lines for 10 seconds\n"
	"  uffdwp-trace probe                 which mechanism each hook gets on this kernel\n"
	"  uffdwp-trace --record run.uwt -- ./app;  uffdwp-trace --json replay run.uwt";

static const char args_doc[] = "PID\n[--] CMD [ARGS...]\nprobe\nreplay [-v] [--json] FILE";

enum { OPT_PROBE = 1000, OPT_STRICT, OPT_RECORD, OPT_DEBUG, OPT_NO_FOLLOW, OPT_NO_FENTRY,
       OPT_PROG_STATS, OPT_NO_EVENTS, OPT_EACH, OPT_USAGE };

/* Index of each option in options[]: its bit in an opt_mask. */
enum { OI_PID, OI_VERBOSE, OI_JSON, OI_NO_EVENTS, OI_DURATION, OI_BUFFER, OI_PROBE, OI_STRICT, OI_RECORD,
       OI_NO_FOLLOW, OI_NO_FENTRY, OI_DEBUG, OI_PROG_STATS, OI_EACH, OI_HELP, OI_USAGE, OI_VERSION,
       OI_MAX };

static const struct argp_option options[OI_MAX + 1] = {
	[OI_PID] = { "pid", 'p', "PID", 0, "Trace this running process (and its children)" },
	[OI_VERBOSE] = { "verbose", 'v', NULL, 0, "Print every event" },
	[OI_JSON] = { "json", 'j', NULL, 0,
		      "JSON lines on stdout (events with -v implied when tracing)" },
	[OI_NO_EVENTS] = { "no-events", OPT_NO_EVENTS, NULL, 0,
			   "With --json: findings and the summary only, no event lines" },
	[OI_DURATION] = { "duration", 'd', "SECONDS", 0, "Stop after SECONDS" },
	[OI_BUFFER] = { "buffer-mib", 'b', "MIB", 0,
			"Ring buffer size, a power of two (default 32)" },
	[OI_PROBE] = { "probe", OPT_PROBE, NULL, 0, "The probe subcommand" },
	[OI_STRICT] = { "strict", OPT_STRICT, NULL, 0,
			"Require the four kernel hooks (change_protection, migration, zap, "
			"handle_userfault)" },
	[OI_RECORD] = { "record", OPT_RECORD, "FILE", 0, "Also write the raw event stream to FILE" },
	[OI_NO_FOLLOW] = { "no-follow", OPT_NO_FOLLOW, NULL, 0, "Do not trace children" },
	[OI_NO_FENTRY] = { "no-fentry", OPT_NO_FENTRY, NULL, 0,
			   "Use kprobes where fentry would do" },
	[OI_DEBUG] = { "debug", OPT_DEBUG, NULL, 0, "libbpf messages and verifier statistics (the log of a refused program)" },
	[OI_PROG_STATS] = { "prog-stats", OPT_PROG_STATS, NULL, 0,
			    "Kernel run count and run time of each BPF program in the summary" },
	[OI_EACH] = { "each", OPT_EACH, NULL, 0,
		      "CMD is commands separated by ';' arguments: each runs after the last "
		      "has exited, as a run of its own (findings, summary, status), under "
		      "programs loaded once" },
	/* argp's own three, ours since argp prints nothing (ARGP_NO_HELP, ARGP_NO_ERRS:
	 * parse_args()); group -1 keeps them last in --help, where argp put them */
	[OI_HELP] = { "help", '?', NULL, 0, "Give this help list", -1 },
	[OI_USAGE] = { "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	[OI_VERSION] = { "version", 'V', NULL, 0, "Print program version", -1 },
	[OI_MAX] = {},
};

/* Which options were given, or apply: a bit per index in options[]. */
typedef unsigned int opt_mask;
#define OPT(i) (1u << (i))

struct cli {
	struct trace_opts opts;
	bool probe;		/* --probe */
	opt_mask given;
	char **args;		/* the positional arguments, NULL-terminated */
	bool forced_cmd;	/* "--" stood before them */
	bool collect;		/* subcommand parse: gather positionals, keep going */
	int nargs;
	char error[256];	/* what made the parse fail: the one line parse_args() reports */
};

static opt_mask opt_bit(int key)
{
	for (int i = 0; i < OI_MAX; i++)
		if (options[i].key == key)
			return OPT(i);
	return 0;
}

/* Keep the first reason the parse fails; EINVAL ends it. */
static error_t __attribute__((format(printf, 2, 3))) parse_fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->error[0]) {
		va_start(ap, fmt);
		vsnprintf(c->error, sizeof(c->error), fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && *s && !*end && *out >= min && *out <= max;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct cli *c = state->input;
	long v;

	c->given |= opt_bit(key);
	switch (key) {
	case 'p':
		if (!parse_long(arg, 1, INT_MAX, &v))
			return parse_fail(c, "invalid PID: %s", arg);
		c->opts.pid = (pid_t)v;
		break;
	case 'v':
		c->opts.verbose = true;
		break;
	case 'j':
		c->opts.json = true;
		break;
	case 'd':
		if (!parse_long(arg, 1, INT_MAX, &v))
			return parse_fail(c, "invalid duration: %s", arg);
		c->opts.duration = (int)v;
		break;
	case 'b':
		if (!parse_long(arg, 1, 4096, &v))
			return parse_fail(c, "invalid ring buffer size: %s", arg);
		if (v & (v - 1))
			return parse_fail(c, "ring buffer size must be a power of two: %s", arg);
		c->opts.buffer_mib = (int)v;
		break;
	case OPT_PROBE:
		c->probe = true;
		break;
	case OPT_STRICT:
		c->opts.strict = true;
		break;
	case OPT_RECORD:
		c->opts.record = arg;
		break;
	case OPT_NO_FOLLOW:
		c->opts.no_follow = true;
		break;
	case OPT_NO_FENTRY:
		c->opts.no_fentry = true;
		break;
	case OPT_DEBUG:
		c->opts.debug = true;
		break;
	case OPT_PROG_STATS:
		c->opts.prog_stats = true;
		break;
	case OPT_NO_EVENTS:
		c->opts.no_events = true;
		break;
	case OPT_EACH:
		c->opts.each = true;
		break;
	case '?':
		argp_help(state->root_argp, stdout, ARGP_HELP_STD_HELP, state->name);
		exit(0);
	case OPT_USAGE:
		argp_help(state->root_argp, stdout, ARGP_HELP_USAGE, state->name);
		exit(0);
	case 'V':
		puts(argp_program_version);
		exit(0);
	case ARGP_KEY_ARG:
		if (c->collect) {	/* argp permutes: options after a FILE still count */
			c->args[c->nargs++] = arg;
			break;
		}
		/* the first positional: a subcommand, a PID or the command and its
		 * own options, untouched */
		c->args = &state->argv[state->next - 1];
		c->forced_cmd = state->next >= 2 && !strcmp(state->argv[state->next - 2], "--");
		state->next = state->argc;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = { options, parse_opt, args_doc, doc };

/* ---- subcommands ---- */

struct subcommand {
	const char *name;
	int (*run)(struct cli *c);
	opt_mask allowed;	/* options that apply; every other one is an error */
	int min_args, max_args;	/* positionals after the name (-1: any) */
	const char *usage;
};

/* An executable the way execvp() would find it. */
static bool command_exists(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (access(buf, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* "uffdwp-trace PID": a lone number is a PID unless it names a command. */
static int resolve_lone_number(struct cli *c)
{
	const char *arg;
	char *end;
	long pid;

	if (c->forced_cmd || !c->args || !c->args[0] || c->args[1] || c->opts.pid)
		return 0;
	arg = c->args[0];
	errno = 0;
	pid = strtol(arg, &end, 10);
	if (!*arg || *end || errno || pid <= 0 || pid > INT_MAX || command_exists(arg))
		return 0;
	if (kill((pid_t)pid, 0) && errno == ESRCH)
		return report_error(c->opts.json, EXIT_ERROR,
				    "%s: neither a PID (no such process) nor a command (not on PATH)",
				    arg);
	c->opts.pid = (pid_t)pid;
	c->args = NULL;
	return 0;
}

/* --each: commands to run, none of them empty, and one run per command. */
static int check_each(const struct cli *c)
{
	char **a = c->opts.cmd;

	if (!a)
		return report_error(c->opts.json, EXIT_ERROR, "--each needs commands to run, not a PID");
	if (c->opts.record)
		return report_error(c->opts.json, EXIT_ERROR,
				    "--each and --record: a recording holds one run");
	for (bool empty = true; ; a++) {
		if (!*a || !strcmp(*a, ";")) {
			if (empty)
				return report_error(c->opts.json, EXIT_ERROR,
						    "--each: an empty command (nothing before a ';' or at the end)");
			if (!*a)
				return 0;
			empty = true;
		} else {
			empty = false;
		}
	}
}

static int cmd_trace(struct cli *c)
{
	int status = resolve_lone_number(c);

	if (status)
		return status;
	c->opts.cmd = c->args && c->args[0] ? c->args : NULL;
	if (!c->opts.pid == !c->opts.cmd)
		return report_error(c->opts.json, EXIT_ERROR,
				    "give a PID, -p PID or a command to run (see --help)");
	if (c->opts.each) {
		status = check_each(c);
		if (status)
			return status;
	}
	if (c->opts.no_events && c->opts.verbose)
		return report_error(c->opts.json, EXIT_ERROR,
				    "--no-events and -v contradict each other (-v prints every event)");
	if (!c->opts.prog_stats)
		return trace_run(&c->opts);
	progstats_enable();	/* before the programs load: they are counted from the start */
	status = trace_run(&c->opts);
	progstats_disable();
	return status;
}

static int cmd_probe(struct cli *c)
{
	return probe_run(&c->opts);
}

static int cmd_replay(struct cli *c)
{
	return uffdwp_replay(c->args[0], (c->opts.json ? REPLAY_JSON : 0) |
					 (c->opts.verbose ? REPLAY_EVENTS : 0), stdout);
}

static const struct subcommand subcommands[] = {
	{ "trace", cmd_trace, (OPT(OI_MAX) - 1) & ~OPT(OI_PROBE), 0, -1,
	  "[trace] PID | -p PID | [--] CMD [ARGS...]" },
	{ "probe", cmd_probe, OPT(OI_JSON) | OPT(OI_PROBE) | OPT(OI_NO_FENTRY) | OPT(OI_DEBUG) |
			      OPT(OI_STRICT) | OPT(OI_VERBOSE), 0, 0, "probe" },
	{ "replay", cmd_replay, OPT(OI_JSON) | OPT(OI_VERBOSE), 1, 1, "replay [-v] [--json] FILE" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

/* The options[] entry of a long name (its first n characters): the exact name,
 * else the one option it is a prefix of; NULL for none or (*several) more. */
static const struct argp_option *long_option(const char *name, size_t n, bool *several)
{
	const struct argp_option *found = NULL;
	int prefixes = 0;

	for (int i = 0; i < OI_MAX; i++) {
		if (!n || strncmp(options[i].name, name, n))
			continue;
		if (!options[i].name[n])
			return &options[i];
		found = &options[i];
		prefixes++;
	}
	*several = prefixes > 1;
	return prefixes == 1 ? found : NULL;
}

static const struct argp_option *short_option(int key)
{
	for (int i = 0; i < OI_MAX; i++)
		if (options[i].key == key)
			return &options[i];
	return NULL;
}

/*
 * argv read as getopt reads it, for what argp no longer says once its messages
 * are off (ARGP_NO_ERRS) and does not tell otherwise: the first word it
 * refuses, named in the error line (argp's state points past a group of short
 * options only at its last letter), and whether --json is asked for, in any
 * spelling getopt takes (-vj, --js), so that the error is a JSON object.  It
 * stops at "--" and at the traced command: the first positional that is not
 * a subcommand's name (replay and probe take options after their arguments:
 * @permute, or their name met).  A value taken by an option is skipped.
 */
struct argv_scan {
	bool json;
	char refused[96];	/* "unknown option: -x", or "" */
};

static void refuse(struct argv_scan *sc, const char *why, const char *word, int letter)
{
	if (sc->refused[0])
		return;
	if (letter)
		snprintf(sc->refused, sizeof(sc->refused), "%s: -%c", why, letter);
	else
		snprintf(sc->refused, sizeof(sc->refused), "%s: %.60s", why, word);
}

static void scan_argv(int argc, char **argv, bool permute, struct argv_scan *sc)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *w = argv[i];
		const struct argp_option *o;

		if (w[0] != '-' || !w[1]) {	/* a positional */
			const struct subcommand *sub = find_subcommand(w);

			if (sub)
				permute = sub->run != cmd_trace;
			else if (!permute)
				return;
			continue;
		}
		if (w[1] == '-') {		/* --name[=value] */
			size_t n = strcspn(w + 2, "=");
			bool several = false;

			o = long_option(w + 2, n, &several);
			if (!o)
				refuse(sc, several ? "ambiguous option" : "unknown option", w, 0);
			else if (o->arg && !w[2 + n] && ++i >= argc)
				refuse(sc, "option needs a value", w, 0);
			else if (!o->arg && w[2 + n])
				refuse(sc, "option takes no value", w, 0);
			sc->json |= o && o->key == 'j';
			continue;
		}
		for (const char *p = w + 1; *p; p++) {	/* -abc: letters, one may take the rest */
			o = short_option(*p);
			if (!o) {
				refuse(sc, "unknown option", w, *p);
				break;
			}
			sc->json |= o->key == 'j';
			if (o->arg) {
				if (!p[1] && ++i >= argc)
					refuse(sc, "option needs a value", w, *p);
				break;
			}
		}
	}
}

/*
 * argp with its messages turned off: argp's are two lines ("Try `...
 * --help'"), on stderr even under --json; ours are one (report_error()).
 * @argv[0] names the program or subcommand in --help.  0, or the exit status.
 */
static int parse_args(struct cli *c, int argc, char **argv, unsigned int flags, bool permute)
{
	struct argv_scan sc = { 0 };

	if (!argp_parse(&argp, argc, argv, flags | ARGP_NO_ERRS | ARGP_NO_HELP, NULL, c))
		return 0;
	scan_argv(argc, argv, permute, &sc);
	return report_error(c->opts.json || sc.json, EXIT_ERROR, "%s (see --help)",
			    c->error[0] ? c->error : sc.refused[0] ? sc.refused : "bad arguments");
}

/* The long name of the first option in mask. */
static const char *first_option(opt_mask mask)
{
	for (int i = 0; i < OI_MAX; i++)
		if (mask & OPT(i))
			return options[i].name;
	return "?";
}

/*
 * The subcommand's own arguments, argv[0] being its name.  trace stops at its
 * command, whose options are its own; the others take options anywhere among
 * their arguments (argp permutes).
 */
static int parse_subcommand_args(struct cli *c, const struct subcommand *sc, int argc, char **argv)
{
	static char name[64];
	bool trace = sc->run == cmd_trace;

	snprintf(name, sizeof(name), "uffdwp-trace %s", sc->name);
	argv[0] = name;
	c->args = trace ? NULL : calloc(argc + 1, sizeof(*c->args));
	if (!trace && !c->args)
		return report_error(c->opts.json, EXIT_ERROR, "out of memory");
	c->nargs = 0;
	c->collect = !trace;
	if (parse_args(c, argc, argv, trace ? ARGP_IN_ORDER : 0, !trace))
		return EXIT_ERROR;
	if (trace)
		return 0;
	if (c->nargs < sc->min_args || (sc->max_args >= 0 && c->nargs > sc->max_args))
		return report_error(c->opts.json, EXIT_ERROR, "usage: uffdwp-trace [OPTION...] %s",
				    sc->usage);
	return 0;
}

int main(int argc, char **argv)
{
	const struct subcommand *sc = &subcommands[0];
	struct cli c = {};
	int status;

	if (parse_args(&c, argc, argv, ARGP_IN_ORDER, false))
		return EXIT_ERROR;
	if (c.args && !c.forced_cmd && find_subcommand(c.args[0])) {
		int first = (int)(c.args - argv);

		sc = find_subcommand(c.args[0]);
		status = parse_subcommand_args(&c, sc, argc - first, argv + first);
		if (status)
			goto out;
	}
	if (c.probe && sc == &subcommands[0] && !c.args)
		sc = find_subcommand("probe");
	if (c.given & ~sc->allowed)
		status = report_error(c.opts.json, EXIT_ERROR, "--%s does not apply to %s",
				      first_option(c.given & ~sc->allowed), sc->name);
	else
		status = sc->run(&c);
out:
	if (c.collect)	/* parse_subcommand_args() gathered the arguments in their own array */
		free(c.args);
	return status;
}
