// SPDX-License-Identifier: MIT
// chanwatch lint as SARIF 2.1.0: one run, every rule in tool.driver.rules, results with related
// locations.
#include "output/lint_sarif.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonw.h"
#include "lib/strbuf.h"

#include "lib/banned.h"

#define SRCROOT "%SRCROOT%"
#define URI_MAX (64 * 1024)

/* Percent-encodes a path for a URI: unreserved, sub-delims, '@' and '/' stay; ':' is encoded. */
static void add_path(struct strbuf *sb, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char keep[] = "-._~!$&'()*+,;=@/";

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p)) {
			strbuf_addch(sb, *p);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
	}
}

/* srcroot without trailing slashes; its length. */
static size_t root_len(const char *srcroot)
{
	size_t n = strlen(srcroot);
	while (n > 1 && srcroot[n - 1] == '/')
		n--;
	return n;
}

/*
 * The URI of file into sb; returns true when it is relative to %SRCROOT%.
 * "./a.go" -> "a.go"; "/root/x/a.go" under srcroot "/root/x" -> "a.go";
 * other absolute paths -> "file:///...".
 */
static bool file_uri(struct strbuf *sb, const char *file, const char *srcroot)
{
	strbuf_reset(sb);
	if (!file || !*file)
		file = "-";
	if (file[0] == '/') {
		size_t n = srcroot && srcroot[0] == '/' ? root_len(srcroot) : 0;
		if (n > 1 && !strncmp(file, srcroot, n) && file[n] == '/' && file[n + 1]) {
			file += n + 1;
		} else if (n == 1 && file[1]) {
			file++; /* srcroot is "/" */
		} else {
			strbuf_addstr(sb, "file://");
			add_path(sb, file);
			return false;
		}
	}
	while (file[0] == '.' && file[1] == '/')
		for (file += 2; *file == '/'; file++)
			;
	add_path(sb, *file ? file : ".");
	return true;
}

static void text_message(struct jsonw *w, const char *key, const char *text)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_key(w, "text");
	jsonw_string(w, text ? text : "");
	jsonw_object_end(w);
}

static void physical_location(struct jsonw *w, struct strbuf *sb, const struct lint_pos *pos,
			      const char *srcroot)
{
	bool rel = file_uri(sb, pos->file, srcroot);

	jsonw_key(w, "physicalLocation");
	jsonw_object_begin(w);
	jsonw_key(w, "artifactLocation");
	jsonw_object_begin(w);
	jsonw_key(w, "uri");
	jsonw_stringn(w, sb->buf, sb->len);
	if (rel) {
		jsonw_key(w, "uriBaseId");
		jsonw_string(w, SRCROOT);
	}
	jsonw_object_end(w);
	if (pos->line >= 1) {
		jsonw_key(w, "region");
		jsonw_object_begin(w);
		jsonw_key(w, "startLine");
		jsonw_u64(w, pos->line);
		if (pos->col >= 1) {
			jsonw_key(w, "startColumn");
			jsonw_u64(w, pos->col);
		}
		jsonw_object_end(w);
	}
	jsonw_object_end(w);
}

/* An absolute URI starts with a scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":". */
static bool has_scheme(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':' && p[1] != '\0';
}

static void rules(struct jsonw *w, const struct lint_sarif_options *opt, struct strbuf *sb)
{
	const char *base = opt ? opt->rules_base_uri : NULL;

	jsonw_key(w, "rules");
	jsonw_array_begin(w);
	for (const struct lint_rule_info *r = lint_rules; r->id; r++) {
		jsonw_object_begin(w);
		jsonw_key(w, "id");
		jsonw_string(w, r->id);
		jsonw_key(w, "name");
		jsonw_string(w, r->name);
		text_message(w, "shortDescription", r->title);
		if (base && *base) {
			strbuf_reset(sb);
			strbuf_addstr(sb, base);
			if (sb->len && sb->buf[sb->len - 1] != '/')
				strbuf_addch(sb, '/');
			strbuf_addf(sb, "%s.md", r->id);
			if (has_scheme(base)) {
				jsonw_key(w, "helpUri");
				jsonw_stringn(w, sb->buf, sb->len);
			} else {
				/* helpUri must be absolute: a repository path goes in help. */
				jsonw_key(w, "help");
				jsonw_object_begin(w);
				jsonw_key(w, "text");
				jsonw_stringn(w, sb->buf, sb->len);
				jsonw_object_end(w);
			}
		}
		jsonw_key(w, "defaultConfiguration");
		jsonw_object_begin(w);
		jsonw_key(w, "level");
		jsonw_string(w, "warning");
		jsonw_object_end(w);
		jsonw_key(w, "properties");
		jsonw_object_begin(w);
		jsonw_key(w, "tags");
		jsonw_array_begin(w);
		jsonw_string(w, "concurrency");
		jsonw_string(w, "go");
		jsonw_array_end(w);
		jsonw_object_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

static void driver(struct jsonw *w, const struct lint_sarif_options *opt, struct strbuf *sb)
{
	jsonw_key(w, "tool");
	jsonw_object_begin(w);
	jsonw_key(w, "driver");
	jsonw_object_begin(w);
	jsonw_key(w, "name");
	jsonw_string(w, "chanwatch");
	if (opt && opt->information_uri) {
		jsonw_key(w, "informationUri");
		jsonw_string(w, opt->information_uri);
	}
	if (opt && opt->version) {
		jsonw_key(w, "version");
		jsonw_string(w, opt->version);
	}
	rules(w, opt, sb);
	jsonw_object_end(w);
	jsonw_object_end(w);
}

static void result(struct jsonw *w, const struct lint_finding *f, const char *srcroot,
		   struct strbuf *sb)
{
	const struct lint_rule_info *rule = lint_rule_find(f->rule);
	size_t nrel = f->nrelated < LINT_MAX_RELATED ? f->nrelated : LINT_MAX_RELATED;

	jsonw_object_begin(w);
	jsonw_key(w, "ruleId");
	jsonw_string(w, f->rule ? f->rule : "CW000");
	if (rule) {
		jsonw_key(w, "ruleIndex");
		jsonw_u64(w, (uint64_t)(rule - lint_rules));
	}
	jsonw_key(w, "level");
	jsonw_string(w, "warning");
	text_message(w, "message", f->message);
	jsonw_key(w, "locations");
	jsonw_array_begin(w);
	jsonw_object_begin(w);
	physical_location(w, sb, &f->pos, srcroot);
	jsonw_object_end(w);
	jsonw_array_end(w);
	if (nrel) {
		jsonw_key(w, "relatedLocations");
		jsonw_array_begin(w);
		for (size_t i = 0; i < nrel; i++) {
			jsonw_object_begin(w);
			jsonw_key(w, "id");
			jsonw_u64(w, i + 1);
			physical_location(w, sb, &f->related[i].pos, srcroot);
			text_message(w, "message", f->related[i].message);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
	}
	jsonw_object_end(w);
}

void lint_write_sarif(const struct lint_result *r, FILE *out, const struct lint_sarif_options *opt)
{
	const char *srcroot = opt && opt->srcroot && opt->srcroot[0] == '/' ? opt->srcroot : NULL;
	struct strbuf sb;
	struct jsonw w;

	strbuf_init(&sb, URI_MAX);
	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	jsonw_key(&w, "$schema");
	jsonw_string(&w, "https://json.schemastore.org/sarif-2.1.0.json");
	jsonw_key(&w, "version");
	jsonw_string(&w, "2.1.0");
	jsonw_key(&w, "runs");
	jsonw_array_begin(&w);
	jsonw_object_begin(&w);
	driver(&w, opt, &sb);
	if (srcroot) {
		size_t n = root_len(srcroot);
		char *root = strndup(srcroot, n);

		strbuf_reset(&sb);
		strbuf_addstr(&sb, "file://");
		add_path(&sb, root ? root : "/");
		if (sb.buf[sb.len - 1] != '/')
			strbuf_addch(&sb, '/');
		free(root);
		jsonw_key(&w, "originalUriBaseIds");
		jsonw_object_begin(&w);
		jsonw_key(&w, SRCROOT);
		jsonw_object_begin(&w);
		jsonw_key(&w, "uri");
		jsonw_stringn(&w, sb.buf, sb.len);
		jsonw_object_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_key(&w, "results");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->nfindings; i++)
		result(&w, &r->findings[i], srcroot, &sb);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_finish(&w);
	strbuf_release(&sb);
}
