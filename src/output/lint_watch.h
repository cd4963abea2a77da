// SPDX-License-Identifier: MIT
// The --watch-file: channels annotated //chanwatch:watch, as JSON (docs/watch-file-schema.md).
#ifndef CW_OUTPUT_LINT_WATCH_H
#define CW_OUTPUT_LINT_WATCH_H

#include <stdio.h>

#include "model/lint.h"

/* Writes the "chanwatch.watch/v1" document for r->watches, with a trailing newline. */
void lint_write_watch(const struct lint_result *r, FILE *out);
#endif
