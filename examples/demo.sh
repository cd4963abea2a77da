#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: build examples/leaky, start it, and let chanwatch analyse it live and across two snapshots.
#
#   examples/demo.sh BIN          BIN is the chanwatch binary (make demo passes .output/chanwatch)
#
# Fails if the example does not build or start, or if chanwatch reports an error (exit 2);
# chanwatch exiting 1 (suspects found) is the expected outcome.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 CHANWATCH_BIN" >&2
	exit 2
fi
bin=$1
root=$(cd "$(dirname "$0")/.." && pwd)
out=${CHANWATCH_OUTPUT:-$root/.output}/demo
mkdir -p "$out"
out=$(cd "$out" && pwd)

pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

# run_cw ARGS...: run chanwatch, accept 0 (clean) and 1 (suspects), fail on anything else
run_cw() {
	local rc=0
	"$bin" "$@" || rc=$?
	case $rc in
	0) echo "demo: chanwatch $1: no suspects (exit 0)" ;;
	1) echo "demo: chanwatch $1: suspects found (exit 1, expected)" ;;
	*)
		echo "demo: chanwatch $* failed with exit $rc" >&2
		exit 1
		;;
	esac
}

echo "demo: building examples/leaky into $out"
(cd "$root/examples/leaky" && go build -o "$out/leaky" .)

"$out/leaky" -interval 1s >"$out/leaky.log" 2>&1 &
pid=$!
addr=
for _ in $(seq 300); do # 30 s
	addr=$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$out/leaky.log")
	[ -n "$addr" ] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "demo: the example exited before listening:" >&2
		cat "$out/leaky.log" >&2
		exit 1
	fi
	sleep 0.1
done
if [ -z "$addr" ]; then
	echo "demo: the example did not print its listening line within 30 s" >&2
	exit 1
fi
url="http://$addr/debug/pprof/goroutine?debug=2"
echo "demo: example pid $pid listening on $addr"
sleep 2

echo
echo "demo: \$ chanwatch dump '$url'"
run_cw dump "$url"

curl -fsS -o "$out/first.txt" "$url"
sleep 4
curl -fsS -o "$out/second.txt" "$url"
echo
echo "demo: \$ chanwatch dump --diff $out/first.txt $out/second.txt"
run_cw dump --diff "$out/first.txt" "$out/second.txt"

# The same process read from its memory: no pprof endpoint needed, nothing stopped.
echo
echo "demo: \$ chanwatch ps --no-dump $pid   (the goroutines read from the process's memory)"
if "$bin" ps --no-dump "$pid" 2>"$out/ps.err"; then
	echo "demo: chanwatch ps: no suspects (exit 0)"
elif [ $? -eq 1 ]; then
	echo "demo: chanwatch ps: suspects found (exit 1, expected)"
elif grep -q "ptrace permission" "$out/ps.err"; then
	echo "demo: skipping chanwatch ps: $(head -n 1 "$out/ps.err")"
else
	echo "demo: chanwatch ps failed: $(head -n 1 "$out/ps.err")" >&2
	exit 1
fi
echo
echo "demo: \$ chanwatch ps --channels $pid"
"$bin" ps --channels "$pid" 2>/dev/null | sed -n '1,12p;$p' || true

# The same service under chanwatch trace: eBPF uprobes on its Go runtime, no pprof needed.
echo
cleanup
pid=
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: skipping chanwatch trace: it needs root (or CAP_BPF and CAP_PERFMON)"
	exit 0
fi
echo "demo: \$ chanwatch trace --leak-after 2s -- leaky -interval 500ms   (stopped after 6 s)"
timeout -s TERM 6 "$bin" trace --leak-after 2s --interval 0 --json "$out/trace.jsonl" \
	-- "$out/leaky" -interval 500ms >"$out/leaky-traced.log" 2>"$out/trace-report.txt" || true
if grep -q "cannot load BPF\|cannot attach" "$out/trace-report.txt"; then
	echo "demo: the kernel refused BPF here: $(head -n 1 "$out/trace-report.txt")"
	exit 0
fi
if ! grep -q '^pid ' "$out/trace-report.txt"; then
	echo "demo: chanwatch trace failed:" >&2
	cat "$out/trace-report.txt" >&2
	exit 1
fi
sed -n '/^pid /,$p' "$out/trace-report.txt" | sed -n '1,60p'
echo "demo: chanwatch trace: $(grep -c '"event":"leak"' "$out/trace.jsonl") leak events in $out/trace.jsonl; the service was stopped after 6 s"
