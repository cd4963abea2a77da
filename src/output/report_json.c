// SPDX-License-Identifier: MIT
// The JSON report of an analysis (schema "chanwatch.dump/v1", docs/json-schema.md).
#include "output/report.h"

#include "analyze/analyze.h"
#include "lib/jsonw.h"
#include "lib/banned.h"

static const char *format_id(enum dump_format f)
{
	switch (f) {
	case DUMP_FORMAT_TEXT:
		return "text";
	case DUMP_FORMAT_DEBUG1:
		return "debug1";
	case DUMP_FORMAT_PROTO:
		return "proto";
	case DUMP_FORMAT_TRACE:
		return "trace";
	case DUMP_FORMAT_LIVE:
		return "live";
	case DUMP_FORMAT_UNKNOWN:
		break;
	}
	return "unknown";
}

static const char *panic_kind_id(enum panic_kind k)
{
	switch (k) {
	case PANIC_SEND_ON_CLOSED:
		return "send-on-closed-channel";
	case PANIC_CLOSE_OF_CLOSED:
		return "close-of-closed-channel";
	case PANIC_CLOSE_OF_NIL:
		return "close-of-nil-channel";
	case PANIC_DEADLOCK:
		return "deadlock";
	case PANIC_TEST_TIMEOUT:
		return "test-timeout";
	case PANIC_FATAL_OTHER:
		return "fatal-error";
	case PANIC_OTHER:
		break;
	}
	return "panic";
}

static void write_site(struct jsonw *w, const char *key, const struct site *s)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_key(w, "func");
	jsonw_string(w, s->func);
	jsonw_key(w, "file");
	jsonw_string(w, s->file);
	jsonw_key(w, "line");
	jsonw_u64(w, s->line);
	jsonw_object_end(w);
}

static void write_group(struct jsonw *w, const struct analysis *an, const struct group *g)
{
	jsonw_object_begin(w);
	if (g->rank) {
		jsonw_key(w, "rank");
		jsonw_u64(w, g->rank);
		jsonw_key(w, "reason");
		jsonw_string(w, suspect_reason_name(g->reason));
	}
	jsonw_key(w, "class");
	jsonw_string(w, block_class_name(g->class));
	jsonw_key(w, "status");
	jsonw_string(w, g->status);
	jsonw_key(w, "count");
	jsonw_u64(w, g->count);
	write_site(w, "site", &g->site);
	jsonw_key(w, "std");
	jsonw_bool(w, g->std_site);
	jsonw_key(w, "leaked");
	jsonw_u64(w, g->leaked);
	jsonw_key(w, "durable");
	jsonw_u64(w, g->durable);
	jsonw_key(w, "locked_to_thread");
	jsonw_u64(w, g->locked);
	jsonw_key(w, "minutes");
	if (g->with_minutes) {
		jsonw_object_begin(w);
		jsonw_key(w, "min");
		jsonw_u64(w, g->min_minutes);
		jsonw_key(w, "max");
		jsonw_u64(w, g->max_minutes);
		jsonw_key(w, "goroutines");
		jsonw_u64(w, g->with_minutes);
		jsonw_object_end(w);
	} else {
		jsonw_null(w);
	}
	if (an->is_diff) {
		jsonw_key(w, "old_count");
		jsonw_u64(w, g->old_count);
		jsonw_key(w, "growth");
		jsonw_i64(w, (int64_t)(g->count - g->old_count));
		jsonw_key(w, "stuck");
		jsonw_u64(w, g->stuck);
	}
	jsonw_key(w, "creators");
	jsonw_array_begin(w);
	for (uint32_t i = 0; i < g->ncreators; i++) {
		const struct creator_count *c = &g->creators[i];
		jsonw_object_begin(w);
		jsonw_key(w, "func");
		jsonw_string(w, c->site.func);
		jsonw_key(w, "file");
		jsonw_string(w, c->site.file);
		jsonw_key(w, "line");
		jsonw_u64(w, c->site.line);
		jsonw_key(w, "count");
		jsonw_u64(w, c->count);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "other_creators");
	jsonw_u64(w, g->other_creators);
	jsonw_key(w, "channels");
	jsonw_array_begin(w);
	for (uint32_t i = 0; i < g->nchans; i++) {
		jsonw_object_begin(w);
		write_site(w, "made_at", &g->chans[i].made_at);
		if (g->chans[i].addr) {
			char addr[24];
			snprintf(addr, sizeof(addr), "0x%llx",
				 (unsigned long long)g->chans[i].addr);
			jsonw_key(w, "addr");
			jsonw_string(w, addr);
			jsonw_key(w, "elem");
			jsonw_string(w, g->chans[i].elem);
			jsonw_key(w, "cap");
			jsonw_u64(w, g->chans[i].cap);
		}
		jsonw_key(w, "count");
		jsonw_u64(w, g->chans[i].count);
		jsonw_key(w, "closed");
		jsonw_u64(w, g->chans[i].closed);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "max_blocked_ns");
	jsonw_u64(w, g->max_blocked_ns);
	jsonw_key(w, "example_ids");
	jsonw_array_begin(w);
	for (uint32_t i = 0; i < g->nexample_ids; i++)
		jsonw_u64(w, g->example_ids[i]);
	jsonw_array_end(w);
	jsonw_key(w, "labels");
	if (g->labels)
		jsonw_string(w, g->labels);
	else
		jsonw_null(w);
	jsonw_key(w, "stack");
	jsonw_array_begin(w);
	for (uint32_t i = 0; i < g->nstack; i++) {
		const struct frame *f = &g->stack[i];
		jsonw_object_begin(w);
		jsonw_key(w, "func");
		jsonw_stringn(w, f->func.ptr, f->func.len);
		jsonw_key(w, "file");
		jsonw_stringn(w, f->file.ptr, f->file.len);
		jsonw_key(w, "line");
		jsonw_u64(w, f->line);
		if (f->flags & FRAME_INLINED) {
			jsonw_key(w, "inlined");
			jsonw_bool(w, true);
		}
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "frames_elided");
	if (g->stack_elided == FRAMES_ELIDED_UNKNOWN)
		jsonw_i64(w, -1);
	else
		jsonw_u64(w, g->stack_elided);
	jsonw_object_end(w);
}

void report_json(FILE *out, const struct analysis *an)
{
	struct jsonw w;

	jsonw_init(&w, out, true);
	report_json_object(&w, an);
	jsonw_finish(&w);
}

void report_json_object(struct jsonw *w, const struct analysis *an)
{
	jsonw_object_begin(w);
	jsonw_key(w, "schema");
	jsonw_string(w, "chanwatch.dump/v1");
	jsonw_key(w, "inputs");
	jsonw_array_begin(w);
	for (size_t i = 0; i < an->ninputs; i++) {
		const struct input_summary *in = &an->inputs[i];
		jsonw_object_begin(w);
		jsonw_key(w, "name");
		jsonw_string(w, in->name);
		jsonw_key(w, "format");
		jsonw_string(w, format_id(in->info.format));
		jsonw_key(w, "profile");
		jsonw_string(w, in->info.profile_name);
		jsonw_key(w, "goroutines");
		jsonw_u64(w, in->info.goroutines);
		jsonw_key(w, "records");
		jsonw_u64(w, in->info.records);
		jsonw_key(w, "bytes");
		jsonw_u64(w, in->info.bytes);
		jsonw_key(w, "truncated");
		jsonw_bool(w, in->info.truncated);
		if (in->info.truncated) {
			jsonw_key(w, "truncated_reason");
			jsonw_string(w, in->info.truncated_why);
		}
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "goroutines");
	jsonw_u64(w, an->goroutines);
	jsonw_key(w, "ignored");
	jsonw_u64(w, an->ignored);
	jsonw_key(w, "classes");
	jsonw_object_begin(w);
	for (int c = 0; c < BLOCK__COUNT; c++) {
		if (!an->class_counts[c])
			continue;
		jsonw_key(w, block_class_name((enum block_class)c));
		jsonw_u64(w, an->class_counts[c]);
	}
	jsonw_object_end(w);
	jsonw_key(w, "min_count");
	jsonw_u64(w, an->min_count);
	jsonw_key(w, "min_minutes");
	jsonw_u64(w, an->min_minutes);
	jsonw_key(w, "minutes_note");
	jsonw_string(w, report_minutes_note);
	jsonw_key(w, "diff");
	if (an->is_diff) {
		jsonw_object_begin(w);
		jsonw_key(w, "interval_seconds");
		jsonw_double(w, an->interval_seconds);
		jsonw_key(w, "matched");
		jsonw_u64(w, an->matched);
		jsonw_key(w, "stuck");
		jsonw_u64(w, an->stuck);
		jsonw_object_end(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "panics");
	jsonw_array_begin(w);
	for (size_t i = 0; i < an->npanics; i++) {
		const struct panic_info *p = &an->panics[i];
		jsonw_object_begin(w);
		jsonw_key(w, "kind");
		jsonw_string(w, panic_kind_id(p->kind));
		jsonw_key(w, "message");
		jsonw_string(w, p->message);
		jsonw_key(w, "goroutine");
		if (p->has_goroutine)
			jsonw_u64(w, p->goroutine_id);
		else
			jsonw_null(w);
		jsonw_key(w, "status");
		jsonw_string(w, p->status);
		write_site(w, "site", &p->site);
		if (p->has_chan) {
			write_site(w, "made_at", &p->made_at);
			write_site(w, "closed_at", &p->closed_at);
		}
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "suspects");
	jsonw_array_begin(w);
	for (size_t i = 0; i < an->nsuspects; i++)
		write_group(w, an, &an->groups[i]);
	jsonw_array_end(w);
	jsonw_key(w, "groups");
	jsonw_array_begin(w);
	for (size_t i = an->nsuspects; i < an->ngroups; i++)
		write_group(w, an, &an->groups[i]);
	jsonw_array_end(w);
	jsonw_key(w, "creators");
	jsonw_array_begin(w);
	for (size_t i = 0; i < an->ncreators; i++) {
		const struct creator_group *c = &an->creators[i];
		if (!c->count)
			continue;
		jsonw_object_begin(w);
		jsonw_key(w, "func");
		jsonw_string(w, c->site.func);
		jsonw_key(w, "file");
		jsonw_string(w, c->site.file);
		jsonw_key(w, "line");
		jsonw_u64(w, c->site.line);
		jsonw_key(w, "count");
		jsonw_u64(w, c->count);
		jsonw_key(w, "blocked");
		jsonw_u64(w, c->blocked);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}
