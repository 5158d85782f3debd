/* SPDX-License-Identifier: GPL-2.0 */
/* Stable names of hooks, mechanisms and event kinds: text and JSON use the same. */
#ifndef UFFDWP_NAMES_H
#define UFFDWP_NAMES_H
#include <linux/types.h>
#include "event.h"

const char *hook_name(unsigned int hook);
const char *mech_name(unsigned int mech);
const char *kind_name(unsigned int kind);
const char *fill_op_name(unsigned int op);	/* enum uffdwp_fill_op: copy, ..., move */
const char *lost_cause_name(unsigned int cause);	/* enum uffdwp_lost_cause */

#endif
