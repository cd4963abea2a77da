// SPDX-License-Identifier: MIT
// Finds make(chan) call sites in heap profiles and aggregates their allocations per site.
#include "analyze/heap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/hashmap.h"
#include "lib/strbuf.h"

#include "lib/banned.h"

/* Source files larger than this are not read. */
#define HEAP_SOURCE_MAX ((size_t)16 << 20)
/* Distinct source files read per analysis. */
#define HEAP_SOURCE_FILES_MAX 4096

static const char *const makechan_funcs[] = {
    "runtime.makechan",
    "runtime.makechan64",
    "runtime.reflect_makechan",
    "reflect.makechan",
};

struct srcfile {
	char *data; /* NULL when unreadable */
	size_t len;
	size_t *line_start; /* line_start[i] = offset of line i+1 */
	size_t nlines;
};

struct heap_ctx {
	const struct heapchan_options *opt;
	struct heapchan_result *res;
	struct hashmap sites; /* "func\0file\0line" -> struct heapchan_site * */
	struct hashmap files; /* path -> struct srcfile * */
	struct arena scratch; /* source files and keys */
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

static int read_all(const char *path, struct arena *a, struct srcfile *sf)
{
	struct strbuf sb = STRBUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = -1;
	char buf[65536];

	if (fd < 0)
		return -1;
	strbuf_init(&sb, HEAP_SOURCE_MAX);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && strbuf_add(&sb, buf, (size_t)n)))
			goto cleanup;
		if (n == 0)
			break;
	}
	sf->data = arena_strndup(a, sb.buf, sb.len);
	sf->len = sb.len;
	sf->nlines = 1;
	for (size_t i = 0; i < sf->len; i++)
		sf->nlines += sf->data[i] == '\n';
	sf->line_start = arena_alloc(a, sf->nlines * sizeof(*sf->line_start));
	for (size_t i = 0, l = 1; i < sf->len; i++)
		if (sf->data[i] == '\n')
			sf->line_start[l++] = i + 1;
	ret = 0;
cleanup:
	strbuf_release(&sb);
	close(fd);
	return ret;
}

/*
 * Whether func is in the standard library: the first element of its package
 * path has no dot and the package is not main. Only used to keep missing
 * standard-library sources (-trimpath, another GOROOT) out of the count.
 */
static bool is_std_func(struct slice f)
{
	const char *slash = memchr(f.ptr, '/', f.len);

	if (slice_has_prefix(f, "main."))
		return false;
	/* "os.newFile": one-element path; "example.com/x.F": a dot before the first slash. */
	return !slash || !memchr(f.ptr, '.', (size_t)(slash - f.ptr));
}

/* Tries path as written, then under source_dir by successively shorter suffixes. */
static struct srcfile *source_file(struct heap_ctx *c, struct slice path, bool std)
{
	uint64_t h = hash_bytes(path.ptr, path.len, HASH_SEED);
	struct srcfile *sf = hashmap_get(&c->files, path.ptr, path.len, h);
	struct hashmap_entry *ent;
	char *p;
	bool inserted;

	if (sf || c->files.count >= HEAP_SOURCE_FILES_MAX)
		return sf;
	sf = arena_alloc(&c->scratch, sizeof(*sf));
	p = arena_strndup(&c->scratch, path.ptr, path.len);
	if (strlen(p) == path.len && read_all(p, &c->scratch, sf) && c->opt->source_dir) {
		for (const char *suf = p; suf; suf = strchr(suf + 1, '/')) {
			struct strbuf full = STRBUF_INIT;
			int ok;

			while (*suf == '/')
				suf++;
			if (!*suf)
				break;
			strbuf_addf(&full, "%s/%s", c->opt->source_dir, suf);
			ok = !read_all(full.buf, &c->scratch, sf);
			strbuf_release(&full);
			if (ok)
				break;
		}
	}
	if (!sf->data && !std) {
		c->res->sources_missing++;
		if (!c->res->source_missing_example)
			c->res->source_missing_example =
			    arena_strndup(&c->res->arena, path.ptr, path.len);
	}
	ent = hashmap_put(&c->files, p, path.len, h, &inserted);
	ent->value = sf;
	return sf;
}

static bool is_ident(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Whether the text holds make(chan T), make(<-chan T) or make(chan<- T). */
static bool line_makes_chan(const char *s, size_t len)
{
	const char *end = s + len;

	for (const char *p = s; p + 4 <= end; p++) {
		const char *q;

		if (memcmp(p, "make", 4) || (p > s && is_ident(p[-1])))
			continue;
		q = skip_space(p + 4, end);
		if (q >= end || *q != '(')
			continue;
		q = skip_space(q + 1, end);
		if (end - q >= 2 && !memcmp(q, "<-", 2))
			q = skip_space(q + 2, end);
		if (end - q >= 4 && !memcmp(q, "chan", 4) && (end - q == 4 || !is_ident(q[4])))
			return true;
	}
	return false;
}

static bool source_says_makechan(struct heap_ctx *c, const struct frame *f)
{
	struct srcfile *sf;
	size_t a, b;

	if (!f->file.len || !f->line)
		return false;
	sf = source_file(c, f->file, is_std_func(f->func));
	if (!sf || !sf->data || f->line > sf->nlines)
		return false;
	a = sf->line_start[f->line - 1];
	b = f->line < sf->nlines ? sf->line_start[f->line] : sf->len;
	return line_makes_chan(sf->data + a, b - a);
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
	hashmap_release(&c.files);
	arena_release(&c.scratch);
	return ret;
}
