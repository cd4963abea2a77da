// SPDX-License-Identifier: MIT
// Goroutines written back as a Go debug=2 dump (runtime.Stack / pprof goroutine?debug=2).
#ifndef CW_OUTPUT_GOROUTINE_TEXT_H
#define CW_OUTPUT_GOROUTINE_TEXT_H

#include <stdio.h>

#include "model/goroutine.h"

/*
 * Writes g as Go's debug=2 dump prints a goroutine, followed by a blank line:
 *
 *   goroutine 18 [chan send, 3 minutes]:
 *   main.worker()
 *   	/src/app/main.go:46 +0x25
 *   created by main.main in goroutine 1
 *   	/src/app/main.go:40 +0x2d
 *
 * so that every tool that reads Go dumps (chanwatch dump among them) reads it. Argument
 * values are not known to every producer: a frame prints "(...)" when inlined, as Go does,
 * and "()" otherwise. A frame without a file (a PC outside every Go function) prints its
 * func field alone.
 *
 * cache may be NULL. Otherwise the text of each stack with a stack_id is kept there the
 * first time and copied for the goroutines that share it: in a live snapshot of 100k
 * goroutines that share a few dozen stacks, formatting the frames was most of this writer.
 */
struct goroutine_text_cache;
void goroutine_text_write(FILE *out, const struct goroutine *g, struct goroutine_text_cache *cache);

/* A cache for the stacks of one producer's goroutines (its stack_ids); NULL when out of
 * memory. Freed by goroutine_text_cache_free() (NULL is fine). */
struct goroutine_text_cache *goroutine_text_cache_new(void);
void goroutine_text_cache_free(struct goroutine_text_cache *cache);
#endif
