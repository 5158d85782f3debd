// SPDX-License-Identifier: GPL-2.0
#include "report/events.h"
#include "report/json.h"
#include "report/names.h"

/*
 * The per-kind fields are described once, through a sink with a text and a
 * JSON backend, so both outputs always carry the same information.
 */
struct sink {
	void (*u64)(struct sink *s, const char *key, __u64 v);
	void (*i64)(struct sink *s, const char *key, __s64 v);
	void (*hex)(struct sink *s, const char *key, __u64 v);
	void (*str)(struct sink *s, const char *key, const char *v);
	FILE *f;
	struct json *j;
};

static void text_u64(struct sink *s, const char *k, __u64 v) { fprintf(s->f, " %s=%llu", k, (unsigned long long)v); }
static void text_i64(struct sink *s, const char *k, __s64 v) { fprintf(s->f, " %s=%lld", k, (long long)v); }
static void text_hex(struct sink *s, const char *k, __u64 v) { fprintf(s->f, " %s=0x%llx", k, (unsigned long long)v); }
static void text_str(struct sink *s, const char *k, const char *v) { fprintf(s->f, " %s=%s", k, v); }
static void json_u64_(struct sink *s, const char *k, __u64 v) { json_u64(s->j, k, v); }
static void json_i64_(struct sink *s, const char *k, __s64 v) { json_i64(s->j, k, v); }
static void json_hex_(struct sink *s, const char *k, __u64 v) { json_hex(s->j, k, v); }

static void json_str_(struct sink *s, const char *k, const char *v) { json_str(s->j, k, v); }

static bool has_range(const struct uffdwp_event *e)
{
	return e->start || e->end;
}

static void kind_fields(const struct uffdwp_event *e, struct sink *s)
{
	switch (e->kind) {
	case EV_UFFD_OPEN:
		s->i64(s, "fd", e->u.open.fd);
		s->hex(s, "flags", e->u.open.flags);
		break;
	case EV_UFFD_API:
		s->i64(s, "fd", e->u.api.fd);
		s->hex(s, "features_req", e->u.api.features_req);
		s->hex(s, "features", e->u.api.features);
		break;
	case EV_UFFD_REGISTER:
	case EV_UFFD_UNREGISTER:
	case EV_UFFD_WRITEPROTECT:
		s->i64(s, "fd", e->u.range.fd);
		s->hex(s, "mode", e->u.range.mode);
		if (e->u.range.begin)
			s->u64(s, "begin", 1);
		break;
	case EV_UFFD_COPY:
		s->i64(s, "fd", e->u.fill.fd);
		s->u64(s, "op", e->u.fill.op);
		s->str(s, "call", fill_op_name(e->u.fill.op));
		if (e->u.fill.op == FILL_COPY || e->u.fill.op == FILL_MOVE)
			s->hex(s, "src", e->u.fill.src);
		s->hex(s, "mode", e->u.fill.mode);
		if (e->u.fill.begin)
			s->u64(s, "begin", 1);
		else
			s->i64(s, "done", e->u.fill.done);
		break;
	case EV_UFFD_WP_MESSAGE:
	case EV_UFFD_MESSAGE:
		s->i64(s, "fd", e->u.msg.fd);
		s->hex(s, "event", e->u.msg.event);
		s->hex(s, "flags", e->u.msg.flags);
		break;
	case EV_HANDLE_USERFAULT:
		s->hex(s, "reason", e->u.fault.reason);
		s->hex(s, "fault_flags", e->u.fault.fault_flags);
		break;
	case EV_CHANGE_PROTECTION:
		s->hex(s, "cp_flags", e->u.cp.cp_flags);
		s->u64(s, "variant", e->u.cp.variant);
		s->hex(s, "vm_page_prot", e->u.cp.vm_page_prot);
		break;
	case EV_MIGRATION_PTE:
		s->hex(s, "pte", e->u.mig.pte);
		s->hex(s, "state", e->u.mig.state);
		s->u64(s, "where", e->u.mig.where);
		s->i64(s, "order", e->u.mig.order);
		break;
	case EV_ZAP:
		s->hex(s, "zap_flags", e->u.zap.zap_flags);
		s->u64(s, "even_cows", e->u.zap.even_cows);
		break;
	case EV_MPROTECT:
		s->hex(s, "prot", e->u.mprotect.prot);
		break;
	case EV_MADVISE:
		s->u64(s, "advice", e->u.madvise.advice);
		break;
	case EV_MREMAP:
		s->hex(s, "new_len", e->u.mremap.new_len);
		s->hex(s, "flags", e->u.mremap.flags);
		s->hex(s, "new_addr", e->u.mremap.new_addr);
		break;
	case EV_UFFD_CLOSE:
		s->i64(s, "fd", e->u.close.fd);
		s->u64(s, "released", e->u.close.released);
		break;
	case EV_MMAP:
		s->hex(s, "prot", e->u.mmap.prot);
		s->hex(s, "flags", e->u.mmap.flags);
		s->i64(s, "fd", e->u.mmap.fd);
		break;
	case EV_FALLOCATE:
		s->i64(s, "fd", e->u.falloc.fd);
		s->hex(s, "mode", e->u.falloc.mode);
		break;
	case EV_FORK:
		s->u64(s, "child_pid", e->u.fork.child_pid);
		s->hex(s, "child_mm", e->u.fork.child_mm);
		break;
	case EV_EXIT:
		s->i64(s, "code", e->u.exit.code);
		break;
	case EV_WRITE_FAULT:
		s->hex(s, "error_code", e->u.wf.error_code);
		s->hex(s, "ip", e->u.wf.ip);
		break;
	case EV_PM_SCAN:
		if (e->u.scan.begin) {
			s->u64(s, "begin", 1);
		} else {
			s->hex(s, "walk_end", e->u.scan.walk_end);
			s->u64(s, "regions_read", e->u.scan.nregions_read);
		}
		s->hex(s, "flags", e->u.scan.flags);
		s->hex(s, "category_mask", e->u.scan.category_mask);
		s->hex(s, "category_inverted", e->u.scan.category_inverted);
		s->hex(s, "category_anyof_mask", e->u.scan.category_anyof_mask);
		s->hex(s, "return_mask", e->u.scan.return_mask);
		s->u64(s, "vec_given", e->u.scan.vec_given);
		break;
	case EV_PM_SCAN_REGION:
		s->u64(s, "first", e->u.scan_regions.first);
		for (__u32 i = 0; i < e->u.scan_regions.n && i < PM_REGIONS_PER_RECORD; i++) {
			const struct pm_scan_region_packed *r = &e->u.scan_regions.r[i];
			static const char *const names[PM_REGIONS_PER_RECORD][2] = {
				{ "r0_offset", "r0_npages" }, { "r1_offset", "r1_npages" },
				{ "r2_offset", "r2_npages" }, { "r3_offset", "r3_npages" },
			};

			s->u64(s, names[i][0], r->offset);
			s->hex(s, names[i][1], r->npages);
		}
		break;
	case EV_PTE_RUN:
		s->hex(s, "state", e->u.run.state);
		s->u64(s, "level", e->u.run.level);
		s->hex(s, "sample", e->u.run.sample);
		s->u64(s, "capped", e->u.run.capped);
		s->u64(s, "source_kind", e->u.run.source_kind);
		break;
	}
	if (e->vma_start || e->vma_end) {
		s->hex(s, "vma_start", e->vma_start);
		s->hex(s, "vma_end", e->vma_end);
		s->hex(s, "vm_flags", e->vm_flags);
	}
	if (e->ret)
		s->i64(s, "ret", e->ret);
	if (e->lost_before)
		s->u64(s, "lost_before", e->lost_before);
}

void event_print_fields(FILE *f, const struct uffdwp_event *e)
{
	struct sink s = { text_u64, text_i64, text_hex, text_str, f, NULL };

	if (has_range(e))
		fprintf(f, " [0x%llx,0x%llx)", (unsigned long long)e->start, (unsigned long long)e->end);
	kind_fields(e, &s);
}

void event_print_text(FILE *f, const struct uffdwp_event *e, __u64 t0_ns)
{
	__u64 t = e->ts_ns >= t0_ns ? e->ts_ns - t0_ns : 0;

	fprintf(f, "%6llu.%06llu %7u/%-7u %-16.16s %-18s", (unsigned long long)(t / 1000000000),
		(unsigned long long)(t % 1000000000 / 1000), e->pid, e->tid, e->comm, kind_name(e->kind));
	event_print_fields(f, e);
	fprintf(f, " hook=%s/%s\n", hook_name(e->hook), mech_name(e->mech));
}

void event_print_json(FILE *f, const struct uffdwp_event *e)
{
	struct json j;
	struct sink s = { json_u64_, json_i64_, json_hex_, json_str_, f, &j };
	char comm[UFFDWP_COMM_LEN + 1] = {};

	__builtin_memcpy(comm, e->comm, UFFDWP_COMM_LEN);
	json_begin(&j, f);
	json_str(&j, "type", "event");
	json_str(&j, "kind", kind_name(e->kind));
	json_u64(&j, "ts_ns", e->ts_ns);
	json_u64(&j, "pid", e->pid);
	json_u64(&j, "tid", e->tid);
	json_str(&j, "comm", comm);
	json_hex(&j, "mm", e->mm);
	json_str(&j, "hook", hook_name(e->hook));
	json_str(&j, "mech", mech_name(e->mech));
	if (has_range(e)) {
		json_hex(&j, "start", e->start);
		json_hex(&j, "end", e->end);
	}
	kind_fields(e, &s);
	json_end(&j);
}
