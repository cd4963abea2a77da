// SPDX-License-Identifier: MIT
// Unit tests for gobin_find_allgs: allgadd bytes from real binaries, hostile code, Go fixtures.
//
// The fixture checks read CHANWATCH_ALLGS_FIXTURES (written by tests/t/gobin-allgs.t): one
// directory per binary of tests/fixtures/go/allgs holding bin, nm.txt (`go tool nm` lines of
// runtime.allgs and runtime.allglen, unstripped binaries only) and, for binaries that ran
// here, truth.txt (the program's own &allgs, &allglen and main.main through go:linkname).
// They are skipped when the variable is unset.
#define _GNU_SOURCE
#include "cmocka_all.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gobin/gobin.h"

#define MAX_FIXTURES 128

/* ---- allgadd bytes copied from real binaries ---- */

static const uint8_t x86_allgadd[] = {
    /* runtime.allgadd in b-go1.22.12: entry 0x4368a0, 350 bytes */
    0x49, 0x3b, 0x66, 0x10, 0x0f, 0x86, 0x40, 0x01, 0x00, 0x00, 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83,
    0xec, 0x48, 0x8b, 0x88, 0x90, 0x00, 0x00, 0x00, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x85, 0xc9, 0x0f, 0x84, 0x10, 0x01, 0x00, 0x00, 0x48, 0x89, 0x44, 0x24, 0x58, 0x90, 0x90, 0x48,
    0x8d, 0x05, 0x2a, 0x8c, 0x15, 0x00, 0xe8, 0x85, 0x4d, 0xfd, 0xff, 0x48, 0x8b, 0x0d, 0x7e, 0x92,
    0x0f, 0x00, 0x48, 0x8b, 0x1d, 0x6f, 0x92, 0x0f, 0x00, 0x48, 0xff, 0xc3, 0x48, 0x8b, 0x05, 0x5d,
    0x92, 0x0f, 0x00, 0x48, 0x39, 0xd9, 0x73, 0x3b, 0xbf, 0x01, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x35,
    0xfc, 0x4b, 0x05, 0x00, 0xe8, 0x97, 0x3a, 0x01, 0x00, 0x48, 0x89, 0x0d, 0x50, 0x92, 0x0f, 0x00,
    0x83, 0x3d, 0xa9, 0x8c, 0x15, 0x00, 0x00, 0x74, 0x13, 0xe8, 0x02, 0xbd, 0x02, 0x00, 0x49, 0x89,
    0x03, 0x48, 0x8b, 0x15, 0x28, 0x92, 0x0f, 0x00, 0x49, 0x89, 0x53, 0x08, 0x48, 0x89, 0x05, 0x1d,
    0x92, 0x0f, 0x00, 0x48, 0x89, 0x1d, 0x1e, 0x92, 0x0f, 0x00, 0x83, 0x3d, 0x7f, 0x8c, 0x15, 0x00,
    0x00, 0x75, 0x07, 0x48, 0x8b, 0x54, 0x24, 0x58, 0xeb, 0x16, 0xe8, 0xd1, 0xbc, 0x02, 0x00, 0x48,
    0x8b, 0x54, 0x24, 0x58, 0x49, 0x89, 0x13, 0x48, 0x8b, 0x74, 0xd8, 0xf8, 0x49, 0x89, 0x73, 0x08,
    0x48, 0x89, 0x54, 0xd8, 0xf8, 0x48, 0x83, 0x3d, 0xeb, 0x91, 0x0f, 0x00, 0x00, 0x76, 0x5f, 0x48,
    0x8b, 0x1d, 0xda, 0x91, 0x0f, 0x00, 0x48, 0x39, 0x1d, 0x83, 0x8f, 0x0f, 0x00, 0x74, 0x2a, 0x90,
    0x80, 0x3d, 0x39, 0x8c, 0x15, 0x00, 0x00, 0x74, 0x16, 0x48, 0x89, 0x5c, 0x24, 0x40, 0x48, 0x8d,
    0x05, 0x6b, 0x8f, 0x0f, 0x00, 0xe8, 0x46, 0xe4, 0xfc, 0xff, 0x48, 0x8b, 0x5c, 0x24, 0x40, 0x48,
    0x8d, 0x0d, 0x5a, 0x8f, 0x0f, 0x00, 0x48, 0x87, 0x19, 0x48, 0x8b, 0x0d, 0xa8, 0x91, 0x0f, 0x00,
    0x48, 0x8d, 0x15, 0x51, 0x8b, 0x15, 0x00, 0x48, 0x87, 0x0a, 0x90, 0x90, 0x48, 0x8d, 0x05, 0x3d,
    0x8b, 0x15, 0x00, 0xe8, 0xd8, 0x4e, 0xfd, 0xff, 0x48, 0x83, 0xc4, 0x48, 0x5d, 0xc3, 0x31, 0xc0,
    0x48, 0x89, 0xc1, 0xe8, 0xe8, 0xbf, 0x02, 0x00, 0x48, 0x8d, 0x05, 0xa3, 0x77, 0x06, 0x00, 0xbb,
    0x19, 0x00, 0x00, 0x00, 0xe8, 0xb7, 0xc5, 0xff, 0xff, 0x90, 0x48, 0x89, 0x44, 0x24, 0x08, 0xe8,
    0xac, 0x9e, 0x02, 0x00, 0x48, 0x8b, 0x44, 0x24, 0x08, 0xe9, 0xa2, 0xfe, 0xff, 0xff,
};

static const uint8_t a64_allgadd[] = {
    /* runtime.allgadd in a-local: entry 0x55c30, 384 bytes */
    0x90, 0x0b, 0x40, 0xf9, 0xff, 0x63, 0x30, 0xeb, 0x09, 0x0b, 0x00, 0x54, 0xfe, 0x0f, 0x1a, 0xf8,
    0xfd, 0x83, 0x1f, 0xf8, 0xfd, 0x23, 0x00, 0xd1, 0x1b, 0x00, 0x80, 0x39, 0x02, 0x40, 0x02, 0x91,
    0x42, 0xfc, 0xdf, 0x88, 0x82, 0x09, 0x00, 0x34, 0xe0, 0x37, 0x00, 0xf9, 0x1f, 0x20, 0x03, 0xd5,
    0x1f, 0x20, 0x03, 0xd5, 0xe0, 0x0a, 0x00, 0x90, 0x00, 0x20, 0x16, 0x91, 0x71, 0x46, 0xff, 0x97,
    0xbb, 0x09, 0x00, 0xb0, 0x7b, 0xc3, 0x32, 0x91, 0x60, 0x07, 0x40, 0xa9, 0x21, 0x04, 0x00, 0x91,
    0xbb, 0x09, 0x00, 0xb0, 0x62, 0x63, 0x46, 0xf9, 0x5f, 0x00, 0x01, 0xeb, 0x02, 0x02, 0x00, 0x54,
    0xe3, 0x03, 0x40, 0xb2, 0x64, 0x03, 0x00, 0x90, 0x84, 0x80, 0x30, 0x91, 0x01, 0xc0, 0x00, 0x94,
    0xbb, 0x09, 0x00, 0xb0, 0x62, 0x63, 0x06, 0xf9, 0xfb, 0x0a, 0x00, 0x90, 0x65, 0xa3, 0x46, 0xb9,
    0xa5, 0x00, 0x00, 0x34, 0xbb, 0x09, 0x00, 0xb0, 0x62, 0x5b, 0x46, 0xf9, 0x95, 0xd1, 0x00, 0x94,
    0x20, 0x0b, 0x00, 0xa9, 0xbb, 0x09, 0x00, 0xb0, 0x60, 0x5b, 0x06, 0xf9, 0xbb, 0x09, 0x00, 0xb0,
    0x61, 0x5f, 0x06, 0xf9, 0x22, 0x04, 0x00, 0xd1, 0xfb, 0x0a, 0x00, 0x90, 0x63, 0xa3, 0x46, 0xb9,
    0x63, 0x00, 0x00, 0x35, 0xe4, 0x37, 0x40, 0xf9, 0x05, 0x00, 0x00, 0x14, 0x03, 0x78, 0x62, 0xf8,
    0x88, 0xd1, 0x00, 0x94, 0xe4, 0x37, 0x40, 0xf9, 0x24, 0x0f, 0x00, 0xa9, 0x04, 0x78, 0x22, 0xf8,
    0x01, 0x04, 0x00, 0xb4, 0xbb, 0x09, 0x00, 0xb0, 0x61, 0x5b, 0x46, 0xf9, 0xbb, 0x09, 0x00, 0xb0,
    0x62, 0xdb, 0x44, 0xf9, 0x3f, 0x00, 0x02, 0xeb, 0xa0, 0x01, 0x00, 0x54, 0x1f, 0x20, 0x03, 0xd5,
    0xfb, 0x0a, 0x00, 0x90, 0x62, 0x83, 0x5a, 0x39, 0xc2, 0x00, 0x00, 0x36, 0xe1, 0x2b, 0x00, 0xf9,
    0xa0, 0x09, 0x00, 0xb0, 0x00, 0xc0, 0x26, 0x91, 0x6e, 0xb2, 0x00, 0x94, 0xe1, 0x2b, 0x40, 0xf9,
    0xa2, 0x09, 0x00, 0xb0, 0x42, 0xc0, 0x26, 0x91, 0x41, 0xfc, 0x9f, 0xc8, 0xbb, 0x09, 0x00, 0xb0,
    0x61, 0x5f, 0x46, 0xf9, 0xe2, 0x0a, 0x00, 0x90, 0x42, 0x40, 0x16, 0x91, 0x41, 0xfc, 0x9f, 0xc8,
    0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5, 0xe0, 0x0a, 0x00, 0x90, 0x00, 0x20, 0x16, 0x91,
    0x64, 0x47, 0xff, 0x97, 0xfd, 0x83, 0x5f, 0xf8, 0xfe, 0x07, 0x46, 0xf8, 0xc0, 0x03, 0x5f, 0xd6,
    0x18, 0xd2, 0x00, 0x94, 0x20, 0x04, 0x00, 0x90, 0x00, 0x3c, 0x18, 0x91, 0x21, 0x03, 0x80, 0xd2,
    0xd0, 0xb9, 0x00, 0x94, 0x1f, 0x20, 0x03, 0xd5, 0xe0, 0x07, 0x00, 0xf9, 0xe3, 0x03, 0x1e, 0xaa,
    0x9c, 0xc9, 0x00, 0x94, 0xe0, 0x07, 0x40, 0xf9, 0xa2, 0xff, 0xff, 0x17, 0x00, 0x00, 0x00, 0x00,
};

/* What `go tool nm` said about the binaries the bytes above come from. */
#define X86_ENTRY   0x4368a0 /* go1.22.12 linux/amd64 */
#define X86_ALLGS   0x52fb50
#define X86_ALLGLEN 0x58f508
#define A64_ENTRY   0x55c30 /* go1.26.8 linux/arm64 */
#define A64_ALLGS   0x18acb0
#define A64_ALLGLEN 0x1b1590

/* A struct gobin around one function's bytes, as gobin_open would index it. */
struct fake {
	struct gobin b;
	struct gobin_section sec[2];
	struct gobin_segment seg;
	struct gobin_func func;
	uint32_t by_name;
	struct gobin_sym syms[2];
};

static void fake_init(struct fake *f, bool arm, const uint8_t *code, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->b.data = code;
	f->b.size = len;
	f->b.machine = arm ? EM_AARCH64 : EM_X86_64;
	/* .bss and .noptrbss of the source binaries */
	f->sec[0] = arm ? (struct gobin_section){".bss", SHT_NOBITS, 0x18a900, 0, 0x26ad8}
			: (struct gobin_section){".bss", SHT_NOBITS, 0x52f840, 0, 0x5fb30};
	f->sec[1] = arm ? (struct gobin_section){".noptrbss", SHT_NOBITS, 0x1b13e0, 0, 0x15760}
			: (struct gobin_section){".noptrbss", SHT_NOBITS, 0x58f380, 0, 0x3a40};
	f->b.sections = f->sec;
	f->b.nsections = 2;
	f->seg = (struct gobin_segment){arm ? A64_ENTRY : X86_ENTRY, 0, len, len, PF_R | PF_X};
	f->b.segments = &f->seg;
	f->b.nsegments = 1;
	f->func = (struct gobin_func){f->seg.vaddr, f->seg.vaddr + len, "runtime.allgadd", 0};
	f->b.funcs = &f->func;
	f->b.nfuncs = 1;
	f->b.by_name = &f->by_name;
}

static void finds_allgs_in_amd64_allgadd(void **state)
{
	struct fake f;
	struct gobin_allgs out;
	struct cw_error err = {""};

	fake_init(&f, false, x86_allgadd, sizeof(x86_allgadd));
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), 0);
	assert_string_equal(out.source, "disassembly");
	assert_int_equal(out.allgs, X86_ALLGS);
	assert_int_equal(out.allglen, X86_ALLGLEN);
	assert_int_equal(out.nallgs_cand, 1);
	assert_int_equal(out.nallglen_cand, 1);
}

static void finds_allgs_in_arm64_allgadd(void **state)
{
	struct fake f;
	struct gobin_allgs out;
	struct cw_error err = {""};

	fake_init(&f, true, a64_allgadd, sizeof(a64_allgadd));
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), 0);
	assert_string_equal(out.source, "disassembly");
	assert_int_equal(out.allgs, A64_ALLGS);
	assert_int_equal(out.allglen, A64_ALLGLEN);
}

static void prefers_symtab(void **state)
{
	struct fake f;
	struct gobin_allgs out;
	struct cw_error err = {""};

	fake_init(&f, false, x86_allgadd, sizeof(x86_allgadd));
	f.syms[0] = (struct gobin_sym){0x111000, 24, "runtime.allglen", false};
	f.syms[1] = (struct gobin_sym){0x222000, 24, "runtime.allgs", false};
	f.b.syms = f.syms;
	f.b.nsyms = 2;
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), 0);
	assert_string_equal(out.source, "symtab");
	assert_int_equal(out.allgs, 0x222000);
	assert_int_equal(out.allglen, 0x111000);
	/* only one of the two: the symtab is not enough, disassembly decides */
	f.b.nsyms = 1;
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), 0);
	assert_string_equal(out.source, "disassembly");
	assert_int_equal(out.allgs, X86_ALLGS);
}

static void reports_what_is_missing(void **state)
{
	struct fake f;
	struct gobin_allgs out;
	struct cw_error err = {""};

	/* no runtime.allgadd */
	fake_init(&f, false, x86_allgadd, sizeof(x86_allgadd));
	f.func.name = "runtime.allgaddx";
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), -ENOENT);
	assert_string_equal(err.msg, "runtime.allgadd not found");
	/* only the prologue: no access at all */
	fake_init(&f, false, x86_allgadd, 24);
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no allgs access"));
	/* the variables are outside every data section: not taken */
	fake_init(&f, false, x86_allgadd, sizeof(x86_allgadd));
	f.sec[0].addr = f.sec[1].addr = 0x10000;
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), -ENOENT);
	/* the code is not in the file */
	fake_init(&f, false, x86_allgadd, sizeof(x86_allgadd));
	f.seg.filesz = 100;
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), -ENOENT);
}

/* Without the allglen store the answer is undecided: candidates, never a guess. */
static void undecided_gives_candidates(void **state)
{
	uint8_t code[sizeof(x86_allgadd)];
	struct fake f;
	struct gobin_allgs out;
	struct cw_error err = {""};
	size_t found = 0;

	memcpy(code, x86_allgadd, sizeof(code));
	/* MOVQ runtime.allgs+8(SB), CX before the allglen XCHG -> MOVQ 0x58(SP), CX */
	for (size_t i = 0; i + 7 <= sizeof(code); i++)
		if (!memcmp(code + i, "\x48\x8b\x0d\xa8\x91\x0f\x00", 7)) {
			memcpy(code + i, "\x48\x8b\x4c\x24\x58\x90\x90", 7);
			found++;
		}
	assert_int_equal(found, 1);
	fake_init(&f, false, code, sizeof(code));
	assert_int_equal(gobin_find_allgs(&f.b, &out, &err), 0);
	assert_int_equal(out.allgs, X86_ALLGS);
	assert_int_equal(out.allglen, 0);
	assert_true(out.nallglen_cand >= 2); /* allgptr and allglen, both XCHG targets */
	found = 0;
	for (size_t i = 0; i < out.nallglen_cand; i++)
		found += out.allglen_cand[i] == X86_ALLGLEN;
	assert_int_equal(found, 1);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void check_sane(const struct gobin_allgs *out, int rc)
{
	assert_true(rc == 0 || rc == -ENOENT);
	assert_true(out->nallgs_cand <= GOBIN_ALLGS_MAX_CAND);
	assert_true(out->nallglen_cand <= GOBIN_ALLGS_MAX_CAND);
	if (rc == 0)
		assert_true((out->allgs || out->nallgs_cand) &&
			    (out->allglen || out->nallglen_cand));
}

/* Random bytes and every one-byte change of the real functions: an answer or an error. */
static void survives_hostile_code(void **state)
{
	static uint8_t code[4096];
	uint32_t seed = 1;
	struct fake f;
	struct gobin_allgs out;
	struct cw_error err;

	for (int arm = 0; arm < 2; arm++) {
		for (int round = 0; round < 200; round++) {
			for (size_t i = 0; i < sizeof(code); i++)
				code[i] = (uint8_t)lcg(&seed);
			fake_init(&f, arm, code, 64 + lcg(&seed) % (sizeof(code) - 64));
			check_sane(&out, gobin_find_allgs(&f.b, &out, &err));
		}
		for (int which = 0; which < 2; which++) {
			const uint8_t *orig = arm ? a64_allgadd : x86_allgadd;
			size_t len = arm ? sizeof(a64_allgadd) : sizeof(x86_allgadd);

			for (size_t i = 0; i < len; i++) {
				memcpy(code, orig, len);
				code[i] ^= which ? 0xff : (uint8_t)(1u << (i % 8));
				fake_init(&f, arm, code, len);
				check_sane(&out, gobin_find_allgs(&f.b, &out, &err));
			}
		}
	}
}

/* ---- Go fixtures ---- */

static char *fixtures[MAX_FIXTURES];
static size_t nfixtures;
static const char *fixture_root;

static int load_fixtures(void **state)
{
	DIR *d;
	struct dirent *e;

	fixture_root = getenv("CHANWATCH_ALLGS_FIXTURES");
	if (!fixture_root || !*fixture_root)
		return 0;
	d = opendir(fixture_root);
	if (!d)
		return 0;
	while ((e = readdir(d)) && nfixtures < MAX_FIXTURES)
		if (e->d_name[0] != '.')
			fixtures[nfixtures++] = strdup(e->d_name);
	closedir(d);
	return 0;
}

static int free_fixtures(void **state)
{
	for (size_t i = 0; i < nfixtures; i++)
		free(fixtures[i]);
	return 0;
}

/* Reads "KEY 0xHEX" lines of fixture/file into vals (keys in order). Returns 0 or -1. */
static int read_keyed(const char *fx, const char *file, const char *const *keys, uint64_t *vals,
		      size_t n)
{
	char path[4096], line[512];
	size_t got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", fixture_root, fx, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < n; i++) {
			size_t kl = strlen(keys[i]);
			char *end;

			if (!strncmp(line, keys[i], kl) && line[kl] == ' ') {
				vals[i] = strtoull(line + kl + 1, &end, 0);
				got++;
			}
		}
	fclose(f);
	return got == n ? 0 : -1;
}

/* `go tool nm` lines "ADDR D runtime.allgs" into vals[0], vals[1] (allgs, allglen). */
static int read_nm(const char *fx, uint64_t *vals)
{
	char path[4096], line[512], name[256];
	unsigned long long addr;
	char type;
	int got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/nm.txt", fixture_root, fx);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (!strcmp(name, "runtime.allgs"))
			vals[0] = addr, got |= 1;
		else if (!strcmp(name, "runtime.allglen"))
			vals[1] = addr, got |= 2;
	}
	fclose(f);
	return got == 3 ? 0 : -1;
}

#define CHECK(fx, cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("%s: ", fx);                                                   \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void fixtures_match_nm_and_the_running_program(void **state)
{
	static const char *const truth_keys[] = {"allgs", "allglen", "main.main"};
	int failures = 0;
	size_t checked = 0;

	if (!nfixtures)
		skip(); /* CHANWATCH_ALLGS_FIXTURES unset: run tests/t/gobin-allgs.t */
	for (size_t i = 0; i < nfixtures; i++) {
		const char *fx = fixtures[i];
		char path[4096];
		struct gobin b, nosym;
		struct gobin_allgs out, dis;
		struct cw_error err = {""};
		uint64_t nm[2] = {0}, truth[3] = {0}, main_entry = 0;
		bool have_nm = !read_nm(fx, nm);
		bool have_truth = !read_keyed(fx, "truth.txt", truth_keys, truth, 3);
		int rc;

		snprintf(path, sizeof(path), "%s/%s/bin", fixture_root, fx);
		if (gobin_open(&b, path, &err)) {
			CHECK(fx, 0, "open: %s", err.msg);
			continue;
		}
		rc = gobin_find_allgs(&b, &out, &err);
		CHECK(fx, rc == 0, "gobin_find_allgs: %d %s", rc, err.msg);
		CHECK(fx, out.allgs && out.allglen, "undecided: %zu allgs, %zu allglen candidates",
		      out.nallgs_cand, out.nallglen_cand);
		CHECK(fx, !strcmp(out.source ? out.source : "", have_nm ? "symtab" : "disassembly"),
		      "source %s", out.source ? out.source : "(null)");
		print_message("%s: %s allgs %#" PRIx64 " allglen %#" PRIx64 "\n", fx, out.source,
			      out.allgs, out.allglen);
		if (have_nm) {
			CHECK(fx, out.allgs == nm[0] && out.allglen == nm[1],
			      "%#" PRIx64 " %#" PRIx64 " but nm says %#" PRIx64 " %#" PRIx64,
			      out.allgs, out.allglen, nm[0], nm[1]);
			/* the same binary without its .symtab: the disassembly path */
			nosym = b;
			nosym.nsyms = 0;
			rc = gobin_find_allgs(&nosym, &dis, &err);
			CHECK(fx, rc == 0 && !strcmp(dis.source, "disassembly"), "no symtab: %d %s",
			      rc, err.msg);
			CHECK(fx, dis.allgs == nm[0] && dis.allglen == nm[1],
			      "no symtab: %#" PRIx64 " %#" PRIx64 " but nm says %#" PRIx64
			      " %#" PRIx64,
			      dis.allgs, dis.allglen, nm[0], nm[1]);
			/* .symtab without the two variables: allgadd from .symtab, if only there */
			nosym.syms = calloc(b.nsyms, sizeof(*b.syms));
			assert_non_null(nosym.syms);
			for (size_t j = 0; j < b.nsyms; j++)
				if (strcmp(b.syms[j].name, "runtime.allgs") &&
				    strcmp(b.syms[j].name, "runtime.allglen"))
					nosym.syms[nosym.nsyms++] = b.syms[j];
			rc = gobin_find_allgs(&nosym, &dis, &err);
			CHECK(fx, rc == 0 && dis.allgs == nm[0] && dis.allglen == nm[1],
			      "no allg symbols: %d %#" PRIx64 " %#" PRIx64 " %s", rc, dis.allgs,
			      dis.allglen, err.msg);
			free(nosym.syms);
		}
		if (have_truth) {
			/* the program printed run-time addresses: remove the PIE load bias */
			rc = gobin_lookup_func(&b, "main.main", &main_entry, NULL);
			CHECK(fx, rc == 0, "main.main not found");
			if (!rc) {
				uint64_t bias = truth[2] - main_entry;

				CHECK(
				    fx,
				    out.allgs == truth[0] - bias && out.allglen == truth[1] - bias,
				    "%#" PRIx64 " %#" PRIx64 " but the program says %#" PRIx64
				    " %#" PRIx64 " (bias %#" PRIx64 ")",
				    out.allgs, out.allglen, truth[0] - bias, truth[1] - bias, bias);
			}
		}
		CHECK(fx, have_nm || have_truth || !b.nsyms,
		      "nothing to compare with (no nm.txt, no truth.txt)");
		checked++;
		gobin_close(&b);
	}
	assert_int_equal(checked, nfixtures);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(finds_allgs_in_amd64_allgadd),
	    cmocka_unit_test(finds_allgs_in_arm64_allgadd),
	    cmocka_unit_test(prefers_symtab),
	    cmocka_unit_test(reports_what_is_missing),
	    cmocka_unit_test(undecided_gives_candidates),
	    cmocka_unit_test(survives_hostile_code),
	    cmocka_unit_test(fixtures_match_nm_and_the_running_program),
	};
	return cmocka_run_group_tests_name("gobin_allgs", tests, load_fixtures, free_fixtures);
}
