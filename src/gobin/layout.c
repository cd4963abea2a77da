// SPDX-License-Identifier: MIT
// Looks up the generated runtime layout table by Go version and arch.
#include <elf.h>
#include <stddef.h>

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
