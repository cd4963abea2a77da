#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What `chanwatch trace` costs a running Go program, next to Go's own runtime/trace.
#
#   bench/trace/run.sh CHANWATCH [REPS]      (root: the tracer needs BPF)
#
# Builds bench/trace/work with the local Go toolchain, then runs each workload (fast: buffered
# ops that never block; pool: worker pipeline; pingpong: unbuffered round trips, GOMAXPROCS=1)
# plain, under runtime/trace (-rtrace), and under `CHANWATCH trace --leak-after 1h --`, REPS
# times each (default 3, interleaved), and prints the median ns/op of each, the ratios, and for
# pingpong the time added per park+wake. A fourth column runs `CHANWATCH trace --empty-probes`:
# the same uprobes with programs that return at once, the floor any uprobe tracer pays here, so
# that a MISS can be told apart from the kernel's trap cost. Targets, PASS/MISS:
#   fast      chanwatch no measurable slowdown: < 5% over plain
#   pool      chanwatch adds less than runtime/trace
#   pingpong  chanwatch adds <= 1 µs per park+wake
# Until CHANWATCH has a trace command (`CHANWATCH trace --help` exits 0) only plain and
# runtime/trace are measured. Not a test: numbers depend on the machine.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 CHANWATCH [REPS]" >&2
	exit 2
fi
cw=$1
reps=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-bench-trace.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
work=$tmp/work
(cd "$here/work" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$work" .)

have_trace=0
if "$cw" trace --help >/dev/null 2>&1; then
	have_trace=1
else
	echo "# $cw has no trace command yet: measuring plain and runtime/trace only"
fi
echo "# $(go version | cut -d' ' -f3), $(nproc) CPUs, kernel $(uname -r), median of $reps runs"

nsop() { # the ns/op of one run's output on stdin
	awk '{ for (i = 1; i < NF; i++) if ($i == "ns/op") print $(i + 1) }'
}
median() { # the median of the numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '%-9s %12s %12s %8s %12s %8s %12s %8s  %s\n' workload plain_ns/op rtrace_ns/op rt/plain \
	chanwatch cw/plain empty_probes ep/plain target
for w in fast pool pingpong; do
	: >"$tmp/$w.plain" >"$tmp/$w.rtrace" >"$tmp/$w.cw" >"$tmp/$w.floor"
	for ((r = 0; r < reps; r++)); do
		"$work" -w "$w" | nsop >>"$tmp/$w.plain"
		"$work" -w "$w" -rtrace "$tmp/rt.out" | nsop >>"$tmp/$w.rtrace"
		rm -f "$tmp/rt.out"
		if [ $have_trace = 1 ]; then
			if ! "$cw" trace --leak-after 1h -o "$tmp/cw.report" -- "$work" -w "$w" >"$tmp/cw.out"; then
				echo "# chanwatch trace failed on $w:" >&2
				sed 's/^/#   /' "$tmp/cw.report" >&2 || true
			fi
			nsop <"$tmp/cw.out" >>"$tmp/$w.cw"
			# The same probes, each returning at once: what the uprobe traps alone cost.
			"$cw" trace --empty-probes --leak-after 1h -o /dev/null -- "$work" -w "$w" |
				nsop >>"$tmp/$w.floor"
		fi
	done
	p=$(median <"$tmp/$w.plain")
	spread=$(sort -g "$tmp/$w.plain" | awk '{ v[NR] = $1 } END { printf "%.1f", NR ? (v[NR] - v[1]) / v[int((NR + 1) / 2)] * 100 : 0 }')
	t=$(median <"$tmp/$w.rtrace")
	c=nan
	f=nan
	if [ $have_trace = 1 ]; then
		c=$(median <"$tmp/$w.cw")
		f=$(median <"$tmp/$w.floor")
	fi
	pw=$("$work" -w "$w" -n 1000 | awk '{ for (i = 1; i < NF; i++) if ($i == "parkwakes/op") print $(i + 1) }')
	awk -v w="$w" -v p="$p" -v t="$t" -v c="$c" -v f="$f" -v pw="${pw:-0}" -v have="$have_trace" 'BEGIN {
		target = "-"
		if (have && c == c + 0) {
			if (w == "fast")
				target = (c / p < 1.05 ? "PASS" : "MISS") sprintf(" (<5%%: %+.1f%%)", (c / p - 1) * 100)
			else if (w == "pool")
				target = (c - p < t - p ? "PASS" : "MISS") sprintf(" (adds %.0f ns/op, runtime/trace %.0f, empty probes %.0f)", c - p, t - p, f - p)
			else if (w == "pingpong")
				target = ((c - p) / pw / 1000 <= 1 ? "PASS" : "MISS") sprintf(" (<=1 us per park+wake: %.3f us; empty probes %.3f us)", (c - p) / pw / 1000, (f - p) / pw / 1000)
			cs = sprintf("%12.1f %8.3f %12.1f %8.3f", c, c / p, f, f / p)
		} else
			cs = sprintf("%12s %8s %12s %8s", "-", "-", "-", "-")
		printf "%-9s %12.1f %12.1f %8.3f %s  %s\n", w, p, t, t / p, cs, target
		if (pw > 0)
			extra = extra sprintf("# %s: %d park+wake pairs per op; runtime/trace adds %.3f us per park+wake", w, pw, (t - p) / pw / 1000) \
				(have ? sprintf(", chanwatch trace %.3f us, of which the empty probes %.3f us", (c - p) / pw / 1000, (f - p) / pw / 1000) : "")
		if (extra != "") print extra
	}'
	echo "# $w: plain runs spread ${spread}% (max-min over median): differences below that are noise"
done
