// SPDX-License-Identifier: MIT
// Go binaries: the pclntab (Go 1.20+): function table, text start, pcvalue tables, inline trees.
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gobin/internal.h"

#include "lib/banned.h"

#define PCLN_MAGIC_120	 0xfffffff1u
#define PCHEADER_SIZE	 72
#define FUNC_SIZE	 44 /* runtime._func without its pcdata/funcdata arrays */
#define INLCALL_SIZE	 16 /* runtime.inlinedCall */
#define PCDATA_INLTREE	 2  /* PCDATA_InlTreeIndex */
#define FUNCDATA_INLTREE 3  /* FUNCDATA_InlTree */
#define MAX_INLINE_DEPTH 256
#define FUNCFLAG_ASM	 4 /* abi.FuncFlagAsm */

/* moduledata field offsets, identical in Go 1.22-1.26 on amd64 and arm64 (checked by tests) */
#define MD_PCHEADER    0
#define MD_FUNCNAMETAB 8
#define MD_TEXT	       176
#define MD_GOFUNC      320

static uint64_t hdr_word(const struct gobin *b, size_t off)
{
	return gobin_le64(b->pcln + off);
}

/* pcHeader.textStart, through its relocation in a PIE (0 if unknown). */
static uint64_t header_text(const struct gobin *b)
{
	uint64_t v;

	if (gobin_read_ptr(b, b->pcln_addr + 24, &v))
		v = hdr_word(b, 24); /* no segment maps it: the bytes as they are */
	return v;
}

/* A NUL-terminated string at tab+off inside the pclntab, or NULL. */
static const char *pcln_str(const struct gobin *b, size_t tab, uint64_t off)
{
	const uint8_t *p;

	if (off >= b->pcln_size - tab)
		return NULL;
	p = b->pcln + tab + off;
	if (!memchr(p, 0, b->pcln_size - tab - off))
		return NULL;
	return (const char *)p;
}

static const char *func_name(const struct gobin *b, int32_t name_off)
{
	const char *s = name_off < 0 ? NULL : pcln_str(b, b->funcnametab, (uint64_t)name_off);

	return s ? s : "?";
}

/* The _func record at funcoff (relative to the function table), or NULL. */
static const uint8_t *func_rec(const struct gobin *b, uint32_t funcoff)
{
	size_t off = b->functab + funcoff;

	if (!funcoff || off < b->functab || !gobin_in_bounds(off, FUNC_SIZE, b->pcln_size))
		return NULL;
	return b->pcln + off;
}

/* Checks a moduledata candidate at addr: its pcHeader and funcnametab point into our table. */
static bool moduledata_ok(const struct gobin *b, uint64_t addr)
{
	uint64_t pch, names;

	return !gobin_read_ptr(b, addr + MD_PCHEADER, &pch) && pch == b->pcln_addr &&
	       !gobin_read_ptr(b, addr + MD_FUNCNAMETAB, &names) &&
	       names == b->pcln_addr + b->funcnametab;
}

/* Go <= 1.25 stripped binaries: find the moduledata by its pointer to the pcHeader. */
static uint64_t find_moduledata(const struct gobin *b)
{
	static const char *const where[] = {".noptrdata", ".data", ".data.rel.ro"};
	const struct gobin_section *r;

	for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
		const struct gobin_section *s = gobin_section(b, where[w]);

		if (!s || s->type == 8 /* SHT_NOBITS */)
			continue;
		for (uint64_t off = 0; off + 8 <= s->size; off += 8)
			if (gobin_le64(b->data + s->offset + off) == b->pcln_addr &&
			    moduledata_ok(b, s->addr + off))
				return s->addr + off;
	}
	/* a PIE may keep the pointer in a relocation only */
	r = gobin_rela_section(b);
	if (b->pie && r) {
		for (uint64_t off = 0; off + 24 <= r->size; off += 24) {
			const uint8_t *e = b->data + r->offset + off;

			if (gobin_le64(e + 16) == b->pcln_addr && moduledata_ok(b, gobin_le64(e)))
				return gobin_le64(e);
		}
	}
	return 0;
}

const struct gobin_section *gobin_pclntab_section(const struct gobin *b)
{
	const struct gobin_section *s = gobin_section(b, ".gopclntab");

	/* internally linked PIE before Go 1.26 */
	return s ? s : gobin_section(b, ".data.rel.ro.gopclntab");
}

static void resolve_text(struct gobin *b)
{
	const struct gobin_section *mod = gobin_section(b, ".go.module");
	uint64_t v;

	b->moduledata = gobin_symbol_value(b, "runtime.firstmoduledata");
	if (b->moduledata && !moduledata_ok(b, b->moduledata))
		b->moduledata = 0;
	if (!b->moduledata && mod && mod->size >= MD_GOFUNC + 8 && moduledata_ok(b, mod->addr))
		b->moduledata = mod->addr;
	if (!b->moduledata)
		b->moduledata = find_moduledata(b);

	if ((v = gobin_symbol_value(b, "runtime.text"))) {
		b->text_start = v;
		b->text_source = GOBIN_TEXT_SYMTAB;
	} else if (b->moduledata && !gobin_read_ptr(b, b->moduledata + MD_TEXT, &v) && v) {
		b->text_start = v;
		b->text_source = b->moduledata == (mod ? mod->addr : 0) ? GOBIN_TEXT_GO_MODULE
									: GOBIN_TEXT_MODULEDATA;
	} else if ((v = header_text(b))) {
		b->text_start = v;
		b->text_source = GOBIN_TEXT_PCLNTAB_HEADER;
	}

	if ((v = gobin_symbol_value(b, "go:func.*")))
		b->gofunc = v;
	else if (b->moduledata && !gobin_read_ptr(b, b->moduledata + MD_GOFUNC, &v))
		b->gofunc = v;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct gobin_func *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static int name_cmp(const void *a, const void *b, void *ctx)
{
	const struct gobin_func *x = (const struct gobin_func *)ctx + *(const uint32_t *)a;
	const struct gobin_func *y = (const struct gobin_func *)ctx + *(const uint32_t *)b;
	int c = strcmp(x->name, y->name);

	if (c) /* equal names (ABI0 and ABIInternal twins): lowest address first */
		return c;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static int pcvalue(const struct gobin *b, uint32_t off, uint64_t entry, uint64_t pc, int32_t *val);
static const char *file_name(const struct gobin *b, const uint8_t *rec, int32_t fileno);

/* Whether f's first instruction comes from "<autogenerated>" (compiler wrappers). */
static bool autogenerated(const struct gobin *b, const struct gobin_func *f)
{
	const uint8_t *rec = func_rec(b, f->funcoff);
	int32_t fileno;

	return rec && !pcvalue(b, gobin_le32(rec + 20), f->entry, f->entry, &fileno) &&
	       !strcmp(file_name(b, rec, fileno), "<autogenerated>");
}

/* An ABI0 twin's funcID/flag byte pair, from its _func record (0 if none). */
static unsigned func_bits(const struct gobin *b, const struct gobin_func *f)
{
	const uint8_t *rec = func_rec(b, f->funcoff);

	return rec ? (unsigned)rec[40] | (unsigned)rec[41] << 8 : 0;
}

/*
 * A function called from both assembly and Go has two entries under one name
 * in the pclntab; .symtab calls the ABI0 one "NAME.abi0". Name it so here too,
 * so that stripped and unstripped binaries answer alike. The ABI0 one is the
 * assembly function (FuncFlagAsm) when there is one, else the wrapper around
 * the Go function (its code is "<autogenerated>").
 */
static void name_abi0_twins(struct gobin *b)
{
	for (size_t i = 0; i + 1 < b->nfuncs; i++) {
		struct gobin_func *x = &b->funcs[b->by_name[i]];
		struct gobin_func *y = &b->funcs[b->by_name[i + 1]];
		struct gobin_func *abi0;
		unsigned bx, by;
		size_t len;
		char *name;

		if (strcmp(x->name, y->name) ||
		    (i + 2 < b->nfuncs && !strcmp(y->name, b->funcs[b->by_name[i + 2]].name)))
			continue;
		bx = func_bits(b, x);
		by = func_bits(b, y);
		if ((bx >> 8 & FUNCFLAG_ASM) != (by >> 8 & FUNCFLAG_ASM))
			abi0 = bx >> 8 & FUNCFLAG_ASM ? x : y;
		else if (autogenerated(b, x) != autogenerated(b, y))
			abi0 = autogenerated(b, x) ? x : y;
		else
			continue;
		len = strlen(abi0->name);
		name = arena_alloc(&b->arena, len + sizeof(".abi0"));
		memcpy(name, abi0->name, len);
		memcpy(name + len, ".abi0", sizeof(".abi0"));
		abi0->name = name;
		i++;
	}
}

static int build_funcs(struct gobin *b, uint64_t nfunc, struct cw_error *err)
{
	const uint8_t *ft = b->pcln + b->functab;
	bool sorted = true;

	b->funcs = calloc(nfunc + 1, sizeof(*b->funcs));
	b->by_name = calloc(nfunc + 1, sizeof(*b->by_name));
	if (!b->funcs || !b->by_name)
		return cw_error_set(err, "out of memory");
	for (uint64_t i = 0; i < nfunc; i++) {
		struct gobin_func *f = &b->funcs[i];
		uint32_t entryoff = gobin_le32(ft + i * 8);
		uint32_t next = gobin_le32(ft + i * 8 + 8);
		const uint8_t *rec;

		f->funcoff = gobin_le32(ft + i * 8 + 4);
		f->entry = b->text_start + entryoff;
		f->end = next >= entryoff ? b->text_start + next : f->entry;
		rec = func_rec(b, f->funcoff);
		if (!rec || gobin_le32(rec) != entryoff)
			f->funcoff = 0; /* no usable record: no name, no line tables */
		f->name = rec ? func_name(b, (int32_t)gobin_le32(rec + 4)) : "?";
		if (i && f->entry < b->funcs[i - 1].entry)
			sorted = false;
		b->by_name[i] = (uint32_t)i;
	}
	b->nfuncs = nfunc;
	if (!sorted)
		qsort(b->funcs, nfunc, sizeof(*b->funcs), entry_cmp);
	/* a hostile table may overlap or wrap: keep ranges ordered and disjoint */
	for (uint64_t i = 0; i < nfunc; i++) {
		struct gobin_func *f = &b->funcs[i];

		if (f->end < f->entry)
			f->end = f->entry;
		if (i + 1 < nfunc && f->end > b->funcs[i + 1].entry)
			f->end = b->funcs[i + 1].entry;
	}
	qsort_r(b->by_name, nfunc, sizeof(*b->by_name), name_cmp, b->funcs);
	name_abi0_twins(b);
	qsort_r(b->by_name, nfunc, sizeof(*b->by_name), name_cmp, b->funcs);
	return 0;
}

/*
 * Checks the pcHeader at b->pcln (magic already checked) and reads its fields
 * into b. Returns 0 with *nfunc, or -1 if the header is corrupt.
 */
static int read_header(struct gobin *b, uint64_t *nfunc)
{
	uint64_t off[5];

	b->min_lc = b->pcln[6];
	if (b->pcln[4] || b->pcln[5] || (b->min_lc != 1 && b->min_lc != 2 && b->min_lc != 4) ||
	    b->pcln[7] != 8)
		return -1;
	*nfunc = hdr_word(b, 8);
	b->nfiles = (uint32_t)hdr_word(b, 16);
	for (int i = 0; i < 5; i++) {
		off[i] = hdr_word(b, 32 + 8 * (size_t)i);
		if (off[i] < PCHEADER_SIZE || off[i] >= b->pcln_size)
			return -1;
	}
	b->funcnametab = (size_t)off[0];
	b->cutab = (size_t)off[1];
	b->filetab = (size_t)off[2];
	b->pctab = (size_t)off[3];
	b->functab = (size_t)off[4];
	if (*nfunc > GOBIN_MAX_FUNCS ||
	    !gobin_in_bounds(b->functab, (*nfunc + 1) * 8, b->pcln_size))
		return -1;
	return 0;
}

/*
 * Whether the len bytes at p (link-time address addr) hold a pclntab that
 * is ours: a sound header whose tables come in the linker's order, whose
 * functions lie in .text (by pcHeader.textStart) or which a moduledata
 * points at. Leaves b->pcln set (and *nfunc) when it is, NULL when not.
 */
static bool embedded_ok(struct gobin *b, const uint8_t *p, uint64_t addr, uint64_t len,
			uint64_t *nfunc)
{
	const struct gobin_section *text = gobin_section(b, ".text");
	uint64_t start, first, last;

	if (len < PCHEADER_SIZE || len > SIZE_MAX || gobin_le32(p) != PCLN_MAGIC_120)
		return false;
	b->pcln = p;
	b->pcln_size = (size_t)len;
	b->pcln_addr = addr;
	if (read_header(b, nfunc) || !*nfunc || b->funcnametab > b->cutab ||
	    b->cutab > b->filetab || b->filetab > b->pctab || b->pctab > b->functab)
		goto no;
	start = header_text(b);
	first = start + gobin_le32(b->pcln + b->functab);
	last = start + gobin_le32(b->pcln + b->functab + *nfunc * 8);
	if (start && text && first >= text->addr && first <= last &&
	    last - text->addr <= text->size)
		return true;
	if (find_moduledata(b))
		return true;
no:
	b->pcln = NULL;
	return false;
}

#define MAX_CANDIDATES 16

/*
 * An externally linked PIE before Go 1.26 has no .gopclntab: the linker
 * merged the table into .data.rel.ro. Finds it from the runtime.pclntab and
 * runtime.epclntab symbols, else (stripped) by its header's magic.
 */
static bool find_embedded(struct gobin *b, uint64_t *nfunc)
{
	static const char *const where[] = {".data.rel.ro", ".rodata"};
	static const uint8_t magic[] = {0xf1, 0xff, 0xff, 0xff, 0, 0};
	uint64_t at = gobin_symbol_value(b, "runtime.pclntab");
	uint64_t end = gobin_symbol_value(b, "runtime.epclntab");
	const uint8_t *p;
	int tries = 0;

	if (at && end > at && !gobin_read_vaddr(b, at, (size_t)(end - at), &p) &&
	    embedded_ok(b, p, at, end - at, nfunc))
		return true;
	for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
		const struct gobin_section *s = gobin_section(b, where[w]);
		const uint8_t *base, *hit;
		size_t size;

		if (!s || s->type == 8 /* SHT_NOBITS */ || !s->size)
			continue;
		base = b->data + s->offset; /* read_sections bounded it by the file */
		size = (size_t)s->size;
		for (p = base; tries < MAX_CANDIDATES &&
			       (hit = memmem(p, size - (size_t)(p - base), magic, sizeof(magic)));
		     p = hit + 1, tries++) {
			uint64_t off = (uint64_t)(hit - base);

			if (embedded_ok(b, hit, s->addr + off, s->size - off, nfunc))
				return true;
		}
	}
	return false;
}

/*
 * Reads the pcHeader of section s. Returns 1 with *nfunc, 0 when the section
 * is empty (build info only), or -1 with err set.
 */
static int section_table(struct gobin *b, const struct gobin_section *s, uint64_t *nfunc,
			 struct cw_error *err)
{
	uint32_t magic;

	if (s->type == 8 /* SHT_NOBITS */ || !s->size)
		return 0;
	if (s->size < PCHEADER_SIZE)
		return cw_error_set(err, ".gopclntab: truncated header");
	magic = gobin_le32(b->data + s->offset);
	if (magic == 0xfffffff0 || magic == 0xfffffffa || magic == 0xfffffffb)
		return cw_error_set(err, ".gopclntab: Go before 1.20 is not supported");
	if (magic != PCLN_MAGIC_120)
		return cw_error_set(err, ".gopclntab: bad magic 0x%08x", magic);
	b->pcln = b->data + s->offset;
	b->pcln_size = (size_t)s->size;
	b->pcln_addr = s->addr;
	if (read_header(b, nfunc)) {
		b->pcln = NULL;
		return cw_error_set(err, ".gopclntab: corrupt header");
	}
	return 1;
}

int gobin_pclntab_parse(struct gobin *b, struct cw_error *err)
{
	const struct gobin_section *s = gobin_pclntab_section(b);
	uint64_t nfunc = 0;
	int rc = s ? section_table(b, s, &nfunc, err) : find_embedded(b, &nfunc);

	if (rc <= 0)
		return rc; /* an error, or build info only: no functions */
	resolve_text(b);
	if (b->text_source == GOBIN_TEXT_NONE)
		return cw_error_set(err, "cannot find the text start (no runtime.text, moduledata "
					 "or pclntab textStart)");
	return build_funcs(b, nfunc, err);
}

/* Reads a uvarint from the pclntab at *pos. Returns 0 or -1. */
static int pcln_uvarint(const struct gobin *b, size_t *pos, uint32_t *v)
{
	uint32_t x = 0;

	for (unsigned shift = 0; shift < 35 && *pos < b->pcln_size; shift += 7) {
		uint8_t c = b->pcln[(*pos)++];

		x |= (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/*
 * The value of pcvalue table off (relative to pctab) at pc, for the function
 * starting at entry. Returns 0 with *val, -ENOENT if the table has no value
 * for pc (or off is 0: no table), -EINVAL if the table is corrupt.
 */
static int pcvalue(const struct gobin *b, uint32_t off, uint64_t entry, uint64_t pc, int32_t *val)
{
	size_t pos = b->pctab + off;
	uint64_t cur = entry;
	int32_t v = -1;

	if (!off || pos < b->pctab || pos >= b->pcln_size)
		return -ENOENT;
	for (bool first = true;; first = false) {
		uint32_t uv, pcdelta;

		if (pcln_uvarint(b, &pos, &uv))
			return -EINVAL;
		if (!uv && !first)
			return -ENOENT;				      /* end of table */
		v = (int32_t)((uint32_t)v + (-(uv & 1) ^ (uv >> 1))); /* wraps, as in Go */
		if (pcln_uvarint(b, &pos, &pcdelta))
			return -EINVAL;
		cur += (uint64_t)pcdelta * b->min_lc;
		if (pc < cur) {
			*val = v;
			return 0;
		}
		/* each step consumes >= 2 bytes, so the loop ends with the table */
	}
}

static const char *file_name(const struct gobin *b, const uint8_t *rec, int32_t fileno)
{
	uint64_t cu = gobin_le32(rec + 32), at;
	const char *s;

	if (fileno < 0)
		return "";
	at = b->cutab + (cu + (uint64_t)fileno) * 4;
	if (!gobin_in_bounds(at, 4, b->pcln_size))
		return "";
	at = gobin_le32(b->pcln + at);
	if (at == UINT32_MAX)
		return "";
	s = pcln_str(b, b->filetab, at);
	return s ? s : "";
}

/* pcdata table i of a _func (0 = none). */
static uint32_t pcdata_off(const struct gobin *b, const uint8_t *rec, uint32_t i)
{
	size_t at = (size_t)(rec - b->pcln) + FUNC_SIZE + 4 * (size_t)i;

	if (i >= gobin_le32(rec + 28) || !gobin_in_bounds(at, 4, b->pcln_size))
		return 0;
	return gobin_le32(b->pcln + at);
}

/* Address of funcdata i of a _func, or 0 when absent. */
static uint64_t funcdata_addr(const struct gobin *b, const uint8_t *rec, uint32_t i)
{
	uint32_t npcdata = gobin_le32(rec + 28);
	size_t at = (size_t)(rec - b->pcln) + FUNC_SIZE + 4 * ((size_t)npcdata + i);
	uint32_t v;

	if (!b->gofunc || i >= rec[43] || npcdata > b->pcln_size ||
	    !gobin_in_bounds(at, 4, b->pcln_size))
		return 0;
	v = gobin_le32(b->pcln + at);
	return v == UINT32_MAX ? 0 : b->gofunc + v;
}

static void fill_frame(const struct gobin *b, const uint8_t *rec, uint64_t entry, uint64_t pc,
		       struct gobin_frame *fr)
{
	int32_t v;

	fr->file = pcvalue(b, gobin_le32(rec + 20), entry, pc, &v) ? "" : file_name(b, rec, v);
	fr->line = pcvalue(b, gobin_le32(rec + 24), entry, pc, &v) ? 0 : v;
	fr->entry = entry;
}

int gobin_symbolize(const struct gobin *b, uint64_t pc, struct gobin_frame *out, size_t max)
{
	const struct gobin_func *f;
	const uint8_t *rec;
	uint32_t inl_table;
	uint64_t tree;
	size_t n = 0;

	if (!b->pcln || !max)
		return -ENOENT;
	f = gobin_func_at(b, pc);
	if (!f)
		return -ENOENT;
	rec = func_rec(b, f->funcoff);
	if (!rec)
		return -EINVAL;
	inl_table = pcdata_off(b, rec, PCDATA_INLTREE);
	tree = inl_table ? funcdata_addr(b, rec, FUNCDATA_INLTREE) : 0;
	for (int depth = 0; tree && n < max && depth < MAX_INLINE_DEPTH; depth++) {
		const uint8_t *call;
		int32_t ix;

		if (pcvalue(b, inl_table, f->entry, pc, &ix) || ix < 0)
			break;
		if (gobin_read_vaddr(b, tree + (uint64_t)ix * INLCALL_SIZE, INLCALL_SIZE, &call))
			return -EINVAL;
		out[n].func = func_name(b, (int32_t)gobin_le32(call + 4));
		out[n].inlined = true;
		fill_frame(b, rec, f->entry, pc, &out[n]);
		n++;
		pc = f->entry + (uint64_t)(int64_t)(int32_t)gobin_le32(call + 8); /* parentPc */
		if (pc < f->entry || pc >= f->end)
			return -EINVAL;
	}
	if (n < max) {
		out[n].func = f->name;
		out[n].inlined = false;
		fill_frame(b, rec, f->entry, pc, &out[n]);
		n++;
	}
	return (int)n;
}

int gobin_sp_delta(const struct gobin *b, uint64_t pc, int32_t *delta)
{
	const struct gobin_func *f = gobin_func_at(b, pc);
	const uint8_t *rec = f ? func_rec(b, f->funcoff) : NULL;

	if (!rec)
		return -ENOENT;
	/* _func.pcsp: the frame's size at each PC (bytes below the SP at entry) */
	if (pcvalue(b, gobin_le32(rec + 16), f->entry, pc, delta) || *delta < 0)
		return -EINVAL;
	return 0;
}
