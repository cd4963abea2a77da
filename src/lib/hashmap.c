// SPDX-License-Identifier: MIT
// Open-addressing hash maps with linear probing.
#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "usage.h"
#include "banned.h"

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p)
		die("out of memory (%zu bytes)", n * size);
	return p;
}

static struct hashmap_entry *find_slot(struct hashmap_entry *slots, size_t cap, const void *key,
				       size_t keylen, uint64_t hash)
{
	size_t i = hash & (cap - 1);
	for (;;) {
		struct hashmap_entry *e = &slots[i];
		if (!e->key)
			return e;
		if (e->hash == hash && e->keylen == keylen && !memcmp(e->key, key, keylen))
			return e;
		i = (i + 1) & (cap - 1);
	}
}

void *hashmap_get(const struct hashmap *m, const void *key, size_t keylen, uint64_t hash)
{
	struct hashmap_entry *e;
	if (!m->cap)
		return NULL;
	e = find_slot(m->slots, m->cap, key, keylen, hash);
	return e->key ? e->value : NULL;
}

static void hashmap_resize(struct hashmap *m, size_t cap)
{
	struct hashmap_entry *slots = xcalloc(cap, sizeof(*slots));
	for (size_t i = 0; i < m->cap; i++) {
		struct hashmap_entry *e = &m->slots[i];
		if (e->key)
			*find_slot(slots, cap, e->key, e->keylen, e->hash) = *e;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

struct hashmap_entry *hashmap_put(struct hashmap *m, const void *key, size_t keylen, uint64_t hash,
				  bool *inserted)
{
	struct hashmap_entry *e;
	static const char nonnull[1];

	if ((m->count + 1) * 4 > m->cap * 3)
		hashmap_resize(m, m->cap ? m->cap * 2 : 16);
	if (!key)
		key = nonnull; /* empty keys still need a non-NULL marker */
	e = find_slot(m->slots, m->cap, key, keylen, hash);
	*inserted = !e->key;
	if (!e->key) {
		e->hash = hash;
		e->key = key;
		e->keylen = keylen;
		e->value = NULL;
		m->count++;
	}
	return e;
}

struct hashmap_entry *hashmap_next(const struct hashmap *m, size_t *pos)
{
	while (*pos < m->cap) {
		struct hashmap_entry *e = &m->slots[(*pos)++];
		if (e->key)
			return e;
	}
	return NULL;
}

void hashmap_release(struct hashmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* splitmix64's finaliser: every key bit reaches every slot bit, so crafted keys that
 * differ only in high bits do not pile into one probe chain. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* A key and its value share a slot: one cache line per lookup in maps far bigger than the cache. */
static size_t u64_slot(const struct u64map_slot *slots, size_t cap, uint64_t key)
{
	size_t i = (size_t)mix64(key) & (cap - 1);
	while (slots[i].key != UINT64_MAX && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return i;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t i;
	if (key == UINT64_MAX) {
		if (m->has_max && val)
			*val = m->max_val;
		return m->has_max;
	}
	if (!m->cap)
		return false;
	i = u64_slot(m->slots, m->cap, key);
	if (m->slots[i].key != key)
		return false;
	if (val)
		*val = m->slots[i].val;
	return true;
}

/*
 * A table of 2 MiB or more lives on huge pages (big_alloc): its lookups land anywhere in it,
 * and in a virtual machine each TLB miss walks two page tables (1M sudogs: the walk of the
 * channel queues took twice as long on 4 KiB pages).
 */
static struct u64map_slot *slots_alloc(size_t cap)
{
	return big_alloc(cap * sizeof(struct u64map_slot));
}

static void u64map_rehash(struct u64map *m, size_t cap)
{
	struct u64map_slot *slots = slots_alloc(cap);
	if (!slots)
		die("out of memory");
	memset(slots, 0xff, cap * sizeof(*slots));
	for (size_t j = 0; j < m->cap; j++)
		if (m->slots[j].key != UINT64_MAX)
			slots[u64_slot(slots, cap, m->slots[j].key)] = m->slots[j];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void u64map_reserve(struct u64map *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;
	while ((n + 1) * 4 > cap * 3)
		cap *= 2;
	if (cap > m->cap)
		u64map_rehash(m, cap);
}

void u64map_set(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i;
	if (key == UINT64_MAX) {
		m->count += !m->has_max;
		m->has_max = true;
		m->max_val = val;
		return;
	}
	if ((m->count + 1) * 4 > m->cap * 3)
		u64map_rehash(m, m->cap ? m->cap * 2 : 64);
	i = u64_slot(m->slots, m->cap, key);
	if (m->slots[i].key != key) {
		m->slots[i].key = key;
		m->count++;
	}
	m->slots[i].val = val;
}

bool u64map_del(struct u64map *m, uint64_t key)
{
	size_t i, j;

	if (key == UINT64_MAX) {
		bool had = m->has_max;
		m->count -= had;
		m->has_max = false;
		return had;
	}
	if (!m->cap)
		return false;
	i = u64_slot(m->slots, m->cap, key);
	if (m->slots[i].key != key)
		return false;
	/* Backward-shift deletion: pull later entries of the probe chain into the hole. */
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key != UINT64_MAX;
	     j = (j + 1) & (m->cap - 1)) {
		size_t home = (size_t)mix64(m->slots[j].key) & (m->cap - 1);
		/* j's entry may move to i unless its home lies cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].key = UINT64_MAX;
	m->count--;
	return true;
}

void u64map_release(struct u64map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
