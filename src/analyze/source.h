// SPDX-License-Identifier: MIT
// Reading a line of Go source named by a stack frame, when the file is on this machine.
#ifndef CW_ANALYZE_SOURCE_H
#define CW_ANALYZE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"

/*
 * Copies line `line` (1-based) of `path` into buf without its newline.
 * Returns true when the file exists, is a regular file of at most 8 MiB and
 * has that line. Never fails loudly: a missing source is the common case.
 */
bool source_line(const char *path, uint32_t line, char *buf, size_t len);

/* Whether a Go source line is a for-range statement ("for v := range ch {"). */
bool source_is_range(const char *text);

/*
 * What channel operation a Go source line blocks in, for records whose
 * runtime frames are hidden (debug=1): "select {}" -> BLOCK_SELECT_NO_CASES,
 * "select {" -> BLOCK_SELECT, "for ... range" -> BLOCK_CHAN_RANGE, "ch <- v"
 * -> BLOCK_CHAN_SEND, "<-ch" -> BLOCK_CHAN_RECEIVE; BLOCK_UNKNOWN otherwise.
 * A heuristic: the line is not parsed as Go.
 */
enum block_class source_classify(const char *text);
#endif
