// SPDX-License-Identifier: MIT
// A live snapshot as the model's goroutines: what debug=2 would print for each.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/inspect.h"
#include "lib/grow.h"
#include "lib/hashmap.h"
#include "lib/banned.h"

#define INLINE_DEPTH	 16 /* source frames one PC may expand to */
#define MAX_MODEL_FRAMES (LIVE_MAX_FRAMES * 2)
#define INNER_FRAMES	 50 /* Go prints the innermost 50 and outermost 50 frames of a */
#define OUTER_FRAMES	 50 /* deeper stack, "...N frames elided..." between them */

struct emitter {
	const struct live_snapshot *s;
	const struct live_target *t;
	const struct live_emit_options *opt;
	struct frame frames[MAX_MODEL_FRAMES];
	struct chan_info chan;
	struct arena names; /* printed names of frames, cached stacks (the whole emission) */
	/* whole stacks by their PCs: most goroutines share a stack with many others */
	struct u64map by_stack; /* hash of the PCs -> index in stacks[] */
	struct stack_entry {
		const uint64_t *pcs;
		uint32_t npcs, nframes, elided;
		struct frame *frames;
	} * stacks;
	size_t nstacks, stacks_alloc;
	struct u64map by_gopc; /* go statement PC -> index in creators[] */
	struct frame *creators;
	size_t ncreators, creators_alloc;
	struct u64map by_pc; /* pc << 1 | top -> start << 16 | count in cached[] */
	struct frame *cached;
	size_t ncached, cached_alloc;
	unsigned wrapper; /* abi.FuncIDWrapper of the target's Go version; 0 unknown */
};

/* A function's name as Go prints it: a generic instance's shapes as "[...]". */
static struct slice print_name(struct emitter *e, const char *name)
{
	const char *open = strchr(name, '['), *close = strrchr(name, ']');
	size_t head, tail;
	char *p;
	if (!open || !close || close < open)
		return slice_cstr(name);
	head = (size_t)(open - name);
	tail = strlen(close + 1);
	p = arena_alloc(&e->names, head + 5 + tail + 1);
	memcpy(p, name, head);
	memcpy(p + head, "[...]", 5);
	memcpy(p + head + 5, close + 1, tail + 1);
	return slice_from(p, head + 5 + tail);
}

static uint64_t to_vaddr(const struct live_target *t, uint64_t pc)
{
	return pc >= t->meta.load_bias ? pc - t->meta.load_bias : 0;
}

/*
 * abi.FuncIDWrapper (the last FuncID, internal/abi/symtab.go), by Go minor version: the
 * compiler's wrappers (go statement wrappers main.f.gowrap1, method value and ABI
 * wrappers), which Go leaves out of tracebacks. 0: unknown.
 */
static unsigned funcid_wrapper(const char *go_version)
{
	int major = 0, minor = 0;
	if (sscanf(go_version, "go%d.%d", &major, &minor) != 2 || major != 1)
		return 0;
	switch (minor) { /* 1.25 split FuncID_runfinq in runFinalizers and runCleanups */
	case 22:
	case 23:
	case 24:
		return 22;
	case 25:
	case 26:
		return 23;
	default:
		return 0;
	}
}

/* The funcID byte of f's _func record (runtime._func.funcID at offset 40), or 0. */
static unsigned func_id(const struct gobin *b, const struct gobin_func *f)
{
	size_t off = b->functab + f->funcoff;
	if (!f->funcoff || off < b->functab || off > b->pcln_size || b->pcln_size - off < 44)
		return 0;
	return b->pcln[off + 40];
}

/*
 * Go hides runtime-internal frames from debug=2 (showfuncinfo at GOTRACEBACK=all): a
 * name without a '.', or in package runtime unless exported (runtime.Goexit) or gopanic
 * below the first frame.
 */
static bool frame_shown(const char *name, bool first)
{
	const char *dot = strchr(name, '.');
	if (!dot)
		return false;
	if (strncmp(name, "runtime.", 8))
		return true;
	if (!strcmp(name, "runtime.gopanic"))
		return !first;
	return name[8] >= 'A' && name[8] <= 'Z';
}

/* A system goroutine debug=2 leaves out (isSystemGoroutine): started in package runtime. */
static bool is_system(const struct emitter *e, const struct live_g *g)
{
	const struct gobin_func *f;
	if (!e->t->have_bin || !g->startpc)
		return false;
	f = gobin_func_at(&e->t->bin, to_vaddr(e->t, g->startpc));
	if (!f || !f->name || strncmp(f->name, "runtime.", 8))
		return false;
	return strcmp(f->name, "runtime.main") && strcmp(f->name, "runtime.handleAsyncEvent") &&
	       strcmp(f->name, "runtime.corostart");
}

/*
 * The source frames of one PC (inlined calls first) as Go prints them, appended to the
 * cache. ret: pc is a return address (every frame but a goroutine's first, and that one too
 * unless it is a function entry): it is looked up one byte back, inside the call, as Go
 * does. top: the first frame printed for the goroutine (runtime.gopanic shows below it).
 */
static void symbolize_pc(struct emitter *e, uint64_t pc, bool top)
{
	struct gobin_frame gf[INLINE_DEPTH];
	uint64_t va = to_vaddr(e->t, pc);
	const struct gobin_func *f = e->t->have_bin ? gobin_func_at(&e->t->bin, va) : NULL;
	bool wrapper = f && !e->opt->system && e->wrapper && func_id(&e->t->bin, f) == e->wrapper;
	int k = -1;

	if (f)
		k = gobin_symbolize(&e->t->bin, va > f->entry ? va - 1 : va, gf, INLINE_DEPTH);
	if (k <= 0) {
		if (e->opt->system || !f) {
			struct frame *fr;
			char hex[24];
			e->cached = grow_array(e->cached, &e->cached_alloc, e->ncached + 1,
					       sizeof(*e->cached));
			fr = &e->cached[e->ncached++];
			memset(fr, 0, sizeof(*fr));
			snprintf(hex, sizeof(hex), "0x%" PRIx64, pc);
			fr->func = f && f->name
				       ? slice_cstr(f->name)
				       : slice_from(arena_strndup(&e->names, hex, strlen(hex)),
						    strlen(hex));
			fr->pc = pc;
		}
		return;
	}
	for (int i = 0; i < k; i++) {
		struct frame *fr;
		if (!e->opt->system && !frame_shown(gf[i].func, top))
			continue;
		if (wrapper && !gf[i].inlined)
			continue; /* a compiler wrapper (not what it inlined): Go leaves it out */
		e->cached =
		    grow_array(e->cached, &e->cached_alloc, e->ncached + 1, sizeof(*e->cached));
		fr = &e->cached[e->ncached++];
		memset(fr, 0, sizeof(*fr));
		fr->func = print_name(e, gf[i].func);
		fr->file = slice_cstr(gf[i].file);
		fr->line = gf[i].line > 0 ? (uint32_t)gf[i].line : 0;
		fr->pc = pc;
		if (gf[i].inlined)
			fr->flags |= FRAME_INLINED;
		else
			fr->offset = (uint32_t)(va - gf[i].entry);
		top = false;
	}
}

/* Appends the frames of pc to the goroutine's, symbolizing each PC once per emission. */
static void add_frames(struct emitter *e, uint64_t pc, bool first, uint32_t *n)
{
	bool top = first && *n == 0;
	uint64_t key = pc << 1 | top, packed, start, count;

	if (!u64map_get(&e->by_pc, key, &packed)) {
		start = e->ncached;
		symbolize_pc(e, pc, top);
		packed = start << 16 | (e->ncached - start);
		u64map_set(&e->by_pc, key, packed);
	}
	start = packed >> 16;
	count = packed & 0xffff;
	for (uint64_t i = 0; i < count && *n < MAX_MODEL_FRAMES; i++)
		e->frames[(*n)++] = e->cached[start + i];
}

static void creator_of(struct emitter *e, const struct live_g *g, struct frame *out);

/* The creator frame of g, symbolized once per go statement. */
static void creator(struct emitter *e, const struct live_g *g, struct frame *out)
{
	uint64_t idx;
	if (g->goid == 1 || !g->gopc) {
		memset(out, 0, sizeof(*out));
		return;
	}
	if (!u64map_get(&e->by_gopc, g->gopc, &idx)) {
		e->creators = grow_array(e->creators, &e->creators_alloc, e->ncreators + 1,
					 sizeof(*e->creators));
		creator_of(e, g, &e->creators[e->ncreators]);
		idx = e->ncreators++;
		u64map_set(&e->by_gopc, g->gopc, idx);
	}
	*out = e->creators[idx];
}

/* The go statement: the physical function's name, the innermost position of the call. */
static void creator_of(struct emitter *e, const struct live_g *g, struct frame *out)
{
	struct gobin_frame gf[INLINE_DEPTH];
	uint64_t va = to_vaddr(e->t, g->gopc);
	const struct gobin_func *f;
	int k;

	memset(out, 0, sizeof(*out));
	/* Go prints no creator for the main goroutine, nor one inside the runtime */
	if (!g->gopc || !e->t->have_bin || g->goid == 1)
		return;
	f = gobin_func_at(&e->t->bin, va);
	if (!f)
		return;
	k = gobin_symbolize(&e->t->bin, va > f->entry ? va - 1 : va, gf, INLINE_DEPTH);
	if (k <= 0)
		return;
	if (!e->opt->system && !frame_shown(gf[k - 1].func, false))
		return;
	out->func = print_name(e, gf[k - 1].func);
	out->file = slice_cstr(gf[0].file);
	out->line = gf[0].line > 0 ? (uint32_t)gf[0].line : 0;
	out->offset = (uint32_t)(va - f->entry);
	out->pc = g->gopc;
}

void live_chan_info(const struct live_chan *c, struct chan_info *out)
{
	memset(out, 0, sizeof(*out));
	out->addr = c->addr;
	out->cap = c->dataqsiz;
	out->len = c->qcount;
	out->closed = c->closed;
	out->elem_type = slice_cstr(c->elem ? c->elem : "");
	out->senders = c->senders;
	out->nsenders = c->nsenders;
	out->receivers = c->receivers;
	out->nreceivers = c->nreceivers;
}

/* Builds the frames of lg's PCs into e->frames, as Go prints them; sets g's frames. */
static void build_frames(struct emitter *e, const struct live_g *lg, struct goroutine *g)
{
	uint32_t n = 0;
	for (uint32_t k = 0; k < lg->npcs; k++)
		add_frames(e, lg->pcs[k], k == 0, &n);
	/* runtime.goexit ends every goroutine's stack; Go never prints it */
	while (n && slice_eq_cstr(e->frames[n - 1].func, "runtime.goexit"))
		n--;
	g->frames = e->frames;
	g->nframes = n;
	g->frames_elided = 0;
	if (lg->flags & LG_FRAMES_ELIDED) {
		g->frames_elided = FRAMES_ELIDED_UNKNOWN; /* the outer frames are missing */
	} else if (n > INNER_FRAMES + OUTER_FRAMES) {
		memmove(&e->frames[INNER_FRAMES], &e->frames[n - OUTER_FRAMES],
			OUTER_FRAMES * sizeof(e->frames[0]));
		g->frames_elided = n - INNER_FRAMES - OUTER_FRAMES;
		g->nframes = INNER_FRAMES + OUTER_FRAMES;
	}
}

/* The model's stack_id of stacks[idx]: idx + 1, or 0 (none) past what 32 bits count. */
static uint32_t stack_id_of(uint64_t idx)
{
	return idx < UINT32_MAX - 1 ? (uint32_t)idx + 1 : 0;
}

/* g's frames from the cache of whole stacks, built and kept the first time. */
static void stack_frames(struct emitter *e, const struct live_g *lg, struct goroutine *g)
{
	uint64_t key, idx;
	struct stack_entry *se;

	if (!lg->npcs) { /* no stack read: nothing to share */
		build_frames(e, lg, g);
		return;
	}
	key = hash_bytes(lg->pcs, lg->npcs * sizeof(*lg->pcs),
			 HASH_SEED ^ lg->npcs ^ (uint64_t)(lg->flags & LG_FRAMES_ELIDED));
	if (u64map_get(&e->by_stack, key, &idx)) {
		se = &e->stacks[idx];
		if (se->npcs == lg->npcs &&
		    !memcmp(se->pcs, lg->pcs, lg->npcs * sizeof(*lg->pcs))) {
			g->frames = se->frames;
			g->nframes = se->nframes;
			g->frames_elided = se->elided;
			g->stack_id = stack_id_of(idx);
			return;
		}
		build_frames(e, lg, g); /* another stack with the same hash: not cached */
		return;
	}
	build_frames(e, lg, g);
	e->stacks = grow_array(e->stacks, &e->stacks_alloc, e->nstacks + 1, sizeof(*e->stacks));
	se = &e->stacks[e->nstacks];
	se->pcs = lg->pcs; /* the snapshot's: it outlives the emission */
	se->npcs = lg->npcs;
	se->nframes = g->nframes;
	se->elided = g->frames_elided;
	se->frames = arena_alloc(&e->names, (g->nframes ? g->nframes : 1) * sizeof(*se->frames));
	memcpy(se->frames, g->frames, g->nframes * sizeof(*se->frames));
	u64map_set(&e->by_stack, key, e->nstacks++);
	g->frames = se->frames;
	g->stack_id = stack_id_of(e->nstacks - 1);
}

int live_snapshot_emit(const struct live_snapshot *s, const struct live_target *t,
		       const struct live_emit_options *opt, const struct dump_sink *sink)
{
	static const struct live_emit_options defaults;
	struct emitter *e = calloc(1, sizeof(*e));
	const struct runtime_layout *l = t->layout;
	int rc = 0;

	if (!e)
		return -1;
	e->s = s;
	e->t = t;
	e->opt = opt ? opt : &defaults;
	e->names = (struct arena)ARENA_INIT;
	e->by_pc = (struct u64map)U64MAP_INIT;
	e->by_stack = (struct u64map)U64MAP_INIT;
	e->by_gopc = (struct u64map)U64MAP_INIT;
	e->wrapper = funcid_wrapper(t->meta.go_version);
	for (size_t i = 0; i < s->ngs && !rc; i++) {
		const struct live_g *lg = &s->gs[i];
		struct goroutine g;

		if (!e->opt->system && is_system(e, lg))
			continue;
		memset(&g, 0, sizeof(g));
		g.id = lg->goid;
		g.count = 1;
		g.flags = G_HAS_STATUS;
		if (lg->flags & LG_UNREADABLE) {
			g.status = slice_cstr("unreadable");
		} else {
			g.status = slice_cstr(
			    runtime_layout_goroutine_state(l, lg->status, lg->waitreason));
		}
		if (lg->scan)
			g.flags |= G_SCAN;
		if (l->gs_leaked.known && lg->status == (uint64_t)l->gs_leaked.value)
			g.flags |= G_LEAKED;
		if (lg->waitsince > 0 && s->mono_ns > lg->waitsince &&
		    ((l->gs_waiting.known && lg->status == (uint64_t)l->gs_waiting.value) ||
		     (l->gs_syscall.known && lg->status == (uint64_t)l->gs_syscall.value))) {
			uint64_t minutes = (uint64_t)(s->mono_ns - lg->waitsince) / 60000000000ull;
			if (minutes >= 1) {
				g.wait_minutes =
				    minutes > UINT32_MAX ? UINT32_MAX : (uint32_t)minutes;
				g.flags |= G_HAS_MINUTES;
			}
		}
		if (lg->flags & LG_NO_STACK) {
			memset(&e->frames[0], 0, sizeof(e->frames[0]));
			e->frames[0].flags = FRAME_UNAVAILABLE;
			g.frames = e->frames;
			g.nframes = 1;
		} else {
			stack_frames(e, lg, &g);
		}
		creator(e, lg, &g.created_by);
		g.creator_id = lg->parent_goid;
		if (lg->nchans) {
			live_chan_info(&s->chans[lg->chans[0]], &e->chan);
			g.chan = &e->chan;
		}
		rc = sink->goroutine(sink->ctx, &g);
	}
	arena_release(&e->names);
	u64map_release(&e->by_pc);
	u64map_release(&e->by_stack);
	u64map_release(&e->by_gopc);
	free(e->stacks);
	free(e->creators);
	free(e->cached);
	free(e);
	return rc;
}
