// SPDX-License-Identifier: MIT
// Format detection: one entry point for every goroutine dump and profile.
#include "dump/dump.h"

#include <errno.h>
#include <string.h>

#include "lib/banned.h"

int dump_read(struct input *in, const struct dump_sink *sink, struct dump_info *info,
	      struct cw_error *err)
{
	const unsigned char *head;
	ssize_t n = input_peek(in, &head, 2);
	struct profile prof;
	int ret;

	if (n < 0)
		return cw_error_set(err, "read error: %s", strerror((int)-n));
	if (n < 2 || head[0] != 0x1f || head[1] != 0x8b)
		return dump_read_text(in, sink, info, err);

	profile_init(&prof);
	ret = pprof_read(in, &prof, err);
	if (!ret)
		ret = dump_from_goroutine_profile(&prof, sink, info, err);
	info->bytes = in->offset;
	profile_release(&prof);
	return ret;
}
