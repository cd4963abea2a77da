// SPDX-License-Identifier: MIT
// Unit tests for src/gobin: hostile inputs, build info, and real Go binaries vs the Go toolchain.
//
// The real-binary checks read CHANWATCH_GOBIN_FIXTURES (written by tests/t/gobin.t): one
// directory per binary holding bin, meta, buildinfo.txt (`go version -m`), nm.txt (`go tool
// nm -size`, from the unstripped sibling for stripped binaries), addr2line.txt (`go tool
// addr2line`) and, for binaries that ran here, frames.txt (runtime.CallersFrames). They are
// skipped when the variable is unset.
#define _GNU_SOURCE
#include "cmocka_all.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gobin/gobin.h"

#define MAX_FIXTURES 64
#define MAX_LINE     4096

static char *fixtures[MAX_FIXTURES];
static size_t nfixtures;
static const char *fixture_root;

/* ---- handcrafted ELF files ---- */

struct elfsec {
	const char *name;
	uint32_t type;
	uint64_t addr;
	const void *data;
	size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* An ELF64 LE x86-64 executable with the given sections (no segments); returns its size. */
static size_t make_elf(uint8_t *out, size_t cap, const struct elfsec *secs, size_t n)
{
	uint8_t strtab[512] = {0};
	size_t strlen_ = 1, off = 64, shoff;
	uint64_t name_off[16], data_off[16];

	assert_true(n + 2 <= 16);
	memset(out, 0, cap);
	for (size_t i = 0; i < n; i++) {
		name_off[i] = strlen_;
		memcpy(strtab + strlen_, secs[i].name, strlen(secs[i].name) + 1);
		strlen_ += strlen(secs[i].name) + 1;
		data_off[i] = off;
		assert_true(off + secs[i].len <= cap);
		memcpy(out + off, secs[i].data, secs[i].len);
		off += (secs[i].len + 7) & ~(size_t)7;
	}
	name_off[n] = strlen_;
	memcpy(strtab + strlen_, ".shstrtab", 10);
	strlen_ += 10;
	data_off[n] = off;
	memcpy(out + off, strtab, strlen_);
	off = (off + strlen_ + 7) & ~(size_t)7;
	shoff = off;
	assert_true(shoff + (n + 2) * 64 <= cap);
	for (size_t i = 0; i <= n; i++) {
		uint8_t *sh = out + shoff + (i + 1) * 64;
		put32(sh, (uint32_t)name_off[i]);
		put32(sh + 4, i < n ? secs[i].type : 3 /* SHT_STRTAB */);
		put64(sh + 16, i < n ? secs[i].addr : 0);
		put64(sh + 24, data_off[i]);
		put64(sh + 32, i < n ? secs[i].len : strlen_);
	}
	memcpy(out,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	put16(out + 16, 2);  /* ET_EXEC */
	put16(out + 18, 62); /* EM_X86_64 */
	put32(out + 20, 1);
	put64(out + 40, shoff);
	put16(out + 52, 64);
	put16(out + 58, 64);
	put16(out + 60, (uint16_t)(n + 2));
	put16(out + 62, (uint16_t)(n + 1));
	return shoff + (n + 2) * 64;
}

/* Opens bytes through a memfd, as the fuzzer does. */
static int open_bytes(struct gobin *b, const void *data, size_t len, struct cw_error *err)
{
	int fd = memfd_create("gobin-test", MFD_CLOEXEC);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	rc = gobin_open_fd(b, fd, err);
	close(fd);
	return rc;
}

static void rejects_non_elf_and_non_go(void **state)
{
	static uint8_t buf[8192];
	struct cw_error err = {""};
	struct gobin b;
	struct elfsec text = {".text", 1, 0x401000, "\xc3", 1};
	size_t n;

	assert_int_equal(
	    open_bytes(&b, "#!/bin/sh\necho hello, this is not an ELF file\n", 46, &err), -1);
	assert_string_equal(err.msg, "not an ELF file");
	assert_int_equal(open_bytes(&b,
				    "\x7f"
				    "ELF",
				    4, &err),
			 -1);
	assert_string_equal(err.msg, "not an ELF file");

	n = make_elf(buf, sizeof(buf), &text, 1);
	assert_int_equal(open_bytes(&b, buf, n, &err), -1);
	assert_string_equal(err.msg, "not a Go binary: no .go.buildinfo or .gopclntab");

	buf[4] = 1; /* ELFCLASS32 */
	assert_int_equal(open_bytes(&b, buf, n, &err), -1);
	assert_string_equal(err.msg, "not a 64-bit ELF file");
	buf[4] = 2;
	buf[5] = 2; /* big-endian */
	assert_int_equal(open_bytes(&b, buf, n, &err), -1);
	assert_string_equal(err.msg, "not a little-endian ELF file");
	buf[5] = 1;
	put16(buf + 18, 40); /* EM_ARM */
	assert_int_equal(open_bytes(&b, buf, n, &err), -1);
	assert_string_equal(err.msg, "unsupported ELF machine 40");

	assert_int_equal(gobin_open(&b, "/nonexistent/gobin", &err), -1);
	assert_string_equal(err.msg, "No such file or directory");
	gobin_close(&b); /* harmless after a failed open */
}

static size_t put_varstr(uint8_t *p, const char *s, size_t len)
{
	size_t n = 0;
	size_t v = len;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	memcpy(p + n, s, len);
	return n + len;
}

static const char modinfo_text[] = "path\texample.com/cmd/tool\n"
				   "mod\texample.com\tv1.2.3\th1:abc=\n"
				   "dep\tgolang.org/x/sys\tv0.1.0\th1:def=\n"
				   "build\t-buildmode=exe\n"
				   "build\t-ldflags=\"-s -w -X \\\"main.v=1 2\\\"\"\n"
				   "build\tCGO_ENABLED=1\n"
				   "build\tGOARCH=arm64\n"
				   "build\tGOEXPERIMENT=greenteagc\n"
				   "build\t\"weird key\"=`raw \\n value`\n"
				   "build\t-trimpath=true\n"
				   "build\tvcs.modified=false\n";

/* .go.buildinfo in the Go 1.18+ inline-string layout. */
static size_t make_buildinfo(uint8_t *p, const char *vers)
{
	static const char start[] = "0w\xaf\x0c\x92t\x08\x02"
				    "A\xe1\xc1\x07\xe6\xd6\x18\xe6";
	static const char end[] = "\xf9"
				  "2C1\x86\x18 r\x00\x82"
				  "B\x10"
				  "A\x16\xd8\xf2";
	char mod[1024];
	size_t n = 32, mlen = 0;

	memset(p, 0, 32);
	memcpy(p, "\xff Go buildinf:", 14);
	p[14] = 8;
	p[15] = 2;
	n += put_varstr(p + n, vers, strlen(vers));
	memcpy(mod, start, 16);
	mlen = 16;
	memcpy(mod + mlen, modinfo_text, sizeof(modinfo_text) - 1);
	mlen += sizeof(modinfo_text) - 1;
	memcpy(mod + mlen, end, 16);
	mlen += 16;
	n += put_varstr(p + n, mod, mlen);
	return n;
}

static void parses_inline_buildinfo(void **state)
{
	static uint8_t buf[8192];
	uint8_t bi[2048];
	struct elfsec sec = {".go.buildinfo", 1, 0x500000, bi, 0};
	struct cw_error err = {""};
	struct gobin b;
	size_t n;

	sec.len = make_buildinfo(bi, "go1.26.8");
	n = make_elf(buf, sizeof(buf), &sec, 1);
	assert_int_equal(open_bytes(&b, buf, n, &err), 0);
	assert_string_equal(b.info.go_version, "go1.26.8");
	assert_string_equal(b.info.path, "example.com/cmd/tool");
	assert_string_equal(b.info.main_module, "example.com");
	assert_string_equal(b.info.main_version, "v1.2.3");
	assert_int_equal(b.info.nsettings, 8);
	assert_string_equal(gobin_setting(&b, "-buildmode"), "exe");
	assert_string_equal(gobin_setting(&b, "-ldflags"), "-s -w -X \"main.v=1 2\"");
	assert_string_equal(gobin_setting(&b, "CGO_ENABLED"), "1");
	assert_string_equal(gobin_setting(&b, "GOARCH"), "arm64");
	assert_string_equal(gobin_setting(&b, "GOEXPERIMENT"), "greenteagc");
	assert_string_equal(gobin_setting(&b, "weird key"), "raw \\n value");
	assert_string_equal(gobin_setting(&b, "-trimpath"), "true");
	assert_null(gobin_setting(&b, "GOOS"));
	assert_non_null(strstr(b.info.modinfo, "dep\tgolang.org/x/sys\tv0.1.0"));
	assert_int_equal(b.nfuncs, 0); /* no pclntab: build info only */
	assert_int_equal(gobin_lookup_func(&b, "main.main", NULL, NULL), -ENOENT);
	gobin_close(&b);

	/* every truncation of the section is rejected or read without crashing */
	for (size_t cut = 0; cut < sec.len; cut++) {
		struct elfsec s2 = sec;
		s2.len = cut;
		n = make_elf(buf, sizeof(buf), &s2, 1);
		if (open_bytes(&b, buf, n, &err) == 0) {
			assert_true(strlen(b.info.go_version) <= 8);
			gobin_close(&b);
		}
	}
}

static void rejects_bad_pclntab(void **state)
{
	static uint8_t buf[8192];
	uint8_t tab[128] = {0};
	struct elfsec sec = {".gopclntab", 1, 0x500000, tab, sizeof(tab)};
	struct cw_error err = {""};
	struct gobin b;
	size_t n;

	put32(tab, 0xfffffff0);
	n = make_elf(buf, sizeof(buf), &sec, 1);
	assert_int_equal(open_bytes(&b, buf, n, &err), -1);
	assert_string_equal(err.msg, ".gopclntab: Go before 1.20 is not supported");
	put32(tab, 0xfffffff1);
	tab[6] = 1;
	tab[7] = 8;
	put64(tab + 8, 1000000); /* nfunc far beyond the table */
	for (int i = 0; i < 5; i++)
		put64(tab + 32 + 8 * i, 72);
	n = make_elf(buf, sizeof(buf), &sec, 1);
	assert_int_equal(open_bytes(&b, buf, n, &err), -1);
	assert_string_equal(err.msg, ".gopclntab: corrupt header");
}

/*
 * A pclntab of two functions (main.a at text+0, main.b at text+0x10, text ends at
 * +0x20) whose pcHeader.textStart is text; returns its size.
 */
static size_t make_pclntab(uint8_t *p, uint64_t text)
{
	static const uint64_t off[5] = {72, 88, 92, 100, 104}; /* names, cu, files, pc, func */

	memset(p, 0, 216);
	put32(p, 0xfffffff1);
	p[6] = 1;
	p[7] = 8;
	put64(p + 8, 2);  /* nfunc */
	put64(p + 16, 1); /* nfiles */
	put64(p + 24, text);
	for (int i = 0; i < 5; i++)
		put64(p + 32 + 8 * i, off[i]);
	memcpy(p + 72, "main.a\0main.b", 14);
	memcpy(p + 92, "a.go", 4);
	/* functab: {entryoff, funcoff} x 2, then the end offset; the _func records at 128, 172 */
	put32(p + 104, 0);
	put32(p + 108, 24);
	put32(p + 112, 0x10);
	put32(p + 116, 68);
	put32(p + 120, 0x20);
	put32(p + 128, 0); /* entryOff */
	put32(p + 132, 0); /* nameOff: main.a */
	put32(p + 172, 0x10);
	put32(p + 176, 7); /* main.b */
	return 216;
}

/* Externally linked PIE before Go 1.26: the pclntab inside .data.rel.ro, found by its header. */
static void finds_pclntab_in_data_rel_ro(void **state)
{
	static uint8_t buf[8192];
	uint8_t bi[2048], ro[512] = {0}, code[0x20] = {0};
	struct elfsec secs[3] = {
	    {".go.buildinfo", 1, 0x500000, bi, 0},
	    {".text", 1, 0x401000, code, sizeof(code)},
	    {".data.rel.ro", 1, 0x600000, ro, sizeof(ro)},
	};
	struct cw_error err = {""};
	uint64_t entry, end;
	struct gobin b;
	size_t n;

	secs[0].len = make_buildinfo(bi, "go1.24.13");
	/* a decoy header first (no functions), the table at +64 */
	memcpy(ro + 8, "\xf1\xff\xff\xff\0\0\x01\x08", 8);
	make_pclntab(ro + 64, 0x401000);
	n = make_elf(buf, sizeof(buf), secs, 3);
	assert_int_equal(open_bytes(&b, buf, n, &err), 0);
	assert_int_equal(b.nfuncs, 2);
	assert_int_equal(b.pcln_addr, 0x600040);
	assert_int_equal(b.text_start, 0x401000);
	assert_int_equal(gobin_lookup_func(&b, "main.b", &entry, &end), 0);
	assert_int_equal(entry, 0x401010);
	assert_int_equal(end, 0x401020);
	assert_string_equal(gobin_func_at(&b, 0x401005)->name, "main.a");
	gobin_close(&b);

	/* functions outside .text, tables out of order: not a pclntab, no functions */
	make_pclntab(ro + 64, 0x700000);
	n = make_elf(buf, sizeof(buf), secs, 3);
	assert_int_equal(open_bytes(&b, buf, n, &err), 0);
	assert_int_equal(b.nfuncs, 0);
	assert_null(b.pcln);
	gobin_close(&b);
	make_pclntab(ro + 64, 0x401000);
	put64(ro + 64 + 40, 60 + 64); /* cutab before funcnametab */
	n = make_elf(buf, sizeof(buf), secs, 3);
	assert_int_equal(open_bytes(&b, buf, n, &err), 0);
	assert_int_equal(b.nfuncs, 0);
	gobin_close(&b);

	/* every truncation of .data.rel.ro is read without crashing */
	make_pclntab(ro + 64, 0x401000);
	for (size_t cut = 0; cut < sizeof(ro); cut++) {
		secs[2].len = cut;
		n = make_elf(buf, sizeof(buf), secs, 3);
		assert_int_equal(open_bytes(&b, buf, n, &err), 0);
		assert_true(b.nfuncs == (cut >= 64 + 128 ? 2 : 0)); /* up to the functab */
		gobin_close(&b);
	}
}

/* ---- real binaries ---- */

static int load_fixtures(void **state)
{
	DIR *d;
	struct dirent *e;

	fixture_root = getenv("CHANWATCH_GOBIN_FIXTURES");
	if (!fixture_root || !*fixture_root)
		return 0;
	d = opendir(fixture_root);
	if (!d)
		return 0;
	while ((e = readdir(d)) && nfixtures < MAX_FIXTURES) {
		if (e->d_name[0] != '.')
			fixtures[nfixtures++] = strdup(e->d_name);
	}
	closedir(d);
	return 0;
}

static int free_fixtures(void **state)
{
	for (size_t i = 0; i < nfixtures; i++)
		free(fixtures[i]);
	return 0;
}

static FILE *open_expect(const char *fixture, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s/%s", fixture_root, fixture, file);
	return fopen(path, "r");
}

/* The value of KEY in the fixture's meta file, or "" (static buffer). */
static const char *meta(const char *fixture, const char *key)
{
	static char val[256];
	char line[MAX_LINE];
	FILE *f = open_expect(fixture, "meta");
	size_t klen = strlen(key);

	val[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			snprintf(val, sizeof(val), "%s", line + klen + 1);
			break;
		}
	}
	if (f)
		fclose(f);
	return val;
}

static void open_fixture(const char *fixture, struct gobin *b)
{
	char path[4096];
	struct cw_error err = {""};

	snprintf(path, sizeof(path), "%s/%s/bin", fixture_root, fixture);
	if (gobin_open(b, path, &err)) {
		print_error("%s: %s\n", fixture, err.msg);
		fail();
	}
}

#define REQUIRE_FIXTURES()                                                                         \
	do {                                                                                       \
		if (!nfixtures)                                                                    \
			skip(); /* CHANWATCH_GOBIN_FIXTURES unset: run tests/t/gobin.t */          \
	} while (0)

#define CHECK(fx, cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("%s: ", fx);                                                   \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void buildinfo_matches_go_version_m(void **state)
{
	int failures = 0;

	REQUIRE_FIXTURES();
	for (size_t i = 0; i < nfixtures; i++) {
		const char *fx = fixtures[i];
		struct gobin b;
		char line[MAX_LINE], want[MAX_LINE];
		FILE *f = open_expect(fx, "buildinfo.txt");
		const char *v;
		size_t nlines = 0;

		assert_non_null(f);
		open_fixture(fx, &b);
		/* first line "PATH: go1.26.8" */
		assert_non_null(fgets(line, sizeof(line), f));
		line[strcspn(line, "\n")] = '\0';
		CHECK(fx, !strcmp(strrchr(line, ' ') + 1, b.info.go_version), "go version %s vs %s",
		      b.info.go_version, line);
		CHECK(fx, !strcmp(b.info.go_version, meta(fx, "goversion")), "go version %s",
		      b.info.go_version);
		/* then "\t" + each modinfo line: the same text we read */
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(want, sizeof(want), "%s\n", line + 1);
			CHECK(fx, strstr(b.info.modinfo, want) != NULL, "modinfo lacks '%s'",
			      line + 1);
			nlines++;
		}
		fclose(f);
		CHECK(fx, nlines >= 5, "only %zu build info lines", nlines);
		CHECK(fx, !strcmp(b.info.path, "chanwatch.test/gobin"), "path %s", b.info.path);
		CHECK(fx, !strcmp(b.info.main_module, "chanwatch.test/gobin"), "mod %s",
		      b.info.main_module);
		v = gobin_setting(&b, "CGO_ENABLED");
		CHECK(fx, v && !strcmp(v, meta(fx, "cgo")), "CGO_ENABLED %s", v ? v : "(none)");
		v = gobin_setting(&b, "GOARCH");
		CHECK(fx, v && !strcmp(v, meta(fx, "arch")), "GOARCH %s", v ? v : "(none)");
		v = gobin_setting(&b, "-ldflags");
		if (*meta(fx, "ldflags"))
			CHECK(fx, v && !strcmp(v, meta(fx, "ldflags")), "-ldflags %s",
			      v ? v : "(none)");
		else
			CHECK(fx, !v, "unexpected -ldflags %s", v);
		v = gobin_setting(&b, "-buildmode");
		CHECK(fx, v && !strcmp(v, *meta(fx, "buildmode") ? meta(fx, "buildmode") : "exe"),
		      "-buildmode %s", v ? v : "(none)");
		CHECK(fx, b.machine == (strcmp(meta(fx, "arch"), "arm64") ? 62 : 183), "machine %u",
		      b.machine);
		CHECK(fx, b.min_lc == (strcmp(meta(fx, "arch"), "arm64") ? 1 : 4), "minLC %u",
		      b.min_lc);
		gobin_close(&b);
	}
	assert_int_equal(failures, 0);
}

struct nm_sym {
	uint64_t addr, size;
	char type;
	char *name;
};

static struct nm_sym *read_nm(const char *fx, size_t *n)
{
	FILE *f = open_expect(fx, "nm.txt");
	struct nm_sym *v = NULL;
	size_t cap = 0;
	char line[MAX_LINE], name[MAX_LINE];

	*n = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct nm_sym s;

		if (sscanf(line, "%" SCNx64 " %" SCNu64 " %c %4095[^\n]", &s.addr, &s.size, &s.type,
			   name) != 4)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
			assert_non_null(v);
		}
		s.name = strdup(name);
		v[(*n)++] = s;
	}
	fclose(f);
	return v;
}

static void free_nm(struct nm_sym *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static const struct nm_sym *nm_find(const struct nm_sym *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static bool is_func(const struct nm_sym *s)
{
	return (s->type == 'T' || s->type == 't') && s->size;
}

/* By name, then address: the first of a run of equal names is the lowest. */
static int nm_cmp(const void *a, const void *b)
{
	const struct nm_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The function symbols of nm, sorted by nm_cmp. */
static struct nm_sym *nm_funcs(const struct nm_sym *nm, size_t n, size_t *nout)
{
	struct nm_sym *v = malloc((n + 1) * sizeof(*v));

	assert_non_null(v);
	*nout = 0;
	for (size_t i = 0; i < n; i++)
		if (is_func(&nm[i]))
			v[(*nout)++] = nm[i];
	qsort(v, *nout, sizeof(*v), nm_cmp);
	return v;
}

/* The first (lowest) function symbol called name, or NULL. */
static const struct nm_sym *nm_first(const struct nm_sym *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(v[lo].name, name) ? &v[lo] : NULL;
}

struct walk {
	const char *fx;
	const struct nm_sym *funcs;
	size_t nfuncs;
	size_t seen, named, matched;
	int failures;
	uint64_t last_entry;
	char **names; /* when collecting: the pclntab's names */
};

static int check_func(void *ctx, const struct gobin_func *f)
{
	struct walk *w = ctx;
	const struct nm_sym *s = nm_first(w->funcs, w->nfuncs, f->name);
	char abi0[1024];
	bool ok = false;

	if (!s) { /* external linkers name every ABI0 function NAME.abi0 in .symtab */
		snprintf(abi0, sizeof(abi0), "%s.abi0", f->name);
		s = nm_first(w->funcs, w->nfuncs, abi0);
	}

	w->seen++;
	if (f->entry < w->last_entry || f->end < f->entry) {
		print_error("%s: %s: bad order or range\n", w->fx, f->name);
		w->failures++;
	}
	w->last_entry = f->entry;
	if (!s)
		return 0;
	w->named++;
	for (const char *name = s->name; s < w->funcs + w->nfuncs && !strcmp(s->name, name); s++)
		ok |= s->addr == f->entry && f->end >= s->addr + s->size;
	if (ok)
		w->matched++;
	else if (w->failures++ < 10)
		print_error("%s: pclntab %s at %#" PRIx64 "-%#" PRIx64 " is not in nm\n", w->fx,
			    f->name, f->entry, f->end);
	return 0;
}

static int collect_name(void *ctx, const struct gobin_func *f)
{
	struct walk *w = ctx;

	w->names[w->seen++] = strdup(f->name);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in the pclntab of fixture fx's unstripped sibling. */
static char **sibling_names(const char *fx, size_t *n)
{
	struct gobin sib;
	struct walk w = {0};
	char sibling[512];

	snprintf(sibling, sizeof(sibling), "%s", meta(fx, "sibling"));
	assert_true(sibling[0]);
	open_fixture(sibling, &sib);
	w.names = calloc(sib.nfuncs + 1, sizeof(char *));
	gobin_funcs_foreach(&sib, collect_name, &w);
	gobin_close(&sib);
	qsort(w.names, w.seen, sizeof(char *), str_cmp);
	*n = w.seen;
	return w.names;
}

static void functions_match_go_tool_nm(void **state)
{
	int failures = 0;

	REQUIRE_FIXTURES();
	for (size_t i = 0; i < nfixtures; i++) {
		const char *fx = fixtures[i];
		bool stripped = !strcmp(meta(fx, "stripped"), "1");
		struct gobin b;
		size_t n, nf, found = 0, want = 0, nsib = 0;
		struct nm_sym *nm = read_nm(fx, &n);
		struct nm_sym *funcs = nm_funcs(nm, n, &nf);
		char **sib = stripped ? sibling_names(fx, &nsib) : NULL;
		const struct nm_sym *rt;
		struct walk w = {fx, funcs, nf, 0, 0, 0, 0, 0, NULL};
		uint64_t off;

		open_fixture(fx, &b);
		/* text start, and the go:func.* base of funcdata */
		rt = nm_find(nm, n, "runtime.text");
		CHECK(fx, rt && b.text_start == rt->addr,
		      "text start %#" PRIx64 " (%s), nm %#" PRIx64, b.text_start,
		      gobin_text_source_name(b.text_source), rt ? rt->addr : 0);
		if (stripped) {
			/* data moves with the -ldflags string: only the symbolize tests see gofunc
			 */
			bool go126 = !strncmp(meta(fx, "goversion"), "go1.26", 6);
			CHECK(
			    fx,
			    b.text_source == (go126 ? GOBIN_TEXT_GO_MODULE : GOBIN_TEXT_MODULEDATA),
			    "stripped: text start from %s", gobin_text_source_name(b.text_source));
			CHECK(fx, b.nsyms == 0, "stripped binary has %zu symbols", b.nsyms);
			CHECK(fx, b.gofunc != 0, "stripped: no gofunc");
		} else {
			CHECK(fx, b.text_source == GOBIN_TEXT_SYMTAB, "text start from %s",
			      gobin_text_source_name(b.text_source));
			rt = nm_find(nm, n, "go:func.*");
			CHECK(fx, rt && b.gofunc == rt->addr, "gofunc %#" PRIx64 ", nm %#" PRIx64,
			      b.gofunc, rt ? rt->addr : 0);
		}

		/* by name: each function symbol (the lowest of equal names) */
		for (size_t j = 0; j < nf; j++) {
			uint64_t entry = 0, end = 0;
			const char *name = funcs[j].name;

			if (j && !strcmp(funcs[j - 1].name, name))
				continue;
			if (stripped && !bsearch(&name, sib, nsib, sizeof(char *), str_cmp))
				continue; /* C code: only in the sibling's .symtab */
			want++;
			if (gobin_lookup_func(&b, name, &entry, &end)) {
				if (failures++ < 10)
					print_error("%s: %s not found\n", fx, name);
				continue;
			}
			found++;
			CHECK(fx,
			      entry == funcs[j].addr && (stripped ? end >= entry + funcs[j].size
								  : end == entry + funcs[j].size),
			      "%s: %#" PRIx64 "-%#" PRIx64 ", nm %#" PRIx64 "+%" PRIu64, name,
			      entry, end, funcs[j].addr, funcs[j].size);
		}
		CHECK(fx, want > 1000 && found == want, "found %zu of %zu functions", found, want);
		CHECK(fx, gobin_lookup_func(&b, "runtime.makechan", NULL, NULL) == 0,
		      "no makechan");
		CHECK(fx, gobin_lookup_func(&b, "runtime.gopark", NULL, NULL) == 0, "no gopark");
		CHECK(fx, gobin_lookup_func(&b, "main.no_such_function", NULL, NULL) == -ENOENT,
		      "found a function that does not exist");

		/* in address order: the pclntab table itself against nm */
		gobin_funcs_foreach(&b, check_func, &w);
		failures += w.failures;
		CHECK(fx,
		      w.seen == b.nfuncs && w.named * 100 >= w.seen * 95 && w.matched == w.named,
		      "pclntab: %zu functions, %zu in nm, %zu match", w.seen, w.named, w.matched);

		/* uprobe offsets: segments agree with the .text section header */
		{
			const struct gobin_section *text = gobin_section(&b, ".text");
			uint64_t entry, past = 0;

			assert_int_equal(gobin_lookup_func(&b, "main.main", &entry, NULL), 0);
			assert_int_equal(gobin_vaddr_to_offset(&b, entry, &off), 0);
			CHECK(fx, text && off == text->offset + (entry - text->addr),
			      "main.main file offset %#" PRIx64, off);
			/* GNU ld maps the ELF header of a PIE at 0: ask past every segment */
			for (size_t k = 0; k < b.nsegments; k++)
				if (b.segments[k].vaddr + b.segments[k].memsz > past)
					past = b.segments[k].vaddr + b.segments[k].memsz;
			CHECK(fx,
			      (b.nsegments && b.segments[0].vaddr <= 0x10) ||
				  gobin_vaddr_to_offset(&b, 0x10, &off) == -ENOENT,
			      "offset of 0x10");
			CHECK(fx, gobin_vaddr_to_offset(&b, past + 0x10, &off) == -ENOENT,
			      "offset of %#" PRIx64 ", past every segment", past + 0x10);
		}
		for (size_t j = 0; j < nsib; j++)
			free(sib[j]);
		free(sib);
		free(funcs);
		free_nm(nm, n);
		gobin_close(&b);
	}
	assert_int_equal(failures, 0);
}

/* runtime.funcNameForPrint: "main.Sum[go.shape.int]" -> "main.Sum[...]" */
static void name_for_print(const char *name, char *out, size_t cap)
{
	const char *i = strchr(name, '['), *j = strrchr(name, ']');

	if (!i || !j || j <= i)
		snprintf(out, cap, "%s", name);
	else
		snprintf(out, cap, "%.*s[...]%s", (int)(i - name), name, j + 1);
}

struct rt_frame {
	uint64_t pc;
	int inlined;
	char func[512], file[1024];
	int line;
};

static void symbolize_matches_runtime(void **state)
{
	int failures = 0, checked_fixtures = 0;

	REQUIRE_FIXTURES();
	for (size_t i = 0; i < nfixtures; i++) {
		const char *fx = fixtures[i];
		FILE *f = open_expect(fx, "frames.txt");
		struct rt_frame *fr = calloc(1024, sizeof(*fr));
		size_t n = 0, groups = 0, inlined_groups = 0;
		char line[MAX_LINE];
		struct gobin b;

		if (!f) {
			free(fr);
			continue; /* did not run here (cross build) */
		}
		checked_fixtures++;
		while (fgets(line, sizeof(line), f) && n < 1024) {
			if (sscanf(line, "frame %" SCNx64 " %d %511s %1023s %d", &fr[n].pc,
				   &fr[n].inlined, fr[n].func, fr[n].file, &fr[n].line) == 5)
				n++;
		}
		fclose(f);
		CHECK(fx, n >= 20, "only %zu runtime frames", n);
		open_fixture(fx, &b);
		for (size_t k = 0; k < n;) {
			struct gobin_frame out[16];
			size_t len = 1;
			int got;

			while (k + len - 1 < n && fr[k + len - 1].inlined)
				len++;
			if (k + len > n)
				break;
			got = gobin_symbolize(&b, fr[k].pc, out, 16);
			groups++;
			inlined_groups += len > 1;
			CHECK(fx, got == (int)len, "pc %#" PRIx64 " (%s): %d frames, runtime %zu",
			      fr[k].pc, fr[k].func, got, len);
			for (int m = 0; m < got && m < (int)len; m++) {
				char pname[512];
				const struct rt_frame *want = &fr[k + (size_t)m];

				name_for_print(out[m].func, pname, sizeof(pname));
				CHECK(fx,
				      !strcmp(pname, want->func) &&
					  !strcmp(out[m].file, want->file) &&
					  out[m].line == want->line &&
					  out[m].inlined == (bool)want->inlined,
				      "pc %#" PRIx64 " frame %d: %s %s:%d, runtime %s %s:%d",
				      fr[k].pc, m, out[m].func, out[m].file, out[m].line,
				      want->func, want->file, want->line);
			}
			/* a frame buffer of one gives the innermost frame */
			got = gobin_symbolize(&b, fr[k].pc, out, 1);
			CHECK(fx, got == 1 && out[0].line == fr[k].line, "max=1 at %#" PRIx64,
			      fr[k].pc);
			k += len;
		}
		CHECK(fx, inlined_groups >= 1 && groups >= 10, "%zu stacks, %zu with inlining",
		      groups, inlined_groups);
		gobin_close(&b);
		free(fr);
	}
	(void)checked_fixtures;
	assert_int_equal(failures, 0);
}

static void symbolize_matches_addr2line(void **state)
{
	int failures = 0;

	REQUIRE_FIXTURES();
	for (size_t i = 0; i < nfixtures; i++) {
		const char *fx = fixtures[i];
		FILE *f = open_expect(fx, "addr2line.txt");
		char line[MAX_LINE], func[1024], fileline[2048];
		size_t n = 0, bad = 0;
		struct gobin b;

		assert_non_null(f);
		open_fixture(fx, &b);
		while (fgets(line, sizeof(line), f)) {
			struct gobin_frame out[32];
			uint64_t pc;
			char *colon, name[1024] = "";
			int got, want_line;

			if (sscanf(line, "%" SCNx64 "\t%1023[^\t]\t%2047[^\n]", &pc, func,
				   fileline) != 3)
				continue;
			if (!strcmp(func, "?"))
				continue;
			colon = strrchr(fileline, ':');
			assert_non_null(colon);
			*colon = '\0';
			n++;
			got = gobin_symbolize(&b, pc, out, 32);
			want_line = (int)strtol(colon + 1, NULL, 10);
			if (want_line < 0) /* no line table: unknown */
				want_line = 0;
			/* .symtab's name for the ABI0 twin; the pclntab (and addr2line) lack it */
			if (got > 0)
				snprintf(name, sizeof(name), "%.*s",
					 (int)(strlen(out[got - 1].func) -
					       (strstr(out[got - 1].func, ".abi0") ? 5 : 0)),
					 out[got - 1].func);
			if (got <= 0 || strcmp(name, func) || strcmp(out[0].file, fileline) ||
			    out[0].line != want_line) {
				if (bad++ < 10)
					print_error(
					    "%s: pc %#" PRIx64 ": got %d %s %s:%d, addr2line "
					    "%s %s:%s\n",
					    fx, pc, got, got > 0 ? out[got - 1].func : "",
					    got > 0 ? out[0].file : "", got > 0 ? out[0].line : 0,
					    func, fileline, colon + 1);
			}
		}
		fclose(f);
		CHECK(fx, n >= 100, "only %zu addr2line answers", n);
		CHECK(fx, bad == 0, "%zu of %zu PCs differ from addr2line", bad, n);
		CHECK(fx, gobin_symbolize(&b, 0x10, NULL, 0) == -ENOENT, "max 0");
		gobin_close(&b);
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rejects_non_elf_and_non_go),
	    cmocka_unit_test(parses_inline_buildinfo),
	    cmocka_unit_test(rejects_bad_pclntab),
	    cmocka_unit_test(finds_pclntab_in_data_rel_ro),
	    cmocka_unit_test(buildinfo_matches_go_version_m),
	    cmocka_unit_test(functions_match_go_tool_nm),
	    cmocka_unit_test(symbolize_matches_runtime),
	    cmocka_unit_test(symbolize_matches_addr2line),
	};
	return cmocka_run_group_tests_name("gobin", tests, load_fixtures, free_fixtures);
}
