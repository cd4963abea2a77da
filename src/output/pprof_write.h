// SPDX-License-Identifier: MIT
// profile.proto writer: struct profile to the gzipped protobuf go tool pprof reads.
#ifndef CW_OUTPUT_PPROF_WRITE_H
#define CW_OUTPUT_PPROF_WRITE_H

#include "lib/strbuf.h"
#include "model/profile.h"

/*
 * Appends p as a gzipped profile.proto to out. The string table is
 * deduplicated (index 0 is ""), functions by (name, file), and locations by
 * their run of frames: a run of FRAME_INLINED frames and the frame after it
 * become one Location with one Line per frame (inlined callee first), its
 * address the caller frame's pc (0 when unknown). A frame without function,
 * file and line becomes a Location without Lines. One Mapping (id 1, with
 * has_functions etc. set) covers every location so pprof does not try to
 * symbolise. NULL strings are written as "".
 *
 * Returns 0, or -E2BIG when out's max is reached (out then holds a partial
 * result), or -EINVAL when zlib fails.
 */
int pprof_encode(const struct profile *p, struct strbuf *out);

/* As pprof_encode, without gzip: the raw profile.proto message. */
int pprof_encode_raw(const struct profile *p, struct strbuf *out);
#endif
