// SPDX-License-Identifier: MIT
// Encodes struct profile as a gzipped profile.proto with deduplicated strings, functions,
// locations.
#include "output/pprof_write.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/gzip.h"
#include "lib/hashmap.h"
#include "lib/protobuf.h"

#include "lib/banned.h"

struct encoder {
	struct arena arena;	/* keys of the maps below */
	struct hashmap strings; /* bytes -> index + 1 */
	const char **strv;	/* index -> string */
	size_t *strl;
	size_t nstr, capstr;
	struct hashmap funcs; /* (name, file) -> id */
	uint64_t nfuncs;
	struct hashmap locs; /* run of (pc, function id, line) -> id */
	uint64_t nlocs;
	struct strbuf fn_body;	/* Function messages */
	struct strbuf loc_body; /* Location messages */
	uint64_t *loc_ids;	/* per-sample scratch */
	size_t cap_loc_ids;
};

static int64_t intern(struct encoder *e, const char *s, size_t len)
{
	uint64_t h;
	bool inserted;
	struct hashmap_entry *ent;

	if (!s) {
		s = "";
		len = 0;
	}
	h = hash_bytes(s, len, HASH_SEED);
	ent = hashmap_put(&e->strings, s, len, h, &inserted);
	if (!inserted)
		return (int64_t)(uintptr_t)ent->value - 1;
	if (e->nstr == e->capstr) {
		size_t cap = e->capstr ? e->capstr * 2 : 256;
		const char **nv = realloc(e->strv, cap * sizeof(*nv));
		size_t *nl = realloc(e->strl, cap * sizeof(*nl));

		if (!nv || !nl)
			die("out of memory");
		e->strv = nv;
		e->strl = nl;
		e->capstr = cap;
	}
	e->strv[e->nstr] = s;
	e->strl[e->nstr] = len;
	ent->value = (void *)(uintptr_t)(e->nstr + 1);
	return (int64_t)e->nstr++;
}

static int64_t intern_cstr(struct encoder *e, const char *s)
{
	return intern(e, s, s ? strlen(s) : 0);
}

static void put_u64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Function id for a frame, 0 when it names no function and no file. */
static int function_id(struct encoder *e, const struct frame *f, uint64_t *id)
{
	size_t klen = 8 + f->func.len + f->file.len;
	unsigned char *key;
	struct hashmap_entry *ent;
	bool inserted;
	size_t start;
	int r = 0;

	*id = 0;
	if (!f->func.len && !f->file.len)
		return 0;
	key = arena_alloc(&e->arena, klen);
	put_u64(key, f->func.len);
	if (f->func.len)
		memcpy(key + 8, f->func.ptr, f->func.len);
	if (f->file.len)
		memcpy(key + 8 + f->func.len, f->file.ptr, f->file.len);
	ent = hashmap_put(&e->funcs, key, klen, hash_bytes(key, klen, HASH_SEED), &inserted);
	if (!inserted) {
		*id = (uint64_t)(uintptr_t)ent->value;
		return 0;
	}
	*id = ++e->nfuncs;
	ent->value = (void *)(uintptr_t)*id;
	start = pb_msg_begin(&e->fn_body);
	r = pb_put_uint64(&e->fn_body, 1, *id);
	if (!r)
		r = pb_put_int64_opt(&e->fn_body, 2, intern(e, f->func.ptr, f->func.len));
	if (!r)
		r = pb_put_int64_opt(&e->fn_body, 3, intern(e, f->func.ptr, f->func.len));
	if (!r)
		r = pb_put_int64_opt(&e->fn_body, 4, intern(e, f->file.ptr, f->file.len));
	if (!r)
		r = pb_msg_end(&e->fn_body, 5, start);
	return r;
}

/* Location id for frames[0..n): inlined callees first, the caller last. */
static int location_id(struct encoder *e, const struct frame *frames, size_t n, uint64_t *id)
{
	size_t klen = 8 + n * 24;
	unsigned char *key = arena_alloc(&e->arena, klen);
	uint64_t addr = frames[n - 1].pc;
	struct hashmap_entry *ent;
	bool inserted, symbolised;
	size_t start;
	int r = 0;

	put_u64(key, addr);
	for (size_t i = 0; i < n; i++) {
		uint64_t fid;

		r = function_id(e, &frames[i], &fid);
		if (r)
			return r;
		put_u64(key + 8 + 24 * i, fid);
		put_u64(key + 16 + 24 * i, frames[i].line);
		put_u64(key + 24 + 24 * i, 0);
	}
	ent = hashmap_put(&e->locs, key, klen, hash_bytes(key, klen, HASH_SEED), &inserted);
	if (!inserted) {
		*id = (uint64_t)(uintptr_t)ent->value;
		return 0;
	}
	*id = ++e->nlocs;
	ent->value = (void *)(uintptr_t)*id;
	symbolised = n > 1 || frames[0].func.len || frames[0].file.len || frames[0].line;
	start = pb_msg_begin(&e->loc_body);
	r = pb_put_uint64(&e->loc_body, 1, *id);
	if (!r)
		r = pb_put_uint64(&e->loc_body, 2, 1);
	if (!r)
		r = pb_put_uint64_opt(&e->loc_body, 3, addr);
	for (size_t i = 0; symbolised && i < n && !r; i++) {
		uint64_t fid;
		size_t ls;

		memcpy(&fid, key + 8 + 24 * i, sizeof(fid));
		ls = pb_msg_begin(&e->loc_body);
		r = pb_put_uint64_opt(&e->loc_body, 1, fid);
		if (!r)
			r = pb_put_int64_opt(&e->loc_body, 2, frames[i].line);
		if (!r)
			r = pb_msg_end(&e->loc_body, 4, ls);
	}
	if (!r)
		r = pb_msg_end(&e->loc_body, 4, start);
	return r;
}

static int put_value_type(struct encoder *e, struct strbuf *sb, uint32_t field,
			  const struct profile_value_type *vt)
{
	size_t start = pb_msg_begin(sb);
	int r = pb_put_int64_opt(sb, 1, intern_cstr(e, vt->type));

	if (!r)
		r = pb_put_int64_opt(sb, 2, intern_cstr(e, vt->unit));
	return r ? r : pb_msg_end(sb, field, start);
}

static int put_label(struct encoder *e, struct strbuf *sb, const struct profile_label *l)
{
	size_t start = pb_msg_begin(sb);
	int r = pb_put_int64_opt(sb, 1, intern_cstr(e, l->key));

	if (!r && l->str)
		r = pb_put_int64_opt(sb, 2, intern_cstr(e, l->str));
	if (!r)
		r = pb_put_int64_opt(sb, 3, l->num);
	if (!r && l->num_unit)
		r = pb_put_int64_opt(sb, 4, intern_cstr(e, l->num_unit));
	return r ? r : pb_msg_end(sb, 3, start);
}

static int put_sample(struct encoder *e, struct strbuf *sb, const struct profile *p,
		      const struct profile_sample *s)
{
	size_t start = pb_msg_begin(sb), nloc = 0;
	int r = 0;

	if (s->nframes > e->cap_loc_ids) {
		uint64_t *nv = realloc(e->loc_ids, s->nframes * sizeof(*nv));

		if (!nv)
			die("out of memory");
		e->loc_ids = nv;
		e->cap_loc_ids = s->nframes;
	}
	for (size_t i = 0; i < s->nframes && !r;) {
		size_t j = i;

		while (j + 1 < s->nframes && (s->frames[j].flags & FRAME_INLINED))
			j++;
		r = location_id(e, &s->frames[i], j - i + 1, &e->loc_ids[nloc++]);
		i = j + 1;
	}
	if (!r)
		r = pb_put_packed_uint64(sb, 1, e->loc_ids, nloc);
	if (!r && p->nsample_types && s->values)
		r = pb_put_packed_int64(sb, 2, s->values, p->nsample_types);
	for (size_t i = 0; i < s->nlabels && !r; i++)
		r = put_label(e, sb, &s->labels[i]);
	return r ? r : pb_msg_end(sb, 2, start);
}

static int put_mapping(struct strbuf *sb)
{
	size_t start = pb_msg_begin(sb);
	int r = pb_put_uint64(sb, 1, 1);

	for (uint32_t f = 7; f <= 10 && !r; f++)
		r = pb_put_bool(sb, f, true);
	return r ? r : pb_msg_end(sb, 3, start);
}

static void encoder_release(struct encoder *e)
{
	free(e->loc_ids);
	strbuf_release(&e->loc_body);
	strbuf_release(&e->fn_body);
	hashmap_release(&e->locs);
	hashmap_release(&e->funcs);
	hashmap_release(&e->strings);
	free(e->strl);
	free(e->strv);
	arena_release(&e->arena);
}

int pprof_encode_raw(const struct profile *p, struct strbuf *out)
{
	struct encoder e;
	struct strbuf body = STRBUF_INIT;
	int r = 0;

	memset(&e, 0, sizeof(e));
	strbuf_init(&e.fn_body, 0);
	strbuf_init(&e.loc_body, 0);
	intern(&e, "", 0);
	for (size_t i = 0; i < p->nsample_types && !r; i++)
		r = put_value_type(&e, &body, 1, &p->sample_types[i]);
	for (size_t i = 0; i < p->nsamples && !r; i++)
		r = put_sample(&e, &body, p, &p->samples[i]);
	if (!r && e.nlocs)
		r = put_mapping(&body);
	if (!r)
		r = strbuf_add(&body, e.loc_body.buf, e.loc_body.len);
	if (!r)
		r = strbuf_add(&body, e.fn_body.buf, e.fn_body.len);
	if (!r)
		r = pb_put_int64_opt(&body, 9, p->time_nanos);
	if (!r)
		r = pb_put_int64_opt(&body, 10, p->duration_nanos);
	if (!r && (p->period_type.type || p->period_type.unit))
		r = put_value_type(&e, &body, 11, &p->period_type);
	if (!r)
		r = pb_put_int64_opt(&body, 12, p->period);
	for (size_t i = 0; i < p->ncomments && !r; i++)
		r = pb_put_int64(&body, 13, intern_cstr(&e, p->comments[i]));
	if (!r && p->default_sample_type)
		r = pb_put_int64(&body, 14, intern_cstr(&e, p->default_sample_type));
	/* Last: every string has been interned by now. */
	for (size_t i = 0; i < e.nstr && !r; i++)
		r = pb_put_bytes(&body, 6, e.strv[i], e.strl[i]);
	if (!r)
		r = strbuf_add(out, body.buf, body.len);
	strbuf_release(&body);
	encoder_release(&e);
	return r;
}

int pprof_encode(const struct profile *p, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT;
	struct cw_error err;
	int r = pprof_encode_raw(p, &raw);

	if (!r && gzip_deflate(raw.buf, raw.len, out, &err))
		r = strbuf_grow(out, 1) ? -E2BIG : -EINVAL;
	strbuf_release(&raw);
	return r;
}
