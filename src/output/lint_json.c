// SPDX-License-Identifier: MIT
// chanwatch lint as one JSON document (docs/lint-json-schema.md, "chanwatch.lint/v1").
#include "output/lint_json.h"

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

static void position(struct jsonw *w, const struct lint_pos *p)
{
	str_or_null(w, "file", p->file);
	jsonw_key(w, "line");
	jsonw_u64(w, p->line);
	jsonw_key(w, "col");
	jsonw_u64(w, p->col);
}

static void finding(struct jsonw *w, const struct lint_finding *f)
{
	const struct lint_rule_info *rule = lint_rule_find(f->rule);
	size_t nrel = f->nrelated < LINT_MAX_RELATED ? f->nrelated : LINT_MAX_RELATED;

	jsonw_object_begin(w);
	str_or_null(w, "rule", f->rule);
	str_or_null(w, "name", rule ? rule->name : NULL);
	position(w, &f->pos);
	str_or_null(w, "message", f->message);
	jsonw_key(w, "related");
	jsonw_array_begin(w);
	for (size_t i = 0; i < nrel; i++) {
		jsonw_object_begin(w);
		position(w, &f->related[i].pos);
		str_or_null(w, "message", f->related[i].message);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

void lint_write_json(const struct lint_result *r, FILE *out)
{
	struct jsonw w;

	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	jsonw_key(&w, "schema");
	jsonw_string(&w, "chanwatch.lint/v1");
	jsonw_key(&w, "files");
	jsonw_u64(&w, r->files);
	jsonw_key(&w, "packages");
	jsonw_u64(&w, r->packages);
	jsonw_key(&w, "bytes");
	jsonw_u64(&w, r->bytes);
	jsonw_key(&w, "parse_errors");
	jsonw_u64(&w, r->parse_errors);
	jsonw_key(&w, "findings");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->nfindings; i++)
		finding(&w, &r->findings[i]);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_finish(&w);
}
