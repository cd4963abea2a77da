// SPDX-License-Identifier: MIT
// The lint rule table and the lifecycle of struct lint_result.
#include "model/lint.h"

#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

const struct lint_rule_info lint_rules[] = {
    {"CW100", "BadAnnotation", "malformed or unused chanwatch annotation"},
    {"CW101", "RangeNeverClosed", "range over a channel that no path closes"},
    {"CW102", "AbandonedSender", "goroutine sends on a channel whose receiver can leave first"},
    {"CW103", "DoubleClose", "channel closed twice on one path, or in a loop"},
    {"CW104", "SendAfterClose", "send on a channel after closing it"},
    {"CW105", "CloseByReceiver", "channel closed by its receiver while others may still send"},
    {"CW106", "NilChannelOp", "send or receive on a nil channel blocks forever"},
    {"CW107", "BlockedForever", "goroutine blocked forever by construction"},
    {"CW108", "SendersOutnumberReceives", "more goroutines send than values are received"},
    {"CW109", "TimerLeakBeforeGo123", "time.After in a loop or unstopped ticker before Go 1.23"},
    {NULL, NULL, NULL},
};

const struct lint_rule_info *lint_rule_find(const char *id)
{
	if (!id)
		return NULL;
	for (const struct lint_rule_info *r = lint_rules; r->id; r++)
		if (!strcmp(r->id, id))
			return r;
	return NULL;
}

/*
 * findings and watches are malloc'd arrays (grow_array); every string they
 * point at lives in the arena.
 */
void lint_result_release(struct lint_result *r)
{
	if (!r)
		return;
	free(r->findings);
	free(r->watches);
	arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}
