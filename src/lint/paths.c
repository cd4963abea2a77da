// SPDX-License-Identifier: MIT
// Path-sensitive rules over one function: double close and close in a loop (CW103), send
// after close (CW104), operations on a nil channel (CW106). Each goroutine context (the body,
// each func literal) is walked on its own, statement by statement, carrying which tracked
// channels are closed or nil on some path and on every path; branches that return do not flow
// on, and mutually exclusive branches do not see each other's closes.
//
// A state that holds on some paths only (closed in one branch, made in one branch) is
// reported only where the operation is not under an if, switch or select that begins after
// the state arose: such a guard usually tests the same condition again (a flag, "already
// closed?", `if timeout == 0` after `if timeout != 0 { make }`), which a walk without values
// cannot follow. On real code those were nearly all false reports.
#define _GNU_SOURCE
#include "lint/internal.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hashmap.h"
#include "lib/banned.h"

#define MAX_BITS       64
#define MAX_FRAMES     64
#define MAX_WALK_DEPTH 400

struct pstate {
	uint64_t closed, nil, deferred;
	uint64_t must_closed; /* closed on every path (closed: on some path) */
	uint64_t must_nil;    /* nil on every path (nil: on some path) */
	bool dead;
};

struct frame {
	bool is_loop;
	struct pstate brk, cont;
};

struct pwalk {
	struct package_ctx *p;
	const struct func *fn;
	uint16_t ctx;
	struct u64map ops;	  /* start byte -> op index + 1 */
	int8_t *bit_of;		  /* per sym: bit, or -1 */
	int32_t sym_of[MAX_BITS]; /* -1 for a field path, named by key_of */
	const char *key_of[MAX_BITS];
	int32_t root_of[MAX_BITS]; /* a field path's leading variable, or -1 */
	uint32_t key_len[MAX_BITS];
	int nbits;
	uint64_t nil_ok; /* bits whose nil state is followed (see choose_bits) */
	uint32_t close_row[MAX_BITS], close_col[MAX_BITS], close_byte[MAX_BITS];
	uint32_t nil_byte[MAX_BITS]; /* where the nil declaration is */
	struct frame frames[MAX_FRAMES];
	int nframes;
	int depth;
};

static const struct pstate DEAD = {.dead = true};

static struct pstate merge(struct pstate a, struct pstate b)
{
	if (a.dead)
		return b;
	if (b.dead)
		return a;
	a.closed |= b.closed;
	a.must_closed &= b.must_closed;
	a.nil |= b.nil;
	a.must_nil &= b.must_nil;
	a.deferred |= b.deferred;
	return a;
}

static bool is_sym(TSNode n, TSSymbol s)
{
	return !ts_node_is_null(n) && ts_node_symbol(n) == s;
}

/* The op recorded at node n's start, of kind, or NULL. */
static const struct op *op_at(const struct pwalk *w, TSNode n, enum op_kind kind)
{
	uint64_t idx;
	if (ts_node_is_null(n) || !u64map_get(&w->ops, ts_node_start_byte(n), &idx))
		return NULL;
	for (size_t i = idx - 1; i < w->fn->nops && w->fn->ops[i].byte == ts_node_start_byte(n);
	     i++)
		if (w->fn->ops[i].kind == kind && w->fn->ops[i].ctx == w->ctx)
			return &w->fn->ops[i];
	return NULL;
}

static int bit_at(const struct pwalk *w, const struct op *o)
{
	if (!o)
		return -1;
	if (o->sym >= 0)
		return w->bit_of[o->sym];
	for (int b = 0; o->key && b < w->nbits; b++)
		if (w->sym_of[b] < 0 && w->key_len[b] == o->key_len && w->root_of[b] == o->root &&
		    !memcmp(w->key_of[b], o->key, o->key_len))
			return b;
	return -1;
}

static const char *name_of(struct pwalk *w, int bit)
{
	const struct sym *s;
	if (w->sym_of[bit] < 0)
		return arena_strndup(w->p->arena, w->key_of[bit], w->key_len[bit]);
	s = &w->fn->syms[w->sym_of[bit]];
	return arena_strndup(w->p->arena, s->name, s->len);
}

/* node sits under an if, switch or select that begins after byte since (see the top). */
static bool guarded_since(TSNode node, uint32_t since)
{
	for (TSNode p = ts_node_parent(node); !ts_node_is_null(p) && ts_node_start_byte(p) > since;
	     p = ts_node_parent(p)) {
		TSSymbol s = ts_node_symbol(p);
		if (s == G.if_statement || s == G.expression_switch_statement ||
		    s == G.type_switch_statement || s == G.select_statement)
			return true;
	}
	return false;
}

/* A state of bit b holds at node: on every path (must), or on some path (may) with node not
 * guarded since byte since, where the state arose. */
static bool holds_at(uint64_t must, uint64_t may, int b, TSNode node, uint32_t since)
{
	return (must >> b & 1) || ((may >> b & 1) && !guarded_since(node, since));
}

static bool closed_at(const struct pwalk *w, const struct pstate *st, int b, TSNode node)
{
	return holds_at(st->must_closed, st->closed, b, node, w->close_byte[b]);
}

static bool nil_at(const struct pwalk *w, const struct pstate *st, int b, TSNode node)
{
	return holds_at(st->must_nil, st->nil, b, node, w->nil_byte[b]);
}

static void check_nil(struct pwalk *w, TSNode node, const struct op *o, const struct pstate *st,
		      const char *what)
{
	int b = bit_at(w, o);
	if (b < 0 || !nil_at(w, st, b, node) || (o->flags & OPF_IN_SELECT))
		return;
	finding_add(w->p, "CW106", w->fn->file->path, o->row, o->col,
		    "%s on %s, which is nil on this path: blocks forever", what, name_of(w, b));
}

static void check_send(struct pwalk *w, TSNode chan, struct pstate *st)
{
	const struct op *o = op_at(w, chan, OP_SEND);
	int b = bit_at(w, o);
	if (b < 0)
		return;
	if (closed_at(w, st, b, chan)) {
		struct lint_finding *f =
		    finding_add(w->p, "CW104", w->fn->file->path, o->row, o->col,
				"send on %s after it was closed at line %u on this path: panics",
				name_of(w, b), w->close_row[b] + 1);
		finding_relate(w->p, f, w->fn->file->path, w->close_row[b], w->close_col[b],
			       "closed here");
	}
	check_nil(w, chan, o, st, "send");
}

static void do_close(struct pwalk *w, TSNode arg, struct pstate *st)
{
	const struct op *o = op_at(w, arg, OP_CLOSE);
	int b = bit_at(w, o);
	if (b < 0)
		return;
	if (closed_at(w, st, b, arg)) {
		struct lint_finding *f =
		    finding_add(w->p, "CW103", w->fn->file->path, o->row, o->col,
				"close of %s, already closed at line %u on this path: panics",
				name_of(w, b), w->close_row[b] + 1);
		finding_relate(w->p, f, w->fn->file->path, w->close_row[b], w->close_col[b],
			       "first close");
	}
	if (nil_at(w, st, b, arg))
		finding_add(w->p, "CW106", w->fn->file->path, o->row, o->col,
			    "close of %s, which is nil on this path: panics", name_of(w, b));
	st->closed |= 1ull << b;
	st->must_closed |= 1ull << b;
	w->close_row[b] = o->row;
	w->close_byte[b] = o->byte;
	w->close_col[b] = o->col;
}

/* Receives inside an expression (not inside func literals). */
static void scan_expr(struct pwalk *w, TSNode n, struct pstate *st)
{
	uint32_t count;
	if (ts_node_is_null(n) || is_sym(n, G.func_literal) || w->depth > MAX_WALK_DEPTH)
		return;
	if (is_sym(n, G.unary_expression)) {
		TSNode operand = ts_field(n, G.f_operand);
		const struct op *o = op_at(w, operand, OP_RECV);
		if (o)
			check_nil(w, operand, o, st, "receive");
	}
	w->depth++;
	count = ts_nnamed(n);
	for (uint32_t i = 0; i < count; i++)
		scan_expr(w, ts_named(n, i), st);
	w->depth--;
}

/* A tracked variable assigned or declared at id: no longer closed, no longer nil. */
static void reset_at(struct pwalk *w, TSNode id, struct pstate *st)
{
	const struct op *o = op_at(w, id, OP_ASSIGN);
	int b = bit_at(w, o);
	if (b >= 0) {
		st->closed &= ~(1ull << b);
		st->must_closed &= ~(1ull << b);
		st->nil &= ~(1ull << b);
		st->must_nil &= ~(1ull << b);
	}
}

static void reset_left(struct pwalk *w, TSNode left, struct pstate *st)
{
	uint32_t count = ts_nnamed(left);
	for (uint32_t i = 0; i < count; i++)
		reset_at(w, ts_named(left, i), st);
}

/* x.M(): a method of x may re-make any channel field of x (x.ch = make(...)): forget that
 * they were closed. */
static void method_resets(struct pwalk *w, TSNode operand, struct pstate *st)
{
	const struct op *o = op_at(w, operand, OP_METHOD);
	if (!o)
		return;
	for (int b = 0; b < w->nbits; b++)
		if (w->sym_of[b] < 0 && w->root_of[b] == o->sym) {
			st->closed &= ~(1ull << b);
			st->must_closed &= ~(1ull << b);
		}
}

static void walk(struct pwalk *w, TSNode n, struct pstate *st);

static void walk_block(struct pwalk *w, TSNode n, struct pstate *st)
{
	uint32_t count = ts_nnamed(n);
	for (uint32_t i = 0; i < count && !st->dead; i++)
		walk(w, ts_named(n, i), st);
}

static void check_deferred(struct pwalk *w, const struct pstate *st, TSNode at)
{
	uint64_t both = st->closed & st->deferred;
	TSPoint pt = ts_node_start_point(at);
	for (int b = 0; b < w->nbits && both; b++) {
		if (!(both >> b & 1) || !closed_at(w, st, b, at))
			continue;
		struct lint_finding *f = finding_add(
		    w->p, "CW103", w->fn->file->path, pt.row, pt.column,
		    "%s is closed at line %u and again by a deferred close when the function "
		    "returns here: panics",
		    name_of(w, b), w->close_row[b] + 1);
		finding_relate(w->p, f, w->fn->file->path, w->close_row[b], w->close_col[b],
			       "explicit close");
		both &= ~(1ull << b);
	}
}

static bool push_frame(struct pwalk *w, bool is_loop)
{
	if (w->nframes >= MAX_FRAMES)
		return false;
	w->frames[w->nframes].is_loop = is_loop;
	w->frames[w->nframes].brk = DEAD;
	w->frames[w->nframes].cont = DEAD;
	w->nframes++;
	return true;
}

/* The channel of bit is assigned in this context between bytes from and to. */
static bool remade_before(const struct pwalk *w, int bit, uint32_t from, uint32_t to)
{
	for (size_t i = 0; i < w->fn->nops; i++) {
		const struct op *o = &w->fn->ops[i];
		if (o->kind == OP_ASSIGN && o->ctx == w->ctx && o->byte >= from && o->byte < to &&
		    bit_at(w, o) == bit)
			return true;
	}
	return false;
}

static void walk_for(struct pwalk *w, TSNode n, struct pstate *st)
{
	TSNode body = ts_field(n, G.f_body);
	uint32_t count = ts_nnamed(n), start = ts_node_start_byte(n);
	bool infinite = true;
	struct pstate entry, b, back, exit_state;

	for (uint32_t i = 0; i < count; i++) {
		TSNode c = ts_named(n, i);
		if (ts_node_eq(c, body))
			continue;
		infinite = false;
		if (is_sym(c, G.range_clause)) {
			TSNode right = ts_field(c, G.f_right);
			const struct op *o = op_at(w, right, OP_RANGE);
			if (o)
				check_nil(w, right, o, st, "range");
			scan_expr(w, right, st);
			reset_left(w, ts_field(c, G.f_left), st);
		} else if (is_sym(c, G.for_clause)) {
			TSNode init = ts_field(c, G.f_initializer);
			TSNode cond = ts_field(c, G.f_condition);
			if (!ts_node_is_null(init))
				walk(w, init, st);
			if (ts_node_is_null(cond))
				infinite = true;
			scan_expr(w, cond, st);
		} else {
			scan_expr(w, c, st);
		}
	}
	entry = *st;
	if (!push_frame(w, true)) {
		*st = DEAD; /* too deep: the path is dropped, never guessed */
		return;
	}
	b = entry;
	walk(w, body, &b);
	back = merge(b, w->frames[w->nframes - 1].cont);
	/* Closed on every way back to the loop's head, but not before the loop: the next
	 * iteration closes it again. A close under a condition inside the loop (a counter,
	 * a flag) is not reported: it may well run once. */
	if (!back.dead) {
		uint64_t again = back.must_closed & ~entry.closed;
		for (int bit = 0; bit < w->nbits && again; bit++) {
			const struct sym *s;
			if (!(again >> bit & 1))
				continue;
			s = w->sym_of[bit] >= 0	   ? &w->fn->syms[w->sym_of[bit]]
			    : w->root_of[bit] >= 0 ? &w->fn->syms[w->root_of[bit]]
						   : NULL;
			/* x.f with x a variable of the loop (range v) is another channel each time;
			 * one re-made in the body before its close is too */
			if ((!s || s->decl_byte < start) &&
			    !remade_before(w, bit, ts_node_start_byte(body), w->close_byte[bit]))
				finding_add(
				    w->p, "CW103", w->fn->file->path, w->close_row[bit],
				    w->close_col[bit],
				    "close of %s inside a loop: the next iteration closes it "
				    "again and panics",
				    name_of(w, bit));
		}
	}
	exit_state = w->frames[w->nframes - 1].brk;
	w->nframes--;
	if (!infinite) {
		struct pstate skip_or_back = merge(entry, back);
		/* A channel made inside the loop is taken as made: a loop that never runs is
		 * rarely the path anyone means (for i := 0; i < b.N; i++). */
		if (!back.dead) {
			skip_or_back.nil = back.nil;
			skip_or_back.must_nil = back.must_nil;
		}
		exit_state = merge(exit_state, skip_or_back);
	}
	*st = exit_state;
}

/* The statements of a case clause: its children that are not its values or types. */
static void walk_case(struct pwalk *w, TSNode c, struct pstate *st)
{
	uint32_t count = ts_nchild(c);
	for (uint32_t i = 0; i < count && !st->dead; i++) {
		TSNode s = ts_child(c, i);
		const char *field = ts_node_field_name_for_child(c, i);
		if (!ts_node_is_named(s) ||
		    (field && (!strcmp(field, "value") || !strcmp(field, "type"))))
			continue;
		walk(w, s, st);
	}
}

static void walk_switch(struct pwalk *w, TSNode n, struct pstate *st)
{
	uint32_t count = ts_nnamed(n);
	TSNode init = ts_field(n, G.f_initializer);
	struct pstate entry, out = DEAD;
	bool has_default = false;

	if (!ts_node_is_null(init))
		walk(w, init, st);
	scan_expr(w, ts_field(n, G.f_value), st);
	entry = *st;
	if (!push_frame(w, false)) {
		*st = DEAD;
		return;
	}
	for (uint32_t i = 0; i < count; i++) {
		TSNode c = ts_named(n, i);
		struct pstate cs = entry;
		TSSymbol sy = ts_node_symbol(c);
		if (sy != G.expression_case && sy != G.type_case && sy != G.default_case)
			continue;
		has_default = has_default || sy == G.default_case;
		walk_case(w, c, &cs);
		out = merge(out, cs);
	}
	out = merge(out, w->frames[w->nframes - 1].brk);
	w->nframes--;
	if (!has_default)
		out = merge(out, entry);
	*st = out;
}

static void walk_select(struct pwalk *w, TSNode n, struct pstate *st)
{
	uint32_t count = ts_nnamed(n);
	struct pstate entry = *st, out = DEAD;
	if (!push_frame(w, false)) {
		*st = DEAD;
		return;
	}
	for (uint32_t i = 0; i < count; i++) {
		TSNode c = ts_named(n, i);
		struct pstate cs = entry;
		if (is_sym(c, G.communication_case)) {
			TSNode comm = ts_field(c, G.f_communication);
			uint32_t nc = ts_nnamed(c);
			if (is_sym(comm, G.send_statement)) {
				check_send(w, ts_field(comm, G.f_channel), &cs);
				scan_expr(w, ts_field(comm, G.f_value), &cs);
			} else if (is_sym(comm, G.receive_statement)) {
				reset_left(w, ts_field(comm, G.f_left), &cs);
			}
			for (uint32_t k = 0; k < nc && !cs.dead; k++) {
				TSNode s = ts_named(c, k);
				if (!ts_node_eq(s, comm))
					walk(w, s, &cs);
			}
		} else if (is_sym(c, G.default_case)) {
			walk_block(w, c, &cs);
		} else {
			continue;
		}
		out = merge(out, cs);
	}
	out = merge(out, w->frames[w->nframes - 1].brk);
	w->nframes--;
	*st = out; /* no case: select {} blocks, the path ends */
}

static void jump_to(struct pwalk *w, bool is_break, bool labelled, struct pstate *st)
{
	if (!labelled) {
		for (int i = w->nframes - 1; i >= 0; i--) {
			struct frame *f = &w->frames[i];
			if (is_break) {
				f->brk = merge(f->brk, *st);
				break;
			}
			if (f->is_loop) {
				f->cont = merge(f->cont, *st);
				break;
			}
		}
	}
	*st = DEAD;
}

static void walk(struct pwalk *w, TSNode n, struct pstate *st)
{
	TSSymbol s;
	if (ts_node_is_null(n) || st->dead)
		return;
	if (w->depth > MAX_WALK_DEPTH) {
		*st = DEAD;
		return;
	}
	w->depth++;
	s = ts_node_symbol(n);
	if (s == G.block) {
		walk_block(w, n, st);
	} else if (s == G.expression_statement) {
		TSNode e = ts_named(n, 0);
		if (is_sym(e, G.call_expression)) {
			TSNode fn = ts_field(e, G.f_function);
			TSNode args = ts_field(e, G.f_arguments);
			scan_expr(w, args, st);
			if (is_sym(fn, G.identifier) && node_is(w->fn->file, fn, "close") &&
			    ts_nnamed(args) == 1)
				do_close(w, ts_named(args, 0), st);
			else if (call_never_returns(w->fn->file, e))
				*st = DEAD; /* t.Fatal, log.Fatal, panic: before the method check */
			else if (is_sym(fn, G.selector_expression))
				method_resets(w, ts_field(fn, G.f_operand), st);
		} else {
			scan_expr(w, e, st);
		}
	} else if (s == G.send_statement) {
		TSNode ch = ts_field(n, G.f_channel);
		check_send(w, ch, st);
		scan_expr(w, ts_field(n, G.f_value), st);
	} else if (s == G.short_var_declaration || s == G.assignment_statement) {
		scan_expr(w, ts_field(n, G.f_right), st);
		reset_left(w, ts_field(n, G.f_left), st);
	} else if (s == G.var_declaration) {
		uint32_t count = ts_nnamed(n);
		for (uint32_t i = 0; i < count; i++) {
			TSNode spec = ts_named(n, i);
			uint32_t nn = ts_nnamed(spec);
			if (!is_sym(spec, G.var_spec))
				continue;
			scan_expr(w, ts_field(spec, G.f_value), st);
			for (uint32_t k = 0; k < nn; k++) {
				TSNode id = ts_named(spec, k);
				for (int b = 0; b < w->nbits && is_sym(id, G.identifier); b++) {
					const struct sym *sy;
					if (w->sym_of[b] < 0)
						continue;
					sy = &w->fn->syms[w->sym_of[b]];
					if (sy->decl_byte != ts_node_start_byte(id))
						continue;
					st->closed &= ~(1ull << b);
					st->must_closed &= ~(1ull << b);
					if (sy->nil_decl && (w->nil_ok >> b & 1)) {
						st->nil |= 1ull << b;
						st->must_nil |= 1ull << b;
						w->nil_byte[b] = sy->decl_byte;
					}
				}
			}
		}
	} else if (s == G.return_statement) {
		scan_expr(w, n, st);
		check_deferred(w, st, n);
		*st = DEAD;
	} else if (s == G.defer_statement) {
		TSNode call = ts_named(n, 0);
		TSNode fn = ts_field(call, G.f_function);
		TSNode args = ts_field(call, G.f_arguments);
		if (is_sym(call, G.call_expression) && is_sym(fn, G.identifier) &&
		    node_is(w->fn->file, fn, "close") && ts_nnamed(args) == 1) {
			const struct op *o = op_at(w, ts_named(args, 0), OP_CLOSE);
			int b = bit_at(w, o);
			if (b >= 0)
				st->deferred |= 1ull << b;
		}
	} else if (s == G.go_statement) {
		/* the goroutine's body is its own context */
	} else if (s == G.if_statement) {
		TSNode init = ts_field(n, G.f_initializer);
		TSNode alt = ts_field(n, G.f_alternative);
		struct pstate then_st, else_st;
		if (!ts_node_is_null(init))
			walk(w, init, st);
		scan_expr(w, ts_field(n, G.f_condition), st);
		then_st = *st;
		else_st = *st;
		walk(w, ts_field(n, G.f_consequence), &then_st);
		if (!ts_node_is_null(alt))
			walk(w, alt, &else_st);
		*st = merge(then_st, else_st);
	} else if (s == G.expression_switch_statement || s == G.type_switch_statement) {
		walk_switch(w, n, st);
	} else if (s == G.select_statement) {
		walk_select(w, n, st);
	} else if (s == G.for_statement) {
		walk_for(w, n, st);
	} else if (s == G.labeled_statement) {
		uint32_t count = ts_nnamed(n);
		for (uint32_t i = 0; i < count && !st->dead; i++) {
			TSNode c = ts_named(n, i);
			if (!ts_node_eq(c, ts_field(n, G.f_label)))
				walk(w, c, st);
		}
	} else if (s == G.break_statement || s == G.continue_statement) {
		jump_to(w, s == G.break_statement, ts_nnamed(n) > 0, st);
	} else if (s == G.goto_statement || s == G.fallthrough_statement) {
		*st = DEAD;
	} else if (s == G.func_literal) {
		/* walked as its own context */
	} else {
		scan_expr(w, n, st);
	}
	w->depth--;
}

/* Channels worth a bit: closed somewhere in this context, or nil-declared and followable. */
static void choose_bits(struct pwalk *w)
{
	const struct func *fn = w->fn;
	for (size_t i = 0; i < fn->nsyms; i++)
		w->bit_of[i] = -1;
	for (size_t i = 0; i < fn->nops && w->nbits < MAX_BITS; i++) {
		const struct op *o = &fn->ops[i];
		if (o->kind != OP_CLOSE || o->ctx != w->ctx)
			continue;
		if (o->sym >= 0 && w->bit_of[o->sym] < 0) {
			w->bit_of[o->sym] = (int8_t)w->nbits;
			w->sym_of[w->nbits++] = o->sym;
		} else if (o->sym < 0 && o->key && bit_at(w, o) < 0) {
			w->sym_of[w->nbits] = -1;
			w->root_of[w->nbits] = o->root;
			w->key_of[w->nbits] = o->key;
			w->key_len[w->nbits++] = o->key_len;
		}
	}
	w->nil_ok = 0;
	for (size_t i = 0; i < fn->nsyms; i++) {
		const struct sym *s = &fn->syms[i];
		bool ok = s->nil_decl && s->ctx == w->ctx && !s->closure_assign;
		for (size_t k = 0; ok && k < fn->nops; k++) {
			const struct op *o = &fn->ops[k];
			if (o->sym == (int32_t)i && (o->kind == OP_NILCMP || o->kind == OP_ESCAPE ||
						     o->kind == OP_CALLARG || o->kind == OP_GOARG))
				ok = false;
		}
		if (!ok)
			continue;
		if (w->bit_of[i] < 0) {
			if (w->nbits >= MAX_BITS)
				break;
			w->bit_of[i] = (int8_t)w->nbits;
			w->sym_of[w->nbits++] = (int32_t)i;
		}
		w->nil_ok |= 1ull << w->bit_of[i]; /* may be nil: never compared with nil, etc. */
	}
}

/* The context defers a function that calls recover(): it expects panics and handles them. */
static bool recovers(const struct func *fn, uint16_t ctx)
{
	for (size_t c = 1; c < fn->nctxs; c++) {
		const struct gctx *g = &fn->ctxs[c];
		if (g->kind == CTX_DEFER && g->parent == ctx && g->end <= fn->file->len &&
		    memmem(fn->file->src + g->byte, g->end - g->byte, "recover()", 9))
			return true;
	}
	return false;
}

void paths_run(struct package_ctx *p, const struct func *fn)
{
	struct pwalk w = {.p = p, .fn = fn};
	if (!fn->nops)
		return;
	w.bit_of = malloc(fn->nsyms ? fn->nsyms : 1);
	if (!w.bit_of)
		return;
	for (size_t i = fn->nops; i-- > 0;)
		u64map_set(&w.ops, fn->ops[i].byte, i + 1);
	for (uint16_t c = 0; c < fn->nctxs; c++) {
		struct pstate st = {0};
		w.ctx = c;
		w.nbits = 0;
		w.nframes = 0;
		w.depth = 0;
		choose_bits(&w);
		/* A func literal kept in a test's table (not run by go or defer) is how tests
		 * of panics are written: its panics are meant. */
		if (!w.nbits || recovers(fn, c) ||
		    (fn->in_test_file && c > 0 && fn->ctxs[c].kind == CTX_OTHER))
			continue;
		walk(&w, fn->ctxs[c].body, &st);
		if (!st.dead)
			check_deferred(&w, &st, fn->ctxs[c].body);
	}
	u64map_release(&w.ops);
	free(w.bit_of);
}
