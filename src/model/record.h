/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recordings: the raw event stream in a versioned binary file.
 *
 * Layout (little-endian, as the events themselves on x86-64/arm64):
 *   0   char  magic[8]         "UFFDWPTR"
 *   8   u32   format_version   RECORD_FORMAT_VERSION
 *   12  u32   event_version    UFFDWP_EVENT_VERSION of the writer
 *   16  u32   event_size       sizeof(struct uffdwp_event) of the writer
 *   20  u32   hook_count       HOOK_MAX of the writer (<= RECORD_MAX_HOOKS)
 *   24  u64   event_count      written at close; 0 = unknown (read to EOF)
 *   32  char  kernel_release[64], NUL-terminated
 *   96  u8    mech[32]         enum uffdwp_mech per hook
 *   128 struct uffdwp_event records[]
 */
#ifndef UFFDWP_RECORD_H
#define UFFDWP_RECORD_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "event.h"

#define RECORD_MAGIC		"UFFDWPTR"
#define RECORD_FORMAT_VERSION	1
#define RECORD_HEADER_SIZE	128
#define RECORD_RELEASE_LEN	64
#define RECORD_MAX_HOOKS	32

struct record_header {
	uint32_t format_version;
	uint32_t event_version;
	uint32_t event_size;
	uint32_t hook_count;
	uint64_t event_count;
	char kernel_release[RECORD_RELEASE_LEN];
	uint8_t mech[RECORD_MAX_HOOKS];
};

struct recorder;

/* NULL with errno set on failure. */
struct recorder *recorder_open(const char *path, const char *kernel_release,
			       const uint8_t mech[HOOK_MAX]);
int recorder_write(struct recorder *r, const struct uffdwp_event *ev);	/* 0 or -errno */
int recorder_close(struct recorder *r);					/* 0 or -errno */

/* Parses and validates a header; NULL on success, else why it is bad. */
const char *record_parse_header(const unsigned char buf[RECORD_HEADER_SIZE],
				struct record_header *h);

/* Replays a recording through the checker and prints findings and a
 * summary to out.  Returns 0 (clean), 1 (findings) or 2 (unreadable file,
 * after one line on stderr). */
/* Replay flags */
#define REPLAY_JSON	(1u << 0)	/* JSON lines instead of text */
#define REPLAY_EVENTS	(1u << 1)	/* also print every record (-v) */
int uffdwp_replay(const char *path, unsigned flags, FILE *out);

#endif
