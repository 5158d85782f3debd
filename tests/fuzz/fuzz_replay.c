// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the input as a recording file through `uffdwp-trace replay`
 * (record.c's reader, the pipeline, the text or JSON report), which must
 * end with an exit status, never a crash or an ASan/UBSan report. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pipeline/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];
static FILE *out;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int status;

	if (fd < 0) {
		/* the reader opens a path: a memory file, rewritten for each input */
		fd = memfd_create("fuzz-recording", 0);
		out = fopen("/dev/null", "w");
		/* JSON errors go to stdout; the text ones to stderr, the log */
		if (fd < 0 || !out || !freopen("/dev/null", "w", stdout))
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	/* odd sizes: JSON lines; even: text with every record (-v) */
	status = uffdwp_replay(path, size % 2 ? REPLAY_JSON : REPLAY_EVENTS, out);
	if (status < 0 || status > 3)
		abort();
	return 0;
}
