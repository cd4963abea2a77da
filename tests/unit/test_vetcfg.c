// SPDX-License-Identifier: MIT
// Unit tests for the go vet vettool config reader, on configs captured from real go vet runs
// (tests/golden/vetcfg/: go1.22.12, go1.25.9 and go1.26 on a two-package module).
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lint/vetcfg.h"

#define DIR "tests/golden/vetcfg/"

static void read_ok(struct vet_config *cfg, const char *name)
{
	struct cw_error err = {""};

	if (vet_config_read(cfg, name, &err))
		fail_msg("%s: %s (run from the repository root)", name, err.msg);
}

static const char *pair(const struct vet_config_pair *p, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].key, key))
			return p[i].value;
	return NULL;
}

static void go126_library_package(void **state)
{
	struct vet_config cfg;

	read_ok(&cfg, DIR "go126-lib.cfg");
	assert_string_equal(cfg.id, "example.com/vetcfg/lib");
	assert_string_equal(cfg.import_path, "example.com/vetcfg/lib");
	assert_string_equal(cfg.compiler, "gc");
	assert_string_equal(cfg.dir, "/tmp/h-vetprobe/mod2/lib");
	assert_int_equal(cfg.ngo_files, 2);
	assert_string_equal(cfg.go_files[0], "/tmp/h-vetprobe/mod2/lib/lib.go");
	/* cmd/go writes & < > as \u0026 \u003c \u003e. */
	assert_string_equal(cfg.go_files[1], "/tmp/h-vetprobe/mod2/lib/x&y<z>.go");
	assert_int_equal(cfg.nnon_go_files, 1);
	assert_string_equal(cfg.non_go_files[0], "/tmp/h-vetprobe/mod2/lib/empty.s");
	assert_int_equal(cfg.nignored_files, 1);
	assert_string_equal(cfg.ignored_files[0], "/tmp/h-vetprobe/mod2/lib/ignored.go");
	assert_string_equal(cfg.module_path, "example.com/vetcfg");
	assert_null(cfg.module_version); /* "" for the main module */
	assert_int_equal(cfg.nimport_map, 0);
	assert_false(cfg.vetx_only);
	assert_string_equal(cfg.vetx_output, "/tmp/go-build234485142/b002/vet.out");
	assert_string_equal(cfg.stdout_path, "/tmp/go-build234485142/b002/vet.stdout");
	assert_null(cfg.fix_archive);
	assert_string_equal(cfg.go_version, "go1.21");
	assert_false(cfg.succeed_on_typecheck_failure);
	vet_config_release(&cfg);
	assert_null(cfg.go_files);
}

static void go126_maps(void **state)
{
	struct vet_config cfg;

	read_ok(&cfg, DIR "go126-main-vetx.cfg");
	assert_string_equal(cfg.import_path, "example.com/vetcfg");
	assert_int_equal(cfg.nimport_map, 3);
	assert_string_equal(pair(cfg.import_map, cfg.nimport_map, "fmt"), "fmt");
	assert_int_equal(cfg.npackage_file, 3);
	assert_non_null(pair(cfg.package_file, cfg.npackage_file, "example.com/vetcfg/lib"));
	assert_int_equal(cfg.nstandard, 2); /* fmt, runtime; not the module's own package */
	assert_string_equal(cfg.standard[0], "fmt");
	assert_string_equal(cfg.standard[1], "runtime");
	assert_int_equal(cfg.npackage_vetx, 3);
	assert_string_equal(pair(cfg.package_vetx, cfg.npackage_vetx, "runtime"),
			    "/tmp/go-build4112634732/b010/vet.out");
	vet_config_release(&cfg);

	read_ok(&cfg, DIR "go126-xtest.cfg");
	assert_string_equal(cfg.id, "example.com/vetcfg/lib_test");
	assert_int_equal(cfg.ngo_files, 1);
	assert_string_equal(cfg.go_files[0], "/tmp/h-vetprobe/mod2/lib/lib_x_test.go");
	vet_config_release(&cfg);
}

static void dependency_is_vetx_only(void **state)
{
	struct vet_config cfg;

	read_ok(&cfg, DIR "go126-std-fmt.cfg");
	assert_true(cfg.vetx_only);
	assert_string_equal(cfg.import_path, "fmt");
	assert_null(cfg.module_path);
	assert_string_equal(cfg.go_version, "go1.26.8");
	assert_true(cfg.ngo_files >= 5);
	vet_config_release(&cfg);
}

static void older_toolchains(void **state)
{
	struct vet_config cfg;

	read_ok(&cfg, DIR "go125-lib.cfg");
	assert_string_equal(cfg.module_path, "example.com/vetcfg");
	assert_null(cfg.stdout_path); /* Stdout is new in Go 1.26 */
	assert_int_equal(cfg.ngo_files, 2);
	vet_config_release(&cfg);

	read_ok(&cfg, DIR "go122-lib.cfg");
	assert_null(cfg.module_path); /* not written by Go 1.22 */
	assert_null(cfg.stdout_path);
	assert_string_equal(cfg.go_version, "go1.21");
	assert_string_equal(cfg.vetx_output, "/tmp/go-build2209438226/b002/vet.out");
	assert_int_equal(cfg.ngo_files, 2);
	vet_config_release(&cfg);
}

static void parse_err(const char *text, const char *want)
{
	struct vet_config cfg;
	struct cw_error err = {""};

	assert_true(vet_config_parse(&cfg, text, strlen(text), &err) < 0);
	if (!strstr(err.msg, want))
		fail_msg("%s: got \"%s\", want \"%s\"", text, err.msg, want);
	assert_null(cfg.arena.head); /* nothing left to release */
}

static void rejects_bad_configs(void **state)
{
	struct vet_config cfg;
	struct cw_error err = {""};

	parse_err("[]", "not a JSON object");
	parse_err("{\"GoFiles\": \"a.go\"}", "field 'GoFiles': expected an array of strings");
	parse_err("{\"GoFiles\": [1]}", "field 'GoFiles'");
	parse_err("{\"GoFiles\": [\"a\\u0000b\"]}", "without NUL");
	parse_err("{\"VetxOnly\": \"yes\"}", "field 'VetxOnly': expected true or false");
	parse_err("{\"ImportMap\": {\"a\": 1}}", "field 'ImportMap'");
	parse_err("{\"Standard\": {\"fmt\": \"true\"}}", "field 'Standard'");
	parse_err("{\"Dir\": 7}", "field 'Dir': expected a string");
	parse_err("{\"Dir\": \"/x\",}", "offset 13: ");
	parse_err("{\"ID\": \"a\", \"ID\": \"b\"}", "duplicate key");

	/* Unknown fields and nulls are accepted. */
	assert_int_equal(vet_config_parse(&cfg, "{\"NewField\": [1], \"GoFiles\": null}", 34, &err),
			 0);
	assert_int_equal(cfg.ngo_files, 0);
	vet_config_release(&cfg);

	assert_true(vet_config_read(&cfg, DIR "does-not-exist.cfg", &err) < 0);
	assert_non_null(strstr(err.msg, "No such file"));
	assert_true(vet_config_read(&cfg, DIR, &err) < 0);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void go_versions(void **state)
{
	int ma = 0, mi = 0;

	assert_int_equal(vet_go_version_parse("go1.22", &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 122);
	assert_int_equal(vet_go_version_parse("go1.23.4", &ma, &mi), 0);
	assert_int_equal(mi, 23);
	assert_int_equal(vet_go_version_parse("go1.21rc2", &ma, &mi), 0);
	assert_int_equal(mi, 21);
	assert_int_equal(vet_go_version_parse("1.26.8", &ma, &mi), 0);
	assert_int_equal(mi, 26);
	assert_int_equal(vet_go_version_parse("go1", &ma, &mi), -EINVAL);
	assert_int_equal(vet_go_version_parse("go1.", &ma, &mi), -EINVAL);
	assert_int_equal(vet_go_version_parse("go1.x", &ma, &mi), -EINVAL);
	assert_int_equal(vet_go_version_parse("go1.22x", &ma, &mi), -EINVAL);
	assert_int_equal(vet_go_version_parse("", &ma, &mi), -EINVAL);
	assert_int_equal(vet_go_version_parse(NULL, &ma, &mi), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(go126_library_package),   cmocka_unit_test(go126_maps),
	    cmocka_unit_test(dependency_is_vetx_only), cmocka_unit_test(older_toolchains),
	    cmocka_unit_test(rejects_bad_configs),     cmocka_unit_test(go_versions),
	};
	return cmocka_run_group_tests_name("vetcfg", tests, NULL, NULL);
}
