// SPDX-License-Identifier: MIT
// libFuzzer target for the strict JSON reader and the go vet config on top of it: every node
// visited.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonr.h"
#include "lint/vetcfg.h"

#include "lib/banned.h"

static volatile uint64_t fuzz_sum;

static void visit(const struct jsonr_value *v, const struct jsonr_value *root, int depth)
{
	if (!v || depth > JSONR_MAX_DEPTH)
		abort();
	switch (v->type) {
	case JSONR_NULL:
	case JSONR_BOOL:
		fuzz_sum += v->boolean;
		break;
	case JSONR_NUMBER:
	case JSONR_STRING:
		if (!v->str || v->str[v->len] != '\0')
			abort();
		fuzz_sum += v->len + (v->len ? (unsigned char)v->str[v->len - 1] : 0);
		if (v->type == JSONR_NUMBER) {
			int64_t n;
			if (jsonr_int64(v, &n) == 0)
				fuzz_sum += (uint64_t)n;
		}
		break;
	case JSONR_ARRAY:
		for (size_t i = 0; i < jsonr_len(v); i++)
			visit(jsonr_at(v, i), root, depth + 1);
		if (jsonr_at(v, jsonr_len(v)))
			abort();
		break;
	case JSONR_OBJECT:
		for (size_t i = 0; i < jsonr_len(v); i++) {
			const struct jsonr_member *m = jsonr_member_at(v, i);
			if (m->key[m->keylen] != '\0')
				abort();
			/* Keys are unique: a lookup finds this very member. */
			if (strlen(m->key) == m->keylen && jsonr_get(v, m->key) != m->value)
				abort();
			visit(m->value, root, depth + 1);
		}
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	const struct jsonr_value *v = NULL;
	struct cw_error err = {""};
	struct vet_config cfg;
	int rc;

	rc = jsonr_parse((const char *)data, size, 0, &a, &v, &err);
	if (rc == 0)
		visit(v, v, 0);
	else if (!v && strncmp(err.msg, "offset ", 7))
		abort(); /* every error names its offset */
	arena_release(&a);

	err.msg[0] = '\0';
	rc = vet_config_parse(&cfg, (const char *)data, size, &err);
	if (rc == 0) {
		for (size_t i = 0; i < cfg.ngo_files; i++)
			fuzz_sum += strlen(cfg.go_files[i]);
		for (size_t i = 0; i < cfg.nimport_map; i++)
			fuzz_sum += strlen(cfg.import_map[i].key) + strlen(cfg.import_map[i].value);
		fuzz_sum += cfg.vetx_only + (cfg.go_version ? strlen(cfg.go_version) : 0);
		vet_config_release(&cfg);
	} else if (!err.msg[0]) {
		abort();
	}
	return 0;
}
