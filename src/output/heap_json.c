// SPDX-License-Identifier: MIT
// chanwatch heap as one JSON document (docs/heap-json-schema.md).
#include "output/heap.h"

#include "lib/jsonw.h"

#include "lib/banned.h"

static void counts(struct jsonw *w, const char *key, const struct heapchan_counts *c)
{
	jsonw_key(w, key);
	if (!c) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_key(w, "inuse_objects");
	jsonw_i64(w, c->inuse_objects);
	jsonw_key(w, "inuse_bytes");
	jsonw_i64(w, c->inuse_bytes);
	jsonw_key(w, "alloc_objects");
	jsonw_i64(w, c->alloc_objects);
	jsonw_key(w, "alloc_bytes");
	jsonw_i64(w, c->alloc_bytes);
	jsonw_object_end(w);
}

static void input(struct jsonw *w, const char *key, const char *name, int64_t period,
		  int64_t time_nanos, const struct heapchan_counts *heap,
		  const struct heapchan_counts *chans)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_key(w, "name");
	if (name)
		jsonw_string(w, name);
	else
		jsonw_null(w);
	jsonw_key(w, "period");
	jsonw_i64(w, period);
	jsonw_key(w, "time_nanos");
	jsonw_i64(w, time_nanos);
	counts(w, "heap", heap);
	counts(w, "channels", chans);
	jsonw_object_end(w);
}

void heap_write_json(const struct heapchan_result *res, FILE *out)
{
	struct jsonw w;

	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	jsonw_key(&w, "schema");
	jsonw_string(&w, "chanwatch.heap/v1");
	input(&w, "now", res->input_now, res->period_now, res->time_nanos_now, &res->heap_now,
	      &res->total_now);
	if (res->has_base)
		input(&w, "base", res->input_base, res->period_base, res->time_nanos_base,
		      &res->heap_base, &res->total_base);
	else {
		jsonw_key(&w, "base");
		jsonw_null(&w);
	}
	jsonw_key(&w, "sites_found");
	jsonw_u64(&w, res->nsites_found);
	jsonw_key(&w, "sources_missing");
	jsonw_u64(&w, res->sources_missing);
	jsonw_key(&w, "sites");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < res->nsites; i++) {
		const struct heapchan_site *s = &res->sites[i];

		jsonw_object_begin(&w);
		jsonw_key(&w, "function");
		jsonw_string(&w, s->func);
		jsonw_key(&w, "file");
		jsonw_string(&w, s->file);
		jsonw_key(&w, "line");
		jsonw_u64(&w, s->line);
		jsonw_key(&w, "evidence");
		jsonw_string(&w, s->evidence == HEAPCHAN_EVIDENCE_SOURCE ? "source" : "stack");
		jsonw_key(&w, "via");
		jsonw_string(&w, s->via);
		jsonw_key(&w, "samples");
		jsonw_u64(&w, s->samples);
		counts(&w, "now", &s->now);
		counts(&w, "base", res->has_base ? &s->base : NULL);
		counts(&w, "delta", res->has_base ? &s->delta : NULL);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_finish(&w);
}
