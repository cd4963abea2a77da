#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Go-binary reader (src/gobin) against the Go toolchain's own answers: builds
# tests/fixtures/go/gobin with Go 1.22-1.26, plain / stripped / PIE / cgo (and arm64 cross
# builds; cgo PIE is externally linked: before Go 1.26 its pclntab has no section of its
# own), writes next to each binary what `go version -m`, `go tool nm`, `go tool addr2line`
# and the running program (runtime.CallersFrames) say, then runs the cmocka test test_gobin
# over them (CHANWATCH_GOBIN_FIXTURES).
# GOBIN_TOOLCHAINS="go1.26 go1.22.12" narrows the toolchains (default: all five).
. "$(dirname "$0")/tap.sh"

unit="$(dirname "$CHANWATCH")/tests/test_gobin"
[ -x "$unit" ] || unit="$CHANWATCH_OUTPUT/tests/test_gobin"
if [ ! -x "$unit" ]; then
	skip "test_gobin is not built (make unit)"
	done_testing
	exit
fi
src="$TOP/tests/fixtures/go/gobin"
root="$CHANWATCH_OUTPUT/gobin-fixtures"
rm -rf "$root"
mkdir -p "$root"
export GOFLAGS=-mod=mod

# expectations NAME: nm.txt (from the binary, or its unstripped sibling), addr2line.txt,
# frames.txt when the binary runs here, buildinfo.txt
expectations() {
	local d=$1 sibling=$2 quantum=$3
	go version -m "$d/bin" </dev/null >"$d/buildinfo.txt" || return 1
	if [ -n "$sibling" ]; then
		cp "$root/$sibling/nm.txt" "$d/nm.txt"
	else
		go tool nm -size -sort address "$d/bin" >"$d/nm.txt" || return 1
	fi
	: >"$d/pcs.txt"
	if [ -f "$d/meta" ] && grep -q '^native 1' "$d/meta"; then
		"$d/bin" -frames </dev/null >"$d/frames.txt" || return 1
		awk '$1 == "frame" { print $2 }' "$d/frames.txt" >>"$d/pcs.txt"
	fi
	# every main.* function and every 9th other one: its entry and its middle
	perl -ne 'my ($a, $s, $t, $n) = split " ", $_, 4;
		next unless ($t eq "T" || $t eq "t") && $s > 0 && ($n =~ /^main\./ || $. % 9 == 0);
		$a = hex($a); printf "0x%x\n0x%x\n", $a, $a + int($s / 2 / '"$quantum"') * '"$quantum"';' \
		"$d/nm.txt" >>"$d/pcs.txt"
	# Go 1.26 `go tool addr2line` misplaces stripped cgo binaries (it takes .text for
	# runtime.text), so stripped binaries are asked through their unstripped sibling, whose
	# text is laid out the same (test_gobin checks that against nm).
	local asked="$d/bin"
	[ -n "$sibling" ] && asked="$root/$sibling/bin"
	go tool addr2line "$asked" <"$d/pcs.txt" >"$d/a2l.raw" || return 1
	paste "$d/pcs.txt" <(paste - - <"$d/a2l.raw") >"$d/addr2line.txt"
}

# build NAME ARCH CGO MODE (MODE: exe, strip or pie)
build() {
	local name=$1 arch=$2 cgo=$3 flags=()
	case $4 in
	strip) flags=(-ldflags="-s -w") ;;
	pie) flags=(-buildmode=pie) ;;
	piestrip) flags=(-buildmode=pie -ldflags="-s -w") ;;
	esac
	mkdir -p "$root/$name"
	(cd "$src" && GOARCH=$arch CGO_ENABLED=$cgo go build -o "$root/$name/bin" "${flags[@]}" .) </dev/null \
		>"$root/$name/build.log" 2>&1
}

toolchains=${GOBIN_TOOLCHAINS:-"local go1.22.12 go1.23.12 go1.24.13 go1.25.9"}
built=0
for tc in $toolchains; do
	export GOTOOLCHAIN=$tc
	if ! v=$(cd "$src" && go env GOVERSION 2>/dev/null) || [ -z "$v" ]; then
		skip "toolchain $tc cannot be fetched"
		continue
	fi
	# name arch cgo native sibling mode
	while read -r kind arch cgo native sibling mode; do
		name="$v-$kind"
		[ "$sibling" = - ] && sibling="" || sibling="$v-$sibling"
		if ! build "$name" "$arch" "$cgo" "$mode"; then
			ok 1 "$name: go build"
			sed 's/^/#   /' "$root/$name/build.log" | head -n 20
			continue
		fi
		ldflags=
		case $mode in *strip) ldflags="-s -w" ;; esac
		printf 'native %s\narch %s\ncgo %s\nstripped %s\nldflags %s\ngoversion %s\n' \
			"$native" "$arch" "$cgo" "$([ -n "$sibling" ] && echo 1 || echo 0)" \
			"$ldflags" "$v" >"$root/$name/meta"
		case $mode in pie*) echo "buildmode pie" >>"$root/$name/meta" ;; esac
		[ -n "$sibling" ] && echo "sibling $sibling" >>"$root/$name/meta"
		q=1
		[ "$arch" = arm64 ] && q=4
		if expectations "$root/$name" "$sibling" "$q"; then
			built=$((built + 1))
		else
			ok 1 "$name: expectations from the Go toolchain"
			rm -rf "${root:?}/$name"
		fi
	done <<-'VARIANTS'
		plain amd64 0 1 - exe
		strip amd64 0 1 plain strip
		pie amd64 0 1 - pie
		piestrip amd64 0 1 pie piestrip
		cgo amd64 1 1 - exe
		cgostrip amd64 1 1 cgo strip
		cgopie amd64 1 1 - pie
		cgopiestrip amd64 1 1 cgopie piestrip
		arm64 arm64 0 0 - exe
		arm64strip arm64 0 0 arm64 strip
	VARIANTS
done
ok "$([ "$built" -gt 0 ] && echo 0 || echo 1)" "$built fixture binaries built"

CHANWATCH_GOBIN_FIXTURES="$root" CMOCKA_MESSAGE_OUTPUT=TAP "$unit" >"$TMP/unit.out" 2>&1
rc=$?
sed 's/^/#   /' "$TMP/unit.out" | grep -v '^#   ok' | head -n 60
is "$rc" 0 "test_gobin passes on $built binaries"
done_testing
