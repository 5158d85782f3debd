/* SPDX-License-Identifier: GPL-2.0 */
/* `uffdwp-trace replay FILE`: a recording through the pipeline of a live run. */
#ifndef UFFDWP_REPLAY_H
#define UFFDWP_REPLAY_H
#include <stdio.h>

#define REPLAY_JSON	(1u << 0)	/* JSON lines instead of text */
#define REPLAY_EVENTS	(1u << 1)	/* also print every record (-v) */

/*
 * Replays the recording at path: its findings and the same summary the live
 * run printed, to out.  Returns the live run's exit status (0 clean,
 * 1 findings, 3 inconclusive), or 2 after one error line for a bad file.
 */
int uffdwp_replay(const char *path, unsigned int flags, FILE *out);

#endif
