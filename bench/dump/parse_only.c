// SPDX-License-Identifier: MIT
// Times dump_read_text over one input with a counting sink; --records prints JSON Lines instead.
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dump/dump.h"
#include "output/records.h"

#include "lib/banned.h"

struct counts {
	uint64_t goroutines, frames, panics, bytes;
	struct jsonw *w;
};

static int on_goroutine(void *ctx, const struct goroutine *g)
{
	struct counts *c = ctx;

	c->goroutines += g->count;
	c->frames += g->nframes;
	c->bytes += g->status.len + g->labels.len; /* touch the strings */
	if (c->w)
		records_write_goroutine(c->w, g);
	return 0;
}

static int on_panic(void *ctx, const struct panic_report *p)
{
	struct counts *c = ctx;

	c->panics++;
	if (c->w)
		records_write_panic(c->w, p);
	return 0;
}

int main(int argc, char **argv)
{
	struct counts c = {0};
	struct dump_sink sink = {on_goroutine, on_panic, &c};
	struct dump_info info;
	struct cw_error err = {""};
	struct input in;
	struct timespec t0, t1;
	struct jsonw w;
	bool records = argc == 3 && !strcmp(argv[1], "--records");
	int rc;

	if (argc != 2 && !records) {
		fprintf(stderr, "usage: parse_only [--records] FILE\n");
		return 2;
	}
	if (input_open(&in, argv[argc - 1], NULL, &err)) {
		fprintf(stderr, "parse_only: cannot open '%s': %s\n", argv[argc - 1], err.msg);
		return 2;
	}
	if (records) {
		jsonw_init(&w, stdout, false);
		c.w = &w;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = dump_read_text(&in, &sink, &info, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	input_close(&in);
	if (rc) {
		fprintf(stderr, "parse_only: '%s': %s\n", argv[argc - 1], err.msg);
		return 1;
	}
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(records ? stderr : stdout,
		"bytes=%llu lines=%llu records=%llu goroutines=%llu frames=%llu panics=%llu "
		"format=%d truncated=%d%s%s seconds=%.3f MB/s=%.0f\n",
		(unsigned long long)info.bytes, (unsigned long long)info.lines,
		(unsigned long long)info.records, (unsigned long long)c.goroutines,
		(unsigned long long)c.frames, (unsigned long long)c.panics, (int)info.format,
		info.truncated, info.truncated ? " why=" : "", info.truncated_why, s,
		s > 0 ? (double)info.bytes / 1e6 / s : 0.0);
	return 0;
}
