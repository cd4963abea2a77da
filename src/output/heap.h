// SPDX-License-Identifier: MIT
// Writers for channel allocation sites found in heap profiles (chanwatch heap).
#ifndef CW_OUTPUT_HEAP_H
#define CW_OUTPUT_HEAP_H

#include <stdio.h>

#include "model/heapchan.h"

/* An aligned table, one site a line, a summary line first. */
void heap_write_text(const struct heapchan_result *res, FILE *out);

/* One JSON document, schema in docs/heap-json-schema.md ("chanwatch.heap/v1"). */
void heap_write_json(const struct heapchan_result *res, FILE *out);
#endif
