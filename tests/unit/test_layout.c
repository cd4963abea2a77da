// SPDX-License-Identifier: MIT
// Runtime layout table vs the research doc's verified values, and DWARF reader vs table.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmocka_all.h"

#include "gobin/gobin.h"
#include "gobin/layout.h"
#include "lib/usage.h"
#include "lib/banned.h"

static const enum go_arch arches[] = {GO_ARCH_AMD64, GO_ARCH_ARM64};

/* One row per Go minor version 22..26; -1 = absent in that version. */
struct want {
	const char *what;
	long v[5];
};

static void check_field(const struct runtime_layout *l, const char *what, struct rl_field f,
			long want)
{
	if (want < 0) {
		if (f.known)
			fail_msg("go1.%d %s: %s should be absent, is at %u", l->go_min.minor,
				 go_arch_name(l->arch), what, f.off);
		return;
	}
	if (!f.known || f.off != (uint32_t)want)
		fail_msg("go1.%d %s: %s = %u (known %d), want %ld", l->go_min.minor,
			 go_arch_name(l->arch), what, f.off, f.known, want);
}

static void check_const(const struct runtime_layout *l, const char *what, struct rl_const c,
			long want)
{
	if (want < 0) {
		if (c.known)
			fail_msg("go1.%d %s: %s should be absent, is %lld", l->go_min.minor,
				 go_arch_name(l->arch), what, (long long)c.value);
		return;
	}
	if (!c.known || c.value != want)
		fail_msg("go1.%d %s: %s = %lld (known %d), want %ld", l->go_min.minor,
			 go_arch_name(l->arch), what, (long long)c.value, c.known, want);
}

#define F(member, ...)                                                                             \
	{                                                                                          \
#member, offsetof(struct runtime_layout, member), 0,                               \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}
#define K(member, ...)                                                                             \
	{                                                                                          \
#member, offsetof(struct runtime_layout, member), 1,                               \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}

struct known_value {
	const char *what;
	size_t off;
	int is_const;
	long v[5]; /* go1.22 .. go1.26 */
};

/*
 * From /work/shared/research/go-runtime-ebpf.md §2.3 / §2.4 (verified there against
 * Debian toolchains; the table here comes from the go.dev toolchain modules). Sizes of
 * whole structs are in .size (see size_rows).
 */
static const struct known_value known[] = {
    F(g_m, 48, 48, 48, 48, 48),
    F(g_sched_sp, 56, 56, 56, 56, 56),
    F(g_sched_pc, 64, 64, 64, 64, 64),
    F(g_sched_bp, 104, 104, 104, 96, 96), /* gobuf.bp 48 -> 40 in 1.25 */
    F(g_param, 136, 144, 144, 136, 136),
    F(g_atomicstatus, 144, 152, 152, 144, 144),
    F(g_goid, 152, 160, 160, 152, 152),
    F(g_waitsince, 168, 176, 176, 168, 168),
    F(g_waitreason, 176, 184, 184, 176, 176),
    F(g_parking_on_chan, 185, 193, 193, 185, 185),
    F(g_gopc, 280, 288, 288, 280, 288),
    F(g_startpc, 296, 304, 304, 296, 304),
    F(g_waiting, 312, 320, 320, 312, 320),
    F(g_labels, 344, 352, 352, 344, 352),
    F(m_curg, 192, 192, 192, 184, 184),
    F(hchan_qcount, 0, 0, 0, 0, 0),
    F(hchan_dataqsiz, 8, 8, 8, 8, 8),
    F(hchan_buf, 16, 16, 16, 16, 16),
    F(hchan_elemsize, 24, 24, 24, 24, 24),
    F(hchan_closed, 28, 28, 28, 28, 28),
    F(hchan_timer, -1, 32, 32, 32, 32),
    F(hchan_elemtype, 32, 40, 40, 40, 40),
    F(hchan_sendx, 40, 48, 48, 48, 48),
    F(hchan_recvx, 48, 56, 56, 56, 56),
    F(hchan_recvq, 56, 64, 64, 64, 64),
    F(hchan_sendq, 72, 80, 80, 80, 80),
    F(hchan_lock, 88, 96, 96, 104, 104),
    F(sudog_g, 0, 0, 0, 0, 0),
    F(sudog_next, 8, 8, 8, 8, 8),
    F(sudog_prev, 16, 16, 16, 16, 16),
    F(sudog_is_select, 52, 52, 52, 52, 60),
    F(sudog_success, 53, 53, 53, 53, 61),
    F(sudog_waitlink, 64, 64, 64, 64, 72),
    F(sudog_c_field, 80, 80, 80, 80, 88),
    F(sudog_c, 80, 80, 80, 80, 96), /* 1.26: maybeTraceableChan{vp @88, vu @96} */
    F(chantype_elem, 48, 48, 48, 48, 48),
    F(chantype_dir, 56, 56, 56, 56, 56),
    F(type_str, 40, 40, 40, 40, 40),
    F(moduledata_pcheader, 0, 0, 0, 0, 0),
    F(moduledata_minpc, 160, 160, 160, 160, 160),
    F(moduledata_text, 176, 176, 176, 176, 176),
    F(moduledata_etext, 184, 184, 184, 184, 184),
    K(wr_zero, 0, 0, 0, 0, 0),
    K(wr_io_wait, 2, 2, 2, 2, 2),
    K(wr_chan_receive_nil_chan, 3, 3, 3, 3, 15),
    K(wr_chan_send_nil_chan, 4, 4, 4, 4, 16),
    K(wr_select, 9, 9, 9, 9, 18),
    K(wr_select_no_cases, 10, 10, 10, 10, 17),
    K(wr_chan_receive, 14, 14, 14, 14, 19),
    K(wr_chan_send, 15, 15, 15, 15, 20),
    K(wr_semacquire, 18, 18, 18, 19, 13),
    K(wr_sleep, 19, 19, 19, 20, 14),
    K(wr_sync_cond_wait, 20, 20, 20, 21, 21),
    K(wr_sync_mutex_lock, 21, 21, 21, 22, 22),
    K(wr_sync_rwmutex_rlock, 22, 22, 22, 23, 23),
    K(wr_sync_rwmutex_lock, 23, 23, 23, 24, 24),
    K(wr_sync_waitgroup_wait, -1, -1, 24, 25, 25),
    K(wr_synctest_chan_receive, -1, -1, 41, 42, 42),
    K(wr_synctest_chan_send, -1, -1, 42, 43, 43),
    K(wr_synctest_select, -1, -1, 43, 44, 44),
    K(gs_runnable, 1, 1, 1, 1, 1),
    K(gs_running, 2, 2, 2, 2, 2),
    K(gs_syscall, 3, 3, 3, 3, 3),
    K(gs_waiting, 4, 4, 4, 4, 4),
    K(gs_dead, 6, 6, 6, 6, 6),
    K(gs_leaked, -1, -1, -1, -1, 10),
};

/* sizeof(struct) rows: the size of the "" path entries. */
static const struct {
	const char *what;
	size_t off;
	long v[5];
} size_rows[] = {
    {"sizeof(g)", offsetof(struct runtime_layout, size_g), {424, 432, 440, 440, 456}},
    {"sizeof(hchan)", offsetof(struct runtime_layout, size_hchan), {96, 104, 104, 112, 112}},
    {"sizeof(sudog)", offsetof(struct runtime_layout, size_sudog), {88, 88, 88, 88, 104}},
    {"sizeof(sudog.c)", offsetof(struct runtime_layout, sudog_c_field), {8, 8, 8, 8, 16}},
    {"sizeof(g.waitreason)", offsetof(struct runtime_layout, g_waitreason), {1, 1, 1, 1, 1}},
};

static void test_table_known_values(void **state)
{
	size_t a, i;
	int minor;

	for (a = 0; a < 2; a++) {
		for (minor = 22; minor <= 26; minor++) {
			const struct runtime_layout *l = runtime_layout_for(1, minor, arches[a]);
			const char *base = (const char *)l;

			if (!l)
				fail_msg("no table entry for go1.%d %s", minor,
					 go_arch_name(arches[a]));
			assert_int_equal(l->arch, arches[a]);
			assert_int_equal(l->ptr_size, 8);
			for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
				const struct known_value *k = &known[i];

				if (k->is_const)
					check_const(l, k->what,
						    *(const struct rl_const *)(base + k->off),
						    k->v[minor - 22]);
				else
					check_field(l, k->what,
						    *(const struct rl_field *)(base + k->off),
						    k->v[minor - 22]);
			}
			for (i = 0; i < sizeof(size_rows) / sizeof(size_rows[0]); i++) {
				const struct rl_field *f =
				    (const struct rl_field *)(base + size_rows[i].off);

				if (!f->known || f->size != (uint32_t)size_rows[i].v[minor - 22])
					fail_msg("go1.%d %s: %s = %u, want %ld", minor,
						 go_arch_name(arches[a]), size_rows[i].what,
						 f->size, size_rows[i].v[minor - 22]);
			}
		}
	}
}

static void test_table_lookup(void **state)
{
	unsigned i;

	assert_null(runtime_layout_for(1, 21, GO_ARCH_AMD64));
	assert_null(runtime_layout_for(1, 99, GO_ARCH_ARM64));
	assert_null(runtime_layout_for(2, 22, GO_ARCH_AMD64));
	assert_null(runtime_layout_for(0, 0, GO_ARCH_AMD64));
	{
		enum go_arch arch = GO_ARCH_AMD64;

		assert_int_equal(go_arch_from_elf_machine(183, &arch), 0);
		assert_int_equal(arch, GO_ARCH_ARM64);
		assert_int_equal(go_arch_from_elf_machine(62, &arch), 0);
		assert_int_equal(arch, GO_ARCH_AMD64);
		assert_int_equal(go_arch_from_elf_machine(3, &arch), -1);
	}
	for (i = 0; i < runtime_layout_table_len; i++) {
		const struct runtime_layout *l = &runtime_layout_table[i];

		assert_ptr_equal(runtime_layout_for(l->go_min.major, l->go_min.minor, l->arch), l);
		assert_ptr_equal(runtime_layout_for(l->go_max.major, l->go_max.minor, l->arch), l);
		assert_true(strncmp(l->toolchain, "go1.", 4) == 0);
	}
	/* amd64 and arm64 layouts are identical for 1.22-1.26 (research doc §1.5). */
	for (i = 22; i <= 26; i++) {
		struct runtime_layout a = *runtime_layout_for(1, (int)i, GO_ARCH_AMD64);
		struct runtime_layout b = *runtime_layout_for(1, (int)i, GO_ARCH_ARM64);

		b.arch = a.arch;
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

/* Every RL_FIELDS / RL_CONSTS entry of got equals want; names the first mismatches. */
static int layout_compare(const struct runtime_layout *got, const struct runtime_layout *want)
{
	int bad = 0;

#define CMP_FIELD(name, type, path)                                                                \
	if (got->name.known != want->name.known || got->name.off != want->name.off ||              \
	    got->name.size != want->name.size) {                                                   \
		print_error("%s (%s %s): dwarf {%u, %u, %d}, table {%u, %u, %d}\n", #name, type,   \
			    path, got->name.off, got->name.size, got->name.known, want->name.off,  \
			    want->name.size, want->name.known);                                    \
		bad++;                                                                             \
	}
	RL_FIELDS(CMP_FIELD)
#undef CMP_FIELD
#define CMP_CONST(name, cname)                                                                     \
	if (got->name.known != want->name.known || got->name.value != want->name.value) {          \
		print_error("%s: dwarf {%lld, %d}, table {%lld, %d}\n", cname,                     \
			    (long long)got->name.value, got->name.known,                           \
			    (long long)want->name.value, want->name.known);                        \
		bad++;                                                                             \
	}
	RL_CONSTS(CMP_CONST)
#undef CMP_CONST
	return bad;
}

static void test_dwarf_matches_table(void **state)
{
	const char *path = getenv("CHANWATCH_LAYOUT_FIXTURE");
	const char *want_arch = getenv("CHANWATCH_LAYOUT_ARCH");
	const struct runtime_layout *table;
	struct runtime_layout got;
	struct cw_error err = {{0}};

	if (!path || !*path)
		skip();
	if (runtime_layout_from_dwarf(path, &got, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	print_message("%s: %s %s\n", path, got.toolchain, go_arch_name(got.arch));
	if (want_arch)
		assert_string_equal(go_arch_name(got.arch), want_arch);
	assert_int_equal(got.go_min.major, 1);
	assert_true(got.go_min.minor >= 22);
	table = runtime_layout_for(got.go_min.major, got.go_min.minor, got.arch);
	if (!table)
		fail_msg("no table entry for %s %s", got.toolchain, go_arch_name(got.arch));
	assert_int_equal(layout_compare(&got, table), 0);
	/* The explicit values too, straight from DWARF. */
	if (got.go_min.minor <= 26) {
		int m = got.go_min.minor - 22;
		long goid[] = {152, 160, 160, 152, 152}, recv[] = {14, 14, 14, 14, 19};

		assert_int_equal(got.g_goid.off, goid[m]);
		assert_int_equal(got.wr_chan_receive.value, recv[m]);
	}
}

/*
 * With the fixture of tests/t/layouts.t, built by the toolchain its table entry was made from:
 * that entry is picked without reading DWARF; a GOEXPERIMENT, or another release of the same
 * Go, sends the pick to DWARF.
 */
static void test_pick_prefers_same_toolchain(void **state)
{
	const char *path = getenv("CHANWATCH_LAYOUT_FIXTURE");
	struct gobin_setting experiment = {"GOEXPERIMENT", "newinliner"};
	struct gobin_setting *settings;
	const struct runtime_layout *l;
	struct runtime_layout dwarf;
	const char *source = NULL, *version;
	struct cw_error err = {{0}};
	char other[64];
	size_t nsettings;
	struct gobin b;

	if (!path || !*path)
		skip();
	if (gobin_open(&b, path, &err))
		fail_msg("%s: %s", path, err.msg);
	l = runtime_layout_pick(&b, path, &dwarf, &source, &err);
	assert_non_null(l);
	assert_string_equal(source, "table");
	assert_true(l != &dwarf);
	assert_string_equal(l->toolchain, b.info.go_version);

	settings = b.info.settings;
	nsettings = b.info.nsettings;
	b.info.settings = &experiment;
	b.info.nsettings = 1;
	l = runtime_layout_pick(&b, path, &dwarf, &source, &err);
	assert_ptr_equal(l, &dwarf);
	assert_string_equal(source, "DWARF");
	b.info.settings = settings;
	b.info.nsettings = nsettings;

	version = b.info.go_version;
	snprintf(other, sizeof(other), "%s9", version); /* go1.26.8 -> go1.26.89 */
	b.info.go_version = other;
	l = runtime_layout_pick(&b, path, &dwarf, &source, &err);
	assert_ptr_equal(l, &dwarf);
	assert_string_equal(source, "DWARF");
	b.info.go_version = version;
	gobin_close(&b);
}

static void test_stripped_fixture(void **state)
{
	const char *path = getenv("CHANWATCH_LAYOUT_STRIPPED");
	struct runtime_layout got;
	struct cw_error err = {{0}};

	if (!path || !*path)
		skip();
	assert_int_equal(runtime_layout_from_dwarf(path, &got, &err), -1);
	assert_string_equal(err.msg, "no DWARF (stripped binary?)");
	assert_false(got.g_goid.known);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_not_go(void **state)
{
	char path[] = "/tmp/cw-layout-XXXXXX";
	unsigned char ehdr[64] = {0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1};
	struct runtime_layout got;
	struct cw_error err = {{0}};
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);

	/* A bare ELF header, no sections: no DWARF, must not crash. */
	ehdr[16] = 2;  /* ET_EXEC */
	ehdr[18] = 62; /* EM_X86_64 */
	ehdr[20] = 1;  /* EV_CURRENT */
	ehdr[52] = 64; /* e_ehsize */
	write_file(path, ehdr, sizeof(ehdr));
	assert_int_equal(runtime_layout_from_dwarf(path, &got, &err), -1);
	assert_string_equal(err.msg, "no DWARF (stripped binary?)");

	ehdr[18] = 3; /* EM_386 */
	write_file(path, ehdr, sizeof(ehdr));
	assert_int_equal(runtime_layout_from_dwarf(path, &got, &err), -1);
	assert_string_equal(err.msg, "unsupported ELF machine 3");

	write_file(path, "goroutine 1 [running]:\n", 23);
	assert_int_equal(runtime_layout_from_dwarf(path, &got, &err), -1);
	assert_true(strncmp(err.msg, "not an ELF file", 15) == 0);

	write_file(path, "", 0);
	assert_int_equal(runtime_layout_from_dwarf(path, &got, &err), -1);
	unlink(path);

	assert_int_equal(runtime_layout_from_dwarf(path, &got, &err), -1);
	assert_true(strncmp(err.msg, "cannot open", 11) == 0);
	assert_int_equal(runtime_layout_from_dwarf("/dev/null", &got, &err), -1);
	assert_string_equal(err.msg, "not a regular file");

	/* This test program is a C ELF, with DWARF when built with -g, and no Go runtime. */
	assert_int_equal(runtime_layout_from_dwarf("/proc/self/exe", &got, &err), -1);
	if (strcmp(err.msg, "no DWARF (stripped binary?)") != 0)
		assert_string_equal(err.msg, "no runtime.g in DWARF (not a Go binary?)");
	assert_false(got.g_goid.known);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_known_values),
	    cmocka_unit_test(test_table_lookup),
	    cmocka_unit_test(test_dwarf_matches_table),
	    cmocka_unit_test(test_pick_prefers_same_toolchain),
	    cmocka_unit_test(test_stripped_fixture),
	    cmocka_unit_test(test_not_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
