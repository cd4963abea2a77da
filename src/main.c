// SPDX-License-Identifier: MIT
// chanwatch: the command table, global options and dispatch.
#include <stdio.h>
#include <string.h>

#include "cmd/cmds.h"
#include "lib/usage.h"
#include "lib/banned.h"

#ifndef CHANWATCH_VERSION
#define CHANWATCH_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"dump", cmd_dump, "analyse goroutine dumps and profiles (files or /debug/pprof URLs)"},
    {"heap", cmd_heap, "live channels by make(chan) site in heap profiles, and their growth"},
    {"trace", cmd_trace, "follow every channel's life in a running Go program (eBPF)"},
    {"lint", cmd_lint, "channel-lifecycle bugs in Go source (also go vet -vettool)"},
    {"ps", cmd_ps, "every goroutine of a running Go program and what it waits on"},
    {"top", cmd_top, "a live view of where a running Go program's goroutines wait"},
};

static void usage(FILE *out)
{
	fputs("usage: chanwatch [--version] [--help] COMMAND [ARGS...]\n\n"
	      "Finds goroutine leaks and channel-lifecycle bugs in Go programs.\n\n"
	      "commands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-6s  %s\n", commands[i].name, commands[i].summary);
	fputs("\nexamples:\n"
	      "  chanwatch dump http://127.0.0.1:6060/debug/pprof/goroutine?debug=2\n"
	      "  chanwatch dump --diff before.txt after.txt\n"
	      "  chanwatch heap heap1.pb.gz heap2.pb.gz\n"
	      "  chanwatch lint ./...\n"
	      "  sudo chanwatch ps $(pidof myserver)\n\n"
	      "'chanwatch COMMAND --help' describes a command; 'man chanwatch' has the rest.\n"
	      "exit status: 0 nothing found, 1 suspects found, 2 usage or input error\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CW_EXIT_ERROR;
	}
	if (vettool_invocation(argc, argv))
		return cmd_vettool(argc, argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CW_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("chanwatch %s\n", CHANWATCH_VERSION);
		return CW_EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return CW_EXIT_OK;
		}
		char *help_argv[] = {argv[2], "--help", NULL};
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(commands[i].name, argv[2]))
				return commands[i].fn(2, help_argv);
		die("unknown command '%s' (see 'chanwatch --help')", argv[2]);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, argv[1]))
			return commands[i].fn(argc - 1, argv + 1);
	die("unknown command '%s' (see 'chanwatch --help')", argv[1]);
}
