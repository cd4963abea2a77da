// SPDX-License-Identifier: MIT
// A cache of Go source files, and what a source line says about channels.
#include "analyze/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/hashmap.h"
#include "lib/strbuf.h"
#include "lib/usage.h"
#include "lib/banned.h"

struct source_file {
	char *data; /* NULL when unreadable */
	size_t len;
	size_t *line_start; /* line_start[i]: offset of line i+1 */
	size_t nlines;
};

struct source_cache {
	const char *source_dir;
	struct hashmap files; /* path -> struct source_file * */
	struct arena arena;
};

struct source_cache *source_cache_new(const char *source_dir)
{
	struct source_cache *c = calloc(1, sizeof(*c));
	if (!c)
		die("out of memory");
	c->source_dir = source_dir;
	return c;
}

void source_cache_free(struct source_cache *c)
{
	if (!c)
		return;
	hashmap_release(&c->files);
	arena_release(&c->arena);
	free(c);
}

/* Reads a regular file of at most SOURCE_FILE_MAX bytes into sf. 0, or -1. */
static int read_file(struct source_cache *c, const char *path, struct source_file *sf)
{
	struct strbuf sb;
	struct stat st;
	char buf[65536];
	int fd, ret = -1;

	/* O_NONBLOCK: opening a FIFO named by a hostile dump must not hang. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	strbuf_init(&sb, SOURCE_FILE_MAX);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > SOURCE_FILE_MAX)
		goto cleanup;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && strbuf_add(&sb, buf, (size_t)n)))
			goto cleanup;
		if (n == 0)
			break;
	}
	sf->data = arena_strndup(&c->arena, sb.buf, sb.len);
	sf->len = sb.len;
	sf->nlines = 1;
	for (size_t i = 0; i < sf->len; i++)
		sf->nlines += sf->data[i] == '\n';
	sf->line_start = arena_alloc(&c->arena, sf->nlines * sizeof(*sf->line_start));
	for (size_t i = 0, l = 1; i < sf->len; i++)
		if (sf->data[i] == '\n')
			sf->line_start[l++] = i + 1;
	ret = 0;
cleanup:
	strbuf_release(&sb);
	close(fd);
	return ret;
}

/* Tries path as written, then under source_dir by successively shorter suffixes. */
static struct source_file *lookup(struct source_cache *c, struct slice path, bool *first)
{
	uint64_t h = hash_bytes(path.ptr, path.len, HASH_SEED);
	struct source_file *sf = hashmap_get(&c->files, path.ptr, path.len, h);
	struct hashmap_entry *e;
	bool inserted;
	char *p;

	if (sf || c->files.count >= SOURCE_FILES_MAX)
		return sf;
	*first = true;
	sf = arena_alloc(&c->arena, sizeof(*sf));
	p = arena_strndup(&c->arena, path.ptr, path.len);
	/* A path with a NUL inside cannot name a file. */
	if (strlen(p) == path.len && read_file(c, p, sf) && c->source_dir) {
		for (const char *suf = p; suf; suf = strchr(suf + 1, '/')) {
			struct strbuf full = STRBUF_INIT;
			int ok;

			while (*suf == '/')
				suf++;
			if (!*suf)
				break;
			strbuf_addf(&full, "%s/%s", c->source_dir, suf);
			ok = !read_file(c, full.buf, sf);
			strbuf_release(&full);
			if (ok)
				break;
		}
	}
	e = hashmap_put(&c->files, p, path.len, h, &inserted);
	e->value = sf;
	return sf;
}

ssize_t source_cache_line(struct source_cache *c, struct slice path, uint32_t line,
			  const char **text, enum source_file_status *status)
{
	struct source_file *sf;
	bool first = false;
	size_t a, b;

	if (status)
		*status = SOURCE_MISSING;
	if (!c || !path.len)
		return -1;
	sf = lookup(c, path, &first);
	if (!sf || !sf->data) {
		if (status && first)
			*status = SOURCE_MISSING_FIRST;
		return -1;
	}
	if (status)
		*status = SOURCE_FOUND;
	if (!line)
		return -1;
	if (line > sf->nlines)
		return -1;
	a = sf->line_start[line - 1];
	b = line < sf->nlines ? sf->line_start[line] - 1 : sf->len;
	*text = sf->data + a;
	return (ssize_t)(b - a);
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* The line up to a "//" comment (strings holding "//" end it early: a heuristic). */
static size_t code_len(const char *text, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '/' && text[i + 1] == '/')
			return i;
	return len;
}

/* Whether word occurs in text[0..len) as a whole identifier. */
static bool has_word(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(text + i, word, n))
			continue;
		if ((i == 0 || !ident_char(text[i - 1])) &&
		    (i + n == len || !ident_char(text[i + n])))
			return true;
	}
	return false;
}

bool source_is_range(const char *text, size_t len)
{
	return has_word(text, code_len(text, len), "range");
}

static size_t skip_space(const char *t, size_t i, size_t len)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t'))
		i++;
	return i;
}

bool source_makes_chan(const char *text, size_t len)
{
	len = code_len(text, len);
	for (size_t i = 0; i + 4 <= len; i++) {
		size_t q;
		if (memcmp(text + i, "make", 4) || (i > 0 && ident_char(text[i - 1])))
			continue;
		q = skip_space(text, i + 4, len);
		if (q >= len || text[q] != '(')
			continue;
		q = skip_space(text, q + 1, len);
		if (q + 2 <= len && !memcmp(text + q, "<-", 2))
			q = skip_space(text, q + 2, len);
		if (q + 4 <= len && !memcmp(text + q, "chan", 4) &&
		    (q + 4 == len || !ident_char(text[q + 4])))
			return true;
	}
	return false;
}

/* Whether the word ending just before text[end] is `word`. */
static bool word_before(const char *text, size_t end, const char *word)
{
	size_t n = strlen(word);
	if (end < n || memcmp(text + end - n, word, n))
		return false;
	return end == n || !ident_char(text[end - n - 1]);
}

enum block_class source_classify(const char *text, size_t len)
{
	size_t i, arrow;

	len = code_len(text, len);
	i = skip_space(text, 0, len);
	if (i + 6 <= len && !memcmp(text + i, "select", 6) &&
	    (i + 6 == len || !ident_char(text[i + 6]))) {
		size_t q = skip_space(text, i + 6, len);
		if (q < len && text[q] == '{' && skip_space(text, q + 1, len) < len &&
		    text[skip_space(text, q + 1, len)] == '}')
			return BLOCK_SELECT_NO_CASES;
		return BLOCK_SELECT;
	}
	if (has_word(text, len, "range"))
		return BLOCK_CHAN_RANGE;
	for (arrow = 0; arrow + 1 < len; arrow++)
		if (text[arrow] == '<' && text[arrow + 1] == '-')
			break;
	if (arrow + 1 >= len)
		return BLOCK_UNKNOWN;
	/* A send has an operand before the arrow: "ch <- v", "s.out <- v", "chs[i] <- v". */
	i = arrow;
	while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
		i--;
	if (i > 0 && (ident_char(text[i - 1]) || text[i - 1] == ')' || text[i - 1] == ']') &&
	    !word_before(text, i, "return") && !word_before(text, i, "case") &&
	    !word_before(text, i, "go") && !word_before(text, i, "defer"))
		return BLOCK_CHAN_SEND;
	return BLOCK_CHAN_RECEIVE;
}
