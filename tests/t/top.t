#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# chanwatch top on a running Go program (tests/fixtures/go/psfix): frames with the blocking
# sites and their counts, refreshed; bad PIDs rejected in one line.
. "$(dirname "$0")/tap.sh"

src="$TOP/tests/fixtures/go/psfix"
out="$CHANWATCH_OUTPUT/fixtures/top"
mkdir -p "$out"
bin="$out/psfix"
if ! (cd "$src" && CGO_ENABLED=0 go build -o "$bin" .) >"$TMP/build.log" 2>&1; then
	ok 1 "build psfix"
	sed 's/^/#   /' "$TMP/build.log"
	done_testing
	exit
fi
"$bin" >"$TMP/fixture.out" 2>&1 &
fixture=$!
trap 'kill $fixture 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do grep -q '^ready' "$TMP/fixture.out" && break; sleep 0.05; done

"$CHANWATCH" top -n 2 --interval 0.2 "$fixture" >"$TMP/top.txt" 2>"$TMP/top.err"
ok $? "top -n 2 exits 0"
is "$(grep -c '^chanwatch top: process' "$TMP/top.txt")" 2 "two frames"
like "$(cat "$TMP/top.txt")" '\*[[:space:]]+12[[:space:]]+chan-range[[:space:]]+main\.worker  main\.go:31' \
	"the 12 workers' site, marked as a suspect"
like "$(sed -n '/every/,$p' "$TMP/top.txt")" '\(\+0\)' "the second frame says what changed"
if grep -q $'\033' "$TMP/top.txt"; then ok 1 "no colour when not on a terminal"; else ok 0 "no colour when not on a terminal"; fi

"$CHANWATCH" top -n 1 999999 >/dev/null 2>"$TMP/err"
is "$?" 2 "a PID with no process: exit 2"
is "$(wc -l <"$TMP/err")" 1 "one line"
like "$(cat "$TMP/err")" "process 999999 does not exist" "naming the process"
"$CHANWATCH" top -n 1 abc >/dev/null 2>"$TMP/err"
is "$?" 2 "'abc' is not a PID: exit 2"
done_testing
