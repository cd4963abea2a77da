// SPDX-License-Identifier: MIT
// chanwatch lint's driver: packages parsed and analysed in parallel, findings gathered,
// //chanwatch: directives applied, results sorted.
#define _GNU_SOURCE
#include "lint/lint.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/grow.h"
#include "lib/input.h"
#include "lint/internal.h"
#include "lib/banned.h"

#define MAX_FILE_BYTES (64u << 20) /* a Go source file larger than this is refused */

static pthread_once_t syntax_once = PTHREAD_ONCE_INIT;
static int syntax_status;

static void syntax_init_once(void)
{
	syntax_status = go_syntax_init();
}

struct lint_finding *finding_add(struct package_ctx *p, const char *rule, const char *file,
				 uint32_t row, uint32_t col, const char *fmt, ...)
{
	struct finding_sink *out = p->out;
	struct lint_finding *f;
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out->v = grow_array(out->v, &out->alloc, out->n + 1, sizeof(*out->v));
	f = &out->v[out->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->pos.file = file;
	f->pos.line = row + 1;
	f->pos.col = col + 1;
	f->message = arena_strndup(out->arena, buf, strlen(buf));
	return f;
}

void finding_relate(struct package_ctx *p, struct lint_finding *f, const char *file, uint32_t row,
		    uint32_t col, const char *msg)
{
	struct lint_related *r;
	if (f->nrelated >= LINT_MAX_RELATED)
		return;
	r = &f->related[f->nrelated++];
	r->pos.file = file;
	r->pos.line = row + 1;
	r->pos.col = col + 1;
	r->message = msg;
}

/* ---- directives ------------------------------------------------------------------ */

struct ignore {
	uint32_t row, col;
	char rule[8];
	bool known, has_reason, used;
};

/* Go's time.ParseDuration, for the units a timeout needs; -1 when malformed. */
static int parse_go_duration(const char *s, size_t len, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = {{"ns", 1},	 {"us", 1e3}, {"µs", 1e3},  {"ms", 1e6},
		     {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
	double total = 0;
	size_t i = 0;
	if (!len)
		return -1;
	while (i < len) {
		double v = 0, frac = 0.1;
		bool digits = false, matched = false;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (s[i++] - '0');
			digits = true;
		}
		if (i < len && s[i] == '.') {
			i++;
			while (i < len && s[i] >= '0' && s[i] <= '9') {
				v += (s[i++] - '0') * frac;
				frac /= 10;
				digits = true;
			}
		}
		if (!digits)
			return -1;
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]) && !matched; u++) {
			size_t ul = strlen(units[u].unit);
			/* "m" must not eat the "m" of "ms" */
			if (i + ul <= len && !memcmp(s + i, units[u].unit, ul) &&
			    !(ul == 1 && units[u].unit[0] == 'm' && i + 1 < len &&
			      s[i + 1] == 's')) {
				total += v * units[u].scale;
				i += ul;
				matched = true;
			}
		}
		if (!matched)
			return -1;
	}
	if (total > 1e19)
		return -1;
	*ns = (uint64_t)total;
	return 0;
}

static bool is_comment_at(const struct src_file *f, uint32_t off)
{
	TSNode root = ts_tree_root_node(f->tree);
	TSNode n = ts_node_descendant_for_byte_range(root, off, off + 2);
	return !ts_node_is_null(n) && ts_node_symbol(n) == G.comment &&
	       ts_node_start_byte(n) == off;
}

/* The make(chan ...) call on the line [line, end), or a null node. */
static TSNode make_on_line(const struct src_file *f, uint32_t line, uint32_t end)
{
	TSNode root = ts_tree_root_node(f->tree), none = {0};
	for (uint32_t off = line; off + 5 <= end; off++) {
		TSNode id, call, args;
		if (memcmp(f->src + off, "make", 4))
			continue;
		id = ts_node_descendant_for_byte_range(root, off, off + 4);
		if (ts_node_is_null(id) || ts_node_symbol(id) != G.identifier)
			continue;
		call = ts_node_parent(id);
		if (ts_node_is_null(call) || ts_node_symbol(call) != G.call_expression)
			continue;
		args = ts_field(call, G.f_arguments);
		if (!ts_node_is_null(args) && ts_node_symbol(ts_named(args, 0)) == G.channel_type)
			return call;
	}
	return none;
}

struct directive_ctx {
	struct package_ctx *p;
	struct lint_watch **watches;
	size_t *nwatches, *watches_alloc;
};

static void add_watch(struct directive_ctx *d, const struct src_file *f, TSNode call,
		      const char *label, size_t label_len, const char *timeout, size_t timeout_len,
		      uint64_t timeout_ns)
{
	struct arena *a = d->p->out->arena; /* outlives the package */
	struct lint_watch *wt;
	TSNode args = ts_field(call, G.f_arguments);
	TSNode ct = ts_named(args, 0), cap = ts_named(args, 1);
	TSNode elem = ts_field(ct, G.f_value);
	TSPoint pt = ts_node_start_point(call);
	uint32_t len;
	const char *t;

	*d->watches =
	    grow_array(*d->watches, d->watches_alloc, *d->nwatches + 1, sizeof(**d->watches));
	wt = &(*d->watches)[(*d->nwatches)++];
	memset(wt, 0, sizeof(*wt));
	wt->pos.file = f->path;
	wt->pos.line = pt.row + 1;
	wt->pos.col = pt.column + 1;
	wt->label = arena_strndup(a, label, label_len);
	if (timeout) {
		wt->timeout = arena_strndup(a, timeout, timeout_len);
		wt->timeout_ns = timeout_ns;
	}
	t = node_text(f, ts_node_is_null(elem) ? ct : elem, &len);
	wt->element_type = arena_strndup(a, t, len);
	if (!ts_node_is_null(cap)) {
		t = node_text(f, cap, &len);
		wt->capacity_expr = arena_strndup(a, t, len);
	}
}

static void watch_directive(struct directive_ctx *d, const struct src_file *f, uint32_t off,
			    const char *args, size_t len, uint32_t row, uint32_t col)
{
	uint32_t line = off, end = off;
	const char *label = NULL, *timeout = NULL;
	size_t label_len = 0, timeout_len = 0, i = 0;
	uint64_t ns = 0;
	TSNode call;

	while (line > 0 && f->src[line - 1] != '\n')
		line--;
	while (end < f->len && f->src[end] != '\n')
		end++;
	while (i < len) {
		size_t start, klen;
		while (i < len && (args[i] == ' ' || args[i] == '\t'))
			i++;
		start = i;
		while (i < len && args[i] != ' ' && args[i] != '\t')
			i++;
		klen = i - start;
		if (klen > 6 && !memcmp(args + start, "label=", 6)) {
			label = args + start + 6;
			label_len = klen - 6;
		} else if (klen > 8 && !memcmp(args + start, "timeout=", 8)) {
			timeout = args + start + 8;
			timeout_len = klen - 8;
		} else if (klen) {
			finding_add(d->p, "CW100", f->path, row, col,
				    "watch directive: unknown argument '%.*s' (label=NAME "
				    "timeout=DURATION)",
				    (int)klen, args + start);
			return;
		}
	}
	if (!label) {
		finding_add(d->p, "CW100", f->path, row, col, "watch directive needs label=NAME");
		return;
	}
	if (timeout && parse_go_duration(timeout, timeout_len, &ns)) {
		finding_add(
		    d->p, "CW100", f->path, row, col,
		    "watch directive: timeout '%.*s' is not a duration such as 500ms or 30s",
		    (int)timeout_len, timeout);
		return;
	}
	call = make_on_line(f, line, off);
	if (ts_node_is_null(call)) {
		finding_add(d->p, "CW100", f->path, row, col,
			    "watch directive is not on a make(chan) line");
		return;
	}
	add_watch(d, f, call, label, label_len, timeout, timeout_len, ns);
}

/*
 * Applies the file's //chanwatch: directives: ignores drop findings [first, n) on their
 * line or the next; watches are collected. Malformed or unused directives are CW100.
 */
static void apply_directives(struct directive_ctx *d, const struct src_file *f, size_t first)
{
	static const char tag[] = "//chanwatch:";
	struct finding_sink *out = d->p->out;
	struct ignore *ign = NULL;
	size_t nign = 0, ign_alloc = 0, kept;
	const char *p = f->src, *end = f->src + f->len;

	while ((p = memmem(p, (size_t)(end - p), tag, sizeof(tag) - 1))) {
		uint32_t off = (uint32_t)(p - f->src), row = 0, col, line = off;
		const char *text = p + sizeof(tag) - 1, *eol = text, *cut;
		size_t len;
		p = text;
		if (!is_comment_at(f, off))
			continue;
		while (eol < end && *eol != '\n')
			eol++;
		cut = memmem(text, (size_t)(eol - text), " //", 3);
		if (cut)
			eol = cut;
		while (eol > text && (eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
			eol--;
		len = (size_t)(eol - text);
		while (line > 0 && f->src[line - 1] != '\n')
			line--;
		col = off - line;
		for (const char *q = f->src; q < f->src + off; q++) {
			q = memchr(q, '\n', (size_t)(f->src + off - q));
			if (!q)
				break;
			row++;
		}
		if (len >= 6 && !memcmp(text, "ignore", 6) && (len == 6 || text[6] == ' ')) {
			struct ignore *g;
			size_t i = 6, rs;
			ign = grow_array(ign, &ign_alloc, nign + 1, sizeof(*ign));
			g = &ign[nign++];
			memset(g, 0, sizeof(*g));
			g->row = row;
			g->col = col;
			while (i < len && text[i] == ' ')
				i++;
			rs = i;
			while (i < len && text[i] != ' ')
				i++;
			if (i - rs < sizeof(g->rule)) {
				memcpy(g->rule, text + rs, i - rs);
				g->known = lint_rule_find(g->rule) != NULL;
			}
			while (i < len && text[i] == ' ')
				i++;
			g->has_reason = i < len;
		} else if (len >= 5 && !memcmp(text, "watch", 5) && (len == 5 || text[5] == ' ')) {
			watch_directive(d, f, off, text + 5, len - 5, row, col);
		} else {
			finding_add(d->p, "CW100", f->path, row, col,
				    "unknown chanwatch directive '%.*s' (ignore or watch)",
				    (int)(len > 40 ? 40 : len), text);
		}
	}
	/* Drop the findings a well-formed ignore covers. */
	kept = first;
	for (size_t i = first; i < out->n; i++) {
		struct lint_finding *fd = &out->v[i];
		bool drop = false;
		for (size_t k = 0; k < nign && !drop; k++) {
			struct ignore *g = &ign[k];
			if (!g->known || !g->has_reason || strcmp(g->rule, fd->rule) ||
			    fd->pos.file != f->path)
				continue;
			if (fd->pos.line == g->row + 1 || fd->pos.line == g->row + 2) {
				g->used = true;
				drop = true;
			}
		}
		if (!drop)
			out->v[kept++] = *fd;
	}
	out->n = kept;
	for (size_t k = 0; k < nign; k++) {
		struct ignore *g = &ign[k];
		if (!g->known)
			finding_add(d->p, "CW100", f->path, g->row, g->col,
				    "ignore directive names unknown rule '%s'",
				    g->rule[0] ? g->rule : "(none)");
		else if (!g->has_reason)
			finding_add(d->p, "CW100", f->path, g->row, g->col,
				    "ignore directive for %s needs a reason", g->rule);
		else if (!g->used)
			finding_add(d->p, "CW100", f->path, g->row, g->col,
				    "unused ignore directive for %s: nothing to suppress here",
				    g->rule);
	}
	free(ign);
}

/* ---- one package ----------------------------------------------------------------- */

struct worker_out {
	struct finding_sink sink;
	struct lint_watch *watches;
	size_t nwatches, watches_alloc;
	struct arena arena;
	size_t files, parse_errors;
	uint64_t bytes;
	int error;
	char errmsg[512];
};

/* The whole file at path, through the one input layer every producer reads with. */
static int read_source(const char *path, char **buf, size_t *len, char *errmsg, size_t errlen)
{
	struct input in;
	struct cw_error err = {""};
	unsigned char *data;
	int rc;

	if (input_open(&in, path, NULL, &err)) {
		snprintf(errmsg, errlen, "cannot read '%s': %s", path, err.msg);
		return -1;
	}
	rc = input_slurp(&in, MAX_FILE_BYTES, &data, len);
	input_close(&in);
	if (rc == -E2BIG)
		snprintf(errmsg, errlen, "'%s' is larger than %u MiB", path, MAX_FILE_BYTES >> 20);
	else if (rc)
		snprintf(errmsg, errlen, "cannot read '%s': %s", path, strerror(-rc));
	if (rc)
		return -1;
	*buf = (char *)data;
	return 0;
}

/* Whether any function from funcs[first] on does something the tree is needed for later
 * (channel operations, channel variables, timers). Big generated files seldom do. */
static bool funcs_need_tree(const struct package_ctx *p, size_t first)
{
	for (size_t i = first; i < p->nfuncs; i++) {
		const struct func *fn = &p->funcs[i];
		for (size_t k = 0; k < fn->nops; k++)
			if (fn->ops[k].kind != OP_ESCAPE && fn->ops[k].kind != OP_ASSIGN &&
			    fn->ops[k].kind != OP_CALLARG && fn->ops[k].kind != OP_RETURN)
				return true;
		for (size_t k = 0; k < fn->nsyms; k++)
			if (fn->syms[k].made || fn->syms[k].chan_decl || fn->syms[k].ticker)
				return true;
	}
	return false;
}

static void lint_package_run(const struct lint_package *pkg, TSParser *parser,
			     struct worker_out *wo)
{
	struct package_ctx p = {0};
	struct src_file *files = calloc(pkg->nfiles ? pkg->nfiles : 1, sizeof(*files));
	struct directive_ctx d = {&p, &wo->watches, &wo->nwatches, &wo->watches_alloc};
	size_t pkg_start = wo->sink.n;
	struct arena pkg_arena = ARENA_INIT;

	if (!files) {
		wo->error = -1;
		snprintf(wo->errmsg, sizeof(wo->errmsg), "out of memory");
		goto cleanup;
	}
	p.files = files;
	p.arena = &pkg_arena; /* field facts and names: this package only */
	p.out = &wo->sink;
	p.go_minor = lint_go_minor(pkg->go_version);
	for (size_t i = 0; i < pkg->nfiles; i++) {
		char *buf;
		size_t len;
		if (pkg->mem_src) {
			len = pkg->mem_len[i];
			buf = malloc(len + 1);
			if (!buf) {
				wo->error = -1;
				snprintf(wo->errmsg, sizeof(wo->errmsg), "out of memory");
				goto cleanup;
			}
			memcpy(buf, pkg->mem_src[i], len);
			buf[len] = '\0';
		} else if (read_source(pkg->files[i], &buf, &len, wo->errmsg, sizeof(wo->errmsg))) {
			wo->error = -1;
			goto cleanup;
		}
		if (len > UINT32_MAX - 16) {
			free(buf);
			continue;
		}
		files[p.nfiles].path =
		    arena_strndup(&wo->arena, pkg->files[i], strlen(pkg->files[i]));
		files[p.nfiles].src = buf;
		files[p.nfiles].len = (uint32_t)len;
		files[p.nfiles].tree = ts_parser_parse_string(parser, NULL, buf, (uint32_t)len);
		if (!files[p.nfiles].tree) {
			free(buf);
			continue;
		}
		wo->files++;
		wo->bytes += len;
		if (ts_node_has_error(ts_tree_root_node(files[p.nfiles].tree)))
			wo->parse_errors++;
		/* Facts now, and the tree goes at once when nothing later needs it: a package's
		 * trees together can be hundreds of MB (cmd/compile/internal/ssa). */
		{
			size_t first = p.nfuncs;
			facts_collect_file(&p, &files[p.nfiles]);
			if (!funcs_need_tree(&p, first) && !memmem(buf, len, "//chanwatch:", 12)) {
				for (size_t k = first; k < p.nfuncs; k++)
					func_release(&p.funcs[k]);
				p.nfuncs = first;
				ts_tree_delete(files[p.nfiles].tree);
				files[p.nfiles].tree = NULL;
			}
		}
		p.nfiles++;
	}
	for (size_t i = 0; i < p.nfuncs; i++) {
		struct func *fn = &p.funcs[i];
		bool inserted;
		if (fn->name && fn->nparams >= 0) {
			struct hashmap_entry *e =
			    hashmap_put(&p.fnames, fn->name, fn->name_len,
					hash_bytes(fn->name, fn->name_len, HASH_SEED), &inserted);
			e->value =
			    inserted ? fn : NULL; /* two with one name (build tags): neither */
		}
	}
	rules_run(&p);
	/* Each file's directives see only that file's findings, all from pkg_start on. */
	for (size_t i = 0; i < p.nfiles; i++)
		apply_directives(&d, &files[i], pkg_start);
cleanup:
	for (size_t i = 0; i < p.nfuncs; i++)
		func_release(&p.funcs[i]);
	free(p.funcs);
	hashmap_release(&p.fields);
	hashmap_release(&p.fnames);
	arena_release(&pkg_arena);
	for (size_t i = 0; files && i < p.nfiles; i++) {
		if (files[i].tree)
			ts_tree_delete(files[i].tree);
		free((char *)files[i].src);
	}
	free(files);
}

/* ---- parallel driver --------------------------------------------------------------- */

struct pool {
	const struct lint_package_list *pkgs;
	const struct lint_options *o;
	atomic_size_t next, done;
	struct worker_out *outs;
};

struct worker_arg {
	struct pool *pool;
	size_t index;
};

static void *worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct pool *pool = wa->pool;
	struct worker_out *wo = &pool->outs[wa->index];
	TSParser *parser = ts_parser_new();

	if (!parser || !ts_parser_set_language(parser, tree_sitter_go())) {
		wo->error = -1;
		snprintf(wo->errmsg, sizeof(wo->errmsg),
			 "the tree-sitter library cannot load the Go grammar");
		if (parser)
			ts_parser_delete(parser);
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&pool->next, 1);
		if (i >= pool->pkgs->n || wo->error)
			break;
		lint_package_run(&pool->pkgs->pkgs[i], parser, wo);
		atomic_fetch_add(&pool->done, 1);
	}
	ts_parser_delete(parser);
	return NULL;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct lint_finding *x = a, *y = b;
	int c = strcmp(x->pos.file, y->pos.file);
	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	c = strcmp(x->rule, y->rule);
	return c ? c : strcmp(x->message, y->message);
}

static int cmp_watch(const void *a, const void *b)
{
	const struct lint_watch *x = a, *y = b;
	int c = strcmp(x->pos.file, y->pos.file);
	if (c)
		return c;
	return x->pos.line != y->pos.line
		   ? (x->pos.line < y->pos.line ? -1 : 1)
		   : (x->pos.col < y->pos.col ? -1 : x->pos.col > y->pos.col);
}

static const char *copy_str(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

int lint_run(const struct lint_package_list *pkgs, const struct lint_options *o,
	     struct lint_result *out, struct cw_error *err)
{
	struct pool pool = {.pkgs = pkgs, .o = o};
	struct worker_arg *args;
	pthread_t *threads;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = o && o->jobs > 0 ? (size_t)o->jobs : (online > 0 ? (size_t)online : 1);
	size_t total = 0, totalw = 0, started = 0;
	int ret = 0;

	pthread_once(&syntax_once, syntax_init_once);
	if (syntax_status)
		return cw_error_set(err, "the Go grammar lacks node types chanwatch needs"), -1;
	if (nthreads > pkgs->n)
		nthreads = pkgs->n ? pkgs->n : 1;
	if (nthreads > 256)
		nthreads = 256;
	pool.outs = calloc(nthreads, sizeof(*pool.outs));
	args = calloc(nthreads, sizeof(*args));
	threads = calloc(nthreads, sizeof(*threads));
	if (!pool.outs || !args || !threads) {
		ret = cw_error_set(err, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < nthreads; i++) {
		pool.outs[i].sink.arena = &pool.outs[i].arena;
		args[i].pool = &pool;
		args[i].index = i;
	}
	if (nthreads == 1) {
		worker_main(&args[0]);
	} else {
		for (size_t i = 0; i < nthreads; i++) {
			if (pthread_create(&threads[i], NULL, worker_main, &args[i]))
				break;
			started++;
		}
		if (!started)
			worker_main(&args[0]);
		for (size_t i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
	}
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nthreads; i++) {
		struct worker_out *wo = &pool.outs[i];
		if (wo->error && !ret)
			ret = cw_error_set(err, "%s", wo->errmsg);
		total += wo->sink.n;
		totalw += wo->nwatches;
		out->files += wo->files;
		out->bytes += wo->bytes;
		out->parse_errors += wo->parse_errors;
	}
	out->packages = pkgs->n;
	if (ret)
		goto cleanup;
	out->findings = calloc(total ? total : 1, sizeof(*out->findings));
	out->watches = calloc(totalw ? totalw : 1, sizeof(*out->watches));
	if (!out->findings || !out->watches) {
		ret = cw_error_set(err, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < nthreads; i++) {
		struct worker_out *wo = &pool.outs[i];
		for (size_t k = 0; k < wo->sink.n; k++) {
			struct lint_finding f = wo->sink.v[k];
			f.pos.file = copy_str(&out->arena, f.pos.file);
			f.message = copy_str(&out->arena, f.message);
			for (size_t r = 0; r < f.nrelated; r++) {
				f.related[r].pos.file =
				    copy_str(&out->arena, f.related[r].pos.file);
				f.related[r].message = copy_str(&out->arena, f.related[r].message);
			}
			f.rule = lint_rule_find(f.rule) ? lint_rule_find(f.rule)->id : f.rule;
			out->findings[out->nfindings++] = f;
		}
		for (size_t k = 0; k < wo->nwatches; k++) {
			struct lint_watch wt = wo->watches[k];
			wt.pos.file = copy_str(&out->arena, wt.pos.file);
			wt.label = copy_str(&out->arena, wt.label);
			wt.timeout = copy_str(&out->arena, wt.timeout);
			wt.element_type = copy_str(&out->arena, wt.element_type);
			wt.capacity_expr = copy_str(&out->arena, wt.capacity_expr);
			out->watches[out->nwatches++] = wt;
		}
	}
	qsort(out->findings, out->nfindings, sizeof(*out->findings), cmp_finding);
	/* The same finding twice (two rules' walks reaching one close): once. */
	if (out->nfindings) {
		size_t k = 1;
		for (size_t i = 1; i < out->nfindings; i++)
			if (cmp_finding(&out->findings[i], &out->findings[k - 1]))
				out->findings[k++] = out->findings[i];
		out->nfindings = k;
	}
	qsort(out->watches, out->nwatches, sizeof(*out->watches), cmp_watch);
cleanup:
	for (size_t i = 0; pool.outs && i < nthreads; i++) {
		free(pool.outs[i].sink.v);
		free(pool.outs[i].watches);
		arena_release(&pool.outs[i].arena);
	}
	free(pool.outs);
	free(args);
	free(threads);
	return ret;
}
