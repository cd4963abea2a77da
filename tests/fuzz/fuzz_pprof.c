// SPDX-License-Identifier: MIT
// libFuzzer target: pprof_decode on raw bytes, then encode and decode again; the two must agree.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dump/dump.h"
#include "lib/strbuf.h"
#include "output/pprof_write.h"
#include "../unit/profile_eq.h"

#include "lib/banned.h"

static int count_goroutine(void *ctx, const struct goroutine *g)
{
	uint64_t *n = ctx;

	*n += g->count;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile p, q;
	struct cw_error err;
	struct strbuf out = STRBUF_INIT;
	const char *diff;

	profile_init(&p);
	profile_init(&q);
	if (pprof_decode(data, size, &p, &err) == 0) {
		uint64_t n = 0;
		struct dump_sink sink = {.goroutine = count_goroutine, .ctx = &n};
		struct dump_info info = {0};

		dump_from_goroutine_profile(&p, &sink, &info, &err);
		if (pprof_encode(&p, &out))
			abort();
		if (pprof_decode((const unsigned char *)out.buf, out.len, &q, &err)) {
			fprintf(stderr, "re-decode failed: %s\n", err.msg);
			abort();
		}
		diff = profile_diff(&p, &q);
		if (diff) {
			fprintf(stderr, "round trip differs in %s\n", diff);
			abort();
		}
	}
	strbuf_release(&out);
	profile_release(&q);
	profile_release(&p);
	return 0;
}
