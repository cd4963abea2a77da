// SPDX-License-Identifier: MIT
// profile.proto reader (gzipped or raw) to struct profile, and goroutine profiles to the dump sink.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump.h"
#include "lib/gzip.h"
#include "lib/hashmap.h"
#include "lib/protobuf.h"
#include "lib/strbuf.h"

#include "lib/num.h"
#include "lib/banned.h"

/* Largest profile.proto pprof_read accepts, compressed or not (decompressed: GZIP_DEFAULT_MAX). */
#define PPROF_MAX_INPUT ((size_t)256 << 20)
/* Absolute cap on frames after inline expansion, whatever the input size. */
#define PPROF_MAX_FRAMES ((size_t)64 << 20)

/* Field numbers of google/pprof proto/profile.proto. */
enum {
	F_PROFILE_SAMPLE_TYPE = 1,
	F_PROFILE_SAMPLE = 2,
	F_PROFILE_LOCATION = 4,
	F_PROFILE_FUNCTION = 5,
	F_PROFILE_STRING_TABLE = 6,
	F_PROFILE_TIME_NANOS = 9,
	F_PROFILE_DURATION_NANOS = 10,
	F_PROFILE_PERIOD_TYPE = 11,
	F_PROFILE_PERIOD = 12,
	F_PROFILE_COMMENT = 13,
	F_PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	F_VALUE_TYPE_TYPE = 1,
	F_VALUE_TYPE_UNIT = 2,
	F_SAMPLE_LOCATION_ID = 1,
	F_SAMPLE_VALUE = 2,
	F_SAMPLE_LABEL = 3,
	F_LABEL_KEY = 1,
	F_LABEL_STR = 2,
	F_LABEL_NUM = 3,
	F_LABEL_NUM_UNIT = 4,
	F_LOCATION_ID = 1,
	F_LOCATION_ADDRESS = 3,
	F_LOCATION_LINE = 4,
	F_LINE_FUNCTION_ID = 1,
	F_LINE_LINE = 2,
	F_FUNCTION_ID = 1,
	F_FUNCTION_NAME = 2,
	F_FUNCTION_FILENAME = 4,
};

/* A growable array of u64, for repeated fields whose count is unknown up front. */
struct u64vec {
	uint64_t *v;
	size_t n, cap;
};

static void u64vec_push(struct u64vec *vec, uint64_t x)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 64;
		uint64_t *nv = realloc(vec->v, cap * sizeof(*nv));

		if (!nv)
			die("out of memory (%zu bytes)", cap * sizeof(*nv));
		vec->v = nv;
		vec->cap = cap;
	}
	vec->v[vec->n++] = x;
}

struct pstr {
	const char *s;
	size_t len;
};

struct rfunc {
	const char *name, *file;
	size_t name_len, file_len;
};

struct rloc {
	struct frame *frames; /* expanded: Line[0] (innermost inlined callee) first */
	size_t nframes;
};

/* The top-level repeated messages, located in a first pass, decoded once all are known. */
struct decoder {
	struct profile *p;
	struct cw_error *err;
	size_t input_len;

	struct pb_reader *sample_types, *samples, *locations, *functions;
	size_t nsample_types, nsamples, nlocations, nfunctions;
	struct pstr *strings;
	size_t nstrings;

	struct rfunc *funcs;
	struct u64map func_ids; /* id -> index in funcs */
	struct rloc *locs;
	struct u64map loc_ids; /* id -> index in locs */

	size_t frames_total, frames_max;
	struct u64vec tmp_locs, tmp_values;
};

static int str_at(struct decoder *d, uint64_t idx, size_t at, const char *what, struct pstr *out)
{
	if (idx >= d->nstrings)
		return cw_error_set(d->err,
				    "byte %zu: %s: string index %llu out of range (%zu strings)",
				    at, what, (unsigned long long)idx, d->nstrings);
	*out = d->strings[idx];
	return 0;
}

static int str_cstr(struct decoder *d, uint64_t idx, size_t at, const char *what, const char **out)
{
	struct pstr s = {"", 0};

	if (str_at(d, idx, at, what, &s))
		return -1;
	*out = s.s;
	return 0;
}

/* Reads one varint-valued field, rejecting other wire types. */
static int read_scalar(struct pb_reader *r, enum pb_wire wire, uint64_t *v, struct cw_error *err)
{
	if (wire != PB_WIRE_VARINT)
		return cw_error_set(err, "byte %zu: wire type %u for a varint field",
				    pb_reader_offset(r), (unsigned)wire);
	return pb_read_varint(r, v, err);
}

static int read_sub(struct pb_reader *r, enum pb_wire wire, struct pb_reader *sub,
		    struct cw_error *err)
{
	if (wire != PB_WIRE_LEN)
		return cw_error_set(err, "byte %zu: wire type %u for a message field",
				    pb_reader_offset(r), (unsigned)wire);
	return pb_read_len(r, sub, err);
}

/*
 * Reads a message whose fields 1..nfields are all varints (ValueType, Function,
 * Line, Label) into vals[field]; other fields are skipped. vals[1..nfields]
 * must be zeroed by the caller (absent fields stay 0, as proto3 says).
 */
static int read_scalar_fields(struct pb_reader sub, uint32_t nfields, uint64_t *vals,
			      struct cw_error *err)
{
	while (!pb_reader_done(&sub)) {
		uint32_t f;
		enum pb_wire w;

		if (pb_read_tag(&sub, &f, &w, err))
			return -1;
		if (f >= 1 && f <= nfields) {
			if (read_scalar(&sub, w, &vals[f], err))
				return -1;
		} else if (pb_skip(&sub, f, w, err)) {
			return -1;
		}
	}
	return 0;
}

/* Appends every varint of a (packed or not) repeated field to vec. */
static int read_repeated(struct pb_reader *r, enum pb_wire wire, struct u64vec *vec,
			 struct cw_error *err)
{
	struct pb_reader items;

	if (pb_read_repeated(r, wire, &items, err))
		return -1;
	while (!pb_reader_done(&items)) {
		uint64_t v;

		if (pb_read_varint(&items, &v, err))
			return -1;
		u64vec_push(vec, v);
	}
	return 0;
}

/* Pass 1 (count) and pass 2 (fill) over the top level: messages are remembered, scalars read. */
static int scan_top(struct decoder *d, const unsigned char *data, size_t len, bool fill)
{
	struct profile *p = d->p;
	struct pb_reader r, sub;
	struct u64vec comments = {0};
	uint64_t v, default_type = 0, pt_type = 0, pt_unit = 0;
	size_t pt_at = 0, dst_at = 0;
	bool has_pt = false;
	int ret = -1;

	d->nsample_types = d->nsamples = d->nlocations = d->nfunctions = d->nstrings = 0;
	pb_reader_init(&r, data, len);
	while (!pb_reader_done(&r)) {
		uint32_t field;
		enum pb_wire wire;
		size_t at = pb_reader_offset(&r);

		if (pb_read_tag(&r, &field, &wire, d->err))
			goto cleanup;
		switch (field) {
		case F_PROFILE_SAMPLE_TYPE:
		case F_PROFILE_SAMPLE:
		case F_PROFILE_LOCATION:
		case F_PROFILE_FUNCTION:
		case F_PROFILE_STRING_TABLE:
			if (read_sub(&r, wire, &sub, d->err))
				goto cleanup;
			if (field == F_PROFILE_SAMPLE_TYPE) {
				if (fill)
					d->sample_types[d->nsample_types] = sub;
				d->nsample_types++;
			} else if (field == F_PROFILE_SAMPLE) {
				if (fill)
					d->samples[d->nsamples] = sub;
				d->nsamples++;
			} else if (field == F_PROFILE_LOCATION) {
				if (fill)
					d->locations[d->nlocations] = sub;
				d->nlocations++;
			} else if (field == F_PROFILE_FUNCTION) {
				if (fill)
					d->functions[d->nfunctions] = sub;
				d->nfunctions++;
			} else {
				if (fill) {
					size_t n = (size_t)(sub.end - sub.p);

					d->strings[d->nstrings].s =
					    arena_strndup(&p->arena, (const char *)sub.p, n);
					d->strings[d->nstrings].len = n;
				}
				d->nstrings++;
			}
			break;
		case F_PROFILE_TIME_NANOS:
		case F_PROFILE_DURATION_NANOS:
		case F_PROFILE_PERIOD:
		case F_PROFILE_DEFAULT_SAMPLE_TYPE:
			if (read_scalar(&r, wire, &v, d->err))
				goto cleanup;
			if (field == F_PROFILE_TIME_NANOS)
				p->time_nanos = (int64_t)v;
			else if (field == F_PROFILE_DURATION_NANOS)
				p->duration_nanos = (int64_t)v;
			else if (field == F_PROFILE_PERIOD)
				p->period = (int64_t)v;
			else {
				default_type = v;
				dst_at = at;
			}
			break;
		case F_PROFILE_PERIOD_TYPE:
			if (read_sub(&r, wire, &sub, d->err))
				goto cleanup;
			has_pt = true;
			pt_at = at;
			{
				uint64_t vt[3] = {0};
				if (read_scalar_fields(sub, 2, vt, d->err))
					goto cleanup;
				pt_type = vt[F_VALUE_TYPE_TYPE];
				pt_unit = vt[F_VALUE_TYPE_UNIT];
			}
			break;
		case F_PROFILE_COMMENT:
			if (read_repeated(&r, wire, &comments, d->err))
				goto cleanup;
			break;
		default:
			if (pb_skip(&r, field, wire, d->err))
				goto cleanup;
		}
	}
	if (!fill) {
		ret = 0;
		goto cleanup;
	}
	if (has_pt && (str_cstr(d, pt_type, pt_at, "period type", &p->period_type.type) ||
		       str_cstr(d, pt_unit, pt_at, "period unit", &p->period_type.unit)))
		goto cleanup;
	if (default_type &&
	    str_cstr(d, default_type, dst_at, "default sample type", &p->default_sample_type))
		goto cleanup;
	if (comments.n) {
		p->comments = arena_alloc(&p->arena, comments.n * sizeof(*p->comments));
		for (size_t i = 0; i < comments.n; i++)
			if (str_cstr(d, comments.v[i], 0, "comment", &p->comments[i]))
				goto cleanup;
		p->ncomments = comments.n;
	}
	ret = 0;
cleanup:
	free(comments.v);
	return ret;
}

static int decode_value_type(struct decoder *d, struct pb_reader sub, struct profile_value_type *vt)
{
	size_t at = pb_reader_offset(&sub);
	uint64_t vals[3] = {0}, type, unit;

	if (read_scalar_fields(sub, 2, vals, d->err))
		return -1;
	type = vals[F_VALUE_TYPE_TYPE];
	unit = vals[F_VALUE_TYPE_UNIT];
	if (str_cstr(d, type, at, "sample type", &vt->type) ||
	    str_cstr(d, unit, at, "sample unit", &vt->unit))
		return -1;
	return 0;
}

static int decode_function(struct decoder *d, struct pb_reader sub, size_t idx)
{
	size_t at = pb_reader_offset(&sub);
	uint64_t vals[F_FUNCTION_FILENAME + 1] = {0}, id, name, file, v;
	struct pstr s = {"", 0};

	if (read_scalar_fields(sub, F_FUNCTION_FILENAME, vals, d->err))
		return -1;
	id = vals[F_FUNCTION_ID];
	name = vals[F_FUNCTION_NAME];
	file = vals[F_FUNCTION_FILENAME];
	if (id == 0 || id == UINT64_MAX)
		return cw_error_set(d->err, "byte %zu: function: invalid id %llu", at,
				    (unsigned long long)id);
	if (u64map_get(&d->func_ids, id, &v))
		return cw_error_set(d->err, "byte %zu: duplicate function id %llu", at,
				    (unsigned long long)id);
	u64map_set(&d->func_ids, id, idx);
	if (str_at(d, name, at, "function name", &s))
		return -1;
	d->funcs[idx].name = s.s;
	d->funcs[idx].name_len = s.len;
	if (str_at(d, file, at, "function filename", &s))
		return -1;
	d->funcs[idx].file = s.s;
	d->funcs[idx].file_len = s.len;
	return 0;
}

static uint32_t clamp_line(int64_t line)
{
	if (line < 0)
		return 0;
	if ((uint64_t)line > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)line;
}

static int decode_line(struct decoder *d, struct pb_reader sub, struct frame *fr)
{
	size_t at = pb_reader_offset(&sub);
	uint64_t vals[3] = {0}, fid, line, fidx;

	if (read_scalar_fields(sub, 2, vals, d->err))
		return -1;
	fid = vals[F_LINE_FUNCTION_ID];
	line = vals[F_LINE_LINE];
	fr->line = clamp_line((int64_t)line);
	fr->func = slice_from("", 0);
	fr->file = slice_from("", 0);
	if (fid == 0)
		return 0;
	if (!u64map_get(&d->func_ids, fid, &fidx))
		return cw_error_set(d->err, "byte %zu: line: unknown function id %llu", at,
				    (unsigned long long)fid);
	fr->func = slice_from(d->funcs[fidx].name, d->funcs[fidx].name_len);
	fr->file = slice_from(d->funcs[fidx].file, d->funcs[fidx].file_len);
	return 0;
}

static int decode_location(struct decoder *d, struct pb_reader sub, size_t idx)
{
	struct pb_reader r = sub;
	size_t at = pb_reader_offset(&sub), nlines = 0, i = 0;
	uint64_t id = 0, addr = 0, v;
	struct rloc *loc = &d->locs[idx];

	/* Pass 1: scalars and the number of lines. */
	while (!pb_reader_done(&r)) {
		uint32_t f;
		enum pb_wire w;
		struct pb_reader line;

		if (pb_read_tag(&r, &f, &w, d->err))
			return -1;
		if (f == F_LOCATION_ID || f == F_LOCATION_ADDRESS) {
			if (read_scalar(&r, w, &v, d->err))
				return -1;
			*(f == F_LOCATION_ID ? &id : &addr) = v;
		} else if (f == F_LOCATION_LINE) {
			if (read_sub(&r, w, &line, d->err))
				return -1;
			nlines++;
		} else if (pb_skip(&r, f, w, d->err)) {
			return -1;
		}
	}
	if (id == 0 || id == UINT64_MAX)
		return cw_error_set(d->err, "byte %zu: location: invalid id %llu", at,
				    (unsigned long long)id);
	if (u64map_get(&d->loc_ids, id, &v))
		return cw_error_set(d->err, "byte %zu: duplicate location id %llu", at,
				    (unsigned long long)id);
	u64map_set(&d->loc_ids, id, idx);
	/* An unsymbolised location (no lines) still stands for one frame: its address. */
	loc->nframes = nlines ? nlines : 1;
	loc->frames = arena_alloc(&d->p->arena, loc->nframes * sizeof(*loc->frames));
	for (size_t k = 0; k < loc->nframes; k++) {
		loc->frames[k].pc = addr;
		loc->frames[k].func = slice_from("", 0);
		loc->frames[k].file = slice_from("", 0);
		/* Line[] lists inlined callees first; the last entry is the real caller. */
		if (k + 1 < loc->nframes)
			loc->frames[k].flags = FRAME_INLINED;
	}
	r = sub;
	while (!pb_reader_done(&r)) {
		uint32_t f;
		enum pb_wire w;
		struct pb_reader line;

		if (pb_read_tag(&r, &f, &w, d->err))
			return -1;
		if (f == F_LOCATION_LINE) {
			if (read_sub(&r, w, &line, d->err))
				return -1;
			if (decode_line(d, line, &loc->frames[i++]))
				return -1;
		} else if (pb_skip(&r, f, w, d->err)) {
			return -1;
		}
	}
	return 0;
}

static int decode_label(struct decoder *d, struct pb_reader sub, struct profile_label *l)
{
	size_t at = pb_reader_offset(&sub);
	uint64_t vals[F_LABEL_NUM_UNIT + 1] = {0}, key, str, num, unit;

	if (read_scalar_fields(sub, F_LABEL_NUM_UNIT, vals, d->err))
		return -1;
	key = vals[F_LABEL_KEY];
	str = vals[F_LABEL_STR];
	num = vals[F_LABEL_NUM];
	unit = vals[F_LABEL_NUM_UNIT];
	if (str_cstr(d, key, at, "label key", &l->key))
		return -1;
	l->num = (int64_t)num;
	l->str = NULL;
	l->num_unit = NULL;
	/* pprof: a label with str == 0 ("") is numeric. */
	if (str && str_cstr(d, str, at, "label value", &l->str))
		return -1;
	if (unit && str_cstr(d, unit, at, "label unit", &l->num_unit))
		return -1;
	return 0;
}

static int decode_sample(struct decoder *d, struct pb_reader sub, struct profile_sample *s)
{
	struct pb_reader r = sub;
	size_t at = pb_reader_offset(&sub), nframes = 0, nlabels = 0;

	d->tmp_locs.n = d->tmp_values.n = 0;
	while (!pb_reader_done(&r)) {
		uint32_t f;
		enum pb_wire w;
		struct pb_reader lab;

		if (pb_read_tag(&r, &f, &w, d->err))
			return -1;
		if (f == F_SAMPLE_LOCATION_ID) {
			if (read_repeated(&r, w, &d->tmp_locs, d->err))
				return -1;
		} else if (f == F_SAMPLE_VALUE) {
			if (read_repeated(&r, w, &d->tmp_values, d->err))
				return -1;
		} else if (f == F_SAMPLE_LABEL) {
			if (read_sub(&r, w, &lab, d->err))
				return -1;
			nlabels++;
		} else if (pb_skip(&r, f, w, d->err)) {
			return -1;
		}
	}
	if (d->tmp_values.n != d->nsample_types)
		return cw_error_set(d->err, "byte %zu: sample has %zu values for %zu sample types",
				    at, d->tmp_values.n, d->nsample_types);
	if (d->nsample_types) {
		s->values = arena_alloc(&d->p->arena, d->nsample_types * sizeof(*s->values));
		for (size_t i = 0; i < d->nsample_types; i++)
			s->values[i] = (int64_t)d->tmp_values.v[i];
	}
	for (size_t i = 0; i < d->tmp_locs.n; i++) {
		uint64_t li;

		if (!u64map_get(&d->loc_ids, d->tmp_locs.v[i], &li) || d->tmp_locs.v[i] == 0)
			return cw_error_set(d->err, "byte %zu: sample: unknown location id %llu",
					    at, (unsigned long long)d->tmp_locs.v[i]);
		d->tmp_locs.v[i] = li;
		nframes += d->locs[li].nframes;
		if (nframes > d->frames_max - d->frames_total)
			return cw_error_set(d->err,
					    "byte %zu: more than %zu frames after inline expansion",
					    at, d->frames_max);
	}
	d->frames_total += nframes;
	if (nframes) {
		struct frame *fr = arena_alloc(&d->p->arena, nframes * sizeof(*fr));

		s->frames = fr;
		for (size_t i = 0; i < d->tmp_locs.n; i++) {
			const struct rloc *loc = &d->locs[d->tmp_locs.v[i]];

			memcpy(fr, loc->frames, loc->nframes * sizeof(*fr));
			fr += loc->nframes;
		}
		s->nframes = nframes;
	}
	if (!nlabels)
		return 0;
	s->labels = arena_alloc(&d->p->arena, nlabels * sizeof(*s->labels));
	r = sub;
	while (!pb_reader_done(&r)) {
		uint32_t f;
		enum pb_wire w;
		struct pb_reader lab;

		if (pb_read_tag(&r, &f, &w, d->err))
			return -1;
		if (f == F_SAMPLE_LABEL) {
			if (read_sub(&r, w, &lab, d->err))
				return -1;
			if (decode_label(d, lab, &s->labels[s->nlabels++]))
				return -1;
		} else if (pb_skip(&r, f, w, d->err)) {
			return -1;
		}
	}
	return 0;
}

/* True when the first bytes are all printable text: a debug=1/2 profile or some other file. */
static bool looks_like_text(const unsigned char *data, size_t len)
{
	size_t n = len < 64 ? len : 64;

	if (n < 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(data[i] >= 0x20 && data[i] < 0x7f) && data[i] != '\n' && data[i] != '\t' &&
		    data[i] != '\r')
			return false;
	return true;
}

static int decode_proto(struct decoder *d, const unsigned char *data, size_t len)
{
	struct profile *p = d->p;

	if (looks_like_text(data, len))
		return cw_error_set(d->err, "byte 0: not a profile.proto (the input is text; "
					    "fetch profiles with debug=0)");
	d->frames_max = len > PPROF_MAX_FRAMES / 4 ? PPROF_MAX_FRAMES : 4 * len + 65536;
	if (scan_top(d, data, len, false))
		return -1;
	if (d->nstrings == 0)
		return cw_error_set(d->err, "byte 0: not a profile.proto (no string table)");
	d->strings = arena_alloc(&p->arena, d->nstrings * sizeof(*d->strings));
	d->sample_types = calloc(d->nsample_types + 1, sizeof(*d->sample_types));
	d->samples = calloc(d->nsamples + 1, sizeof(*d->samples));
	d->locations = calloc(d->nlocations + 1, sizeof(*d->locations));
	d->functions = calloc(d->nfunctions + 1, sizeof(*d->functions));
	d->funcs = calloc(d->nfunctions + 1, sizeof(*d->funcs));
	d->locs = calloc(d->nlocations + 1, sizeof(*d->locs));
	if (!d->sample_types || !d->samples || !d->locations || !d->functions || !d->funcs ||
	    !d->locs)
		die("out of memory");
	if (scan_top(d, data, len, true))
		return -1;
	if (d->strings[0].len != 0)
		return cw_error_set(d->err, "byte 0: not a profile.proto (string_table[0] is not "
					    "empty)");
	if (d->nsample_types) {
		p->sample_types =
		    arena_alloc(&p->arena, d->nsample_types * sizeof(*p->sample_types));
		for (size_t i = 0; i < d->nsample_types; i++)
			if (decode_value_type(d, d->sample_types[i], &p->sample_types[i]))
				return -1;
		p->nsample_types = d->nsample_types;
	}
	for (size_t i = 0; i < d->nfunctions; i++)
		if (decode_function(d, d->functions[i], i))
			return -1;
	for (size_t i = 0; i < d->nlocations; i++)
		if (decode_location(d, d->locations[i], i))
			return -1;
	if (d->nsamples) {
		p->samples = arena_alloc(&p->arena, d->nsamples * sizeof(*p->samples));
		for (size_t i = 0; i < d->nsamples; i++)
			if (decode_sample(d, d->samples[i], &p->samples[i]))
				return -1;
		p->nsamples = d->nsamples;
	}
	return 0;
}

int pprof_decode(const unsigned char *data, size_t len, struct profile *p, struct cw_error *err)
{
	struct decoder d = {.p = p, .err = err, .input_len = len};
	struct strbuf raw = STRBUF_INIT;
	int ret = -1;

	if (gzip_is(data, len)) {
		if (gzip_inflate(data, len, GZIP_DEFAULT_MAX, &raw, err))
			goto cleanup;
		data = (const unsigned char *)raw.buf;
		len = raw.len;
	}
	ret = decode_proto(&d, data, len);
cleanup:
	free(d.tmp_locs.v);
	free(d.tmp_values.v);
	u64map_release(&d.loc_ids);
	u64map_release(&d.func_ids);
	free(d.locs);
	free(d.funcs);
	free(d.functions);
	free(d.locations);
	free(d.samples);
	free(d.sample_types);
	strbuf_release(&raw);
	return ret;
}

int pprof_read(struct input *in, struct profile *p, struct cw_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	int r = input_slurp(in, PPROF_MAX_INPUT, &data, &len);

	if (r == -E2BIG)
		return cw_error_set(err, "byte %zu: profile larger than %zu bytes", PPROF_MAX_INPUT,
				    PPROF_MAX_INPUT);
	if (r < 0)
		return cw_error_set(err, "%s", strerror(-r));
	r = pprof_decode(data, len, p, err);
	free(data);
	return r;
}

static int goroutine_labels(const struct profile_sample *s, struct strbuf *sb)
{
	int r = 0;

	strbuf_reset(sb);
	for (size_t i = 0; i < s->nlabels && !r; i++) {
		const struct profile_label *l = &s->labels[i];

		if (i)
			r = strbuf_addstr(sb, ", ");
		if (!r && l->str)
			r = strbuf_addf(sb, "%s=%s", l->key, l->str);
		else if (!r)
			r = strbuf_addf(sb, "%s=%lld", l->key, (long long)l->num);
	}
	return r;
}

int dump_from_goroutine_profile(const struct profile *p, const struct dump_sink *sink,
				struct dump_info *info, struct cw_error *err)
{
	static const char *const names[] = {"goroutine", "goroutineleak"};
	struct strbuf labels = STRBUF_INIT;
	const char *name = NULL;
	int idx = -1, ret = -1;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && idx < 0; i++) {
		idx = profile_sample_type_index(p, names[i]);
		name = names[i];
	}
	if (idx < 0)
		return cw_error_set(err, "not a goroutine profile (sample types: %s%s)",
				    p->nsample_types ? p->sample_types[0].type : "none",
				    p->nsample_types > 1 ? ", ..." : "");
	strbuf_init(&labels, 1 << 20);
	info->format = DUMP_FORMAT_PROTO;
	snprintf(info->profile_name, sizeof(info->profile_name), "%s", name);
	info->time_nanos = p->time_nanos;
	info->declared_total = 0;
	for (size_t i = 0; i < p->nsamples; i++) {
		int64_t v = p->samples[i].values[idx];

		if (v > 0)
			info->declared_total = sat_add(info->declared_total, (uint64_t)v);
	}
	for (size_t i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		struct goroutine g;
		int r;

		memset(&g, 0, sizeof(g));
		if (s->values[idx] <= 0)
			continue;
		g.count = (uint64_t)s->values[idx];
		/* Every sample of the goroutineleak profile is a leaked goroutine. */
		if (idx >= 0 && !strcmp(name, "goroutineleak"))
			g.flags |= G_LEAKED;
		if (goroutine_labels(s, &labels)) {
			cw_error_set(err, "sample %zu: labels longer than 1 MiB", i);
			goto cleanup;
		}
		g.labels = slice_from(labels.buf, labels.len);
		g.frames = s->frames;
		g.nframes = s->nframes > UINT32_MAX ? UINT32_MAX : (uint32_t)s->nframes;
		r = sink->goroutine(sink->ctx, &g);
		if (r < 0) {
			ret = r;
			goto cleanup;
		}
		info->records++;
		info->goroutines = sat_add(info->goroutines, g.count);
	}
	ret = 0;
cleanup:
	strbuf_release(&labels);
	return ret;
}
