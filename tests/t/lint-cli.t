#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# chanwatch lint from the command line: patterns, bad input, --watch-file, and the go vet
# -vettool protocol driven by the real go command (Go 1.26 asks for -json; Go 1.22 reads
# stderr), on a tiny module with one planted leak and a clean one.
. "$(dirname "$0")/tap.sh"

cases="$TOP/tests/lint/cases"

# Bad input: one line naming it, exit 2.
out=$("$CHANWATCH" lint "$TMP/nope" 2>&1)
is "$?" 2 "missing path: exit 2"
like "$out" "^chanwatch: cannot read '$TMP/nope': No such file" "missing path: named"
is "$(printf '%s\n' "$out" | wc -l)" 1 "missing path: one line"
mkdir -p "$TMP/empty"
out=$("$CHANWATCH" lint "$TMP/empty/..." 2>&1)
is "$?" 2 "no Go files: exit 2"
like "$out" "matched no Go files" "no Go files: said"
out=$("$CHANWATCH" lint --json --sarif "$cases/CW101" 2>&1)
is "$?" 2 "--json with --sarif: exit 2"

# Statements outside any function (a syntax error tree-sitter recovers from) are not a crash:
# fuzz_lint found a NULL dereference for a close under a count test there.
mkdir -p "$TMP/broken"
printf 'package p\n\nif len(a) == len(b) {\n\tclose(x)\n\tx <- 1\n\tgo func() { x <- 2 }()\n}\n' >"$TMP/broken/a.go"
"$CHANWATCH" lint -q "$TMP/broken/a.go" >/dev/null 2>&1
rc=$?
ok "$([ "$rc" -le 1 ]; echo $?)" "statements outside a function: no crash (exit $rc)"

# Patterns: a file, a directory, dir/..., and ./... from inside.
n_file=$("$CHANWATCH" lint -q "$cases/CW101/pos_range.go" | wc -l)
n_dir=$("$CHANWATCH" lint -q "$cases/CW101" | wc -l)
ok "$([ "$n_file" -ge 1 ] && [ "$n_file" -le "$n_dir" ]; echo $?)" "a single file is linted ($n_file of $n_dir findings)"
# ./... recurses into packages of this module and stops at nested modules, as go does.
mkdir -p "$TMP/rec/a/b" "$TMP/rec/nested"
printf 'module example.com/rec\n\ngo 1.22\n' >"$TMP/rec/go.mod"
leak='func f() { ch := make(chan int); for range ch {} }'
printf 'package rec\n%s\n' "$leak" >"$TMP/rec/rec.go"
printf 'package a\n%s\n' "$leak" >"$TMP/rec/a/a.go"
printf 'package b\n%s\n' "$leak" >"$TMP/rec/a/b/b.go"
printf 'module example.com/nested\n\ngo 1.22\n' >"$TMP/rec/nested/go.mod"
printf 'package nested\n%s\n' "$leak" >"$TMP/rec/nested/n.go"
n_all=$(cd "$TMP/rec" && "$CHANWATCH" lint -q ./... | grep -c CW101)
n_rec=$("$CHANWATCH" lint -q "$TMP/rec/..." | grep -c CW101)
is "$n_all" 3 "./... covers the module's three packages, not the nested module"
is "$n_rec" "$n_all" "DIR/... finds what ./... from inside finds"
is "$("$CHANWATCH" lint -q "$TMP/rec/nested/..." | grep -c CW101)" 1 "the nested module is linted when named"
mkdir -p "$TMP/gopath/m1" "$TMP/gopath/m2"
for m in m1 m2; do
	printf 'module example.com/%s\n\ngo 1.22\n' $m >"$TMP/gopath/$m/go.mod"
	printf 'package %s\n%s\n' $m "$leak" >"$TMP/gopath/$m/$m.go"
done
is "$("$CHANWATCH" lint -q "$TMP/gopath/..." | grep -c CW101)" 2 "outside any module (a GOPATH tree) every module is walked"
ln -s "$TMP/rec/a" "$TMP/rec/link"
is "$(cd "$TMP/rec" && "$CHANWATCH" lint -q ./... | grep -c CW101)" 3 "symbolic links to directories are not followed"
line=$("$CHANWATCH" lint -q "$cases/CW101" | head -n 1)
like "$line" '^/.*/pos_range\.go:[0-9]+:[0-9]+: .+ \(CW101\)$' "text findings read file:line:col: message (CWnnn)"
mkdir -p "$TMP/mod/vendor/x" "$TMP/mod/testdata"
printf 'package x\nfunc f() { ch := make(chan int); for range ch {} }\n' >"$TMP/mod/vendor/x/x.go"
cp "$TMP/mod/vendor/x/x.go" "$TMP/mod/testdata/x.go"
printf 'package mod\n' >"$TMP/mod/mod.go"
out=$("$CHANWATCH" lint -q "$TMP/mod/...")
is "$?" 0 "vendor/ and testdata/ are skipped"

# --watch-file: the annotated make sites as JSON.
"$CHANWATCH" lint -q --watch-file "$TMP/watch.json" "$cases/CW100" >/dev/null
like "$(tr -d ' \n' <"$TMP/watch.json")" '"schema":"chanwatch.watch/v1"' "--watch-file writes its schema"
like "$(tr -d ' \n' <"$TMP/watch.json")" '"label":"[a-z]+".*"timeout_ns":[0-9]+' "--watch-file has label and timeout"

# go vet -vettool, with the local Go and with Go 1.22 (older vet protocol).
if ! command -v go >/dev/null; then
	skip "go is not installed"
	done_testing
	exit
fi
mkdir -p "$TMP/vet/bad" "$TMP/vet/good"
cat >"$TMP/vet/bad/go.mod" <<'GOMOD'
module example.com/bad

go 1.22
GOMOD
sed 's/bad/good/' "$TMP/vet/bad/go.mod" >"$TMP/vet/good/go.mod"
cat >"$TMP/vet/bad/leak.go" <<'GO'
package bad

import (
	"context"
	"errors"
)

func fetch(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		ch <- 42
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, errors.New("timeout")
	}
}
GO
sed 's/package bad/package good/; s/make(chan int)/make(chan int, 1)/' "$TMP/vet/bad/leak.go" >"$TMP/vet/good/leak.go"
for tc in local go1.22.12; do
	export GOTOOLCHAIN=$tc GOFLAGS=-mod=mod GOCACHE="$TMP/gocache-$tc"
	out=$(cd "$TMP/vet/bad" && go vet -vettool="$CHANWATCH" ./... 2>&1)
	st=$?
	if [ "$tc" != local ] && printf '%s' "$out" | grep -q 'toolchain not available\|download'; then
		skip "$tc cannot be fetched here"
		continue
	fi
	ok "$([ $st -ne 0 ]; echo $?)" "go vet ($tc) fails on the planted leak"
	like "$out" 'leak\.go:11:3: goroutine may block forever sending on ch.*\(CW102\)' "go vet ($tc) prints the finding"
	out=$(cd "$TMP/vet/good" && go vet -vettool="$CHANWATCH" ./... 2>&1)
	is "$?" 0 "go vet ($tc) passes the fixed code"
	is "$out" "" "go vet ($tc) prints nothing for it"
done
unset GOTOOLCHAIN GOFLAGS GOCACHE
done_testing
