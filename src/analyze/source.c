// SPDX-License-Identifier: MIT
// Source lines for classification: range over a channel vs a plain receive.
#include "analyze/source.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/banned.h"

#define SOURCE_MAX_BYTES (8u << 20)

bool source_line(const char *path, uint32_t line, char *buf, size_t len)
{
	struct stat st;
	FILE *f;
	uint32_t n = 1;
	size_t o = 0;
	int c;
	bool found = false;

	if (!path || !*path || !line || !len)
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > SOURCE_MAX_BYTES)
		goto cleanup;
	while ((c = getc(f)) != EOF) {
		if (n == line) {
			found = true;
			if (c == '\n')
				break;
			if (o + 1 < len)
				buf[o++] = (char)c;
		} else if (c == '\n' && ++n > line) {
			break;
		}
	}
cleanup:
	fclose(f);
	buf[o] = '\0';
	return found;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

bool source_is_range(const char *text)
{
	const char *p = text, *comment = strstr(text, "//");
	while ((p = strstr(p, "range")) != NULL) {
		if (comment && p > comment)
			return false;
		bool left = p == text || !ident_char(p[-1]);
		bool right = !ident_char(p[5]);
		if (left && right)
			return true;
		p += 5;
	}
	return false;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Whether the word ending just before end (exclusive) is `word`. */
static bool word_before(const char *text, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - text) < n || memcmp(end - n, word, n))
		return false;
	return end - n == text || !ident_char(end[-(ptrdiff_t)n - 1]);
}

enum block_class source_classify(const char *text)
{
	const char *comment = strstr(text, "//");
	const char *p = skip_space(text);
	const char *arrow;

	if (!strncmp(p, "select", 6) && !ident_char(p[6])) {
		const char *q = skip_space(p + 6);
		if (q[0] == '{' && skip_space(q + 1)[0] == '}')
			return BLOCK_SELECT_NO_CASES;
		return BLOCK_SELECT;
	}
	if (source_is_range(text))
		return BLOCK_CHAN_RANGE;
	arrow = strstr(text, "<-");
	if (!arrow || (comment && arrow > comment))
		return BLOCK_UNKNOWN;
	/* A send has an operand before the arrow: "ch <- v", "s.out <- v", "chs[i] <- v". */
	const char *q = arrow;
	while (q > text && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q > text && (ident_char(q[-1]) || q[-1] == ')' || q[-1] == ']') &&
	    !word_before(text, q, "return") && !word_before(text, q, "case") &&
	    !word_before(text, q, "go") && !word_before(text, q, "defer"))
		return BLOCK_CHAN_SEND;
	return BLOCK_CHAN_RECEIVE;
}
