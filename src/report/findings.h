/* SPDX-License-Identifier: GPL-2.0 */
/* Findings of the checker as text (for people) and JSON lines (for tools). */
#ifndef UFFDWP_FINDINGS_H
#define UFFDWP_FINDINGS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct checker;

void findings_print_text(FILE *f, const struct checker *c);
void findings_print_json(FILE *f, const struct checker *c);

/* PTE_ST_* bits as "present|write|uffd_wp"; buf of at least 96 bytes. */
const char *pte_state_str(unsigned state, char *buf, size_t len);

#endif
