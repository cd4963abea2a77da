// SPDX-License-Identifier: MIT
// Probe placement by disassembly (capstone): stack-check prologues and RET instructions.
#include "trace/probes.h"

#include <capstone/capstone.h>
#include <string.h>

#include "lib/banned.h"

/* Instructions a prologue may have before PUSH BP: LEA R12, [RSP-N]; CMP; JBE/JNA. */
#define PROLOGUE_MAX_INSNS 4

size_t probe_after_stack_check(const uint8_t *code, size_t len)
{
	csh cs;
	cs_insn *insn = NULL;
	size_t n, at = 0;
	bool saw_cmp = false, saw_jbe = false;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 0;
	n = cs_disasm(cs, code, len < 64 ? len : 64, 0, PROLOGUE_MAX_INSNS + 1, &insn);
	for (size_t i = 0; i < n; i++) {
		const cs_insn *in = &insn[i];
		if (in->id == X86_INS_PUSH && !strcmp(in->op_str, "rbp")) {
			if (saw_cmp && saw_jbe)
				at = (size_t)in->address;
			break;
		}
		if (in->id == X86_INS_CMP && strstr(in->op_str, "[r14 + 0x10]"))
			saw_cmp = true;
		else if ((in->id == X86_INS_JBE) && saw_cmp)
			saw_jbe = true;
		else if (!(in->id == X86_INS_LEA && i == 0))
			break;
	}
	cs_free(insn, n);
	cs_close(&cs);
	return at;
}

/* Every instruction with `id` (and, for CALL, that immediate target), by linear sweep. */
static int find_insns(const uint8_t *code, size_t len, uint64_t base, unsigned id, uint64_t target,
		      size_t *offs, size_t max)
{
	csh cs;
	cs_insn *insn;
	const uint8_t *p = code;
	size_t left = len;
	uint64_t addr = base;
	int found = 0;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -1;
	cs_option(cs, CS_OPT_DETAIL, target ? CS_OPT_ON : CS_OPT_OFF);
	insn = cs_malloc(cs);
	if (!insn) {
		cs_close(&cs);
		return -1;
	}
	/* Linear sweep: Go emits no data inside function bodies on amd64. */
	while (left && cs_disasm_iter(cs, &p, &left, &addr, insn)) {
		if (insn->id != id || (size_t)found >= max)
			continue;
		if (target) {
			const cs_x86 *x = &insn->detail->x86;
			if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM ||
			    (uint64_t)x->operands[0].imm != target)
				continue;
		}
		offs[found++] = (size_t)(insn->address - base);
	}
	cs_free(insn, 1);
	cs_close(&cs);
	return left ? -1 : found;
}

int probe_find_calls(const uint8_t *code, size_t len, uint64_t base, uint64_t target, size_t *offs,
		     size_t max)
{
	return find_insns(code, len, base, X86_INS_CALL, target, offs, max);
}

int probe_find_rets(const uint8_t *code, size_t len, size_t *offs, size_t max)
{
	return find_insns(code, len, 0, X86_INS_RET, 0, offs, max);
}

static int point(const struct gobin *b, const char *fn, uint64_t entry, size_t off,
		 struct probe_point *p, struct cw_error *err)
{
	p->vaddr = entry + off;
	if (gobin_vaddr_to_offset(b, p->vaddr, &p->offset))
		return cw_error_set(err, "%s: address 0x%llx is in no file segment", fn,
				    (unsigned long long)p->vaddr);
	return 0;
}

static int code_of(const struct gobin *b, const char *fn, uint64_t *entry, const uint8_t **code,
		   size_t *len, struct cw_error *err)
{
	uint64_t end;

	if (gobin_lookup_func(b, fn, entry, &end))
		return cw_error_set(err, "%s: not found", fn);
	if (end <= *entry || end - *entry > (1u << 20) ||
	    gobin_read_vaddr(b, *entry, (size_t)(end - *entry), code))
		return cw_error_set(err, "%s: cannot read its code", fn);
	*len = (size_t)(end - *entry);
	return 0;
}

static int entry_probe(const struct gobin *b, const char *fn, struct probe_point *p,
		       struct cw_error *err)
{
	uint64_t entry;
	const uint8_t *code;
	size_t len;

	if (code_of(b, fn, &entry, &code, &len, err))
		return -1;
	return point(b, fn, entry, probe_after_stack_check(code, len), p, err);
}

int trace_find_probes(const struct gobin *b, struct trace_probes *out, struct cw_error *err)
{
	size_t rets[PROBE_MAX_RETS];
	const uint8_t *code;
	uint64_t entry;
	size_t len;
	int n;

	memset(out, 0, sizeof(*out));
	if (b->machine != 62 /* EM_X86_64 */)
		return cw_error_set(err, "only x86-64 binaries can be traced so far");
	if (entry_probe(b, "runtime.makechan", &out->makechan, err) ||
	    entry_probe(b, "runtime.closechan", &out->closechan, err) ||
	    entry_probe(b, "runtime.gopark", &out->gopark, err) ||
	    entry_probe(b, "runtime.ready", &out->ready, err) ||
	    entry_probe(b, "runtime.goexit1", &out->goexit1, err))
		return -1;
	if (code_of(b, "runtime.makechan", &entry, &code, &len, err))
		return -1;
	n = probe_find_rets(code, len, rets, PROBE_MAX_RETS);
	if (n <= 0)
		return cw_error_set(err, "runtime.makechan: no RET found");
	for (int i = 0; i < n; i++)
		if (point(b, "runtime.makechan", entry, rets[i], &out->makechan_rets[i], err))
			return -1;
	out->nmakechan_rets = (size_t)n;

	uint64_t gopanic, gopanic_end, end_unused;
	if (gobin_lookup_func(b, "runtime.gopanic", &gopanic, &gopanic_end))
		return cw_error_set(err, "runtime.gopanic: not found");
	if (code_of(b, "runtime.chansend", &entry, &code, &len, err))
		return -1;
	n = probe_find_calls(code, len, entry, gopanic, rets, PROBE_MAX_RETS);
	if (n <= 0)
		return cw_error_set(err, "runtime.chansend: no call to runtime.gopanic found");
	for (int i = 0; i < n; i++)
		if (point(b, "runtime.chansend", entry, rets[i], &out->send_panics[i], err))
			return -1;
	out->nsend_panics = (size_t)n;

	/* selectgo's only panic is "send on closed channel" (the rest are throws). A program
	 * without a blocking select has no selectgo at all. */
	if (gobin_lookup_func(b, "runtime.selectgo", &entry, &end_unused))
		return 0;
	if (code_of(b, "runtime.selectgo", &entry, &code, &len, err))
		return -1;
	n = probe_find_calls(code, len, entry, gopanic, rets, PROBE_MAX_RETS);
	for (int i = 0; i < n; i++)
		if (point(b, "runtime.selectgo", entry, rets[i], &out->select_panics[i], err))
			return -1;
	out->nselect_panics = n > 0 ? (size_t)n : 0;
	return 0;
}
