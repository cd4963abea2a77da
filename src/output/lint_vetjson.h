// SPDX-License-Identifier: MIT
// chanwatch lint findings in the JSON that `go vet` (Go 1.26+) reads from a vettool's -json output.
#ifndef CW_OUTPUT_LINT_VETJSON_H
#define CW_OUTPUT_LINT_VETJSON_H

#include <stdio.h>

#include "model/lint.h"

/*
 * Writes unitchecker's JSON tree for one package:
 * {"ID": {"chanwatch": [{"posn": "file:line:col", "end": ..., "message": "... (CWnnn)",
 * "related": [{"posn", "end", "message"}]}]}}, or {} when there are no findings.
 * id is the vet config's ID. go vet prints each diagnostic as
 * "file:line:col: message" on stderr (related ones as "file:line:col: \tmessage") and
 * exits 1; the tool itself exits 0. Write it to the config's Stdout file.
 */
void lint_write_vetjson(const struct lint_result *r, const char *id, FILE *out);
#endif
