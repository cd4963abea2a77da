// SPDX-License-Identifier: MIT
// Lifecycle and look-ups for struct profile.
#include "model/profile.h"

#include <string.h>

#include "lib/banned.h"

void profile_init(struct profile *p)
{
	memset(p, 0, sizeof(*p));
}

void profile_release(struct profile *p)
{
	arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
}

int profile_sample_type_index(const struct profile *p, const char *type)
{
	for (size_t i = 0; i < p->nsample_types; i++)
		if (p->sample_types[i].type && !strcmp(p->sample_types[i].type, type))
			return (int)i;
	return -1;
}
