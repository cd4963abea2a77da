// SPDX-License-Identifier: MIT
// libFuzzer target: the live reader's walkers over hostile memory (a snapshot file's bytes).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/inspect.h"
#include "output/goroutine_text.h"

#include "lib/banned.h"

static FILE *sink_file;

static int write_goroutine(void *ctx, const struct goroutine *g)
{
	if (g->nframes && !g->frames)
		abort();
	goroutine_text_write(sink_file, g, ctx); /* the stacks' cache, every other input */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct live_target t;
	struct live_snapshot s;
	struct cw_error err = {{0}};
	struct dump_sink sink = {write_goroutine, NULL, NULL};
	struct live_emit_options opt = {.system = size & 1};
	int major = 0, minor = 0;

	if (!sink_file)
		sink_file = fopen("/dev/null", "w");
	memset(&t, 0, sizeof(t));
	if (remote_mem_open_replay_mem(&t.mem, data, size, "fuzz", &t.meta, &err))
		return 0;
	t.replayed = true;
	/* the recorded Go version picks the layout, as a replay without its binary does */
	if (sscanf(t.meta.go_version, "go%d.%d", &major, &minor) != 2 || major != 1)
		minor = 26;
	t.layout = runtime_layout_for(1, minor, (enum go_arch)(t.meta.arch & 1));
	if (!t.layout)
		t.layout = runtime_layout_for(1, 26, GO_ARCH_AMD64);
	if (!live_snapshot_walk(t.mem, t.layout, &t.meta, NULL, &s, &err)) {
		for (size_t i = 0; i < s.ngs; i++)
			for (uint32_t k = 0; k < s.gs[i].nchans; k++)
				if (s.gs[i].chans[k] >= s.nchans)
					abort();
		sink.ctx = size & 2 ? goroutine_text_cache_new() : NULL;
		live_snapshot_emit(&s, &t, &opt, &sink);
		goroutine_text_cache_free(sink.ctx);
		live_snapshot_release(&s);
	} else if (!err.msg[0]) {
		abort(); /* a failure always says why */
	}
	remote_mem_close(t.mem, &err);
	return 0;
}
