// SPDX-License-Identifier: MIT
// Go binaries, ELF side: mapping, ELF64 headers, sections, segments, .symtab, address maps.
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gobin/internal.h"

#include "lib/banned.h"

#ifndef R_AARCH64_RELATIVE
#define R_AARCH64_RELATIVE 1027
#endif

/* A NUL-terminated string at off within [base, base+size), or NULL. */
static const char *str_at(const struct gobin *b, uint64_t base, uint64_t size, uint64_t off)
{
	const uint8_t *p;

	if (off >= size || !gobin_in_bounds(base, size, b->size))
		return NULL;
	p = b->data + base + off;
	if (!memchr(p, 0, size - off))
		return NULL;
	return (const char *)p;
}

static int read_sections(struct gobin *b, struct cw_error *err)
{
	const uint8_t *eh = b->data;
	uint64_t shoff = gobin_le64(eh + 40);
	uint16_t shentsize = gobin_le16(eh + 58);
	uint64_t shnum = gobin_le16(eh + 60);
	uint64_t shstrndx = gobin_le16(eh + 62);
	const uint8_t *sh0;
	uint64_t stroff, strsize;

	if (!shoff)
		return 0; /* no section headers: nothing to find */
	if (shentsize != sizeof(Elf64_Shdr) || !gobin_in_bounds(shoff, sizeof(Elf64_Shdr), b->size))
		return cw_error_set(err, "bad ELF section header table");
	sh0 = b->data + shoff;
	if (shnum == 0) /* extended numbering */
		shnum = gobin_le64(sh0 + 32);
	if (shstrndx == SHN_XINDEX)
		shstrndx = gobin_le32(sh0 + 40);
	if (shnum > GOBIN_MAX_SECTIONS ||
	    !gobin_in_bounds(shoff, shnum * sizeof(Elf64_Shdr), b->size))
		return cw_error_set(err, "bad ELF section header table");
	if (shstrndx >= shnum)
		return cw_error_set(err, "bad ELF section name table index");
	stroff = gobin_le64(sh0 + shstrndx * sizeof(Elf64_Shdr) + 24);
	strsize = gobin_le64(sh0 + shstrndx * sizeof(Elf64_Shdr) + 32);
	b->sections = arena_alloc(&b->arena, shnum * sizeof(*b->sections) + 1);
	for (uint64_t i = 0; i < shnum; i++) {
		const uint8_t *sh = sh0 + i * sizeof(Elf64_Shdr);
		struct gobin_section *s = &b->sections[b->nsections];
		const char *name = str_at(b, stroff, strsize, gobin_le32(sh));

		s->name = name ? name : "";
		s->type = gobin_le32(sh + 4);
		s->addr = gobin_le64(sh + 16);
		s->offset = gobin_le64(sh + 24);
		s->size = gobin_le64(sh + 32);
		if (s->type != SHT_NOBITS && !gobin_in_bounds(s->offset, s->size, b->size))
			s->size = 0; /* claims bytes beyond the file: treat as empty */
		b->nsections++;
	}
	return 0;
}

static int read_segments(struct gobin *b, struct cw_error *err)
{
	const uint8_t *eh = b->data;
	uint64_t phoff = gobin_le64(eh + 32);
	uint16_t phentsize = gobin_le16(eh + 54);
	uint64_t phnum = gobin_le16(eh + 56);

	if (!phnum)
		return 0;
	if (phentsize != sizeof(Elf64_Phdr) || phnum > GOBIN_MAX_SEGMENTS ||
	    !gobin_in_bounds(phoff, phnum * sizeof(Elf64_Phdr), b->size))
		return cw_error_set(err, "bad ELF program header table");
	b->segments = arena_alloc(&b->arena, phnum * sizeof(*b->segments) + 1);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = b->data + phoff + i * sizeof(Elf64_Phdr);
		struct gobin_segment *s = &b->segments[b->nsegments];

		if (gobin_le32(ph) != PT_LOAD)
			continue;
		s->flags = gobin_le32(ph + 4);
		s->offset = gobin_le64(ph + 8);
		s->vaddr = gobin_le64(ph + 16);
		s->filesz = gobin_le64(ph + 32);
		s->memsz = gobin_le64(ph + 40);
		if (!gobin_in_bounds(s->offset, s->filesz, b->size))
			s->filesz = s->offset <= b->size ? b->size - s->offset : 0;
		b->nsegments++;
	}
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct gobin_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->func != y->func) /* functions first among equal names */
		return x->func ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

static void read_symtab(struct gobin *b)
{
	const struct gobin_section *st = gobin_section(b, ".symtab");
	const struct gobin_section *str;
	uint64_t n;
	const uint8_t *eh = b->data;
	uint64_t shoff = gobin_le64(eh + 40);
	uint32_t link;

	if (!st || st->type != SHT_SYMTAB || !st->size)
		return;
	/* sh_link names the string table; re-read it from the raw header */
	link = gobin_le32(b->data + shoff + (uint64_t)(st - b->sections) * sizeof(Elf64_Shdr) + 40);
	if (link >= b->nsections)
		return;
	str = &b->sections[link];
	n = st->size / sizeof(Elf64_Sym);
	if (n > GOBIN_MAX_SYMS)
		n = GOBIN_MAX_SYMS;
	b->syms = arena_alloc(&b->arena, n * sizeof(*b->syms) + 1);
	for (uint64_t i = 1; i < n; i++) {
		const uint8_t *sym = b->data + st->offset + i * sizeof(Elf64_Sym);
		uint8_t type = ELF64_ST_TYPE(sym[4]);
		uint64_t value = gobin_le64(sym + 8);
		const char *name = str_at(b, str->offset, str->size, gobin_le32(sym));

		if (!name || !*name || !value || type == STT_SECTION || type == STT_FILE)
			continue;
		b->syms[b->nsyms++] =
		    (struct gobin_sym){value, gobin_le64(sym + 16), name, type == STT_FUNC};
	}
	qsort(b->syms, b->nsyms, sizeof(*b->syms), sym_cmp);
}

static const struct gobin_sym *find_sym(const struct gobin *b, const char *name)
{
	size_t lo = 0, hi = b->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->syms[mid].name, name);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->nsyms && !strcmp(b->syms[lo].name, name))
		return &b->syms[lo];
	return NULL;
}

uint64_t gobin_symbol_value(const struct gobin *b, const char *name)
{
	const struct gobin_sym *s = find_sym(b, name);

	return s ? s->value : 0;
}

const struct gobin_section *gobin_section(const struct gobin *b, const char *name)
{
	for (size_t i = 0; i < b->nsections; i++)
		if (!strcmp(b->sections[i].name, name))
			return &b->sections[i];
	return NULL;
}

int gobin_vaddr_to_offset(const struct gobin *b, uint64_t vaddr, uint64_t *offset)
{
	for (size_t i = 0; i < b->nsegments; i++) {
		const struct gobin_segment *s = &b->segments[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			*offset = s->offset + (vaddr - s->vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

int gobin_read_vaddr(const struct gobin *b, uint64_t vaddr, size_t len, const uint8_t **p)
{
	for (size_t i = 0; i < b->nsegments; i++) {
		const struct gobin_segment *s = &b->segments[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz &&
		    len <= s->filesz - (vaddr - s->vaddr)) {
			*p = b->data + s->offset + (vaddr - s->vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

const struct gobin_section *gobin_rela_section(const struct gobin *b)
{
	const struct gobin_section *r = gobin_section(b, ".rela.dyn");

	if (!r) /* Go's internal linker calls it .rela */
		r = gobin_section(b, ".rela");
	return r && r->type == SHT_RELA ? r : NULL;
}

/* The addend of an R_*_RELATIVE relocation at vaddr, or 0. */
static uint64_t relative_addend(const struct gobin *b, uint64_t vaddr)
{
	const struct gobin_section *r = gobin_rela_section(b);
	uint32_t want = b->machine == EM_AARCH64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
	uint64_t n;

	if (!r)
		return 0;
	n = r->size / sizeof(Elf64_Rela);
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = b->data + r->offset + i * sizeof(Elf64_Rela);

		if (gobin_le64(e) == vaddr && ELF64_R_TYPE(gobin_le64(e + 8)) == want)
			return gobin_le64(e + 16);
	}
	return 0;
}

int gobin_read_ptr(const struct gobin *b, uint64_t vaddr, uint64_t *v)
{
	const uint8_t *p;

	if (gobin_read_vaddr(b, vaddr, 8, &p))
		return -ENOENT;
	*v = gobin_le64(p);
	if (!*v && b->pie)
		*v = relative_addend(b, vaddr);
	return 0;
}

static int check_header(struct gobin *b, struct cw_error *err)
{
	const uint8_t *eh = b->data;
	uint16_t type;

	if (b->size < sizeof(Elf64_Ehdr) || memcmp(eh, ELFMAG, SELFMAG))
		return cw_error_set(err, "not an ELF file");
	if (eh[EI_CLASS] != ELFCLASS64)
		return cw_error_set(err, "not a 64-bit ELF file");
	if (eh[EI_DATA] != ELFDATA2LSB)
		return cw_error_set(err, "not a little-endian ELF file");
	type = gobin_le16(eh + 16);
	if (type != ET_EXEC && type != ET_DYN)
		return cw_error_set(err, "not an executable (ELF type %u)", type);
	b->pie = type == ET_DYN;
	b->machine = gobin_le16(eh + 18);
	if (b->machine != EM_X86_64 && b->machine != EM_AARCH64)
		return cw_error_set(err, "unsupported ELF machine %u", b->machine);
	return 0;
}

static int index_binary(struct gobin *b, struct cw_error *err)
{
	if (check_header(b, err) || read_sections(b, err) || read_segments(b, err))
		return -1;
	if (!gobin_section(b, ".go.buildinfo") && !gobin_pclntab_section(b))
		return cw_error_set(err, "not a Go binary: no .go.buildinfo or .gopclntab");
	read_symtab(b);
	if (gobin_buildinfo_parse(b, err) || gobin_pclntab_parse(b, err))
		return -1;
	return 0;
}

int gobin_open_fd(struct gobin *b, int fd, struct cw_error *err)
{
	struct stat st;
	void *p;

	memset(b, 0, sizeof(*b));
	if (fstat(fd, &st))
		return cw_error_set(err, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cw_error_set(err, "not a regular file");
	if ((uint64_t)st.st_size < sizeof(Elf64_Ehdr))
		return cw_error_set(err, "not an ELF file");
	if ((uint64_t)st.st_size > SIZE_MAX)
		return cw_error_set(err, "file too large");
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return cw_error_set(err, "cannot map: %s", strerror(errno));
	b->data = p;
	b->size = (size_t)st.st_size;
	b->mapped = true;
	if (index_binary(b, err)) {
		gobin_close(b);
		return -1;
	}
	return 0;
}

int gobin_open(struct gobin *b, const char *path, struct cw_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		memset(b, 0, sizeof(*b));
		return cw_error_set(err, "%s", strerror(errno));
	}
	rc = gobin_open_fd(b, fd, err);
	close(fd);
	return rc;
}

void gobin_close(struct gobin *b)
{
	if (b->mapped && b->data)
		munmap((void *)b->data, b->size);
	free(b->by_name);
	free(b->funcs);
	arena_release(&b->arena);
	memset(b, 0, sizeof(*b));
}

int gobin_lookup_func(const struct gobin *b, const char *name, uint64_t *entry, uint64_t *end)
{
	const struct gobin_sym *s = find_sym(b, name);
	size_t lo = 0, hi = b->nfuncs;

	if (s && s->func) {
		if (entry)
			*entry = s->value;
		if (end)
			*end = s->value + s->size;
		return 0;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(b->funcs[b->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->nfuncs && !strcmp(b->funcs[b->by_name[lo]].name, name)) {
		const struct gobin_func *f = &b->funcs[b->by_name[lo]];

		if (entry)
			*entry = f->entry;
		if (end)
			*end = f->end;
		return 0;
	}
	return -ENOENT;
}

const struct gobin_func *gobin_func_at(const struct gobin *b, uint64_t pc)
{
	size_t lo = 0, hi = b->nfuncs;

	while (lo < hi) { /* first function with entry > pc */
		size_t mid = lo + (hi - lo) / 2;

		if (b->funcs[mid].entry <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || pc >= b->funcs[lo - 1].end)
		return NULL;
	return &b->funcs[lo - 1];
}

int gobin_funcs_foreach(const struct gobin *b, int (*fn)(void *ctx, const struct gobin_func *f),
			void *ctx)
{
	for (size_t i = 0; i < b->nfuncs; i++) {
		int rc = fn(ctx, &b->funcs[i]);

		if (rc)
			return rc;
	}
	return 0;
}

const char *gobin_text_source_name(enum gobin_text_source s)
{
	switch (s) {
	case GOBIN_TEXT_SYMTAB:
		return "runtime.text";
	case GOBIN_TEXT_GO_MODULE:
		return ".go.module";
	case GOBIN_TEXT_MODULEDATA:
		return "moduledata";
	case GOBIN_TEXT_PCLNTAB_HEADER:
		return "pclntab header";
	case GOBIN_TEXT_NONE:
		break;
	}
	return "none";
}
