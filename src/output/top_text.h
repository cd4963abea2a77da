// SPDX-License-Identifier: MIT
// `chanwatch top`: one frame of the live view of blocked sites, from two analyses.
#ifndef CW_OUTPUT_TOP_TEXT_H
#define CW_OUTPUT_TOP_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/analysis.h"

struct top_frame {
	const char *title;  /* "process 1234 (/srv/app, go1.26.8)" */
	double snapshot_ms; /* how long the read took */
	double interval_s;  /* time since the previous frame; 0 for the first */
	uint64_t channels;  /* channels goroutines wait on */
	unsigned rows;	    /* site rows at most (the terminal's height) */
	unsigned width;	    /* columns (the terminal's width); 0 = unlimited */
	bool color;	    /* ANSI colours (only on a terminal) */
	bool clear;	    /* start by clearing the screen (a terminal) */
};

/*
 * Writes one frame: a header (goroutines, channels, classes), then one row per blocking
 * site, most goroutines first: count, change since prev (NULL for the first frame: no
 * change column values), class, longest wait in minutes when known, and the site, with
 * leak suspects marked "*". Reads the analyses only.
 */
void top_text_frame(FILE *out, const struct analysis *an, const struct analysis *prev,
		    const struct top_frame *f);
#endif
