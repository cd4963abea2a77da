// SPDX-License-Identifier: MIT
// Lifecycle of struct heapchan_result.
#include "model/heapchan.h"

#include <string.h>

#include "lib/banned.h"

void heapchan_result_release(struct heapchan_result *res)
{
	arena_release(&res->arena);
	memset(res, 0, sizeof(*res));
}
