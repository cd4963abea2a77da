// SPDX-License-Identifier: MIT
// Writers of an analysis: aligned human text, JSON, and the suspects as a pprof profile.
#ifndef CW_OUTPUT_REPORT_H
#define CW_OUTPUT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/strbuf.h"
#include "model/analysis.h"
#include "model/profile.h"

struct report_options {
	bool color;	     /* ANSI colours (the caller decides: only on a TTY) */
	size_t max_others;   /* non-suspect sites listed (0 = default 10) */
	size_t max_stack;    /* frames shown per suspect (0 = default 12) */
	size_t max_suspects; /* suspects shown in full (0 = all) */
};

/* The note every output carries when wait minutes are shown. */
extern const char report_minutes_note[];

/* Human report: panics, suspects with their sites and creators, other sites, classes. */
void report_text(FILE *out, const struct analysis *an, const struct report_options *opt);

/* Machine report; the schema is docs/json-schema.md ("chanwatch.dump/v1"). */
void report_json(FILE *out, const struct analysis *an);
/* The same document as a value of w (any depth): for writers that embed the analysis. */
struct jsonw;
void report_json_object(struct jsonw *w, const struct analysis *an);

/*
 * The suspects as a goroutine profile (sample type goroutine/count, one
 * sample per suspect with its representative stack and count, labels for
 * class, reason and rank). Strings live in p's arena; p is profile_init()ed
 * by the caller.
 */
void report_suspects_profile(const struct analysis *an, struct profile *p);
#endif
