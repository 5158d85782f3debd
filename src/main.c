// SPDX-License-Identifier: GPL-2.0
/*
 * uffdwp-trace: trace a process's userfaultfd write-protection and check the
 * kernel kept its promise.  See README.md and uffdwp-trace(8).
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "loader/progstats.h"
#include "loader/session.h"
#include "model/record.h"

const char *argp_program_version = "uffdwp-trace 0.1";
const char *argp_program_bug_address = "the project's issue tracker";

static const char doc[] =
	"Trace userfaultfd write-protection of a process and report kernel violations.\v"
	"Exit status: 0 clean, 1 findings, 2 usage or environment error,\n"
	"3 inconclusive (events lost, required hooks missing).\n\n"
	"Examples:\n"
	"  uffdwp-trace -p 1234               trace a running process until it exits\n"
	"  uffdwp-trace -v -- ./snapshot-app  start a program held until all hooks attach\n"
	"  uffdwp-trace --json -d 10 -p 1234  JSON lines for 10 seconds\n"
	"  uffdwp-trace --probe               which mechanism each hook gets on this kernel\n"
	"  uffdwp-trace --record run.uwt -- ./app;  uffdwp-trace replay run.uwt";

static const char args_doc[] = "(-p PID | [--] CMD [ARGS...])\nreplay [-v] [--json] FILE";

enum { OPT_PROBE = 1000, OPT_STRICT, OPT_RECORD, OPT_DEBUG, OPT_NO_FOLLOW, OPT_NO_FENTRY,
       OPT_PROG_STATS };

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace this running process (and its children)" },
	{ "verbose", 'v', NULL, 0, "Print every event" },
	{ "json", 'j', NULL, 0, "JSON lines on stdout (events with -v implied)" },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS" },
	{ "buffer-mib", 'b', "MIB", 0, "Ring buffer size, a power of two (default 32)" },
	{ "probe", OPT_PROBE, NULL, 0, "Print the mechanism each hook gets, then exit" },
	{ "strict", OPT_STRICT, NULL, 0,
	  "Require the four kernel hooks (change_protection, migration, zap, handle_userfault)" },
	{ "record", OPT_RECORD, "FILE", 0, "Also write the raw event stream to FILE" },
	{ "no-follow", OPT_NO_FOLLOW, NULL, 0, "Do not trace children" },
	{ "no-fentry", OPT_NO_FENTRY, NULL, 0, "Use kprobes where fentry would do" },
	{ "debug", OPT_DEBUG, NULL, 0, "libbpf messages and the verifier log" },
	{ "prog-stats", OPT_PROG_STATS, NULL, 0,
	  "Kernel run count and run time of each BPF program in the summary" },
	{},
};

struct cli {
	struct trace_opts opts;
	bool probe;
};

static long parse_long(const char *s, long min, long max, struct argp_state *state, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		argp_error(state, "invalid %s: %s", what, s);
	return v;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct cli *c = state->input;

	switch (key) {
	case 'p':
		c->opts.pid = parse_long(arg, 1, INT_MAX, state, "PID");
		break;
	case 'v':
		c->opts.verbose = true;
		break;
	case 'j':
		c->opts.json = true;
		break;
	case 'd':
		c->opts.duration = parse_long(arg, 1, INT_MAX, state, "duration");
		break;
	case 'b':
		c->opts.buffer_mib = parse_long(arg, 1, 4096, state, "ring buffer size");
		if (c->opts.buffer_mib & (c->opts.buffer_mib - 1))
			argp_error(state, "ring buffer size must be a power of two: %s", arg);
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
	case ARGP_KEY_ARG:
		/* the command and its own options, untouched */
		c->opts.cmd = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (c->probe)
			break;
		if (!c->opts.pid == !c->opts.cmd)
			argp_error(state, "give either -p PID or a command to run");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int replay_main(int argc, char **argv)
{
	unsigned flags = 0;
	const char *file = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			flags |= REPLAY_JSON;
		else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
			flags |= REPLAY_EVENTS;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else
			file = NULL, i = argc;
	}
	if (!file) {
		fprintf(stderr, "uffdwp-trace: usage: uffdwp-trace replay [-v] [--json] FILE\n");
		return EXIT_ERROR;
	}
	return uffdwp_replay(file, flags, stdout);
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, args_doc, doc };
	struct cli c = {};
	int status;

	if (argc > 1 && !strcmp(argv[1], "replay"))
		return replay_main(argc - 1, argv + 1);
	/* argp exits with status 64 on usage errors; ours is 2 */
	argp_err_exit_status = EXIT_ERROR;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &c))
		return EXIT_ERROR;
	if (c.probe)
		return probe_run(&c.opts);
	if (!c.opts.prog_stats)
		return trace_run(&c.opts);
	progstats_enable();	/* before the programs load: they are counted from the start */
	status = trace_run(&c.opts);
	progstats_disable();
	return status;
}
