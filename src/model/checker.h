/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checker: feeds events to the reference model and reports where the
 * kernel's observed state contradicts it (the four finding classes of
 * docs/model.md).
 */
#ifndef UFFDWP_CHECKER_H
#define UFFDWP_CHECKER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "event.h"

enum finding_class {
	FIND_LOST_WP,		/* protected page writable / lost its bit or marker */
	FIND_DROPPED_MARKER,	/* zap left a protected file-backed entry empty */
	FIND_FALSE_WP,		/* WP message, bit or marker where nothing is protected */
	FIND_LOST_WRITE_BIT,	/* should-be-writable page faulted for write */
	FIND_CLASS_MAX,
};

#define FINDING_CHAIN 8	/* recent events on the page kept as evidence */

struct finding {
	enum finding_class cls;
	uint64_t mm;
	uint64_t mm_id, unmap_gen;	/* the model's mm and its unmaps when raised:
					 * merges stay within one mapping */
	uint32_t pid;
	char comm[UFFDWP_COMM_LEN];
	uint64_t start, end;		/* merged range, bytes */
	uint64_t vma_start, vma_end, vm_flags;	/* 0 when unknown */
	uint16_t hook, mech;		/* who saw it */
	uint32_t source_kind;		/* event kind of the evidence */
	uint32_t expected;		/* enum expect */
	uint32_t observed;		/* PTE_ST_* bits, 0 when not a PTE observation */
	uint64_t raw;			/* raw PTE/PMD value when known */
	const char *why;		/* one line: the rule that fired */
	uint64_t seq;			/* index of the event that raised it */
	uint64_t ts_ns;
	unsigned nchain;
	uint64_t chain_seq[FINDING_CHAIN];
	struct uffdwp_event chain[FINDING_CHAIN];	/* oldest first */
};

struct checker;

struct checker *checker_new(void);
void checker_feed(struct checker *c, const struct uffdwp_event *ev);
void checker_finish(struct checker *c);
size_t checker_nfindings(const struct checker *c);
const struct finding *checker_finding(const struct checker *c, size_t i);
uint64_t checker_nevents(const struct checker *c);
size_t checker_model_bytes(const struct checker *c);
/* The model the checker keeps (tests look at its pages). */
struct model *checker_model(const struct checker *c);
void checker_free(struct checker *c);

const char *finding_class_name(enum finding_class cls);
const char *expect_name(uint32_t exp);

#endif
