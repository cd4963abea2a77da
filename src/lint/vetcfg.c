// SPDX-License-Identifier: MIT
// Reads go vet's per-package vettool config (cmd/go vetConfig) with the strict JSON reader.
#include "lint/vetcfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/input.h"
#include "lib/jsonr.h"
#include "lib/banned.h"

struct reader {
	const struct jsonr_value *root;
	struct arena *a;
	struct cw_error *err;
};

static int bad_type(struct reader *r, const char *key, const char *want)
{
	cw_error_set(r->err, "field '%s': expected %s", key, want);
	return -EINVAL;
}

/* A string field: NULL when absent or "". */
static int get_string(struct reader *r, const char *key, char **out)
{
	const struct jsonr_value *v = jsonr_get(r->root, key);
	const char *s;

	*out = NULL;
	if (!v || v->type == JSONR_NULL)
		return 0;
	if (v->type != JSONR_STRING)
		return bad_type(r, key, "a string");
	s = jsonr_cstr(v);
	if (!s)
		return bad_type(r, key, "a string without NUL bytes");
	if (*s)
		*out = arena_strndup(r->a, s, v->len);
	return 0;
}

static int get_bool(struct reader *r, const char *key, bool *out)
{
	const struct jsonr_value *v = jsonr_get(r->root, key);

	*out = false;
	if (!v || v->type == JSONR_NULL)
		return 0;
	if (jsonr_bool(v, out))
		return bad_type(r, key, "true or false");
	return 0;
}

/* A []string field (null = empty). */
static int get_strings(struct reader *r, const char *key, char ***out, size_t *n)
{
	const struct jsonr_value *v = jsonr_get(r->root, key), *item;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v || v->type == JSONR_NULL)
		return 0;
	if (v->type != JSONR_ARRAY)
		return bad_type(r, key, "an array of strings");
	*out = arena_alloc(r->a, (jsonr_len(v) + 1) * sizeof(**out));
	jsonr_for_each(v, i, item)
	{
		const char *s = jsonr_cstr(item);
		if (!s)
			return bad_type(r, key, "an array of strings without NUL bytes");
		(*out)[i] = arena_strndup(r->a, s, item->len);
	}
	*n = i;
	return 0;
}

/* A map[string]string field (null = empty), in document order. */
static int get_pairs(struct reader *r, const char *key, struct vet_config_pair **out, size_t *n)
{
	const struct jsonr_value *v = jsonr_get(r->root, key);

	*out = NULL;
	*n = 0;
	if (!v || v->type == JSONR_NULL)
		return 0;
	if (v->type != JSONR_OBJECT)
		return bad_type(r, key, "an object of strings");
	*out = arena_alloc(r->a, (jsonr_len(v) + 1) * sizeof(**out));
	for (size_t i = 0; i < jsonr_len(v); i++) {
		const struct jsonr_member *m = jsonr_member_at(v, i);
		const char *s = jsonr_cstr(m->value);
		if (!s || strlen(m->key) != m->keylen)
			return bad_type(r, key, "an object of strings without NUL bytes");
		(*out)[i].key = arena_strndup(r->a, m->key, m->keylen);
		(*out)[i].value = arena_strndup(r->a, s, m->value->len);
	}
	*n = jsonr_len(v);
	return 0;
}

/* "Standard": map[string]bool; keeps the keys whose value is true. */
static int get_standard(struct reader *r, const char *key, char ***out, size_t *n)
{
	const struct jsonr_value *v = jsonr_get(r->root, key);

	*out = NULL;
	*n = 0;
	if (!v || v->type == JSONR_NULL)
		return 0;
	if (v->type != JSONR_OBJECT)
		return bad_type(r, key, "an object of booleans");
	*out = arena_alloc(r->a, (jsonr_len(v) + 1) * sizeof(**out));
	for (size_t i = 0; i < jsonr_len(v); i++) {
		const struct jsonr_member *m = jsonr_member_at(v, i);
		bool b;
		if (jsonr_bool(m->value, &b) || strlen(m->key) != m->keylen)
			return bad_type(r, key, "an object of booleans");
		if (b)
			(*out)[(*n)++] = arena_strndup(r->a, m->key, m->keylen);
	}
	return 0;
}

static int fill(struct vet_config *cfg, struct reader *r)
{
	int rc = 0;

	rc = rc ? rc : get_string(r, "ID", &cfg->id);
	rc = rc ? rc : get_string(r, "Compiler", &cfg->compiler);
	rc = rc ? rc : get_string(r, "Dir", &cfg->dir);
	rc = rc ? rc : get_string(r, "ImportPath", &cfg->import_path);
	rc = rc ? rc : get_strings(r, "GoFiles", &cfg->go_files, &cfg->ngo_files);
	rc = rc ? rc : get_strings(r, "NonGoFiles", &cfg->non_go_files, &cfg->nnon_go_files);
	rc = rc ? rc : get_strings(r, "IgnoredFiles", &cfg->ignored_files, &cfg->nignored_files);
	rc = rc ? rc : get_string(r, "ModulePath", &cfg->module_path);
	rc = rc ? rc : get_string(r, "ModuleVersion", &cfg->module_version);
	rc = rc ? rc : get_pairs(r, "ImportMap", &cfg->import_map, &cfg->nimport_map);
	rc = rc ? rc : get_pairs(r, "PackageFile", &cfg->package_file, &cfg->npackage_file);
	rc = rc ? rc : get_standard(r, "Standard", &cfg->standard, &cfg->nstandard);
	rc = rc ? rc : get_pairs(r, "PackageVetx", &cfg->package_vetx, &cfg->npackage_vetx);
	rc = rc ? rc : get_bool(r, "VetxOnly", &cfg->vetx_only);
	rc = rc ? rc : get_string(r, "VetxOutput", &cfg->vetx_output);
	rc = rc ? rc : get_string(r, "Stdout", &cfg->stdout_path);
	rc = rc ? rc : get_string(r, "GoVersion", &cfg->go_version);
	rc = rc ? rc : get_string(r, "FixArchive", &cfg->fix_archive);
	rc = rc ? rc : get_bool(r, "SucceedOnTypecheckFailure", &cfg->succeed_on_typecheck_failure);
	return rc;
}

int vet_config_parse(struct vet_config *cfg, const char *buf, size_t len, struct cw_error *err)
{
	struct arena tree = ARENA_INIT;
	struct reader r = {.err = err};
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = jsonr_parse(buf, len, VET_CONFIG_MAX, &tree, &r.root, err);
	if (rc)
		goto cleanup;
	if (r.root->type != JSONR_OBJECT) {
		cw_error_set(err, "the config is not a JSON object");
		rc = -EINVAL;
		goto cleanup;
	}
	r.a = &cfg->arena;
	rc = fill(cfg, &r);
cleanup:
	arena_release(&tree);
	if (rc)
		vet_config_release(cfg);
	return rc;
}

int vet_config_read(struct vet_config *cfg, const char *path, struct cw_error *err)
{
	struct input in;
	unsigned char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	/* cmd/go writes a regular file; anything else (a directory, a FIFO) is not one. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return cw_error_set(err, "not a regular file"), -EINVAL;
	if (input_open(&in, path, NULL, err))
		return -EINVAL;
	rc = input_slurp(&in, VET_CONFIG_MAX, &buf, &len);
	input_close(&in);
	if (rc == -E2BIG)
		return cw_error_set(err, "config is larger than the limit of %u bytes",
				    VET_CONFIG_MAX),
		       rc;
	if (rc)
		return cw_error_set(err, "%s", strerror(-rc)), rc;
	rc = vet_config_parse(cfg, (const char *)buf, len, err);
	free(buf);
	return rc;
}

void vet_config_release(struct vet_config *cfg)
{
	if (!cfg)
		return;
	arena_release(&cfg->arena);
	memset(cfg, 0, sizeof(*cfg));
}

static int digits(const char **p, int *out)
{
	long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > 100000)
			return -EINVAL;
	}
	*out = (int)v;
	*p = s;
	return 0;
}

int vet_go_version_parse(const char *v, int *major, int *minor)
{
	const char *p = v;

	if (!p)
		return -EINVAL;
	if (!strncmp(p, "go", 2))
		p += 2;
	if (digits(&p, major) || *p != '.')
		return -EINVAL;
	p++;
	if (digits(&p, minor))
		return -EINVAL;
	/* What may follow: ".patch", "rc1", "beta2", or nothing. */
	if (*p && *p != '.' && strncmp(p, "rc", 2) && strncmp(p, "beta", 4))
		return -EINVAL;
	return 0;
}
