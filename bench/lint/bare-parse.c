// SPDX-License-Identifier: MIT
// The "bare parse" peer of `chanwatch lint`: find .go files as go's ./... does, parse each, nothing
// else.
//
//   bare-parse [-j N] [-v] DIR|FILE...
//
// Walks each DIR (skipping vendor/, testdata/, directories starting with '.' or '_', and nested
// modules: a subdirectory holding its own go.mod, as `go list ./...` does), then reads and
// parses every .go file with tree-sitter-go (ts_parser_parse_string) on N threads (default: all
// online CPUs), one TSParser per thread, and prints one line of key=value pairs:
//
//   files=N bytes=N seconds=S mb_per_s=X walk_seconds=S threads=N error_files=N skipped=N
//
// seconds covers the whole job (walk, read, parse), the cost any linter pays at least. error_files
// counts trees whose root has an ERROR or MISSING node (a grammar gap, not a failure). -v prints
// those files on stderr. Files larger than 64 MiB or unreadable are skipped and counted.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tree_sitter/api.h>

#include "lib/banned.h"

#define MAX_FILE_BYTES (64u << 20)
#define MAX_FILES      (16u << 20)
#define MAX_DEPTH      64
#define MAX_THREADS    256

const TSLanguage *tree_sitter_go(void);

struct file_list {
	char **paths;
	size_t n, alloc;
};

struct job {
	const struct file_list *files;
	atomic_size_t next;
	bool verbose;
};

struct worker {
	pthread_t tid;
	struct job *job;
	uint64_t files, bytes, error_files, skipped;
	int rc;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int file_list_add(struct file_list *l, const char *path)
{
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 1024;
		char **p;

		if (alloc > MAX_FILES)
			return -E2BIG;
		p = realloc(l->paths, alloc * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->paths = p;
		l->alloc = alloc;
	}
	l->paths[l->n] = strdup(path);
	if (!l->paths[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static void file_list_release(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->n = l->alloc = 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

static bool skip_dir_name(const char *name)
{
	return name[0] == '.' || name[0] == '_' || !strcmp(name, "vendor") ||
	       !strcmp(name, "testdata");
}

static bool is_nested_module(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;
	int n = snprintf(p, sizeof(p), "%s/go.mod", dir);

	return n > 0 && (size_t)n < sizeof(p) && !stat(p, &st) && S_ISREG(st.st_mode);
}

/* Appends DIR's .go files, depth first; symlinked directories are not followed (like go). */
static int walk(struct file_list *l, const char *dir, int depth)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > MAX_DEPTH)
		return 0;
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "bare-parse: cannot open '%s': %s\n", dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		unsigned char type = de->d_type;
		int n;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n = snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(p))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (lstat(p, &st))
				continue;
			type = S_ISDIR(st.st_mode)   ? DT_DIR
			       : S_ISREG(st.st_mode) ? DT_REG
			       : S_ISLNK(st.st_mode) ? DT_LNK
						     : DT_UNKNOWN;
		}
		if (type == DT_DIR) {
			if (skip_dir_name(de->d_name) || is_nested_module(p))
				continue;
			rc = walk(l, p, depth + 1);
		} else if ((type == DT_REG || type == DT_LNK) && has_suffix(de->d_name, ".go") &&
			   de->d_name[0] != '.' && de->d_name[0] != '_') {
			rc = file_list_add(l, p);
		}
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

/* Reads PATH into *buf (grown as needed, capped); returns its length or a negative errno. */
static ssize_t read_file(const char *path, char **buf, size_t *alloc)
{
	struct stat st;
	size_t len = 0;
	ssize_t ret = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto cleanup;
	}
	if ((uint64_t)st.st_size > MAX_FILE_BYTES) {
		ret = -EFBIG;
		goto cleanup;
	}
	if ((size_t)st.st_size + 1 > *alloc) {
		size_t want = (size_t)st.st_size + 1;
		char *p = realloc(*buf, want);

		if (!p) {
			ret = -ENOMEM;
			goto cleanup;
		}
		*buf = p;
		*alloc = want;
	}
	while (len < *alloc - 1) {
		ssize_t n = read(fd, *buf + len, *alloc - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = (ssize_t)len;
cleanup:
	close(fd);
	return ret;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct job *job = w->job;
	TSParser *parser = ts_parser_new();
	char *buf = NULL;
	size_t alloc = 0;

	if (!parser || !ts_parser_set_language(parser, tree_sitter_go())) {
		w->rc = -EINVAL;
		goto cleanup;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		const char *path;
		TSTree *tree;
		ssize_t len;

		if (i >= job->files->n)
			break;
		path = job->files->paths[i];
		len = read_file(path, &buf, &alloc);
		if (len < 0) {
			fprintf(stderr, "bare-parse: cannot read '%s': %s\n", path,
				strerror((int)-len));
			w->skipped++;
			continue;
		}
		tree = ts_parser_parse_string(parser, NULL, buf, (uint32_t)len);
		if (!tree) {
			w->skipped++;
			continue;
		}
		if (ts_node_has_error(ts_tree_root_node(tree))) {
			w->error_files++;
			if (job->verbose)
				fprintf(stderr, "bare-parse: syntax errors in '%s'\n", path);
		}
		ts_tree_delete(tree);
		w->files++;
		w->bytes += (uint64_t)len;
	}
cleanup:
	free(buf);
	if (parser)
		ts_parser_delete(parser);
	return NULL;
}

static int parse_jobs(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > MAX_THREADS)
		return -EINVAL;
	*out = v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bare-parse [-j N] [-v] DIR|FILE...\n");
}

int main(int argc, char **argv)
{
	struct file_list files = {0};
	struct worker *workers = NULL;
	struct job job = {.files = &files};
	uint64_t nfiles = 0, bytes = 0, error_files = 0, skipped = 0;
	long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
	double t0, t_walk, t1, secs;
	int opt, rc = 2;
	long started = 0;

	while ((opt = getopt(argc, argv, "j:vh")) != -1) {
		switch (opt) {
		case 'j':
			if (parse_jobs(optarg, &nthreads)) {
				fprintf(stderr, "bare-parse: bad -j '%s': want 1..%d\n", optarg,
					MAX_THREADS);
				return 2;
			}
			break;
		case 'v':
			job.verbose = true;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;

	t0 = now();
	for (int i = optind; i < argc; i++) {
		struct stat st;
		int err;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "bare-parse: cannot stat '%s': %s\n", argv[i],
				strerror(errno));
			goto cleanup;
		}
		err =
		    S_ISDIR(st.st_mode) ? walk(&files, argv[i], 0) : file_list_add(&files, argv[i]);
		if (err) {
			fprintf(stderr, "bare-parse: cannot list '%s': %s\n", argv[i],
				strerror(-err));
			goto cleanup;
		}
	}
	t_walk = now();

	workers = calloc((size_t)nthreads, sizeof(*workers));
	if (!workers) {
		fprintf(stderr, "bare-parse: out of memory\n");
		goto cleanup;
	}
	for (started = 0; started < nthreads; started++) {
		workers[started].job = &job;
		if (pthread_create(&workers[started].tid, NULL, worker_run, &workers[started])) {
			fprintf(stderr, "bare-parse: cannot start thread %ld\n", started);
			break;
		}
	}
	rc = started ? 0 : 2;
	for (long i = 0; i < started; i++) {
		pthread_join(workers[i].tid, NULL);
		if (workers[i].rc) {
			fprintf(stderr, "bare-parse: cannot load the Go grammar (ABI mismatch?)\n");
			rc = 2;
		}
		nfiles += workers[i].files;
		bytes += workers[i].bytes;
		error_files += workers[i].error_files;
		skipped += workers[i].skipped;
	}
	if (rc)
		goto cleanup;
	t1 = now();
	secs = t1 - t0;
	printf("files=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f mb_per_s=%.1f walk_seconds=%.3f "
	       "threads=%ld error_files=%" PRIu64 " skipped=%" PRIu64 "\n",
	       nfiles, bytes, secs, bytes / 1e6 / (secs > 1e-6 ? secs : 1e-6), t_walk - t0, started,
	       error_files, skipped);
cleanup:
	free(workers);
	file_list_release(&files);
	return rc;
}
