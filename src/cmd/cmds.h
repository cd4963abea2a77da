// SPDX-License-Identifier: MIT
// The subcommands: each takes (argc, argv) with argv[0] the subcommand's name, returns an exit
// status.
#ifndef CW_CMDS_H
#define CW_CMDS_H

#include <stdbool.h>
#include <stdint.h>

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
/* A timeout option in seconds (fractions allowed, 0 < s <= 86400) as milliseconds; dies if bad. */
long option_timeout_ms(const char *opt, const char *val);

/* Whether colour is wanted on stream fd for a --color=WHEN value (NULL = auto). */
int want_color(const char *when, int fd);
#endif
