// SPDX-License-Identifier: MIT
// The subcommands: each takes (argc, argv) with argv[0] the subcommand's name, returns an exit
// status.
#ifndef CW_CMDS_H
#define CW_CMDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

int cmd_dump(int argc, char **argv);
int cmd_heap(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_top(int argc, char **argv);
/* go vet -vettool runs chanwatch -V=full, -flags, or [FLAGS] vet.cfg, with no command. */
bool vettool_invocation(int argc, char **argv);
int cmd_vettool(int argc, char **argv);

/* The value of a numeric option; dies naming the option when it is not a whole number. */
uint64_t option_u64(const char *opt, const char *val);
/*
 * A process ID: "1234" -> 1234. Dies (exit 2) on anything but a positive ID, naming the
 * option ("--pid takes a process ID, not 'x'"), or, when opt is NULL, the argument alone.
 */
pid_t option_pid(const char *opt, const char *val);
/* A timeout option in seconds (fractions allowed, 0 < s <= 86400) as milliseconds; dies if bad. */
long option_timeout_ms(const char *opt, const char *val);

/*
 * The options of the leak analyzer every analysing front end (dump, ps, top) takes: put
 * ANALYZER_LONG_OPTIONS in the getopt_long table and hand every option to
 * analyzer_option() first; it returns true when it took it (and dies on a bad value).
 */
enum {
	OPT_ANALYZER_MIN_COUNT = 0x1000,
	OPT_ANALYZER_INCLUDE_STD,
	OPT_ANALYZER_NO_SOURCE,
	OPT_ANALYZER_SOURCE_DIR,
};
#define ANALYZER_LONG_OPTIONS                                                                      \
	{"min-count", required_argument, NULL, OPT_ANALYZER_MIN_COUNT},                            \
	    {"include-std", no_argument, NULL, OPT_ANALYZER_INCLUDE_STD},                          \
	    {"no-source", no_argument, NULL, OPT_ANALYZER_NO_SOURCE},                              \
	{                                                                                          \
		"source-dir", required_argument, NULL, OPT_ANALYZER_SOURCE_DIR                     \
	}
struct analyzer_options;
bool analyzer_option(int opt, const char *arg, struct analyzer_options *a);

/* Whether colour is wanted on stream fd for a --color=WHEN value (NULL = auto). */
int want_color(const char *when, int fd);
#endif
