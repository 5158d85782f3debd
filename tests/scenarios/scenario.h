/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the scenario programs in tests/scenarios/.
 *
 * Every scenario is one translation unit built as a static binary that runs
 * in a bare guest (no libc beyond the static one, no libnuma), so everything
 * here is header-only static functions.  A scenario:
 *   - calls scen_begin("name") first,
 *   - drives one uffd-wp behaviour and checks the kernel's answer from user
 *     space (messages read, pagemap bits, fault counters, data),
 *   - ends with scen_end(), which prints exactly one line
 *       scenario: NAME verdict=ok|bug|skip|error detail=...
 *     and exits 0 (ok), 1 (bug), 77 (skip) or 2 (error: the scenario itself
 *     could not run, e.g. an unexpected syscall failure; a line on stderr
 *     says which call failed).
 * Synchronisation is by joins, eventfds and the uffd protocol itself, never
 * by sleeping.
 *
 * This header is the umbrella the scenarios include.  The helpers live in its
 * parts, in tests/scenarios/, each including the parts it builds on:
 *   scen_uapi.h     kernel interface names newer than Debian 12's headers,
 *                   the pagemap bits, the page sizes
 *   scen_report.h   the verdict and errors: scen_begin(), scen_end(),
 *                   scen_fail(), SCEN_CHECK()
 *   scen_uffd.h     userfaultfd: uffd_open(), uffd_new(), uffd_register(),
 *                   uffd_writeprotect() ...
 *   scen_monitor.h  the message reader thread: monitor_start(), monitor_stop(),
 *                   monitor_wait_event() ...
 *   scen_pagemap.h  ground truth: pagemap entries, fault counters, NUMA
 *   scen_region.h   backings and regions: region_map(), mremap and munmap,
 *                   PAGEMAP_SCAN, smaps, swap
 *   scen_rows.h     one row per backing: rows_add(), SCEN_MAIN_BACKINGS()
 *   scen_data.h     page data: access_signal(), page_fill(), region_fill(),
 *                   region_map_protected(), region_write_even(), writer threads
 *   scen_child.h    child processes: scen_fork(), child_wait(),
 *                   rows_add_from_child()
 */
#ifndef UFFDWP_SCENARIO_H
#define UFFDWP_SCENARIO_H

/* None of the parts needs it; the scenario programs have had it from here. */
#include <stdatomic.h>

#include "scen_uapi.h"
#include "scen_report.h"
#include "scen_uffd.h"
#include "scen_monitor.h"
#include "scen_pagemap.h"
#include "scen_region.h"
#include "scen_rows.h"
#include "scen_data.h"
#include "scen_child.h"

#endif /* UFFDWP_SCENARIO_H */
