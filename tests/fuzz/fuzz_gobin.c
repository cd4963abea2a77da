// SPDX-License-Identifier: MIT
// libFuzzer target for the Go-binary reader: bytes -> memfd -> gobin_open, lookups, symbolize.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gobin/gobin.h"

#include "lib/banned.h"

static volatile uint64_t fuzz_sum;

static uint64_t touch(const char *s)
{
	uint64_t h = 0;

	if (!s)
		abort(); /* strings are never NULL */
	for (; *s; s++)
		h = h * 31 + (unsigned char)*s;
	return h;
}

static int on_func(void *ctx, const struct gobin_func *f)
{
	uint64_t *n = ctx;

	if (f->end < f->entry)
		abort();
	fuzz_sum += touch(f->name) + f->entry;
	return ++*n >= 64; /* the first 64 are enough */
}

static void symbolize(const struct gobin *b, uint64_t pc)
{
	struct gobin_frame fr[8];
	int n = gobin_symbolize(b, pc, fr, 8);

	if (n > 8 || (n <= 0 && n != -ENOENT && n != -EINVAL))
		abort();
	for (int i = 0; i < n; i++)
		fuzz_sum +=
		    touch(fr[i].func) + touch(fr[i].file) + (uint64_t)fr[i].line + fr[i].entry;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"runtime.makechan", "runtime.gopark", "main.main",
					    "runtime.text"};
	struct cw_error err = {""};
	struct gobin b;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	size_t done = 0;
	uint64_t n = 0, entry, end, off;

	if (fd < 0)
		return 0;
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0) {
			close(fd);
			return 0;
		}
		done += (size_t)w;
	}
	if (gobin_open_fd(&b, fd, &err)) {
		close(fd);
		if (!err.msg[0])
			abort(); /* an error must say what is wrong */
		return 0;
	}
	close(fd);
	fuzz_sum += touch(b.info.go_version) + touch(b.info.path) + touch(b.info.modinfo);
	for (size_t i = 0; i < b.info.nsettings; i++)
		fuzz_sum += touch(b.info.settings[i].key) + touch(b.info.settings[i].value);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!gobin_lookup_func(&b, names[i], &entry, &end)) {
			symbolize(&b, entry);
			symbolize(&b, end - 1);
			if (!gobin_vaddr_to_offset(&b, entry, &off) && off >= size)
				abort();
		}
	gobin_funcs_foreach(&b, on_func, &n);
	for (size_t i = 0; i < b.nfuncs && i < 16; i++) {
		const struct gobin_func *f = &b.funcs[i * (b.nfuncs / 16 + 1) % b.nfuncs];

		symbolize(&b, f->entry);
		symbolize(&b, f->entry + (f->end - f->entry) / 2);
		const struct gobin_func *g = gobin_func_at(&b, f->entry);

		if (g && (f->entry < g->entry || f->entry >= g->end))
			abort();
	}
	symbolize(&b, b.text_start);
	gobin_close(&b);
	return 0;
}
