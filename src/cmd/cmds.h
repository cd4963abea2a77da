// SPDX-License-Identifier: MIT
// The subcommands: each takes (argc, argv) with argv[0] the subcommand's name, returns an exit
// status.
#ifndef CW_CMDS_H
#define CW_CMDS_H

int cmd_dump(int argc, char **argv);
int cmd_heap(int argc, char **argv);

/* Whether colour is wanted on stream fd for a --color=WHEN value (NULL = auto). */
int want_color(const char *when, int fd);
#endif
