// SPDX-License-Identifier: MIT
// One byte source for every producer: a file, standard input ("-"), or an http(s) URL.
#ifndef CW_INPUT_H
#define CW_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/usage.h"

struct input_options {
	long timeout_ms;    /* URL fetch timeout; 0 = default 30 s */
	uint64_t max_bytes; /* URL body cap; 0 = default 1 GiB */
};

#define INPUT_PEEK_MAX 4096

/*
 * An open input. URLs are fetched with libcurl into an unlinked temporary
 * file first, so every input is read through one file descriptor and memory
 * does not grow with the body size.
 */
struct input {
	int fd;
	bool owns_fd;
	char *name; /* as the user wrote it; used in messages */
	bool is_url;
	int64_t mtime_ns; /* file modification time, or the fetch time for URLs/stdin */
	uint64_t offset;  /* bytes consumed so far by input_read */
	unsigned char peek[INPUT_PEEK_MAX];
	size_t peek_len;
	size_t peek_pos;
	bool eof;
};

/*
 * Opens spec ("-", a path, or http:// / https:// URL). Returns 0, or -1 with
 * err set to a message without the subject (e.g. "No such file or directory",
 * "HTTP 404").
 */
int input_open(struct input *in, const char *spec, const struct input_options *opt,
	       struct cw_error *err);
/* Reads up to len bytes. Returns the count, 0 at end of input, or -errno. */
ssize_t input_read(struct input *in, void *buf, size_t len);
/*
 * Makes up to n (<= INPUT_PEEK_MAX) leading bytes available without consuming
 * them. Returns how many are available (fewer at end of input) or -errno;
 * *data points at them. Only valid before the first input_read.
 */
ssize_t input_peek(struct input *in, const unsigned char **data, size_t n);
/* Reads the whole remaining input into a malloc'd buffer, failing past max bytes (-E2BIG). */
int input_slurp(struct input *in, size_t max, unsigned char **data, size_t *len);
void input_close(struct input *in);
#endif
