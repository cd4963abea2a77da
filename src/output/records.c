// SPDX-License-Identifier: MIT
// JSON Lines records of goroutines and panics, for `dump --records` and golden tests.
#include <stdio.h>

#include "output/records.h"

#include "lib/banned.h"

static void write_slice(struct jsonw *w, const char *key, struct slice s)
{
	jsonw_key(w, key);
	jsonw_stringn(w, s.ptr, s.len);
}

static void write_frame(struct jsonw *w, const struct frame *f)
{
	jsonw_object_begin(w);
	write_slice(w, "func", f->func);
	write_slice(w, "file", f->file);
	jsonw_key(w, "line");
	jsonw_u64(w, f->line);
	if (f->offset) {
		jsonw_key(w, "offset");
		jsonw_u64(w, f->offset);
	}
	if (f->pc) {
		jsonw_key(w, "pc");
		jsonw_u64(w, f->pc);
	}
	if (f->flags) {
		jsonw_key(w, "flags");
		jsonw_array_begin(w);
		if (f->flags & FRAME_INLINED)
			jsonw_string(w, "inlined");
		if (f->flags & FRAME_NON_GO)
			jsonw_string(w, "non_go");
		if (f->flags & FRAME_UNAVAILABLE)
			jsonw_string(w, "unavailable");
		jsonw_array_end(w);
	}
	jsonw_object_end(w);
}

static const struct {
	unsigned flag;
	const char *name;
} g_flag_names[] = {
    {G_LEAKED, "leaked"}, {G_DURABLE, "durable"},	{G_LOCKED, "locked"},
    {G_SCAN, "scan"},	  {G_CRASH_INFO, "crash_info"}, {G_RUNTIME_HIDDEN, "runtime_hidden"},
};

static void write_ids(struct jsonw *w, const char *key, const uint64_t *ids, uint32_t n)
{
	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (uint32_t i = 0; i < n; i++)
		jsonw_u64(w, ids[i]);
	jsonw_array_end(w);
}

void records_chan_object(struct jsonw *w, const struct chan_info *c, bool waiters)
{
	char addr[24];
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)c->addr);
	jsonw_object_begin(w);
	jsonw_key(w, "addr");
	jsonw_string(w, addr);
	write_slice(w, "elem", c->elem_type);
	jsonw_key(w, "len");
	jsonw_u64(w, c->len);
	jsonw_key(w, "cap");
	jsonw_u64(w, c->cap);
	jsonw_key(w, "closed");
	jsonw_bool(w, c->closed);
	if (waiters) {
		write_ids(w, "senders", c->senders, c->nsenders);
		write_ids(w, "receivers", c->receivers, c->nreceivers);
	} else { /* a goroutine's record names its channel; the queues are listed once */
		jsonw_key(w, "nsenders");
		jsonw_u64(w, c->nsenders);
		jsonw_key(w, "nreceivers");
		jsonw_u64(w, c->nreceivers);
	}
	jsonw_object_end(w);
}

void records_write_goroutine(struct jsonw *w, const struct goroutine *g)
{
	records_goroutine_object(w, g);
	jsonw_finish(w);
}

void records_goroutine_object(struct jsonw *w, const struct goroutine *g)
{
	jsonw_object_begin(w);
	jsonw_key(w, "record");
	jsonw_string(w, "goroutine");
	jsonw_key(w, "input_line");
	jsonw_u64(w, g->input_line);
	jsonw_key(w, "id");
	jsonw_u64(w, g->id);
	jsonw_key(w, "count");
	jsonw_u64(w, g->count);
	jsonw_key(w, "status");
	if (g->flags & G_HAS_STATUS)
		jsonw_stringn(w, g->status.ptr, g->status.len);
	else
		jsonw_null(w);
	jsonw_key(w, "flags");
	jsonw_array_begin(w);
	for (size_t i = 0; i < sizeof(g_flag_names) / sizeof(g_flag_names[0]); i++)
		if (g->flags & g_flag_names[i].flag)
			jsonw_string(w, g_flag_names[i].name);
	jsonw_array_end(w);
	if (g->flags & G_HAS_MINUTES) {
		jsonw_key(w, "wait_minutes");
		jsonw_u64(w, g->wait_minutes);
	}
	if (g->flags & G_SYNCTEST) {
		jsonw_key(w, "synctest_group");
		jsonw_u64(w, g->synctest_group);
	}
	if (g->labels.len)
		write_slice(w, "labels", g->labels);
	jsonw_key(w, "frames");
	jsonw_array_begin(w);
	for (uint32_t i = 0; i < g->nframes; i++)
		write_frame(w, &g->frames[i]);
	jsonw_array_end(w);
	if (g->frames_elided == FRAMES_ELIDED_UNKNOWN) {
		jsonw_key(w, "frames_elided");
		jsonw_string(w, "unknown");
	} else if (g->frames_elided) {
		jsonw_key(w, "frames_elided");
		jsonw_u64(w, g->frames_elided);
	}
	if (g->created_by.func.len) {
		jsonw_key(w, "created_by");
		write_frame(w, &g->created_by);
	}
	if (g->creator_id) {
		jsonw_key(w, "creator_id");
		jsonw_u64(w, g->creator_id);
	}
	if (g->nancestors) {
		jsonw_key(w, "nancestors");
		jsonw_u64(w, g->nancestors);
	}
	if (g->chan) {
		jsonw_key(w, "chan");
		records_chan_object(w, g->chan, false);
	}
	jsonw_object_end(w);
}

const char *records_panic_kind_name(enum panic_kind kind)
{
	switch (kind) {
	case PANIC_SEND_ON_CLOSED:
		return "send_on_closed";
	case PANIC_CLOSE_OF_CLOSED:
		return "close_of_closed";
	case PANIC_CLOSE_OF_NIL:
		return "close_of_nil";
	case PANIC_DEADLOCK:
		return "deadlock";
	case PANIC_TEST_TIMEOUT:
		return "test_timeout";
	case PANIC_FATAL_OTHER:
		return "fatal_other";
	case PANIC_OTHER:
		break;
	}
	return "other";
}

void records_write_panic(struct jsonw *w, const struct panic_report *p)
{
	jsonw_object_begin(w);
	jsonw_key(w, "record");
	jsonw_string(w, "panic");
	jsonw_key(w, "input_line");
	jsonw_u64(w, p->input_line);
	jsonw_key(w, "kind");
	jsonw_string(w, records_panic_kind_name(p->kind));
	write_slice(w, "message", p->message);
	jsonw_object_end(w);
	jsonw_finish(w);
}
