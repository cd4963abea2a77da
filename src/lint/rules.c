// SPDX-License-Identifier: MIT
// The rules that need what a function does to a channel as a whole (not path by path):
// CW101, CW102, CW105, CW107, CW108, CW109.
#include "lint/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/banned.h"

/* What a function does to one of its parameters, for callers that pass a channel. */
struct param_use {
	bool known; /* the callee is a function of this package with that parameter */
	bool closes, sends, recvs, escapes;
	bool sends_many; /* sends in a loop (not leaving right after), or more than once */
};

/* Everything done to one channel variable, following it into same-package callees. */
struct chan_use {
	bool escapes;		 /* includes being returned */
	bool escapes_but_return; /* escapes other than by a return statement */
	unsigned closes, sends, recvs;
};

static const struct func *package_func(const struct package_ctx *p, const char *name, uint32_t len)
{
	return hashmap_get(&p->fnames, name, len, hash_bytes(name, len, HASH_SEED));
}

static struct param_use param_use_of(const struct package_ctx *p, const struct op *call)
{
	struct param_use u = {0};
	const struct func *fn = package_func(p, call->callee, call->callee_len);
	int32_t s = -1;
	if (!fn || fn->nparams < 0 || call->argi < 0 || call->argi >= fn->nparams)
		return u;
	for (size_t i = 0; i < fn->nsyms; i++)
		if (fn->syms[i].kind == SYM_PARAM && fn->syms[i].ctx == 0 &&
		    fn->syms[i].param_index == call->argi)
			s = (int32_t)i;
	if (s < 0)
		return u; /* variadic or unnamed: not followed */
	u.known = true;
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		if (o->sym != s)
			continue;
		switch (o->kind) {
		case OP_CLOSE:
			u.closes = true;
			break;
		case OP_SEND:
			u.sends_many =
			    u.sends_many || u.sends || (o->loop && !(o->flags & OPF_THEN_LEAVES));
			u.sends = true;
			break;
		case OP_RECV:
		case OP_RANGE:
			u.recvs = true;
			break;
		case OP_ESCAPE:
		case OP_CALLARG: /* one level only */
		case OP_GOARG:
		case OP_ASSIGN:
		case OP_RETURN:
			u.escapes = true;
			break;
		default:
			break;
		}
	}
	return u;
}

static struct chan_use chan_use_of(const struct package_ctx *p, const struct func *fn, int32_t s)
{
	struct chan_use u = {0};
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		struct param_use pu;
		if (o->sym != s)
			continue;
		switch (o->kind) {
		case OP_CLOSE:
			u.closes++;
			break;
		case OP_SEND:
			u.sends++;
			break;
		case OP_RECV:
		case OP_RANGE:
			u.recvs++;
			break;
		case OP_RETURN:
			u.escapes = true;
			break;
		case OP_ESCAPE:
		case OP_ASSIGN:
			u.escapes = u.escapes_but_return = true;
			break;
		case OP_CALLARG:
		case OP_GOARG:
			pu = param_use_of(p, o);
			if (!pu.known || pu.escapes)
				u.escapes = u.escapes_but_return = true;
			u.closes += pu.closes;
			u.sends += pu.sends;
			u.recvs += pu.recvs;
			break;
		default:
			break;
		}
	}
	return u;
}

static const struct loop_span *loop_of(const struct func *fn, uint32_t key)
{
	for (size_t i = 0; key && i < fn->nloops; i++)
		if (fn->loops[i].key == key)
			return &fn->loops[i];
	return NULL;
}

static bool in_loop(const struct func *fn, uint32_t key, uint32_t byte)
{
	const struct loop_span *l = loop_of(fn, key);
	return l && byte >= l->key - 1 && byte < l->end;
}

/* A return, or a break that leaves loop key, inside that loop in ctx 0: the loop can end. */
static const struct jump *loop_exit(const struct func *fn, uint32_t key, uint16_t ctx)
{
	for (size_t i = 0; i < fn->njumps; i++) {
		const struct jump *j = &fn->jumps[i];
		if (j->ctx != ctx || !in_loop(fn, key, j->byte))
			continue;
		if (!j->is_break || j->breakable == key || j->breakable == 0)
			return j;
	}
	return NULL;
}

static const char *sym_name(struct package_ctx *p, const struct sym *s)
{
	return arena_strndup(p->arena, s->name, s->len);
}

static struct chan_use chan_use_of(const struct package_ctx *p, const struct func *fn, int32_t s);

/* A function of this package that returns a channel it made and that nothing closes. */
static bool returns_unclosed(const struct package_ctx *p, const char *name, uint32_t len)
{
	const struct func *fn = package_func(p, name, len);
	bool any = false;
	if (!fn)
		return false;
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		struct chan_use u;
		if (o->kind != OP_RETURN || o->ctx != 0 || o->sym < 0)
			continue;
		if (!fn->syms[o->sym].made)
			return false;
		u = chan_use_of(p, fn, o->sym);
		if (u.closes || u.escapes_but_return)
			return false;
		any = true;
	}
	return any;
}

/* The for statement of range op o (the innermost loop around it) can end by return or break. */
static bool range_loop_exits(const struct func *fn, const struct op *o)
{
	uint32_t key = 0;
	for (size_t k = 0; k < fn->nloops; k++)
		if (fn->loops[k].key - 1 <= o->byte && o->byte < fn->loops[k].end &&
		    fn->loops[k].key > key)
			key = fn->loops[k].key;
	return key && loop_exit(fn, key, o->ctx);
}

/* CW101: range over a locally made channel that nothing closes. */
static void range_never_closed(struct package_ctx *p, const struct func *fn, int32_t s)
{
	const struct sym *sy = &fn->syms[s];
	struct chan_use u;
	if (!sy->made && !(sy->from_call && returns_unclosed(p, sy->from_call, sy->from_call_len)))
		return;
	u = chan_use_of(p, fn, s);
	if (u.escapes || u.closes)
		return;
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		struct lint_finding *f;
		if (o->sym != s || o->kind != OP_RANGE)
			continue;
		if (range_loop_exits(fn, o))
			continue; /* the loop can end by return or break: nothing waits for a close
				   */
		f = finding_add(p, "CW101", fn->file->path, o->row, o->col,
				"range over channel %s, which no path closes: the loop never ends",
				sym_name(p, sy));
		finding_relate(p, f, fn->file->path, sy->make_row, sy->make_col,
			       sy->made ? "channel made here" : "returned unclosed by this call");
	}
}

/* CW101 for `range f(...)` where f returns a channel it never closes. */
static void range_over_call(struct package_ctx *p, const struct func *fn)
{
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		if (o->kind == OP_RANGE_CALL && returns_unclosed(p, o->callee, o->callee_len))
			finding_add(
			    p, "CW101", fn->file->path, o->row, o->col,
			    "range over the channel %.*s returns, which no path closes: the "
			    "loop never ends",
			    (int)o->callee_len, o->callee);
	}
}

/* CW101 for unexported struct fields of chan type: no close anywhere in the package. */
static void fields_never_closed(struct package_ctx *p)
{
	size_t pos = 0;
	struct hashmap_entry *e;
	while ((e = hashmap_next(&p->fields, &pos))) {
		const struct field_facts *ff = e->value;
		if (!ff->chan_type || ff->exported || ff->closed || ff->escapes ||
		    p->positional_literals)
			continue;
		for (uint32_t i = 0; i < ff->nranges; i++) {
			const struct op *o = &ff->ranges[i];
			if (range_loop_exits(&p->funcs[ff->range_funcs[i]], o))
				continue; /* ends by return or break: nothing waits for a close */
			finding_add(
			    p, "CW101", ff->range_files[i]->path, o->row, o->col,
			    "range over field %.*s, a channel nothing in this package closes: "
			    "the loop never ends",
			    (int)e->keylen, (const char *)e->key);
		}
	}
}

#define MANY_SENDS (1 << 20)

/* The most sends on a channel along paths through a statement: those that go on after it
 * and those that end inside it (return); -1 when there is no such path. */
struct path_count {
	int cont, ended;
};

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int add_sends(int a, int b)
{
	return (a < 0 || b < 0) ? -1 : (a + b > MANY_SENDS ? MANY_SENDS : a + b);
}

static struct path_count path_sends(const struct func *fn, int32_t s, TSNode n, int depth);

static struct path_count path_sends_seq(const struct func *fn, int32_t s, TSNode parent,
					uint32_t from, int depth)
{
	struct path_count cur = {0, -1};
	for (uint32_t i = from; i < ts_nnamed(parent) && cur.cont >= 0; i++) {
		struct path_count r = path_sends(fn, s, ts_named(parent, i), depth + 1);
		if (r.ended >= 0)
			cur.ended = max_int(cur.ended, add_sends(cur.cont, r.ended));
		cur.cont = add_sends(cur.cont, r.cont);
	}
	return cur;
}

static struct path_count path_sends(const struct func *fn, int32_t s, TSNode n, int depth)
{
	struct path_count none = {0, -1};
	TSSymbol sy;
	if (ts_node_is_null(n) || depth > 200)
		return none;
	sy = ts_node_symbol(n);
	if (sy == G.send_statement) {
		uint32_t at = ts_node_start_byte(ts_field(n, G.f_channel));
		for (size_t i = 0; i < fn->nops; i++)
			if (fn->ops[i].byte == at && fn->ops[i].kind == OP_SEND &&
			    fn->ops[i].sym == s)
				return (struct path_count){1, -1};
		return none;
	}
	if (sy == G.return_statement || sy == G.goto_statement || sy == G.break_statement)
		return (struct path_count){-1, 0}; /* a break leaves the loop: counted as ended */
	if (sy == G.block || sy == G.labeled_statement)
		return path_sends_seq(fn, s, n, 0, depth);
	if (sy == G.if_statement) {
		TSNode alt = ts_field(n, G.f_alternative);
		struct path_count a = path_sends(fn, s, ts_field(n, G.f_consequence), depth + 1);
		struct path_count b =
		    ts_node_is_null(alt) ? none : path_sends(fn, s, alt, depth + 1);
		return (struct path_count){max_int(a.cont, b.cont), max_int(a.ended, b.ended)};
	}
	if (sy == G.expression_switch_statement || sy == G.type_switch_statement ||
	    sy == G.select_statement) {
		struct path_count best = {-1, -1};
		bool has_default = sy == G.select_statement;
		for (uint32_t i = 0; i < ts_nnamed(n); i++) {
			TSNode c = ts_named(n, i);
			TSSymbol cs = ts_node_symbol(c);
			struct path_count r;
			if (cs != G.expression_case && cs != G.type_case && cs != G.default_case &&
			    cs != G.communication_case)
				continue;
			has_default = has_default || cs == G.default_case;
			r = path_sends_seq(fn, s, c, 0, depth);
			best.cont = max_int(best.cont, r.cont);
			best.ended = max_int(best.ended, r.ended);
		}
		if (!has_default)
			best.cont = max_int(best.cont, 0);
		return best;
	}
	if (sy == G.for_statement) {
		/* Sends that go round again repeat; a send followed by return happens once. */
		struct path_count r = path_sends(fn, s, ts_field(n, G.f_body), depth + 1);
		if (r.cont > 0)
			return (struct path_count){MANY_SENDS, MANY_SENDS};
		return (struct path_count){0, r.ended};
	}
	return none;
}

/* The first plain send on parameter argi in the package function a go statement starts. */
static const struct op *callee_send(const struct package_ctx *p, const struct op *go,
				    const struct func **callee)
{
	const struct func *fn = package_func(p, go->callee, go->callee_len);
	if (!fn || fn->nparams < 0)
		return NULL;
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		if (o->kind == OP_SEND && o->ctx == 0 && o->sym >= 0 &&
		    fn->syms[o->sym].kind == SYM_PARAM &&
		    fn->syms[o->sym].param_index == go->argi && !(o->flags & OPF_SELECT_ALT)) {
			*callee = fn;
			return o;
		}
	}
	return NULL;
}

/* The channel the case of recv's select around byte receives from, or -1 (ctx.Done(), a
 * timer, default, a case of another select). */
static int32_t case_channel(const struct func *fn, const struct op *recv, uint32_t byte)
{
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		if (o->kind == OP_RECV && o->select == recv->select && o->ctx == recv->ctx &&
		    o->sym >= 0 && byte >= o->case_start && byte < o->case_end)
			return o->sym;
	}
	return -1;
}

/*
 * The sender goroutine sends on or closes t only after its last send on s: a receiver that
 * gets t knows the sender is done with s (an error sent before "ready", a "done" sent last).
 */
static bool coordinated(const struct func *fn, int32_t s, int32_t t, uint16_t sender)
{
	uint32_t last_s = 0, first_t = UINT32_MAX;
	if (t < 0 || t == s || !sender)
		return false;
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		uint32_t at = o->byte;
		/* a deferred func literal of the sender runs when the goroutine returns */
		bool deferred = o->ctx != sender && fn->ctxs[o->ctx].kind == CTX_DEFER &&
				fn->ctxs[o->ctx].parent == sender;
		if (o->ctx != sender && !deferred)
			continue;
		if (o->sym == s && o->kind == OP_SEND && at > last_s && !deferred)
			last_s = at;
		if (o->sym == t && (o->kind == OP_SEND || o->kind == OP_CLOSE)) {
			if ((o->flags & OPF_DEFER) || deferred)
				at = fn->ctxs[sender].end; /* runs when the goroutine returns */
			if (at < first_t)
				first_t = at;
		}
	}
	return first_t != UINT32_MAX && first_t > last_s;
}

/*
 * CW102: one goroutine sends on a channel the function receives from once, and the
 * function can leave before that receive: by another select case, or by returning first.
 */
static void abandoned_sender(struct package_ctx *p, const struct func *fn, int32_t s)
{
	const struct sym *sy = &fn->syms[s];
	const struct op *recv = NULL, *send = NULL, *go = NULL;
	const struct func *send_fn = fn;
	const struct jump *early = NULL;
	unsigned sender_ctxs = 0, sends = 0, recvs = 0;
	uint16_t sender_ctx = 0;
	bool many = false, leaves = false;
	struct lint_finding *f;

	if (!sy->made || sy->cap < 0 || sy->ctx != 0 || chan_use_of(p, fn, s).escapes)
		return;
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		if (o->sym != s)
			continue;
		if (o->kind == OP_RECV || o->kind == OP_RANGE) {
			if (o->ctx != 0 || o->kind == OP_RANGE)
				return; /* another goroutine receives, or a loop does */
			recv = o;
			recvs++;
		} else if (o->kind == OP_SEND && o->ctx != 0) {
			const struct gctx *c = &fn->ctxs[o->ctx];
			if (c->kind != CTX_GO || (o->flags & OPF_SELECT_ALT))
				return; /* not a plain goroutine send: the sender may give up */
			if (!sends || o->ctx != sender_ctx)
				sender_ctxs++;
			sender_ctx = o->ctx;
			sends++;
			many = many || o->loop || c->go_loop;
			if (!send)
				send = o;
		} else if (o->kind == OP_GOARG) {
			const struct op *cs = callee_send(p, o, &send_fn);
			if (!cs)
				continue;
			sender_ctxs++;
			sends++;
			many = many || o->loop;
			go = o;
			send = cs;
		} else if (o->kind == OP_SEND) {
			return; /* the function sends too */
		}
	}
	if (sender_ctxs != 1 || recvs != 1 || !send)
		return;
	if (!go) {
		/* Sends on exclusive branches are one send: count the most along one path. */
		struct path_count pc = path_sends(fn, s, fn->ctxs[sender_ctx].body, 0);
		int most = max_int(pc.cont, pc.ended);
		uint32_t on_path = most >= MANY_SENDS ? UINT32_MAX : (uint32_t)max_int(most, 0);
		if (on_path != UINT32_MAX && !fn->ctxs[sender_ctx].go_loop)
			many = false;
		if (fn->ctxs[sender_ctx].go_loop && sy->make_loop == fn->ctxs[sender_ctx].go_loop &&
		    on_path != UINT32_MAX)
			many = false; /* made in the same loop: a channel per goroutine */
		sends = on_path == UINT32_MAX ? sends : on_path;
	}
	if (!many && sends <= (unsigned)sy->cap)
		return;
	if ((recv->flags & OPF_SELECT_ALT) && !(recv->flags & OPF_OTHERS_EXIT)) {
		/* In a loop, the receiver leaves only by a way out not through this case. Leaving
		 * by os.Exit or log.Fatal ends the process, and the sender with it. */
		uint16_t sender_ctx_of = go ? 0 : send->ctx;
		if (!recv->loop) {
			/* Leaves unless every other case waits for the sender itself to be done. */
			unsigned others = 0;
			for (size_t i = 0; i < fn->nops; i++) {
				const struct op *o = &fn->ops[i];
				if (o->kind == OP_RECV && o->select == recv->select &&
				    o->ctx == recv->ctx && o->case_start != recv->case_start &&
				    coordinated(fn, s, o->sym, sender_ctx_of))
					others++;
			}
			leaves = others + 1 < recv->sel_cases;
		}
		for (size_t i = 0; i < fn->njumps && !leaves && recv->loop; i++) {
			const struct jump *j = &fn->jumps[i];
			if (j->ctx == 0 && in_loop(fn, recv->loop, j->byte) &&
			    (j->byte < recv->case_start || j->byte >= recv->case_end) &&
			    (!j->is_break || j->breakable == recv->loop || j->breakable == 0) &&
			    !coordinated(fn, s, case_channel(fn, recv, j->byte), sender_ctx_of))
				leaves = true;
		}
	}
	if (!leaves) {
		uint32_t after = go ? go->byte : fn->ctxs[send->ctx].go_byte;
		for (size_t i = 0; i < fn->njumps && !early; i++) {
			const struct jump *j = &fn->jumps[i];
			if (j->ctx == 0 && !j->is_break && j->byte > after && j->end <= recv->byte)
				early = j;
		}
		if (!early)
			return;
	}
	if (leaves) {
		f = finding_add(
		    p, "CW102", send_fn->file->path, send->row, send->col,
		    "goroutine may block forever sending on %s: its receiver at line %u "
		    "can leave by another select case first",
		    sym_name(p, sy), recv->row + 1);
		finding_relate(p, f, fn->file->path, recv->row, recv->col,
			       "the receive that can be skipped");
	} else {
		f = finding_add(
		    p, "CW102", send_fn->file->path, send->row, send->col,
		    "goroutine may block forever sending on %s: the function can return "
		    "at line %u before receiving",
		    sym_name(p, sy), early->row + 1);
		finding_relate(p, f, fn->file->path, early->row, early->col,
			       "return before the receive");
	}
	finding_relate(p, f, fn->file->path, sy->make_row, sy->make_col,
		       sy->cap ? "channel made here, too small" : "unbuffered channel made here");
}

/*
 * Other goroutines can send s more than once: a send in a loop (not one that leaves the
 * loop right after), a goroutine started in a loop, two sending goroutines, or s handed to
 * a function started with go. One goroutine sending one value cannot still be sending
 * after the receiver took a value: on real code that shape was always a handshake.
 */
static bool sends_many(const struct package_ctx *p, const struct func *fn, int32_t s,
		       const struct op *cl)
{
	int senders = 0;
	uint16_t ctx = 0;
	for (size_t k = 0; k < fn->nops; k++) {
		const struct op *o = &fn->ops[k];
		if (o->sym != s)
			continue;
		if (o->kind == OP_GOARG) {
			if (o->loop || param_use_of(p, o).sends_many)
				return true;
			senders++;
			continue;
		}
		if (o->kind != OP_SEND || o->ctx == cl->ctx)
			continue;
		if ((o->loop && !(o->flags & OPF_THEN_LEAVES)) || fn->ctxs[o->ctx].go_loop)
			return true;
		if (!senders || o->ctx != ctx)
			senders++;
		ctx = o->ctx;
	}
	return senders > 1;
}

/* CW105: the receiver closes while another goroutine of this function still sends. */
static void close_by_receiver(struct package_ctx *p, const struct func *fn, int32_t s)
{
	const struct sym *sy = &fn->syms[s];
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *cl = &fn->ops[i], *recv = NULL, *sender = NULL;
		if (cl->sym != s || cl->kind != OP_CLOSE || (cl->flags & OPF_DEFER))
			continue;
		/* Received before the close, in the same goroutine. */
		for (size_t k = 0; k < fn->nops && !recv; k++) {
			const struct op *o = &fn->ops[k];
			if (o->sym != s || o->ctx != cl->ctx ||
			    (o->kind != OP_RECV && o->kind != OP_RANGE) || o->byte >= cl->byte)
				continue;
			/* Received in a loop the close comes after: only a loop left early (break,
			 * return) leaves senders behind; a loop that runs its course took what
			 * the sender sends in lock-step. */
			if (o->kind == OP_RECV && o->loop && o->loop != cl->loop &&
			    !in_loop(fn, o->loop, cl->byte) && !loop_exit(fn, o->loop, cl->ctx))
				continue;
			recv = o;
		}
		if (!recv)
			continue;
		/* A Wait() between the receive and the close: the senders are known to be done. */
		for (size_t k = 0; k < fn->nops && recv; k++) {
			const struct op *o = &fn->ops[k];
			if (o->kind == OP_WAIT && o->ctx == cl->ctx && o->byte > recv->byte &&
			    o->byte < cl->byte)
				recv = NULL;
		}
		if (!recv)
			continue;
		for (size_t k = 0; k < fn->nops && !sender; k++) {
			const struct op *o = &fn->ops[k];
			if (o->sym != s)
				continue;
			if (o->kind == OP_GOARG && param_use_of(p, o).sends)
				sender = o; /* go f(ch) starts another goroutine, wherever it is */
			if (o->ctx == cl->ctx)
				continue;
			if (o->kind == OP_SEND &&
			    (fn->ctxs[o->ctx].kind == CTX_GO ||
			     (o->ctx == 0 && fn->ctxs[cl->ctx].kind == CTX_GO)))
				sender = o;
			if (o->kind == OP_GOARG && param_use_of(p, o).sends)
				sender = o;
		}
		if (!sender || !sends_many(p, fn, s, cl) || (cl->flags & OPF_COUNTED))
			continue;
		{
			struct lint_finding *f = finding_add(
			    p, "CW105", fn->file->path, cl->row, cl->col,
			    "%s is closed by its receiver while another goroutine may still send "
			    "on it (that send panics)",
			    sym_name(p, sy));
			finding_relate(p, f, fn->file->path, sender->row, sender->col,
				       "send from another goroutine");
		}
	}
}

/* CW107 (b): a receive from a local channel nothing sends on or closes. */
static void never_sent(struct package_ctx *p, const struct func *fn, int32_t s)
{
	const struct sym *sy = &fn->syms[s];
	struct chan_use u;
	if (!sy->made)
		return;
	u = chan_use_of(p, fn, s);
	if (u.escapes || u.sends || u.closes)
		return;
	for (size_t i = 0; i < fn->nops; i++)
		if (fn->ops[i].sym == s &&
		    (fn->ops[i].kind == OP_CALLARG || fn->ops[i].kind == OP_GOARG))
			return; /* handed to a function: a stub today, a sender tomorrow */
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		struct lint_finding *f;
		if (o->sym != s || (o->kind != OP_RECV && o->kind != OP_RANGE) ||
		    (o->flags & OPF_SELECT_ALT))
			continue;
		/* main itself waiting on a channel nobody signals keeps the program alive
		 * (a wasm main, a server whose work is all in goroutines): meant */
		if (fn->is_main_or_init && fn->name && fn->name_len == 4 &&
		    fn->ctxs[o->ctx].kind == CTX_BODY)
			continue;
		if (o->flags & OPF_IN_SELECT)
			f = finding_add(
			    p, "CW107", fn->file->path, o->sel_row, o->sel_col,
			    "select blocks forever: its only case receives from %s, which "
			    "nothing sends on or closes",
			    sym_name(p, sy));
		else
			f = finding_add(p, "CW107", fn->file->path, o->row, o->col,
					"blocks forever: nothing sends on or closes %s",
					sym_name(p, sy));
		finding_relate(p, f, fn->file->path, sy->make_row, sy->make_col,
			       "channel made here");
	}
}

/* CW108: more goroutines send than the function receives on some path. */
static void senders_outnumber(struct package_ctx *p, const struct func *fn, int32_t s)
{
	const struct sym *sy = &fn->syms[s];
	unsigned senders = 0, recvs = 0, before_return = 0;
	uint32_t loop_sender = 0, recv_loop = 0;
	const struct op *first = NULL, *last = NULL;
	const struct jump *ret = NULL;
	bool recv_in_loop = false;
	struct chan_use u;

	if (!sy->made || sy->cap < 0 || sy->ctx != 0)
		return;
	u = chan_use_of(p, fn, s);
	if (u.escapes)
		return;
	/* Sender goroutines: literals launched by go that send once, plainly. */
	for (size_t c = 1; c < fn->nctxs; c++) {
		unsigned n = 0;
		bool plain = true;
		if (fn->ctxs[c].kind != CTX_GO || fn->ctxs[c].parent != 0)
			continue;
		for (size_t i = 0; i < fn->nops; i++) {
			const struct op *o = &fn->ops[i];
			if (o->sym == s && o->ctx == c && o->kind == OP_SEND) {
				n++;
				plain = plain && !o->loop && !(o->flags & OPF_SELECT_ALT);
			}
		}
		if (!n)
			continue;
		if (n > 1 || !plain)
			return;
		if (fn->ctxs[c].go_loop)
			loop_sender = fn->ctxs[c].go_loop;
		else
			senders++;
	}
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		if (o->sym != s || (o->kind != OP_RECV && o->kind != OP_RANGE))
			continue;
		if (o->ctx != 0 || o->kind == OP_RANGE)
			return;
		if (o->loop) {
			recv_in_loop = true;
			recv_loop = o->loop;
		}
		if (!first)
			first = o;
		last = o;
		recvs++;
	}
	if (!first)
		return;
	if (loop_sender && !senders && recv_in_loop && recv_loop != loop_sender && sy->cap == 0) {
		const struct jump *j = loop_exit(fn, recv_loop, 0);
		struct lint_finding *f;
		if (!j)
			return;
		f = finding_add(
		    p, "CW108", fn->file->path, sy->make_row, sy->make_col,
		    "one goroutine per iteration sends on %s, but the receiving loop can "
		    "stop early at line %u: the remaining senders block forever",
		    sym_name(p, sy), j->row + 1);
		finding_relate(p, f, fn->file->path, j->row, j->col,
			       "the receiving loop stops here");
		return;
	}
	if (loop_sender || recv_in_loop || senders < 2)
		return;
	for (size_t i = 0; i < fn->nops; i++)
		if (fn->ops[i].kind == OP_EXIT && fn->ops[i].ctx == 0 &&
		    fn->ops[i].byte > first->byte)
			return; /* the process exits after the receive: nobody is left blocked */
	before_return = recvs;
	for (size_t i = 0; i < fn->njumps; i++) {
		const struct jump *j = &fn->jumps[i];
		if (j->ctx == 0 && !j->is_break && j->byte > first->byte && j->byte < last->byte) {
			unsigned n = 0;
			for (size_t k = 0; k < fn->nops; k++) {
				const struct op *o = &fn->ops[k];
				n += o->sym == s && o->kind == OP_RECV && o->byte < j->byte;
			}
			if (n < before_return) {
				before_return = n;
				ret = j;
			}
		}
	}
	if (senders <= before_return + (unsigned)sy->cap)
		return;
	{
		struct lint_finding *f = finding_add(
		    p, "CW108", fn->file->path, sy->make_row, sy->make_col,
		    "%u goroutines send on %s but %s%u %s received: %u sender%s block%s forever",
		    senders, sym_name(p, sy), ret ? "on the early return only " : "only ",
		    before_return, before_return == 1 ? "value is" : "values are",
		    senders - before_return - (unsigned)sy->cap,
		    senders - before_return - (unsigned)sy->cap == 1 ? "" : "s",
		    senders - before_return - (unsigned)sy->cap == 1 ? "s" : "");
		if (ret)
			finding_relate(p, f, fn->file->path, ret->row, ret->col, "early return");
	}
}

/* After byte, ctx enters an endless loop with no way out (return, break): whatever it made
 * before lives as long as the goroutine, which is the process's lifetime. */
static bool runs_forever_after(const struct func *fn, uint16_t ctx, uint32_t byte)
{
	for (size_t k = 0; k < fn->nloops; k++) {
		const struct loop_span *e = &fn->loops[k];
		if (e->unbounded && e->ctx == ctx && e->key > byte && !loop_exit(fn, e->key, ctx))
			return true;
	}
	return false;
}

/* CW109: timers that stay alive until they fire, before Go 1.23. */
static void timer_leaks(struct package_ctx *p, const struct func *fn)
{
	if (p->go_minor < 0 || p->go_minor >= 23)
		return;
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		const struct loop_span *l = loop_of(fn, o->loop);
		/* Timers pile up only when the loop can go round while they are pending: another
		 * case continues it, and the loop is endless (for {}, or range over a channel). A
		 * bounded loop leaves at most one timer per element, a pile we cannot size. */
		if (o->kind == OP_TIME_AFTER && l && l->unbounded &&
		    (o->flags & OPF_OTHER_CONTINUES) &&
		    !fn->in_test_file /* a test's timers fire and go before anything piles up */)
			finding_add(
			    p, "CW109", fn->file->path, o->row, o->col,
			    "time.After in a select inside a loop: every iteration leaves a "
			    "timer behind until it fires (go.mod says go 1.%d; use a "
			    "time.Timer, or go 1.23)",
			    p->go_minor);
		/* A ticker that lives as long as its goroutine's endless loop is not a leak. */
		else if (o->kind == OP_TIME_TICK && o->loop) /* a new ticker every iteration */
			finding_add(
			    p, "CW109", fn->file->path, o->row, o->col,
			    "time.Tick's ticker can never be stopped and is never collected "
			    "(go.mod says go 1.%d; use time.NewTicker and Stop)",
			    p->go_minor);
	}
	for (size_t s = 0; s < fn->nsyms; s++) {
		const struct sym *sy = &fn->syms[s];
		bool stopped = false, escapes = false;
		if (!sy->ticker)
			continue;
		for (size_t i = 0; i < fn->nops; i++) {
			const struct op *o = &fn->ops[i];
			if (o->sym != (int32_t)s)
				continue;
			stopped = stopped || o->kind == OP_STOP;
			escapes = escapes || o->kind == OP_ESCAPE || o->kind == OP_CALLARG ||
				  o->kind == OP_GOARG || o->kind == OP_ASSIGN ||
				  o->kind == OP_RETURN;
		}
		if (!stopped && !escapes && !runs_forever_after(fn, sy->ctx, sy->tick_byte))
			finding_add(
			    p, "CW109", fn->file->path, sy->tick_row, sy->tick_col,
			    "ticker %s is never stopped: it is never collected (go.mod says "
			    "go 1.%d; call %s.Stop, or go 1.23)",
			    sym_name(p, sy), p->go_minor, sym_name(p, sy));
	}
}

static void blocked_select(struct package_ctx *p, const struct func *fn)
{
	for (size_t i = 0; i < fn->nops; i++) {
		const struct op *o = &fn->ops[i];
		if (o->kind == OP_SELECT0 && fn->ctxs[o->ctx].kind == CTX_GO && !fn->in_test_file)
			finding_add(p, "CW107", fn->file->path, o->row, o->col,
				    "goroutine blocks forever: select {} has no cases");
	}
}

void rules_run(struct package_ctx *p)
{
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct func *fn = &p->funcs[i];
		if (fn->never_runs)
			continue;
		bool *closed = calloc(fn->nsyms ? fn->nsyms : 1, sizeof(*closed));
		if (!closed)
			continue;
		/* Only channels made here, returned by a helper, or closed here can matter: one
		 * pass over the ops spares every rule a scan per ordinary variable. */
		for (size_t k = 0; k < fn->nops; k++)
			if (fn->ops[k].kind == OP_CLOSE && fn->ops[k].sym >= 0)
				closed[fn->ops[k].sym] = true;
		for (size_t s = 0; s < fn->nsyms; s++) {
			if (!fn->syms[s].made && !fn->syms[s].from_call && !closed[s])
				continue;
			range_never_closed(p, fn, (int32_t)s);
			abandoned_sender(p, fn, (int32_t)s);
			close_by_receiver(p, fn, (int32_t)s);
			never_sent(p, fn, (int32_t)s);
			senders_outnumber(p, fn, (int32_t)s);
		}
		free(closed);
		timer_leaks(p, fn);
		blocked_select(p, fn);
		range_over_call(p, fn);
		paths_run(p, fn);
	}
	fields_never_closed(p);
}
