#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The tracer's loader on a real Go program, per toolchain and build mode: uprobes placed from
# the binary (symbols or stripped pclntab, cgo), events with the right channels and goroutines.
# Needs BPF: the test binary skips with the reason where the kernel refuses, and fails
# instead when CHANWATCH_REQUIRE_BPF=1 (as .ci/run sets).
. "$(dirname "$0")/tap.sh"

test_trace="${CHANWATCH_TESTS:-$CHANWATCH_OUTPUT/tests}/test_trace"
if [ ! -x "$test_trace" ]; then
	skip "$test_trace not built (make unit builds it)"
	done_testing
	exit
fi
src="$TOP/tests/fixtures/go/tracechans"
out="$CHANWATCH_OUTPUT/fixtures/trace"
mkdir -p "$out"

for tc in local go1.25.9 go1.24.13 go1.23.12 go1.22.12; do
	for mode in plain stripped pie cgo; do
		bin="$out/tracechans-$tc-$mode"
		case $mode in
		plain) flags=() env=(CGO_ENABLED=0) ;;
		stripped) flags=(-ldflags=-s\ -w) env=(CGO_ENABLED=0) ;;
		pie) flags=(-buildmode=pie) env=(CGO_ENABLED=0) ;;
		cgo) flags=(-ldflags=-linkmode=external) env=(CGO_ENABLED=1) ;;
		esac
		if ! (cd "$src" && env GOTOOLCHAIN="$tc" "${env[@]}" go build "${flags[@]}" -o "$bin" . \
			>"$TMP/build.log" 2>&1); then
			if grep -qiE "download|toolchain|dial|lookup" "$TMP/build.log"; then
				skip "toolchain $tc unavailable"
				continue
			fi
			ok 1 "build tracechans with $tc ($mode)"
			sed 's/^/#   /' "$TMP/build.log"
			continue
		fi
		CHANWATCH_TRACE_FIXTURE="$bin" "$test_trace" >"$TMP/log" 2>&1
		rc=$?
		if grep -q "SKIPPED" "$TMP/log" && [ "${CHANWATCH_REQUIRE_BPF:-0}" != 1 ]; then
			skip "$tc $mode: $(grep -m1 '# skip' "$TMP/log" || echo 'BPF unavailable')"
			continue
		fi
		ok "$rc" "trace $tc $mode build: make, close, park, wake and exit events"
		[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TMP/log" | tail -n 15
	done
done
done_testing
