// SPDX-License-Identifier: MIT
// Deep equality of two struct profile, for round-trip tests and the pprof fuzz target.
#ifndef CW_TEST_PROFILE_EQ_H
#define CW_TEST_PROFILE_EQ_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model/profile.h"

static inline bool peq_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* NULL and "" are the same string for value types: the proto cannot tell them apart. */
static inline bool peq_vt(const struct profile_value_type *a, const struct profile_value_type *b)
{
	return peq_str(a->type ? a->type : "", b->type ? b->type : "") &&
	       peq_str(a->unit ? a->unit : "", b->unit ? b->unit : "");
}

static inline bool peq_frame(const struct frame *a, const struct frame *b)
{
	return slice_eq(a->func, b->func) && slice_eq(a->file, b->file) && a->line == b->line &&
	       a->pc == b->pc && a->flags == b->flags;
}

static inline bool peq_label(const struct profile_label *a, const struct profile_label *b)
{
	return peq_str(a->key, b->key) && peq_str(a->str, b->str) && a->num == b->num &&
	       peq_str(a->num_unit, b->num_unit);
}

/* Returns NULL when equal, else what differs first. */
static inline const char *profile_diff(const struct profile *a, const struct profile *b)
{
	if (a->nsample_types != b->nsample_types)
		return "nsample_types";
	for (size_t i = 0; i < a->nsample_types; i++)
		if (!peq_vt(&a->sample_types[i], &b->sample_types[i]))
			return "sample_types";
	if ((a->period_type.type || a->period_type.unit || b->period_type.type ||
	     b->period_type.unit) &&
	    !peq_vt(&a->period_type, &b->period_type))
		return "period_type";
	if (a->period != b->period || a->time_nanos != b->time_nanos ||
	    a->duration_nanos != b->duration_nanos)
		return "period/time/duration";
	if (!peq_str(a->default_sample_type, b->default_sample_type))
		return "default_sample_type";
	if (a->ncomments != b->ncomments)
		return "ncomments";
	for (size_t i = 0; i < a->ncomments; i++)
		if (!peq_str(a->comments[i], b->comments[i]))
			return "comments";
	if (a->nsamples != b->nsamples)
		return "nsamples";
	for (size_t i = 0; i < a->nsamples; i++) {
		const struct profile_sample *x = &a->samples[i], *y = &b->samples[i];

		if (x->nframes != y->nframes || x->nlabels != y->nlabels)
			return "sample nframes/nlabels";
		for (size_t k = 0; k < a->nsample_types; k++)
			if (x->values[k] != y->values[k])
				return "sample values";
		for (size_t k = 0; k < x->nframes; k++)
			if (!peq_frame(&x->frames[k], &y->frames[k]))
				return "sample frames";
		for (size_t k = 0; k < x->nlabels; k++)
			if (!peq_label(&x->labels[k], &y->labels[k]))
				return "sample labels";
	}
	return NULL;
}
#endif
