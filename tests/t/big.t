#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Big inputs: a regular file over 4 MiB is mapped, a pipe is streamed; both must give the
# same analysis, and peak memory must stay flat.
. "$(dirname "$0")/tap.sh"

one="$TOP/tests/golden/dump/go126-stack.txt"
# ~12 MB: the dump's goroutines 800 times over (IDs repeat; the analysis does not care).
for _ in $(seq 800); do cat "$one"; echo; done >"$TMP/big.txt"
size=$(stat -c %s "$TMP/big.txt")
ok "$([ "$size" -gt 8000000 ] && echo 0 || echo 1)" "big input is $size bytes"

run "$CHANWATCH" dump --json --no-source "$TMP/big.txt"
from_file=$(printf '%s' "$out" | grep -v '"name"')
is "$rc" 1 "mapped file: suspects found"
"$CHANWATCH" dump --json --no-source - <"$TMP/big.txt" >"$TMP/pipe.json" 2>"$TMP/err"
is "$(grep -v '"name"' "$TMP/pipe.json")" "$from_file" "mapped file and pipe give the same analysis"
like "$from_file" '"goroutines": 12000,' "all 12000 goroutines counted"

if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$TMP/rss" "$CHANWATCH" dump --no-source "$TMP/big.txt" >/dev/null
	rss=$(tail -n 1 "$TMP/rss")
	ok "$([ "$rss" -lt 65536 ] && echo 0 || echo 1)" "peak RSS ${rss} KiB stays under 64 MiB"
else
	skip "/usr/bin/time not installed"
fi

# Truncated in the middle of a record: reported, not silently half-read.
# Cut inside a goroutine: its last frame line lacks its newline.
{ head -c $((size / 2)) "$TMP/big.txt"; printf 'goroutine 7 [chan receive]:\nmain.f()\n\t/src/a.go:1'; } >"$TMP/cut.txt"
run "$CHANWATCH" dump --json --no-source "$TMP/cut.txt"
like "$err" "^chanwatch: warning: '$TMP/cut.txt': input is truncated: " "truncation is warned about"
like "$out" '"truncated": true' "truncation is in the JSON"
done_testing
