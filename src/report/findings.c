// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>

#include "model/checker.h"
#include "model/model.h"
#include "report/events.h"
#include "report/findings.h"
#include "report/names.h"
#include "report/json.h"

#define NS_PER_SEC 1000000000ULL

const char *pte_state_str(unsigned state, char *buf, size_t len)
{
	static const char *const bits[] = {
		"none", "present", "write", "uffd_wp", "swap", "migration",
		"marker_wp", "huge", "dirty", "marker_other", "special",
	};
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < sizeof(bits) / sizeof(bits[0]); b++)
		if (state & (1u << b))
			off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					off ? "|" : "", bits[b]);
	if (!off)
		snprintf(buf, len, "-");
	return buf;
}

static void comm_of(const char comm[UFFDWP_COMM_LEN], char out[UFFDWP_COMM_LEN + 1])
{
	memcpy(out, comm, UFFDWP_COMM_LEN);
	out[UFFDWP_COMM_LEN] = '\0';
}

/* The expected entry for an expectation, in PTE terms. */
static const char *expected_entry(uint32_t exp)
{
	switch (exp) {
	case EXP_UNPROTECTED: return "no uffd-wp bit or marker; writable where the VMA is";
	case EXP_PROTECTED: return "uffd-wp bit (or marker), read-only";
	case EXP_PROTECTED_IF_POPULATED: return "uffd-wp bit if populated, read-only";
	default: return "no uffd-wp bit or marker";
	}
}

static void vm_flags_str(uint64_t fl, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", fl & UFFDWP_VM_SHARED ? "shared" : "private",
		 fl & UFFDWP_VM_WRITE ? "|write" : "",
		 fl & UFFDWP_VM_HUGETLB ? "|hugetlb" : "",
		 fl & UFFDWP_VM_UFFD_WP ? "|uffd_wp" : "");
}

/* The kind-specific fields of an event (report/events.c), as a string. */
static void event_detail(const struct uffdwp_event *ev, char *buf, size_t len)
{
	FILE *mf = fmemopen(buf, len, "w");

	buf[0] = '\0';
	if (!mf)
		return;
	event_print_fields(mf, ev);
	fclose(mf);
}

static void print_event_line(FILE *f, const struct uffdwp_event *ev, uint64_t seq)
{
	char detail[256];

	event_detail(ev, detail, sizeof(detail));
	fprintf(f, "      #%-6llu %llu.%06llus pid %-6u %-18s%s  [%s]\n",
		(unsigned long long)seq, (unsigned long long)(ev->ts_ns / NS_PER_SEC),
		(unsigned long long)(ev->ts_ns % NS_PER_SEC / 1000), ev->pid,
		kind_name(ev->kind), detail, hook_name(ev->hook));
}

static void print_finding_text(FILE *f, const struct finding *fd)
{
	char comm[UFFDWP_COMM_LEN + 1], st[96], fl[64];

	comm_of(fd->comm, comm);
	fprintf(f, "%s  pid %u (%s)  0x%llx-0x%llx (%llu pages)\n",
		finding_class_name(fd->cls), fd->pid, comm,
		(unsigned long long)fd->start, (unsigned long long)fd->end,
		(unsigned long long)((fd->end - fd->start) >> UFFDWP_PAGE_SHIFT));
	fprintf(f, "    what:      %s\n", fd->why);
	fprintf(f, "    seen by:   %s [%s] (%s), event #%llu at %llu.%06llus\n",
		hook_name(fd->hook), mech_name(fd->mech), kind_name(fd->source_kind),
		(unsigned long long)fd->seq, (unsigned long long)(fd->ts_ns / NS_PER_SEC),
		(unsigned long long)(fd->ts_ns % NS_PER_SEC / 1000));
	if (fd->vma_end) {
		vm_flags_str(fd->vm_flags, fl, sizeof(fl));
		fprintf(f, "    vma:       0x%llx-0x%llx vm_flags 0x%llx (%s)\n",
			(unsigned long long)fd->vma_start, (unsigned long long)fd->vma_end,
			(unsigned long long)fd->vm_flags, fd->vm_flags ? fl : "unknown");
	}
	fprintf(f, "    expected:  %s: %s\n", expect_name(fd->expected), expected_entry(fd->expected));
	fprintf(f, "    observed:  %s", pte_state_str(fd->observed, st, sizeof(st)));
	if (fd->raw)
		fprintf(f, " (entry 0x%llx)", (unsigned long long)fd->raw);
	fprintf(f, "\n    last events on 0x%llx:\n", (unsigned long long)fd->start);
	for (unsigned i = 0; i < fd->nchain; i++)
		print_event_line(f, &fd->chain[i], fd->chain_seq[i]);
}

void findings_print_text(FILE *f, const struct checker *c)
{
	for (size_t i = 0; i < checker_nfindings(c); i++) {
		print_finding_text(f, checker_finding(c, i));
		fputc('\n', f);
	}
}

static void json_event(struct json *j, const struct uffdwp_event *ev, uint64_t seq)
{
	char detail[256];

	event_detail(ev, detail, sizeof(detail));
	json_arr_obj_begin(j);
	json_u64(j, "seq", seq);
	json_u64(j, "ts_ns", ev->ts_ns);
	json_u64(j, "pid", ev->pid);
	json_str(j, "kind", kind_name(ev->kind));
	json_str(j, "hook", hook_name(ev->hook));
	json_str(j, "fields", detail);
	json_obj_end(j);
}

static void print_finding_json(FILE *f, const struct finding *fd)
{
	char comm[UFFDWP_COMM_LEN + 1], st[96];
	struct json j;

	comm_of(fd->comm, comm);
	json_begin(&j, f);
	json_str(&j, "type", "finding");
	json_str(&j, "class", finding_class_name(fd->cls));
	json_u64(&j, "pid", fd->pid);
	json_str(&j, "comm", comm);
	json_hex(&j, "mm", fd->mm);
	json_hex(&j, "start", fd->start);
	json_hex(&j, "end", fd->end);
	json_u64(&j, "pages", (fd->end - fd->start) >> UFFDWP_PAGE_SHIFT);
	json_hex(&j, "vma_start", fd->vma_start);
	json_hex(&j, "vma_end", fd->vma_end);
	json_hex(&j, "vm_flags", fd->vm_flags);
	json_str(&j, "hook", hook_name(fd->hook));
	json_str(&j, "mech", mech_name(fd->mech));
	json_str(&j, "source", kind_name(fd->source_kind));
	json_str(&j, "expected", expect_name(fd->expected));
	json_str(&j, "observed", pte_state_str(fd->observed, st, sizeof(st)));
	json_hex(&j, "raw", fd->raw);
	json_str(&j, "why", fd->why);
	json_u64(&j, "seq", fd->seq);
	json_arr_begin(&j, "events");
	for (unsigned i = 0; i < fd->nchain; i++)
		json_event(&j, &fd->chain[i], fd->chain_seq[i]);
	json_arr_end(&j);
	json_end(&j);
}

void findings_print_json(FILE *f, const struct checker *c)
{
	for (size_t i = 0; i < checker_nfindings(c); i++)
		print_finding_json(f, checker_finding(c, i));
}
