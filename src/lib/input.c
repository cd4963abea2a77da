// SPDX-License-Identifier: MIT
// Opening files, standard input and URLs as one kind of byte source.
#define _GNU_SOURCE
#include "lib/input.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/banned.h"

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool is_url(const char *spec)
{
	return !strncmp(spec, "http://", 7) || !strncmp(spec, "https://", 8);
}

struct fetch_state {
	int fd;
	uint64_t written;
	uint64_t max;
	bool too_big;
	int write_errno;
};

static size_t fetch_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct fetch_state *st = userdata;
	size_t len = size * nmemb, done = 0;

	if (st->written + len > st->max) {
		st->too_big = true;
		return 0;
	}
	while (done < len) {
		ssize_t n = write(st->fd, ptr + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			st->write_errno = errno;
			return 0;
		}
		done += (size_t)n;
	}
	st->written += len;
	return len;
}

static int open_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	for (int attempt = 0; attempt < 2; attempt++, dir = "/tmp") {
		char path[4096];
		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		snprintf(path, sizeof(path), "%s/chanwatch.XXXXXX", dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0) {
			unlink(path);
			return fd;
		}
	}
	return -1;
}

/*
 * libcurl is loaded on the first URL, not linked: it and the 28 libraries it pulls in cost
 * every chanwatch run 8 ms before main (an empty main linked with chanwatch's libraries
 * started in 10.9 ms, without libcurl in 2.9 ms), where only URLs need it.
 */
#define LIBCURL_SONAME "libcurl.so.4"

struct curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	void (*easy_cleanup)(CURL *curl);
};

/* The loaded libcurl (loaded once per process, never unloaded), or NULL with err set. */
static const struct curl_api *curl_api_get(struct cw_error *err)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
	    {"curl_global_init", offsetof(struct curl_api, global_init)},
	    {"curl_easy_init", offsetof(struct curl_api, easy_init)},
	    {"curl_easy_setopt", offsetof(struct curl_api, easy_setopt)},
	    {"curl_easy_perform", offsetof(struct curl_api, easy_perform)},
	    {"curl_easy_getinfo", offsetof(struct curl_api, easy_getinfo)},
	    {"curl_easy_strerror", offsetof(struct curl_api, easy_strerror)},
	    {"curl_easy_cleanup", offsetof(struct curl_api, easy_cleanup)},
	};
	static struct curl_api api;
	static bool loaded;
	void *lib;

	if (loaded)
		return &api;
	lib = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		cw_error_set(err, "cannot load libcurl to fetch URLs: %s", dlerror());
		return NULL;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *fn = dlsym(lib, syms[i].name);
		if (!fn) {
			cw_error_set(err, "cannot load libcurl to fetch URLs: %s has no %s",
				     LIBCURL_SONAME, syms[i].name);
			dlclose(lib);
			return NULL;
		}
		memcpy((char *)&api + syms[i].off, &fn, sizeof(fn));
	}
	loaded = true;
	return &api;
}

static int fetch_url(struct input *in, const char *url, const struct input_options *opt,
		     struct cw_error *err)
{
	const struct curl_api *lc = NULL;
	struct fetch_state st = {.fd = -1};
	char curl_err[CURL_ERROR_SIZE] = "";
	CURL *curl = NULL;
	CURLcode rc;
	long status = 0;
	int ret = -1;

	st.max = opt && opt->max_bytes ? opt->max_bytes : (1ull << 30);
	st.fd = open_tmpfile();
	if (st.fd < 0) {
		cw_error_set(err, "cannot create a temporary file: %s", strerror(errno));
		goto cleanup;
	}
	lc = curl_api_get(err);
	if (!lc)
		goto cleanup;
	if (lc->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cw_error_set(err, "cannot initialise libcurl");
		goto cleanup;
	}
	curl = lc->easy_init();
	if (!curl) {
		cw_error_set(err, "cannot initialise libcurl");
		goto cleanup;
	}
	lc->easy_setopt(curl, CURLOPT_URL, url);
	lc->easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
	lc->easy_setopt(curl, CURLOPT_WRITEDATA, &st);
	lc->easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	lc->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	lc->easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	lc->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	lc->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	lc->easy_setopt(curl, CURLOPT_TIMEOUT_MS,
			opt && opt->timeout_ms ? opt->timeout_ms : 30000L);
	lc->easy_setopt(curl, CURLOPT_USERAGENT, "chanwatch");
	lc->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	lc->easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	rc = lc->easy_perform(curl);
	if (st.too_big) {
		cw_error_set(err, "response larger than %llu bytes", (unsigned long long)st.max);
		goto cleanup;
	}
	if (st.write_errno) {
		cw_error_set(err, "cannot write temporary file: %s", strerror(st.write_errno));
		goto cleanup;
	}
	if (rc != CURLE_OK) {
		cw_error_set(err, "%s", curl_err[0] ? curl_err : lc->easy_strerror(rc));
		goto cleanup;
	}
	lc->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		cw_error_set(err, "HTTP %ld", status);
		goto cleanup;
	}
	if (lseek(st.fd, 0, SEEK_SET) < 0) {
		cw_error_set(err, "cannot rewind temporary file: %s", strerror(errno));
		goto cleanup;
	}
	in->fd = st.fd;
	in->owns_fd = true;
	st.fd = -1;
	ret = 0;
cleanup:
	if (curl)
		lc->easy_cleanup(curl);
	if (st.fd >= 0)
		close(st.fd);
	return ret;
}

int input_open(struct input *in, const char *spec, const struct input_options *opt,
	       struct cw_error *err)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->fd = -1;
	in->name = strdup(spec);
	if (!in->name)
		return cw_error_set(err, "out of memory");
	if (!strcmp(spec, "-")) {
		in->fd = STDIN_FILENO;
		in->mtime_ns = now_ns();
		return 0;
	}
	if (is_url(spec)) {
		in->is_url = true;
		in->mtime_ns = now_ns();
		if (fetch_url(in, spec, opt, err))
			goto fail;
		return 0;
	}
	in->fd = open(spec, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0) {
		cw_error_set(err, "%s", strerror(errno));
		goto fail;
	}
	in->owns_fd = true;
	if (fstat(in->fd, &st) < 0) {
		cw_error_set(err, "%s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		cw_error_set(err, "is a directory");
		goto fail;
	}
	in->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
fail:
	input_close(in);
	return -1;
}

static ssize_t read_fd(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t input_peek(struct input *in, const unsigned char **data, size_t n)
{
	if (n > INPUT_PEEK_MAX)
		n = INPUT_PEEK_MAX;
	while (in->peek_len < n && !in->eof) {
		ssize_t r = read_fd(in->fd, in->peek + in->peek_len, n - in->peek_len);
		if (r < 0)
			return r;
		if (r == 0)
			in->eof = true;
		in->peek_len += (size_t)r;
	}
	*data = in->peek;
	return (ssize_t)(in->peek_len < n ? in->peek_len : n);
}

ssize_t input_read(struct input *in, void *buf, size_t len)
{
	ssize_t n;

	if (in->peek_pos < in->peek_len) {
		size_t avail = in->peek_len - in->peek_pos;
		if (len > avail)
			len = avail;
		memcpy(buf, in->peek + in->peek_pos, len);
		in->peek_pos += len;
		in->offset += len;
		return (ssize_t)len;
	}
	if (in->eof && in->peek_len)
		return 0;
	n = read_fd(in->fd, buf, len);
	if (n > 0)
		in->offset += (uint64_t)n;
	return n;
}

int input_slurp(struct input *in, size_t max, unsigned char **data, size_t *len)
{
	size_t cap = max < (1 << 16) ? max : (1 << 16), used = 0;
	unsigned char *buf = malloc(cap ? cap : 1);
	unsigned char probe;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (used == cap) {
			unsigned char *nb;
			if (cap >= max) {
				/* Full at exactly max bytes: fine only if nothing follows. */
				n = input_read(in, &probe, 1);
				if (n == 0)
					break;
				free(buf);
				return n < 0 ? (int)n : -E2BIG;
			}
			cap = cap > max / 2 ? max : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = input_read(in, buf + used, cap - used);
		if (n < 0) {
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	*data = buf;
	*len = used;
	return 0;
}

void input_close(struct input *in)
{
	if (in->owns_fd && in->fd >= 0)
		close(in->fd);
	free(in->name);
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}
