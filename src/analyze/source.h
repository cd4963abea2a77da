// SPDX-License-Identifier: MIT
// Reading a line of Go source named by a stack frame, when the file is on this machine.
#ifndef CW_ANALYZE_SOURCE_H
#define CW_ANALYZE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copies line `line` (1-based) of `path` into buf without its newline.
 * Returns true when the file exists, is a regular file of at most 8 MiB and
 * has that line. Never fails loudly: a missing source is the common case.
 */
bool source_line(const char *path, uint32_t line, char *buf, size_t len);

/* Whether a Go source line is a for-range statement ("for v := range ch {"). */
bool source_is_range(const char *text);
#endif
