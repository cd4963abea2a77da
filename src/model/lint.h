// SPDX-License-Identifier: MIT
// What `chanwatch lint` found in Go source: findings, watched channels, rule metadata.
#ifndef CW_MODEL_LINT_H
#define CW_MODEL_LINT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"

/* A place in a source file: 1-based line, 1-based column counted in bytes (as go vet). */
struct lint_pos {
	const char *file; /* path as the user named it (relative stays relative) */
	uint32_t line;
	uint32_t col;
};

#define LINT_MAX_RELATED 4

/* Another place that explains a finding: "channel made here", "closed here". */
struct lint_related {
	struct lint_pos pos;
	const char *message; /* static text or owned by the result's arena */
};

struct lint_finding {
	const char *rule; /* "CW101" ... from lint_rules[], or "CW100" for annotation problems */
	struct lint_pos pos;
	const char *message; /* one line, no trailing period, no rule ID */
	struct lint_related related[LINT_MAX_RELATED];
	size_t nrelated;
};

/* A `//chanwatch:watch label=NAME timeout=DURATION` on a make(chan ...) line. */
struct lint_watch {
	struct lint_pos pos;	   /* of the make call */
	const char *label;	   /* NAME, never NULL */
	const char *timeout;	   /* DURATION as written, NULL when absent */
	uint64_t timeout_ns;	   /* 0 when absent */
	const char *element_type;  /* the channel's element type as written, e.g. "*Job" */
	const char *capacity_expr; /* the make's capacity expression, NULL for unbuffered */
};

/* Everything one run found. Arrays are sorted by file, line, column, rule. */
struct lint_result {
	struct lint_finding *findings;
	size_t nfindings;
	struct lint_watch *watches;
	size_t nwatches;
	size_t files;	     /* Go files parsed */
	size_t packages;     /* directories (packages) analysed */
	uint64_t bytes;	     /* source bytes parsed */
	size_t parse_errors; /* files whose syntax tree has ERROR nodes (still analysed) */
	struct arena arena;  /* owns every string above */
};

/* Frees everything the result owns and zeroes it. */
void lint_result_release(struct lint_result *r);

/* One rule's fixed description, for --help, the rule pages and SARIF's tool.driver.rules. */
struct lint_rule_info {
	const char *id;	   /* "CW101" */
	const char *name;  /* short camel-case name for SARIF: "RangeNeverClosed" */
	const char *title; /* one line */
};

/* Every rule, in ID order, ending with {NULL}. CW100 covers annotation problems. */
extern const struct lint_rule_info lint_rules[];

/* The rule with this ID, or NULL. */
const struct lint_rule_info *lint_rule_find(const char *id);

#endif
