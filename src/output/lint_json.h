// SPDX-License-Identifier: MIT
// chanwatch lint findings as one JSON document (docs/lint-json-schema.md).
#ifndef CW_OUTPUT_LINT_JSON_H
#define CW_OUTPUT_LINT_JSON_H

#include <stdio.h>

#include "model/lint.h"

/* Writes the "chanwatch.lint/v1" document, pretty-printed, with a trailing newline. */
void lint_write_json(const struct lint_result *r, FILE *out);
#endif
