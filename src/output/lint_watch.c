// SPDX-License-Identifier: MIT
// The --watch-file JSON (docs/watch-file-schema.md, "chanwatch.watch/v1").
#include "output/lint_watch.h"

#include "lib/jsonw.h"

#include "lib/banned.h"

static void str_or_null(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	if (s)
		jsonw_string(w, s);
	else
		jsonw_null(w);
}

void lint_write_watch(const struct lint_result *r, FILE *out)
{
	struct jsonw w;

	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	jsonw_key(&w, "schema");
	jsonw_string(&w, "chanwatch.watch/v1");
	jsonw_key(&w, "channels");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->nwatches; i++) {
		const struct lint_watch *c = &r->watches[i];

		jsonw_object_begin(&w);
		str_or_null(&w, "file", c->pos.file);
		jsonw_key(&w, "line");
		jsonw_u64(&w, c->pos.line);
		jsonw_key(&w, "col");
		jsonw_u64(&w, c->pos.col);
		str_or_null(&w, "label", c->label);
		str_or_null(&w, "timeout", c->timeout);
		jsonw_key(&w, "timeout_ns");
		jsonw_u64(&w, c->timeout_ns);
		str_or_null(&w, "element_type", c->element_type);
		str_or_null(&w, "capacity", c->capacity_expr);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_finish(&w);
}
