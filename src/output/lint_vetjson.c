// SPDX-License-Identifier: MIT
// The go vet -json diagnostics tree (cmd/go/internal/vet jsonTree) for one package.
#include "output/lint_vetjson.h"

#include <inttypes.h>

#include "lib/jsonw.h"
#include "lib/strbuf.h"

#include "lib/banned.h"

static void posn(struct jsonw *w, struct strbuf *sb, const char *key, const struct lint_pos *p)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s:%" PRIu32 ":%" PRIu32, p->file ? p->file : "-", p->line, p->col);
	jsonw_key(w, key);
	jsonw_stringn(w, sb->buf, sb->len);
}

/* go vet prints messages verbatim: control bytes become '?' so one diagnostic is one line. */
static void message(struct jsonw *w, struct strbuf *sb, const char *msg, const char *rule)
{
	strbuf_reset(sb);
	for (const unsigned char *p = (const unsigned char *)(msg ? msg : ""); *p; p++)
		strbuf_addch(sb, *p < 0x20 || *p == 0x7f ? '?' : *p);
	if (rule)
		strbuf_addf(sb, " (%s)", rule);
	jsonw_key(w, "message");
	jsonw_stringn(w, sb->buf, sb->len);
}

void lint_write_vetjson(const struct lint_result *r, const char *id, FILE *out)
{
	struct strbuf sb;
	struct jsonw w;

	strbuf_init(&sb, 0);
	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	if (r->nfindings) {
		jsonw_key(&w, id ? id : "");
		jsonw_object_begin(&w);
		jsonw_key(&w, "chanwatch");
		jsonw_array_begin(&w);
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct lint_finding *f = &r->findings[i];
			size_t nrel =
			    f->nrelated < LINT_MAX_RELATED ? f->nrelated : LINT_MAX_RELATED;

			jsonw_object_begin(&w);
			posn(&w, &sb, "posn", &f->pos);
			posn(&w, &sb, "end", &f->pos);
			message(&w, &sb, f->message, f->rule ? f->rule : "");
			if (nrel) {
				jsonw_key(&w, "related");
				jsonw_array_begin(&w);
				for (size_t k = 0; k < nrel; k++) {
					jsonw_object_begin(&w);
					posn(&w, &sb, "posn", &f->related[k].pos);
					posn(&w, &sb, "end", &f->related[k].pos);
					message(&w, &sb, f->related[k].message, NULL);
					jsonw_object_end(&w);
				}
				jsonw_array_end(&w);
			}
			jsonw_object_end(&w);
		}
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_object_end(&w);
	jsonw_finish(&w);
	strbuf_release(&sb);
}
