// SPDX-License-Identifier: MIT
// Reads Go runtime struct offsets and waitReason/_G constants by name from DWARF (libdw).
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include "gobin/layout.h"
#include "lib/usage.h"
#include "lib/banned.h"

/* Bounds for hostile DWARF: no real Go binary comes near these. */
#define MAX_CUS		 (1u << 20)
#define MAX_TOP_DIES	 (1u << 26)
#define MAX_MEMBERS	 4096
#define MAX_TYPEDEF_HOPS 8
#define MAX_PATH	 128
#define MAX_DEPTH	 4

struct field_spec {
	const char *type;
	const char *path;
	size_t off; /* of the struct rl_field in struct runtime_layout */
};

struct const_spec {
	const char *name;
	size_t off; /* of the struct rl_const in struct runtime_layout */
};

static const struct field_spec field_specs[] = {
#define RL_FIELD_SPEC(name, type, path) {type, path, offsetof(struct runtime_layout, name)},
    RL_FIELDS(RL_FIELD_SPEC)
#undef RL_FIELD_SPEC
};

static const struct const_spec const_specs[] = {
#define RL_CONST_SPEC(name, cname) {cname, offsetof(struct runtime_layout, name)},
    RL_CONSTS(RL_CONST_SPEC)
#undef RL_CONST_SPEC
};

#define N_FIELDS (sizeof(field_specs) / sizeof(field_specs[0]))
#define N_CONSTS (sizeof(const_specs) / sizeof(const_specs[0]))

struct dwarf_scan {
	struct runtime_layout *out;
	unsigned char tried[N_FIELDS]; /* first struct DIE of a name wins */
	int have_version;
};

static struct rl_field *field_at(struct runtime_layout *l, size_t i)
{
	return (struct rl_field *)((char *)l + field_specs[i].off);
}

static struct rl_const *const_at(struct runtime_layout *l, size_t i)
{
	return (struct rl_const *)((char *)l + const_specs[i].off);
}

/* Follows DW_AT_type and strips typedef/const/volatile; 0 or -1. */
static int type_of(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute attr;
	Dwarf_Die cur;
	int hops, tag;

	if (!dwarf_attr(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &cur))
		return -1;
	for (hops = 0; hops < MAX_TYPEDEF_HOPS; hops++) {
		tag = dwarf_tag(&cur);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type) {
			*type = cur;
			return 0;
		}
		if (!dwarf_attr(&cur, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &cur))
			return -1;
	}
	return -1;
}

static int type_size(Dwarf_Die *type, uint64_t *size)
{
	Dwarf_Word w;
	int bs = dwarf_bytesize(type);

	if (bs >= 0) {
		*size = (uint64_t)bs;
		return 0;
	}
	if (dwarf_aggregate_size(type, &w) != 0)
		return -1;
	*size = w;
	return 0;
}

/* The DW_TAG_member child of st named name; 0 or -1. */
static int find_member(Dwarf_Die *st, const char *name, Dwarf_Die *member)
{
	Dwarf_Die child;
	unsigned n = 0;
	const char *cn;

	if (dwarf_child(st, &child) != 0)
		return -1;
	do {
		if (dwarf_tag(&child) == DW_TAG_member) {
			cn = dwarf_diename(&child);
			if (cn && strcmp(cn, name) == 0) {
				*member = child;
				return 0;
			}
		}
	} while (++n < MAX_MEMBERS && dwarf_siblingof(&child, &child) == 0);
	return -1;
}

/* Resolves one dotted path (no '|') below struct DIE st; 0 or -1. */
static int resolve_path(Dwarf_Die *st, char *path, struct rl_field *f)
{
	Dwarf_Die cur = *st, member, type;
	Dwarf_Attribute attr;
	Dwarf_Word loc;
	uint64_t off = 0, size;
	char *name = path, *dot;
	int depth;

	if (!*path) {
		if (type_size(st, &size) != 0)
			return -1;
		*f = (struct rl_field){.off = 0, .size = (uint32_t)size, .known = 1};
		return 0;
	}
	for (depth = 0; depth < MAX_DEPTH; depth++) {
		dot = strchr(name, '.');
		if (dot)
			*dot = '\0';
		if (find_member(&cur, name, &member) != 0)
			return -1;
		if (!dwarf_attr(&member, DW_AT_data_member_location, &attr) ||
		    dwarf_formudata(&attr, &loc) != 0)
			return -1;
		off += loc;
		if (type_of(&member, &type) != 0)
			return -1;
		if (!dot) {
			if (type_size(&type, &size) != 0 || off > UINT32_MAX || size > UINT32_MAX)
				return -1;
			*f = (struct rl_field){
			    .off = (uint32_t)off, .size = (uint32_t)size, .known = 1};
			return 0;
		}
		if (dwarf_tag(&type) != DW_TAG_structure_type)
			return -1;
		cur = type;
		name = dot + 1;
	}
	return -1;
}

/* Tries each '|'-separated alternative of spec->path in order. */
static void resolve_field(Dwarf_Die *st, const struct field_spec *spec, struct rl_field *f)
{
	char buf[MAX_PATH];
	const char *alt = spec->path, *bar;
	size_t len;

	for (;;) {
		bar = strchr(alt, '|');
		len = bar ? (size_t)(bar - alt) : strlen(alt);
		if (len < sizeof(buf)) {
			memcpy(buf, alt, len);
			buf[len] = '\0';
			if (resolve_path(st, buf, f) == 0)
				return;
		}
		if (!bar)
			return;
		alt = bar + 1;
	}
}

static void scan_struct(struct dwarf_scan *s, Dwarf_Die *die, const char *name)
{
	size_t i;

	if (dwarf_hasattr(die, DW_AT_declaration))
		return;
	for (i = 0; i < N_FIELDS; i++) {
		if (s->tried[i] || strcmp(field_specs[i].type, name) != 0)
			continue;
		s->tried[i] = 1;
		resolve_field(die, &field_specs[i], field_at(s->out, i));
	}
}

static void scan_const(struct dwarf_scan *s, Dwarf_Die *die, const char *name)
{
	Dwarf_Attribute attr;
	Dwarf_Sword v;
	struct rl_const *c;
	size_t i;

	for (i = 0; i < N_CONSTS; i++) {
		if (strcmp(const_specs[i].name, name) != 0)
			continue;
		c = const_at(s->out, i);
		if (c->known || !dwarf_attr(die, DW_AT_const_value, &attr) ||
		    dwarf_formsdata(&attr, &v) != 0)
			return;
		c->value = v;
		c->known = 1;
		return;
	}
}

/* "Go cmd/compile go1.26.8; regabi" -> toolchain "go1.26.8", version 1.26. */
static void scan_producer(struct dwarf_scan *s, Dwarf_Die *cu)
{
	static const char prefix[] = "Go cmd/compile ";
	struct runtime_layout *l = s->out;
	Dwarf_Attribute attr;
	const char *p;
	size_t n;
	int major, minor;

	if (s->have_version || !dwarf_attr(cu, DW_AT_producer, &attr))
		return;
	p = dwarf_formstring(&attr);
	if (!p || strncmp(p, prefix, sizeof(prefix) - 1) != 0)
		return;
	p += sizeof(prefix) - 1;
	if (sscanf(p, "go%d.%d", &major, &minor) != 2 || major < 1 || minor < 0)
		return;
	n = strcspn(p, "; ");
	if (n >= sizeof(l->toolchain))
		n = sizeof(l->toolchain) - 1;
	memcpy(l->toolchain, p, n);
	l->toolchain[n] = '\0';
	l->go_min = (struct rl_version){major, minor};
	l->go_max = l->go_min;
	s->have_version = 1;
}

static int is_runtime_name(const char *name)
{
	return !strncmp(name, "runtime.", 8) || !strncmp(name, "internal/abi.", 13);
}

static int scan_dwarf(struct dwarf_scan *s, Dwarf *dw, struct cw_error *err)
{
	Dwarf_Off off = 0, next;
	Dwarf_Die cu, die;
	size_t hsize;
	unsigned ncu = 0, ndie = 0;
	const char *name;
	int tag;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (++ncu > MAX_CUS)
			return cw_error_set(err, "too many DWARF compile units");
		if (!dwarf_offdie(dw, off + hsize, &cu))
			return cw_error_set(err, "bad DWARF compile unit at %#llx",
					    (unsigned long long)off);
		off = next;
		scan_producer(s, &cu);
		if (dwarf_child(&cu, &die) != 0)
			continue;
		do {
			if (++ndie > MAX_TOP_DIES)
				return cw_error_set(err, "too many DWARF entries");
			tag = dwarf_tag(&die);
			if (tag != DW_TAG_structure_type && tag != DW_TAG_constant)
				continue;
			name = dwarf_diename(&die);
			if (!name || !is_runtime_name(name))
				continue;
			if (tag == DW_TAG_structure_type)
				scan_struct(s, &die, name);
			else
				scan_const(s, &die, name);
		} while (dwarf_siblingof(&die, &die) == 0);
	}
	return 0;
}

static int elf_arch(Elf *elf, struct runtime_layout *out, struct cw_error *err)
{
	GElf_Ehdr ehdr;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr))
		return cw_error_set(err, "not an ELF file");
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64)
		return cw_error_set(err, "not a 64-bit ELF file");
	if (go_arch_from_elf_machine(ehdr.e_machine, &out->arch) != 0)
		return cw_error_set(err, "unsupported ELF machine %u", (unsigned)ehdr.e_machine);
	out->ptr_size = 8;
	return 0;
}

int runtime_layout_from_dwarf(const char *path, struct runtime_layout *out, struct cw_error *err)
{
	struct dwarf_scan s = {.out = out};
	struct stat st;
	Elf *elf = NULL;
	Dwarf *dw = NULL;
	int fd, ret = -1;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cw_error_set(err, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cw_error_set(err, "not a regular file");
		goto cleanup;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		cw_error_set(err, "libelf: %s", elf_errmsg(-1));
		goto cleanup;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		cw_error_set(err, "not an ELF file: %s", elf_errmsg(-1));
		goto cleanup;
	}
	if (elf_arch(elf, out, err) != 0)
		goto cleanup;
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		cw_error_set(err, "no DWARF (stripped binary?)");
		goto cleanup;
	}
	if (scan_dwarf(&s, dw, err) != 0)
		goto cleanup;
	if (!out->g_goid.known) {
		cw_error_set(err, "no runtime.g in DWARF (not a Go binary?)");
		goto cleanup;
	}
	runtime_layout_names_from_table(out);
	ret = 0;
cleanup:
	if (dw)
		dwarf_end(dw);
	if (elf)
		elf_end(elf);
	close(fd);
	if (ret != 0)
		memset(out, 0, sizeof(*out));
	return ret;
}
