// SPDX-License-Identifier: MIT
// The walker: allgs -> g -> sudog -> hchan, and stacks by frame pointers, over remote_mem.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inspect/inspect.h"
#include "lib/grow.h"
#include "lib/hashmap.h"
#include "lib/sort.h"
#include "lib/banned.h"

#define G_CHUNK		8192	     /* goroutines read per batch */
#define PTR_CHUNK	8192	     /* allgs entries read per call */
#define STACK_BATCH_MAX (32u << 20)  /* stack bytes read per batch */
#define MAX_STRUCT	4096	     /* no runtime struct we read is larger */
#define GO_MAX_STACK	(1ull << 30) /* Go's default max stack (1 GB) */
#define LIVE_PRESIZE_GS (1u << 20)   /* goroutines the array is sized for before any is read */

/* One field of a struct read into buf (len bytes); 0 when unknown or out of the buffer. */
static uint64_t field_u(const uint8_t *buf, size_t len, const struct rl_field *f)
{
	uint64_t v = 0;
	if (!f->known || f->size == 0 || f->size > 8 || (size_t)f->off + f->size > len)
		return 0;
	switch (f->size) {
	case 1:
		return buf[f->off];
	case 2: {
		uint16_t x;
		memcpy(&x, buf + f->off, 2);
		return x;
	}
	case 4: {
		uint32_t x;
		memcpy(&x, buf + f->off, 4);
		return x;
	}
	case 8:
		memcpy(&v, buf + f->off, 8);
		return v;
	default:
		return 0;
	}
}

/* A pointer-sized word at off in buf; 0 out of the buffer. */
static uint64_t word_at(const uint8_t *buf, size_t len, size_t off)
{
	uint64_t v;
	if (off > len || len - off < 8)
		return 0;
	memcpy(&v, buf + off, 8);
	return v;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct walk {
	struct remote_mem *mem;
	const struct runtime_layout *l;
	struct live_snapshot *s;
	struct cw_error *err;
	size_t gsize, sudog_size, hchan_size;
	size_t gs_alloc, chans_alloc;
	struct u64map g_by_addr;    /* g address -> index in s->gs */
	struct u64map chan_by_addr; /* hchan address -> index in s->chans */
	const struct live_binary_hooks *hooks;
	/* sudogs read while following goroutines to their channels, for the channels' queues;
	 * sorted by address once all are read (sudogs_index) */
	struct sudog_seen {
		uint64_t addr; /* first: the sort key */
		uint64_t g, next;
		uint64_t
		    goid; /* of the goroutine it was read for, when sudog.g is that g; else 0 */
	} * sudogs;
	size_t nsudogs, sudogs_alloc;
	size_t finger;	       /* where the last lookup in sudogs[] ended (find_by_u64_key) */
	bool syscall_bp_stale; /* Go <= 1.22: entersyscall saves pc and sp, not bp */
};

static bool layout_usable(const struct runtime_layout *l)
{
	return l->size_g.known && l->g_goid.known && l->g_atomicstatus.known &&
	       l->g_sched_sp.known && l->g_sched_pc.known && l->g_stack_hi.known &&
	       l->g_stack_lo.known && l->size_g.size > 0 && l->size_g.size <= MAX_STRUCT &&
	       l->ptr_size == 8;
}

/* Fills g from its bytes; returns false when it is not a goroutine to keep (dead, idle). */
static bool decode_g(const struct walk *w, const uint8_t *b, uint64_t addr, struct live_g *g)
{
	const struct runtime_layout *l = w->l;
	size_t n = w->gsize;
	uint64_t status = field_u(b, n, &l->g_atomicstatus);
	uint64_t scan = l->gs_scan.known ? (uint64_t)l->gs_scan.value : 0x1000;

	memset(g, 0, sizeof(*g));
	g->addr = addr;
	g->scan = (status & scan) != 0;
	g->status = (uint32_t)(status & ~scan);
	if ((l->gs_dead.known && g->status == (uint64_t)l->gs_dead.value) ||
	    (l->gs_idle.known && g->status == (uint64_t)l->gs_idle.value) ||
	    (l->gs_deadextra.known && g->status == (uint64_t)l->gs_deadextra.value))
		return false;
	g->goid = field_u(b, n, &l->g_goid);
	g->parent_goid = field_u(b, n, &l->g_parent_goid);
	g->gopc = field_u(b, n, &l->g_gopc);
	g->startpc = field_u(b, n, &l->g_startpc);
	g->waitsince = (int64_t)field_u(b, n, &l->g_waitsince);
	g->waitreason = (uint8_t)field_u(b, n, &l->g_waitreason);
	g->sp = field_u(b, n, &l->g_sched_sp);
	g->pc = field_u(b, n, &l->g_sched_pc);
	g->bp = field_u(b, n, &l->g_sched_bp);
	g->stack_lo = field_u(b, n, &l->g_stack_lo);
	g->stack_hi = field_u(b, n, &l->g_stack_hi);
	g->waiting = field_u(b, n, &l->g_waiting);
	return true;
}

static bool is_status(const struct live_g *g, const struct rl_const *c)
{
	return c->known && g->status == (uint64_t)c->value;
}

/* The saved registers can be unwound: the goroutine is not on a thread right now. */
static bool has_saved_stack(const struct walk *w, const struct live_g *g)
{
	const struct runtime_layout *l = w->l;
	if (is_status(g, &l->gs_running))
		return false;
	return g->sp && g->pc && g->stack_lo < g->stack_hi &&
	       g->stack_hi - g->stack_lo <= GO_MAX_STACK && g->sp >= g->stack_lo &&
	       g->sp < g->stack_hi;
}

/* --- step 1: allgs -> every g ---------------------------------------------------------- */

static int read_allgs(struct walk *w, const struct snapshot_meta *roots, uint64_t *ptr,
		      uint64_t *len)
{
	uint64_t hdr[3], glen = 0;
	int rc = remote_mem_read(w->mem, roots->allgs_addr, hdr, sizeof(hdr));

	if (rc) {
		cw_error_set(w->err, "cannot read runtime.allgs at 0x%llx: %s",
			     (unsigned long long)roots->allgs_addr, strerror(-rc));
		return rc;
	}
	if (!hdr[0] || !hdr[1] || hdr[1] > hdr[2] || hdr[1] > LIVE_MAX_GS) {
		cw_error_set(w->err,
			     "runtime.allgs at 0x%llx does not look like a goroutine list "
			     "(ptr 0x%llx, len %llu, cap %llu)",
			     (unsigned long long)roots->allgs_addr, (unsigned long long)hdr[0],
			     (unsigned long long)hdr[1], (unsigned long long)hdr[2]);
		return -EINVAL;
	}
	*ptr = hdr[0];
	*len = hdr[1];
	/* allglen is stored after the append: it may trail len by goroutines not yet published */
	if (roots->allglen_addr && !remote_mem_read(w->mem, roots->allglen_addr, &glen, 8) &&
	    glen && glen <= hdr[1])
		*len = glen;
	return 0;
}

static void add_g(struct walk *w, const struct live_g *g)
{
	struct live_snapshot *s = w->s;
	s->gs = grow_array(s->gs, &w->gs_alloc, s->ngs + 1, sizeof(*s->gs));
	s->gs[s->ngs++] = *g;
}

/* The goid of the g at addr, from the snapshot (0 if it is not in it). The index is built on
 * first use: most queue entries come with their goid already. */
static uint64_t goid_of(struct walk *w, uint64_t addr)
{
	uint64_t idx;
	if (!w->g_by_addr.count) {
		u64map_reserve(&w->g_by_addr, w->s->ngs);
		for (size_t i = 0; i < w->s->ngs; i++)
			u64map_set(&w->g_by_addr, w->s->gs[i].addr, i);
	}
	return u64map_get(&w->g_by_addr, addr, &idx) ? w->s->gs[idx].goid : 0;
}

static int read_gs(struct walk *w, uint64_t ptr, uint64_t len)
{
	uint64_t *addrs = NULL;
	uint8_t *buf = NULL;
	struct mem_req *reqs = NULL;
	int rc = 0;

	/* sized once for up to LIVE_PRESIZE_GS goroutines, so the array is not copied as it
	 * grows; len is the target's word, so no more than that before the gs are read */
	w->s->gs = grow_array(w->s->gs, &w->gs_alloc,
			      len < 1		      ? 1
			      : len < LIVE_PRESIZE_GS ? len
						      : LIVE_PRESIZE_GS,
			      sizeof(*w->s->gs));
	addrs = grow_array(NULL, &(size_t){0}, PTR_CHUNK, sizeof(*addrs));
	buf = grow_array(NULL, &(size_t){0}, (size_t)G_CHUNK * w->gsize, 1);
	reqs = grow_array(NULL, &(size_t){0}, G_CHUNK, sizeof(*reqs));
	for (uint64_t base = 0; base < len; base += PTR_CHUNK) {
		size_t n = (size_t)(len - base < PTR_CHUNK ? len - base : PTR_CHUNK);
		rc = remote_mem_read(w->mem, ptr + base * 8, addrs, n * 8);
		if (rc) {
			cw_error_set(w->err, "cannot read the goroutine list at 0x%llx: %s",
				     (unsigned long long)(ptr + base * 8), strerror(-rc));
			goto cleanup;
		}
		for (size_t i = 0; i < n; i += G_CHUNK) {
			size_t k = n - i < G_CHUNK ? n - i : G_CHUNK, nreq = 0;
			long got;
			for (size_t j = 0; j < k; j++) {
				if (!addrs[i + j])
					continue;
				reqs[nreq] = (struct mem_req){.addr = addrs[i + j],
							      .buf = buf + nreq * w->gsize,
							      .len = w->gsize};
				nreq++;
			}
			got = remote_mem_readv(w->mem, reqs, nreq);
			if (got < 0) {
				rc = (int)got;
				cw_error_set(w->err, "cannot read goroutines: %s", strerror(-rc));
				goto cleanup;
			}
			for (size_t j = 0; j < nreq; j++) {
				struct live_g g;
				if (reqs[j].result) {
					memset(&g, 0, sizeof(g));
					g.addr = reqs[j].addr;
					g.flags = LG_UNREADABLE;
					w->s->unreadable++;
					add_g(w, &g);
					continue;
				}
				if (decode_g(w, reqs[j].buf, reqs[j].addr, &g))
					add_g(w, &g);
			}
		}
	}
cleanup:
	free(addrs);
	free(buf);
	free(reqs);
	return rc;
}

/* --- step 3: stacks ------------------------------------------------------------------- */

/*
 * Unwinds g's frame-pointer chain inside the window [sp, sp + len) read into buf. Returns
 * false when the chain goes on past the window inside the stack (read a wider one).
 */
static bool unwind(struct walk *w, struct live_g *g, const uint8_t *buf, size_t len, uint64_t *pcs)
{
	uint32_t n = 0;
	uint64_t fp = g->bp, sp = g->sp;
	int32_t d;

	/* A stale bp: frame 0's own frame pointer is where its prologue pushed it, just below
	 * its return address (frame size from the pcsp table). */
	if (w->syscall_bp_stale && is_status(g, &w->l->gs_syscall))
		fp = w->hooks && w->hooks->sp_delta &&
			     !w->hooks->sp_delta(w->hooks->ctx, g->pc, &d) && d >= 16
			 ? sp + (uint64_t)d - 8
			 : 0;
	pcs[n++] = g->pc;
	while (fp && n < LIVE_MAX_FRAMES) {
		uint64_t next, ret;
		if (fp < sp || len < 16 || fp - sp > len - 16 || (fp & 7)) {
			if (fp < g->stack_lo || fp >= g->stack_hi || (fp & 7)) {
				g->flags |= LG_STACK_BAD; /* a broken chain */
				break;
			}
			if (!(g->flags & LG_WIDE) && len < g->stack_hi - sp)
				return false;
			g->flags |= LG_FRAMES_ELIDED; /* deeper than LIVE_STACK_WIDE */
			break;
		}
		next = word_at(buf, len, (size_t)(fp - sp));
		ret = word_at(buf, len, (size_t)(fp - sp) + 8);
		if (!ret)
			break;
		pcs[n++] = ret;
		if (next && next <= fp) {
			g->flags |= LG_STACK_BAD;
			break;
		}
		fp = next;
	}
	if (fp && n == LIVE_MAX_FRAMES)
		g->flags |= LG_FRAMES_ELIDED;
	g->pcs = arena_alloc(&w->s->arena, n * sizeof(*g->pcs));
	memcpy(g->pcs, pcs, n * sizeof(*g->pcs));
	g->npcs = n;
	return true;
}

static size_t window_of(const struct live_g *g)
{
	uint64_t len = g->stack_hi - g->sp;
	uint64_t max = g->flags & LG_WIDE ? LIVE_STACK_WIDE : LIVE_STACK_WINDOW;
	return (size_t)(len < max ? len : max);
}

/* Reads and unwinds the stacks of gs[idx[0..n)]. */
static int read_stacks_of(struct walk *w, const size_t *idx, size_t n)
{
	struct mem_req *reqs = grow_array(NULL, &(size_t){0}, G_CHUNK, sizeof(*reqs));
	uint64_t *pcs = grow_array(NULL, &(size_t){0}, LIVE_MAX_FRAMES, sizeof(*pcs));
	size_t *wide = NULL, nwide = 0, wide_alloc = 0;
	uint8_t *buf = NULL;
	size_t buf_alloc = 0;
	int rc = 0;

again:
	for (size_t i = 0; i < n;) {
		size_t nreq = 0, bytes = 0;
		long got;
		while (i + nreq < n && nreq < G_CHUNK) {
			size_t len = window_of(&w->s->gs[idx[i + nreq]]);
			if (nreq && bytes + len > STACK_BATCH_MAX)
				break;
			bytes += len;
			nreq++;
		}
		buf = grow_array(buf, &buf_alloc, bytes ? bytes : 1, 1);
		bytes = 0;
		for (size_t j = 0; j < nreq; j++) {
			struct live_g *g = &w->s->gs[idx[i + j]];
			size_t len = window_of(g);
			reqs[j] = (struct mem_req){.addr = g->sp, .buf = buf + bytes, .len = len};
			bytes += len;
		}
		got = remote_mem_readv(w->mem, reqs, nreq);
		if (got < 0) {
			rc = (int)got;
			cw_error_set(w->err, "cannot read goroutine stacks: %s", strerror(-rc));
			break;
		}
		for (size_t j = 0; j < nreq; j++) {
			struct live_g *g = &w->s->gs[idx[i + j]];
			if (reqs[j].result) {
				g->flags |= LG_STACK_BAD;
				g->npcs = 0;
				continue;
			}
			if (!unwind(w, g, reqs[j].buf, reqs[j].len, pcs)) {
				g->flags |= LG_WIDE;
				wide = grow_array(wide, &wide_alloc, nwide + 1, sizeof(*wide));
				wide[nwide++] = idx[i + j];
			}
		}
		i += nreq;
	}
	if (!rc && nwide && idx != wide) { /* the deeper stacks, once, with the wide window */
		idx = wide;
		n = nwide;
		goto again;
	}
	free(wide);
	free(reqs);
	free(pcs);
	free(buf);
	return rc;
}

/*
 * Reads the stacks, then every g again: a goroutine that ran meanwhile (goid, status or
 * saved sp changed) is decoded afresh and its stack read again, up to LIVE_RETRIES times.
 */
static int read_stacks(struct walk *w)
{
	struct live_snapshot *s = w->s;
	size_t *idx = NULL, nidx = 0, idx_alloc = 0;
	uint8_t *buf = grow_array(NULL, &(size_t){0}, (size_t)G_CHUNK * w->gsize, 1);
	struct mem_req *reqs = grow_array(NULL, &(size_t){0}, G_CHUNK, sizeof(*reqs));
	const struct rl_field *check[] = {&w->l->g_goid, &w->l->g_atomicstatus, &w->l->g_sched_sp,
					  &w->l->g_sched_pc};
	size_t vlo = w->gsize, vhi = 0;
	int rc = 0;

	/* the validation re-reads only the bytes that hold goid, status and saved sp and pc */
	for (size_t i = 0; i < sizeof(check) / sizeof(check[0]); i++) {
		if (check[i]->off < vlo)
			vlo = check[i]->off;
		if (check[i]->off + check[i]->size > vhi)
			vhi = check[i]->off + check[i]->size;
	}
	if (vhi > w->gsize || vlo >= vhi)
		vlo = 0, vhi = w->gsize;
	for (size_t i = 0; i < s->ngs; i++) {
		struct live_g *g = &s->gs[i];
		if (g->flags & LG_UNREADABLE)
			continue;
		if (!has_saved_stack(w, g)) {
			g->flags |= LG_NO_STACK;
			continue;
		}
		idx = grow_array(idx, &idx_alloc, nidx + 1, sizeof(*idx));
		idx[nidx++] = i;
	}
	for (int round = 0; nidx && round <= LIVE_RETRIES; round++) {
		size_t nagain = 0;
		rc = read_stacks_of(w, idx, nidx);
		if (rc)
			break;
		/* validate: the g must still be the one whose stack was read */
		for (size_t i = 0; i < nidx; i += G_CHUNK) {
			size_t k = nidx - i < G_CHUNK ? nidx - i : G_CHUNK;
			long got;
			for (size_t j = 0; j < k; j++)
				reqs[j] = (struct mem_req){.addr = s->gs[idx[i + j]].addr + vlo,
							   .buf = buf + j * w->gsize + vlo,
							   .len = vhi - vlo};
			got = remote_mem_readv(w->mem, reqs, k);
			if (got < 0) {
				rc = (int)got;
				cw_error_set(w->err, "cannot read goroutines: %s", strerror(-rc));
				goto cleanup;
			}
			for (size_t j = 0; j < k; j++) {
				struct live_g *g = &s->gs[idx[i + j]], now;
				bool same;
				if (reqs[j].result)
					continue; /* keep what was read */
				uint8_t *whole = buf + j * w->gsize;
				same = decode_g(w, whole, g->addr, &now) && now.goid == g->goid &&
				       now.status == g->status && now.sp == g->sp &&
				       now.pc == g->pc;
				if (same)
					continue;
				if (round == LIVE_RETRIES) {
					g->flags |= LG_CHANGED;
					s->changed++;
					continue;
				}
				s->retries++;
				if (remote_mem_read(w->mem, g->addr, whole, w->gsize))
					continue; /* keep what was read */
				if (!decode_g(w, whole, g->addr, &now)) {
					g->flags |= LG_CHANGED | LG_NO_STACK; /* exited meanwhile */
					g->npcs = 0;
					continue;
				}
				now.flags = g->flags & ~(LG_STACK_BAD | LG_FRAMES_ELIDED | LG_WIDE);
				*g = now;
				if (!has_saved_stack(w, g)) {
					g->flags |= LG_NO_STACK;
					continue;
				}
				idx[nagain++] = idx[i + j];
			}
		}
		nidx = nagain;
	}
cleanup:
	free(idx);
	free(buf);
	free(reqs);
	return rc;
}

/* --- step 2: channels ----------------------------------------------------------------- */

static bool waits_on_chan(const struct walk *w, const struct live_g *g)
{
	const struct runtime_layout *l = w->l;
	const struct rl_const *chan_reasons[] = {
	    &l->wr_chan_receive,	  &l->wr_chan_send,	     &l->wr_select,
	    &l->wr_synctest_chan_receive, &l->wr_synctest_chan_send, &l->wr_synctest_select,
	};
	if (!is_status(g, &l->gs_waiting) || !g->waiting)
		return false;
	for (size_t i = 0; i < sizeof(chan_reasons) / sizeof(chan_reasons[0]); i++)
		if (chan_reasons[i]->known && g->waitreason == (uint64_t)chan_reasons[i]->value)
			return true;
	return false;
}

static uint32_t chan_index(struct walk *w, uint64_t addr)
{
	struct live_snapshot *s = w->s;
	uint64_t idx;
	if (u64map_get(&w->chan_by_addr, addr, &idx))
		return (uint32_t)idx;
	s->chans = grow_array(s->chans, &w->chans_alloc, s->nchans + 1, sizeof(*s->chans));
	memset(&s->chans[s->nchans], 0, sizeof(s->chans[0]));
	s->chans[s->nchans].addr = addr;
	s->chans[s->nchans].elem = "";
	u64map_set(&w->chan_by_addr, addr, s->nchans);
	return (uint32_t)s->nchans++;
}

/* Follows each waiting goroutine's sudog list (g.waiting, then waitlink) to its channels. */
static int find_chans(struct walk *w)
{
	const struct runtime_layout *l = w->l;
	struct live_snapshot *s = w->s;
	uint8_t *buf = grow_array(NULL, &(size_t){0}, (size_t)G_CHUNK * w->sudog_size, 1);
	struct mem_req *reqs = grow_array(NULL, &(size_t){0}, G_CHUNK, sizeof(*reqs));
	size_t *who = grow_array(NULL, &(size_t){0}, G_CHUNK, sizeof(*who));
	uint64_t *next = grow_array(NULL, &(size_t){0}, s->ngs ? s->ngs : 1, sizeof(*next));
	uint32_t chans[LIVE_MAX_SELECT];
	int rc = 0;

	size_t waiting = 0;
	for (size_t i = 0; i < s->ngs; i++) {
		next[i] = waits_on_chan(w, &s->gs[i]) ? s->gs[i].waiting : 0;
		waiting += next[i] != 0;
	}
	w->sudogs = grow_array(w->sudogs, &w->sudogs_alloc, waiting ? waiting : 1,
			       sizeof(*w->sudogs)); /* most lists have one sudog */
	/* one batch per depth of the lists: select cases are rare, most lists have one sudog */
	for (int depth = 0; depth < LIVE_MAX_SELECT; depth++) {
		bool any = false;
		for (size_t i = 0; i < s->ngs;) {
			size_t nreq = 0;
			long got;
			for (; i < s->ngs && nreq < G_CHUNK; i++) {
				if (!next[i])
					continue;
				who[nreq] = i;
				reqs[nreq] = (struct mem_req){.addr = next[i],
							      .buf = buf + nreq * w->sudog_size,
							      .len = w->sudog_size};
				nreq++;
			}
			if (!nreq)
				break;
			any = true;
			got = remote_mem_readv(w->mem, reqs, nreq);
			if (got < 0) {
				rc = (int)got;
				cw_error_set(w->err, "cannot read sudogs: %s", strerror(-rc));
				goto cleanup;
			}
			for (size_t j = 0; j < nreq; j++) {
				struct live_g *g = &s->gs[who[j]];
				const uint8_t *b = reqs[j].buf;
				uint64_t c, sg_g;
				next[who[j]] = 0;
				if (reqs[j].result)
					continue;
				sg_g = field_u(b, w->sudog_size, &l->sudog_g);
				c = field_u(b, w->sudog_size, &l->sudog_c);
				w->sudogs = grow_array(w->sudogs, &w->sudogs_alloc, w->nsudogs + 1,
						       sizeof(*w->sudogs));
				w->sudogs[w->nsudogs++] = (struct sudog_seen){
				    reqs[j].addr, sg_g, field_u(b, w->sudog_size, &l->sudog_next),
				    sg_g == g->addr ? g->goid : 0};
				if (sg_g != g->addr || !c || (c & 7))
					continue; /* reused meanwhile: the goroutine moved on */
				if (g->nchans < LIVE_MAX_SELECT) {
					uint32_t ci = chan_index(w, c);
					bool dup = false;
					for (uint32_t k = 0; k < g->nchans; k++)
						dup = dup || g->chans[k] == ci;
					if (!dup) {
						/* g->chans grows in place: copy out, extend, copy
						 * in */
						if (g->nchans)
							memcpy(chans, g->chans,
							       g->nchans * sizeof(*chans));
						chans[g->nchans] = ci;
						g->chans = arena_alloc(
						    &s->arena, (g->nchans + 1) * sizeof(*chans));
						memcpy(g->chans, chans,
						       (g->nchans + 1) * sizeof(*chans));
						g->nchans++;
					}
				}
				next[who[j]] = field_u(b, w->sudog_size, &l->sudog_waitlink);
			}
		}
		if (!any)
			break;
	}
cleanup:
	free(buf);
	free(reqs);
	free(who);
	free(next);
	return rc;
}

/*
 * Sorts the sudogs read by address, keeping the last read of an address read twice (what
 * the target held last). A hash table of them cost two cache misses a sudog: 11% of a
 * 100k-goroutine snapshot. The queues mostly go through memory in order, so a search from
 * where the last one ended touches neighbours.
 */
static void sudogs_index(struct walk *w)
{
	struct sudog_seen *tmp;
	size_t kept = 0;

	if (w->nsudogs < 2)
		return;
	tmp = grow_array(NULL, &(size_t){0}, w->nsudogs, sizeof(*tmp));
	sort_by_u64_key(w->sudogs, tmp, w->nsudogs, sizeof(*w->sudogs));
	free(tmp);
	for (size_t i = 0; i < w->nsudogs; i++)
		if (i + 1 == w->nsudogs || w->sudogs[i + 1].addr != w->sudogs[i].addr)
			w->sudogs[kept++] = w->sudogs[i];
	w->nsudogs = kept;
}

/* The sudog read at addr, or NULL. */
static const struct sudog_seen *sudog_find(struct walk *w, uint64_t addr)
{
	size_t i = find_by_u64_key(w->sudogs, w->nsudogs, sizeof(*w->sudogs), addr, &w->finger);
	return i == SIZE_MAX ? NULL : &w->sudogs[i];
}

/* Walks one wait queue (first, then sudog.next) into goids. */
static void read_queue(struct walk *w, uint64_t first, uint64_t **out, uint32_t *nout,
		       bool *truncated)
{
	const struct runtime_layout *l = w->l;
	uint8_t sg[MAX_STRUCT];
	uint64_t *ids = NULL;
	size_t n = 0, alloc = 0;
	uint64_t at = first;

	while (at) {
		const struct sudog_seen *seen;
		uint64_t gaddr, next, goid = 0;
		if (n >= LIVE_MAX_WAITERS || (at & 7)) {
			*truncated = true;
			break;
		}
		if ((seen = sudog_find(w, at))) { /* read with its goroutine */
			gaddr = seen->g;
			next = seen->next;
			goid = seen->goid;
		} else if (!remote_mem_read(w->mem, at, sg, w->sudog_size)) {
			gaddr = field_u(sg, w->sudog_size, &l->sudog_g);
			next = field_u(sg, w->sudog_size, &l->sudog_next);
		} else {
			*truncated = true;
			break;
		}
		ids = grow_array(ids, &alloc, n + 1, sizeof(*ids));
		if (!goid && gaddr)
			goid = goid_of(w, gaddr);
		ids[n++] = goid;
		at = next;
		if (at == first) {
			*truncated = true; /* a cycle: the list changed under us */
			break;
		}
	}
	*nout = (uint32_t)n;
	*out = NULL;
	if (n) {
		*out = arena_alloc(&w->s->arena, n * sizeof(**out));
		memcpy(*out, ids, n * sizeof(**out));
	}
	free(ids);
}

static int read_chans(struct walk *w)
{
	const struct runtime_layout *l = w->l;
	struct live_snapshot *s = w->s;
	uint8_t *buf = grow_array(NULL, &(size_t){0}, (size_t)G_CHUNK * w->hchan_size, 1);
	struct mem_req *reqs = grow_array(NULL, &(size_t){0}, G_CHUNK, sizeof(*reqs));
	int rc = 0;

	for (size_t i = 0; i < s->nchans; i += G_CHUNK) {
		size_t k = s->nchans - i < G_CHUNK ? s->nchans - i : G_CHUNK;
		long got;
		for (size_t j = 0; j < k; j++)
			reqs[j] = (struct mem_req){.addr = s->chans[i + j].addr,
						   .buf = buf + j * w->hchan_size,
						   .len = w->hchan_size};
		got = remote_mem_readv(w->mem, reqs, k);
		if (got < 0) {
			rc = (int)got;
			cw_error_set(w->err, "cannot read channels: %s", strerror(-rc));
			break;
		}
		for (size_t j = 0; j < k; j++) {
			struct live_chan *c = &s->chans[i + j];
			const uint8_t *b = reqs[j].buf;
			size_t n = w->hchan_size;
			if (reqs[j].result)
				continue;
			c->readable = true;
			c->qcount = field_u(b, n, &l->hchan_qcount);
			c->dataqsiz = field_u(b, n, &l->hchan_dataqsiz);
			c->elemsize = (uint32_t)field_u(b, n, &l->hchan_elemsize);
			c->closed = field_u(b, n, &l->hchan_closed) != 0;
			c->elemtype = field_u(b, n, &l->hchan_elemtype);
			if (l->hchan_recvq.known && l->waitq_first.known)
				read_queue(w,
					   word_at(b, n, l->hchan_recvq.off + l->waitq_first.off),
					   &c->receivers, &c->nreceivers, &c->queues_truncated);
			if (l->hchan_sendq.known && l->waitq_first.known)
				read_queue(w,
					   word_at(b, n, l->hchan_sendq.off + l->waitq_first.off),
					   &c->senders, &c->nsenders, &c->queues_truncated);
		}
	}
	free(buf);
	free(reqs);
	return rc;
}

int live_snapshot_walk(struct remote_mem *mem, const struct runtime_layout *l,
		       const struct snapshot_meta *roots, const struct live_binary_hooks *hooks,
		       struct live_snapshot *s, struct cw_error *err)
{
	struct walk w = {.mem = mem, .l = l, .s = s, .err = err, .hooks = hooks};
	uint64_t ptr, len, bytes0, calls0, bytes1, calls1;
	int64_t t0 = now_ns();
	int rc;

	memset(s, 0, sizeof(*s));
	s->arena = (struct arena)ARENA_INIT;
	w.g_by_addr = (struct u64map)U64MAP_INIT;
	w.chan_by_addr = (struct u64map)U64MAP_INIT;
	if (!layout_usable(l)) {
		cw_error_set(err, "the runtime layout lacks the g fields a snapshot needs");
		return -EINVAL;
	}
	w.syscall_bp_stale = l->go_max.major == 1 && l->go_max.minor <= 22;
	/* a g is read up to the last member decode_g() uses, not whole */
	{
		const struct rl_field *used[] = {
		    &l->g_atomicstatus, &l->g_goid,	 &l->g_parent_goid, &l->g_gopc,
		    &l->g_startpc,	&l->g_waitsince, &l->g_waitreason,  &l->g_sched_sp,
		    &l->g_sched_pc,	&l->g_sched_bp,	 &l->g_stack_lo,    &l->g_stack_hi,
		    &l->g_waiting};
		for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
			if (used[i]->known && used[i]->off + used[i]->size > w.gsize)
				w.gsize = used[i]->off + used[i]->size;
		if (w.gsize > l->size_g.size)
			w.gsize = l->size_g.size;
	}
	w.sudog_size =
	    l->size_sudog.known && l->size_sudog.size <= MAX_STRUCT ? l->size_sudog.size : 0;
	w.hchan_size =
	    l->size_hchan.known && l->size_hchan.size <= MAX_STRUCT ? l->size_hchan.size : 0;
	remote_mem_stats(mem, &bytes0, &calls0);
	s->mono_ns = roots->mono_ns;
	rc = read_allgs(&w, roots, &ptr, &len);
	if (rc)
		goto cleanup;
	s->allglen = len;
	rc = read_gs(&w, ptr, len);
	if (!rc)
		rc = read_stacks(&w);
	if (!rc && w.sudog_size >= 16 && l->sudog_g.known && l->sudog_c.known)
		rc = find_chans(&w);
	sudogs_index(&w);
	if (!rc && w.hchan_size >= 16)
		rc = read_chans(&w);
cleanup:
	u64map_release(&w.g_by_addr);
	u64map_release(&w.chan_by_addr);
	free(w.sudogs);
	remote_mem_stats(mem, &bytes1, &calls1);
	s->bytes_read = bytes1 - bytes0;
	s->read_calls = calls1 - calls0;
	s->took_ns = now_ns() - t0;
	if (rc)
		live_snapshot_release(s); /* what was read before the error is not a snapshot */
	return rc;
}

void live_snapshot_release(struct live_snapshot *s)
{
	if (!s)
		return;
	free(s->gs);
	free(s->chans);
	arena_release(&s->arena);
	memset(s, 0, sizeof(*s));
}
