// SPDX-License-Identifier: MIT
// One walk over a file's syntax tree: every function's channel variables, what is done to
// them and in which goroutine, its go statements and returns; struct fields of chan type.
#define _GNU_SOURCE
#include "lint/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/grow.h"
#include "lib/banned.h"

#define MAX_NESTING 800 /* deeper syntax is not followed (hostile input) */

/* What the parent does with the expression being visited. */
enum role {
	R_NONE,	   /* any other use: a channel here escapes */
	R_SEND,	   /* ch <- v */
	R_RECV,	   /* <-ch */
	R_CLOSE,   /* close(ch) */
	R_RANGE,   /* range ch */
	R_NEUTRAL, /* len(ch), cap(ch), x.f's operand, a callee: nothing to record */
	R_NILCMP,  /* ch == nil */
	R_CALLARG, /* f(ch), f a plain identifier */
	R_GOARG,   /* go f(ch) */
	R_ASSIGN,  /* ch = ... */
	R_RETURN,  /* return ch */
};

struct walker {
	struct package_ctx *p;
	const struct src_file *f;
	struct func *fn; /* NULL outside functions */
	uint16_t ctx;
	uint32_t loop, breakable;
	uint32_t comm_select; /* inside a select case's communication: the select (start+1) */
	TSPoint comm_point;   /* ... its position */
	uint32_t case_start, case_end; /* ... the case's span */
	bool other_continues;	       /* ... another case of it does not end the function */
	bool others_exit;	       /* ... its other cases all end the process */
	uint16_t sel_cases;	       /* ... its number of cases */
	bool comm_alt;		       /* ... which has another case or a default */
	bool deferred;		       /* inside a defer statement's call */
	const char *callee;
	uint32_t callee_len;
	int argi;
	int32_t *scope; /* visible syms, innermost last */
	size_t nscope, scope_alloc;
	int depth;
};

static TSNode field_of(TSNode n, TSFieldId id)
{
	return ts_field(n, id);
}

static bool is_sym(TSNode n, TSSymbol s)
{
	return !ts_node_is_null(n) && ts_node_symbol(n) == s;
}

static void visit(struct walker *w, TSNode n, enum role role);

static void visit_children(struct walker *w, TSNode n, enum role role)
{
	uint32_t count = ts_nnamed(n);
	for (uint32_t i = 0; i < count; i++)
		visit(w, ts_named(n, i), role);
}

static int32_t lookup(const struct walker *w, const char *name, uint32_t len)
{
	for (size_t i = w->nscope; i-- > 0;) {
		const struct sym *s = &w->fn->syms[w->scope[i]];
		if (s->len == len && !memcmp(s->name, name, len))
			return w->scope[i];
	}
	return -1;
}

static int32_t lookup_node(const struct walker *w, TSNode id)
{
	uint32_t len;
	const char *t;
	if (!w->fn || !is_sym(id, G.identifier))
		return -1;
	t = node_text(w->f, id, &len);
	return lookup(w, t, len);
}

static int32_t declare(struct walker *w, TSNode id, enum sym_kind kind)
{
	struct sym *s;
	int32_t i;
	if (!w->fn || !is_sym(id, G.identifier))
		return -1;
	w->fn->syms =
	    grow_array(w->fn->syms, &w->fn->syms_alloc, w->fn->nsyms + 1, sizeof(*w->fn->syms));
	i = (int32_t)w->fn->nsyms++;
	s = &w->fn->syms[i];
	memset(s, 0, sizeof(*s));
	s->name = node_text(w->f, id, &s->len);
	s->decl_byte = ts_node_start_byte(id);
	s->ctx = w->ctx;
	s->kind = (uint8_t)kind;
	s->param_index = -1;
	s->cap = CAP_UNKNOWN;
	if (s->len == 1 && s->name[0] == '_') {
		w->fn->nsyms--;
		return -1;
	}
	w->scope = grow_array(w->scope, &w->scope_alloc, w->nscope + 1, sizeof(*w->scope));
	w->scope[w->nscope++] = i;
	return i;
}

static struct op *add_op(struct walker *w, enum op_kind kind, int32_t sym, TSNode at)
{
	struct func *fn = w->fn;
	struct op *o;
	TSPoint pt = ts_node_start_point(at);
	if (!fn)
		return NULL;
	fn->ops = grow_array(fn->ops, &fn->ops_alloc, fn->nops + 1, sizeof(*fn->ops));
	o = &fn->ops[fn->nops++];
	memset(o, 0, sizeof(*o));
	o->kind = (uint8_t)kind;
	o->ctx = w->ctx;
	o->sym = sym;
	o->byte = ts_node_start_byte(at);
	o->row = pt.row;
	o->col = pt.column;
	o->loop = w->loop;
	o->argi = -1;
	o->root = -1;
	if (w->comm_select) {
		o->select = w->comm_select;
		o->sel_row = w->comm_point.row;
		o->sel_col = w->comm_point.column;
		o->case_start = w->case_start;
		o->case_end = w->case_end;
		o->sel_cases = w->sel_cases;
		if (w->other_continues)
			o->flags |= OPF_OTHER_CONTINUES;
		if (w->others_exit)
			o->flags |= OPF_OTHERS_EXIT;
		o->flags |= OPF_IN_SELECT | (w->comm_alt ? OPF_SELECT_ALT : 0);
	}
	if (w->deferred)
		o->flags |= OPF_DEFER;
	return o;
}

static struct field_facts *field_facts_of(struct walker *w, TSNode field_id)
{
	uint32_t len;
	const char *name = node_text(w->f, field_id, &len);
	uint64_t h = hash_bytes(name, len, HASH_SEED);
	bool inserted;
	struct hashmap_entry *e = hashmap_put(&w->p->fields, name, len, h, &inserted);
	if (inserted) {
		e->value = arena_alloc(w->p->arena, sizeof(struct field_facts));
		((struct field_facts *)e->value)->exported =
		    len && name[0] >= 'A' && name[0] <= 'Z';
	}
	return e->value;
}

/* make(chan T[, N]): true, with *cap the constant N (0 without), CAP_UNKNOWN otherwise. */
static bool is_make_chan(const struct walker *w, TSNode n, int64_t *cap)
{
	TSNode fn, args, first, second;
	if (!is_sym(n, G.call_expression))
		return false;
	fn = field_of(n, G.f_function);
	args = field_of(n, G.f_arguments);
	if (!is_sym(fn, G.identifier) || !node_is(w->f, fn, "make") || ts_node_is_null(args))
		return false;
	first = ts_named(args, 0);
	if (!is_sym(first, G.channel_type))
		return false;
	*cap = 0;
	if (ts_nnamed(args) > 1) {
		second = ts_named(args, 1);
		*cap = CAP_UNKNOWN;
		if (is_sym(second, G.int_literal)) {
			uint32_t len;
			const char *t = node_text(w->f, second, &len);
			int64_t v = 0;
			bool ok = len > 0 && len < 10;
			for (uint32_t i = 0; ok && i < len; i++) {
				if (t[i] == '_')
					continue;
				ok = t[i] >= '0' && t[i] <= '9';
				v = v * 10 + (t[i] - '0');
			}
			if (ok && !(len > 1 && t[0] == '0'))
				*cap = v;
		}
	}
	return true;
}

/*
 * The value of a constant duration expression: time.Second, 5 * time.Second, 100*time.Millisecond,
 * a bare integer (nanoseconds). INT64_MAX when it is not one of these (a variable): unknown
 * counts as long. Timers shorter than a second fire before many can pile up.
 */
static int64_t const_duration_ns(const struct walker *w, TSNode n)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {{"Nanosecond", 1},		{"Microsecond", 1000},
		     {"Millisecond", 1000000},	{"Second", 1000000000LL},
		     {"Minute", 60000000000LL}, {"Hour", 3600000000000LL}};
	if (is_sym(n, G.parenthesized_expression))
		return const_duration_ns(w, ts_named(n, 0));
	if (is_sym(n, G.int_literal)) {
		uint32_t len;
		const char *t = node_text(w->f, n, &len);
		int64_t v = 0;
		for (uint32_t i = 0; i < len && i < 18; i++) {
			if (t[i] < '0' || t[i] > '9')
				return INT64_MAX;
			v = v * 10 + (t[i] - '0');
		}
		return v;
	}
	if (is_sym(n, G.selector_expression) && node_is(w->f, field_of(n, G.f_operand), "time")) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (node_is(w->f, field_of(n, G.f_field), units[i].name))
				return units[i].ns;
		return INT64_MAX;
	}
	if (is_sym(n, G.binary_expression) && node_is(w->f, field_of(n, G.f_operator), "*")) {
		int64_t a = const_duration_ns(w, field_of(n, G.f_left));
		int64_t b = const_duration_ns(w, field_of(n, G.f_right));
		if (a == INT64_MAX || b == INT64_MAX || (a && b > INT64_MAX / a))
			return INT64_MAX;
		return a * b;
	}
	return INT64_MAX;
}

static bool is_call_to(const struct walker *w, TSNode n, const char *name)
{
	return is_sym(n, G.call_expression) && node_is(w->f, field_of(n, G.f_function), name);
}

static void mark_made(struct walker *w, int32_t s, TSNode make, int64_t cap)
{
	struct sym *sy = &w->fn->syms[s];
	TSPoint pt = ts_node_start_point(make);
	sy->made = true;
	sy->chan_decl = true;
	sy->cap = cap;
	sy->make_row = pt.row;
	sy->make_col = pt.column;
	sy->make_byte = ts_node_start_byte(make);
	sy->make_loop = w->loop;
}

static void mark_ticker(struct walker *w, int32_t s, TSNode call)
{
	TSPoint pt = ts_node_start_point(call);
	w->fn->syms[s].ticker = true;
	w->fn->syms[s].tick_row = pt.row;
	w->fn->syms[s].tick_col = pt.column;
	w->fn->syms[s].tick_byte = ts_node_start_byte(call);
}

static void visit_identifier(struct walker *w, TSNode n, enum role role)
{
	int32_t s = lookup_node(w, n);
	struct op *o;
	if (s < 0)
		return;
	switch (role) {
	case R_SEND:
		add_op(w, OP_SEND, s, n);
		break;
	case R_RECV:
		add_op(w, OP_RECV, s, n);
		break;
	case R_CLOSE:
		add_op(w, OP_CLOSE, s, n);
		break;
	case R_RANGE:
		add_op(w, OP_RANGE, s, n);
		break;
	case R_NEUTRAL:
		break;
	case R_NILCMP:
		add_op(w, OP_NILCMP, s, n);
		break;
	case R_CALLARG:
	case R_GOARG:
		o = add_op(w, role == R_GOARG ? OP_GOARG : OP_CALLARG, s, n);
		if (o) {
			o->callee = w->callee;
			o->callee_len = w->callee_len;
			o->argi = w->argi;
		}
		break;
	case R_ASSIGN:
		add_op(w, OP_ASSIGN, s, n);
		if (w->fn->syms[s].ctx != w->ctx)
			w->fn->syms[s].closure_assign = true;
		break;
	case R_RETURN:
		add_op(w, OP_RETURN, s, n);
		break;
	case R_NONE:
		add_op(w, OP_ESCAPE, s, n);
		break;
	}
}

static void visit_selector(struct walker *w, TSNode n, enum role role)
{
	TSNode fld = field_of(n, G.f_field);
	struct field_facts *ff = NULL;
	if (is_sym(fld, G.field_identifier)) {
		ff = field_facts_of(w, fld);
		if (role == R_CLOSE || role == R_SEND || role == R_ASSIGN) {
			struct op *o = add_op(w,
					      role == R_CLOSE  ? OP_CLOSE
					      : role == R_SEND ? OP_SEND
							       : OP_ASSIGN,
					      -1, n);
			if (o) {
				TSNode root = field_of(n, G.f_operand);
				while (is_sym(root, G.selector_expression))
					root = field_of(root, G.f_operand);
				o->key = node_text(w->f, n, &o->key_len);
				o->root = lookup_node(w, root);
				/* a[i].ch names another channel for each i: not one path to follow
				 */
				if (memchr(o->key, '[', o->key_len) ||
				    memchr(o->key, '(', o->key_len))
					o->key = NULL;
			}
		}
		if (role == R_CLOSE) {
			ff->closed = true;
		} else if (role == R_RANGE) {
			if (ff->nranges < 8) {
				struct op *o = add_op(w, OP_RANGE, -1, n);
				if (o) {
					ff->ranges[ff->nranges] = *o;
					ff->range_funcs[ff->nranges] =
					    (uint32_t)(w->fn - w->p->funcs);
					ff->range_files[ff->nranges++] = w->f;
					w->fn->nops--; /* kept in the field facts only */
				}
			}
		} else if (role == R_NONE || role == R_CALLARG || role == R_GOARG ||
			   role == R_ASSIGN) {
			ff->escapes = true;
		}
	}
	visit(w, field_of(n, G.f_operand), R_NEUTRAL);
}

static uint16_t push_ctx(struct walker *w, TSNode lit, enum gctx_kind kind)
{
	struct func *fn = w->fn;
	struct gctx *c;
	fn->ctxs = grow_array(fn->ctxs, &fn->ctxs_alloc, fn->nctxs + 1, sizeof(*fn->ctxs));
	c = &fn->ctxs[fn->nctxs];
	memset(c, 0, sizeof(*c));
	c->kind = (uint8_t)kind;
	c->parent = w->ctx;
	c->byte = ts_node_start_byte(lit);
	c->end = ts_node_end_byte(lit);
	c->body = field_of(lit, G.f_body);
	return (uint16_t)fn->nctxs++;
}

static void declare_params(struct walker *w, TSNode params)
{
	uint32_t count = ts_nnamed(params);
	int index = 0;
	for (uint32_t i = 0; i < count; i++) {
		TSNode d = ts_named(params, i);
		TSNode type = field_of(d, G.f_type);
		uint32_t nn = ts_nnamed(d);
		bool any = false;
		for (uint32_t k = 0; k < nn; k++) {
			TSNode id = ts_named(d, k);
			int32_t s;
			if (!is_sym(id, G.identifier))
				continue;
			any = true;
			s = declare(w, id, SYM_PARAM);
			if (s >= 0) {
				w->fn->syms[s].param_index = index;
				w->fn->syms[s].chan_decl = is_sym(type, G.channel_type);
			}
			index++;
		}
		if (!any)
			index++;
	}
	if (w->ctx == 0)
		w->fn->nparams = index;
}

/* A func literal: its own goroutine context and scope. */
static void visit_literal(struct walker *w, TSNode lit, enum gctx_kind kind)
{
	struct walker saved = *w;
	size_t scope_mark = w->nscope;
	if (!w->fn || w->fn->nctxs >= UINT16_MAX - 1)
		return;
	w->ctx = push_ctx(w, lit, kind);
	w->loop = w->breakable = 0;
	w->comm_select = 0;
	w->deferred = false;
	declare_params(w, field_of(lit, G.f_parameters));
	visit(w, field_of(lit, G.f_body), R_NONE);
	w->nscope = scope_mark;
	w->ctx = saved.ctx;
	w->loop = saved.loop;
	w->breakable = saved.breakable;
	w->comm_select = saved.comm_select;
	w->comm_alt = saved.comm_alt;
	w->deferred = saved.deferred;
}

static void visit_args(struct walker *w, TSNode args, enum role role, const char *callee,
		       uint32_t callee_len)
{
	uint32_t count = ts_nnamed(args);
	for (uint32_t i = 0; i < count; i++) {
		w->callee = callee;
		w->callee_len = callee_len;
		w->argi = (int)i;
		visit(w, ts_named(args, i), role);
	}
}

/* Sets flag on the ops of kind that were added since index first (by the visit just made). */
static void flag_ops_since(struct walker *w, size_t first, enum op_kind kind, uint8_t flag)
{
	for (size_t k = first; w->fn && k < w->fn->nops; k++)
		if (w->fn->ops[k].kind == kind)
			w->fn->ops[k].flags |= flag;
}

/* a and b are the same source text (identifiers, selectors). */
static bool same_text(const struct walker *w, TSNode a, TSNode b)
{
	uint32_t la, lb;
	const char *ta = node_text(w->f, a, &la), *tb = node_text(w->f, b, &lb);
	return !ts_node_is_null(a) && !ts_node_is_null(b) && la == lb && !memcmp(ta, tb, la);
}

/* In block (a case, a block), before byte end: `x = nil`, or with made `x = make(...)`. */
static bool assigns_in(const struct walker *w, TSNode block, TSNode x, uint32_t end, bool made)
{
	uint32_t count = ts_node_named_child_count(block);
	for (uint32_t i = 0; i < count; i++) {
		TSNode c = ts_node_named_child(block, i), l, r;
		if (ts_node_start_byte(c) >= end || !is_sym(c, G.assignment_statement))
			continue;
		l = field_of(c, G.f_left);
		r = field_of(c, G.f_right);
		if (ts_node_named_child_count(l) != 1 || ts_node_named_child_count(r) != 1 ||
		    !same_text(w, ts_node_named_child(l, 0), x))
			continue;
		r = ts_node_named_child(r, 0);
		if (made ? is_sym(r, G.call_expression) : is_sym(r, G.nil))
			return true;
	}
	return false;
}

/* The x of `x == nil` somewhere in cond, else a null node. */
static TSNode nil_test_of(const struct walker *w, TSNode cond, int depth)
{
	TSNode none = {0};
	if (ts_node_is_null(cond) || depth > 6)
		return none;
	if (is_sym(cond, G.binary_expression) &&
	    node_is(w->f, field_of(cond, G.f_operator), "==")) {
		if (is_sym(field_of(cond, G.f_right), G.nil))
			return field_of(cond, G.f_left);
		if (is_sym(field_of(cond, G.f_left), G.nil))
			return field_of(cond, G.f_right);
	}
	for (uint32_t i = 0; i < ts_node_named_child_count(cond); i++) {
		TSNode x = nil_test_of(w, ts_node_named_child(cond, i), depth + 1);
		if (!ts_node_is_null(x))
			return x;
	}
	return none;
}

/*
 * The go statement starts one goroutine at a time although it sits in a loop: in a select
 * case that disables itself (`case <-tick: tick = nil; go ...`, re-enabled when the result
 * is in: testify's Eventually), or under `if x == nil { x = make(...); go ... }` (a worker
 * started only when none runs).
 */
static bool single_flight(const struct walker *w, TSNode stmt)
{
	TSNode parent = ts_node_parent(stmt);
	if (is_sym(parent, G.communication_case)) {
		TSNode comm = field_of(parent, G.f_communication), x = {0};
		if (is_sym(comm, G.receive_statement))
			comm = field_of(comm, G.f_right);
		else if (is_sym(comm, G.expression_statement))
			comm = ts_node_named_child(comm, 0);
		if (is_sym(comm, G.unary_expression) &&
		    node_is(w->f, field_of(comm, G.f_operator), "<-"))
			x = field_of(comm, G.f_operand);
		if (!ts_node_is_null(x) &&
		    (is_sym(x, G.identifier) || is_sym(x, G.selector_expression)) &&
		    assigns_in(w, parent, x, ts_node_end_byte(parent), false))
			return true;
	}
	for (TSNode c = stmt, p = parent;
	     !ts_node_is_null(p) && !is_sym(p, G.func_literal) && !is_sym(p, G.for_statement);
	     c = p, p = ts_node_parent(p)) {
		TSNode x;
		if (!is_sym(p, G.if_statement) || !ts_node_eq(c, field_of(p, G.f_consequence)))
			continue;
		x = nil_test_of(w, field_of(p, G.f_condition), 0);
		if (!ts_node_is_null(x) && assigns_in(w, parent, x, ts_node_start_byte(stmt), true))
			return true;
	}
	return false;
}

static void record_go(struct walker *w, TSNode stmt, uint16_t lit)
{
	struct func *fn = w->fn;
	struct gostmt *g;
	TSPoint pt = ts_node_start_point(stmt);
	if (!fn)
		return;
	fn->gos = grow_array(fn->gos, &fn->gos_alloc, fn->ngos + 1, sizeof(*fn->gos));
	g = &fn->gos[fn->ngos++];
	g->ctx = w->ctx;
	g->lit = lit;
	g->byte = ts_node_start_byte(stmt);
	g->row = pt.row;
	g->col = pt.column;
	g->loop = w->loop;
	if (lit) {
		fn->ctxs[lit].go_byte = g->byte;
		fn->ctxs[lit].go_row = g->row;
		fn->ctxs[lit].go_col = g->col;
		fn->ctxs[lit].go_loop = single_flight(w, stmt) ? 0 : w->loop;
	}
}

/* go CALL / defer CALL. */
static void visit_go_or_defer(struct walker *w, TSNode stmt, bool is_go)
{
	TSNode call = ts_named(stmt, 0), fn, args;
	if (!is_sym(call, G.call_expression)) {
		visit_children(w, stmt, R_NONE);
		return;
	}
	fn = field_of(call, G.f_function);
	args = field_of(call, G.f_arguments);
	if (is_sym(fn, G.func_literal)) {
		/* Arguments are evaluated now, in this goroutine. */
		if (!ts_node_is_null(args))
			visit_children(w, args, R_NONE);
		if (is_go && w->fn) {
			uint16_t lit = (uint16_t)w->fn->nctxs;
			visit_literal(w, fn, CTX_GO);
			record_go(w, stmt, lit);
		} else {
			visit_literal(w, fn, is_go ? CTX_GO : CTX_DEFER);
		}
		return;
	}
	if (is_go) {
		record_go(w, stmt, 0);
		if (is_sym(fn, G.identifier) && lookup_node(w, fn) < 0) {
			uint32_t len;
			const char *name = node_text(w->f, fn, &len);
			if (!ts_node_is_null(args))
				visit_args(w, args, R_GOARG, name, len);
			return;
		}
		visit(w, fn, R_NEUTRAL);
		if (!ts_node_is_null(args))
			visit_children(w, args, R_NONE);
		return;
	}
	w->deferred = true;
	visit(w, call, R_NONE);
	w->deferred = false;
}

/* A comparison by == or >= in cond, not with nil (len(done) == len(jobs), n >= total). */
static bool has_count_test(const struct walker *w, TSNode cond, int depth)
{
	uint32_t count;
	if (ts_node_is_null(cond) || depth > 8 || is_sym(cond, G.func_literal))
		return false;
	if (is_sym(cond, G.binary_expression)) {
		TSNode op = field_of(cond, G.f_operator);
		if ((node_is(w->f, op, "==") || node_is(w->f, op, ">=")) &&
		    !is_sym(field_of(cond, G.f_left), G.nil) &&
		    !is_sym(field_of(cond, G.f_right), G.nil))
			return true;
	}
	count = ts_node_named_child_count(cond);
	for (uint32_t i = 0; i < count; i++)
		if (has_count_test(w, ts_node_named_child(cond, i), depth + 1))
			return true;
	return false;
}

/* n sits in the then-branch of an if that tests a count, inside its own function. */
static bool under_count_test(const struct walker *w, TSNode n)
{
	for (TSNode c = n, p = ts_node_parent(n); !ts_node_is_null(p);
	     c = p, p = ts_node_parent(p)) {
		if (is_sym(p, G.func_literal) || is_sym(p, G.function_declaration) ||
		    is_sym(p, G.method_declaration))
			return false;
		if (is_sym(p, G.if_statement) && ts_node_eq(c, field_of(p, G.f_consequence)) &&
		    has_count_test(w, field_of(p, G.f_condition), 0))
			return true;
	}
	return false;
}

static void visit_call(struct walker *w, TSNode n)
{
	TSNode fn = field_of(n, G.f_function), args = field_of(n, G.f_arguments);
	uint32_t len;
	const char *name;

	if (is_sym(fn, G.func_literal)) {
		if (!ts_node_is_null(args))
			visit_children(w, args, R_NONE);
		visit_literal(w, fn, CTX_OTHER);
		return;
	}
	if (ts_node_is_null(args)) {
		visit(w, fn, R_NEUTRAL);
		return;
	}
	if (is_sym(fn, G.identifier) && lookup_node(w, fn) < 0) {
		name = node_text(w->f, fn, &len);
		if (len == 5 && !memcmp(name, "close", 5)) {
			size_t first = w->fn ? w->fn->nops : 0;
			bool counted = w->fn && under_count_test(w, n);
			visit_children(w, args, R_CLOSE);
			if (counted)
				flag_ops_since(w, first, OP_CLOSE, OPF_COUNTED);
		} else if ((len == 3 && (!memcmp(name, "len", 3) || !memcmp(name, "cap", 3))))
			visit_children(w, args, R_NEUTRAL);
		else if (len == 4 && !memcmp(name, "make", 4))
			visit_children(w, args, R_NEUTRAL);
		else
			visit_args(w, args, R_CALLARG, name, len);
		return;
	}
	if (is_sym(fn, G.selector_expression)) {
		TSNode operand = field_of(fn, G.f_operand), fld = field_of(fn, G.f_field);
		int32_t s = lookup_node(w, operand);
		if (node_is(w->f, fld, "Wait") && ts_nnamed(args) == 0)
			add_op(w, OP_WAIT, -1, n);
		if (s >= 0 && w->fn->syms[s].ticker && node_is(w->f, fld, "Stop"))
			add_op(w, OP_STOP, s, n);
		else if (s >= 0)
			add_op(w, OP_METHOD, s, operand);
		else if (s < 0 && call_exits_process(w->f, n))
			add_op(w, OP_EXIT, -1, n);
		else if (is_sym(operand, G.identifier) && node_is(w->f, operand, "time") && s < 0) {
			if (node_is(w->f, fld, "After") && w->comm_select &&
			    const_duration_ns(w, ts_named(args, 0)) >= 1000000000LL)
				add_op(w, OP_TIME_AFTER, -1, n);
			else if (node_is(w->f, fld, "Tick"))
				add_op(w, OP_TIME_TICK, -1, n);
		}
		visit(w, operand, R_NEUTRAL);
		visit_children(w, args, R_NONE);
		return;
	}
	visit(w, fn, R_NONE);
	visit_children(w, args, R_NONE);
}

/* x := ..., x, y := ...: the right side first, then the names (Go's scoping). */
static void visit_short_var(struct walker *w, TSNode n)
{
	TSNode left = field_of(n, G.f_left), right = field_of(n, G.f_right);
	uint32_t nl = ts_nnamed(left), nr = ts_nnamed(right);
	visit(w, right, R_NONE);
	/* A name already declared in this scope is assigned, not redeclared; treating it as a
	 * new variable only splits its facts, which makes the rules quieter, never louder. */
	for (uint32_t i = 0; i < nl; i++) {
		TSNode id = ts_named(left, i), val = {0};
		int64_t cap;
		int32_t s = declare(w, id, SYM_LOCAL);
		if (s < 0)
			continue;
		if (nl == nr)
			val = ts_named(right, i);
		if (!ts_node_is_null(val) && is_make_chan(w, val, &cap)) {
			mark_made(w, s, val, cap);
		} else if (!ts_node_is_null(val) && is_call_to(w, val, "time.NewTicker")) {
			mark_ticker(w, s, val);
		} else if (is_sym(val, G.call_expression) &&
			   is_sym(field_of(val, G.f_function), G.identifier) &&
			   lookup_node(w, field_of(val, G.f_function)) < 0) {
			TSPoint pt = ts_node_start_point(val);
			w->fn->syms[s].from_call = node_text(w->f, field_of(val, G.f_function),
							     &w->fn->syms[s].from_call_len);
			w->fn->syms[s].make_row = pt.row;
			w->fn->syms[s].make_col = pt.column;
		}
	}
}

static void visit_assignment(struct walker *w, TSNode n)
{
	TSNode left = field_of(n, G.f_left), right = field_of(n, G.f_right);
	uint32_t nl = ts_nnamed(left), nr = ts_nnamed(right);
	visit(w, right, R_NONE);
	for (uint32_t i = 0; i < nl; i++) {
		TSNode l = ts_named(left, i), val = {0};
		int64_t cap;
		if (nl == nr)
			val = ts_named(right, i);
		if (is_sym(l, G.selector_expression) && !ts_node_is_null(val) &&
		    is_make_chan(w, val, &cap)) {
			struct op *o = add_op(w, OP_ASSIGN, -1, l);
			if (o) {
				TSNode root = field_of(l, G.f_operand);
				while (is_sym(root, G.selector_expression))
					root = field_of(root, G.f_operand);
				o->key = node_text(w->f, l, &o->key_len);
				o->root =
				    lookup_node(w, root); /* as the close's: x.f is keyed by x */
			}
			visit(w, field_of(l, G.f_operand), R_NEUTRAL);
			continue;
		}
		if (is_sym(l, G.identifier)) {
			int32_t s = lookup_node(w, l);
			visit(w, l, R_ASSIGN);
			if (s >= 0 && !ts_node_is_null(val) && is_make_chan(w, val, &cap) &&
			    w->fn->syms[s].nil_decl && !w->fn->syms[s].made)
				w->fn->syms[s].cap = cap;
			continue;
		}
		visit(w, l, R_ASSIGN);
	}
}

static void visit_var_spec(struct walker *w, TSNode n)
{
	TSNode type = field_of(n, G.f_type), value = field_of(n, G.f_value);
	uint32_t count = ts_nnamed(n), nv = 0, k = 0;
	if (!ts_node_is_null(value)) {
		nv = ts_nnamed(value);
		visit(w, value, R_NONE);
	}
	for (uint32_t i = 0; i < count; i++) {
		TSNode id = ts_named(n, i);
		int32_t s;
		int64_t cap;
		if (!is_sym(id, G.identifier))
			continue;
		s = declare(w, id, SYM_LOCAL);
		if (s >= 0) {
			struct sym *sy = &w->fn->syms[s];
			sy->chan_decl = is_sym(type, G.channel_type);
			sy->nil_decl = sy->chan_decl && ts_node_is_null(value);
			if (k < nv) {
				TSNode val = ts_named(value, k);
				if (is_make_chan(w, val, &cap))
					mark_made(w, s, val, cap);
			}
		}
		k++;
	}
}

/* The channel a case receives from is a shutdown signal (ctx.Done(), stop, done, quit...):
 * it fires once, so it does not make a loop go round again and again. */
static bool case_is_shutdown(const struct walker *w, TSNode c)
{
	static const char *const words[] = {"done",   "stop", "quit", "shutdown", "clos",  "exit",
					    "cancel", "term", "die",  "kill",	  "finish"};
	TSNode comm = field_of(c, G.f_communication), right, ch;
	uint32_t len;
	const char *t;
	if (!is_sym(comm, G.receive_statement))
		return false;
	right = field_of(comm, G.f_right);
	ch = field_of(right, G.f_operand);
	if (is_sym(ch, G.call_expression))
		ch = field_of(ch, G.f_function); /* ctx.Done() */
	if (is_sym(ch, G.selector_expression))
		ch = field_of(ch, G.f_field);
	t = node_text(w->f, ch, &len);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t wl = strlen(words[i]);
		for (uint32_t k = 0; k + wl <= len; k++)
			if (!strncasecmp(t + k, words[i], wl))
				return true;
	}
	return false;
}

/* The call a case ends with (its last statement), or a null node. */
static TSNode case_last_call(TSNode c)
{
	uint32_t n = ts_nnamed(c);
	TSNode none = {0}, last = n ? ts_named(c, n - 1) : none;
	return is_sym(last, G.expression_statement) ? ts_named(last, 0) : none;
}

/* The case ends the function (return, goto, a call that never returns), or leaves the loop
 * by a labelled break. */
static bool case_ends_function(const struct walker *w, TSNode c)
{
	uint32_t n = ts_nnamed(c);
	TSNode none = {0}, last = n ? ts_named(c, n - 1) : none;
	if (is_sym(last, G.return_statement) || is_sym(last, G.goto_statement) ||
	    (is_sym(last, G.break_statement) && ts_nnamed(last)))
		return true;
	return call_never_returns(w->f, case_last_call(c));
}

/* The case ends the process: its last statement is os.Exit(...) or log.Fatal...(...). */
static bool case_exits_process(const struct walker *w, TSNode c)
{
	return call_exits_process(w->f, case_last_call(c));
}

static void visit_select(struct walker *w, TSNode n)
{
	uint32_t count = ts_nnamed(n), cases = 0, continuing = 0, exiting = 0;
	uint32_t saved_break = w->breakable;
	for (uint32_t i = 0; i < count; i++) {
		TSNode c = ts_named(n, i);
		TSSymbol s = ts_node_symbol(c);
		bool is_case = s == G.communication_case || s == G.default_case;
		cases += is_case;
		continuing += is_case && !case_ends_function(w, c) && !case_is_shutdown(w, c);
		exiting += is_case && case_exits_process(w, c);
	}
	if (cases == 0)
		add_op(w, OP_SELECT0, -1, n);
	w->breakable = ts_node_start_byte(n) + 1;
	for (uint32_t i = 0; i < count; i++) {
		TSNode c = ts_named(n, i);
		size_t mark = w->nscope;
		if (is_sym(c, G.communication_case)) {
			TSNode comm = field_of(c, G.f_communication);
			uint32_t nc = ts_nnamed(c);
			w->comm_select = ts_node_start_byte(n) + 1;
			w->comm_point = ts_node_start_point(n);
			w->comm_alt = cases > 1;
			w->case_start = ts_node_start_byte(c);
			w->case_end = ts_node_end_byte(c);
			w->sel_cases = (uint16_t)(cases > UINT16_MAX ? UINT16_MAX : cases);
			w->other_continues =
			    continuing >
			    ((case_ends_function(w, c) || case_is_shutdown(w, c)) ? 0u : 1u);
			w->others_exit =
			    cases > 1 && exiting == cases - 1 && !case_exits_process(w, c);
			/* A select followed by return runs once, not once per iteration. */
			if (is_sym(ts_node_next_named_sibling(n), G.return_statement))
				w->other_continues = false;
			if (is_sym(comm, G.receive_statement)) {
				TSNode left = field_of(comm, G.f_left),
				       right = field_of(comm, G.f_right);
				bool define = false;
				uint32_t all = ts_nchild(comm);
				for (uint32_t k = 0; k < all; k++)
					if (!ts_node_is_named(ts_child(comm, k)) &&
					    node_is(w->f, ts_child(comm, k), ":="))
						define = true;
				visit(w, right, R_NONE);
				w->comm_select = 0;
				if (!ts_node_is_null(left)) {
					uint32_t nl = ts_nnamed(left);
					for (uint32_t k = 0; k < nl; k++) {
						TSNode id = ts_named(left, k);
						if (define)
							declare(w, id, SYM_LOCAL);
						else
							visit(w, id, R_ASSIGN);
					}
				}
			} else {
				visit(w, comm, R_NONE);
			}
			w->comm_select = 0;
			for (uint32_t k = 0; k < nc; k++) {
				TSNode st = ts_named(c, k);
				if (!ts_node_eq(st, comm))
					visit(w, st, R_NONE);
			}
		} else {
			visit_children(w, c, R_NONE);
		}
		w->nscope = mark;
	}
	w->breakable = saved_break;
}

/* range t.C with t a time.NewTicker: a ticker's channel is never closed. */
static bool ranges_over_ticker(const struct walker *w, TSNode right)
{
	int32_t s;
	if (!is_sym(right, G.selector_expression) ||
	    !node_is(w->f, field_of(right, G.f_field), "C"))
		return false;
	s = lookup_node(w, field_of(right, G.f_operand));
	return s >= 0 && w->fn->syms[s].ticker;
}

static void visit_for(struct walker *w, TSNode n)
{
	uint32_t count = ts_nnamed(n);
	uint32_t saved_loop = w->loop, saved_break = w->breakable;
	size_t mark = w->nscope;
	TSNode body = field_of(n, G.f_body);
	/* for {} only; a condition or a for clause bounds it, a range unless over a channel */
	bool unbounded = ts_nnamed(n) <= 1;
	for (uint32_t i = 0; i < count; i++) {
		TSNode c = ts_named(n, i);
		if (ts_node_eq(c, body))
			continue;
		if (is_sym(c, G.range_clause)) {
			TSNode left = field_of(c, G.f_left), right = field_of(c, G.f_right);
			TSNode callee = field_of(right, G.f_function);
			int32_t rs = lookup_node(w, right);
			bool define = false;
			unbounded = (rs >= 0 && w->fn->syms[rs].chan_decl) ||
				    is_call_to(w, right, "time.Tick") ||
				    ranges_over_ticker(w, right);
			if (is_sym(right, G.call_expression) && is_sym(callee, G.identifier) &&
			    lookup_node(w, callee) < 0) {
				struct op *o = add_op(w, OP_RANGE_CALL, -1, right);
				if (o)
					o->callee = node_text(w->f, callee, &o->callee_len);
			}
			uint32_t all = ts_nchild(c);
			for (uint32_t k = 0; k < all; k++)
				if (!ts_node_is_named(ts_child(c, k)) &&
				    node_is(w->f, ts_child(c, k), ":="))
					define = true;
			/* The range expression is evaluated once, outside the loop. */
			visit(w, right, R_RANGE);
			if (!ts_node_is_null(left)) {
				uint32_t nl = ts_nnamed(left);
				for (uint32_t k = 0; k < nl; k++) {
					TSNode id = ts_named(left, k);
					if (define)
						declare(w, id, SYM_LOCAL);
					else
						visit(w, id, R_ASSIGN);
				}
			}
		} else {
			if (is_sym(c, G.for_clause))
				unbounded = ts_node_is_null(field_of(c, G.f_condition));
			else
				unbounded = false;
			w->loop = ts_node_start_byte(n) + 1;
			visit(w, c, R_NONE);
			w->loop = saved_loop;
		}
	}
	w->loop = ts_node_start_byte(n) + 1;
	w->breakable = w->loop;
	if (w->fn) {
		struct func *fn = w->fn;
		fn->loops =
		    grow_array(fn->loops, &fn->loops_alloc, fn->nloops + 1, sizeof(*fn->loops));
		fn->loops[fn->nloops].key = w->loop;
		fn->loops[fn->nloops].end = ts_node_end_byte(n);
		fn->loops[fn->nloops].ctx = w->ctx;
		fn->loops[fn->nloops++].unbounded = unbounded;
	}
	visit(w, body, R_NONE);
	w->loop = saved_loop;
	w->breakable = saved_break;
	w->nscope = mark;
}

static void record_jump(struct walker *w, TSNode n, bool is_break)
{
	struct func *fn = w->fn;
	struct jump *j;
	TSPoint pt = ts_node_start_point(n);
	if (!fn)
		return;
	fn->jumps = grow_array(fn->jumps, &fn->jumps_alloc, fn->njumps + 1, sizeof(*fn->jumps));
	j = &fn->jumps[fn->njumps++];
	j->ctx = w->ctx;
	j->is_break = is_break;
	j->byte = ts_node_start_byte(n);
	j->end = ts_node_end_byte(n);
	j->row = pt.row;
	j->col = pt.column;
	j->loop = w->loop;
	/* A labelled break may leave any enclosing statement: breakable unknown. */
	j->breakable = (is_break && ts_nnamed(n)) ? 0 : w->breakable;
}

static void visit_composite(struct walker *w, TSNode n)
{
	TSNode body = field_of(n, G.f_body);
	uint32_t count;
	visit(w, field_of(n, G.f_type), R_NEUTRAL);
	if (ts_node_is_null(body))
		return;
	count = ts_nnamed(body);
	for (uint32_t i = 0; i < count; i++) {
		TSNode el = ts_named(body, i);
		if (is_sym(el, G.keyed_element)) {
			TSNode key = ts_named(el, 0), val = ts_named(el, 1);
			TSNode keyid = ts_named(key, 0);
			TSNode v = ts_named(val, 0);
			int64_t cap;
			bool fieldkey = is_sym(keyid, G.identifier);
			if (!fieldkey)
				visit(w, key, R_NONE);
			if (fieldkey && !ts_node_is_null(v) && !is_make_chan(w, v, &cap))
				field_facts_of(w, keyid)->escapes =
				    true; /* set to an unseen channel */
			visit(w, val, R_NONE);
		} else {
			TSNode type = field_of(n, G.f_type);
			/* T{a, b}: values go to fields by position, which we cannot name */
			if (is_sym(type, G.type_identifier) || is_sym(type, G.qualified_type))
				w->p->positional_literals = true;
			visit(w, el, R_NONE);
		}
	}
}

static void visit_field_decl(struct walker *w, TSNode n)
{
	TSNode type = field_of(n, G.f_type);
	uint32_t count = ts_nnamed(n);
	if (!is_sym(type, G.channel_type))
		return;
	for (uint32_t i = 0; i < count; i++) {
		TSNode id = ts_named(n, i);
		if (is_sym(id, G.field_identifier))
			field_facts_of(w, id)->chan_type = true;
	}
}

/*
 * Test-file code go test never runs: an Example without an "Output:" comment (only compiled),
 * or a function whose first statement is t.Skip/SkipNow/Skipf.
 */
static bool function_never_runs(const struct walker *w, const struct func *fn, TSNode body)
{
	TSNode first = ts_named(body, 0), call, callee;
	uint32_t len;
	const char *text;
	if (!fn->in_test_file)
		return false;
	if (fn->name && fn->name_len >= 7 && !memcmp(fn->name, "Example", 7)) {
		text = node_text(w->f, body, &len);
		if (!memmem(text, len, "Output:", 7))
			return true;
	}
	if (!is_sym(first, G.expression_statement))
		return false;
	call = ts_named(first, 0);
	callee = field_of(call, G.f_function);
	if (!is_sym(call, G.call_expression) || !is_sym(callee, G.selector_expression))
		return false;
	callee = field_of(callee, G.f_field);
	return node_is(w->f, callee, "Skip") || node_is(w->f, callee, "SkipNow") ||
	       node_is(w->f, callee, "Skipf");
}

static void visit_function(struct walker *w, TSNode n, bool is_method)
{
	struct package_ctx *p = w->p;
	struct func *fn;
	TSNode name = field_of(n, G.f_name), body = field_of(n, G.f_body);
	struct walker saved = *w;

	if (ts_node_is_null(body))
		return;
	p->funcs = grow_array(p->funcs, &p->funcs_alloc, p->nfuncs + 1, sizeof(*p->funcs));
	fn = &p->funcs[p->nfuncs++];
	memset(fn, 0, sizeof(*fn));
	fn->file = w->f;
	fn->node = n;
	{
		size_t len = strlen(w->f->path);
		fn->in_test_file = len > 8 && !strcmp(w->f->path + len - 8, "_test.go");
	}
	if (!is_method && !ts_node_is_null(name)) {
		fn->name = node_text(w->f, name, &fn->name_len);
		fn->is_main_or_init = node_is(w->f, name, "main") || node_is(w->f, name, "init");
	}
	fn->never_runs = function_never_runs(w, fn, body);
	w->fn = fn;
	w->ctx = 0;
	w->loop = w->breakable = w->comm_select = 0;
	w->nscope = 0;
	fn->ctxs = grow_array(NULL, &fn->ctxs_alloc, 1, sizeof(*fn->ctxs));
	memset(&fn->ctxs[0], 0, sizeof(fn->ctxs[0]));
	fn->ctxs[0].kind = CTX_BODY;
	fn->ctxs[0].byte = ts_node_start_byte(n);
	fn->ctxs[0].end = ts_node_end_byte(n);
	fn->ctxs[0].body = body;
	fn->nctxs = 1;
	if (is_method) {
		TSNode recv = field_of(n, G.f_receiver);
		if (!ts_node_is_null(recv))
			declare_params(w, recv);
		w->fn->nparams = 0;
	}
	declare_params(w, field_of(n, G.f_parameters));
	if (is_method)
		fn->nparams = -1; /* methods are not followed as callees */
	visit(w, body, R_NONE);
	w->fn = saved.fn;
	w->ctx = saved.ctx;
	w->nscope = saved.nscope;
}

static void visit(struct walker *w, TSNode n, enum role role)
{
	TSSymbol s;
	if (ts_node_is_null(n) || w->depth > MAX_NESTING)
		return;
	w->depth++;
	s = ts_node_symbol(n);
	if (s == G.identifier) {
		visit_identifier(w, n, role);
	} else if (s == G.selector_expression) {
		visit_selector(w, n, role);
	} else if (s == G.parenthesized_expression) {
		visit_children(w, n, role);
	} else if (s == G.call_expression) {
		visit_call(w, n);
	} else if (s == G.unary_expression) {
		TSNode op = field_of(n, G.f_operator), operand = field_of(n, G.f_operand);
		if (node_is(w->f, op, "<-"))
			visit(w, operand, R_RECV);
		else if (node_is(w->f, op, "&"))
			visit(w, operand, R_NONE);
		else
			visit(w, operand, R_NONE);
	} else if (s == G.binary_expression) {
		TSNode op = field_of(n, G.f_operator), l = field_of(n, G.f_left),
		       r = field_of(n, G.f_right);
		bool cmp = node_is(w->f, op, "==") || node_is(w->f, op, "!=");
		visit(w, l, cmp && is_sym(r, G.nil) ? R_NILCMP : R_NONE);
		visit(w, r, cmp && is_sym(l, G.nil) ? R_NILCMP : R_NONE);
	} else if (s == G.send_statement) {
		TSNode ch = field_of(n, G.f_channel);
		uint32_t len;
		const char *t = node_text(w->f, ch, &len);
		/* (chan T)(nil) <- v */
		if (w->fn && len > 10 && t[0] == '(' && !memcmp(t + len - 5, "(nil)", 5) &&
		    (!memcmp(t + 1, "chan", 4) || !memcmp(t + 1, "<-chan", 6))) {
			TSPoint pt = ts_node_start_point(ch);
			finding_add(w->p, "CW106", w->f->path, pt.row, pt.column,
				    "send on a nil channel: blocks forever");
		}
		{
			size_t first = w->fn ? w->fn->nops : 0;
			TSNode next = ts_node_next_named_sibling(n);
			visit(w, ch, R_SEND);
			if (is_sym(next, G.break_statement) || is_sym(next, G.return_statement))
				flag_ops_since(w, first, OP_SEND, OPF_THEN_LEAVES);
		}
		{
			uint32_t saved = w->comm_select;
			w->comm_select = 0;
			visit(w, field_of(n, G.f_value), R_NONE);
			w->comm_select = saved;
		}
	} else if (s == G.go_statement || s == G.defer_statement) {
		visit_go_or_defer(w, n, s == G.go_statement);
	} else if (s == G.func_literal) {
		visit_literal(w, n, CTX_OTHER);
	} else if (s == G.select_statement) {
		visit_select(w, n);
	} else if (s == G.for_statement) {
		visit_for(w, n);
	} else if (s == G.expression_switch_statement || s == G.type_switch_statement) {
		uint32_t saved_break = w->breakable;
		size_t mark = w->nscope;
		w->breakable = ts_node_start_byte(n) + 1;
		visit_children(w, n, R_NONE);
		w->breakable = saved_break;
		w->nscope = mark;
	} else if (s == G.block || s == G.if_statement || s == G.expression_case ||
		   s == G.type_case || s == G.default_case) {
		size_t mark = w->nscope;
		visit_children(w, n, R_NONE);
		w->nscope = mark;
	} else if (s == G.short_var_declaration) {
		visit_short_var(w, n);
	} else if (s == G.assignment_statement) {
		visit_assignment(w, n);
	} else if (s == G.var_spec) {
		if (w->fn)
			visit_var_spec(w, n);
	} else if (s == G.return_statement) {
		TSNode list = ts_named(n, 0);
		record_jump(w, n, false);
		if (is_sym(list, G.expression_list) && ts_nnamed(list) == 1)
			visit(w, ts_named(list, 0), R_RETURN);
		else
			visit_children(w, n, R_NONE);
	} else if (s == G.break_statement) {
		record_jump(w, n, true);
	} else if (s == G.composite_literal) {
		visit_composite(w, n);
	} else if (s == G.field_declaration) {
		visit_field_decl(w, n);
	} else if (s == G.function_declaration || s == G.method_declaration) {
		visit_function(w, n, s == G.method_declaration);
	} else if (s == G.comment || s == G.int_literal || s == G.continue_statement ||
		   s == G.goto_statement) {
		/* nothing inside */
	} else {
		visit_children(w, n, role == R_NEUTRAL ? R_NEUTRAL : R_NONE);
	}
	w->depth--;
}

void facts_collect_file(struct package_ctx *p, const struct src_file *f)
{
	struct walker w = {.p = p, .f = f};
	visit(&w, ts_tree_root_node(f->tree), R_NONE);
	free(w.scope);
}

void func_release(struct func *fn)
{
	free(fn->syms);
	free(fn->ops);
	free(fn->ctxs);
	free(fn->jumps);
	free(fn->gos);
	free(fn->loops);
	memset(fn, 0, sizeof(*fn));
}
