// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "report/names.h"

static const char *const hook_names[HOOK_MAX] = {
	[HOOK_CHANGE_PROTECTION] = "change_protection",
	[HOOK_HUGETLB_CHANGE_PROTECTION] = "hugetlb_change_protection",
	[HOOK_CHANGE_HUGE_PMD] = "change_huge_pmd",
	[HOOK_MIGRATION_PTE] = "remove_migration_pte",
	[HOOK_SET_MIGRATION_PTE] = "set_migration_pte",
	[HOOK_MIGRATION_PMD] = "remove_migration_pmd",
	[HOOK_SET_MIGRATION_PMD] = "set_pmd_migration_entry",
	[HOOK_ZAP] = "zap",
	[HOOK_HANDLE_USERFAULT] = "handle_userfault",
	[HOOK_SYSCALLS] = "syscalls",
	[HOOK_WRITE_FAULT] = "page_fault_user",
	[HOOK_SCHED] = "sched",
	[HOOK_ZAP_HUGETLB] = "zap_hugetlb",
};

static const char *const mech_names[MECH_MAX] = {
	[MECH_NONE] = "none",
	[MECH_FENTRY] = "fentry",
	[MECH_KPROBE] = "kprobe",
	[MECH_TRACEPOINT] = "tracepoint",
};

static const char *const kind_names[EV_KIND_MAX] = {
	[EV_UFFD_OPEN] = "uffd_open",
	[EV_UFFD_API] = "uffd_api",
	[EV_UFFD_REGISTER] = "uffd_register",
	[EV_UFFD_UNREGISTER] = "uffd_unregister",
	[EV_UFFD_WRITEPROTECT] = "uffd_writeprotect",
	[EV_UFFD_COPY] = "uffd_copy",
	[EV_UFFD_WP_MESSAGE] = "uffd_wp_message",
	[EV_UFFD_MESSAGE] = "uffd_message",
	[EV_HANDLE_USERFAULT] = "handle_userfault",
	[EV_CHANGE_PROTECTION] = "change_protection",
	[EV_MIGRATION_PTE] = "migration_pte",
	[EV_ZAP] = "zap",
	[EV_MPROTECT] = "mprotect",
	[EV_MADVISE] = "madvise",
	[EV_MUNMAP] = "munmap",
	[EV_MREMAP] = "mremap",
	[EV_FALLOCATE] = "fallocate",
	[EV_FORK] = "fork",
	[EV_EXEC] = "exec",
	[EV_EXIT] = "exit",
	[EV_WRITE_FAULT] = "write_fault",
	[EV_PTE_RUN] = "pte_run",
	[EV_PM_SCAN] = "pagemap_scan",
	[EV_PM_SCAN_REGION] = "pagemap_scan_region",
	[EV_MMAP] = "mmap",
	[EV_UFFD_CLOSE] = "uffd_close",
};

/* The ioctls one EV_UFFD_COPY record stands for (u.fill.op). */
static const char *const fill_op_names[FILL_OP_MAX] = {
	[FILL_COPY] = "copy",
	[FILL_ZEROPAGE] = "zeropage",
	[FILL_CONTINUE] = "continue",
	[FILL_POISON] = "poison",
	[FILL_MOVE] = "move",
};

static const char *const lost_cause_names[LOST_CAUSE_MAX] = {
	[LOST_RING] = "ring_full",
	[LOST_TABLE] = "table_full",
	[LOST_SKIPPED] = "skipped_runs",
};

#define NAME_OR_UNKNOWN(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "unknown")

const char *hook_name(unsigned int hook) { return NAME_OR_UNKNOWN(hook_names, hook); }
const char *mech_name(unsigned int mech) { return NAME_OR_UNKNOWN(mech_names, mech); }
const char *kind_name(unsigned int kind) { return NAME_OR_UNKNOWN(kind_names, kind); }
const char *fill_op_name(unsigned int op) { return NAME_OR_UNKNOWN(fill_op_names, op); }
const char *lost_cause_name(unsigned int cause)
{
	return NAME_OR_UNKNOWN(lost_cause_names, cause);
}
