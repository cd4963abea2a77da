// SPDX-License-Identifier: MIT
// Open-addressing hash maps: byte-string keys to pointers, and u64 keys to u64 values.
#ifndef CW_HASHMAP_H
#define CW_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 64-bit hash of len bytes (FNV-1a with a final avalanche); seed chains hashes. */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);
#define HASH_SEED 0xcbf29ce484222325ull

/*
 * Map from byte-string keys to values. The map does not own keys or values:
 * the caller keeps key bytes alive as long as the entry (an arena is typical).
 */
struct hashmap_entry {
	uint64_t hash;
	const void *key;
	size_t keylen;
	void *value;
};

struct hashmap {
	struct hashmap_entry *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
};

#define HASHMAP_INIT                                                                               \
	{                                                                                          \
		0                                                                                  \
	}

/* Returns the entry's value, or NULL. */
void *hashmap_get(const struct hashmap *m, const void *key, size_t keylen, uint64_t hash);
/*
 * Returns the slot for key, inserting it with value NULL when absent
 * (*inserted tells which). The pointer is valid until the next insertion.
 */
struct hashmap_entry *hashmap_put(struct hashmap *m, const void *key, size_t keylen, uint64_t hash,
				  bool *inserted);
void hashmap_release(struct hashmap *m);
/* Iterates: pass *pos = 0 first; returns NULL at the end. */
struct hashmap_entry *hashmap_next(const struct hashmap *m, size_t *pos);

/* Map from u64 keys (any value) to u64 values. */
struct u64map_slot {
	uint64_t key; /* UINT64_MAX marks an empty slot; that key lives in u64map.max_val */
	uint64_t val;
};

struct u64map {
	struct u64map_slot *slots;
	size_t cap;
	size_t count;
	bool has_max;
	uint64_t max_val;
};

#define U64MAP_INIT                                                                                \
	{                                                                                          \
		0                                                                                  \
	}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);
void u64map_set(struct u64map *m, uint64_t key, uint64_t val);
/* Makes room for n keys in all, so that inserting up to n rehashes nothing. */
void u64map_reserve(struct u64map *m, size_t n);
/* Removes key; returns whether it was there. */
bool u64map_del(struct u64map *m, uint64_t key);
void u64map_release(struct u64map *m);
#endif
