// SPDX-License-Identifier: GPL-2.0
/* Recordings: round trip through the file format, and bad files. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "synth.h"
#include "tap.h"
#include "pipeline/replay.h"

#define FD 3
#define A A_BASE

static char dir[] = "/tmp/uffdwp-test-record.XXXXXX";

static char *path_in_dir(const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

/* The run of the #14 recording as the live tracer would know it at its end. */
static struct run_info bug14_run(void)
{
	struct run_info ri = { .kernel = "6.1.0-56-amd64", .target_pid = 100, .target_exit = 0,
			       .ended = true };

	ri.mech[HOOK_CHANGE_PROTECTION] = MECH_KPROBE;
	ri.mech[HOOK_SYSCALLS] = MECH_TRACEPOINT;
	ri.mech[HOOK_SCHED] = MECH_TRACEPOINT;
	snprintf(ri.target[HOOK_CHANGE_PROTECTION], RUN_TARGET_LEN, "change_protection");
	snprintf(ri.note[HOOK_ZAP], RUN_NOTE_LEN, "fentry unmap_page_range: Operation not permitted");
	return ri;
}

/*
 * The #14 sequence (one LOST_WRITE_BIT) run live through the pipeline into
 * out, recorded to path with ri at its end; the live run's exit status.
 */
static int record_bug14(const char *path, const struct run_info *ri, bool json, char *out,
			size_t len)
{
	const struct run_info start = *ri;
	struct run_info end = *ri;
	FILE *f = fmemopen(out, len - 1, "w");
	struct pipeline_opts o = { .out = f, .json = json, .record = path };
	struct pipeline p;
	struct synth s;
	int status;

	memset(out, 0, len);
	pipeline_init(&p, &o, &start);
	synth_init(&s, NULL, 0xffff888000001000ULL, 100, VMF_ANON, A, A + 4 * PG);
	s.pipe = &p;
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + 4 * PG);
	s_write_fault(&s, A, PF_USER_WRITE);
	s_writeprotect(&s, FD, A, A + 4 * PG, true);
	s_writeprotect(&s, FD, A, A + 4 * PG, false);
	s_write_fault(&s, A, PF_PROT_WRITE);
	status = pipeline_finish(&p, &end, NULL);
	pipeline_free(&p);
	fclose(f);
	return status;
}

static int replay_to(const char *path, bool json, char *out, size_t len)
{
	FILE *f = fmemopen(out, len - 1, "w");
	int status;

	memset(out, 0, len);
	status = uffdwp_replay(path, json ? REPLAY_JSON : 0, f);
	fclose(f);
	return status;
}

/* A replay prints what the live run printed: findings and the same summary. */
static void round_trip(void)
{
	const char *path = path_in_dir("bug14.rec");
	const struct run_info ri = bug14_run();
	char live[16384], out[16384], *body;
	int live_status, status;

	live_status = record_bug14(path, &ri, true, live, sizeof(live));
	status = replay_to(path, true, out, sizeof(out));
	tap_ok(live_status == 1 && status == 1 && strcmp(out, live) == 0,
	       "JSON replay prints the live findings and summary, byte for byte (status %d)",
	       status);
	tap_ok(strstr(out, "\"kernel\":\"6.1.0-56-amd64\"") &&
	       strstr(out, "\"targets\":{\"change_protection\":\"change_protection\"") &&
	       strstr(out, "\"target_pid\":100,\"target_exit\":0,\"verdict\":\"findings\""),
	       "the summary carries kernel, targets, target and verdict from the recording");
	live_status = record_bug14(path, &ri, false, live, sizeof(live));
	status = replay_to(path, false, out, sizeof(out));
	body = strstr(out, "\n\n");
	tap_ok(status == 1 && strstr(out, "replay of ") == out && body && !strcmp(body + 2, live),
	       "text replay: one line naming the file, then the live run's text");
	tap_ok(strstr(out, "LOST_WRITE_BIT  pid 100") && strstr(out, "kernel 6.1.0-56-amd64") &&
	       strstr(out, "fentry unmap_page_range: Operation not permitted"),
	       "text replay names class, pid, kernel and each hook's notes");
}

/* The summary counts the fill ioctls by kind (one EV_UFFD_COPY each; a
 * MODE_WP fill's begin record is not a call), MOVE and POISON among them. */
static void fill_counts(long json)
{
	struct run_info ri = bug14_run();
	char out[16384];
	FILE *f = fmemopen(out, sizeof(out) - 1, "w");
	struct pipeline_opts o = { .out = f, .json = json };
	struct pipeline p;
	struct synth s;

	memset(out, 0, sizeof(out));
	pipeline_init(&p, &o, &ri);
	synth_init(&s, NULL, 0xffff888000001000ULL, 100, VMF_ANON, A, A + 8 * PG);
	s.pipe = &p;
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + 8 * PG);
	s_fill(&s, FD, A, PG, FILL_COPY, UFFD_COPY_MODE_WP, true, 0);
	s_copy(&s, FD, A, PG, FILL_COPY, UFFD_COPY_MODE_WP);
	s_copy(&s, FD, A + PG, PG, FILL_POISON, 0);
	s_move(&s, FD, A + 2 * PG, A + 4 * PG, 2 * PG, 2 * PG);
	s_move(&s, FD, A + 6 * PG, A + 4 * PG, PG, -17);
	pipeline_finish(&p, &ri, NULL);
	pipeline_free(&p);
	fclose(f);
	if (json)
		tap_ok(strstr(out, "\"uffd_copy\":4,") &&
		       strstr(out, "\"uffd_fills\":{\"copy\":1,\"zeropage\":0,\"continue\":0,"
				   "\"poison\":1,\"move\":2}"),
		       "JSON summary: uffd_fills counts copy 1, poison 1, move 2");
	else
		tap_ok(strstr(out, " uffd_copy=4\nuffd fills: copy=1 poison=1 move=2\n"),
		       "text summary: uffd fills: copy=1 poison=1 move=2");
}

/* The #14 recording round_trip() leaves (text last), made here when -f skipped it. */
static const char *bug14_recording(void)
{
	const char *path = path_in_dir("bug14.rec");
	const struct run_info ri = bug14_run();
	char live[16384];

	if (access(path, F_OK) != 0)
		record_bug14(path, &ri, false, live, sizeof(live));
	return path;
}

/* Losses recorded at the end make the replay inconclusive, as they made the run. */
static void lost_run(void)
{
	const char *path = path_in_dir("lost.rec");
	struct run_info ri = bug14_run();
	char live[16384], out[16384];
	int live_status, status;

	ri.lost[HOOK_WRITE_FAULT] = 7;
	ri.lost_cause[LOST_RING] = 5;
	ri.lost_cause[LOST_TABLE] = 2;
	live_status = record_bug14(path, &ri, true, live, sizeof(live));
	status = replay_to(path, true, out, sizeof(out));
	tap_ok(live_status == 3 && status == 3 && !strcmp(out, live) &&
	       strstr(out, "\"lost\":7,\"lost_by_hook\":{\"page_fault_user\":7},"
			   "\"lost_by_cause\":{\"ring_full\":5,\"table_full\":2,\"skipped_runs\":0}") &&
	       strstr(out, "\"reason\":\"7 events lost\""),
	       "a recording with lost events replays inconclusive (status %d), as it ran, "
	       "with the losses by cause", status);
}

static void clean_file(void)
{
	const char *path = path_in_dir("clean.rec");
	struct run_info ri = { .kernel = "6.12.117", .ended = true, .target_exit = -1 };
	struct recorder *r;
	char out[16384];

	ri.mech[HOOK_SYSCALLS] = ri.mech[HOOK_SCHED] = MECH_TRACEPOINT;
	r = recorder_open(path, &ri);
	tap_ok(r && recorder_close(r, &ri) == 0 && replay_to(path, false, out, sizeof(out)) == 0 &&
	       strstr(out, "findings: 0\nverdict: clean"), "an empty recording replays clean (status 0)");
}

static long file_bytes(const char *path, char **data)
{
	FILE *f = fopen(path, "rb");
	long n;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*data = malloc((size_t)n);
	if (fread(*data, 1, (size_t)n, f) != (size_t)n)
		n = -1;
	fclose(f);
	return n;
}

static void write_bytes(const char *path, const char *data, long n)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, (size_t)n, f);
	fclose(f);
}

static long stderr_lines(FILE *err)
{
	long lines = 0;
	int ch;

	fflush(err);
	rewind(err);
	while ((ch = fgetc(err)) != EOF)
		lines += ch == '\n';
	return lines;
}

/* Every truncation of a good file: status 2 and exactly one stderr line. */
static void truncations(void)
{
	const char *good = bug14_recording(), *cut = path_in_dir("cut.rec");
	char *data, out[16384];
	long n = file_bytes(good, &data), bad = 0, lines;
	FILE *err = tmpfile();
	int saved = dup(2);

	dup2(fileno(err), 2);
	for (long len = 0; len < n; len++) {
		write_bytes(cut, data, len);
		bad += replay_to(cut, false, out, sizeof(out)) != 2;
	}
	lines = stderr_lines(err);
	dup2(saved, 2);
	close(saved);
	tap_ok(bad == 0 && lines == n, "%ld truncations: all status 2, %ld error lines", n, lines);
	fclose(err);
	free(data);
}

/* Replays with stderr silenced; the status. */
static int replay_quiet(const char *path)
{
	char out[16384];
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	int status;

	dup2(null, 2);
	status = replay_to(path, false, out, sizeof(out));
	dup2(saved, 2);
	close(saved);
	close(null);
	return status;
}

/* Flips one field of a good file and expects status 2. */
static void corrupt_case(const char *name, size_t offset, const void *bytes, size_t len)
{
	const char *good = bug14_recording(), *bad = path_in_dir("bad.rec");
	char *data;
	long n = file_bytes(good, &data);

	memcpy(data + offset, bytes, len);
	write_bytes(bad, data, n);
	tap_ok(replay_quiet(bad) == 2, "%s: status 2", name);
	free(data);
}

/* Records in a good file (its size less header and trailer). */
static long n_records(const char *path)
{
	char *data;
	long n = file_bytes(path, &data);

	free(data);
	return (n - RECORD_HEADER_SIZE - (long)RECORD_TRAILER_SIZE) / (long)sizeof(struct uffdwp_event);
}

static void corruptions(void)
{
	const uint32_t big = 0xffffffff, v2 = 2, v3 = 3;
	const size_t rec0 = RECORD_HEADER_SIZE;
	char release[RECORD_RELEASE_LEN];

	memset(release, 'x', sizeof(release));
	corrupt_case("foreign file (bad magic)", 0, "ELF\x7f", 4);
	corrupt_case("future format version", 8, &v3, 4);
	corrupt_case("other event ABI version", 12, &big, 4);
	corrupt_case("other record size", 16, &v2, 4);
	corrupt_case("unterminated kernel release", 32, release, sizeof(release));
	corrupt_case("record with kind 0", rec0 + offsetof(struct uffdwp_event, kind), "\0\0\0\0", 4);
	corrupt_case("record with hook out of range", rec0 + offsetof(struct uffdwp_event, hook),
		     "\xff\x00", 2);
	corrupt_case("extra events beyond the count", 24, "\x01\0\0\0\0\0\0\0", 8);
	corrupt_case("trailer of another size",
		     RECORD_HEADER_SIZE + n_records(bug14_recording()) * sizeof(struct uffdwp_event) + 8,
		     "\x01\0\0\0", 4);
	tap_ok(replay_quiet(path_in_dir("missing.rec")) == 2, "missing file: status 2");
}

static void unknown_count(void)
{
	const char *good = bug14_recording(), *pipe_like = path_in_dir("nocount.rec");
	char *data, out[16384];
	long n = file_bytes(good, &data);

	memset(data + 24, 0, 8);	/* as written to a pipe: count unknown */
	write_bytes(pipe_like, data, n);
	tap_ok(replay_to(pipe_like, false, out, sizeof(out)) == 1,
	       "a recording without a count (pipe) reads to its trailer");
	/* a tracer that died: no count and no trailer */
	write_bytes(pipe_like, data, n - (long)RECORD_TRAILER_SIZE);
	tap_ok(replay_to(pipe_like, true, out, sizeof(out)) == 3 &&
	       strstr(out, "\"losses_known\":false") &&
	       strstr(out, "\"reason\":\"the run's end was not recorded"),
	       "a recording without its end replays inconclusive: losses unknown");
	/* format 1 had no trailer: readable, losses unknown */
	memcpy(data + 8, "\x01\0\0\0", 4);
	write_bytes(pipe_like, data, n - (long)RECORD_TRAILER_SIZE);
	tap_ok(replay_to(pipe_like, false, out, sizeof(out)) == 3 &&
	       strstr(out, "LOST_WRITE_BIT  pid 100"),
	       "a format-1 recording replays its findings, inconclusive (losses unknown)");
	free(data);
}

/* The kernel's write-fault counters (bpf/faults.bpf.c) are in the summary and
 * kept by the recording; a recording without them (zero) says nothing. */
static void write_fault_counts(void)
{
	const char *path = path_in_dir("wf.rec");
	struct run_info ri = bug14_run();
	char live[16384], out[16384], text[16384];
	int status;

	ri.wf_seen = 9;
	ri.wf_repeats = 7;
	record_bug14(path, &ri, true, live, sizeof(live));
	status = replay_to(path, true, out, sizeof(out));
	tap_ok(status == 1 && !strcmp(out, live) &&
	       strstr(out, "\"write_faults\":{\"seen\":9,\"recorded\":2,\"repeats\":7,\"lost\":0}"),
	       "write faults seen, recorded, repeats and lost: in the JSON summary, live and replayed");
	replay_to(path, false, text, sizeof(text));
	tap_ok(strstr(text, "write faults: seen=9 recorded=2 repeats=7 lost=0") != NULL,
	       "and in the text summary");
	ri.wf_seen = ri.wf_repeats = 0;
	record_bug14(path, &ri, true, live, sizeof(live));
	replay_to(path, true, out, sizeof(out));
	tap_ok(!strstr(out, "write_faults"), "not counted (0): no write_faults object");
}

/* The pages the walks were asked for (bpf/pgtable.bpf.c walk_stats) are in the
 * summary beside pages_verified and kept by the recording; 0 says nothing. */
static void pages_to_verify(void)
{
	const char *path = path_in_dir("walks.rec");
	struct run_info ri = bug14_run();
	char live[16384], out[16384], text[16384];

	ri.pages_to_verify = 524288;
	record_bug14(path, &ri, true, live, sizeof(live));
	replay_to(path, true, out, sizeof(out));
	tap_ok(!strcmp(out, live) && strstr(out, "\"pages_to_verify\":524288,"),
	       "pages the walks were asked for: in the JSON summary, live and replayed");
	replay_to(path, false, text, sizeof(text));
	tap_ok(strstr(text, " of 524288 the walks were asked for") != NULL, "and in the text summary");
	ri.pages_to_verify = 0;
	record_bug14(path, &ri, true, live, sizeof(live));
	replay_to(path, true, out, sizeof(out));
	tap_ok(!strstr(out, "pages_to_verify"), "not counted (0): no pages_to_verify");
}

static const struct tap_test tests[] = {
	TAP_TEST(round_trip),
	TAP_TEST(lost_run),
	TAP_TEST(clean_file),
	TAP_TEST_ARG(fill_counts, false),
	TAP_TEST_ARG(fill_counts, true),
	TAP_TEST(truncations),
	TAP_TEST(corruptions),
	TAP_TEST(unknown_count),
	TAP_TEST(pages_to_verify),
	TAP_TEST(write_fault_counts),
};

int main(int argc, char **argv)
{
	char cmd[300];
	int status;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	status = tap_main(TAP_TESTS(tests), argc, argv);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return status;
}
