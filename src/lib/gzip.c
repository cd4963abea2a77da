// SPDX-License-Identifier: MIT
// gzip compression and capped decompression of memory buffers (zlib).
#include "lib/gzip.h"

#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "lib/banned.h"

#define GZIP_CHUNK (64 * 1024)

bool gzip_is(const void *data, size_t len)
{
	const unsigned char *p = data;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Feeds at most UINT_MAX bytes at a time: zlib counts in uInt. */
static void feed(z_stream *zs, const unsigned char *in, size_t len, size_t *fed)
{
	size_t n = len - *fed;

	if (zs->avail_in == 0 && n) {
		if (n > UINT_MAX)
			n = UINT_MAX;
		zs->next_in = (unsigned char *)in + *fed;
		zs->avail_in = (uInt)n;
		*fed += n;
	}
}

int gzip_inflate(const void *data, size_t len, size_t max, struct strbuf *out, struct cw_error *err)
{
	const unsigned char *in = data;
	size_t fed = 0, produced = 0;
	z_stream zs;
	int ret = -1, zr;

	if (!max)
		max = GZIP_DEFAULT_MAX;
	if (!gzip_is(data, len))
		return cw_error_set(err, "byte 0: gzip: missing magic 1f 8b");
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return cw_error_set(err, "byte 0: gzip: cannot initialise zlib");
	for (;;) {
		size_t have;

		feed(&zs, in, len, &fed);
		if (strbuf_grow(out, GZIP_CHUNK)) {
			cw_error_set(err, "byte %zu: gzip: output buffer full", fed - zs.avail_in);
			goto cleanup;
		}
		zs.next_out = (unsigned char *)out->buf + out->len;
		zs.avail_out = GZIP_CHUNK;
		zr = inflate(&zs, Z_NO_FLUSH);
		have = GZIP_CHUNK - zs.avail_out;
		out->len += have;
		out->buf[out->len] = '\0';
		produced += have;
		if (produced > max) {
			cw_error_set(err, "byte %zu: gzip: decompressed size exceeds %zu bytes",
				     fed - zs.avail_in, max);
			goto cleanup;
		}
		if (zr == Z_STREAM_END) {
			size_t at = fed - zs.avail_in;

			if (at == len)
				break;
			/* Another member follows, or trailing garbage. */
			if (!gzip_is(in + at, len - at)) {
				cw_error_set(err, "byte %zu: gzip: trailing garbage after stream",
					     at);
				goto cleanup;
			}
			if (inflateReset(&zs) != Z_OK) {
				cw_error_set(err, "byte %zu: gzip: cannot reset zlib", at);
				goto cleanup;
			}
			continue;
		}
		if (zr == Z_BUF_ERROR && zs.avail_in == 0 && fed == len && have == 0) {
			cw_error_set(err, "byte %zu: gzip: truncated stream", len);
			goto cleanup;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			cw_error_set(err, "byte %zu: gzip: %s", fed - zs.avail_in,
				     zs.msg ? zs.msg : "corrupt stream");
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	inflateEnd(&zs);
	return ret;
}

int gzip_deflate(const void *data, size_t len, struct strbuf *out, struct cw_error *err)
{
	const unsigned char *in = data;
	size_t fed = 0;
	z_stream zs;
	int ret = -1, zr;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return cw_error_set(err, "gzip: cannot initialise zlib");
	do {
		feed(&zs, in, len, &fed);
		if (strbuf_grow(out, GZIP_CHUNK)) {
			cw_error_set(err, "gzip: output buffer full");
			goto cleanup;
		}
		zs.next_out = (unsigned char *)out->buf + out->len;
		zs.avail_out = GZIP_CHUNK;
		zr = deflate(&zs, fed == len && zs.avail_in == 0 ? Z_FINISH : Z_NO_FLUSH);
		out->len += GZIP_CHUNK - zs.avail_out;
		out->buf[out->len] = '\0';
		if (zr == Z_STREAM_ERROR) {
			cw_error_set(err, "gzip: deflate failed");
			goto cleanup;
		}
	} while (zr != Z_STREAM_END);
	ret = 0;
cleanup:
	deflateEnd(&zs);
	return ret;
}
