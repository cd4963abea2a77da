// SPDX-License-Identifier: MIT
// Unit tests for the profile.proto reader and writer: real Go profiles, round trips, hostile input.
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/heap.h"
#include "dump/dump.h"
#include "lib/gzip.h"
#include "lib/protobuf.h"
#include "output/pprof_write.h"
#include "profile_eq.h"

#include "lib/banned.h"

#define GOLDEN "tests/golden/pprof/"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void decode_file(const char *path, struct profile *p)
{
	struct cw_error err = {{0}};
	size_t len;
	unsigned char *data = slurp(path, &len);

	profile_init(p);
	if (pprof_decode(data, len, p, &err))
		fail_msg("%s: %s", path, err.msg);
	free(data);
}

/* The line of the fixture marked "// SITE-x". */
static uint32_t site_line(const char *mark)
{
	size_t len;
	unsigned char *src = slurp("tests/fixtures/go/heapchans/main.go", &len);
	uint32_t line = 1, found = 0;

	src[len] = 0;
	for (char *p = (char *)src; *p && !found; p++) {
		if (*p == '\n')
			line++;
		else if (!strncmp(p, mark, strlen(mark)) && p[strlen(mark)] == '\n')
			found = line;
	}
	free(src);
	assert_true(found > 0);
	return found;
}

static void test_decode_heap(void **state)
{
	uint32_t site_a = site_line("// SITE-A");
	struct profile p;
	int inuse;
	int64_t objs = 0;

	decode_file(GOLDEN "heapchans-heap-new.pb.gz", &p);
	assert_int_equal(p.nsample_types, 4);
	assert_string_equal(p.sample_types[0].type, "alloc_objects");
	assert_string_equal(p.sample_types[0].unit, "count");
	assert_string_equal(p.sample_types[3].type, "inuse_space");
	assert_string_equal(p.sample_types[3].unit, "bytes");
	assert_string_equal(p.period_type.type, "space");
	assert_string_equal(p.period_type.unit, "bytes");
	assert_int_equal(p.period, 1); /* the fixture sets MemProfileRate = 1 */
	assert_true(p.time_nanos > 0);
	assert_true(p.nsamples > 10);
	inuse = profile_sample_type_index(&p, "inuse_objects");
	assert_int_equal(inuse, 2);
	for (size_t i = 0; i < p.nsamples; i++) {
		const struct profile_sample *s = &p.samples[i];

		assert_non_null(s->frames);
		/* Go hides leading runtime frames of heap samples. */
		assert_false(slice_eq_cstr(s->frames[0].func, "runtime.makechan"));
		if (slice_eq_cstr(s->frames[0].func, "main.keepUnbuffered") &&
		    s->frames[0].line == site_a) {
			assert_true(
			    slice_eq_cstr(s->frames[0].file, "example.com/heapchans/main.go"));
			assert_true(s->frames[0].line > 0);
			assert_true(s->frames[0].pc != 0);
			objs += s->values[inuse];
		}
	}
	/* 64 channels a round, two rounds, kept alive. */
	assert_int_equal(objs, 128);
	profile_release(&p);
}

/* keepUnbuffered is inlined into round: one Location, two Lines, callee first. */
static void test_decode_inlined(void **state)
{
	struct profile p;
	bool seen = false;

	decode_file(GOLDEN "heapchans-heap-new.pb.gz", &p);
	for (size_t i = 0; i < p.nsamples && !seen; i++) {
		const struct profile_sample *s = &p.samples[i];

		if (s->nframes < 2 || !slice_eq_cstr(s->frames[0].func, "main.keepUnbuffered"))
			continue;
		seen = true;
		assert_true(s->frames[0].flags & FRAME_INLINED);
		assert_true(slice_eq_cstr(s->frames[1].func, "main.round"));
		assert_false(s->frames[1].flags & FRAME_INLINED);
		assert_true(s->frames[0].pc == s->frames[1].pc);
	}
	assert_true(seen);
	profile_release(&p);
}

struct collect {
	uint64_t records, goroutines, with_leak_frame;
};

static int collect_goroutine(void *ctx, const struct goroutine *g)
{
	struct collect *c = ctx;

	c->records++;
	c->goroutines += g->count;
	for (uint32_t i = 0; i < g->nframes; i++)
		if (slice_eq_cstr(g->frames[i].func, "main.leakWorkers.func1"))
			c->with_leak_frame += g->count;
	return 0;
}

static void check_goroutine_profile(const char *path, const char *name, uint64_t min_total)
{
	struct profile p;
	struct collect c = {0};
	struct dump_sink sink = {.goroutine = collect_goroutine, .ctx = &c};
	struct dump_info info;
	struct cw_error err = {{0}};

	memset(&info, 0, sizeof(info));
	decode_file(path, &p);
	assert_int_equal(dump_from_goroutine_profile(&p, &sink, &info, &err), 0);
	assert_int_equal(info.format, DUMP_FORMAT_PROTO);
	assert_string_equal(info.profile_name, name);
	assert_true(info.declared_total >= min_total);
	assert_true(info.declared_total == info.goroutines);
	assert_true(c.goroutines == info.goroutines);
	assert_true(c.records == info.records);
	/* n/8 = 8 workers a round, two rounds, all blocked on their own channel. */
	assert_true(c.with_leak_frame == 16);
	profile_release(&p);
}

static void test_goroutine_profiles(void **state)
{
	check_goroutine_profile(GOLDEN "heapchans-goroutine.pb.gz", "goroutine", 17);
	check_goroutine_profile(GOLDEN "heapchans-goroutineleak.pb.gz", "goroutineleak", 16);
}

static void test_not_goroutine_profile(void **state)
{
	struct profile p;
	struct dump_sink sink = {.goroutine = collect_goroutine};
	struct dump_info info;
	struct cw_error err = {{0}};

	memset(&info, 0, sizeof(info));
	decode_file(GOLDEN "heapchans-heap-old.pb.gz", &p);
	assert_int_equal(dump_from_goroutine_profile(&p, &sink, &info, &err), -1);
	assert_non_null(strstr(err.msg, "not a goroutine profile"));
	profile_release(&p);
}

static void round_trip(const struct profile *p)
{
	struct strbuf out = STRBUF_INIT;
	struct profile q;
	struct cw_error err = {{0}};
	const char *diff;

	assert_int_equal(pprof_encode(p, &out), 0);
	assert_true(gzip_is(out.buf, out.len));
	profile_init(&q);
	if (pprof_decode((unsigned char *)out.buf, out.len, &q, &err))
		fail_msg("decode(encode(p)): %s", err.msg);
	diff = profile_diff(p, &q);
	if (diff)
		fail_msg("round trip differs in %s", diff);
	profile_release(&q);
	strbuf_release(&out);
}

static void test_round_trip_golden(void **state)
{
	static const char *const files[] = {
	    GOLDEN "heapchans-heap-old.pb.gz",
	    GOLDEN "heapchans-heap-new.pb.gz",
	    GOLDEN "heapchans-goroutine.pb.gz",
	    GOLDEN "heapchans-goroutineleak.pb.gz",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct profile p;

		decode_file(files[i], &p);
		round_trip(&p);
		profile_release(&p);
	}
}

static struct frame mkframe(const char *func, const char *file, uint32_t line, uint64_t pc,
			    unsigned flags)
{
	struct frame f = {slice_cstr(func), slice_cstr(file), line, 0, pc, flags};
	return f;
}

/* Everything the model has: inlining, unsymbolised frames, all label kinds, comments. */
static void test_round_trip_synthetic(void **state)
{
	static struct profile_value_type types[] = {{"goroutine", "count"}, {"x", "bytes"}};
	struct frame f1[] = {
	    mkframe("main.inner", "/a/b.go", 10, 0x1000, FRAME_INLINED),
	    mkframe("main.mid", "/a/b.go", 20, 0x1000, FRAME_INLINED),
	    mkframe("main.outer", "/a/c.go", 30, 0x1000, 0),
	    mkframe("", "", 0, 0xdead, 0),
	    mkframe("main.outer", "/a/c.go", 31, 0, 0),
	};
	struct frame f2[] = {
	    mkframe("main.outer", "/a/c.go", 30, 0x1000, 0),
	    mkframe("main.outer", "/a/other.go", 30, 0x2000, 0),
	};
	int64_t v1[] = {3, -5}, v2[] = {INT64_MAX, INT64_MIN};
	struct profile_label l1[] = {
	    {"k", "v", 0, NULL},
	    {"n", NULL, -42, "bytes"},
	    {"", NULL, 0, NULL},
	};
	struct profile_sample samples[] = {
	    {v1, f1, 5, l1, 3},
	    {v2, f2, 2, NULL, 0},
	    {v1, NULL, 0, NULL, 0},
	};
	const char *comments[] = {"one", "", "one"};
	struct profile p;

	profile_init(&p);
	p.sample_types = types;
	p.nsample_types = 2;
	p.samples = samples;
	p.nsamples = 3;
	p.period_type = types[1];
	p.period = 512 * 1024;
	p.time_nanos = 1700000000000000000;
	p.duration_nanos = 5;
	p.default_sample_type = "x";
	p.comments = comments;
	p.ncomments = 3;
	round_trip(&p);
}

static void put_vt(struct strbuf *sb, uint32_t field, int64_t type, int64_t unit)
{
	size_t m = pb_msg_begin(sb);

	pb_put_int64(sb, 1, type);
	pb_put_int64(sb, 2, unit);
	pb_msg_end(sb, field, m);
}

static void put_function(struct strbuf *sb, uint64_t id, int64_t name, int64_t file)
{
	size_t m = pb_msg_begin(sb);

	pb_put_uint64(sb, 1, id);
	pb_put_int64(sb, 2, name);
	pb_put_int64(sb, 4, file);
	pb_msg_end(sb, 5, m);
}

static void put_location(struct strbuf *sb, uint64_t id, uint64_t fid, size_t nlines)
{
	size_t m = pb_msg_begin(sb);

	pb_put_uint64(sb, 1, id);
	pb_put_uint64(sb, 3, 0x4000);
	for (size_t i = 0; i < nlines; i++) {
		size_t l = pb_msg_begin(sb);

		pb_put_uint64(sb, 1, fid);
		pb_put_int64(sb, 2, (int64_t)i + 1);
		pb_msg_end(sb, 4, l);
	}
	pb_msg_end(sb, 4, m);
}

static void put_sample(struct strbuf *sb, const uint64_t *locs, size_t nlocs, int64_t value)
{
	size_t m = pb_msg_begin(sb);

	pb_put_packed_uint64(sb, 1, locs, nlocs);
	pb_put_packed_int64(sb, 2, &value, 1);
	pb_msg_end(sb, 2, m);
}

static void put_strings(struct strbuf *sb)
{
	pb_put_string(sb, 6, "");
	pb_put_string(sb, 6, "goroutine");
	pb_put_string(sb, 6, "count");
	pb_put_string(sb, 6, "main.f");
	pb_put_string(sb, 6, "/x.go");
}

static const char *decode_err(const struct strbuf *sb, struct cw_error *err)
{
	struct profile p;
	int r;

	profile_init(&p);
	r = pprof_decode((const unsigned char *)sb->buf, sb->len, &p, err);
	profile_release(&p);
	return r ? err->msg : NULL;
}

static void test_hostile_valid_base(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	uint64_t loc = 1;

	put_vt(&sb, 1, 1, 2);
	put_function(&sb, 1, 3, 4);
	put_location(&sb, 1, 1, 1);
	put_sample(&sb, &loc, 1, 1);
	put_strings(&sb);
	assert_null(decode_err(&sb, &err));
	strbuf_release(&sb);
}

static void test_hostile_bad_string_index(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};

	put_vt(&sb, 1, 99, 2);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_string_equal(err.msg,
			    "byte 2: sample type: string index 99 out of range (5 strings)");
	strbuf_reset(&sb);
	put_vt(&sb, 1, 1, 2);
	put_function(&sb, 1, -1, 4);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "function name: string index"));
	strbuf_release(&sb);
}

static void test_hostile_missing_ids(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	uint64_t loc = 7, zero = 0;

	put_vt(&sb, 1, 1, 2);
	put_function(&sb, 1, 3, 4);
	put_location(&sb, 1, 1, 1);
	put_sample(&sb, &loc, 1, 1);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "sample: unknown location id 7"));
	assert_true(!strncmp(err.msg, "byte ", 5));

	strbuf_reset(&sb);
	put_vt(&sb, 1, 1, 2);
	put_location(&sb, 1, 5, 1);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "line: unknown function id 5"));

	strbuf_reset(&sb);
	put_vt(&sb, 1, 1, 2);
	put_location(&sb, 1, 0, 0);
	put_sample(&sb, &zero, 1, 1);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "unknown location id 0"));

	strbuf_reset(&sb);
	put_location(&sb, 1, 0, 0);
	put_location(&sb, 1, 0, 0);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "duplicate location id 1"));

	strbuf_reset(&sb);
	put_location(&sb, 0, 0, 0);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "location: invalid id 0"));
	strbuf_release(&sb);
}

static void test_hostile_structure(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	uint64_t loc = 1;

	/* Values must match the sample types. */
	put_sample(&sb, &loc, 0, 1);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "sample has 1 values for 0 sample types"));
	/* No string table: not a profile. */
	strbuf_reset(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_string_equal(err.msg, "byte 0: not a profile.proto (no string table)");
	/* string_table[0] must be "". */
	strbuf_reset(&sb);
	pb_put_string(&sb, 6, "x");
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "string_table[0] is not empty"));
	/* Text. */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "heap profile: 1: 2 [3: 4] @ heap/1048576\n");
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "not a profile.proto (the input is text"));
	/* A message field with a varint wire type. */
	strbuf_reset(&sb);
	pb_put_uint64(&sb, 2, 5);
	assert_non_null(decode_err(&sb, &err));
	assert_string_equal(err.msg, "byte 1: wire type 0 for a message field");
	/* Truncated in the middle of a sample. */
	strbuf_reset(&sb);
	put_vt(&sb, 1, 1, 2);
	put_sample(&sb, &loc, 1, 1);
	sb.len -= 2;
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "exceeds"));
	strbuf_release(&sb);
}

/* A location with many lines referenced many times must not expand without bound. */
static void test_hostile_frame_blowup(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cw_error err = {{0}};
	size_t n = 2000;
	uint64_t *locs = malloc(n * sizeof(*locs));

	assert_non_null(locs);
	for (size_t i = 0; i < n; i++)
		locs[i] = 1;
	put_vt(&sb, 1, 1, 2);
	put_function(&sb, 1, 3, 4);
	put_location(&sb, 1, 1, 2000);
	for (int i = 0; i < 10; i++)
		put_sample(&sb, locs, n, 1);
	put_strings(&sb);
	assert_non_null(decode_err(&sb, &err));
	assert_non_null(strstr(err.msg, "frames after inline expansion"));
	free(locs);
	strbuf_release(&sb);
}

static void test_hostile_gzip(void **state)
{
	struct strbuf z = STRBUF_INIT;
	struct cw_error err = {{0}};
	struct profile p;
	size_t len;
	unsigned char *data = slurp(GOLDEN "heapchans-heap-new.pb.gz", &len);

	profile_init(&p);
	assert_int_equal(pprof_decode(data, len / 2, &p, &err), -1);
	assert_non_null(strstr(err.msg, "gzip: truncated stream"));
	profile_release(&p);
	/* Gzipped garbage that is not a proto. */
	assert_int_equal(gzip_deflate("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11, &z, &err),
			 0);
	profile_init(&p);
	assert_int_equal(pprof_decode((unsigned char *)z.buf, z.len, &p, &err), -1);
	assert_true(!strncmp(err.msg, "byte ", 5));
	profile_release(&p);
	free(data);
	strbuf_release(&z);
}

/* The heap analyzer on the golden pair: sites, evidence, growth. */
static void test_heap_analyze(void **state)
{
	struct profile old, new;
	struct heapchan_result res;
	struct heapchan_options opt = {.use_source = true,
				       .source_dir = "tests/fixtures/go/heapchans"};
	struct cw_error err = {{0}};
	bool refl = false, unbuf = false;

	decode_file(GOLDEN "heapchans-heap-old.pb.gz", &old);
	decode_file(GOLDEN "heapchans-heap-new.pb.gz", &new);
	memset(&res, 0, sizeof(res));
	assert_int_equal(heapchan_analyze(&new, &old, &opt, &res, &err), 0);
	assert_true(res.has_base);
	assert_int_equal(res.nsites, res.nsites_found);
	for (size_t i = 0; i < res.nsites; i++) {
		const struct heapchan_site *s = &res.sites[i];

		if (!strcmp(s->func, "main.reflectChans")) {
			refl = true;
			assert_int_equal(s->evidence, HEAPCHAN_EVIDENCE_STACK);
			assert_string_equal(s->via, "reflect.makechan");
		}
		if (!strcmp(s->func, "main.keepUnbuffered")) {
			unbuf = true;
			assert_int_equal(s->evidence, HEAPCHAN_EVIDENCE_SOURCE);
			assert_true(s->now.inuse_objects == 128);
			assert_true(s->base.inuse_objects == 64);
			assert_true(s->delta.inuse_objects == 64);
		}
	}
	assert_true(refl && unbuf);
	heapchan_result_release(&res);
	/* Without sources only the reflect site is left. */
	opt.use_source = false;
	memset(&res, 0, sizeof(res));
	assert_int_equal(heapchan_analyze(&new, NULL, &opt, &res, &err), 0);
	assert_int_equal(res.nsites, 1);
	assert_string_equal(res.sites[0].func, "main.reflectChans");
	heapchan_result_release(&res);
	/* --top 2. */
	opt.use_source = true;
	opt.top = 2;
	memset(&res, 0, sizeof(res));
	assert_int_equal(heapchan_analyze(&new, &old, &opt, &res, &err), 0);
	assert_int_equal(res.nsites, 2);
	assert_true(res.nsites_found > 2);
	assert_true(res.sites[0].delta.inuse_bytes >= res.sites[1].delta.inuse_bytes);
	heapchan_result_release(&res);
	profile_release(&new);
	profile_release(&old);
}

static void test_heap_not_heap(void **state)
{
	struct profile p;
	struct cw_error err = {{0}};

	decode_file(GOLDEN "heapchans-goroutine.pb.gz", &p);
	assert_int_equal(heapchan_check(&p, &err), -1);
	assert_string_equal(err.msg, "not a heap profile (sample types goroutine; want "
				     "alloc_objects, alloc_space, inuse_objects, inuse_space)");
	profile_release(&p);
}

/* `go tool pprof -traces` output without the File: and Build ID: lines (we write no mapping file).
 */
static char *pprof_traces(const char *path)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	char line[4096];
	FILE *f;

	strbuf_addf(&cmd, "go tool pprof -traces '%s' 2>&1", path);
	f = popen(cmd.buf, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "File: ", 6) && strncmp(line, "Build ID: ", 10))
			strbuf_addstr(&out, line);
	assert_int_equal(pclose(f), 0);
	strbuf_release(&cmd);
	return strbuf_detach(&out, NULL);
}

/* What pprof_encode writes, go tool pprof reads, and sees what it saw in the original. */
static void test_go_tool_pprof(void **state)
{
	static const char *const files[] = {
	    GOLDEN "heapchans-heap-new.pb.gz",
	    GOLDEN "heapchans-goroutine.pb.gz",
	};
	char path[] = "/tmp/chanwatch-test-pprof.XXXXXX";
	int fd;

	if (system("go version >/dev/null 2>&1"))
		skip();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct profile p;
		struct strbuf out = STRBUF_INIT;
		char *want, *got;

		decode_file(files[i], &p);
		assert_int_equal(pprof_encode(&p, &out), 0);
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(pwrite(fd, out.buf, out.len, 0), (ssize_t)out.len);
		want = pprof_traces(files[i]);
		got = pprof_traces(path);
		assert_true(strlen(want) > 100);
		assert_string_equal(got, want);
		free(want);
		free(got);
		strbuf_release(&out);
		profile_release(&p);
	}
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_heap),
	    cmocka_unit_test(test_decode_inlined),
	    cmocka_unit_test(test_goroutine_profiles),
	    cmocka_unit_test(test_not_goroutine_profile),
	    cmocka_unit_test(test_round_trip_golden),
	    cmocka_unit_test(test_round_trip_synthetic),
	    cmocka_unit_test(test_hostile_valid_base),
	    cmocka_unit_test(test_hostile_bad_string_index),
	    cmocka_unit_test(test_hostile_missing_ids),
	    cmocka_unit_test(test_hostile_structure),
	    cmocka_unit_test(test_hostile_frame_blowup),
	    cmocka_unit_test(test_hostile_gzip),
	    cmocka_unit_test(test_heap_analyze),
	    cmocka_unit_test(test_heap_not_heap),
	    cmocka_unit_test(test_go_tool_pprof),
	};
	return cmocka_run_group_tests_name("pprof", tests, NULL, NULL);
}
