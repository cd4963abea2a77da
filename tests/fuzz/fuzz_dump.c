// SPDX-License-Identifier: MIT
// libFuzzer target for the whole dump pipeline: any input format -> analyzer (single and diff)
// -> text, JSON and pprof writers. Hostile bytes must never crash what follows the parser.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "dump/dump.h"
#include "output/pprof_write.h"
#include "output/report.h"

#include "lib/banned.h"

static FILE *devnull;

/* Feeds data[0..size) as one input of snapshot `which`. */
static void feed(struct analyzer *a, int which, const uint8_t *data, size_t size)
{
	struct dump_sink sink;
	struct dump_info info;
	struct cw_error err = {""};
	struct input in;
	size_t done = 0;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	memset(&in, 0, sizeof(in));
	in.fd = fd;
	in.owns_fd = true;
	analyzer_sink(a, which, &sink);
	analyzer_begin_input(a, which, which ? "new" : "old");
	memset(&info, 0, sizeof(info));
	if (dump_read(&in, &sink, &info, &err) && !err.msg[0])
		abort(); /* an error must say what is wrong */
	analyzer_end_input(a, &info, which ? 2000000000 : 1000000000);
	input_close(&in);
}

static void report(struct analysis *an)
{
	struct report_options ro = {.color = true};
	struct profile p;
	struct strbuf out = STRBUF_INIT;

	report_text(devnull, an, &ro);
	report_json(devnull, an);
	profile_init(&p);
	report_suspects_profile(an, &p);
	if (pprof_encode(&p, &out))
		abort();
	strbuf_release(&out);
	profile_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_options opt = {.min_count = 1, .no_source = true};
	struct analysis an;
	struct analyzer *a;
	size_t half = size / 2;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();

	a = analyzer_new(&opt);
	feed(a, 0, data, size);
	analyzer_finish(a, &an);
	report(&an);
	analysis_release(&an);

	opt.diff = true;
	a = analyzer_new(&opt);
	feed(a, 0, data, half);
	feed(a, 1, data + half, size - half);
	analyzer_finish(a, &an);
	report(&an);
	analysis_release(&an);
	return 0;
}
