#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden pairs through the CLI: every parser input against its records, every output
# format (text, JSON) against its expected file. Run from the top so names are relative.
. "$(dirname "$0")/tap.sh"
cd "$TOP"

for input in tests/golden/dump/*.txt tests/golden/pprof/*.pb.gz; do
	[ -e "$input" ] || continue
	want="${input%.txt}"
	want="${want%.pb.gz}.records.jsonl"
	[ -e "$want" ] || continue
	"$CHANWATCH" dump --records "$input" >"$TMP/got" 2>"$TMP/err"
	same_file "$TMP/got" "$want" "records of $input"
done

# tests/golden/analysis/NAME.args holds the arguments; NAME.out the expected stdout, and
# NAME.rc the expected exit status.
for args in tests/golden/analysis/*.args; do
	[ -e "$args" ] || continue
	base="${args%.args}"
	# shellcheck disable=SC2046
	"$CHANWATCH" $(cat "$args") >"$TMP/got" 2>"$TMP/err"
	rc=$?
	same_file "$TMP/got" "$base.out" "output of chanwatch $(cat "$args")"
	is "$rc" "$(cat "$base.rc")" "exit status of chanwatch $(cat "$args")"
done

# tests/golden/analysis/NAME.pprof-args: the suspects profile (--pprof) read back as records.
for args in tests/golden/analysis/*.pprof-args; do
	[ -e "$args" ] || continue
	base="${args%.pprof-args}"
	# shellcheck disable=SC2046
	"$CHANWATCH" $(cat "$args") --pprof "$TMP/s.pb.gz" >/dev/null 2>"$TMP/err"
	"$CHANWATCH" dump --records "$TMP/s.pb.gz" >"$TMP/got" 2>>"$TMP/err"
	same_file "$TMP/got" "$base.pprof.records.jsonl" "suspects profile of chanwatch $(cat "$args")"
done
done_testing
