// SPDX-License-Identifier: MIT
// Tracing session: channel identities and generations, goroutine wait state, misuse, leaks.
#include "trace/session.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/arena.h"
#include "lib/grow.h"
#include "lib/hashmap.h"
#include "lib/jsonw.h"
#include "lib/usage.h"
#include "trace/chanwatch.h"
#include "lib/banned.h"

#define SYM_FRAMES_PER_PC 8
#define MAX_FRAMES	  (CW_STACK_DEPTH * SYM_FRAMES_PER_PC)

struct chan_state {
	uint64_t addr, gen, cap, elemtype;
	int32_t make_stack, close_stack;
	bool closed;
	bool open;	 /* its timeline slice is open (--perfetto) */
	uint64_t serial; /* changes when the slot is given to another channel */
};

struct g_state {
	uint64_t goid;
	uint64_t since_ns;
	uint64_t gopc;
	uint32_t chan; /* index+1 into chans, 0 when not on a known channel */
	uint64_t chan_gen;
	uint64_t chan_serial;
	int32_t stack;
	uint8_t reason;
	bool blocked;
	bool on_chan_reason; /* the reason is a channel wait (send, receive, select, nil, {}) */
	bool leak_reported;
	bool live;
	uint8_t nsel;		       /* a select: its channels */
	uint32_t sel[CW_SELECT_CHANS]; /* index+1 into chans, 0 when unknown */
	uint64_t sel_gen[CW_SELECT_CHANS];
	uint64_t sel_serial[CW_SELECT_CHANS];
};

struct misuse {
	enum panic_kind kind;
	uint64_t goid;
	uint32_t chan; /* index+1, 0 when unknown (close of nil) */
	uint64_t gen;
	uint64_t chan_serial;
	int32_t stack;
};

/* Blocking time and leaks per blocking stack (the --pprof profile). */
struct stack_cost {
	int32_t stack;
	uint64_t blocked_ns, waits, leaked;
};

struct map_range {
	uint64_t start, end, off;
};

struct stack_pcs {
	uint64_t pcs[CW_STACK_DEPTH];
	size_t n;
};

struct trace_session {
	struct trace_session_options opt;
	struct chan_state *chans;
	size_t nchans, chans_alloc;
	struct u64map chan_by_addr; /* addr -> index */
	uint64_t next_serial;
	size_t evict_next; /* at SESSION_MAX_CHANS, the slot given to the next new channel */
	struct g_state *gs;
	size_t ngs, gs_alloc;
	struct u64map g_by_goid; /* goid -> index */
	uint32_t *free_gs;	 /* slots of goroutines that exited */
	size_t nfree_gs, free_gs_alloc;
	struct misuse *misuses;
	size_t nmisuses, misuses_alloc;
	struct u64map stack_cache; /* stack id -> index+1 into stacks */
	struct stack_pcs *stacks;
	size_t nstacks, stacks_alloc;
	struct map_range *maps;
	size_t nmaps;
	bool maps_loaded;
	bool have_bias; /* PIE: the load bias, learnt from a probe's own address */
	uint64_t bias;
	const char *reason_names[256];
	bool chan_reason[256];
	struct jsonw w;
	struct trace_session_counts counts;
	struct u64map cost_by_stack; /* stack id -> index+1 into costs */
	struct stack_cost *costs;
	size_t ncosts, costs_alloc;
	bool perfetto_first;
	struct frame frames[MAX_FRAMES];
};

/* A channel wait reason of this runtime (named by the layout table, as Go prints it). */
static void chan_reason(struct trace_session *s, const struct rl_const *c)
{
	if (c->known && c->value >= 0 && c->value <= 255)
		s->chan_reason[c->value] = true;
}

struct trace_session *trace_session_new(const struct trace_session_options *opt)
{
	struct trace_session *s = calloc(1, sizeof(*s));
	const struct runtime_layout *l = opt->layout;

	if (!s)
		die("out of memory");
	s->opt = *opt;
	if (opt->json)
		jsonw_init(&s->w, opt->json, false);
	if (opt->perfetto) {
		fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", opt->perfetto);
		s->perfetto_first = true;
	}
	/* The runtime's own strings (runtime2.go waitReasonStrings) of its Go version. */
	for (unsigned v = 0; v < 256; v++) {
		const char *name = runtime_layout_wait_reason(l, v);
		s->reason_names[v] = name && name[0] ? name : NULL;
	}
	chan_reason(s, &l->wr_chan_receive);
	chan_reason(s, &l->wr_chan_send);
	chan_reason(s, &l->wr_select);
	chan_reason(s, &l->wr_select_no_cases);
	chan_reason(s, &l->wr_chan_receive_nil_chan);
	chan_reason(s, &l->wr_chan_send_nil_chan);
	chan_reason(s, &l->wr_synctest_chan_receive);
	chan_reason(s, &l->wr_synctest_chan_send);
	chan_reason(s, &l->wr_synctest_select);
	return s;
}

/* --- addresses and symbols ------------------------------------------------------------ */

/* The traced binary's mappings, for PIE: runtime address -> file offset. */
static void load_maps(struct trace_session *s)
{
	char path[64], line[4096];
	struct stat want, st;
	size_t alloc = 0;
	FILE *f;

	s->maps_loaded = true;
	if (!s->opt.bin->pie || !s->opt.pid || stat(s->opt.binary_path, &want))
		return;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)s->opt.pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off;
		char file[PATH_MAX];
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095s", &start, &end, &off, file) !=
		    4)
			continue;
		if (stat(file, &st) || st.st_ino != want.st_ino || st.st_dev != want.st_dev)
			continue;
		s->maps = grow_array(s->maps, &alloc, s->nmaps + 1, sizeof(*s->maps));
		s->maps[s->nmaps++] = (struct map_range){start, end, off};
	}
	fclose(f);
}

/* A runtime address in the traced binary -> its ELF virtual address, or 0. */
static uint64_t to_vaddr(struct trace_session *s, uint64_t addr)
{
	const struct gobin *b = s->opt.bin;

	if (!b->pie)
		return addr;
	if (s->have_bias) /* a PIE is loaded at one offset: every segment moves together */
		return addr >= s->bias ? addr - s->bias : 0;
	if (!s->maps_loaded)
		load_maps(s);
	for (size_t i = 0; i < s->nmaps; i++) {
		const struct map_range *m = &s->maps[i];
		uint64_t fo;
		if (addr < m->start || addr >= m->end)
			continue;
		fo = addr - m->start + m->off;
		for (size_t j = 0; j < b->nsegments; j++) {
			const struct gobin_segment *seg = &b->segments[j];
			if (fo >= seg->offset && fo < seg->offset + seg->filesz)
				return seg->vaddr + (fo - seg->offset);
		}
	}
	return 0;
}

static const struct stack_pcs *stack_of(struct trace_session *s, int32_t id)
{
	uint64_t idx;
	struct stack_pcs *sp;

	if (id < 0)
		return NULL;
	if (u64map_get(&s->stack_cache, (uint64_t)id, &idx))
		return &s->stacks[idx];
	s->stacks = grow_array(s->stacks, &s->stacks_alloc, s->nstacks + 1, sizeof(*s->stacks));
	sp = &s->stacks[s->nstacks];
	sp->n = tracer_stack(s->opt.tracer, id, sp->pcs, CW_STACK_DEPTH);
	if (!s->maps_loaded && s->opt.bin->pie)
		load_maps(s);
	u64map_set(&s->stack_cache, (uint64_t)id, s->nstacks);
	return &s->stacks[s->nstacks++];
}

/* Symbolizes one address into frames[*n...] (inlined calls expanded). */
static void symbolize(struct trace_session *s, uint64_t addr, bool return_addr, size_t *n)
{
	struct gobin_frame gf[SYM_FRAMES_PER_PC];
	uint64_t va = to_vaddr(s, addr);
	int k;

	if (!va || *n >= MAX_FRAMES)
		return;
	k = gobin_symbolize(s->opt.bin, return_addr ? va - 1 : va, gf, SYM_FRAMES_PER_PC);
	for (int i = 0; i < k && *n < MAX_FRAMES; i++) {
		struct frame *f = &s->frames[(*n)++];
		memset(f, 0, sizeof(*f));
		f->func = slice_cstr(gf[i].func);
		f->file = slice_cstr(gf[i].file);
		f->line = gf[i].line > 0 ? (uint32_t)gf[i].line : 0;
		f->pc = addr;
		if (gf[i].inlined)
			f->flags |= FRAME_INLINED;
	}
}

/* The stack as frames in s->frames; returns how many. */
static size_t frames_of(struct trace_session *s, int32_t stack_id)
{
	const struct stack_pcs *sp = stack_of(s, stack_id);
	size_t n = 0;

	for (size_t i = 0; sp && i < sp->n; i++)
		symbolize(s, sp->pcs[i], i > 0, &n);
	return n;
}

/* The first frame outside the runtime of a stack (the analyzer's blocking site). */
static bool site_of(struct trace_session *s, int32_t stack_id, struct frame *out)
{
	struct goroutine g;
	int i;

	memset(&g, 0, sizeof(g));
	g.frames = s->frames;
	g.nframes = (uint32_t)frames_of(s, stack_id);
	i = blocking_frame_index(&g);
	if (i < 0) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	/* A copy outlives the next symbolization: s->frames is reused, but the strings are
	 * the Go binary's (gobin keeps them until gobin_close). */
	*out = s->frames[i];
	return true;
}

/* The go statement that created a goroutine, from g.gopc. */
static bool creator_of(struct trace_session *s, uint64_t gopc, struct frame *out)
{
	size_t n = 0;
	if (!gopc)
		return false;
	symbolize(s, gopc, true, &n);
	if (!n)
		return false;
	*out = s->frames[n - 1];
	return true;
}

/* --- JSON events ------------------------------------------------------------------------ */

static void json_site(struct trace_session *s, const char *key, const struct frame *f, bool known)
{
	jsonw_key(&s->w, key);
	if (!known || !f->func.len) {
		jsonw_null(&s->w);
		return;
	}
	jsonw_object_begin(&s->w);
	jsonw_key(&s->w, "func");
	jsonw_stringn(&s->w, f->func.ptr, f->func.len);
	jsonw_key(&s->w, "file");
	jsonw_stringn(&s->w, f->file.ptr, f->file.len);
	jsonw_key(&s->w, "line");
	jsonw_u64(&s->w, f->line);
	jsonw_object_end(&s->w);
}

static void json_addr(struct trace_session *s, const char *key, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	jsonw_key(&s->w, key);
	jsonw_string(&s->w, buf);
}

static void json_begin(struct trace_session *s, const char *event, uint64_t ts, uint64_t goid)
{
	jsonw_object_begin(&s->w);
	jsonw_key(&s->w, "event");
	jsonw_string(&s->w, event);
	jsonw_key(&s->w, "ts_ns");
	jsonw_u64(&s->w, ts);
	if (goid) {
		jsonw_key(&s->w, "goid");
		jsonw_u64(&s->w, goid);
	}
}

static void json_end(struct trace_session *s)
{
	jsonw_object_end(&s->w);
	jsonw_finish(&s->w);
}

static void json_chan(struct trace_session *s, uint32_t chan, uint64_t gen)
{
	if (chan) {
		json_addr(s, "chan", s->chans[chan - 1].addr);
		jsonw_key(&s->w, "gen");
		jsonw_u64(&s->w, gen);
	} else {
		jsonw_key(&s->w, "chan");
		jsonw_string(&s->w, "");
		jsonw_key(&s->w, "gen");
		jsonw_u64(&s->w, 0);
	}
}

/* --- state -------------------------------------------------------------------------------- */

static struct g_state *g_state(struct trace_session *s, uint64_t goid, bool create)
{
	uint64_t idx;
	struct g_state *g;

	if (u64map_get(&s->g_by_goid, goid, &idx) && s->gs[idx].live)
		return &s->gs[idx];
	if (!create)
		return NULL;
	if (!s->nfree_gs && s->ngs >= SESSION_MAX_GOROUTINES) {
		s->counts.dropped_state++;
		return NULL;
	}
	if (s->nfree_gs) {
		idx = s->free_gs[--s->nfree_gs]; /* the slot of a goroutine that exited */
	} else {
		s->gs = grow_array(s->gs, &s->gs_alloc, s->ngs + 1, sizeof(*s->gs));
		idx = s->ngs++;
	}
	g = &s->gs[idx];
	memset(g, 0, sizeof(*g));
	g->goid = goid;
	g->live = true;
	u64map_set(&s->g_by_goid, goid, idx);
	return g;
}

/* chan (index+1) if its slot still holds the channel that had `serial`, else 0. */
static uint32_t chan_live(const struct trace_session *s, uint32_t chan, uint64_t serial)
{
	return chan && s->chans[chan - 1].serial == serial ? chan : 0;
}

static uint64_t chan_serial(const struct trace_session *s, uint32_t chan)
{
	return chan ? s->chans[chan - 1].serial : 0;
}

static uint32_t chan_index(struct trace_session *s, uint64_t addr)
{
	uint64_t idx;
	if (!addr || !u64map_get(&s->chan_by_addr, addr, &idx))
		return 0;
	return (uint32_t)idx + 1;
}

/* Element type name of a *chantype in the binary's read-only data, or "" (best effort). */
static void elem_name(struct trace_session *s, uint64_t chantype, char *buf, size_t len)
{
	const struct runtime_layout *l = s->opt.layout;
	const uint8_t *p;
	uint64_t ct = to_vaddr(s, chantype), elem, types = 0;

	buf[0] = '\0';
	if (!ct || !l->chantype_elem.known ||
	    gobin_read_vaddr(s->opt.bin, ct + l->chantype_elem.off, 8, &p))
		return;
	memcpy(&elem, p, 8);
	elem = to_vaddr(s, elem);
	/* Type names are offsets from moduledata.types (the start of the type data). */
	if (!elem || !s->opt.bin->moduledata || !l->moduledata_types.known ||
	    gobin_read_vaddr(s->opt.bin, s->opt.bin->moduledata + l->moduledata_types.off, 8, &p))
		return;
	memcpy(&types, p, 8);
	types = to_vaddr(s, types) ? to_vaddr(s, types) : types;
	gobin_type_name(s->opt.bin, l, elem, types, buf, len);
}

static struct stack_cost *cost_of(struct trace_session *s, int32_t stack)
{
	uint64_t idx;
	if (stack < 0)
		return NULL;
	if (u64map_get(&s->cost_by_stack, (uint64_t)stack, &idx))
		return &s->costs[idx];
	s->costs = grow_array(s->costs, &s->costs_alloc, s->ncosts + 1, sizeof(*s->costs));
	memset(&s->costs[s->ncosts], 0, sizeof(s->costs[0]));
	s->costs[s->ncosts].stack = stack;
	u64map_set(&s->cost_by_stack, (uint64_t)stack, s->ncosts);
	return &s->costs[s->ncosts++];
}

/* One Trace Event Format object (Chrome JSON, which ui.perfetto.dev opens). */
static void perfetto_event(struct trace_session *s, const char *ph, const char *name,
			   const char *cat, uint64_t ts_ns, uint64_t dur_ns, uint64_t tid,
			   const char *id)
{
	struct jsonw w;
	FILE *f = s->opt.perfetto;

	if (!f)
		return;
	if (!s->perfetto_first)
		fputs(",\n", f);
	s->perfetto_first = false;
	jsonw_init(&w, f, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "ph");
	jsonw_string(&w, ph);
	jsonw_key(&w, "name");
	jsonw_string(&w, name);
	jsonw_key(&w, "cat");
	jsonw_string(&w, cat);
	jsonw_key(&w, "pid");
	jsonw_u64(&w, (uint64_t)s->opt.pid);
	jsonw_key(&w, "tid");
	jsonw_u64(&w, tid);
	jsonw_key(&w, "ts");
	jsonw_double(&w, (double)ts_ns / 1e3);
	if (!strcmp(ph, "X")) {
		jsonw_key(&w, "dur");
		jsonw_double(&w, (double)dur_ns / 1e3);
	}
	if (id) {
		jsonw_key(&w, "id");
		jsonw_string(&w, id);
	}
	jsonw_object_end(&w);
}

/* "chan receive at main.worker main.go:42" for a goroutine's blocked interval. */
static void perfetto_block(struct trace_session *s, const struct g_state *g, uint64_t end_ns)
{
	char name[512];
	struct frame site;

	if (!s->opt.perfetto || end_ns <= g->since_ns)
		return;
	if (site_of(s, g->stack, &site))
		snprintf(name, sizeof(name), "%s at %.*s:%u",
			 s->reason_names[g->reason] ? s->reason_names[g->reason] : "blocked",
			 (int)site.func.len, site.func.ptr, site.line);
	else
		snprintf(name, sizeof(name), "%s",
			 s->reason_names[g->reason] ? s->reason_names[g->reason] : "blocked");
	perfetto_event(s, "X", name, "blocked", g->since_ns, end_ns - g->since_ns, g->goid, NULL);
}

/* A channel's life as an async slice from make to close (or the end of tracing). */
static void perfetto_chan(struct trace_session *s, const struct chan_state *c, const char *ph,
			  uint64_t ts_ns)
{
	char name[512], id[48];
	struct frame site;

	if (!s->opt.perfetto)
		return;
	snprintf(id, sizeof(id), "0x%" PRIx64 "-%" PRIu64, c->addr, c->gen);
	if (site_of(s, c->make_stack, &site))
		snprintf(name, sizeof(name), "chan (cap %" PRIu64 ") made at %.*s:%u", c->cap,
			 (int)site.func.len, site.func.ptr, site.line);
	else
		snprintf(name, sizeof(name), "chan (cap %" PRIu64 ")", c->cap);
	perfetto_event(s, ph, name, "channel", ts_ns, 0, 0, id);
}

static void on_make(struct trace_session *s, const struct trace_event *e)
{
	uint64_t idx, gen = 1;
	struct chan_state *c;
	struct frame site;
	bool known;
	char elem[128];

	if (u64map_get(&s->chan_by_addr, e->chan, &idx)) {
		gen = s->chans[idx].gen + 1; /* the address was reused */
		if (s->chans[idx].open)
			perfetto_chan(s, &s->chans[idx], "e", e->ts_ns);
	} else if (s->nchans >= SESSION_MAX_CHANS) {
		/* Full: the oldest slot goes to the new channel (bounded memory on long runs);
		 * references to the old one see its serial change and call it unknown. */
		idx = s->evict_next;
		s->evict_next = (s->evict_next + 1) % SESSION_MAX_CHANS;
		u64map_del(&s->chan_by_addr, s->chans[idx].addr);
		u64map_set(&s->chan_by_addr, e->chan, idx);
		s->counts.dropped_state++;
	} else {
		s->chans = grow_array(s->chans, &s->chans_alloc, s->nchans + 1, sizeof(*s->chans));
		idx = s->nchans++;
		u64map_set(&s->chan_by_addr, e->chan, idx);
	}
	c = &s->chans[idx];
	memset(c, 0, sizeof(*c));
	c->addr = e->chan;
	c->gen = gen;
	c->serial = ++s->next_serial;
	c->cap = e->arg;
	c->elemtype = e->aux;
	c->make_stack = e->stack_id;
	c->close_stack = -1;
	c->open = true;
	perfetto_chan(s, c, "b", e->ts_ns);
	if (!s->opt.json)
		return;
	known = site_of(s, e->stack_id, &site);
	elem_name(s, e->aux, elem, sizeof(elem));
	json_begin(s, "make", e->ts_ns, e->goid);
	json_chan(s, (uint32_t)idx + 1, gen);
	jsonw_key(&s->w, "elem");
	jsonw_string(&s->w, elem);
	jsonw_key(&s->w, "cap");
	jsonw_u64(&s->w, c->cap);
	json_site(s, "site", &site, known);
	json_end(s);
}

static void add_misuse(struct trace_session *s, enum panic_kind kind, const struct trace_event *e,
		       uint32_t chan)
{
	struct misuse *m;
	s->misuses =
	    grow_array(s->misuses, &s->misuses_alloc, s->nmisuses + 1, sizeof(*s->misuses));
	m = &s->misuses[s->nmisuses++];
	m->kind = kind;
	m->goid = e->goid;
	m->chan = chan;
	m->gen = chan ? s->chans[chan - 1].gen : 0;
	m->chan_serial = chan_serial(s, chan);
	m->stack = e->stack_id;
	s->counts.misuses++;
}

static const char *misuse_name(enum panic_kind k)
{
	switch (k) {
	case PANIC_CLOSE_OF_CLOSED:
		return "close-of-closed-channel";
	case PANIC_CLOSE_OF_NIL:
		return "close-of-nil-channel";
	case PANIC_SEND_ON_CLOSED:
		return "send-on-closed-channel";
	default:
		return "misuse";
	}
}

static const char *misuse_message(enum panic_kind k)
{
	switch (k) {
	case PANIC_CLOSE_OF_CLOSED:
		return "close of closed channel";
	case PANIC_CLOSE_OF_NIL:
		return "close of nil channel";
	case PANIC_SEND_ON_CLOSED:
		return "send on closed channel";
	default:
		return "channel misuse";
	}
}

static void json_misuse(struct trace_session *s, const struct misuse *m, uint64_t ts)
{
	struct frame site = {0}, made = {0}, closed = {0};
	bool known = site_of(s, m->stack, &site), mk = false, ck = false;

	uint32_t chan = chan_live(s, m->chan, m->chan_serial);
	if (chan) {
		mk = site_of(s, s->chans[chan - 1].make_stack, &made);
		ck = site_of(s, s->chans[chan - 1].close_stack, &closed);
	}
	json_begin(s, "misuse", ts, m->goid);
	jsonw_key(&s->w, "kind");
	jsonw_string(&s->w, misuse_name(m->kind));
	json_chan(s, chan, m->gen);
	json_site(s, "site", &site, known);
	json_site(s, "made_at", &made, mk);
	json_site(s, "closed_at", &closed, ck);
	json_end(s);
}

static void on_close(struct trace_session *s, const struct trace_event *e)
{
	uint32_t ci = chan_index(s, e->chan);
	struct chan_state *c = ci ? &s->chans[ci - 1] : NULL;
	struct frame site, made;
	bool known, mk, misused = true;

	if (!e->chan) {
		add_misuse(s, PANIC_CLOSE_OF_NIL, e, 0);
	} else if (e->arg || (c && c->closed)) {
		add_misuse(s, PANIC_CLOSE_OF_CLOSED, e, ci);
	} else {
		misused = false;
		if (c) {
			c->closed = true;
			c->close_stack = e->stack_id;
			if (c->open)
				perfetto_chan(s, c, "e", e->ts_ns);
			c->open = false;
		}
	}
	if (!s->opt.json)
		return;
	if (misused) {
		json_misuse(s, &s->misuses[s->nmisuses - 1], e->ts_ns);
		return;
	}
	known = site_of(s, e->stack_id, &site);
	mk = c && site_of(s, c->make_stack, &made);
	json_begin(s, "close", e->ts_ns, e->goid);
	json_chan(s, ci, c ? c->gen : 0);
	json_site(s, "site", &site, known);
	json_site(s, "made_at", &made, mk);
	json_end(s);
}

static void on_send_closed(struct trace_session *s, const struct trace_event *e)
{
	add_misuse(s, PANIC_SEND_ON_CLOSED, e, chan_index(s, e->chan));
	if (s->opt.json)
		json_misuse(s, &s->misuses[s->nmisuses - 1], e->ts_ns);
}

/* A select's channels: "chans": [{"chan", "gen"[, "made_at", "closed"]}...]. */
static void json_select(struct trace_session *s, const struct g_state *g, bool detail)
{
	if (!g->nsel)
		return;
	jsonw_key(&s->w, "chans");
	jsonw_array_begin(&s->w);
	for (int i = 0; i < g->nsel; i++) {
		uint32_t ch = chan_live(s, g->sel[i], g->sel_serial[i]);
		const struct chan_state *c = ch ? &s->chans[ch - 1] : NULL;
		struct frame made;
		jsonw_object_begin(&s->w);
		json_chan(s, ch, g->sel_gen[i]);
		if (detail) {
			bool mk = c && site_of(s, c->make_stack, &made);
			json_site(s, "made_at", &made, mk);
			jsonw_key(&s->w, "closed");
			jsonw_bool(&s->w, c && c->closed);
		}
		jsonw_object_end(&s->w);
	}
	jsonw_array_end(&s->w);
}

static void on_block(struct trace_session *s, const struct trace_event *e)
{
	struct g_state *g = g_state(s, e->goid, true);
	struct frame site;
	bool known;

	if (!g)
		return;
	g->blocked = true;
	g->reason = e->reason;
	g->on_chan_reason = s->chan_reason[e->reason];
	g->chan = chan_index(s, e->chan);
	g->chan_gen = g->chan ? s->chans[g->chan - 1].gen : 0;
	g->chan_serial = chan_serial(s, g->chan);
	g->since_ns = e->ts_ns;
	g->stack = e->stack_id;
	g->gopc = e->aux;
	g->leak_reported = false;
	g->nsel = e->nsel;
	for (int i = 0; i < e->nsel; i++) {
		g->sel[i] = chan_index(s, e->sel[i]);
		g->sel_gen[i] = g->sel[i] ? s->chans[g->sel[i] - 1].gen : 0;
		g->sel_serial[i] = chan_serial(s, g->sel[i]);
	}
	if (!s->opt.json || !g->on_chan_reason)
		return;
	known = site_of(s, e->stack_id, &site);
	json_begin(s, "block", e->ts_ns, e->goid);
	jsonw_key(&s->w, "reason");
	jsonw_string(&s->w, s->reason_names[e->reason] ? s->reason_names[e->reason] : "");
	json_chan(s, g->chan, g->chan_gen);
	json_select(s, g, false);
	json_site(s, "site", &site, known);
	json_end(s);
}

static void on_wake(struct trace_session *s, const struct trace_event *e)
{
	struct g_state *g = g_state(s, e->goid, false);
	bool report;

	if (!g || !g->blocked)
		return;
	report = g->on_chan_reason && s->opt.json;
	g->blocked = false;
	if (g->on_chan_reason) {
		struct stack_cost *sc = cost_of(s, g->stack);
		if (sc && e->ts_ns > g->since_ns) {
			sc->blocked_ns += e->ts_ns - g->since_ns;
			sc->waits++;
		}
		perfetto_block(s, g, e->ts_ns);
	}
	if (!report)
		return;
	json_begin(s, "wake", e->ts_ns, e->goid);
	jsonw_key(&s->w, "blocked_ns");
	jsonw_u64(&s->w, e->ts_ns > g->since_ns ? e->ts_ns - g->since_ns : 0);
	json_end(s);
}

static void on_goexit(struct trace_session *s, const struct trace_event *e)
{
	struct g_state *g = g_state(s, e->goid, false);
	if (g) {
		g->live = false;
		u64map_del(&s->g_by_goid, g->goid);
		s->free_gs =
		    grow_array(s->free_gs, &s->free_gs_alloc, s->nfree_gs + 1, sizeof(*s->free_gs));
		s->free_gs[s->nfree_gs++] = (uint32_t)(g - s->gs);
	}
	if (s->opt.json) {
		json_begin(s, "exit", e->ts_ns, e->goid);
		json_end(s);
	}
}

/*
 * A PIE's load bias from the first stack whose innermost PC is a probe: that PC is
 * the probe's address plus the bias. Works after the process is gone, unlike its
 * /proc maps (a short program has exited before the events are read).
 */
static void learn_bias(struct trace_session *s, const struct trace_event *e)
{
	const struct trace_probes *p = s->opt.probes;
	const struct stack_pcs *sp;
	uint64_t at = 0;

	if (s->have_bias || !p || !s->opt.bin->pie || e->stack_id < 0)
		return;
	if (e->type == CW_EV_BLOCK)
		at = p->gopark.vaddr;
	else if (e->type == CW_EV_MAKE)
		at = p->makechan.vaddr;
	else if (e->type == CW_EV_CLOSE)
		at = p->closechan.vaddr;
	sp = at ? stack_of(s, e->stack_id) : NULL;
	if (!sp || !sp->n || sp->pcs[0] < at)
		return;
	s->bias = sp->pcs[0] - at;
	s->have_bias = true;
}

int trace_session_event(void *session, const struct trace_event *e)
{
	struct trace_session *s = session;

	learn_bias(s, e);

	s->counts.events++;
	switch (e->type) {
	case CW_EV_MAKE:
		on_make(s, e);
		break;
	case CW_EV_CLOSE:
		on_close(s, e);
		break;
	case CW_EV_SEND_CLOSED:
		on_send_closed(s, e);
		break;
	case CW_EV_BLOCK:
		on_block(s, e);
		break;
	case CW_EV_WAKE:
		on_wake(s, e);
		break;
	case CW_EV_EXIT:
		on_goexit(s, e);
		break;
	}
	return 0;
}

/* --- leaks and the report -------------------------------------------------------------- */

static bool is_leak(const struct trace_session *s, const struct g_state *g, uint64_t now,
		    bool at_exit)
{
	if (!g->live || !g->blocked || !g->on_chan_reason)
		return false;
	return at_exit || (now > g->since_ns && now - g->since_ns >= s->opt.leak_after_ns);
}

static void chan_info_of(struct trace_session *s, uint32_t chan, struct chan_info *ci)
{
	const struct chan_state *c = &s->chans[chan - 1];
	memset(ci, 0, sizeof(*ci));
	ci->addr = c->addr;
	ci->gen = c->gen;
	ci->cap = c->cap;
	ci->closed = c->closed;
	site_of(s, c->make_stack, &ci->made_at);
	if (c->closed)
		site_of(s, c->close_stack, &ci->closed_at);
}

static void json_leak(struct trace_session *s, const struct g_state *g, uint64_t now, bool at_exit)
{
	struct frame site, creator = {0};
	struct chan_info ci;
	bool known = site_of(s, g->stack, &site);
	bool ck = creator_of(s, g->gopc, &creator);
	uint32_t chan = chan_live(s, g->chan, g->chan_serial);

	if (chan)
		chan_info_of(s, chan, &ci);
	json_begin(s, "leak", now, g->goid);
	jsonw_key(&s->w, "reason");
	jsonw_string(&s->w, s->reason_names[g->reason] ? s->reason_names[g->reason] : "");
	json_chan(s, chan, g->chan_gen);
	jsonw_key(&s->w, "blocked_ns");
	jsonw_u64(&s->w, now > g->since_ns ? now - g->since_ns : 0);
	json_site(s, "site", &site, known);
	json_site(s, "created_by", &creator, ck);
	json_site(s, "made_at", chan ? &ci.made_at : &site, chan && ci.made_at.func.len);
	jsonw_key(&s->w, "chan_closed");
	jsonw_bool(&s->w, chan && ci.closed);
	json_select(s, g, true);
	jsonw_key(&s->w, "at_exit");
	jsonw_bool(&s->w, at_exit);
	json_end(s);
}

void trace_session_check(struct trace_session *s, uint64_t now_ns)
{
	for (size_t i = 0; i < s->ngs; i++) {
		struct g_state *g = &s->gs[i];
		if (g->leak_reported || !is_leak(s, g, now_ns, false))
			continue;
		g->leak_reported = true;
		s->counts.leaks++;
		if (s->opt.json)
			json_leak(s, g, now_ns, false);
	}
}

/* One goroutine record for the analyzer, from a stack and what the tracer knows. */
static void feed_goroutine(struct trace_session *s, const struct dump_sink *sink, uint64_t goid,
			   const char *status, int32_t stack, uint64_t gopc, uint32_t chan,
			   uint64_t blocked_ns)
{
	struct goroutine g;
	struct chan_info ci;
	struct frame creator;

	memset(&g, 0, sizeof(g));
	g.id = goid;
	g.count = 1;
	g.status = slice_cstr(status);
	g.flags = G_HAS_STATUS;
	if (creator_of(s, gopc, &creator))
		g.created_by = creator;
	if (chan) {
		chan_info_of(s, chan, &ci);
		g.chan = &ci;
	}
	g.blocked_ns = blocked_ns;
	if (blocked_ns >= 60000000000ull) {
		g.flags |= G_HAS_MINUTES;
		g.wait_minutes = (uint32_t)(blocked_ns / 60000000000ull);
	}
	g.frames = s->frames;
	g.nframes = (uint32_t)frames_of(s, stack);
	sink->goroutine(sink->ctx, &g);
}

void trace_session_finish(struct trace_session *s, struct analyzer *a, uint64_t now_ns,
			  bool at_exit)
{
	struct dump_sink sink;

	analyzer_sink(a, 0, &sink);
	for (size_t i = 0; i < s->nmisuses; i++) {
		const struct misuse *m = &s->misuses[i];
		struct panic_report p = {.kind = m->kind,
					 .message = slice_cstr(misuse_message(m->kind))};
		struct chan_info ci;
		uint32_t chan = chan_live(s, m->chan, m->chan_serial);
		if (chan) {
			chan_info_of(s, chan, &ci);
			p.chan = &ci;
		}
		sink.panic(sink.ctx, &p);
		feed_goroutine(s, &sink, m->goid, "running", m->stack, 0, 0, 0);
	}
	for (size_t i = 0; i < s->ngs; i++) {
		struct g_state *g = &s->gs[i];
		uint64_t blocked;
		if (!is_leak(s, g, now_ns, at_exit))
			continue;
		blocked = now_ns > g->since_ns ? now_ns - g->since_ns : 0;
		s->counts.blocked_on_chans++;
		if (!g->leak_reported) {
			g->leak_reported = true;
			s->counts.leaks++;
			if (s->opt.json)
				json_leak(s, g, now_ns, at_exit);
		}
		/* Blocked at exit but for less than leak_after (an idle worker, say): a leak
		 * event says so, but the analyzer gets no measured time, so the site ranks as
		 * a suspect only on its own merits (a nil channel, select {}). */
		feed_goroutine(s, &sink, g->goid,
			       s->reason_names[g->reason] ? s->reason_names[g->reason] : "",
			       g->stack, g->gopc, chan_live(s, g->chan, g->chan_serial),
			       blocked >= s->opt.leak_after_ns ? blocked : 0);
		struct stack_cost *sc = cost_of(s, g->stack);
		if (sc) {
			sc->blocked_ns += blocked;
			sc->leaked++;
		}
		perfetto_block(s, g, now_ns);
	}
	if (s->opt.perfetto) {
		for (size_t i = 0; i < s->nchans; i++)
			if (s->chans[i].open)
				perfetto_chan(s, &s->chans[i], "e", now_ns);
		fputs("\n]}\n", s->opt.perfetto);
	}
	if (s->opt.json) {
		uint64_t ev, st;
		tracer_dropped(s->opt.tracer, &ev, &st);
		s->counts.dropped_events = ev;
		s->counts.dropped_stacks = st;
		json_begin(s, "summary", now_ns, 0);
		jsonw_key(&s->w, "events");
		jsonw_u64(&s->w, s->counts.events);
		jsonw_key(&s->w, "dropped_events");
		jsonw_u64(&s->w, ev);
		jsonw_key(&s->w, "dropped_stacks");
		jsonw_u64(&s->w, st);
		jsonw_key(&s->w, "leaks");
		jsonw_u64(&s->w, s->counts.leaks);
		jsonw_key(&s->w, "misuses");
		jsonw_u64(&s->w, s->counts.misuses);
		jsonw_key(&s->w, "goroutines_blocked");
		jsonw_u64(&s->w, s->counts.blocked_on_chans);
		json_end(s);
	}
}

void trace_session_counts(const struct trace_session *s, struct trace_session_counts *out)
{
	uint64_t ev = 0, st = 0;
	*out = s->counts;
	tracer_dropped(s->opt.tracer, &ev, &st);
	out->dropped_events = ev;
	out->dropped_stacks = st;
}

void trace_session_free(struct trace_session *s)
{
	if (!s)
		return;
	free(s->chans);
	free(s->gs);
	free(s->free_gs);
	free(s->misuses);
	free(s->stacks);
	free(s->maps);
	u64map_release(&s->chan_by_addr);
	u64map_release(&s->g_by_goid);
	u64map_release(&s->stack_cache);
	u64map_release(&s->cost_by_stack);
	free(s->costs);
	free(s);
}

void trace_session_profile(struct trace_session *s, struct profile *p)
{
	static const char *const types[][2] = {
	    {"blocked", "nanoseconds"}, {"waits", "count"}, {"leaked", "count"}};
	struct arena *a = &p->arena;

	p->nsample_types = 3;
	p->sample_types = arena_alloc(a, sizeof(*p->sample_types) * 3);
	for (int i = 0; i < 3; i++) {
		p->sample_types[i].type = arena_strndup(a, types[i][0], strlen(types[i][0]));
		p->sample_types[i].unit = arena_strndup(a, types[i][1], strlen(types[i][1]));
	}
	p->period_type = p->sample_types[0];
	p->period = 1;
	p->default_sample_type = p->sample_types[0].type;
	p->samples = arena_alloc(a, sizeof(*p->samples) * (s->ncosts + 1));
	for (size_t i = 0; i < s->ncosts; i++) {
		const struct stack_cost *c = &s->costs[i];
		struct profile_sample *ps = &p->samples[p->nsamples];
		size_t n = frames_of(s, c->stack);

		if (!n)
			continue;
		ps->values = arena_alloc(a, sizeof(*ps->values) * 3);
		ps->values[0] = c->blocked_ns > INT64_MAX ? INT64_MAX : (int64_t)c->blocked_ns;
		ps->values[1] = (int64_t)c->waits;
		ps->values[2] = (int64_t)c->leaked;
		ps->frames = arena_alloc(a, sizeof(*ps->frames) * n);
		for (size_t j = 0; j < n; j++) {
			ps->frames[j] = s->frames[j];
			ps->frames[j].func.ptr =
			    arena_strndup(a, s->frames[j].func.ptr, s->frames[j].func.len);
			ps->frames[j].file.ptr =
			    arena_strndup(a, s->frames[j].file.ptr, s->frames[j].file.len);
		}
		ps->nframes = n;
		p->nsamples++;
	}
}
