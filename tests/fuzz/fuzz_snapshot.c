// SPDX-License-Identifier: MIT
// libFuzzer target: remote_mem_open_replay_mem on raw bytes, then reads in and around it.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/mem.h"

#include "lib/banned.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[4096], one;
	struct remote_mem *m = NULL;
	struct snapshot_meta meta;
	struct cw_error err = {{0}};
	struct mem_req reqs[8];
	size_t n = 0;

	if (remote_mem_open_replay_mem(&m, data, size, "fuzz", &meta, &err)) {
		if (!err.msg[0])
			abort(); /* a rejection always says why */
		return 0;
	}
	if (!memchr(meta.exe, 0, sizeof(meta.exe)) ||
	    !memchr(meta.go_version, 0, sizeof(meta.go_version)))
		abort();
	/* addresses the header names, and (addr, len) pairs taken from the tail of the input */
	reqs[n++] = (struct mem_req){meta.allgs_addr, buf, 24, 1};
	reqs[n++] = (struct mem_req){meta.allglen_addr, buf, 8, 1};
	reqs[n++] = (struct mem_req){meta.load_bias, buf, 64, 1};
	for (size_t off = size; off >= 16 && n < 8; off -= 16) {
		uint64_t addr = le64(data + off - 16), len = le64(data + off - 8) % sizeof(buf);
		reqs[n++] = (struct mem_req){addr, buf, (size_t)len, 1};
	}
	if (remote_mem_readv(m, reqs, n) < 0)
		abort(); /* a replay has no fatal errors */
	for (size_t i = 0; i < n; i++) {
		/* what succeeded as a whole succeeds byte by byte */
		if (reqs[i].result == 0 && reqs[i].len &&
		    (remote_mem_read(m, reqs[i].addr, &one, 1) ||
		     remote_mem_read(m, reqs[i].addr + reqs[i].len - 1, &one, 1)))
			abort();
		if (reqs[i].result != 0 && reqs[i].result != -EFAULT)
			abort();
	}
	if (remote_mem_fatal(m) || remote_mem_close(m, &err))
		abort();
	return 0;
}
