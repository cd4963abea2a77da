// SPDX-License-Identifier: MIT
// Unit tests for the lint writers (text, JSON, SARIF, watch file) against tests/golden/lint/.
// CW_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing (review the diff!).
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/lint.h"
#include "output/lint_json.h"
#include "output/lint_sarif.h"
#include "output/lint_text.h"
#include "output/lint_vetjson.h"
#include "output/lint_watch.h"

#define GOLDEN_DIR "tests/golden/lint/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Compares got with the golden file name (or rewrites it under CW_UPDATE_GOLDEN=1). */
static void check_golden(const char *name, const char *got, size_t len)
{
	char path[256];
	char *want;
	size_t wlen = 0;

	snprintf(path, sizeof(path), GOLDEN_DIR "%s", name);
	if (getenv("CW_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(got, 1, len, f), len);
		fclose(f);
		return;
	}
	want = slurp(path, &wlen);
	if (!want)
		fail_msg("cannot read golden file %s (run from the repository root)", path);
	if (wlen != len || memcmp(want, got, len)) {
		print_error("--- %s (want)\n%s\n--- got\n%.*s\n", path, want, (int)len, got);
		free(want);
		fail_msg("output differs from %s", path);
	}
	free(want);
}

/*
 * A model as the engine would fill it: findings sorted by file, line, column;
 * paths relative, absolute under the source root, absolute elsewhere, and one
 * with characters a URI must escape.
 */
static void build_result(struct lint_result *r)
{
	struct lint_finding *f;
	struct lint_watch *w;

	memset(r, 0, sizeof(*r));
	r->files = 3;
	r->packages = 2;
	r->bytes = 48213;
	r->parse_errors = 1;
	r->nfindings = 5;
	r->findings = calloc(r->nfindings, sizeof(*r->findings));
	assert_non_null(r->findings);
	f = r->findings;

	f[0].rule = "CW102";
	f[0].pos = (struct lint_pos){"/src/app/worker/pool.go", 41, 3};
	f[0].message = "goroutine sends on results, but fetch can return before receiving it";
	f[0].related[0] =
	    (struct lint_related){{"/src/app/worker/pool.go", 37, 13}, "channel made here"};
	f[0].related[1] = (struct lint_related){{"/src/app/worker/pool.go", 48, 2},
						"the receive is in a select with ctx.Done()"};
	f[0].nrelated = 2;

	f[1].rule = "CW103";
	f[1].pos = (struct lint_pos){"./worker/pool.go", 90, 4};
	f[1].message = "done closed twice on this path";
	f[1].related[0] = (struct lint_related){{"./worker/pool.go", 84, 3}, "first closed here"};
	f[1].nrelated = 1;

	f[2].rule = "CW101";
	f[2].pos = (struct lint_pos){"cmd/my tool/a:b#c.go", 7, 17};
	f[2].message = "range over jobs, which no path closes";

	f[3].rule = "CW100";
	f[3].pos = (struct lint_pos){"/elsewhere/vendor/x.go", 12, 1};
	f[3].message = "ignore directive needs a reason";

	/* Hostile text: a newline and an escape in the message, non-ASCII in the path. */
	f[4].rule = "CW109";
	f[4].pos = (struct lint_pos){"internal/zeit/\xc3\xbc"
				     "ber.go",
				     3, 9};
	f[4].message = "time.After in a loop\nleaks a timer per iteration \x1b[31m before Go 1.23";

	r->nwatches = 2;
	r->watches = calloc(r->nwatches, sizeof(*r->watches));
	assert_non_null(r->watches);
	w = r->watches;
	w[0] = (struct lint_watch){
	    {"worker/pool.go", 37, 13}, "results", "300ms", 300000000ull, "*Result", NULL};
	w[1] = (struct lint_watch){
	    {"worker/queue.go", 12, 9}, "jobs \"main\"", NULL, 0, "Job", "len(xs)"};
}

static void empty_result(struct lint_result *r)
{
	memset(r, 0, sizeof(*r));
	r->files = 1;
	r->packages = 1;
	r->bytes = 1;
}

typedef void (*writer_fn)(const struct lint_result *r, FILE *out, const void *opt);

static void run_writer(const char *golden, const struct lint_result *r, writer_fn fn,
		       const void *opt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	fn(r, out, opt);
	fclose(out);
	check_golden(golden, buf, len);
	free(buf);
}

static void w_text(const struct lint_result *r, FILE *out, const void *opt)
{
	lint_write_text(r, out, NULL, opt);
}
static void w_summary(const struct lint_result *r, FILE *out, const void *opt)
{
	lint_write_summary(r, out);
}
static void w_json(const struct lint_result *r, FILE *out, const void *opt)
{
	lint_write_json(r, out);
}
static void w_watch(const struct lint_result *r, FILE *out, const void *opt)
{
	lint_write_watch(r, out);
}
static void w_sarif(const struct lint_result *r, FILE *out, const void *opt)
{
	lint_write_sarif(r, out, opt);
}

static void w_vetjson(const struct lint_result *r, FILE *out, const void *opt)
{
	lint_write_vetjson(r, "example.com/app/worker [example.com/app/worker.test]", out);
}

static void vet_json_tree(void **state)
{
	struct lint_result r;

	build_result(&r);
	run_writer("vet.json", &r, w_vetjson, NULL);
	lint_result_release(&r);
	empty_result(&r);
	run_writer("vet-empty.json", &r, w_vetjson, NULL);
}

static const struct lint_sarif_options sarif_opt = {
    .version = "0.4.0",
    .information_uri = "https://github.com/chanwatch/chanwatch",
    .rules_base_uri = "https://github.com/chanwatch/chanwatch/blob/main/docs/rules",
    .srcroot = "/src/app/",
};

static void text_is_go_vet_format(void **state)
{
	struct lint_result r;
	struct lint_text_options plain = {false, false}, color = {true, false};

	build_result(&r);
	run_writer("findings.txt", &r, w_text, &plain);
	run_writer("findings-color.txt", &r, w_text, &color);
	run_writer("summary.txt", &r, w_summary, NULL);
	lint_result_release(&r);
	assert_null(r.findings);
}

static void text_summary_goes_to_its_own_stream(void **state)
{
	struct lint_result r;
	struct lint_text_options opt = {false, true};
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	FILE *out = open_memstream(&a, &alen), *sum = open_memstream(&b, &blen);

	empty_result(&r);
	lint_write_text(&r, out, sum, &opt);
	fclose(out);
	fclose(sum);
	assert_int_equal(alen, 0);
	assert_string_equal(b, "chanwatch lint: 0 findings in 1 file (1 package), 1 byte\n");
	free(a);
	free(b);
}

static void json_document(void **state)
{
	struct lint_result r;

	build_result(&r);
	run_writer("findings.json", &r, w_json, NULL);
	lint_result_release(&r);
	empty_result(&r);
	run_writer("empty.json", &r, w_json, NULL);
}

static void watch_file(void **state)
{
	struct lint_result r;

	build_result(&r);
	run_writer("watch.json", &r, w_watch, NULL);
	lint_result_release(&r);
	empty_result(&r);
	run_writer("watch-empty.json", &r, w_watch, NULL);
}

static void sarif_log(void **state)
{
	struct lint_result r;
	struct lint_sarif_options bare = {0}, relative = {.rules_base_uri = "docs/rules"};

	build_result(&r);
	run_writer("findings.sarif", &r, w_sarif, &sarif_opt);
	run_writer("findings-bare.sarif", &r, w_sarif, &bare);
	run_writer("findings-relhelp.sarif", &r, w_sarif, &relative);
	lint_result_release(&r);
	empty_result(&r);
	run_writer("empty.sarif", &r, w_sarif, &sarif_opt);
}

static void rule_table(void **state)
{
	size_t n = 0;

	for (const struct lint_rule_info *ri = lint_rules; ri->id; ri++, n++) {
		char want[8];
		snprintf(want, sizeof(want), "CW%03zu", 100 + n);
		assert_string_equal(ri->id, want); /* in ID order, no gaps */
		assert_ptr_equal(lint_rule_find(ri->id), ri);
		assert_true(strlen(ri->name) > 0 && strlen(ri->title) > 0);
		assert_null(strchr(ri->name, ' '));
	}
	assert_int_equal(n, 10);
	assert_string_equal(lint_rule_find("CW105")->name, "CloseByReceiver");
	assert_null(lint_rule_find("CW110"));
	assert_null(lint_rule_find("cw101"));
	assert_null(lint_rule_find(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rule_table),
	    cmocka_unit_test(text_is_go_vet_format),
	    cmocka_unit_test(text_summary_goes_to_its_own_stream),
	    cmocka_unit_test(json_document),
	    cmocka_unit_test(watch_file),
	    cmocka_unit_test(sarif_log),
	    cmocka_unit_test(vet_json_tree),
	};
	return cmocka_run_group_tests_name("lint_output", tests, NULL, NULL);
}
