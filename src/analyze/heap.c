// SPDX-License-Identifier: MIT
// Finds make(chan) call sites in heap profiles and aggregates their allocations per site.
#include "analyze/heap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/source.h"
#include "lib/hashmap.h"
#include "lib/strbuf.h"

#include "lib/banned.h"

static const char *const makechan_funcs[] = {
    "runtime.makechan",
    "runtime.makechan64",
    "runtime.reflect_makechan",
    "reflect.makechan",
};

struct heap_ctx {
	const struct heapchan_options *opt;
	struct heapchan_result *res;
	struct hashmap sites; /* "func\0file\0line" -> struct heapchan_site * */
	struct source_cache *sources;
	struct arena scratch; /* keys */
	size_t nsites, capsites;
	struct heapchan_site **list;
};

struct heap_idx {
	int alloc_objects, alloc_space, inuse_objects, inuse_space;
};

static bool is_runtime(struct slice f)
{
	return slice_has_prefix(f, "runtime.") || slice_has_prefix(f, "internal/runtime/");
}

static bool is_runtime_or_reflect(struct slice f)
{
	return is_runtime(f) || slice_has_prefix(f, "reflect.");
}

static int heap_indices(const struct profile *p, struct heap_idx *ix, struct cw_error *err)
{
	ix->alloc_objects = profile_sample_type_index(p, "alloc_objects");
	ix->alloc_space = profile_sample_type_index(p, "alloc_space");
	ix->inuse_objects = profile_sample_type_index(p, "inuse_objects");
	ix->inuse_space = profile_sample_type_index(p, "inuse_space");
	if (ix->alloc_objects < 0 || ix->alloc_space < 0 || ix->inuse_objects < 0 ||
	    ix->inuse_space < 0)
		return cw_error_set(err,
				    "not a heap profile (sample types %s%s; want alloc_objects, "
				    "alloc_space, inuse_objects, inuse_space)",
				    p->nsample_types ? p->sample_types[0].type : "none",
				    p->nsample_types > 1 ? ", ..." : "");
	return 0;
}

int heapchan_check(const struct profile *p, struct cw_error *err)
{
	struct heap_idx ix;

	return heap_indices(p, &ix, err);
}

static void counts_add(struct heapchan_counts *c, const struct profile_sample *s,
		       const struct heap_idx *ix)
{
	c->alloc_objects += s->values[ix->alloc_objects];
	c->alloc_bytes += s->values[ix->alloc_space];
	c->inuse_objects += s->values[ix->inuse_objects];
	c->inuse_bytes += s->values[ix->inuse_space];
}

static void counts_sub(struct heapchan_counts *d, const struct heapchan_counts *a,
		       const struct heapchan_counts *b)
{
	d->alloc_objects = a->alloc_objects - b->alloc_objects;
	d->alloc_bytes = a->alloc_bytes - b->alloc_bytes;
	d->inuse_objects = a->inuse_objects - b->inuse_objects;
	d->inuse_bytes = a->inuse_bytes - b->inuse_bytes;
}

static bool source_says_makechan(struct heap_ctx *c, const struct frame *f)
{
	enum source_file_status st;
	const char *text;
	ssize_t n;

	if (!f->file.len || !f->line)
		return false;
	n = source_cache_line(c->sources, f->file, f->line, &text, &st);
	/* Standard-library sources missing (-trimpath, another GOROOT) are not worth a word. */
	if (st == SOURCE_MISSING_FIRST && !func_is_std(f->func.ptr, f->func.len, NULL, 0)) {
		c->res->sources_missing++;
		if (!c->res->source_missing_example)
			c->res->source_missing_example =
			    arena_strndup(&c->res->arena, f->file.ptr, f->file.len);
	}
	return n >= 0 && source_makes_chan(text, (size_t)n);
}

/* The site frame of a channel allocation sample, or NULL. */
static const struct frame *find_site(struct heap_ctx *c, const struct profile_sample *s,
				     const char **via)
{
	for (size_t i = 0; i < s->nframes; i++) {
		const struct frame *f = &s->frames[i];

		for (size_t k = 0; k < sizeof(makechan_funcs) / sizeof(makechan_funcs[0]); k++) {
			if (!slice_eq_cstr(f->func, makechan_funcs[k]))
				continue;
			for (size_t j = i + 1; j < s->nframes; j++)
				if (!is_runtime_or_reflect(s->frames[j].func)) {
					*via = makechan_funcs[k];
					return &s->frames[j];
				}
			return NULL;
		}
	}
	if (c->opt->use_source && s->nframes && !is_runtime(s->frames[0].func) &&
	    source_says_makechan(c, &s->frames[0])) {
		*via = "source";
		return &s->frames[0];
	}
	return NULL;
}

static struct heapchan_site *site_for(struct heap_ctx *c, const struct frame *f, const char *via)
{
	struct strbuf key = STRBUF_INIT;
	struct heapchan_site *site;
	struct hashmap_entry *ent;
	bool inserted;
	char *k;

	strbuf_add(&key, f->func.ptr, f->func.len);
	strbuf_addch(&key, 0);
	strbuf_add(&key, f->file.ptr, f->file.len);
	strbuf_addf(&key, "%c%u", 0, f->line);
	k = arena_strndup(&c->scratch, key.buf, key.len);
	ent = hashmap_put(&c->sites, k, key.len, hash_bytes(k, key.len, HASH_SEED), &inserted);
	strbuf_release(&key);
	if (!inserted)
		return ent->value;
	site = arena_alloc(&c->res->arena, sizeof(*site));
	site->func = arena_strndup(&c->res->arena, f->func.ptr, f->func.len);
	site->file = arena_strndup(&c->res->arena, f->file.ptr, f->file.len);
	site->line = f->line;
	site->via = arena_strndup(&c->res->arena, via, strlen(via));
	site->evidence = strcmp(via, "source") ? HEAPCHAN_EVIDENCE_STACK : HEAPCHAN_EVIDENCE_SOURCE;
	ent->value = site;
	if (c->nsites == c->capsites) {
		size_t cap = c->capsites ? c->capsites * 2 : 64;
		struct heapchan_site **nl = realloc(c->list, cap * sizeof(*nl));

		if (!nl)
			die("out of memory");
		c->list = nl;
		c->capsites = cap;
	}
	c->list[c->nsites++] = site;
	return site;
}

static void scan(struct heap_ctx *c, const struct profile *p, const struct heap_idx *ix,
		 bool is_base)
{
	struct heapchan_result *res = c->res;

	for (size_t i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		const struct frame *f;
		struct heapchan_site *site;
		const char *via = NULL;

		counts_add(is_base ? &res->heap_base : &res->heap_now, s, ix);
		f = find_site(c, s, &via);
		if (!f)
			continue;
		site = site_for(c, f, via);
		counts_add(is_base ? &site->base : &site->now, s, ix);
		counts_add(is_base ? &res->total_base : &res->total_now, s, ix);
		site->samples++;
	}
}

static int cmp_i64_desc(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b;
}

static bool sort_by_delta;

static int site_cmp(const void *pa, const void *pb)
{
	const struct heapchan_site *a = *(struct heapchan_site *const *)pa;
	const struct heapchan_site *b = *(struct heapchan_site *const *)pb;
	int r = 0;

	if (sort_by_delta)
		r = cmp_i64_desc(a->delta.inuse_bytes, b->delta.inuse_bytes);
	if (!r)
		r = cmp_i64_desc(a->now.inuse_bytes, b->now.inuse_bytes);
	if (!r)
		r = cmp_i64_desc(a->now.alloc_bytes, b->now.alloc_bytes);
	if (!r)
		r = strcmp(a->file, b->file);
	if (!r)
		r = a->line < b->line ? -1 : a->line > b->line;
	if (!r)
		r = strcmp(a->func, b->func);
	return r;
}

int heapchan_analyze(const struct profile *now, const struct profile *base,
		     const struct heapchan_options *opt, struct heapchan_result *res,
		     struct cw_error *err)
{
	struct heap_ctx c;
	struct heap_idx ix_now, ix_base;
	size_t keep = 0;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.opt = opt;
	c.res = res;
	c.sources = opt->use_source ? source_cache_new(opt->source_dir) : NULL;
	if (heap_indices(now, &ix_now, err))
		goto cleanup;
	if (base && heap_indices(base, &ix_base, err))
		goto cleanup;
	res->has_base = base != NULL;
	res->period_now = now->period;
	res->time_nanos_now = now->time_nanos;
	scan(&c, now, &ix_now, false);
	if (base) {
		res->period_base = base->period;
		res->time_nanos_base = base->time_nanos;
		scan(&c, base, &ix_base, true);
	}
	for (size_t i = 0; i < c.nsites; i++)
		if (base)
			counts_sub(&c.list[i]->delta, &c.list[i]->now, &c.list[i]->base);
	sort_by_delta = base != NULL;
	if (c.nsites)
		qsort(c.list, c.nsites, sizeof(*c.list), site_cmp);
	res->nsites_found = c.nsites;
	res->sites = arena_alloc(&res->arena, (c.nsites ? c.nsites : 1) * sizeof(*res->sites));
	for (size_t i = 0; i < c.nsites; i++) {
		const struct heapchan_site *s = c.list[i];
		int64_t objs = base ? s->delta.inuse_objects : s->now.inuse_objects;

		if (opt->top && keep >= opt->top)
			break;
		if (opt->min_objects && objs < opt->min_objects)
			continue;
		res->sites[keep++] = *s;
	}
	res->nsites = keep;
	ret = 0;
cleanup:
	free(c.list);
	hashmap_release(&c.sites);
	source_cache_free(c.sources);
	arena_release(&c.scratch);
	return ret;
}
