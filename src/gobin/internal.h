// SPDX-License-Identifier: MIT
// Helpers shared by the src/gobin readers (not part of the public API).
#ifndef CW_GOBIN_INTERNAL_H
#define CW_GOBIN_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "gobin/gobin.h"
#include "lib/slice.h"

/* Caps on counts read from the file, so hostile headers cannot make us allocate much. */
#define GOBIN_MAX_SECTIONS 65535
#define GOBIN_MAX_SEGMENTS 4096
#define GOBIN_MAX_SYMS	   (16u << 20)
#define GOBIN_MAX_FUNCS	   (8u << 20)
#define GOBIN_MAX_SETTINGS 1024

static inline uint16_t gobin_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t gobin_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t gobin_le64(const uint8_t *p)
{
	return (uint64_t)gobin_le32(p) | (uint64_t)gobin_le32(p + 4) << 32;
}

/* True when [off, off+len) lies within a buffer of size bytes. */
static inline int gobin_in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/*
 * Reads a pointer-sized word at vaddr, applying an R_*_RELATIVE relocation
 * when the file holds 0 there (externally linked PIE). Returns 0 or -ENOENT.
 */
int gobin_read_ptr(const struct gobin *b, uint64_t vaddr, uint64_t *v);
/* .gopclntab, or .data.rel.ro.gopclntab (PIE before Go 1.26), or NULL. */
const struct gobin_section *gobin_pclntab_section(const struct gobin *b);
/* The dynamic relocations (.rela.dyn, or .rela from Go's linker), or NULL. */
const struct gobin_section *gobin_rela_section(const struct gobin *b);
/* The value of symbol name (any type) from .symtab, or 0 if absent. */
uint64_t gobin_symbol_value(const struct gobin *b, const char *name);

/* Parses .go.buildinfo into b->info (absent section: empty strings). */
int gobin_buildinfo_parse(struct gobin *b, struct cw_error *err);
/* Parses .gopclntab, resolves text_start and gofunc, builds b->funcs. */
int gobin_pclntab_parse(struct gobin *b, struct cw_error *err);
#endif
