// SPDX-License-Identifier: MIT
// Bump allocator in growing blocks.
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "usage.h"
#include "banned.h"

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t off;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK_MIN (64 * 1024)

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t aligned = (size + 15) & ~(size_t)15;
	void *p;

	if (aligned < size)
		die("arena allocation too large");
	if (!b || b->size - b->off < aligned) {
		size_t bs = ARENA_BLOCK_MIN;
		if (b && b->size * 2 > bs && b->size < (64u << 20))
			bs = b->size * 2;
		if (bs < aligned)
			bs = aligned;
		b = big_alloc(sizeof(*b) + bs);
		if (!b)
			die("out of memory (%zu bytes)", bs);
		b->size = bs;
		b->off = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->off;
	b->off += aligned;
	a->used += aligned;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head, *keep = NULL;
	while (b) {
		struct arena_block *next = b->next;
		if (!next) {
			keep = b;
			break;
		}
		free(b);
		b = next;
	}
	if (keep)
		keep->off = 0;
	a->head = keep;
	a->used = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}
