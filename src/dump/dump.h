// SPDX-License-Identifier: MIT
// Goroutine-dump and profile readers: every supported input format to the goroutine model.
#ifndef CW_DUMP_H
#define CW_DUMP_H

#include "lib/input.h"
#include "lib/usage.h"
#include "model/goroutine.h"
#include "model/profile.h"

/*
 * Detects the format of `in` (gzip magic -> profile.proto; "goroutine
 * profile: total" / "goroutineleak profile: total" -> debug=1; anything else
 * -> text dump) and streams every goroutine to sink.
 *
 * Returns 0, or -1 with err set to a one-line message that names the line
 * ("line 12: ...") or byte offset ("byte 4096: ...") but not the input (the
 * caller prefixes the input's name). A truncated input is not an error here:
 * info->truncated is set and the caller decides. A sink callback returning
 * negative stops the read and is returned as is (err untouched).
 */
int dump_read(struct input *in, const struct dump_sink *sink, struct dump_info *info,
	      struct cw_error *err);

/* The text reader (debug=2 and crash dumps, and debug=1). Same contract as dump_read. */
int dump_read_text(struct input *in, const struct dump_sink *sink, struct dump_info *info,
		   struct cw_error *err);

/*
 * Decodes a profile.proto, gzipped or not, from memory into p (which the
 * caller has profile_init()ed and later profile_release()s). Returns 0, or -1
 * with err set ("byte N: ...").
 */
int pprof_decode(const unsigned char *data, size_t len, struct profile *p, struct cw_error *err);

/* Reads a whole profile.proto input (size-capped) with pprof_decode. */
int pprof_read(struct input *in, struct profile *p, struct cw_error *err);

/*
 * Streams the samples of a goroutine or goroutineleak profile to sink: one
 * record per sample, count = the sample's value. Fails if p is not such a
 * profile.
 */
int dump_from_goroutine_profile(const struct profile *p, const struct dump_sink *sink,
				struct dump_info *info, struct cw_error *err);
#endif
