// SPDX-License-Identifier: MIT
// Where runtime.allgs and runtime.allglen live: .symtab, else the accesses of runtime.allgadd.
#include <capstone/capstone.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gobin/internal.h"

#include "lib/banned.h"

/*
 * runtime.allgadd (proc.go) is, in Go 1.22-1.26:
 *
 *	lock(&allglock)
 *	allgs = append(allgs, gp)
 *	if &allgs[0] != allgptr {
 *		atomicstorep(unsafe.Pointer(&allgptr), unsafe.Pointer(&allgs[0]))
 *	}
 *	atomic.Storeuintptr(&allglen, uintptr(len(allgs)))
 *	unlock(&allglock)
 *
 * The append stores all three words of the allgs header (ptr, len, cap) at
 * fixed data addresses; the last statement reloads allgs.len and stores it
 * atomically (XCHG on amd64, STLR on arm64) through an address formed by
 * LEA (amd64) or ADRP+ADD (arm64). A linear sweep with a tiny register
 * tracker (which register holds "the address A" or "the word loaded from
 * A") finds both.
 */

#define ALLGADD_MAX_BYTES 16384 /* allgadd is ~400 bytes; never read more than this */
#define ALLGADD_MAX_INSNS 4096
#define MAX_ACCESSES	  512
#define MAX_TARGETS	  256
#define NREGS		  32

enum val_kind {
	VAL_UNKNOWN = 0,
	VAL_ADDR, /* the register holds the address a */
	VAL_LOAD, /* the register holds the 8-byte word loaded from a */
};

struct regval {
	enum val_kind kind;
	uint64_t a;
};

enum access_kind {
	ACC_LOAD,
	ACC_STORE,  /* plain 8-byte store */
	ACC_ATOMIC, /* XCHG / STLR */
};

struct access {
	enum access_kind kind;
	uint64_t addr;
	struct regval src; /* for stores: what the stored register held */
};

struct scan {
	const struct gobin *b;
	struct regval reg[NREGS];
	struct access acc[MAX_ACCESSES];
	size_t nacc;
	uint64_t targets[MAX_TARGETS]; /* branch targets inside the function */
	size_t ntargets;
};

/* True when addr lies in one of the sections Go puts package variables in. */
static bool in_data(const struct gobin *b, uint64_t addr)
{
	static const char *const names[] = {".data", ".bss", ".noptrdata", ".noptrbss"};
	bool have_sections = false;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct gobin_section *s = gobin_section(b, names[i]);

		if (!s)
			continue;
		have_sections = true;
		if (addr >= s->addr && addr - s->addr < s->size && s->size - (addr - s->addr) >= 8)
			return true;
	}
	if (have_sections)
		return false;
	for (size_t i = 0; i < b->nsegments; i++) { /* no section headers: writable PT_LOAD */
		const struct gobin_segment *g = &b->segments[i];

		if ((g->flags & PF_W) && addr >= g->vaddr && addr - g->vaddr < g->memsz)
			return true;
	}
	return false;
}

static void record(struct scan *s, enum access_kind kind, uint64_t addr, struct regval src)
{
	if (s->nacc >= MAX_ACCESSES || !in_data(s->b, addr))
		return;
	s->acc[s->nacc++] = (struct access){kind, addr, src};
}

static void forget_all(struct scan *s)
{
	memset(s->reg, 0, sizeof(s->reg));
}

static struct regval reg_get(const struct scan *s, int r)
{
	return r >= 0 && r < NREGS ? s->reg[r] : (struct regval){VAL_UNKNOWN, 0};
}

static void reg_set(struct scan *s, int r, enum val_kind kind, uint64_t a)
{
	if (r >= 0 && r < NREGS)
		s->reg[r] = (struct regval){kind, a};
}

static bool is_target(const struct scan *s, uint64_t addr)
{
	for (size_t i = 0; i < s->ntargets; i++)
		if (s->targets[i] == addr)
			return true;
	return false;
}

static bool is_branch(const cs_insn *in)
{
	for (uint8_t i = 0; i < in->detail->groups_count; i++) {
		uint8_t g = in->detail->groups[i];

		if (g == CS_GRP_JUMP || g == CS_GRP_RET || g == CS_GRP_IRET)
			return true;
	}
	return false;
}

/* ---- amd64 ---- */

/* The general-purpose register family (0-15) of a capstone x86 register, or -1. */
static int x86_family(unsigned r)
{
	static const uint16_t fam[16][5] = {
	    {X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH},
	    {X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH},
	    {X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH},
	    {X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH},
	    {X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL, 0},
	    {X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL, 0},
	    {X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL, 0},
	    {X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL, 0},
	    {X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B, 0},
	    {X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B, 0},
	    {X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B, 0},
	    {X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B, 0},
	    {X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B, 0},
	    {X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B, 0},
	    {X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B, 0},
	    {X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B, 0},
	};

	if (r == X86_REG_INVALID)
		return -1;
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 5; j++)
			if (fam[i][j] == r)
				return i;
	return -1;
}

/*
 * The data address a memory operand names, from RIP or from a base register
 * holding a known address (no index). Returns false when unknown.
 */
static bool x86_mem_addr(const struct scan *s, const cs_insn *in, const cs_x86_op *op,
			 uint64_t *addr)
{
	struct regval base;

	if (op->type != X86_OP_MEM || op->mem.index != X86_REG_INVALID ||
	    op->mem.segment != X86_REG_INVALID)
		return false;
	if (op->mem.base == X86_REG_RIP) {
		*addr = in->address + in->size + (uint64_t)op->mem.disp;
		return true;
	}
	base = reg_get(s, x86_family(op->mem.base));
	if (base.kind != VAL_ADDR)
		return false;
	*addr = base.a + (uint64_t)op->mem.disp;
	return true;
}

static void x86_step(struct scan *s, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *o0 = x->op_count > 0 ? &x->operands[0] : NULL;
	const cs_x86_op *o1 = x->op_count > 1 ? &x->operands[1] : NULL;
	uint64_t a;

	if (in->id == X86_INS_CALL) {
		forget_all(s); /* Go's ABI: every register is caller-saved */
		return;
	}
	if (in->id == X86_INS_LEA && o0 && o1 && o0->type == X86_OP_REG && o0->size == 8 &&
	    x86_mem_addr(s, in, o1, &a)) {
		reg_set(s, x86_family(o0->reg), VAL_ADDR, a);
		return;
	}
	if (in->id == X86_INS_MOV && o0 && o1) {
		if (o0->type == X86_OP_REG && o1->size == 8 && x86_mem_addr(s, in, o1, &a)) {
			record(s, ACC_LOAD, a, (struct regval){0});
			reg_set(s, x86_family(o0->reg), VAL_LOAD, a);
			return;
		}
		if (o0->size == 8 && x86_mem_addr(s, in, o0, &a)) {
			struct regval v = {VAL_UNKNOWN, 0};

			if (o1->type == X86_OP_REG)
				v = reg_get(s, x86_family(o1->reg));
			record(s, ACC_STORE, a, v);
			return;
		}
	}
	if (in->id == X86_INS_XCHG && o0 && o1 && o0->size == 8) {
		const cs_x86_op *m = o0->type == X86_OP_MEM ? o0 : o1;
		const cs_x86_op *r = o0->type == X86_OP_MEM ? o1 : o0;

		if (m->type == X86_OP_MEM && r->type == X86_OP_REG && x86_mem_addr(s, in, m, &a))
			record(s, ACC_ATOMIC, a, reg_get(s, x86_family(r->reg)));
		/* the register now holds the old memory word: forgotten below */
	}
	for (uint8_t i = 0; i < x->op_count; i++) /* anything else written is unknown */
		if (x->operands[i].type == X86_OP_REG && (x->operands[i].access & CS_AC_WRITE))
			reg_set(s, x86_family(x->operands[i].reg), VAL_UNKNOWN, 0);
	for (uint8_t i = 0; i < in->detail->regs_write_count; i++)
		reg_set(s, x86_family(in->detail->regs_write[i]), VAL_UNKNOWN, 0);
}

/* ---- arm64 ---- */

/* X0-X30 (or their W halves) as 0-30, else -1 (SP, XZR, vector registers). */
static int a64_reg(unsigned r)
{
	if (r >= ARM64_REG_X0 && r <= ARM64_REG_X28)
		return (int)(r - ARM64_REG_X0);
	if (r >= ARM64_REG_W0 && r <= ARM64_REG_W30)
		return (int)(r - ARM64_REG_W0);
	if (r == ARM64_REG_X29)
		return 29;
	if (r == ARM64_REG_X30)
		return 30;
	return -1;
}

static bool arm64_mem_addr(const struct scan *s, const cs_arm64_op *op, uint64_t *addr)
{
	struct regval base;

	if (op->type != ARM64_OP_MEM || op->mem.index != ARM64_REG_INVALID)
		return false;
	base = reg_get(s, a64_reg(op->mem.base));
	if (base.kind != VAL_ADDR)
		return false;
	*addr = base.a + (uint64_t)(int64_t)op->mem.disp;
	return true;
}

static bool is_x(const cs_arm64_op *op)
{
	return op->type == ARM64_OP_REG && ((op->reg >= ARM64_REG_X0 && op->reg <= ARM64_REG_X28) ||
					    op->reg == ARM64_REG_X29 || op->reg == ARM64_REG_X30);
}

static void arm64_step(struct scan *s, const cs_insn *in)
{
	const cs_arm64 *x = &in->detail->arm64;
	const cs_arm64_op *op = x->operands;
	uint8_t n = x->op_count;
	uint64_t a;

	if (in->id == ARM64_INS_BL || in->id == ARM64_INS_BLR) {
		forget_all(s);
		return;
	}
	if (in->id == ARM64_INS_ADRP && n == 2 && op[0].type == ARM64_OP_REG &&
	    op[1].type == ARM64_OP_IMM) {
		reg_set(s, a64_reg(op[0].reg), VAL_ADDR, (uint64_t)op[1].imm);
		return;
	}
	if (in->id == ARM64_INS_ADD && n == 3 && is_x(&op[0]) && op[1].type == ARM64_OP_REG &&
	    op[2].type == ARM64_OP_IMM && op[2].shift.type == ARM64_SFT_INVALID) {
		struct regval v = reg_get(s, a64_reg(op[1].reg));

		if (v.kind == VAL_ADDR) {
			reg_set(s, a64_reg(op[0].reg), VAL_ADDR, v.a + (uint64_t)op[2].imm);
			return;
		}
	}
	if (!x->writeback) {
		if (in->id == ARM64_INS_LDR && n == 2 && is_x(&op[0]) &&
		    arm64_mem_addr(s, &op[1], &a)) {
			record(s, ACC_LOAD, a, (struct regval){0});
			reg_set(s, a64_reg(op[0].reg), VAL_LOAD, a);
			return;
		}
		if (in->id == ARM64_INS_LDP && n == 3 && is_x(&op[0]) && is_x(&op[1]) &&
		    arm64_mem_addr(s, &op[2], &a)) {
			record(s, ACC_LOAD, a, (struct regval){0});
			record(s, ACC_LOAD, a + 8, (struct regval){0});
			reg_set(s, a64_reg(op[0].reg), VAL_LOAD, a);
			reg_set(s, a64_reg(op[1].reg), VAL_LOAD, a + 8);
			return;
		}
		if ((in->id == ARM64_INS_STR || in->id == ARM64_INS_STLR) && n == 2 &&
		    (is_x(&op[0]) || op[0].reg == ARM64_REG_XZR) && arm64_mem_addr(s, &op[1], &a)) {
			record(s, in->id == ARM64_INS_STLR ? ACC_ATOMIC : ACC_STORE, a,
			       reg_get(s, a64_reg(op[0].reg)));
			return;
		}
		if (in->id == ARM64_INS_STP && n == 3 &&
		    (is_x(&op[0]) || op[0].reg == ARM64_REG_XZR) &&
		    (is_x(&op[1]) || op[1].reg == ARM64_REG_XZR) && arm64_mem_addr(s, &op[2], &a)) {
			record(s, ACC_STORE, a, reg_get(s, a64_reg(op[0].reg)));
			record(s, ACC_STORE, a + 8, reg_get(s, a64_reg(op[1].reg)));
			return;
		}
	}
	for (uint8_t i = 0; i < n; i++) {
		if (op[i].type == ARM64_OP_REG && (op[i].access & CS_AC_WRITE))
			reg_set(s, a64_reg(op[i].reg), VAL_UNKNOWN, 0);
		if (x->writeback && op[i].type == ARM64_OP_MEM)
			reg_set(s, a64_reg(op[i].mem.base), VAL_UNKNOWN, 0);
	}
	/* capstone 4 leaves access unset on some forms: a written first operand is the norm */
	if (n && op[0].type == ARM64_OP_REG && in->id != ARM64_INS_CMP && in->id != ARM64_INS_CMN &&
	    in->id != ARM64_INS_TST && !is_branch(in))
		reg_set(s, a64_reg(op[0].reg), VAL_UNKNOWN, 0);
	for (uint8_t i = 0; i < in->detail->regs_write_count; i++)
		reg_set(s, a64_reg(in->detail->regs_write[i]), VAL_UNKNOWN, 0);
}

/* ---- the sweep ---- */

/* The immediate operand of a branch (its absolute target), or 0. */
static uint64_t branch_target(const cs_insn *in, bool arm)
{
	if (arm) {
		const cs_arm64 *x = &in->detail->arm64;

		for (uint8_t i = 0; i < x->op_count; i++)
			if (x->operands[i].type == ARM64_OP_IMM && i == x->op_count - 1)
				return (uint64_t)x->operands[i].imm;
		return 0;
	}
	if (in->detail->x86.op_count == 1 && in->detail->x86.operands[0].type == X86_OP_IMM)
		return (uint64_t)in->detail->x86.operands[0].imm;
	return 0;
}

/*
 * Disassembles [entry, end) into s->acc. The register state is dropped at
 * every branch, branch target and undecodable byte, so nothing flows across a
 * join.
 */
static int sweep(struct scan *s, const uint8_t *code, size_t len, uint64_t entry)
{
	bool arm = s->b->machine == EM_AARCH64;
	csh cs;
	cs_insn *insn = NULL;
	size_t n;
	int rc = -ENOENT;

	if (cs_open(arm ? CS_ARCH_ARM64 : CS_ARCH_X86, arm ? CS_MODE_ARM : CS_MODE_64, &cs) !=
	    CS_ERR_OK)
		return -ENOTSUP;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	cs_option(cs, CS_OPT_SKIPDATA, CS_OPT_ON); /* undecodable bytes: ".byte", id 0 */
	n = cs_disasm(cs, code, len, entry, ALLGADD_MAX_INSNS, &insn);
	if (!n)
		goto cleanup;
	for (size_t i = 0; i < n && s->ntargets < MAX_TARGETS; i++) {
		uint64_t t = insn[i].id && is_branch(&insn[i]) ? branch_target(&insn[i], arm) : 0;

		if (t > entry && t - entry < len)
			s->targets[s->ntargets++] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (!insn[i].id || is_target(s, insn[i].address)) {
			forget_all(s);
			if (!insn[i].id)
				continue;
		}
		if (arm)
			arm64_step(s, &insn[i]);
		else
			x86_step(s, &insn[i]);
		if (is_branch(&insn[i]))
			forget_all(s);
	}
	rc = 0;
cleanup:
	if (insn)
		cs_free(insn, n);
	cs_close(&cs);
	return rc;
}

static bool stored(const struct scan *s, uint64_t addr)
{
	for (size_t i = 0; i < s->nacc; i++)
		if (s->acc[i].addr == addr && s->acc[i].kind != ACC_LOAD)
			return true;
	return false;
}

static bool accessed(const struct scan *s, uint64_t addr)
{
	for (size_t i = 0; i < s->nacc; i++)
		if (s->acc[i].addr == addr)
			return true;
	return false;
}

static void add_cand(uint64_t *cand, size_t *n, uint64_t addr)
{
	for (size_t i = 0; i < *n; i++)
		if (cand[i] == addr)
			return;
	if (*n < GOBIN_ALLGS_MAX_CAND)
		cand[(*n)++] = addr;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * allgs: the one X whose three words X, X+8, X+16 are all stored (append
 * writes ptr, len and cap). Failing that, every X with X and X+8 accessed.
 */
static void decide_allgs(const struct scan *s, struct gobin_allgs *out)
{
	for (size_t i = 0; i < s->nacc; i++) {
		uint64_t x = s->acc[i].addr;

		if (s->acc[i].kind != ACC_LOAD && stored(s, x + 8) && stored(s, x + 16))
			add_cand(out->allgs_cand, &out->nallgs_cand, x);
	}
	if (!out->nallgs_cand)
		for (size_t i = 0; i < s->nacc; i++)
			if (accessed(s, s->acc[i].addr + 8))
				add_cand(out->allgs_cand, &out->nallgs_cand, s->acc[i].addr);
	qsort(out->allgs_cand, out->nallgs_cand, sizeof(uint64_t), cmp_u64);
	if (out->nallgs_cand == 1)
		out->allgs = out->allgs_cand[0];
}

static bool in_header(const struct gobin_allgs *out, uint64_t addr)
{
	for (size_t j = 0; j < out->nallgs_cand; j++)
		if (addr >= out->allgs_cand[j] && addr - out->allgs_cand[j] < 24)
			return true;
	return false;
}

static bool is_len_word(const struct gobin_allgs *out, struct regval v)
{
	for (size_t j = 0; j < out->nallgs_cand; j++)
		if (v.kind == VAL_LOAD && v.a == out->allgs_cand[j] + 8)
			return true;
	return false;
}

/*
 * allglen: the one address outside the allgs header that receives a register
 * just loaded from allgs.len (allgs+8), preferring atomic stores. Failing
 * that, every atomic store target outside the header candidates.
 */
static void decide_allglen(const struct scan *s, struct gobin_allgs *out)
{
	for (int pass = 0; pass < 2 && !out->nallglen_cand; pass++)
		for (size_t i = 0; i < s->nacc; i++) {
			const struct access *a = &s->acc[i];

			if (a->kind == ACC_LOAD || (pass == 0 && a->kind != ACC_ATOMIC) ||
			    in_header(out, a->addr) || !is_len_word(out, a->src))
				continue;
			add_cand(out->allglen_cand, &out->nallglen_cand, a->addr);
		}
	if (out->nallglen_cand == 1 && out->allgs) {
		out->allglen = out->allglen_cand[0];
		return;
	}
	for (size_t i = 0; i < s->nacc; i++) /* undecided: every atomic store target */
		if (s->acc[i].kind == ACC_ATOMIC && !in_header(out, s->acc[i].addr))
			add_cand(out->allglen_cand, &out->nallglen_cand, s->acc[i].addr);
}

static int find_by_disassembly(const struct gobin *b, struct gobin_allgs *out, struct cw_error *err)
{
	struct scan *s = NULL;
	uint64_t entry, end;
	const uint8_t *code;
	size_t len;
	int rc;

	if (gobin_lookup_func(b, "runtime.allgadd", &entry, &end) || end <= entry) {
		cw_error_set(err, "runtime.allgadd not found");
		return -ENOENT;
	}
	len = end - entry > ALLGADD_MAX_BYTES ? ALLGADD_MAX_BYTES : (size_t)(end - entry);
	if (gobin_read_vaddr(b, entry, len, &code)) {
		cw_error_set(err, "runtime.allgadd at 0x%llx is not in the file",
			     (unsigned long long)entry);
		return -ENOENT;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		cw_error_set(err, "out of memory");
		return -ENOMEM;
	}
	s->b = b;
	rc = sweep(s, code, len, entry);
	if (rc) {
		cw_error_set(err, "cannot disassemble runtime.allgadd");
		goto cleanup;
	}
	decide_allgs(s, out);
	decide_allglen(s, out);
	out->source = "disassembly";
	if (!out->nallgs_cand || !out->nallglen_cand) {
		cw_error_set(err, "runtime.allgadd: no %s access found",
			     out->nallgs_cand ? "allglen" : "allgs");
		rc = -ENOENT;
	}
cleanup:
	free(s);
	return rc;
}

int gobin_find_allgs(const struct gobin *b, struct gobin_allgs *out, struct cw_error *err)
{
	uint64_t allgs = gobin_symbol_value(b, "runtime.allgs");
	uint64_t allglen = gobin_symbol_value(b, "runtime.allglen");

	memset(out, 0, sizeof(*out));
	if (allgs && allglen) {
		out->allgs = out->allgs_cand[0] = allgs;
		out->allglen = out->allglen_cand[0] = allglen;
		out->nallgs_cand = out->nallglen_cand = 1;
		out->source = "symtab";
		return 0;
	}
	if (b->machine != EM_X86_64 && b->machine != EM_AARCH64) {
		cw_error_set(err, "unsupported ELF machine %u", b->machine);
		return -ENOTSUP;
	}
	return find_by_disassembly(b, out, err);
}
