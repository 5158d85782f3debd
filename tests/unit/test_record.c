// SPDX-License-Identifier: GPL-2.0
/* Recordings: round trip through the file format, and bad files. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "synth.h"
#include "tap.h"
#include "report/findings.h"

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

/* The #14 sequence: one LOST_WRITE_BIT, recorded and checked live. */
static struct checker *record_bug14(const char *path)
{
	static const uint8_t mech[HOOK_MAX] = { [HOOK_CHANGE_PROTECTION] = MECH_KPROBE,
						[HOOK_SYSCALLS] = MECH_TRACEPOINT };
	struct checker *c = checker_new();
	struct synth s;

	synth_init(&s, NULL, 0xffff888000001000ULL, 100, VMF_ANON, A, A + 4 * PG);
	s.c = c;
	s.rec = recorder_open(path, "6.1.0-56-amd64", mech);
	s_open_api(&s, FD, 0);
	s_register(&s, FD, A, A + 4 * PG);
	s_write_fault(&s, A, PF_USER_WRITE);
	s_writeprotect(&s, FD, A, A + 4 * PG, true);
	s_writeprotect(&s, FD, A, A + 4 * PG, false);
	s_write_fault(&s, A, PF_PROT_WRITE);
	recorder_close(s.rec);
	return c;
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

static void round_trip(void)
{
	const char *path = path_in_dir("bug14.rec");
	struct checker *live = record_bug14(path);
	char live_out[16384] = "", out[16384];
	FILE *f = fmemopen(live_out, sizeof(live_out) - 1, "w");
	int status;

	findings_print_json(f, live);
	findings_print_summary(f, live, true);
	fclose(f);
	status = replay_to(path, true, out, sizeof(out));
	tap_ok(status == 1 && checker_nfindings(live) == 1 && strcmp(out, live_out) == 0,
	       "replay prints the live findings (status %d)", status);
	status = replay_to(path, false, out, sizeof(out));
	tap_ok(status == 1 && strstr(out, "LOST_WRITE_BIT  pid 100") &&
	       strstr(out, "kernel 6.1.0-56-amd64"), "text replay names class, pid and kernel");
	checker_free(live);
}

static void clean_file(void)
{
	const char *path = path_in_dir("clean.rec");
	struct recorder *r = recorder_open(path, "6.12.117", NULL);
	char out[4096];

	tap_ok(r && recorder_close(r) == 0 && replay_to(path, false, out, sizeof(out)) == 0 &&
	       strstr(out, "0 findings"), "an empty recording replays clean (status 0)");
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
	const char *good = path_in_dir("bug14.rec"), *cut = path_in_dir("cut.rec");
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
	const char *good = path_in_dir("bug14.rec"), *bad = path_in_dir("bad.rec");
	char *data;
	long n = file_bytes(good, &data);

	memcpy(data + offset, bytes, len);
	write_bytes(bad, data, n);
	tap_ok(replay_quiet(bad) == 2, "%s: status 2", name);
	free(data);
}

static void corruptions(void)
{
	const uint32_t big = 0xffffffff, v2 = 2;
	const size_t rec0 = RECORD_HEADER_SIZE;
	char release[RECORD_RELEASE_LEN];

	memset(release, 'x', sizeof(release));
	corrupt_case("foreign file (bad magic)", 0, "ELF\x7f", 4);
	corrupt_case("future format version", 8, &v2, 4);
	corrupt_case("other event ABI version", 12, &big, 4);
	corrupt_case("other record size", 16, &v2, 4);
	corrupt_case("unterminated kernel release", 32, release, sizeof(release));
	corrupt_case("record with kind 0", rec0 + offsetof(struct uffdwp_event, kind), "\0\0\0\0", 4);
	corrupt_case("record with hook out of range", rec0 + offsetof(struct uffdwp_event, hook),
		     "\xff\x00", 2);
	corrupt_case("extra events beyond the count", 24, "\x01\0\0\0\0\0\0\0", 8);
	tap_ok(replay_quiet(path_in_dir("missing.rec")) == 2, "missing file: status 2");
}

static void unknown_count(void)
{
	const char *good = path_in_dir("bug14.rec"), *pipe_like = path_in_dir("nocount.rec");
	char *data, out[16384];
	long n = file_bytes(good, &data);

	memset(data + 24, 0, 8);	/* as written to a pipe: count unknown */
	write_bytes(pipe_like, data, n);
	tap_ok(replay_to(pipe_like, false, out, sizeof(out)) == 1,
	       "a recording without a count (pipe) reads to EOF");
	free(data);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	round_trip();
	clean_file();
	truncations();
	corruptions();
	unknown_count();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
