// SPDX-License-Identifier: MIT
// chanwatch lint findings as SARIF 2.1.0, in the shape GitHub code scanning accepts.
#ifndef CW_OUTPUT_LINT_SARIF_H
#define CW_OUTPUT_LINT_SARIF_H

#include <stdio.h>

#include "model/lint.h"

struct lint_sarif_options {
	const char *version;	     /* tool.driver.version, e.g. "0.4.0"; NULL: omitted */
	const char *information_uri; /* tool.driver.informationUri (absolute); NULL: omitted */
	/*
	 * Where the rule pages live: helpUri = rules_base_uri + "CW101.md" (a '/'
	 * is added between when missing), e.g.
	 * "https://github.com/OWNER/chanwatch/blob/main/docs/rules/". SARIF wants
	 * helpUri absolute: a base without a scheme ("docs/rules/") is written as
	 * help.text "docs/rules/CW101.md" instead. NULL: neither.
	 */
	const char *rules_base_uri;
	/*
	 * The absolute directory %SRCROOT% stands for (normally the working
	 * directory). Relative paths are written relative to %SRCROOT%; absolute
	 * paths under srcroot are made relative to it; other absolute paths
	 * become file:// URIs. NULL: originalUriBaseIds is not written.
	 */
	const char *srcroot;
};

/*
 * Writes one SARIF log with one run: tool.driver.rules is every entry of
 * lint_rules[], each finding a result at level "warning" with its related
 * locations. Columns are the model's byte columns (equal to SARIF's default
 * UTF-16 columns on ASCII lines). opt may be NULL.
 */
void lint_write_sarif(const struct lint_result *r, FILE *out, const struct lint_sarif_options *opt);
#endif
