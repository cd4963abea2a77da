// SPDX-License-Identifier: MIT
// Unit tests for the analyzer: classification, blocking sites, grouping, ranking, diff, filters.
#include "cmocka_all.h"

#include <string.h>

#include "analyze/analyze.h"
#include "analyze/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define F(fn, fl, ln)                                                                              \
	{                                                                                          \
		.func = SLICE_LIT(fn), .file = SLICE_LIT(fl), .line = (ln)                         \
	}

static const struct frame recv_stack[] = {
    F("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
    F("runtime.chanrecv", "/usr/local/go/src/runtime/chan.go", 664),
    F("runtime.chanrecv1", "/usr/local/go/src/runtime/chan.go", 506),
    F("example.com/app/worker.(*Pool).wait", "/src/app/worker/pool.go", 42),
    F("example.com/app/worker.Start.func1", "/src/app/worker/pool.go", 30),
};

static const struct frame range_stack[] = {
    F("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
    F("runtime.chanrecv", "/usr/local/go/src/runtime/chan.go", 664),
    F("runtime.chanrecv2", "/usr/local/go/src/runtime/chan.go", 511),
    F("main.consume", "/src/app/main.go", 17),
};

static const struct frame wg_stack[] = {
    F("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
    F("runtime.goparkunlock", "/usr/local/go/src/runtime/proc.go", 441),
    F("runtime.semacquire1", "/usr/local/go/src/runtime/sema.go", 160),
    F("sync.runtime_SemacquireWaitGroup", "/usr/local/go/src/runtime/sema.go", 110),
    F("sync.(*WaitGroup).Wait", "/usr/local/go/src/sync/waitgroup.go", 118),
    F("main.waitAll", "/src/app/main.go", 55),
};

static const struct frame std_stack[] = {
    F("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
    F("runtime.selectgo", "/usr/local/go/src/runtime/select.go", 351),
    F("net/http.(*persistConn).writeLoop", "/usr/local/go/src/net/http/transport.go", 2590),
};

static const struct frame send_panic_stack[] = {
    F("panic", "/usr/local/go/src/runtime/panic.go", 792),
    F("runtime.chansend", "/usr/local/go/src/runtime/chan.go", 206),
    F("runtime.chansend1", "/usr/local/go/src/runtime/chan.go", 161),
    F("main.main", "/src/app/main.go", 9),
};

static struct goroutine mk(uint64_t id, const char *status, const struct frame *frames, uint32_t n)
{
	struct goroutine g;
	memset(&g, 0, sizeof(g));
	g.id = id;
	g.count = 1;
	g.status = slice_cstr(status);
	if (status)
		g.flags |= G_HAS_STATUS;
	g.frames = frames;
	g.nframes = n;
	return g;
}

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static void classifies_by_wait_reason(void **state)
{
	struct goroutine g = mk(1, "chan receive", recv_stack, N(recv_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_CHAN_RECEIVE);
	g = mk(1, "chan receive", range_stack, N(range_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_CHAN_RANGE);
	g = mk(1, "chan receive (nil chan)", recv_stack, N(recv_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_NIL_CHAN_RECEIVE);
	g = mk(1, "chan send (nil chan)", NULL, 0);
	assert_int_equal(classify_goroutine(&g), BLOCK_NIL_CHAN_SEND);
	g = mk(1, "select (no cases)", NULL, 0);
	assert_int_equal(classify_goroutine(&g), BLOCK_SELECT_NO_CASES);
	g = mk(1, "select", std_stack, N(std_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_SELECT);
	g = mk(1, "chan send (synctest)", NULL, 0);
	assert_int_equal(classify_goroutine(&g), BLOCK_CHAN_SEND);
	/* Before Go 1.24 a WaitGroup wait was "semacquire": the frames decide. */
	g = mk(1, "semacquire", wg_stack, N(wg_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_WAITGROUP);
	g = mk(1, "sync.WaitGroup.Wait", wg_stack, N(wg_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_WAITGROUP);
	g = mk(1, "GC worker (idle)", NULL, 0);
	assert_int_equal(classify_goroutine(&g), BLOCK_RUNTIME);
	g = mk(1, "IO wait", NULL, 0);
	assert_int_equal(classify_goroutine(&g), BLOCK_IO_WAIT);
	g = mk(1, "something new", recv_stack, N(recv_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_OTHER);
}

static void classifies_profiles_by_frames(void **state)
{
	struct goroutine g = mk(0, NULL, recv_stack, N(recv_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_CHAN_RECEIVE);
	g = mk(0, NULL, range_stack, N(range_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_CHAN_RANGE);
	g = mk(0, NULL, wg_stack, N(wg_stack));
	assert_int_equal(classify_goroutine(&g), BLOCK_WAITGROUP);
	/* debug=1 hides leading runtime frames: nothing to go on. */
	g = mk(0, NULL, recv_stack + 3, 2);
	assert_int_equal(classify_goroutine(&g), BLOCK_UNKNOWN);
}

static void picks_first_frame_outside_runtime(void **state)
{
	struct goroutine g = mk(1, "chan receive", recv_stack, N(recv_stack));
	assert_int_equal(blocking_frame_index(&g), 3);
	g = mk(1, "semacquire", wg_stack, N(wg_stack));
	assert_int_equal(blocking_frame_index(&g), 5); /* sync.* is skipped too */
	g = mk(1, "running", send_panic_stack, N(send_panic_stack));
	assert_int_equal(blocking_frame_index(&g), 3); /* "panic" is runtime.gopanic */
	g = mk(1, "GC worker (idle)", recv_stack, 2);
	assert_int_equal(blocking_frame_index(&g), 0);
	g = mk(1, "running", NULL, 0);
	assert_int_equal(blocking_frame_index(&g), -1);
}

static void tells_std_from_user_code(void **state)
{
#define STD(fn, fl) func_is_std(fn, strlen(fn), fl, strlen(fl))
	assert_true(STD("net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go"));
	assert_true(STD("sync.(*Mutex).Lock", "/usr/lib/go-1.22/src/sync/mutex.go"));
	assert_true(STD("net/http.(*conn).serve", "net/http/server.go")); /* -trimpath */
	assert_false(STD("main.main", "/src/app/main.go"));
	assert_false(STD("github.com/a/b.F", "/go/pkg/mod/github.com/a/b/f.go"));
	/* A module path without a dot is not std unless its file says so. */
	assert_false(STD("leaky/worker.Run", "/home/me/leaky/worker/run.go"));
#undef STD
}

struct fed {
	struct analyzer *a;
	struct dump_sink sink[2];
};

static void feed(struct fed *f, int which, struct goroutine *g, int times, uint64_t first_id)
{
	for (int i = 0; i < times; i++) {
		g->id = first_id + (uint64_t)i;
		f->sink[which].goroutine(f->sink[which].ctx, g);
	}
}

static void ranks_threshold_leaked_and_forever(void **state)
{
	struct analyzer_options opt = {.min_count = 5};
	struct fed f = {.a = analyzer_new(&opt)};
	struct analysis an;
	struct goroutine g;

	analyzer_sink(f.a, 0, &f.sink[0]);
	analyzer_begin_input(f.a, 0, "test");
	g = mk(0, "chan receive", recv_stack, N(recv_stack));
	feed(&f, 0, &g, 7, 100); /* >= 5: threshold suspect */
	g = mk(0, "chan receive", range_stack, N(range_stack));
	feed(&f, 0, &g, 4, 200); /* below threshold */
	g = mk(0, "chan receive", range_stack, N(range_stack));
	g.flags |= G_LEAKED;
	g.frames = range_stack;
	/* same site and class as above: the group becomes proven */
	feed(&f, 0, &g, 1, 300);
	g = mk(0, "chan receive (nil chan)", recv_stack, N(recv_stack));
	feed(&f, 0, &g, 1, 400);
	g = mk(0, "select", std_stack, N(std_stack));
	feed(&f, 0, &g, 50, 500);				 /* std site: not ranked */
	g = mk(0, "select (no cases)", send_panic_stack + 3, 1); /* main.main select {} */
	feed(&f, 0, &g, 1, 600);
	analyzer_end_input(f.a, NULL, 0);
	analyzer_finish(f.a, &an);

	assert_int_equal(an.goroutines, 7 + 4 + 1 + 1 + 50 + 1);
	assert_int_equal(an.nsuspects, 3);
	/* Proven first (leaked, forever), then by count. */
	assert_int_equal(an.groups[0].reason, SUSPECT_LEAKED);
	assert_string_equal(an.groups[0].site.func, "main.consume");
	assert_int_equal(an.groups[0].count, 5);
	assert_int_equal(an.groups[0].leaked, 1);
	assert_int_equal(an.groups[1].reason, SUSPECT_FOREVER);
	assert_int_equal(an.groups[1].class, BLOCK_NIL_CHAN_RECEIVE);
	assert_int_equal(an.groups[2].reason, SUSPECT_THRESHOLD);
	assert_string_equal(an.groups[2].site.func, "example.com/app/worker.(*Pool).wait");
	assert_int_equal(an.groups[2].site.line, 42);
	assert_int_equal(an.groups[2].rank, 3);
	assert_int_equal(an.groups[2].nexample_ids, 7);
	assert_int_equal(an.groups[2].example_ids[0], 100);
	assert_int_equal(an.groups[3].rank, 0);
	assert_true(an.groups[3].std_site);
	assert_int_equal(an.class_counts[BLOCK_SELECT], 50);
	analysis_release(&an);
}

static void diff_proves_stuck_and_growth(void **state)
{
	struct analyzer_options opt = {.min_count = 1, .diff = true};
	struct fed f = {.a = analyzer_new(&opt)};
	struct analysis an;
	struct goroutine g;

	analyzer_sink(f.a, 0, &f.sink[0]);
	analyzer_sink(f.a, 1, &f.sink[1]);
	analyzer_begin_input(f.a, 0, "old");
	g = mk(0, "chan receive", recv_stack, N(recv_stack));
	feed(&f, 0, &g, 3, 10); /* 10, 11, 12 */
	g = mk(0, "chan receive", range_stack, N(range_stack));
	feed(&f, 0, &g, 2, 50); /* a stable pool: 50, 51 */
	analyzer_end_input(f.a, NULL, 1000000000);
	analyzer_begin_input(f.a, 1, "new");
	g = mk(0, "chan receive", recv_stack, N(recv_stack));
	feed(&f, 1, &g, 6, 10); /* 10..15: 3 stuck, 3 new */
	g = mk(0, "chan receive", range_stack, N(range_stack));
	feed(&f, 1, &g, 2, 50);
	analyzer_end_input(f.a, NULL, 31000000000);
	analyzer_finish(f.a, &an);

	assert_true(an.is_diff);
	assert_true(an.interval_seconds > 29.9 && an.interval_seconds < 30.1);
	assert_int_equal(an.matched, 5);
	assert_int_equal(an.stuck, 5);
	assert_int_equal(an.goroutines, 8);
	assert_int_equal(an.nsuspects, 2);
	assert_int_equal(an.groups[0].reason, SUSPECT_STUCK);
	assert_int_equal(an.groups[0].count, 6);
	assert_int_equal(an.groups[0].old_count, 3);
	assert_int_equal(an.groups[0].stuck, 3);
	/* The pool did not grow: only the threshold (min 1) makes it a suspect. */
	assert_int_equal(an.groups[1].reason, SUSPECT_THRESHOLD);
	assert_int_equal(an.groups[1].stuck, 2);
	analysis_release(&an);
}

static void filters_drop_goroutines(void **state)
{
	static const char *const top[] = {"example.com/app/worker.*"};
	static const char *const created[] = {"main.spawn"};
	struct analyzer_options opt = {.min_count = 1,
				       .ignore_top = top,
				       .nignore_top = 1,
				       .ignore_created_by = created,
				       .nignore_created_by = 1};
	struct fed f = {.a = analyzer_new(&opt)};
	struct analysis an;
	struct goroutine g;

	analyzer_sink(f.a, 0, &f.sink[0]);
	analyzer_begin_input(f.a, 0, "x");
	g = mk(0, "chan receive", recv_stack, N(recv_stack));
	feed(&f, 0, &g, 3, 1);
	g = mk(0, "chan receive", range_stack, N(range_stack));
	g.created_by = (struct frame)F("main.spawn", "/src/app/main.go", 70);
	feed(&f, 0, &g, 2, 10);
	g.created_by = (struct frame)F("main.other", "/src/app/main.go", 80);
	feed(&f, 0, &g, 1, 20);
	analyzer_end_input(f.a, NULL, 0);
	analyzer_finish(f.a, &an);
	assert_int_equal(an.ignored, 5);
	assert_int_equal(an.goroutines, 1);
	assert_int_equal(an.nsuspects, 1);
	assert_string_equal(an.groups[0].creators[0].site.func, "main.other");
	analysis_release(&an);
}

static void min_minutes_filters_suspects(void **state)
{
	struct analyzer_options opt = {.min_count = 1, .min_minutes = 10};
	struct fed f = {.a = analyzer_new(&opt)};
	struct analysis an;
	struct goroutine g;

	analyzer_sink(f.a, 0, &f.sink[0]);
	analyzer_begin_input(f.a, 0, "x");
	g = mk(0, "chan receive", recv_stack, N(recv_stack));
	g.flags |= G_HAS_MINUTES;
	g.wait_minutes = 3;
	feed(&f, 0, &g, 2, 1);
	g = mk(0, "chan receive", range_stack, N(range_stack));
	g.flags |= G_HAS_MINUTES;
	g.wait_minutes = 12;
	feed(&f, 0, &g, 1, 10);
	analyzer_end_input(f.a, NULL, 0);
	analyzer_finish(f.a, &an);
	assert_int_equal(an.nsuspects, 1);
	assert_string_equal(an.groups[0].site.func, "main.consume");
	assert_int_equal(an.groups[0].max_minutes, 12);
	assert_true(an.has_minutes);
	analysis_release(&an);
}

static void panic_takes_next_goroutine(void **state)
{
	struct fed f = {.a = analyzer_new(NULL)};
	struct analysis an;
	struct goroutine g;
	struct panic_report p = {.kind = PANIC_SEND_ON_CLOSED,
				 .message = SLICE_LIT("send on closed channel")};

	analyzer_sink(f.a, 0, &f.sink[0]);
	analyzer_begin_input(f.a, 0, "crash");
	f.sink[0].panic(f.sink[0].ctx, &p);
	g = mk(0, "running", send_panic_stack, N(send_panic_stack));
	feed(&f, 0, &g, 1, 1);
	g = mk(0, "chan receive", recv_stack, N(recv_stack));
	feed(&f, 0, &g, 1, 2);
	analyzer_end_input(f.a, NULL, 0);
	analyzer_finish(f.a, &an);
	assert_int_equal(an.npanics, 1);
	assert_true(an.panics[0].has_goroutine);
	assert_int_equal(an.panics[0].goroutine_id, 1);
	assert_string_equal(an.panics[0].site.func, "main.main");
	assert_int_equal(an.panics[0].site.line, 9);
	assert_string_equal(an.panics[0].message, "send on closed channel");
	analysis_release(&an);
}

static void reads_source_lines_for_range(void **state)
{
	char path[] = "/tmp/cw-src-XXXXXX";
	struct source_cache *c = source_cache_new(NULL);
	enum source_file_status st;
	const char *text;
	ssize_t n;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("package main\n\tfor v := range ch {\n\tv, ok := <-ch\n\tfor range ch {}", f);
	fclose(f);
	n = source_cache_line(c, slice_cstr(path), 2, &text, &st);
	assert_int_equal(st, SOURCE_FOUND);
	assert_int_equal(n, 20);
	assert_memory_equal(text, "\tfor v := range ch {", 20);
	assert_true(source_is_range(text, (size_t)n));
	n = source_cache_line(c, slice_cstr(path), 3, &text, &st);
	assert_false(source_is_range(text, (size_t)n));
	n = source_cache_line(c, slice_cstr(path), 4, &text, &st); /* last line, no newline */
	assert_true(n > 0 && source_is_range(text, (size_t)n));
	assert_int_equal(source_cache_line(c, slice_cstr(path), 5, &text, &st), -1);
	assert_int_equal(st, SOURCE_FOUND);
	unlink(path); /* cached: still served */
	assert_true(source_cache_line(c, slice_cstr(path), 2, &text, &st) > 0);
	assert_int_equal(source_cache_line(c, slice_cstr("/nonexistent/x.go"), 1, &text, &st), -1);
	assert_int_equal(st, SOURCE_MISSING_FIRST);
	source_cache_line(c, slice_cstr("/nonexistent/x.go"), 1, &text, &st);
	assert_int_equal(st, SOURCE_MISSING);
	assert_false(source_is_range("x := <-ranger // range", 22));
	assert_false(source_is_range("v := arange(ch)", 15));
	source_cache_free(c);
}

static void source_never_blocks_on_fifos(void **state)
{
	char dir[] = "/tmp/cw-fifo-XXXXXX", path[64];
	struct source_cache *c = source_cache_new(NULL);
	enum source_file_status st;
	const char *text;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo.go", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(source_cache_line(c, slice_cstr(path), 1, &text, &st), -1);
	assert_int_equal(st, SOURCE_MISSING_FIRST);
	assert_int_equal(source_cache_line(c, slice_cstr("/dev/zero"), 1, &text, &st), -1);
	unlink(path);
	rmdir(dir);
	source_cache_free(c);
}

static void source_dir_finds_trimmed_paths(void **state)
{
	char dir[] = "/tmp/cw-sd-XXXXXX", sub[64], file[96];
	struct source_cache *c;
	const char *text;
	ssize_t n;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/pkg", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/a.go", sub);
	f = fopen(file, "w");
	fputs("package pkg\nx := make(chan int)\n", f);
	fclose(f);
	c = source_cache_new(dir);
	/* "example.com/mod/pkg/a.go" -> DIR/pkg/a.go */
	n = source_cache_line(c, slice_cstr("example.com/mod/pkg/a.go"), 2, &text, NULL);
	assert_true(n > 0);
	assert_true(source_makes_chan(text, (size_t)n));
	assert_false(source_makes_chan("x := makeChan()", 15));
	assert_true(source_makes_chan("c := make(<-chan int)", 21));
	source_cache_free(c);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
}

static void classifies_source_lines(void **state)
{
	assert_int_equal(
	    source_classify("\tch <- 1 // WANT: chan-send", strlen("\tch <- 1 // WANT: chan-send")),
	    BLOCK_CHAN_SEND);
	assert_int_equal(source_classify("\ts.out[i] <- v", strlen("\ts.out[i] <- v")),
			 BLOCK_CHAN_SEND);
	assert_int_equal(source_classify("\tf() <- v", strlen("\tf() <- v")), BLOCK_CHAN_SEND);
	assert_int_equal(source_classify("\t<-ch", strlen("\t<-ch")), BLOCK_CHAN_RECEIVE);
	assert_int_equal(source_classify("\tv := <-ch", strlen("\tv := <-ch")), BLOCK_CHAN_RECEIVE);
	assert_int_equal(source_classify("\treturn <-ch", strlen("\treturn <-ch")),
			 BLOCK_CHAN_RECEIVE);
	assert_int_equal(source_classify("\tv, ok = <-ch", strlen("\tv, ok = <-ch")),
			 BLOCK_CHAN_RECEIVE);
	assert_int_equal(source_classify("\tfor v := range ch { // x <- y",
					 strlen("\tfor v := range ch { // x <- y")),
			 BLOCK_CHAN_RANGE);
	assert_int_equal(source_classify("\tselect {", strlen("\tselect {")), BLOCK_SELECT);
	assert_int_equal(source_classify("\tselect {}", strlen("\tselect {}")),
			 BLOCK_SELECT_NO_CASES);
	assert_int_equal(source_classify("\tselect { }", strlen("\tselect { }")),
			 BLOCK_SELECT_NO_CASES);
	assert_int_equal(source_classify("\tmu.Lock()", strlen("\tmu.Lock()")), BLOCK_UNKNOWN);
	assert_int_equal(source_classify("\tx := y // <-ch", strlen("\tx := y // <-ch")),
			 BLOCK_UNKNOWN);
}

static const struct frame io_stack[] = {
    F("internal/poll.runtime_pollWait", "/usr/local/go/src/runtime/netpoll.go", 351),
    F("internal/poll.(*FD).Read", "/usr/local/go/src/internal/poll/fd_unix.go", 165),
    F("net.(*conn).Read", "/usr/local/go/src/net/net.go", 196),
    F("main.plantIOWait", "/src/app/plant.go", 66),
};

static void site_skips_std_when_user_code_called_it(void **state)
{
	struct goroutine g = mk(1, "IO wait", io_stack, N(io_stack));
	assert_int_equal(blocking_frame_index(&g), 3);
	g = mk(1, "IO wait", io_stack, 3); /* all std: the first std frame */
	assert_int_equal(blocking_frame_index(&g), 2);
	g = mk(1, "select", std_stack, N(std_stack));
	assert_int_equal(blocking_frame_index(&g), 2);
}

static void every_class_has_a_unique_name(void **state)
{
	for (int i = 0; i < BLOCK__COUNT; i++) {
		const char *name = block_class_name((enum block_class)i);
		if (i != BLOCK_UNKNOWN) {
			assert_string_not_equal(name, "unknown");
			assert_string_not_equal(block_class_title((enum block_class)i), "unknown");
		}
		for (int j = 0; j < i; j++)
			assert_string_not_equal(name, block_class_name((enum block_class)j));
	}
}

static void hidden_runtime_frames_mean_parked(void **state)
{
	struct goroutine g = mk(0, NULL, recv_stack + 3, 2);
	g.flags |= G_RUNTIME_HIDDEN;
	assert_int_equal(classify_goroutine(&g), BLOCK_PARKED);
	assert_true(block_class_can_leak(BLOCK_PARKED));
	assert_false(block_class_can_leak(BLOCK_IO_WAIT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(classifies_by_wait_reason),
	    cmocka_unit_test(classifies_profiles_by_frames),
	    cmocka_unit_test(picks_first_frame_outside_runtime),
	    cmocka_unit_test(tells_std_from_user_code),
	    cmocka_unit_test(ranks_threshold_leaked_and_forever),
	    cmocka_unit_test(diff_proves_stuck_and_growth),
	    cmocka_unit_test(filters_drop_goroutines),
	    cmocka_unit_test(min_minutes_filters_suspects),
	    cmocka_unit_test(panic_takes_next_goroutine),
	    cmocka_unit_test(reads_source_lines_for_range),
	    cmocka_unit_test(source_never_blocks_on_fifos),
	    cmocka_unit_test(source_dir_finds_trimmed_paths),
	    cmocka_unit_test(classifies_source_lines),
	    cmocka_unit_test(site_skips_std_when_user_code_called_it),
	    cmocka_unit_test(hidden_runtime_frames_mean_parked),
	    cmocka_unit_test(every_class_has_a_unique_name),
	};
	return cmocka_run_group_tests_name("analyze", tests, NULL, NULL);
}
