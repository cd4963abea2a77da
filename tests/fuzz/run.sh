#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs each libFuzzer target for SECONDS on its seed corpus (tests/fuzz/corpus/NAME/).
# New inputs go to a scratch corpus under .output/, never into the tree.
# usage: tests/fuzz/run.sh SECONDS FUZZER...
set -euo pipefail
secs=$1
shift
status=0
for bin in "$@"; do
	name=$(basename "$bin")
	seeds="tests/fuzz/corpus/$name"
	work="$(dirname "$bin")/corpus-$name"
	mkdir -p "$work"
	printf 'fuzz %-16s %ss ... ' "$name" "$secs"
	dirs=("$work")
	[ -d "$seeds" ] && dirs+=("$seeds")
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 "${dirs[@]}" >"$work.log" 2>&1; then
		runs=$(grep -m1 'stat::number_of_executed_units' "$work.log" | awk '{print $2}')
		echo "ok (${runs:-?} runs)"
	else
		echo "FAILED (see $work.log)"
		tail -n 30 "$work.log"
		status=1
	fi
done
exit $status
