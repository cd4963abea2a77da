// SPDX-License-Identifier: MIT
// Wait reason and goroutine status names per Go version vs the research doc and the runtime source.
#include <stdlib.h>
#include <string.h>

#include "cmocka_all.h"

#include "gobin/layout.h"
#include "lib/usage.h"
#include "lib/banned.h"

static const enum go_arch arches[] = {GO_ARCH_AMD64, GO_ARCH_ARM64};

/*
 * waitReason values from /work/shared/research/go-runtime-ebpf.md §2.3 (checked there
 * against DWARF), with the string each is printed as (waitReasonStrings in
 * runtime2.go). -1 = no such reason in that version.
 */
static const struct {
	const char *name;
	long v[5]; /* go1.22 .. go1.26 */
} reasons[] = {
    {"", {0, 0, 0, 0, 0}},
    {"IO wait", {2, 2, 2, 2, 2}},
    {"chan receive (nil chan)", {3, 3, 3, 3, 15}},
    {"chan send (nil chan)", {4, 4, 4, 4, 16}},
    {"select", {9, 9, 9, 9, 18}},
    {"select (no cases)", {10, 10, 10, 10, 17}},
    {"chan receive", {14, 14, 14, 14, 19}},
    {"chan send", {15, 15, 15, 15, 20}},
    {"semacquire", {18, 18, 18, 19, 13}},
    {"sleep", {19, 19, 19, 20, 14}},
    {"sync.Cond.Wait", {20, 20, 20, 21, 21}},
    {"sync.Mutex.Lock", {21, 21, 21, 22, 22}},
    {"sync.RWMutex.RLock", {22, 22, 22, 23, 23}},
    {"sync.RWMutex.Lock", {23, 23, 23, 24, 24}},
    {"sync.WaitGroup.Wait", {-1, -1, 24, 25, 25}},
    {"chan receive (synctest)", {-1, -1, 41, -1, -1}},
    {"chan send (synctest)", {-1, -1, 42, -1, -1}},
    {"select (synctest)", {-1, -1, 43, -1, -1}},
    {"chan receive (durable)", {-1, -1, -1, 42, 42}},
    {"chan send (durable)", {-1, -1, -1, 43, 43}},
    {"select (durable)", {-1, -1, -1, 44, 44}},
};

/* gStatusStrings (traceback.go); -1 = no such status (or no name) in that version. */
static const struct {
	const char *name;
	long v[5];
} statuses[] = {
    {"idle", {0, 0, 0, 0, 0}},	      {"runnable", {1, 1, 1, 1, 1}},
    {"running", {2, 2, 2, 2, 2}},     {"syscall", {3, 3, 3, 3, 3}},
    {"waiting", {4, 4, 4, 4, 4}},     {"dead", {6, 6, 6, 6, 6}},
    {"copystack", {8, 8, 8, 8, 8}},   {"preempted", {9, 9, 9, 9, 9}},
    {"leaked", {-1, -1, -1, -1, 10}}, {"waiting for cgo callback", {-1, -1, -1, -1, 11}},
};

static const struct runtime_layout *entry(int minor, enum go_arch arch)
{
	const struct runtime_layout *l = runtime_layout_for(1, minor, arch);

	if (!l)
		fail_msg("no table entry for go1.%d %s", minor, go_arch_name(arch));
	return l;
}

static void test_wait_reasons_per_version(void **state)
{
	size_t a, i;
	int minor;

	for (a = 0; a < 2; a++) {
		for (minor = 22; minor <= 26; minor++) {
			const struct runtime_layout *l = entry(minor, arches[a]);

			assert_non_null(l->wait_reasons);
			for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
				long v = reasons[i].v[minor - 22];
				const char *got;
				unsigned j;

				if (v >= 0) {
					got = runtime_layout_wait_reason(l, (unsigned)v);
					if (!got || strcmp(got, reasons[i].name) != 0)
						fail_msg(
						    "go1.%d %s: wait reason %ld = \"%s\", want "
						    "\"%s\"",
						    minor, go_arch_name(l->arch), v,
						    got ? got : "(null)", reasons[i].name);
					continue;
				}
				/* Absent in this version: no value carries that name. */
				for (j = 0; j < l->nwait_reasons; j++) {
					got = runtime_layout_wait_reason(l, j);
					if (got && strcmp(got, reasons[i].name) == 0)
						fail_msg("go1.%d: \"%s\" at %u, want absent", minor,
							 reasons[i].name, j);
				}
			}
			/* Past the end, and far past it. */
			assert_null(runtime_layout_wait_reason(l, l->nwait_reasons));
			assert_null(runtime_layout_wait_reason(l, 255));
			assert_null(runtime_layout_wait_reason(l, ~0u));
			assert_true(l->nwait_reasons >= 37 && l->nwait_reasons <= 256);
		}
	}
	/* The spot checks the brief names. */
	assert_string_equal(runtime_layout_wait_reason(entry(22, GO_ARCH_AMD64), 14),
			    "chan receive");
	assert_string_equal(runtime_layout_wait_reason(entry(26, GO_ARCH_AMD64), 19),
			    "chan receive");
	assert_string_equal(runtime_layout_wait_reason(entry(26, GO_ARCH_AMD64), 18), "select");
	assert_string_equal(runtime_layout_wait_reason(entry(26, GO_ARCH_ARM64), 25),
			    "sync.WaitGroup.Wait");
	assert_null(runtime_layout_wait_reason(entry(22, GO_ARCH_AMD64), 37));
	assert_null(runtime_layout_wait_reason(entry(26, GO_ARCH_AMD64), 47));
	assert_null(runtime_layout_wait_reason(NULL, 14));
}

/*
 * The names sit at the values the DWARF constants (RL_CONSTS) give: two sources, the
 * source's string table and the probe's DWARF, agree for every version in the table.
 */
static void test_names_match_constants(void **state)
{
	static const struct {
		const char *name;
		size_t off;
		int status; /* a _G* constant, else a waitReason* one */
	} consts[] = {
	    {"IO wait", offsetof(struct runtime_layout, wr_io_wait), 0},
	    {"chan receive (nil chan)", offsetof(struct runtime_layout, wr_chan_receive_nil_chan),
	     0},
	    {"chan send (nil chan)", offsetof(struct runtime_layout, wr_chan_send_nil_chan), 0},
	    {"select", offsetof(struct runtime_layout, wr_select), 0},
	    {"select (no cases)", offsetof(struct runtime_layout, wr_select_no_cases), 0},
	    {"chan receive", offsetof(struct runtime_layout, wr_chan_receive), 0},
	    {"chan send", offsetof(struct runtime_layout, wr_chan_send), 0},
	    {"semacquire", offsetof(struct runtime_layout, wr_semacquire), 0},
	    {"sleep", offsetof(struct runtime_layout, wr_sleep), 0},
	    {"sync.Cond.Wait", offsetof(struct runtime_layout, wr_sync_cond_wait), 0},
	    {"sync.Mutex.Lock", offsetof(struct runtime_layout, wr_sync_mutex_lock), 0},
	    {"sync.RWMutex.RLock", offsetof(struct runtime_layout, wr_sync_rwmutex_rlock), 0},
	    {"sync.RWMutex.Lock", offsetof(struct runtime_layout, wr_sync_rwmutex_lock), 0},
	    {"sync.WaitGroup.Wait", offsetof(struct runtime_layout, wr_sync_waitgroup_wait), 0},
	    {"preempted", offsetof(struct runtime_layout, wr_preempted), 0},
	    {"synctest.Run", offsetof(struct runtime_layout, wr_synctest_run), 0},
	    {"synctest.Wait", offsetof(struct runtime_layout, wr_synctest_wait), 0},
	    {"runnable", offsetof(struct runtime_layout, gs_runnable), 1},
	    {"running", offsetof(struct runtime_layout, gs_running), 1},
	    {"syscall", offsetof(struct runtime_layout, gs_syscall), 1},
	    {"waiting", offsetof(struct runtime_layout, gs_waiting), 1},
	    {"dead", offsetof(struct runtime_layout, gs_dead), 1},
	    {"leaked", offsetof(struct runtime_layout, gs_leaked), 1},
	};
	unsigned i, j, checked = 0;

	for (i = 0; i < runtime_layout_table_len; i++) {
		const struct runtime_layout *l = &runtime_layout_table[i];

		for (j = 0; j < sizeof(consts) / sizeof(consts[0]); j++) {
			const struct rl_const *c =
			    (const struct rl_const *)((const char *)l + consts[j].off);
			const char *got;

			if (!c->known)
				continue;
			got = consts[j].status ? runtime_layout_status_name(l, (unsigned)c->value)
					       : runtime_layout_wait_reason(l, (unsigned)c->value);
			if (!got || strcmp(got, consts[j].name) != 0)
				fail_msg("%s %s: constant %lld is \"%s\", want \"%s\"",
					 l->toolchain, go_arch_name(l->arch), (long long)c->value,
					 got ? got : "(null)", consts[j].name);
			checked++;
		}
	}
	assert_true(checked >= 10 * 20);
}

static void test_status_names(void **state)
{
	size_t a, i;
	int minor;

	for (a = 0; a < 2; a++) {
		for (minor = 22; minor <= 26; minor++) {
			const struct runtime_layout *l = entry(minor, arches[a]);

			for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
				long v = statuses[i].v[minor - 22];
				const char *got;

				if (v < 0)
					continue;
				got = runtime_layout_status_name(l, (unsigned)v);
				if (!got || strcmp(got, statuses[i].name) != 0)
					fail_msg("go1.%d: status %ld = \"%s\", want \"%s\"", minor,
						 v, got ? got : "(null)", statuses[i].name);
				/* The _Gscan bit is stripped. */
				got = runtime_layout_status_name(l, (unsigned)v | 0x1000);
				assert_non_null(got);
				assert_string_equal(got, statuses[i].name);
			}
			/* 5 (_Gmoribund_unused) and 7 (_Genqueue_unused) have no name. */
			assert_null(runtime_layout_status_name(l, 5));
			assert_null(runtime_layout_status_name(l, 7));
			assert_null(runtime_layout_status_name(l, l->nstatus_names));
			assert_null(runtime_layout_status_name(l, 0x0fff));
		}
	}
	assert_null(runtime_layout_status_name(entry(22, GO_ARCH_AMD64), 10));
	assert_null(runtime_layout_status_name(entry(25, GO_ARCH_AMD64), 10));
	assert_string_equal(runtime_layout_status_name(entry(26, GO_ARCH_AMD64), 10), "leaked");
	assert_null(runtime_layout_status_name(NULL, 4));
}

static void test_goroutine_state(void **state)
{
	const struct runtime_layout *l22 = entry(22, GO_ARCH_AMD64);
	const struct runtime_layout *l25 = entry(25, GO_ARCH_ARM64);
	const struct runtime_layout *l26 = entry(26, GO_ARCH_AMD64);
	struct runtime_layout none;

	memset(&none, 0, sizeof(none));
	/* _Gwaiting with a reason prints the reason. */
	assert_string_equal(runtime_layout_goroutine_state(l22, 4, 14), "chan receive");
	assert_string_equal(runtime_layout_goroutine_state(l26, 4, 19), "chan receive");
	assert_string_equal(runtime_layout_goroutine_state(l26, 4, 18), "select");
	assert_string_equal(runtime_layout_goroutine_state(l25, 4, 25), "sync.WaitGroup.Wait");
	assert_string_equal(runtime_layout_goroutine_state(l22, 4, 2), "IO wait");
	assert_string_equal(runtime_layout_goroutine_state(l26, 0x1004, 14), "sleep");
	/* Without a reason, or not waiting: the status. */
	assert_string_equal(runtime_layout_goroutine_state(l22, 4, 0), "waiting");
	assert_string_equal(runtime_layout_goroutine_state(l22, 1, 14), "runnable");
	assert_string_equal(runtime_layout_goroutine_state(l26, 2, 19), "running");
	assert_string_equal(runtime_layout_goroutine_state(l26, 3, 0), "syscall");
	/* 1.26 prints the reason of a leaked goroutine too; 1.22 knows no status 10. */
	assert_string_equal(runtime_layout_goroutine_state(l26, 10, 19), "chan receive");
	assert_string_equal(runtime_layout_goroutine_state(l26, 10, 0), "leaked");
	assert_string_equal(runtime_layout_goroutine_state(l22, 10, 14), "???");
	/* What Go prints for values past its tables, and for a gap. */
	assert_string_equal(runtime_layout_goroutine_state(l22, 4, 200), "unknown wait reason");
	assert_string_equal(runtime_layout_goroutine_state(l22, 0x7fff, 0), "???");
	assert_string_equal(runtime_layout_goroutine_state(l22, 5, 0), "");
	/* No names at all. */
	assert_string_equal(runtime_layout_goroutine_state(&none, 4, 14), "???");
	assert_string_equal(runtime_layout_goroutine_state(NULL, 4, 14), "???");
}

/* A layout not from the table borrows the names of the newest same-or-older entry. */
static void test_names_from_table(void **state)
{
	const struct runtime_layout *l26 = entry(26, GO_ARCH_ARM64);
	const struct runtime_layout *l24 = entry(24, GO_ARCH_ARM64);
	struct runtime_layout l;

	l = *l26;
	l.wait_reasons = NULL;
	l.status_names = NULL;
	l.nwait_reasons = l.nstatus_names = 0;
	runtime_layout_names_from_table(&l);
	assert_ptr_equal(l.wait_reasons, l26->wait_reasons);
	assert_int_equal(l.nwait_reasons, l26->nwait_reasons);
	assert_ptr_equal(l.status_names, l26->status_names);

	/* A newer Go with the same enums: 1.26's names. */
	l.go_min.minor = l.go_max.minor = 27;
	runtime_layout_names_from_table(&l);
	assert_ptr_equal(l.wait_reasons, l26->wait_reasons);
	assert_string_equal(runtime_layout_wait_reason(&l, 19), "chan receive");

	/* A newer Go that renumbered: no names rather than wrong ones. */
	l.wr_chan_receive.value = 21;
	runtime_layout_names_from_table(&l);
	assert_null(l.wait_reasons);
	assert_null(l.status_names);
	assert_null(runtime_layout_wait_reason(&l, 19));
	assert_int_equal(l.nwait_reasons, 0);

	/* 1.24's constants under 1.25's version: 1.25's enums differ, so none. */
	l = *l24;
	l.go_min.minor = l.go_max.minor = 25;
	runtime_layout_names_from_table(&l);
	assert_null(l.wait_reasons);

	/* Older than the table, or no version: none. */
	l = *entry(22, GO_ARCH_AMD64);
	l.go_min.minor = 21;
	runtime_layout_names_from_table(&l);
	assert_null(l.wait_reasons);
	l = *entry(22, GO_ARCH_AMD64);
	l.go_min.major = l.go_min.minor = 0;
	runtime_layout_names_from_table(&l);
	assert_null(l.wait_reasons);
}

/* Both arches of a version share one name table. */
static void test_arches_share_names(void **state)
{
	int minor;

	for (minor = 22; minor <= 26; minor++) {
		assert_ptr_equal(entry(minor, GO_ARCH_AMD64)->wait_reasons,
				 entry(minor, GO_ARCH_ARM64)->wait_reasons);
		assert_ptr_equal(entry(minor, GO_ARCH_AMD64)->status_names,
				 entry(minor, GO_ARCH_ARM64)->status_names);
	}
}

/* With CHANWATCH_LAYOUT_FIXTURE (tests/t/layouts.t builds one per toolchain): from DWARF. */
static void test_dwarf_fixture_names(void **state)
{
	const char *path = getenv("CHANWATCH_LAYOUT_FIXTURE");
	const struct runtime_layout *table;
	struct runtime_layout got;
	struct cw_error err = {{0}};

	if (!path || !*path)
		skip();
	if (runtime_layout_from_dwarf(path, &got, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	table = runtime_layout_for(got.go_min.major, got.go_min.minor, got.arch);
	if (!table)
		fail_msg("no table entry for %s", got.toolchain);
	assert_ptr_equal(got.wait_reasons, table->wait_reasons);
	assert_ptr_equal(got.status_names, table->status_names);
	assert_string_equal(runtime_layout_wait_reason(&got, (unsigned)got.wr_chan_receive.value),
			    "chan receive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wait_reasons_per_version),
	    cmocka_unit_test(test_names_match_constants),
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test(test_goroutine_state),
	    cmocka_unit_test(test_names_from_table),
	    cmocka_unit_test(test_arches_share_names),
	    cmocka_unit_test(test_dwarf_fixture_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
