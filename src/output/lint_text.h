// SPDX-License-Identifier: MIT
// chanwatch lint findings as go vet prints them, plus an optional summary line.
#ifndef CW_OUTPUT_LINT_TEXT_H
#define CW_OUTPUT_LINT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "model/lint.h"

struct lint_text_options {
	bool color;   /* ANSI colour: location bold, rule ID dim; the caller decides (TTY) */
	bool summary; /* write the summary line to summary_out */
};

/*
 * Writes each finding on one line to out, exactly as go vet does:
 * "file:line:col: message (CWnnn)". Related locations are not printed (go vet
 * compatible). Control characters in paths and messages become '?', so one
 * finding is always one line. With opt->summary, writes
 * "chanwatch lint: N findings in F files (P packages), B bytes" to summary_out.
 * opt may be NULL (no colour, no summary).
 */
void lint_write_text(const struct lint_result *r, FILE *out, FILE *summary_out,
		     const struct lint_text_options *opt);

/* Just the summary line (no colour). */
void lint_write_summary(const struct lint_result *r, FILE *out);
#endif
