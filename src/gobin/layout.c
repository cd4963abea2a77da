// SPDX-License-Identifier: MIT
// Looks up the generated runtime layout table by Go version and arch, and the names Go prints.
#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "gobin/gobin.h"
#include "gobin/layout.h"
#include "lib/banned.h"

static int version_cmp(int major, int minor, struct rl_version v)
{
	if (major != v.major)
		return major < v.major ? -1 : 1;
	if (minor != v.minor)
		return minor < v.minor ? -1 : 1;
	return 0;
}

const struct runtime_layout *runtime_layout_for(int major, int minor, enum go_arch arch)
{
	unsigned i;

	for (i = 0; i < runtime_layout_table_len; i++) {
		const struct runtime_layout *l = &runtime_layout_table[i];

		if (l->arch == arch && version_cmp(major, minor, l->go_min) >= 0 &&
		    version_cmp(major, minor, l->go_max) <= 0)
			return l;
	}
	return NULL;
}

const char *runtime_layout_wait_reason(const struct runtime_layout *l, unsigned value)
{
	if (!l || !l->wait_reasons || value >= l->nwait_reasons)
		return NULL;
	return l->wait_reasons[value];
}

/* status without the _Gscan bit: l->gs_scan, or 0x1000 (every Go so far) when unknown. */
static unsigned strip_scan(const struct runtime_layout *l, unsigned status)
{
	unsigned scan = 0x1000;

	if (l->gs_scan.known && l->gs_scan.value > 0 && l->gs_scan.value <= 0x40000000)
		scan = (unsigned)l->gs_scan.value;
	return status & ~scan;
}

const char *runtime_layout_status_name(const struct runtime_layout *l, unsigned status)
{
	if (!l || !l->status_names)
		return NULL;
	status = strip_scan(l, status);
	if (status >= l->nstatus_names)
		return NULL;
	return l->status_names[status];
}

static int is_status(const struct rl_const *c, unsigned status)
{
	return c->known && c->value == (int64_t)status;
}

const char *runtime_layout_goroutine_state(const struct runtime_layout *l, unsigned status,
					   unsigned waitreason)
{
	const char *name;
	unsigned s;

	if (!l || !l->status_names || !l->wait_reasons)
		return "???";
	s = strip_scan(l, status);
	/* gs_leaked is known from 1.26 on, where goroutineheader also names leaked ones. */
	if (waitreason != 0 && (is_status(&l->gs_waiting, s) || is_status(&l->gs_leaked, s))) {
		if (waitreason >= l->nwait_reasons)
			return "unknown wait reason";
		name = l->wait_reasons[waitreason];
		return name ? name : "";
	}
	if (s >= l->nstatus_names)
		return "???";
	name = l->status_names[s];
	return name ? name : "";
}

void runtime_layout_names_from_table(struct runtime_layout *l)
{
	const struct runtime_layout *best = NULL;
	unsigned i;

	l->wait_reasons = NULL;
	l->nwait_reasons = 0;
	l->status_names = NULL;
	l->nstatus_names = 0;
	if (l->go_min.major == 0)
		return;
	for (i = 0; i < runtime_layout_table_len; i++) {
		const struct runtime_layout *t = &runtime_layout_table[i];

		if (t->arch != l->arch ||
		    version_cmp(t->go_min.major, t->go_min.minor, l->go_min) > 0)
			continue;
		if (!best || version_cmp(t->go_min.major, t->go_min.minor, best->go_min) > 0)
			best = t;
	}
	if (!best)
		return;
#define SAME_CONST(name, cname)                                                                    \
	if (l->name.known != best->name.known || l->name.value != best->name.value)                \
		return;
	RL_CONSTS(SAME_CONST)
#undef SAME_CONST
	l->wait_reasons = best->wait_reasons;
	l->nwait_reasons = best->nwait_reasons;
	l->status_names = best->status_names;
	l->nstatus_names = best->nstatus_names;
}

const char *go_arch_name(enum go_arch arch)
{
	switch (arch) {
	case GO_ARCH_AMD64:
		return "amd64";
	case GO_ARCH_ARM64:
		return "arm64";
	}
	return "unknown";
}

int go_arch_from_elf_machine(unsigned machine, enum go_arch *arch)
{
	switch (machine) {
	case EM_X86_64:
		*arch = GO_ARCH_AMD64;
		return 0;
	case EM_AARCH64:
		*arch = GO_ARCH_ARM64;
		return 0;
	}
	return -1;
}

/* Whether b's build info names a GOEXPERIMENT, which may change the runtime's structs. */
static bool sets_goexperiment(const struct gobin *b)
{
	for (size_t i = 0; i < b->info.nsettings; i++)
		if (!strcmp(b->info.settings[i].key, "GOEXPERIMENT"))
			return true;
	return false;
}

const struct runtime_layout *runtime_layout_pick(const struct gobin *b, const char *path,
						 struct runtime_layout *from_dwarf,
						 const char **source, struct cw_error *err)
{
	struct cw_error ignored = {""};
	const struct runtime_layout *table = NULL;
	bool have_version, have_arch;
	enum go_arch arch;
	int major = 0, minor = 0;

	have_version = sscanf(b->info.go_version, "go%d.%d", &major, &minor) == 2;
	have_arch = !go_arch_from_elf_machine(b->machine, &arch);
	if (have_version && have_arch)
		table = runtime_layout_for(major, minor, arch);
	/*
	 * The entry made from the very toolchain that built b, with no GOEXPERIMENT: the same
	 * runtime source, so the same layout, without inflating b's compressed DWARF (libdw
	 * inflates every debug section to read one: about 35 ms of a 0.36 s snapshot of 100k
	 * goroutines).
	 */
	if (table && !strcmp(table->toolchain, b->info.go_version) && !sets_goexperiment(b)) {
		*source = "table";
		return table;
	}
	if (!runtime_layout_from_dwarf(path, from_dwarf, &ignored)) {
		*source = "DWARF";
		return from_dwarf;
	}
	if (!have_version) {
		cw_error_set(err, "cannot tell its Go version (no build info)");
		return NULL;
	}
	if (!have_arch) {
		cw_error_set(err, "unsupported architecture");
		return NULL;
	}
	if (!table) {
		cw_error_set(err,
			     "built with %s, and chanwatch knows the runtime of Go 1.22 to 1.26 "
			     "only (a build with DWARF would do)",
			     b->info.go_version);
		return NULL;
	}
	*source = "table";
	return table;
}
