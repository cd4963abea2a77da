#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dump --pprof FILE: the suspects as a profile that `go tool pprof` opens.
. "$(dirname "$0")/tap.sh"

if ! command -v go >/dev/null; then
	skip "go not installed: cannot check the profile with go tool pprof"
	done_testing
	exit
fi
dump="$TOP/tests/golden/dump/go126-stack.txt"
run "$CHANWATCH" dump --min-count 1 --no-source --pprof "$TMP/s.pb.gz" "$dump"
is "$rc" 1 "suspects found"
ok "$([ -s "$TMP/s.pb.gz" ] && echo 0 || echo 1)" "profile written"
run go tool pprof -raw "$TMP/s.pb.gz"
is "$rc" 0 "go tool pprof reads it"
like "$out" "PeriodType: goroutine count" "period type goroutine/count"
run go tool pprof -top -nodecount=100 "$TMP/s.pb.gz"
like "$out" "main.blockAll.func5" "select {} suspect is in the profile"
like "$out" "main.blockAll.func3" "nil-chan receive suspect is in the profile"
nsuspects=$("$CHANWATCH" dump --min-count 1 --no-source --json "$dump" | grep -c '"rank"')
total=$(go tool pprof -raw "$TMP/s.pb.gz" | awk '/^Samples:/{s=1;next} /^Locations/{s=0} s && /^ +[0-9]+:/{n++} END{print n+0}')
is "$total" "$nsuspects" "one sample per suspect"
run go tool pprof -tags "$TMP/s.pb.gz"
like "$out" "^ *class: Total" "class label"
like "$out" "[0-9]+ \\( *[0-9.]+%\\): select-no-cases" "class label value"
like "$out" "[0-9]+ \\( *[0-9.]+%\\): forever" "reason label value"

run "$CHANWATCH" dump --pprof /nonexistent/dir/x.pb.gz "$dump"
is "$rc" 2 "unwritable --pprof path exits 2"
like "$err" "^chanwatch: cannot write '/nonexistent/dir/x.pb.gz': " "unwritable path message"
done_testing
