// SPDX-License-Identifier: MIT
// Unit and golden tests for the text dump reader (src/dump/text.c), JSON records and the
// debug=2 writer's stack cache.
#define _GNU_SOURCE
#include "cmocka_all.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dump/dump.h"
#include "output/goroutine_text.h"
#include "output/records.h"

#include "lib/banned.h"

struct result {
	int rc;
	struct dump_info info;
	struct cw_error err;
	char *jsonl; /* every record as JSON Lines */
	size_t jsonl_len;
	int stop_after; /* sink returns -7 after this many goroutines (0 = never) */
	int seen;
};

struct sink_ctx {
	struct jsonw w;
	struct result *res;
};

static int on_goroutine(void *ctx, const struct goroutine *g)
{
	struct sink_ctx *c = ctx;

	records_write_goroutine(&c->w, g);
	if (c->res->stop_after && ++c->res->seen >= c->res->stop_after)
		return -7;
	return 0;
}

static int on_panic(void *ctx, const struct panic_report *p)
{
	struct sink_ctx *c = ctx;

	records_write_panic(&c->w, p);
	return 0;
}

/* Runs dump_read_text over an open input; the records land in res->jsonl (caller frees). */
static void run_input(struct input *in, struct result *res)
{
	struct sink_ctx ctx;
	FILE *out = open_memstream(&res->jsonl, &res->jsonl_len);
	struct dump_sink sink = {on_goroutine, on_panic, &ctx};

	assert_non_null(out);
	jsonw_init(&ctx.w, out, false);
	ctx.res = res;
	res->err.msg[0] = '\0';
	res->rc = dump_read_text(in, &sink, &res->info, &res->err);
	fclose(out);
}

/* An input over bytes in memory (a memfd, so reads behave like a file's). */
static void open_mem(struct input *in, const void *data, size_t len)
{
	int fd = memfd_create("text", MFD_CLOEXEC);
	const char *p = data;
	size_t done = 0;

	assert_true(fd >= 0);
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		assert_true(n > 0);
		done += (size_t)n;
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->owns_fd = true;
}

static struct result *parse_mem(const void *data, size_t len)
{
	struct result *res = calloc(1, sizeof(*res));
	struct input in;

	assert_non_null(res);
	open_mem(&in, data, len);
	run_input(&in, res);
	input_close(&in);
	return res;
}

static struct result *parse_str(const char *s)
{
	return parse_mem(s, strlen(s));
}

static void result_free(struct result *res)
{
	free(res->jsonl);
	free(res);
}

/* The n-th (0-based) line of the records, NUL-terminated in a static buffer. */
static const char *record_line(const struct result *res, int n)
{
	static char line[1 << 16];
	const char *p = res->jsonl, *e;

	for (; n > 0 && p; n--) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return "";
	e = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(e ? e - p : (ptrdiff_t)strlen(p)), p);
	return line;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* --- golden pairs: tests/golden/dump/X.txt -> X.records.jsonl ---------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;
	FILE *m;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &cap);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, m);
	fclose(m);
	fclose(f);
	*len = cap;
	return buf;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void golden_pairs(void **state)
{
	const char *srcdir = getenv("CW_SRCDIR") ? getenv("CW_SRCDIR") : ".";
	bool update = getenv("CW_UPDATE_GOLDEN") != NULL;
	char dir[4096], path[4200];
	char *names[256];
	int nnames = 0, failures = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/golden/dump", srcdir);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) && nnames < 256) {
		size_t n = strlen(de->d_name);
		if (n > 4 && !strcmp(de->d_name + n - 4, ".txt"))
			names[nnames++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)nnames, sizeof(names[0]), cmp_name);
	assert_true(nnames >= 10);

	for (int i = 0; i < nnames; i++) {
		struct result res = {0};
		struct input in;
		struct cw_error err;
		char *want;
		size_t want_len = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_int_equal(input_open(&in, path, NULL, &err), 0);
		run_input(&in, &res);
		input_close(&in);
		if (res.rc) {
			print_error("%s: %s\n", names[i], res.err.msg);
			failures++;
			free(res.jsonl);
			continue;
		}
		snprintf(path + strlen(path) - 4, 64, ".records.jsonl");
		if (update) {
			FILE *f = fopen(path, "wb");
			assert_non_null(f);
			fwrite(res.jsonl, 1, res.jsonl_len, f);
			fclose(f);
		}
		want = read_file(path, &want_len);
		if (!want) {
			print_error("%s: missing %s\n", names[i], path);
			failures++;
		} else if (want_len != res.jsonl_len || memcmp(want, res.jsonl, want_len)) {
			size_t off = 0;
			int line = 1;
			while (off < want_len && off < res.jsonl_len && want[off] == res.jsonl[off])
				line += want[off++] == '\n';
			print_error("%s: records differ from %s at line %d\n", names[i], path,
				    line);
			failures++;
		}
		free(want);
		free(res.jsonl);
		free(names[i]);
	}
	assert_int_equal(failures, 0);
}

/* --- headers ---------------------------------------------------------------------- */

static void header_modifiers_and_labels(void **state)
{
	struct result *res =
	    parse_str("goroutine 7 [chan receive, 2 minutes, locked to thread, synctest group 3 "
		      "labels:{\"a\": \"x]\\\"y\", \"b\": \"}, ]:\"}]:\n"
		      "main.f()\n\t/a/b.go:3 +0x1\n\n"
		      "goroutine 8 [chan send (nil chan) (leaked) (scan)]:\n"
		      "main.g(...)\n\t/a/b.go:4\n\n"
		      "goroutine 9 [select (durable), synctest bubble 4]:\n"
		      "main.h()\n\t/a/b.go:5 +0x2\n");

	assert_int_equal(res->rc, 0);
	assert_string_equal(record_line(res, 0),
			    "{\"record\":\"goroutine\",\"input_line\":1,\"id\":7,\"count\":1,"
			    "\"status\":\"chan receive\",\"flags\":[\"locked\"],\"wait_minutes\":2,"
			    "\"synctest_group\":3,\"labels\":\"\\\"a\\\": \\\"x]\\\\\\\"y\\\", "
			    "\\\"b\\\": \\\"}, ]:\\\"\",\"frames\":[{\"func\":\"main.f\","
			    "\"file\":\"/a/b.go\",\"line\":3,\"offset\":1}]}");
	assert_string_equal(record_line(res, 1),
			    "{\"record\":\"goroutine\",\"input_line\":5,\"id\":8,\"count\":1,"
			    "\"status\":\"chan send (nil chan)\",\"flags\":[\"leaked\",\"scan\"],"
			    "\"frames\":[{\"func\":\"main.g\",\"file\":\"/a/b.go\",\"line\":4,"
			    "\"flags\":[\"inlined\"]}]}");
	assert_string_equal(record_line(res, 2),
			    "{\"record\":\"goroutine\",\"input_line\":9,\"id\":9,\"count\":1,"
			    "\"status\":\"select\",\"flags\":[\"durable\"],\"synctest_group\":4,"
			    "\"frames\":[{\"func\":\"main.h\",\"file\":\"/a/b.go\",\"line\":5,"
			    "\"offset\":2}]}");
	assert_int_equal(res->info.format, DUMP_FORMAT_TEXT);
	assert_int_equal(res->info.records, 3);
	assert_int_equal(res->info.lines, 11);
	assert_false(res->info.truncated);
	result_free(res);
}

static void crash_header_and_fp_suffix(void **state)
{
	struct result *res =
	    parse_str("goroutine 1 gp=0xc000002380 m=0 mp=0x56b300 [running]:\n"
		      "panic({0x4a3f60?, 0x4e7a40?})\n"
		      "\t/usr/local/go/src/runtime/panic.go:804 +0x168 fp=0xc000067f08 "
		      "sp=0xc000067e58 pc=0x4695c8\n"
		      "\n"
		      "goroutine 2 gp=0xc000002e00 m=nil [force gc (idle)]:\n"
		      "runtime.goexit({})\n"
		      "\t/my dir/with:colon/asm.s:1700 +0x1 fp=0x1 sp=0x2 pc=0x3\n"
		      "created by runtime.init.7 in goroutine 1\n"
		      "\t/usr/local/go/src/runtime/proc.go:310 +0x1a\n");

	assert_int_equal(res->rc, 0);
	assert_string_equal(
	    record_line(res, 0),
	    "{\"record\":\"goroutine\",\"input_line\":1,\"id\":1,\"count\":1,"
	    "\"status\":\"running\",\"flags\":[\"crash_info\"],\"frames\":[{\"func\":"
	    "\"panic\",\"file\":\"/usr/local/go/src/runtime/panic.go\",\"line\":804,"
	    "\"offset\":360,\"pc\":4625864}]}");
	assert_string_equal(record_line(res, 1),
			    "{\"record\":\"goroutine\",\"input_line\":5,\"id\":2,\"count\":1,"
			    "\"status\":\"force gc (idle)\",\"flags\":[\"crash_info\"],\"frames\":"
			    "[{\"func\":\"runtime.goexit\",\"file\":\"/my dir/with:colon/asm.s\","
			    "\"line\":1700,\"offset\":1,\"pc\":3}],\"created_by\":{\"func\":"
			    "\"runtime.init.7\",\"file\":\"/usr/local/go/src/runtime/proc.go\","
			    "\"line\":310,\"offset\":26},\"creator_id\":1}");
	result_free(res);
}

static void args_with_braces_and_receivers(void **state)
{
	struct result *res =
	    parse_str("goroutine 3 [select]:\n"
		      "main.(*T[...]).run(0xc0000a0000?, {0x1, {0x2, 0x3}}, {{0x4?, 0x5}, ...})\n"
		      "\t/a/t.go:10 +0x4f\n"
		      "gopkg.in/yaml.v3.(*parser).parse.func1.2()\n"
		      "\t/a/y.go:1\n"
		      "main.main.func1(...)\n"
		      "\t/a/m.go:2\n");

	assert_int_equal(res->rc, 0);
	assert_non_null(
	    strstr(record_line(res, 0),
		   "[{\"func\":\"main.(*T[...]).run\",\"file\":\"/a/t.go\",\"line\":10,"
		   "\"offset\":79},{\"func\":\"gopkg.in/yaml.v3.(*parser).parse.func1.2\","
		   "\"file\":\"/a/y.go\",\"line\":1},{\"func\":\"main.main.func1\","
		   "\"file\":\"/a/m.go\",\"line\":2,\"flags\":[\"inlined\"]}]"));
	result_free(res);
}

/* --- frames ----------------------------------------------------------------------- */

static void elision_markers(void **state)
{
	struct result *res = parse_str("goroutine 4 [chan receive]:\n"
				       "main.a()\n\t/a.go:1 +0x1\n"
				       "...12 frames elided...\n"
				       "main.b()\n\t/a.go:2 +0x2\n"
				       "\n"
				       "goroutine 5 [chan receive]:\n"
				       "main.a()\n\t/a.go:1 +0x1\n"
				       "\t...7 frames elided...\n"
				       "main.c()\n\t/a.go:3 +0x3\n"
				       "\n"
				       "goroutine 6 [chan receive]:\n"
				       "main.a()\n\t/a.go:1 +0x1\n"
				       "...additional frames elided...\n"
				       "created by main.main\n\t/a.go:9 +0x9\n");

	assert_int_equal(res->rc, 0);
	assert_non_null(strstr(record_line(res, 0), "\"func\":\"main.b\""));
	assert_non_null(strstr(record_line(res, 0), "\"frames_elided\":12"));
	assert_non_null(strstr(record_line(res, 1), "\"func\":\"main.c\""));
	assert_non_null(strstr(record_line(res, 1), "\"frames_elided\":7"));
	assert_non_null(strstr(record_line(res, 2), "\"frames_elided\":\"unknown\""));
	assert_non_null(strstr(record_line(res, 2), "\"created_by\":{\"func\":\"main.main\""));
	assert_null(strstr(record_line(res, 2), "creator_id"));
	result_free(res);
}

static void special_frames(void **state)
{
	struct result *res = parse_str("goroutine 9 [running]:\n"
				       "\tgoroutine running on other thread; stack unavailable\n"
				       "\n"
				       "goroutine 10 [syscall]:\n"
				       "non-Go function at pc=0x7f12\n"
				       "main.cgo()\n\t/a.go:1 +0x1\n"
				       "\n"
				       "goroutine 11 [syscall]:\n"
				       "non-Go function\n"
				       "\t/usr/lib/libc.c:42 pc=0x7f13\n");

	assert_int_equal(res->rc, 0);
	assert_non_null(strstr(record_line(res, 0),
			       "\"frames\":[{\"func\":\"\",\"file\":\"\",\"line\":0,"
			       "\"flags\":[\"unavailable\"]}]"));
	assert_non_null(strstr(record_line(res, 1),
			       "{\"func\":\"non-Go function\",\"file\":\"\",\"line\":0,"
			       "\"pc\":32530,\"flags\":[\"non_go\"]}"));
	assert_non_null(strstr(record_line(res, 2),
			       "{\"func\":\"non-Go function\",\"file\":\"/usr/lib/libc.c\","
			       "\"line\":42,\"pc\":32531,\"flags\":[\"non_go\"]}"));
	result_free(res);
}

static void ancestors_keep_created_by(void **state)
{
	struct result *res = parse_str("goroutine 20 [chan send]:\n"
				       "main.w()\n\t/a.go:5 +0x5\n"
				       "created by main.spawn in goroutine 7\n\t/a.go:9 +0x9\n"
				       "[originating from goroutine 7]:\n"
				       "main.spawn(...)\n\t/a.go:9 +0x9\n"
				       "created by main.main\n\t/a.go:20 +0x20\n"
				       "[originating from goroutine 1]:\n"
				       "main.main(...)\n\t/a.go:20 +0x20\n"
				       "...additional frames elided...\n"
				       "\n"
				       "goroutine 21 [select]:\n"
				       "main.x()\n\t/a.go:1 +0x1\n");

	assert_int_equal(res->rc, 0);
	assert_string_equal(
	    record_line(res, 0),
	    "{\"record\":\"goroutine\",\"input_line\":1,\"id\":20,\"count\":1,"
	    "\"status\":\"chan send\",\"flags\":[],\"frames\":[{\"func\":\"main.w\","
	    "\"file\":\"/a.go\",\"line\":5,\"offset\":5}],\"created_by\":{\"func\":"
	    "\"main.spawn\",\"file\":\"/a.go\",\"line\":9,\"offset\":9},"
	    "\"creator_id\":7,\"nancestors\":2}");
	assert_non_null(strstr(record_line(res, 1), "\"id\":21"));
	result_free(res);
}

/* --- panics and surrounding text --------------------------------------------------- */

static void panics_are_classified(void **state)
{
	struct result *res =
	    parse_str("=== RUN   TestX\n"
		      "panic: send on closed channel\n"
		      "panic: close of closed channel [recovered]\n"
		      "\tpanic: close of nil channel\n"
		      "panic: test timed out after 2s\n"
		      "\trunning tests:\n\t\tTestX (2s)\n"
		      "fatal error: all goroutines are asleep - deadlock!\n"
		      "fatal error: concurrent map writes\n"
		      "panic: runtime error: index out of range [3] with length 1\n"
		      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1]\n"
		      "SIGQUIT: quit\nPC=0x46ce61 m=0 sigcode=0\n\n"
		      "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\n"
		      "rax    0xca\nrbx    0x0\n"
		      "exit status 2\n");
	static const char *kinds[] = {"send_on_closed", "close_of_closed", "close_of_nil",
				      "test_timeout",	"deadlock",	   "fatal_other",
				      "other"};
	char want[128];

	assert_int_equal(res->rc, 0);
	for (int i = 0; i < 7; i++) {
		snprintf(want, sizeof(want), "\"kind\":\"%s\"", kinds[i]);
		assert_non_null(strstr(record_line(res, i), want));
	}
	assert_non_null(strstr(record_line(res, 1), "\"message\":\"close of closed channel "
						    "[recovered]\""));
	assert_non_null(strstr(record_line(res, 2), "\"input_line\":4"));
	assert_non_null(strstr(record_line(res, 7), "\"record\":\"goroutine\""));
	assert_int_equal(count_lines(res->jsonl), 8);
	assert_int_equal(res->info.lines, 21);
	result_free(res);
}

static void crlf_lines(void **state)
{
	struct result *res = parse_str("goroutine 1 [chan receive]:\r\nmain.main()\r\n"
				       "\t/a.go:1 +0x1\r\n\r\ngoroutine 2 [select]:\r\n"
				       "main.f()\r\n\t/a.go:2 +0x2\r\n");

	assert_int_equal(res->rc, 0);
	assert_int_equal(res->info.records, 2);
	assert_non_null(strstr(record_line(res, 1), "\"line\":2,\"offset\":2}"));
	result_free(res);
}

/* --- debug=1 ---------------------------------------------------------------------- */

static void debug1_profile(void **state)
{
	struct result *res = parse_str("goroutineleak profile: total 7\n"
				       "5 @ 0x47f50e 0x41462c 0x4df025 0x485bc1\n"
				       "# labels: {\"k\":\"v]\", \"z\":\"1\"}\n"
				       "#\t0x4df024\tmain.blockAll.func4+0x24\t\t/a/main.go:51\n"
				       "#\t0x4dea10\tmain.produce[...]+0x30\t\t\t/a b/main.go:33\n"
				       "\n"
				       "2 @ 0x47f50e 0x5\n"
				       "#\t0x47f50d\truntime.gopark+0xce\t/go/proc.go:462\n"
				       "#\t0x5\n"
				       "\n");

	assert_int_equal(res->rc, 0);
	assert_int_equal(res->info.format, DUMP_FORMAT_DEBUG1);
	assert_string_equal(res->info.profile_name, "goroutineleak");
	assert_int_equal(res->info.declared_total, 7);
	assert_int_equal(res->info.goroutines, 7);
	assert_int_equal(res->info.records, 2);
	assert_string_equal(record_line(res, 0),
			    "{\"record\":\"goroutine\",\"input_line\":2,\"id\":0,\"count\":5,"
			    "\"status\":null,\"flags\":[\"leaked\",\"runtime_hidden\"],\"labels\":"
			    "\"\\\"k\\\":\\\"v]\\\", "
			    "\\\"z\\\":\\\"1\\\"\",\"frames\":[{\"func\":\"main.blockAll.func4\","
			    "\"file\":\"/a/main.go\",\"line\":51,\"offset\":36,\"pc\":5107748},"
			    "{\"func\":\"main.produce[...]\",\"file\":\"/a b/main.go\",\"line\":33,"
			    "\"offset\":48,\"pc\":5106192}]}");
	assert_non_null(
	    strstr(record_line(res, 1), "{\"func\":\"\",\"file\":\"\",\"line\":0,\"pc\":5}]"));
	/* Its first "@" PC is its first frame's return address: nothing was hidden. */
	assert_null(strstr(record_line(res, 1), "runtime_hidden"));
	result_free(res);
}

/* --- truncation and errors ---------------------------------------------------------- */

static void truncation(void **state)
{
	static const struct {
		const char *in;
		int records;
		const char *why;
	} cases[] = {
	    {"goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\n"
	     "goroutine 2 [select]:\nmain.f()\n\t/a.go:2 +0x",
	     1, "line 7: input ends inside a goroutine (no final newline)"},
	    {"goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\n"
	     "goroutine 2 [select]:\nmain.f()\n",
	     1, "line 6: input ends before the file line of a frame"},
	    {"goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\ngoroutine 2 [select]:\n", 1,
	     "line 5: input ends after a goroutine header"},
	    {"goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\ngoroutine 2 [sel", 1,
	     "line 5: input ends inside a goroutine header"},
	    {"goroutine profile: total 3\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n"
	     "2 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n",
	     1, "line 6: input ends inside a profile record"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result *res = parse_str(cases[i].in);
		assert_int_equal(res->rc, 0);
		assert_true(res->info.truncated);
		assert_string_equal(res->info.truncated_why, cases[i].why);
		assert_int_equal(res->info.records, cases[i].records);
		assert_int_equal(count_lines(res->jsonl), cases[i].records);
		result_free(res);
	}
}

/* Go cuts debug=2 output at exactly 64 MiB: that size ending mid-record says so. */
static void go_64mib_cap(void **state)
{
	static const char rec[] = "goroutine 1234567 [chan receive, 5 minutes]:\n"
				  "main.worker(0xc000123456, {0xc000abcdef?, 0x10?})\n"
				  "\t/home/user/src/app/worker.go:123 +0x1d\n"
				  "created by main.start in goroutine 1\n"
				  "\t/home/user/src/app/main.go:45 +0x2f\n\n";
	size_t len = 64u << 20, n = sizeof(rec) - 1;
	char *buf = malloc(len);
	struct result *res;

	assert_non_null(buf);
	for (size_t off = 0; off < len; off += n)
		memcpy(buf + off, rec, off + n <= len ? n : len - off);
	res = parse_mem(buf, len);
	assert_int_equal(res->rc, 0);
	assert_true(res->info.truncated);
	assert_non_null(strstr(res->info.truncated_why, "exactly 64 MiB"));
	assert_int_equal(res->info.records, len / n);
	assert_int_equal(res->info.bytes, len);
	result_free(res);
	free(buf);
}

static void errors_name_the_line(void **state)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
	    {"", "line 1: no goroutine dump or profile found"},
	    {"hello\nworld\n", "line 2: no goroutine dump or profile found"},
	    {"ok\n\ngoroutine 1x [running]:\nmain.main()\n\t/a.go:1\n",
	     "line 3: malformed goroutine header: bad goroutine id: 'goroutine 1x [running]:'"},
	    {"goroutine 1 [running]:\nmain.main()\nmain.f()\n\t/a.go:1\n",
	     "line 3: expected a tab-indented 'file:line' line: 'main.f()'"},
	    {"goroutine 1 [running]:\nmain.main()\n\t/a.go +0x1\n",
	     "line 3: expected a tab-indented 'file:line' line: '\t/a.go +0x1'"},
	    {"goroutine 1 []:\n", "line 1: malformed goroutine header: empty status: "
				  "'goroutine 1 []:'"},
	    {"goroutine 1 [x labels:{\"a\": \"b]:\n",
	     "line 1: malformed goroutine header: bad labels: 'goroutine 1 [x labels:{\"a\": "
	     "\"b]:'"},
	    {"goroutine profile: total 1\n1 @ 0x1\nbogus\n",
	     "line 3: unexpected line in a profile record: 'bogus'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result *res = parse_str(cases[i].in);
		assert_int_equal(res->rc, -1);
		assert_string_equal(res->err.msg, cases[i].err);
		result_free(res);
	}
}

static void sink_stop_is_returned(void **state)
{
	struct result *res = calloc(1, sizeof(*res));
	const char *s = "goroutine 1 [a]:\nmain.a()\n\t/a.go:1\n\ngoroutine 2 [b]:\nmain.b()\n"
			"\t/a.go:2\n\ngoroutine 3 [c]:\nmain.c()\n\t/a.go:3\n";
	struct input in;

	res->stop_after = 2;
	open_mem(&in, s, strlen(s));
	run_input(&in, res);
	input_close(&in);
	assert_int_equal(res->rc, -7);
	assert_int_equal(count_lines(res->jsonl), 2);
	result_free(res);
}

/*
 * Many records across several buffer refills, and one record larger than the
 * initial buffer: every goroutine must come out whole and in order.
 */
static void big_inputs_across_refills(void **state)
{
	char *buf = NULL, *fn;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const int n = 60000, bigframes = 6000;
	struct result *res;
	char want[256];

	for (int i = 1; i <= n; i++)
		fprintf(f,
			"goroutine %d [chan receive]:\nmain.worker%d(0x%x)\n\t/src/w.go:%d "
			"+0x1d\ncreated by main.main in goroutine 1\n\t/src/m.go:9 +0x2f\n\n",
			i, i % 7, i, i);
	fn = malloc(1001);
	memset(fn, 'f', 1000);
	fn[1000] = '\0';
	fprintf(f, "goroutine %d [select]:\n", n + 1);
	for (int i = 0; i < bigframes; i++)
		fprintf(f, "main.%s%d()\n\t/src/big.go:%d +0x1\n", fn, i, i + 1);
	fclose(f);
	free(fn);
	assert_true(len > (8u << 20));

	res = parse_mem(buf, len);
	assert_int_equal(res->rc, 0);
	assert_false(res->info.truncated);
	assert_int_equal(res->info.records, n + 1);
	assert_int_equal(res->info.bytes, len);
	assert_int_equal(res->info.lines, count_lines(buf));
	for (int i = 1; i <= n; i += 997) {
		snprintf(want, sizeof(want),
			 "\"input_line\":%d,\"id\":%d,\"count\":1,\"status\":\"chan receive\","
			 "\"flags\":[],\"frames\":[{\"func\":\"main.worker%d\",\"file\":"
			 "\"/src/w.go\",\"line\":%d,\"offset\":29}]",
			 (i - 1) * 6 + 1, i, i % 7, i);
		assert_non_null(strstr(record_line(res, i - 1), want));
	}
	snprintf(want, sizeof(want), "f%d\",\"file\":\"/src/big.go\",\"line\":%d,", bigframes - 1,
		 bigframes);
	assert_non_null(strstr(res->jsonl, want));
	result_free(res);
	free(buf);
}

/* The text of gs[0..n) as goroutine_text_write() writes it, with cache or without. */
static char *write_text(const struct goroutine *gs, size_t n, struct goroutine_text_cache *cache,
			size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		goroutine_text_write(f, &gs[i], cache);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void text_cache_formats_a_stack_once(void **state)
{
	enum { NSTACK = 700, NFRAME = 100, NAME = 1000 };
	static struct frame frames[2][NFRAME], big[NFRAME];
	static char name[NAME + 1];
	struct goroutine gs[6];
	struct goroutine_text_cache *c = goroutine_text_cache_new();
	char *plain, *cached;
	size_t plain_len, cached_len;

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 3; i++)
			frames[k][i] = (struct frame){.func = slice_cstr(k ? "main.b" : "main.a"),
						      .file = slice_cstr("/src/main.go"),
						      .line = 10 + (uint32_t)i,
						      .offset = 0x20,
						      .flags = i == 1 ? FRAME_INLINED : 0};
	memset(gs, 0, sizeof(gs));
	for (int i = 0; i < 6; i++) { /* stacks 1 2 1 (unshared) 2 1: headers and creators vary */
		int k = i % 3 == 1;
		gs[i].id = 100 + (uint64_t)i;
		gs[i].status = slice_cstr(i & 1 ? "chan send" : "chan receive");
		gs[i].frames = frames[k];
		gs[i].nframes = 3;
		gs[i].stack_id = i == 3 ? 0 : (uint32_t)k + 1;
		gs[i].created_by = (struct frame){.func = slice_cstr("main.main"),
						  .file = slice_cstr("/src/main.go"),
						  .line = 40 + (uint32_t)i};
		gs[i].creator_id = 1;
	}
	plain = write_text(gs, 6, NULL, &plain_len);
	cached = write_text(gs, 6, c, &cached_len);
	assert_int_equal(cached_len, plain_len);
	assert_memory_equal(cached, plain, plain_len);
	free(cached);

	/* a stack_id is trusted: frames given with a kept id are not looked at again */
	frames[0][0].line = 99;
	cached = write_text(gs, 1, c, &cached_len);
	assert_non_null(strstr(cached, "main.go:10 +0x20\n"));
	assert_null(strstr(cached, ":99"));
	free(cached);
	free(plain);
	frames[0][0].line = 10;

	/* past 64 MiB of kept text, stacks are formatted each time, still right */
	memset(name, 'x', NAME);
	memcpy(name, "main.", 5);
	for (int i = 0; i < NFRAME; i++)
		big[i] = (struct frame){.func = slice_from(name, NAME),
					.file = slice_cstr("/src/big.go"),
					.line = (uint32_t)i + 1};
	for (uint32_t id = 10; id < 10 + NSTACK; id++) {
		struct goroutine g = gs[0];
		g.frames = big;
		g.nframes = NFRAME;
		g.stack_id = id;
		plain = write_text(&g, 1, NULL, &plain_len);
		cached = write_text(&g, 1, c, &cached_len);
		assert_int_equal(cached_len, plain_len);
		assert_memory_equal(cached, plain, plain_len);
		free(plain);
		free(cached);
	}
	plain = write_text(gs, 6, NULL, &plain_len); /* the stacks kept before still serve */
	cached = write_text(gs, 6, c, &cached_len);
	assert_int_equal(cached_len, plain_len);
	assert_memory_equal(cached, plain, plain_len);
	free(plain);
	free(cached);
	/* ...from the cache (frames changed under a kept id do not show), while a stack first
	 * seen past the cap is formatted each time (its changed frames do show) */
	frames[0][0].line = 99;
	cached = write_text(gs, 1, c, &cached_len);
	assert_null(strstr(cached, ":99"));
	free(cached);
	frames[0][0].line = 10;
	{
		struct goroutine g = gs[0];
		g.stack_id = 10 + NSTACK;
		cached = write_text(&g, 1, c, &cached_len);
		free(cached);
		frames[0][0].line = 99;
		cached = write_text(&g, 1, c, &cached_len);
		assert_non_null(strstr(cached, "main.go:99 +0x20\n"));
		free(cached);
		frames[0][0].line = 10;
	}
	goroutine_text_cache_free(c);
	goroutine_text_cache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_modifiers_and_labels),
	    cmocka_unit_test(crash_header_and_fp_suffix),
	    cmocka_unit_test(args_with_braces_and_receivers),
	    cmocka_unit_test(elision_markers),
	    cmocka_unit_test(special_frames),
	    cmocka_unit_test(ancestors_keep_created_by),
	    cmocka_unit_test(panics_are_classified),
	    cmocka_unit_test(crlf_lines),
	    cmocka_unit_test(debug1_profile),
	    cmocka_unit_test(truncation),
	    cmocka_unit_test(go_64mib_cap),
	    cmocka_unit_test(errors_name_the_line),
	    cmocka_unit_test(sink_stop_is_returned),
	    cmocka_unit_test(big_inputs_across_refills),
	    cmocka_unit_test(golden_pairs),
	    cmocka_unit_test(text_cache_formats_a_stack_once),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
