// SPDX-License-Identifier: MIT
// Bump allocator for data that lives as long as one snapshot or one file.
#ifndef CW_ARENA_H
#define CW_ARENA_H

#include <stddef.h>

struct arena_block;

/* Everything allocated from an arena is freed at once by arena_release(). */
struct arena {
	struct arena_block *head;
	size_t used; /* bytes handed out, for accounting */
};

#define ARENA_INIT                                                                                 \
	{                                                                                          \
		0                                                                                  \
	}

/* Returns zeroed, 16-byte aligned memory; aborts on out-of-memory. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies len bytes and appends a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* Frees all blocks except the first, which is kept for reuse. */
void arena_reset(struct arena *a);
/* Frees all blocks. */
void arena_release(struct arena *a);
#endif
