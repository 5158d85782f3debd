/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recordings: the raw event stream of a run in a versioned binary file, with
 * what the run's summary needs besides the events (struct run_info).  The
 * file format only: pipeline/replay.c feeds what it reads to the pipeline.
 *
 * Layout (little-endian, as the events themselves on x86-64/arm64):
 *   0   char  magic[8]         "UFFDWPTR"
 *   8   u32   format_version   RECORD_FORMAT_VERSION (1 is still read)
 *   12  u32   event_version    UFFDWP_EVENT_VERSION of the writer
 *   16  u32   event_size       sizeof(struct uffdwp_event) of the writer
 *   20  u32   hook_count       HOOK_MAX of the writer (<= RECORD_MAX_HOOKS)
 *   24  u64   event_count      written at close; 0 = unknown (read to the trailer or EOF)
 *   32  char  kernel_release[64], NUL-terminated
 *   96  u8    mech[32]         enum uffdwp_mech per hook
 *   128 struct uffdwp_event records[]
 * then, from format 2, the trailer written at close (a whole number of
 * record slots, so a reader that does not know the count meets it at a
 * record boundary):
 *   0    char magic[8]         "UFFDWPEN"
 *   8    u32  size             bytes of the trailer
 *   12   u32  flags            RECORD_TRAILER_STRICT
 *   16   s32  target_pid
 *   20   s32  target_exit      -1 = unknown
 *   24   u32  hook_count
 *   32   u64  lost[32]
 *   288  u64  invariant[32]
 *   544  char target[32][48]
 *   2080 char note[32][192]
 *   8224 u64  wf_seen, wf_repeats   write faults seen, repeats not recorded
 *   8240 u64  lost_cause[3]         lost[] by enum uffdwp_lost_cause
 *   8264 u64  pages_to_verify       pages the walks were asked to observe
 *   (the last three in the trailer's zero padding: 0 in files written before them)
 * A format-2 file without a trailer comes from a tracer that did not finish:
 * it replays, and its losses are unknown.
 */
#ifndef UFFDWP_RECORD_H
#define UFFDWP_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "run.h"

#define RECORD_MAGIC		"UFFDWPTR"
#define RECORD_TRAILER_MAGIC	"UFFDWPEN"
#define RECORD_FORMAT_VERSION	2
#define RECORD_HEADER_SIZE	128
#define RECORD_RELEASE_LEN	64
#define RECORD_MAX_HOOKS	32
#define RECORD_TRAILER_DATA	(2080 + RECORD_MAX_HOOKS * RUN_NOTE_LEN)
#define RECORD_TRAILER_SLOTS \
	((RECORD_TRAILER_DATA + sizeof(struct uffdwp_event) - 1) / sizeof(struct uffdwp_event))
#define RECORD_TRAILER_SIZE	(RECORD_TRAILER_SLOTS * sizeof(struct uffdwp_event))
#define RECORD_TRAILER_STRICT	(1u << 0)

struct record_header {
	uint32_t format_version;
	uint32_t event_version;
	uint32_t event_size;
	uint32_t hook_count;
	uint64_t event_count;
	char kernel_release[RECORD_RELEASE_LEN];
	uint8_t mech[RECORD_MAX_HOOKS];
};

/* ---- writing ---- */
struct recorder;

/* Header from ri's kernel and mech; NULL with errno set on failure. */
struct recorder *recorder_open(const char *path, const struct run_info *ri);
int recorder_write(struct recorder *r, const struct uffdwp_event *ev);	/* 0 or -errno */
/* Writes the trailer from ri (NULL: none, the run did not end) and the count. */
int recorder_close(struct recorder *r, const struct run_info *ri);	/* 0 or -errno */

/* ---- reading ---- */
struct record_reader;

/*
 * Opens and checks a recording; fills ri from its header.  NULL on failure,
 * with why (a message without the path) in why.
 */
struct record_reader *record_reader_open(const char *path, struct run_info *ri,
					 char *why, size_t len);
/*
 * The next batch of valid records in *batch: returns their number, 0 at the
 * end (ri then has the trailer's part: ri->ended tells whether there was
 * one), -1 on a bad file (why says what and where).
 */
long record_reader_next(struct record_reader *r, const struct uffdwp_event **batch,
			struct run_info *ri, char *why, size_t len);
void record_reader_close(struct record_reader *r);

/* Parses and validates a header; NULL on success, else why it is bad. */
const char *record_parse_header(const unsigned char buf[RECORD_HEADER_SIZE],
				struct record_header *h);

#endif
