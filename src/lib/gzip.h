// SPDX-License-Identifier: MIT
// gzip (RFC 1952) compression and size-capped decompression of memory buffers with zlib.
#ifndef CW_GZIP_H
#define CW_GZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/strbuf.h"
#include "lib/usage.h"

/* Default cap on decompressed output: inputs decompressing past it are refused (zip bombs). */
#define GZIP_DEFAULT_MAX ((size_t)1 << 30)

/* True when data starts with the gzip magic 1f 8b. */
bool gzip_is(const void *data, size_t len);

/*
 * Decompresses the gzip stream (one member or several concatenated, as gzip
 * -d accepts) in data and appends the result to out. max caps the
 * decompressed size (0 = GZIP_DEFAULT_MAX). Returns 0, or -1 with err set to
 * "byte N: gzip: ..." where N is the offset in the compressed input; out may
 * then hold a partial result.
 */
int gzip_inflate(const void *data, size_t len, size_t max, struct strbuf *out,
		 struct cw_error *err);

/* Compresses data as one gzip member appended to out. Returns 0, or -1 with err set. */
int gzip_deflate(const void *data, size_t len, struct strbuf *out, struct cw_error *err);
#endif
