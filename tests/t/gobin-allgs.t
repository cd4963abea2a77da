#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gobin_find_allgs against the Go toolchain and the running program: builds
# tests/fixtures/go/allgs with Go 1.22-1.26, plain / stripped / PIE / cgo (and arm64 cross
# builds), writes next to each binary what `go tool nm` says about runtime.allgs and
# runtime.allglen (unstripped binaries) and what the program itself prints through
# go:linkname (binaries that run here), then runs the cmocka test test_gobin_allgs over them
# (CHANWATCH_ALLGS_FIXTURES). Stripped binaries are laid out differently from their
# unstripped siblings (the build info differs), hence the program's own answer.
# cgo PIE binaries of Go <= 1.25 (externally linked) have no .gopclntab section: the table
# sits inside .data.rel.ro, where gobin_open finds it by its header.
# ALLGS_TOOLCHAINS="local go1.22.12" narrows the toolchains (default: all five).
. "$(dirname "$0")/tap.sh"

unit="${CHANWATCH_TESTS:-$CHANWATCH_OUTPUT/tests}/test_gobin_allgs"
if [ ! -x "$unit" ]; then
	skip "test_gobin_allgs is not built (make unit)"
	done_testing
	exit
fi
src="$TOP/tests/fixtures/go/allgs"
root="$CHANWATCH_OUTPUT/allgs-fixtures"
rm -rf "$root"
mkdir -p "$root"
export GOFLAGS=-mod=mod
have_gcc=0
command -v gcc >/dev/null 2>&1 && have_gcc=1

# build DIR ARCH CGO MODE LINKFLAGS (MODE: exe, strip, pie or piestrip)
build() {
	local dir=$1 arch=$2 cgo=$3 ld=$5 flags=()
	case $4 in
	strip | piestrip) ld="$ld -s -w" ;;
	esac
	case $4 in
	pie | piestrip) flags=(-buildmode=pie) ;;
	esac
	mkdir -p "$dir"
	(cd "$src" && GOARCH=$arch CGO_ENABLED=$cgo go build -o "$dir/bin" "${flags[@]}" \
		-ldflags="$ld" .) </dev/null >"$dir/build.log" 2>&1
}

toolchains=${ALLGS_TOOLCHAINS:-"local go1.22.12 go1.23.12 go1.24.13 go1.25.9"}
built=0
for tc in $toolchains; do
	export GOTOOLCHAIN=$tc
	if ! v=$(cd "$src" && go env GOVERSION 2>/dev/null) || [ -z "$v" ]; then
		skip "toolchain $tc cannot be fetched"
		continue
	fi
	# go:linkname to runtime.allgs needs -checklinkname=0 from Go 1.23 on (1.22 lacks the flag)
	ld=-checklinkname=0
	case $v in go1.22 | go1.22.*) ld= ;; esac
	while read -r kind arch cgo mode; do
		dir="$root/$v-$kind"
		if [ "$cgo" = 1 ] && [ "$have_gcc" = 0 ]; then
			skip "$v-$kind: no gcc for cgo"
			continue
		fi
		if ! build "$dir" "$arch" "$cgo" "$mode" "$ld"; then
			ok 1 "$v-$kind: go build"
			sed 's/^/#   /' "$dir/build.log" | head -n 20
			rm -rf "$dir"
			continue
		fi
		case $mode in
		exe | pie) go tool nm "$dir/bin" | grep -E ' runtime\.allg(s|len)$' >"$dir/nm.txt" ;;
		esac
		if [ "$arch" = "$(go env GOHOSTARCH)" ] && ! "$dir/bin" >"$dir/truth.txt" 2>"$dir/run.err"; then
			ok 1 "$v-$kind: the fixture runs"
			rm -rf "$dir"
			continue
		fi
		built=$((built + 1))
	done <<-'VARIANTS'
		plain amd64 0 exe
		strip amd64 0 strip
		pie amd64 0 pie
		piestrip amd64 0 piestrip
		cgo amd64 1 exe
		cgostrip amd64 1 strip
		cgopie amd64 1 pie
		cgopiestrip amd64 1 piestrip
		arm64 arm64 0 exe
		arm64strip arm64 0 strip
	VARIANTS
done
ok "$([ "$built" -gt 0 ] && echo 0 || echo 1)" "$built fixture binaries built"

CHANWATCH_ALLGS_FIXTURES="$root" CMOCKA_MESSAGE_OUTPUT=TAP "$unit" >"$TMP/unit.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	sed 's/^/#   /' "$TMP/unit.out" | grep -v '^#   ok' | head -n 80
fi
is "$rc" 0 "test_gobin_allgs passes on $built binaries"
done_testing
