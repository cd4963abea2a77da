// SPDX-License-Identifier: MIT
// The leak suspects as a goroutine profile, for `go tool pprof`.
#include "output/report.h"

#include <string.h>

#include "analyze/analyze.h"
#include "lib/banned.h"

static const char *dup(struct profile *p, const char *s)
{
	return arena_strndup(&p->arena, s, strlen(s));
}

static void set_label(struct profile *p, struct profile_label *l, const char *key, const char *str)
{
	l->key = dup(p, key);
	l->str = dup(p, str);
}

void report_suspects_profile(const struct analysis *an, struct profile *p)
{
	p->nsample_types = 1;
	p->sample_types = arena_alloc(&p->arena, sizeof(*p->sample_types));
	p->sample_types[0].type = dup(p, "goroutine");
	p->sample_types[0].unit = dup(p, "count");
	p->period_type = p->sample_types[0];
	p->period = 1;
	p->time_nanos = an->ninputs ? an->inputs[an->ninputs - 1].info.time_nanos : 0;
	p->ncomments = 1;
	p->comments = arena_alloc(&p->arena, sizeof(*p->comments));
	p->comments[0] = dup(p, "chanwatch leak suspects: one sample per blocking site");
	p->nsamples = an->nsuspects;
	p->samples = arena_alloc(&p->arena, sizeof(*p->samples) * (an->nsuspects + 1));
	for (size_t i = 0; i < an->nsuspects; i++) {
		const struct group *g = &an->groups[i];
		struct profile_sample *s = &p->samples[i];
		char rank[16];

		s->values = arena_alloc(&p->arena, sizeof(*s->values));
		s->values[0] = g->count > INT64_MAX ? INT64_MAX : (int64_t)g->count;
		s->nframes = g->nstack;
		s->frames = arena_alloc(&p->arena, sizeof(*s->frames) * (g->nstack + 1));
		for (uint32_t j = 0; j < g->nstack; j++) {
			const struct frame *f = &g->stack[j];
			struct frame *d = &s->frames[j];
			*d = *f;
			d->func.ptr = arena_strndup(&p->arena, f->func.ptr, f->func.len);
			d->file.ptr = arena_strndup(&p->arena, f->file.ptr, f->file.len);
		}
		s->nlabels = 3;
		s->labels = arena_alloc(&p->arena, sizeof(*s->labels) * 3);
		snprintf(rank, sizeof(rank), "%u", g->rank);
		set_label(p, &s->labels[0], "class", block_class_name(g->class));
		set_label(p, &s->labels[1], "reason", suspect_reason_name(g->reason));
		set_label(p, &s->labels[2], "rank", rank);
	}
}
