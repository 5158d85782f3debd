// SPDX-License-Identifier: GPL-2.0
/* One pass over /proc/kallsyms: see kallsyms.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "loader/kallsyms.h"
#include "uffdwp.skel.h"

void kallsyms_read(struct kernel_kallsyms *k)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], type, name[256];
	static char buf[1 << 16];	/* procfs reads 1 KiB at a time through a default FILE */
	uint64_t addr;

	memset(k, 0, sizeof(*k));
	if (!f)
		return;
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	while (fgets(line, sizeof(line), f)) {
		/* "addr type name [module]": only vmlinux symbols count */
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3 || strchr(line, '['))
			continue;
		if (!strcmp(name, "page_offset_base"))
			k->page_offset_base = addr;
		else if (!strcmp(name, "physical_mask"))
			k->physical_mask = addr;
		else if (!strcmp(name, "make_device_exclusive_range"))
			k->make_device_exclusive_range = true;
		else if (!strcmp(name, "make_device_exclusive"))
			k->make_device_exclusive = true;
		else if (!strcmp(name, "migrate_pages"))
			k->migrate_pages = true;
	}
	fclose(f);
	k->read = true;
}

void kallsyms_apply(const struct kernel_kallsyms *k, struct uffdwp *skel)
{
	skel->rodata->uffdwp_ksym_page_offset_base = k->page_offset_base;
	skel->rodata->uffdwp_ksym_physical_mask = k->physical_mask;
}
