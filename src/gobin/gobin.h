// SPDX-License-Identifier: MIT
// One reader of Go executables: ELF, build info, function table, PC -> file:line with inlining.
#ifndef CW_GOBIN_H
#define CW_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "lib/usage.h"

/*
 * Scope: ELF64 little-endian executables (ET_EXEC or ET_DYN/PIE) for x86-64
 * and aarch64, built by Go 1.18+ (build info) and Go 1.20+ (.gopclntab magic
 * 0xfffffff1; older tables are rejected). All addresses are link-time virtual
 * addresses as in the file (for a running PIE, subtract the load bias first).
 *
 * The file is mapped read-only for the life of the struct gobin; every string
 * the API returns (names, file paths, build info) points into that mapping or
 * into b->arena and stays valid until gobin_close(). Callers never free them.
 *
 * Every read of the file is bounds-checked: a hostile or truncated file gives
 * an error or a missing answer, never a crash.
 */

struct gobin_setting {
	const char *key;   /* "-ldflags", "CGO_ENABLED", "GOARCH", "GOEXPERIMENT", "-trimpath"... */
	const char *value; /* unquoted */
};

struct gobin_buildinfo {
	const char *go_version;		/* "go1.26.8"; "" if the binary has no build info */
	const char *path;		/* main package path ("path" line); "" if absent */
	const char *main_module;	/* main module path ("mod" line); "" if absent */
	const char *main_version;	/* main module version, e.g. "(devel)"; "" if absent */
	const char *modinfo;		/* the whole modinfo text, sentinels removed */
	struct gobin_setting *settings; /* the "build" lines, in file order */
	size_t nsettings;
};

/* One Go function from the pclntab function table, or an ELF symbol. */
struct gobin_func {
	uint64_t entry; /* first instruction */
	uint64_t end;	/* one past the last byte: next function's entry (pclntab) */
	const char
	    *name;	  /* as linked: "main.Sum[go.shape.int]", "main.main.func1";
			     the ABI0 one of two same-named functions is "NAME.abi0", as in .symtab */
	uint32_t funcoff; /* offset of its _func record from the function table; 0 = none */
};

/* One source frame of a PC; inlined calls give several frames for one PC. */
struct gobin_frame {
	const char *func; /* function name as linked */
	const char *file; /* source file as recorded ("" if unknown) */
	int32_t line;	  /* 0 if unknown */
	uint64_t entry;	  /* entry of the physical function containing the PC */
	bool inlined;	  /* true for every frame but the outermost (physical) one */
};

/* Where text_start came from, for diagnostics. */
enum gobin_text_source {
	GOBIN_TEXT_NONE = 0,
	GOBIN_TEXT_SYMTAB,     /* runtime.text in .symtab */
	GOBIN_TEXT_GO_MODULE,  /* moduledata.text in the .go.module section (Go 1.26+) */
	GOBIN_TEXT_MODULEDATA, /* moduledata found by its pcHeader pointer (Go <= 1.25, stripped) */
	GOBIN_TEXT_PCLNTAB_HEADER, /* pcHeader.textStart (Go <= 1.25) */
};

struct gobin_section {
	const char *name;
	uint32_t type;
	uint64_t addr, offset, size;
};

struct gobin_segment { /* a PT_LOAD program header */
	uint64_t vaddr, offset, filesz, memsz;
	uint32_t flags;
};

struct gobin_sym { /* a named .symtab symbol with a nonzero value */
	uint64_t value, size;
	const char *name;
	bool func; /* STT_FUNC */
};

/* An open Go binary. Fields are read-only for callers. */
struct gobin {
	/* the mapping */
	const uint8_t *data;
	size_t size;
	bool mapped; /* data is our mmap (munmap on close) */

	/* ELF */
	uint16_t machine; /* EM_X86_64 (62) or EM_AARCH64 (183) */
	bool pie;	  /* ET_DYN */
	struct gobin_section *sections;
	size_t nsections;
	struct gobin_segment *segments;
	size_t nsegments;
	struct gobin_sym *syms; /* sorted by name */
	size_t nsyms;

	struct gobin_buildinfo info;

	/* .gopclntab, or the table inside .data.rel.ro of an externally linked PIE */
	const uint8_t *pcln; /* the pcHeader; NULL if there is no usable pclntab */
	size_t pcln_size;
	uint64_t pcln_addr;
	uint8_t min_lc;	     /* PC quantum: 1 on x86-64, 4 on aarch64 */
	uint64_t text_start; /* base of function entry offsets (moduledata.text) */
	enum gobin_text_source text_source;
	uint64_t gofunc;     /* moduledata.gofunc (go:func.*), base of funcdata; 0 = unknown */
	uint64_t moduledata; /* address of runtime.firstmoduledata; 0 = not found */
	size_t funcnametab, cutab, filetab, pctab, functab; /* offsets from pcln */
	uint32_t nfiles;

	/* Go functions from the pclntab, sorted by entry (or from .symtab without one) */
	struct gobin_func *funcs;
	size_t nfuncs;
	uint32_t *by_name; /* indices into funcs, sorted by name */

	struct arena arena; /* everything allocated for this binary */
};

/*
 * Opens and indexes the Go binary at path. Returns 0, or -1 with err set to a
 * one-line message without the path, e.g. "not an ELF file", "not a Go binary:
 * no .go.buildinfo or .gopclntab", "unsupported ELF machine 40". On failure b
 * needs no gobin_close() (calling it is harmless).
 */
int gobin_open(struct gobin *b, const char *path, struct cw_error *err);
/* Same over an open descriptor (not consumed: the caller still closes fd). */
int gobin_open_fd(struct gobin *b, int fd, struct cw_error *err);
/* Releases everything; b may be zeroed or already closed. */
void gobin_close(struct gobin *b);

/* The value of build setting key ("CGO_ENABLED", "-ldflags"...), or NULL. */
const char *gobin_setting(const struct gobin *b, const char *key);

/*
 * Finds function name (exact, as linked). Entry/end come from .symtab when the
 * symbol is there (end = value + size), else from the pclntab (end = next
 * function's entry). Non-Go functions (cgo C code) are found only in .symtab.
 * Of two functions with one name (assembly and its ABI wrapper), NAME is the
 * ABIInternal one and NAME.abi0 the other, as in .symtab. Returns 0, or
 * -ENOENT. entry or end may be NULL.
 */
int gobin_lookup_func(const struct gobin *b, const char *name, uint64_t *entry, uint64_t *end);

/* The pclntab function containing pc, or NULL. */
const struct gobin_func *gobin_func_at(const struct gobin *b, uint64_t pc);

/*
 * Calls fn for every Go function in entry order; stops at the first nonzero
 * return and returns it, else 0.
 */
int gobin_funcs_foreach(const struct gobin *b, int (*fn)(void *ctx, const struct gobin_func *f),
			void *ctx);

/*
 * Symbolizes pc (an instruction address, not a return address: callers pass
 * return address - 1). Fills up to max frames, innermost first (inlined
 * callees before their callers, the physical function last). Returns the
 * number of frames filled (> 0), -ENOENT if pc is in no Go function, -EINVAL
 * on a corrupt table. When the frames do not fit, the innermost max are given.
 */
int gobin_symbolize(const struct gobin *b, uint64_t pc, struct gobin_frame *out, size_t max);

/*
 * The size of the stack frame of the function containing pc at that instruction (its
 * pcsp table: how far SP has moved down since the function's entry, the return address
 * not counted). Returns 0, -ENOENT (pc in no Go function), or -EINVAL (corrupt table).
 */
int gobin_sp_delta(const struct gobin *b, uint64_t pc, int32_t *delta);

/*
 * Converts a virtual address to its file offset (for uprobes) through the
 * PT_LOAD segments. Returns 0, or -ENOENT if no segment maps it from the file.
 */
int gobin_vaddr_to_offset(const struct gobin *b, uint64_t vaddr, uint64_t *offset);

/* The section called name, or NULL. */
const struct gobin_section *gobin_section(const struct gobin *b, const char *name);

/*
 * Points *p at len file bytes backing [vaddr, vaddr+len), within one segment.
 * Returns 0, or -ENOENT (unmapped, bss, or out of the file).
 */
int gobin_read_vaddr(const struct gobin *b, uint64_t vaddr, size_t len, const uint8_t **p);

struct runtime_layout;
/*
 * The name of the Go type whose descriptor (abi.Type) is at link-time address type, as
 * the runtime prints it ("int", "*main.job", "chan<- string"), into buf (NUL-terminated).
 * types is moduledata.types (the base of name offsets), as a link-time address. Returns
 * 0, or -1 (buf "") when the descriptor or its name is not in the file or does not fit.
 */
int gobin_type_name(const struct gobin *b, const struct runtime_layout *l, uint64_t type,
		    uint64_t types, char *buf, size_t len);

/* A name for text_source ("symtab", ".go.module", ...). */
const char *gobin_text_source_name(enum gobin_text_source s);

/*
 * Where the runtime's goroutine list lives, for the live reader. Addresses are
 * link-time virtual addresses (a running PIE: add the load bias).
 */
#define GOBIN_ALLGS_MAX_CAND 8
struct gobin_allgs {
	uint64_t allgs;	    /* runtime.allgs, a []*g header {ptr, len, cap}; 0 = undecided */
	uint64_t allglen;   /* runtime.allglen, a uintptr; 0 = undecided */
	const char *source; /* "symtab" or "disassembly" (static string) */
	/*
	 * Every address the finder considers possible, lowest first for allgs.
	 * When allgs/allglen is decided its list holds just that address; when
	 * not (an unknown allgadd shape), the caller keeps the pair that holds up
	 * in live memory: header ptr != 0, 0 < len <= cap, and *allglen == len.
	 */
	uint64_t allgs_cand[GOBIN_ALLGS_MAX_CAND];
	size_t nallgs_cand;
	uint64_t allglen_cand[GOBIN_ALLGS_MAX_CAND];
	size_t nallglen_cand;
};

/*
 * Finds runtime.allgs and runtime.allglen: from .symtab when both symbols are
 * there, else (stripped binaries) by disassembling runtime.allgadd, whose
 * append stores all three words of the allgs header and whose last store puts
 * a reload of allgs.len into allglen (amd64 and arm64, Go 1.22-1.26).
 * Returns 0 with out filled (allgs and allglen nonzero, or at least one
 * candidate of each), or a negative errno with err set: -ENOENT (no allgadd,
 * or no usable access in it), -ENOTSUP, -ENOMEM. out is zeroed first.
 */
int gobin_find_allgs(const struct gobin *b, struct gobin_allgs *out, struct cw_error *err);
#endif
