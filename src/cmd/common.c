// SPDX-License-Identifier: MIT
// Helpers every front end shares.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "cmd/cmds.h"
#include "lib/num.h"
#include "lib/usage.h"
#include "lib/banned.h"

int want_color(const char *when, int fd)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (when && !strcmp(when, "always"))
		return 1;
	if (when && !strcmp(when, "never"))
		return 0;
	if (when && strcmp(when, "auto"))
		die("--color takes auto, always or never, not '%s'", when);
	if (no_color && *no_color)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}

uint64_t option_u64(const char *opt, const char *val)
{
	uint64_t v;
	if (parse_u64(val, &v))
		die("%s takes a non-negative integer, not '%s'", opt, val);
	return v;
}

pid_t option_pid(const char *opt, const char *val)
{
	uint64_t v;
	if (parse_u64(val, &v) || v == 0 || v > 4194304) { /* the kernel's PID_MAX_LIMIT */
		if (opt)
			die("%s takes a process ID, not '%s'", opt, val);
		die("'%s' is not a process ID", val);
	}
	return (pid_t)v;
}

long option_timeout_ms(const char *opt, const char *val)
{
	double secs;
	if (parse_seconds(val, &secs) || secs <= 0 || secs > 86400)
		die("%s takes seconds (0 < s <= 86400), not '%s'", opt, val);
	return (long)(secs * 1000);
}

bool analyzer_option(int opt, const char *arg, struct analyzer_options *a)
{
	switch (opt) {
	case OPT_ANALYZER_MIN_COUNT:
		a->min_count = option_u64("--min-count", arg);
		if (!a->min_count)
			die("--min-count must be at least 1");
		return true;
	case OPT_ANALYZER_INCLUDE_STD:
		a->include_std = true;
		return true;
	case OPT_ANALYZER_NO_SOURCE:
		a->no_source = true;
		return true;
	case OPT_ANALYZER_SOURCE_DIR:
		a->source_dir = arg;
		return true;
	default:
		return false;
	}
}
