// SPDX-License-Identifier: MIT
// Grouping by blocking site and creator, diffing two snapshots, and ranking leak suspects.
#include "analyze/analyze.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/source.h"
#include "lib/grow.h"
#include "lib/hashmap.h"
#include "lib/num.h"
#include "lib/strbuf.h"
#include "lib/usage.h"
#include "lib/banned.h"

#define MAX_CREATOR_SLOTS 64
#define SITE_CACHE_SIZE	  256 /* power of two */

/*
 * Direct-mapped cache in front of the group and creator maps: a dump has few
 * distinct sites, so most goroutines find theirs here without building and
 * hashing a key. Entries hold an index; the strings compared are the interned ones.
 */
struct site_cache_entry {
	uint32_t index_plus1; /* 0: empty */
	uint32_t cls;
	uint32_t line;
	uint32_t funclen, filelen;
};

struct creator_slot {
	uint32_t creator; /* index into analyzer.creators */
	uint64_t count;
};

/* A group under construction. counts[] per snapshot; the rest describes the newest. */
struct agroup {
	struct group g;
	uint64_t counts[2];
	struct creator_slot *slots;
	uint32_t nslots;
	uint64_t deadlocked; /* goroutines from an input that ended in a deadlock */
	uint64_t timed_out;  /* goroutines from an input that ended in a test timeout */
	bool seen_main;	     /* stack/examples already taken from the main snapshot */
};

struct analyzer {
	struct analyzer_options opt;
	struct arena arena;    /* interned strings, stacks: moves into the analysis */
	struct hashmap groups; /* key -> index+1 */
	struct agroup *agroups;
	size_t ngroups, groups_alloc;
	struct hashmap creators; /* key -> index+1 */
	struct creator_group *cgroups;
	size_t ncreators, creators_alloc;
	struct panic_info *panics;
	size_t npanics, panics_alloc;
	struct input_summary *inputs;
	size_t inputs_alloc;
	/* The current input ended in "all goroutines are asleep" / a go test timeout. */
	bool input_deadlock, input_test_timeout;
	bool pending_panic[2];
	size_t pending_panic_idx[2];
	struct u64map old_stacks; /* diff: goroutine ID -> stack hash in OLD */
	struct site_cache_entry group_cache[SITE_CACHE_SIZE];
	struct site_cache_entry creator_cache[SITE_CACHE_SIZE];
	bool is_diff;
	struct source_cache *sources; /* NULL with --no-source */
	struct analysis result;
	struct strbuf key;
	struct {
		struct analyzer *a;
		int which;
	} sinks[2];
};

struct analyzer *analyzer_new(const struct analyzer_options *opt)
{
	struct analyzer *a = calloc(1, sizeof(*a));
	if (!a)
		die("out of memory");
	if (opt)
		a->opt = *opt;
	if (!a->opt.min_count)
		a->opt.min_count = ANALYZER_DEFAULT_MIN_COUNT;
	a->is_diff = a->opt.diff;
	if (!a->opt.no_source)
		a->sources = source_cache_new(a->opt.source_dir);
	strbuf_init(&a->key, 0);
	return a;
}

static const char *intern(struct analyzer *a, struct slice s)
{
	return arena_strndup(&a->arena, s.ptr ? s.ptr : "", s.len);
}

static bool name_matches(const char *pattern, struct slice fn)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return fn.len >= n - 1 && !memcmp(fn.ptr, pattern, n - 1);
	return slice_eq_cstr(fn, pattern);
}

static bool any_matches(const char *const *patterns, size_t n, struct slice fn)
{
	for (size_t i = 0; i < n; i++)
		if (name_matches(patterns[i], fn))
			return true;
	return false;
}

static bool ignored(const struct analyzer *a, const struct goroutine *g, int site)
{
	if (a->opt.nignore_top && g->nframes) {
		if (any_matches(a->opt.ignore_top, a->opt.nignore_top, g->frames[0].func))
			return true;
		if (site >= 0 &&
		    any_matches(a->opt.ignore_top, a->opt.nignore_top, g->frames[site].func))
			return true;
	}
	if (a->opt.nignore_created_by && g->created_by.func.len &&
	    any_matches(a->opt.ignore_created_by, a->opt.nignore_created_by, g->created_by.func))
		return true;
	return false;
}

static uint64_t stack_hash(const struct goroutine *g)
{
	uint64_t h = hash_bytes(g->status.ptr, g->status.len, HASH_SEED);
	for (uint32_t i = 0; i < g->nframes; i++) {
		const struct frame *f = &g->frames[i];
		h = hash_bytes(f->func.ptr, f->func.len, h);
		h = hash_bytes(f->file.ptr, f->file.len, h);
		h = hash_bytes(&f->line, sizeof(f->line), h);
		h = hash_bytes(&f->offset, sizeof(f->offset), h);
	}
	return h;
}

static void key_frame(struct strbuf *key, const struct frame *f)
{
	strbuf_add(key, f->func.ptr, f->func.len);
	strbuf_addch(key, 0);
	strbuf_add(key, f->file.ptr, f->file.len);
	strbuf_addch(key, 0);
	strbuf_add(key, &f->line, sizeof(f->line));
}

static size_t site_cache_slot(const struct frame *f, unsigned cls)
{
	uint32_t h = f->line * 2654435761u ^ (uint32_t)f->func.len << 7 ^
		     (uint32_t)f->file.len << 15 ^ cls << 26;
	if (f->func.len)
		h ^= (uint32_t)(unsigned char)f->func.ptr[f->func.len - 1] << 20;
	return (h ^ h >> 11) & (SITE_CACHE_SIZE - 1);
}

static bool site_cache_hit(const struct site_cache_entry *e, const struct site *s,
			   const struct frame *f, unsigned cls)
{
	return e->index_plus1 && e->cls == cls && e->line == f->line && e->funclen == f->func.len &&
	       e->filelen == f->file.len &&
	       (!f->func.len || !memcmp(s->func, f->func.ptr, f->func.len)) &&
	       (!f->file.len || !memcmp(s->file, f->file.ptr, f->file.len));
}

static void site_cache_fill(struct site_cache_entry *e, const struct frame *f, unsigned cls,
			    uint32_t index)
{
	e->index_plus1 = index + 1;
	e->cls = cls;
	e->line = f->line;
	e->funclen = (uint32_t)f->func.len;
	e->filelen = (uint32_t)f->file.len;
}

static uint32_t creator_index(struct analyzer *a, const struct goroutine *g)
{
	static const struct frame none;
	const struct frame *f = g->created_by.func.len ? &g->created_by : &none;
	struct site_cache_entry *ce = &a->creator_cache[site_cache_slot(f, 0)];
	struct hashmap_entry *e;
	bool inserted;
	uint32_t index;

	if (ce->index_plus1 && site_cache_hit(ce, &a->cgroups[ce->index_plus1 - 1].site, f, 0))
		return ce->index_plus1 - 1;
	strbuf_reset(&a->key);
	key_frame(&a->key, f);
	e = hashmap_put(&a->creators, a->key.buf, a->key.len,
			hash_bytes(a->key.buf, a->key.len, HASH_SEED), &inserted);
	if (inserted) {
		struct creator_group *c;
		e->key = arena_strndup(&a->arena, a->key.buf, a->key.len);
		a->cgroups = grow_array(a->cgroups, &a->creators_alloc, a->ncreators + 1,
					sizeof(*a->cgroups));
		c = &a->cgroups[a->ncreators];
		memset(c, 0, sizeof(*c));
		c->site.func = intern(a, f->func);
		c->site.file = intern(a, f->file);
		c->site.line = f->line;
		e->value = (void *)(uintptr_t)(++a->ncreators);
	}
	index = (uint32_t)((uintptr_t)e->value - 1);
	site_cache_fill(ce, f, 0, index);
	return index;
}

static struct agroup *group_for(struct analyzer *a, enum block_class cls, const struct frame *site)
{
	static const struct frame none;
	struct site_cache_entry *ce;
	struct hashmap_entry *e;
	struct agroup *ag;
	bool inserted;

	if (!site)
		site = &none;
	ce = &a->group_cache[site_cache_slot(site, cls)];
	if (ce->index_plus1 &&
	    site_cache_hit(ce, &a->agroups[ce->index_plus1 - 1].g.site, site, cls))
		return &a->agroups[ce->index_plus1 - 1];
	strbuf_reset(&a->key);
	strbuf_addch(&a->key, (int)cls);
	key_frame(&a->key, site);
	e = hashmap_put(&a->groups, a->key.buf, a->key.len,
			hash_bytes(a->key.buf, a->key.len, HASH_SEED), &inserted);
	if (!inserted) {
		site_cache_fill(ce, site, cls, (uint32_t)((uintptr_t)e->value - 1));
		return &a->agroups[(uintptr_t)e->value - 1];
	}
	e->key = arena_strndup(&a->arena, a->key.buf, a->key.len);
	a->agroups = grow_array(a->agroups, &a->groups_alloc, a->ngroups + 1, sizeof(*a->agroups));
	ag = &a->agroups[a->ngroups];
	memset(ag, 0, sizeof(*ag));
	ag->g.class = cls;
	ag->g.site.func = intern(a, site->func);
	ag->g.site.file = intern(a, site->file);
	ag->g.site.line = site->line;
	ag->g.std_site =
	    func_is_std(site->func.ptr, site->func.len, site->file.ptr, site->file.len);
	ag->g.status = "";
	e->value = (void *)(uintptr_t)(++a->ngroups);
	site_cache_fill(ce, site, cls, (uint32_t)(a->ngroups - 1));
	return ag;
}

static void copy_stack(struct analyzer *a, struct group *g, const struct goroutine *gr)
{
	g->stack = arena_alloc(&a->arena, sizeof(*g->stack) * (gr->nframes ? gr->nframes : 1));
	for (uint32_t i = 0; i < gr->nframes; i++) {
		const struct frame *f = &gr->frames[i];
		struct frame *d = &g->stack[i];
		*d = *f;
		d->func.ptr = intern(a, f->func);
		d->file.ptr = intern(a, f->file);
	}
	g->nstack = gr->nframes;
	g->stack_elided = gr->frames_elided;
}

static void add_creator(struct analyzer *a, struct agroup *ag, uint32_t creator, uint64_t n)
{
	for (uint32_t i = 0; i < ag->nslots; i++) {
		if (ag->slots[i].creator == creator) {
			ag->slots[i].count = sat_add(ag->slots[i].count, n);
			return;
		}
	}
	if (ag->nslots == MAX_CREATOR_SLOTS) {
		ag->g.other_creators = sat_add(ag->g.other_creators, n);
		return;
	}
	if (!ag->slots)
		ag->slots = arena_alloc(&a->arena, sizeof(*ag->slots) * MAX_CREATOR_SLOTS);
	ag->slots[ag->nslots].creator = creator;
	ag->slots[ag->nslots].count = n;
	ag->nslots++;
}

static void intern_site(struct analyzer *a, struct site *s, const struct frame *f)
{
	s->func = intern(a, f->func);
	s->file = intern(a, f->file);
	s->line = f->line;
}

/* Counts the goroutine's channel under its make(chan) site (the first few sites). */
static void add_chan_site(struct analyzer *a, struct group *grp, const struct chan_info *c,
			  uint64_t n)
{
	struct chan_site_count *cs = NULL;
	/* a channel seen in memory, its make site unknown: counted by its own identity */
	uint64_t addr = !c->made_at.func.len && c->elem_type.len ? c->addr : 0;

	for (uint32_t i = 0; i < grp->nchans && !cs; i++)
		if (grp->chans[i].addr == addr && grp->chans[i].made_at.line == c->made_at.line &&
		    slice_eq_cstr(c->made_at.func, grp->chans[i].made_at.func) &&
		    slice_eq_cstr(c->made_at.file, grp->chans[i].made_at.file))
			cs = &grp->chans[i];
	if (!cs) {
		if (grp->nchans == GROUP_MAX_CREATORS)
			return;
		cs = &grp->chans[grp->nchans++];
		intern_site(a, &cs->made_at, &c->made_at);
		cs->addr = addr;
		cs->elem = intern(a, c->elem_type);
		cs->cap = c->cap;
	}
	cs->count = sat_add(cs->count, n);
	if (c->closed)
		cs->closed = sat_add(cs->closed, n);
}

static void take_panic_goroutine(struct analyzer *a, int which, const struct goroutine *g, int site)
{
	struct panic_info *p;
	if (!a->pending_panic[which])
		return;
	a->pending_panic[which] = false;
	p = &a->panics[a->pending_panic_idx[which]];
	p->has_goroutine = true;
	p->goroutine_id = g->id;
	p->status = intern(a, g->status);
	if (site >= 0) {
		p->site.func = intern(a, g->frames[site].func);
		p->site.file = intern(a, g->frames[site].file);
		p->site.line = g->frames[site].line;
	}
}

static int on_goroutine(struct analyzer *a, int which, const struct goroutine *g)
{
	enum block_class cls;
	int site = blocking_frame_index(g);
	struct agroup *ag;
	struct group *grp;
	uint64_t n = g->count ? g->count : 1;
	int main_snapshot = a->is_diff ? 1 : 0;

	take_panic_goroutine(a, which, g, site);
	if (ignored(a, g, site)) {
		if (which == main_snapshot)
			a->result.ignored = sat_add(a->result.ignored, n);
		return 0;
	}
	cls = classify_goroutine(g);
	ag = group_for(a, cls, site >= 0 ? &g->frames[site] : NULL);
	ag->counts[which] = sat_add(ag->counts[which], n);
	if (which != main_snapshot) {
		/* OLD snapshot of a diff: remember where each goroutine was. */
		if (g->id && block_class_can_leak(cls))
			u64map_set(&a->old_stacks, g->id, stack_hash(g));
		return 0;
	}

	grp = &ag->g;
	a->result.goroutines = sat_add(a->result.goroutines, n);
	a->result.class_counts[cls] = sat_add(a->result.class_counts[cls], n);
	if (g->id)
		a->result.has_ids = true;
	if (g->flags & G_LEAKED)
		grp->leaked = sat_add(grp->leaked, n);
	if (a->input_deadlock)
		ag->deadlocked = sat_add(ag->deadlocked, n);
	if (a->input_test_timeout)
		ag->timed_out = sat_add(ag->timed_out, n);
	if (g->flags & G_DURABLE)
		grp->durable = sat_add(grp->durable, n);
	if (g->flags & G_LOCKED)
		grp->locked = sat_add(grp->locked, n);
	if (g->flags & G_HAS_MINUTES) {
		if (!grp->with_minutes || g->wait_minutes < grp->min_minutes)
			grp->min_minutes = g->wait_minutes;
		if (g->wait_minutes > grp->max_minutes)
			grp->max_minutes = g->wait_minutes;
		grp->with_minutes = sat_add(grp->with_minutes, n);
		a->result.has_minutes = true;
	}
	if (g->id && grp->nexample_ids < GROUP_MAX_EXAMPLE_IDS)
		grp->example_ids[grp->nexample_ids++] = g->id;
	if (!ag->seen_main) {
		ag->seen_main = true;
		grp->status = intern(a, g->status);
		copy_stack(a, grp, g);
	}
	if (!grp->labels && g->labels.len)
		grp->labels = intern(a, g->labels);
	if (g->blocked_ns > grp->max_blocked_ns)
		grp->max_blocked_ns = g->blocked_ns;
	if (g->chan)
		add_chan_site(a, grp, g->chan, n);
	if (a->is_diff && g->id && block_class_can_leak(cls)) {
		uint64_t old;
		if (u64map_get(&a->old_stacks, g->id, &old)) {
			a->result.matched++;
			if (old == stack_hash(g)) {
				grp->stuck++;
				a->result.stuck++;
			}
		}
	}

	uint32_t ci = creator_index(a, g);
	add_creator(a, ag, ci, n);
	a->cgroups[ci].count = sat_add(a->cgroups[ci].count, n);
	if (block_class_can_leak(cls))
		a->cgroups[ci].blocked = sat_add(a->cgroups[ci].blocked, n);
	return 0;
}

static int on_panic(struct analyzer *a, int which, const struct panic_report *p)
{
	struct panic_info *pi;
	a->panics = grow_array(a->panics, &a->panics_alloc, a->npanics + 1, sizeof(*a->panics));
	pi = &a->panics[a->npanics];
	memset(pi, 0, sizeof(*pi));
	pi->kind = p->kind;
	if (p->kind == PANIC_DEADLOCK)
		a->input_deadlock = true;
	if (p->kind == PANIC_TEST_TIMEOUT)
		a->input_test_timeout = true;
	pi->message = intern(a, p->message);
	pi->site.func = pi->site.file = "";
	pi->status = "";
	pi->input = a->result.ninputs ? a->inputs[a->result.ninputs - 1].name : "";
	pi->made_at.func = pi->made_at.file = pi->closed_at.func = pi->closed_at.file = "";
	if (p->chan) {
		pi->has_chan = true;
		intern_site(a, &pi->made_at, &p->chan->made_at);
		if (p->chan->closed)
			intern_site(a, &pi->closed_at, &p->chan->closed_at);
	}
	a->pending_panic[which] = true;
	a->pending_panic_idx[which] = a->npanics++;
	return 0;
}

static int sink_goroutine0(void *ctx, const struct goroutine *g)
{
	return on_goroutine(ctx, 0, g);
}
static int sink_goroutine1(void *ctx, const struct goroutine *g)
{
	return on_goroutine(ctx, 1, g);
}
static int sink_panic0(void *ctx, const struct panic_report *p)
{
	return on_panic(ctx, 0, p);
}
static int sink_panic1(void *ctx, const struct panic_report *p)
{
	return on_panic(ctx, 1, p);
}

void analyzer_sink(struct analyzer *a, int which, struct dump_sink *sink)
{
	if (which == 1 && !a->is_diff)
		BUG("snapshot 1 fed without analyzer_options.diff");
	sink->goroutine = which ? sink_goroutine1 : sink_goroutine0;
	sink->panic = which ? sink_panic1 : sink_panic0;
	sink->ctx = a;
}

void analyzer_begin_input(struct analyzer *a, int which, const char *name)
{
	struct input_summary *in;
	a->inputs =
	    grow_array(a->inputs, &a->inputs_alloc, a->result.ninputs + 1, sizeof(*a->inputs));
	in = &a->inputs[a->result.ninputs++];
	memset(in, 0, sizeof(*in));
	in->name = arena_strndup(&a->arena, name, strlen(name));
	in->snapshot = which;
	a->pending_panic[which] = false;
	a->input_deadlock = a->input_test_timeout = false;
}

void analyzer_end_input(struct analyzer *a, const struct dump_info *info, int64_t time_ns)
{
	struct input_summary *in = &a->inputs[a->result.ninputs - 1];
	if (info)
		in->info = *info;
	in->time_ns = in->info.time_nanos ? in->info.time_nanos : time_ns;
}

/* A snapshot's time: its latest input's. */
static int64_t snapshot_time(const struct analyzer *a, int which)
{
	int64_t t = 0;
	for (size_t i = 0; i < a->result.ninputs; i++)
		if (a->inputs[i].snapshot == which && a->inputs[i].time_ns > t)
			t = a->inputs[i].time_ns;
	return t;
}

static int cmp_slot(const void *x, const void *y)
{
	const struct creator_slot *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return a->creator < b->creator ? -1 : a->creator > b->creator;
}

static int cmp_site(const struct site *a, const struct site *b)
{
	int c = strcmp(a->func, b->func);
	if (c)
		return c;
	c = strcmp(a->file, b->file);
	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Proof first (leaked, forever, stuck, deadlock), then evidence (test timeout, threshold). */
static int reason_priority(enum suspect_reason r)
{
	switch (r) {
	case SUSPECT_NONE:
		return 0;
	case SUSPECT_THRESHOLD:
	case SUSPECT_TEST_TIMEOUT:
		return 1;
	default:
		return 2;
	}
}

static int cmp_group(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	int pa = reason_priority(a->reason), pb = reason_priority(b->reason);
	if (pa != pb)
		return pa < pb ? 1 : -1;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->max_minutes != b->max_minutes)
		return a->max_minutes < b->max_minutes ? 1 : -1;
	if (a->class != b->class)
		return a->class < b->class ? -1 : 1;
	return cmp_site(&a->site, &b->site);
}

static int cmp_creator(const void *x, const void *y)
{
	const struct creator_group *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return cmp_site(&a->site, &b->site);
}

/*
 * Text dumps hide the runtime frames that tell `for range ch` from `<-ch`, and
 * debug=1 hides which channel operation a goroutine parked in: the source
 * line, when this machine has it, tells.
 */
static void refine_from_source(struct analyzer *a, struct group *g)
{
	enum block_class cls;
	const char *text;
	ssize_t n;

	if (!a->sources || (g->class != BLOCK_CHAN_RECEIVE && g->class != BLOCK_PARKED))
		return;
	n = source_cache_line(a->sources, slice_cstr(g->site.file), g->site.line, &text, NULL);
	if (n < 0)
		return;
	cls = source_classify(text, (size_t)n);
	if (cls == BLOCK_UNKNOWN || cls == g->class)
		return;
	if (g->class == BLOCK_CHAN_RECEIVE && cls != BLOCK_CHAN_RANGE)
		return;
	a->result.class_counts[g->class] -= g->count;
	a->result.class_counts[cls] += g->count;
	g->class = cls;
}

static enum suspect_reason judge(const struct analyzer *a, const struct agroup *ag)
{
	const struct group *g = &ag->g;

	if (!g->count || !block_class_can_leak(g->class))
		return SUSPECT_NONE;
	if (g->std_site && !a->opt.include_std)
		return SUSPECT_NONE;
	/* Proof: the runtime or the snapshots say these goroutines will not wake. */
	if (ag->deadlocked) /* "all goroutines are asleep": every wait is permanent */
		return SUSPECT_DEADLOCK;
	if (g->leaked)
		return SUSPECT_LEAKED;
	/* select {} in main.main is the idiom for "serve forever", not a leak. */
	if (g->class == BLOCK_NIL_CHAN_SEND || g->class == BLOCK_NIL_CHAN_RECEIVE ||
	    (g->class == BLOCK_SELECT_NO_CASES && strcmp(g->site.func, "main.main")))
		return SUSPECT_FOREVER;
	if (a->is_diff && g->stuck && g->count > g->old_count)
		return SUSPECT_STUCK;
	/* The tracer hands over only goroutines it measured blocked too long (or at exit). */
	if (g->max_blocked_ns)
		return SUSPECT_TRACED;
	/* Evidence: a test timed out while they waited (not the generated _testmain.go). */
	if (ag->timed_out && !slice_has_suffix(slice_cstr(g->site.file), "_testmain.go"))
		return SUSPECT_TEST_TIMEOUT;
	/* LeakProf's rule: many goroutines at one site, and long waits when asked. */
	if (g->count >= a->opt.min_count &&
	    (!a->opt.min_minutes || g->max_minutes >= a->opt.min_minutes))
		return SUSPECT_THRESHOLD;
	return SUSPECT_NONE;
}

void analyzer_finish(struct analyzer *a, struct analysis *out)
{
	struct analysis *r = &a->result;
	uint32_t rank = 0;

	r->groups = arena_alloc(&a->arena, sizeof(*r->groups) * (a->ngroups ? a->ngroups : 1));
	for (size_t i = 0; i < a->ngroups; i++) {
		struct agroup *ag = &a->agroups[i];
		struct group *g = &ag->g;
		int main_snapshot = a->is_diff ? 1 : 0;

		g->count = ag->counts[main_snapshot];
		g->old_count = a->is_diff ? ag->counts[0] : 0;
		if (!g->count && !g->old_count)
			continue;
		if (!g->stack)
			g->stack = arena_alloc(&a->arena, sizeof(*g->stack));
		if (ag->nslots)
			qsort(ag->slots, ag->nslots, sizeof(*ag->slots), cmp_slot);
		for (uint32_t j = 0; j < ag->nslots; j++) {
			if (j < GROUP_MAX_CREATORS) {
				g->creators[j].site = a->cgroups[ag->slots[j].creator].site;
				g->creators[j].count = ag->slots[j].count;
				g->ncreators++;
			} else {
				g->other_creators += ag->slots[j].count;
			}
		}
		refine_from_source(a, g);
		g->reason = judge(a, ag);
		r->groups[r->ngroups++] = *g;
	}
	if (r->ngroups)
		qsort(r->groups, r->ngroups, sizeof(*r->groups), cmp_group);
	for (size_t i = 0; i < r->ngroups; i++) {
		if (r->groups[i].reason == SUSPECT_NONE)
			break;
		r->groups[i].rank = ++rank;
	}
	r->nsuspects = rank;

	r->creators = a->cgroups;
	r->ncreators = a->ncreators;
	a->cgroups = NULL;
	if (r->ncreators)
		qsort(r->creators, r->ncreators, sizeof(*r->creators), cmp_creator);
	r->panics = a->panics;
	r->npanics = a->npanics;
	a->panics = NULL;
	r->min_count = a->opt.min_count;
	r->min_minutes = a->opt.min_minutes;
	r->is_diff = a->is_diff;
	if (a->is_diff && snapshot_time(a, 0) && snapshot_time(a, 1))
		r->interval_seconds = (double)(snapshot_time(a, 1) - snapshot_time(a, 0)) / 1e9;
	r->inputs = a->inputs;
	a->inputs = NULL;
	r->arena = a->arena;

	*out = *r;
	hashmap_release(&a->groups);
	hashmap_release(&a->creators);
	u64map_release(&a->old_stacks);
	source_cache_free(a->sources);
	strbuf_release(&a->key);
	free(a->agroups);
	free(a);
}

void analysis_release(struct analysis *an)
{
	free(an->creators);
	free(an->panics);
	free(an->inputs);
	arena_release(&an->arena);
	memset(an, 0, sizeof(*an));
}
