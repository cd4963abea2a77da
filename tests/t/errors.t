#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input of every kind: one line naming what and where, exit status 2, never a crash.
. "$(dirname "$0")/tap.sh"

run "$CHANWATCH"
is "$rc" 2 "no command: usage error"
run "$CHANWATCH" --help
is "$rc" 0 "--help exits 0"
like "$out" "examples:" "--help shows examples"
run "$CHANWATCH" dump --help
is "$rc" 0 "dump --help exits 0"
like "$out" "chanwatch dump --diff" "dump --help shows a diff example"
run "$CHANWATCH" frobnicate
is "$rc" 2 "unknown command exits 2"
is "$err" "chanwatch: unknown command 'frobnicate' (see 'chanwatch --help')" "unknown command message"

run "$CHANWATCH" dump "$TMP/missing.txt"
is "$rc" 2 "missing file exits 2"
is "$err" "chanwatch: cannot read '$TMP/missing.txt': No such file or directory" "missing file message"

run "$CHANWATCH" dump "$TMP"
is "$rc" 2 "directory exits 2"
is "$err" "chanwatch: cannot read '$TMP': is a directory" "directory message"

: >"$TMP/empty.txt"
run "$CHANWATCH" dump "$TMP/empty.txt"
is "$rc" 2 "empty file exits 2"
is "$(printf '%s\n' "$err" | wc -l)" 1 "empty file: one line"
like "$err" "^chanwatch: '$TMP/empty.txt': line [0-9]+: " "empty file message names the file and line"

printf 'hello\nworld\n' >"$TMP/prose.txt"
run "$CHANWATCH" dump "$TMP/prose.txt"
is "$rc" 2 "a file with no dump exits 2"
like "$err" "^chanwatch: '$TMP/prose.txt': line [0-9]+: no goroutine" "no dump message"

printf 'goroutine x [running]:\nmain.main()\n\t/a.go:1 +0x1\n' >"$TMP/badid.txt"
run "$CHANWATCH" dump "$TMP/badid.txt"
is "$rc" 2 "malformed header exits 2"
like "$err" "^chanwatch: '$TMP/badid.txt': line 1: " "malformed header names line 1"

printf '\037\213garbage-not-gzip' >"$TMP/bad.pb.gz"
run "$CHANWATCH" dump "$TMP/bad.pb.gz"
is "$rc" 2 "broken gzip exits 2"
like "$err" "^chanwatch: '$TMP/bad.pb.gz': byte [0-9]+: " "broken gzip names a byte offset"

head -c 100000 /dev/urandom >"$TMP/random.bin"
run "$CHANWATCH" dump "$TMP/random.bin"
ok "$([ "$rc" -eq 2 ] && echo 0 || echo 1)" "random bytes exit 2 (got $rc)"

run "$CHANWATCH" dump --min-count abc x
is "$rc" 2 "bad --min-count exits 2"
is "$err" "chanwatch: --min-count takes a non-negative integer, not 'abc'" "bad --min-count message"
run "$CHANWATCH" dump --diff onlyone
is "$rc" 2 "--diff with one input exits 2"
run "$CHANWATCH" dump --bogus
is "$rc" 2 "unknown option exits 2"

run "$CHANWATCH" dump "http://127.0.0.1:1/debug/pprof/goroutine?debug=2"
is "$rc" 2 "unreachable URL exits 2"
like "$err" "^chanwatch: cannot read 'http://127.0.0.1:1/debug/pprof/goroutine\?debug=2': " "unreachable URL message"

done_testing
