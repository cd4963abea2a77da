// SPDX-License-Identifier: MIT
// libFuzzer target for the text dump reader: bytes -> memfd -> dump_read_text, every field read.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dump/dump.h"

#include "lib/banned.h"

static volatile uint64_t fuzz_sum;

static uint64_t touch(struct slice s)
{
	uint64_t h = s.len;
	for (size_t i = 0; i < s.len; i++)
		h = h * 31 + (unsigned char)s.ptr[i];
	return h;
}

static uint64_t touch_frame(const struct frame *f)
{
	return touch(f->func) + touch(f->file) + f->line + f->offset + f->pc + f->flags;
}

static int on_goroutine(void *ctx, const struct goroutine *g)
{
	uint64_t h = g->id + g->count + touch(g->status) + g->wait_minutes + g->flags +
		     g->synctest_group + touch(g->labels) + g->frames_elided +
		     touch_frame(&g->created_by) + g->creator_id + g->nancestors + g->input_line;

	if (g->nframes && !g->frames)
		abort();
	for (uint32_t i = 0; i < g->nframes; i++)
		h += touch_frame(&g->frames[i]);
	fuzz_sum += h;
	return 0;
}

static int on_panic(void *ctx, const struct panic_report *p)
{
	if ((unsigned)p->kind > PANIC_FATAL_OTHER)
		abort();
	fuzz_sum += touch(p->message) + p->input_line;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dump_sink sink = {on_goroutine, on_panic, NULL};
	struct dump_info info;
	struct cw_error err = {""};
	struct input in;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	size_t done = 0;
	int rc;

	if (fd < 0)
		return 0;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0) {
			close(fd);
			return 0;
		}
		done += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	memset(&in, 0, sizeof(in));
	in.fd = fd;
	in.owns_fd = true;
	rc = dump_read_text(&in, &sink, &info, &err);
	if (rc == -1 && !err.msg[0])
		abort(); /* an error must say what is wrong */
	if (rc == 0 && (info.bytes != size || strnlen(info.truncated_why, 128) == 128))
		abort();
	if (info.truncated && !info.truncated_why[0])
		abort();
	input_close(&in);
	return 0;
}
