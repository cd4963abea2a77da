// SPDX-License-Identifier: MIT
// Fatal and non-fatal diagnostics, and the one error record libraries fill in.
#ifndef CW_USAGE_H
#define CW_USAGE_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses shared by every subcommand. */
enum {
	CW_EXIT_OK = 0,	   /* ran, nothing found */
	CW_EXIT_FOUND = 1, /* ran, found suspects/findings */
	CW_EXIT_ERROR = 2, /* usage or input error */
};

/* The program name used as message prefix ("chanwatch"). */
extern const char *cw_progname;

/* Print "chanwatch: MSG" to stderr and exit(CW_EXIT_ERROR). Only src/cmd/ and main may die. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* Print "chanwatch: MSG" to stderr; returns -1 so callers can `return error(...)`. */
__attribute__((format(printf, 1, 2))) int error(const char *fmt, ...);
/* Print "chanwatch: warning: MSG" to stderr. */
__attribute__((format(printf, 1, 2))) void warning(const char *fmt, ...);
/* Internal invariant broken: print and abort(). */
__attribute__((noreturn, format(printf, 3, 4))) void bug_fl(const char *file, int line,
							    const char *fmt, ...);
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)

/*
 * An error a library reports to its caller: a one-line message without the
 * subject (the caller knows the file or URL and prefixes it), e.g.
 * "line 12: malformed goroutine header". Empty when no error.
 */
struct cw_error {
	char msg[512];
};

__attribute__((format(printf, 2, 3))) int cw_error_set(struct cw_error *err, const char *fmt, ...);
#endif
