#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a full goroutine snapshot of a live Go process costs: `chanwatch ps PID` next to fetching
# /debug/pprof/goroutine?debug=2 from the same process (issue 5).
#
#   bench/ps/run.sh [CHANWATCH] [REPS]      (reading another process's memory needs ptrace rights)
#
# Builds tests/fixtures/go/psbench into .output/bench/ with the local Go, then for each N in
# $SIZES starts it with N parked goroutines and, REPS times (default 3), interleaved:
#   debug2      reset the fixture's latency probe, time `curl .../goroutine?debug=2`, read the probe
#   idle        reset, sleep as long as that fetch took, read the probe: the noise floor of the
#               machine over the same window (a shared 2-CPU box wakes a 100 µs sleeper late too)
#   ps          reset, time `CHANWATCH ps $PS_ARGS PID`, read the probe
#   ps-json     the same with --json
#   ps-dump     the same with --no-analysis: the dump alone, what debug=2 gives
#   idle-ps     reset, sleep as long as `ps` took, read the probe
#   busy-ps     reset, keep one CPU busy (a shell loop) as long as `ps` took, read the probe:
#               what any program using a CPU that long costs the target on this machine
# ps, ps-dump, idle-ps and busy-ps run WINDOWS times (3) in each rep: at 1M goroutines the
# noise floor of a 3 s window on this VM swings from 0.3 to 10 ms (perf sched shows the probe's
# vCPU idle while its timer was due: the host woke it late, with a shell loop as with ps), so the
# pause medians need more windows than the 30 s debug=2 fetch can afford.
#   debug1      the same as debug2 for ?debug=1, for reference: Go collects it concurrently (one
#               short stop-the-world) but only counts goroutines per stack, without their states
# The probe is a thread in the target that wakes every 100 µs (nanosleep on a locked OS thread)
# and records how late each wake-up was; a stop-the-world or a ptrace stop shows up there. As
# root it runs SCHED_FIFO (-probe-rt), so other processes on the CPUs hardly make it late: on a
# loaded 2-CPU box that takes the idle floor over a few seconds from 5-15 ms down to ~1-2 ms.
# Before each window the target collects its garbage and returns it to the OS (the fixture's
# /gc, not timed): its own GC cycles, started by what debug=1 and debug=2 allocate, made the
# probe up to 125 ms late at 1M goroutines in whichever window came next. The gc column counts
# cycles that still ran in the windows of a tool (summed over the runs). Then it waits SETTLE
# seconds (4): this VM hands freed memory back to its host (virtio-balloon free page reporting)
# about 2 s after a large free, such as the exit of the previous tool or the GC itself. Dump
# windows that began right after `ps --json` exited saw 61 and 155 ms pauses in 2 of 4 runs,
# and at most 3.0 ms in 4 runs with the wait.
# Every timed run writes its output to /dev/null; on the last rep each tool runs once more,
# untimed, into a file in TMPDIR, for the output size and the goroutine count.
# A control probe runs in a process of its own (psbench -n 0), pinned with the target's probe
# to CPU PROBE_CPU (0): both wake on the same timer interrupts, so what delays the CPU itself
# delays both, and target minus control is the target's own pause. In one bench run the two
# agreed within 0.1 ms in 73 of 84 windows, 11.6 ms pauses included (docs/ps-bench.md).
# Prints per N and tool: median seconds, debug2/tool ratio, output bytes, the probe's max pause
# (median and worst over the windows), p99, the control's max pause, the median over the
# windows of target minus control (added), and the goroutines in the output; then every
# window's pauses. Targets, PASS/MISS:
#   speed   debug2 seconds / ps seconds >= 10 (same run, medians)
#   pause   added <= 1 ms (PROBE_CPU=none: no control, and ps's median max pause <= idle-ps's
#           + 1 ms instead); the pause over idle-ps and busy-ps is shown too
#   count   ps shows the debug=2 goroutines within 64 (when debug=2 is whole; runtime/pprof
#           cuts debug=2 at 64 MiB, ~150k goroutines, and then ps is held to >= N instead)
# Until CHANWATCH has a ps command (`CHANWATCH ps --help` exits 0) only debug=2 and idle are
# measured. Environment: SIZES ("100000 1000000"), SETTLE (4), WINDOWS (3), PROBE_CPU (0 or
# none), PS_ARGS (extra ps flags, e.g. --pause), TOOL_TIMEOUT seconds per timed run (600),
# OUT_LIMIT_MB per untimed output file (2048; a run that writes more is killed), PROBE_RT (auto:
# SCHED_FIFO probes when root; 0: never), READY_TIMEOUT seconds for the fixture to park its
# goroutines (180), BENCH_OUTPUT (.output; the fixture is built into BENCH_OUTPUT/bench/),
# TMPDIR (where the untimed outputs go, one at a time).
# The 1M fixture needs ~3 GiB of RSS; one debug=2 fetch of it takes ~35 s with the world stopped
# for ~10 s at a time. Not a test: numbers depend on the machine and what else runs on it.
set -euo pipefail

if [ $# -gt 2 ] || [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	echo "usage: $0 [CHANWATCH] [REPS]" >&2
	exit 2
fi
cw=${1:-}
reps=${2:-3}
case $reps in '' | *[!0-9]* | 0)
	echo "bench: REPS must be a positive integer" >&2
	exit 2
	;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
sizes=${SIZES:-"100000 1000000"}
ps_args=${PS_ARGS:-}
ready_timeout=${READY_TIMEOUT:-180}
settle=${SETTLE:-4}
windows=${WINDOWS:-3}
case $windows in '' | *[!0-9]* | 0)
	echo "bench: WINDOWS must be a positive integer" >&2
	exit 2
	;;
esac
tool_timeout=${TOOL_TIMEOUT:-600}
out_limit_mb=${OUT_LIMIT_MB:-2048}
probe_flags=
probe_desc="probe thread at normal priority"
if [ "${PROBE_RT:-auto}" != 0 ] && [ "$(id -u)" = 0 ]; then
	probe_flags=-probe-rt
	probe_desc="probe thread SCHED_FIFO"
fi
probe_cpu=${PROBE_CPU:-0}
case $probe_cpu in none) ;; '' | *[!0-9]*)
	echo "bench: PROBE_CPU must be a CPU number or none" >&2
	exit 2
	;;
*) probe_flags="$probe_flags -probe-cpu $probe_cpu" probe_desc="$probe_desc on CPU $probe_cpu" ;;
esac
out=${BENCH_OUTPUT:-$root/.output}/bench
mkdir -p "$out"
for tool in curl go; do
	if ! command -v $tool >/dev/null; then
		echo "bench: $tool not found" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-bench-ps.XXXXXX")
fx_pid=
ctl_pid=
cleanup() {
	local p
	for p in $fx_pid $ctl_pid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fx=$out/psbench
echo "bench: building the fixture with $(go version | cut -d' ' -f3)" >&2
(cd "$root/tests/fixtures/go/psbench" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go build -o "$fx" .)

have_ps=0
if [ -n "$cw" ] && "$cw" ps --help >/dev/null 2>&1; then
	have_ps=1
elif [ -n "$cw" ]; then
	echo "# '$cw ps --help' failed: chanwatch has no ps command yet; measuring debug=2 and idle only"
else
	echo "# no CHANWATCH given: measuring debug=2 and idle only"
fi
echo "# $(go version | cut -d' ' -f3) fixture, $(nproc) CPUs, kernel $(uname -r), median of $reps runs ($windows windows each of ps, ps-dump, idle-ps and busy-ps per run), $probe_desc," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
jnum() { # jnum KEY < JSON: one integer field of the probe's flat JSON object
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

base=
ctl_base=
probe_reset() { # a whole GC first, so no cycle of the target's own is due in the window
	curl -sf -o /dev/null "$base/gc"
	sleep "$settle"
	if [ -n "$ctl_base" ]; then curl -sf -o /dev/null "$ctl_base/probe/reset"; fi
	curl -sf -o /dev/null "$base/probe/reset"
}
probe_read() { # -> "MAX_PAUSE_NS P99_NS SAMPLES GC_CYCLES CONTROL_MAX_PAUSE_NS"
	local j c=nan
	j=$(curl -sf "$base/probe")
	if [ -n "$ctl_base" ]; then c=$(curl -sf "$ctl_base/probe" | jnum max_pause_ns); fi
	echo "$(jnum max_pause_ns <<<"$j") $(jnum p99_ns <<<"$j") $(jnum samples <<<"$j") $(jnum gc_cycles <<<"$j") $c"
}

# start_fixture N OUT ERR: starts psbench with N goroutines (stdout to OUT, stderr to ERR),
# sets started_pid, and waits until it is ready
started_pid=
start_fixture() {
	local n=$1 t0
	# shellcheck disable=SC2086 # a list of flags
	"$fx" -n "$n" $probe_flags >"$2" 2>"$3" &
	started_pid=$!
	t0=$(now)
	while ! grep -q '^ready ' "$2"; do
		if ! kill -0 "$started_pid" 2>/dev/null; then
			echo "bench: the fixture (N=$n) died before it was ready:" >&2
			cat "$3" >&2
			exit 1
		fi
		if awk -v a="$(elapsed "$t0" "$(now)")" -v b="$ready_timeout" 'BEGIN { exit !(a > b) }'; then
			echo "bench: the fixture (N=$n) was not ready after ${ready_timeout}s" >&2
			exit 1
		fi
		sleep 0.2
	done
	echo "bench: N=$n ready after $(elapsed "$t0" "$(now)")s (pid $started_pid)" >&2
}
count_text() { # goroutine headers ("goroutine 12 [chan receive]:") in a text snapshot
	grep -c '^goroutine [0-9]' "$1" || true
}
count_debug1() { # "goroutine profile: total 100005"
	sed -n '1s/^goroutine profile: total \([0-9]*\).*/\1/p' "$1"
}
count_json() { # goroutine records in the JSON (streamed: it can be big), else its own count
	local n
	n=$(grep -c '"record": *"goroutine"' "$1" || true)
	if [ "${n:-0}" = 0 ]; then
		n=$(head -c 65536 "$1" | tr -d '\n' | sed -n 's/.*"goroutines_read": *\([0-9]*\).*/\1/p')
	fi
	echo "${n:-nan}"
}

# record N TOOL SECONDS BYTES MAXPAUSE_NS P99_NS SAMPLES GC_CYCLES GOROUTINES RC
# (BYTES and GOROUTINES are nan in the timed runs: their output goes to /dev/null)
results=$tmp/results
: >"$results"
record() { echo "$*" >>"$results"; }
# counts: N TOOL BYTES GOROUTINES, from one untimed run of each tool into a file
counts=$tmp/counts
: >"$counts"
last_rep=0
last_window=1

# run_tool N TOOL OUTFILE COUNTER CMD...: one timed run with the probe around it, its output
# to /dev/null; echoes seconds. On the last rep the tool runs once more, untimed, into OUTFILE
# for the goroutine count: writing hundreds of MB to a file (even a tmpfs) made the probe up to
# 100 ms late in some runs, for dd as much as for ps, so files stay out of the timed windows.
run_tool() {
	local n=$1 tool=$2 f=$3 counter=$4 t0 t1 rc=0 s p
	shift 4
	probe_reset
	t0=$(now)
	timeout "$tool_timeout" "$@" >/dev/null 2>"$tmp/stderr" || rc=$?
	t1=$(now)
	p=$(probe_read)
	s=$(elapsed "$t0" "$t1")
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then # chanwatch exits 1 when it found suspects
		case $rc in
		124) echo "bench: $tool took over ${tool_timeout}s on N=$n" >&2 ;;
		153) echo "bench: $tool wrote over ${out_limit_mb} MiB on N=$n (OUT_LIMIT_MB)" >&2 ;;
		*) echo "bench: $tool exited $rc on N=$n:" >&2 ;;
		esac
		head -n5 "$tmp/stderr" | sed 's/^/bench:   /' >&2
	fi
	record "$n" "$tool" "$s" nan "$p" nan "$rc"
	if [ "$last_rep" = 1 ] && [ "$last_window" = 1 ]; then
		# a runaway output or a hang must not fill the disk or stall the bench
		(ulimit -f $((out_limit_mb * 1024)) && exec timeout "$tool_timeout" "$@") >"$f" 2>/dev/null || true
		echo "$n $tool $(stat -c %s "$f") $($counter "$f")" >>"$counts"
		rm -f "$f"
	fi
	echo "$s"
}
run_idle() { # run_idle N TOOL SECONDS
	local p
	probe_reset
	sleep "$3"
	p=$(probe_read)
	record "$1" "$2" "$3" 0 "$p" nan 0
}

run_busy() { # run_busy N TOOL SECONDS: one CPU-bound loop that long
	local p
	probe_reset
	timeout "$3" sh -c 'while :; do :; done' || true
	p=$(probe_read)
	record "$1" "$2" "$3" 0 "$p" nan 0
}

rss=$tmp/rss
: >"$rss"
if [ "$probe_cpu" != none ]; then
	echo "bench: starting the control probe" >&2
	start_fixture 0 "$tmp/ctl.out" "$tmp/ctl.err"
	ctl_pid=$started_pid
	ctl_base=$(sed -n 's/^pprof \(http:.*\)$/\1/p' "$tmp/ctl.out")
fi
for n in $sizes; do
	echo "bench: N=$n: starting the fixture" >&2
	start_fixture "$n" "$tmp/fx.out" "$tmp/fx.err"
	fx_pid=$started_pid
	base=$(sed -n 's/^pprof \(http:.*\)$/\1/p' "$tmp/fx.out")
	ready_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$fx_pid/status")

	for ((r = 1; r <= reps; r++)); do
		last_rep=$((r == reps))
		echo "bench: N=$n run $r/$reps: debug=2" >&2
		s=$(run_tool "$n" debug2 "$tmp/debug2.txt" count_text \
			curl -sf "$base/debug/pprof/goroutine?debug=2")
		echo "bench: N=$n run $r/$reps: idle ${s}s" >&2
		run_idle "$n" idle "$s"
		if [ $have_ps = 1 ]; then
			echo "bench: N=$n run $r/$reps: $cw ps $ps_args ($windows windows)" >&2
			# shellcheck disable=SC2086 # PS_ARGS is a list of flags
			run_tool "$n" ps-json "$tmp/ps.json" count_json "$cw" ps --json $ps_args "$fx_pid" >/dev/null
			for ((win = 1; win <= windows; win++)); do
				# the untimed count runs once, on the last rep's last window
				last_window=$((win == windows))
				# shellcheck disable=SC2086
				s=$(run_tool "$n" ps "$tmp/ps.txt" count_text "$cw" ps $ps_args "$fx_pid")
				# shellcheck disable=SC2086
				run_tool "$n" ps-dump "$tmp/ps-dump.txt" count_text "$cw" ps --no-analysis \
					$ps_args "$fx_pid" >/dev/null
				run_idle "$n" idle-ps "$s"
				run_busy "$n" busy-ps "$s"
			done
			last_window=1
		fi
		# last: what debug=1 allocates in the target took the next run 0.2-0.5 s longer
		# at 1M goroutines even after the GC before it (five of six pairs)
		echo "bench: N=$n run $r/$reps: debug=1" >&2
		run_tool "$n" debug1 "$tmp/debug1.txt" count_debug1 \
			curl -sf "$base/debug/pprof/goroutine?debug=1" >/dev/null
	done
	echo "$n $ready_rss $(awk '/^VmHWM:/ { print $2 }' "/proc/$fx_pid/status")" >>"$rss"
	kill "$fx_pid"
	wait "$fx_pid" 2>/dev/null || true
	fx_pid=
done

# --- report ------------------------------------------------------------------------------------
echo
awk -v ps_args="$ps_args" '
function sortv(v, m,    i, j, t) { # sorts v[1..m] in place
	for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
}
function medv(v, m) { # the median of v[1..m], sorting it
	if (!m) return "nan"
	sortv(v, m)
	return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
function med(key, col,    m, i, v) { # median of column col over the runs of key
	m = cnt[key]
	for (i = 1; i <= m; i++) v[i] = val[key, i, col]
	return medv(v, m)
}
function medd(key,    m, i, v) { # median over the windows of target minus control max pause
	m = 0
	for (i = 1; i <= cnt[key]; i++) if (val[key, i, 9] != "nan") v[++m] = val[key, i, 5] - val[key, i, 9]
	return medv(v, m)
}
function ms(x) { return x == "nan" ? "nan" : sprintf("%.2fms", x / 1e6) }
function worst(key, col,    i, w) {
	w = val[key, 1, col]
	for (i = 2; i <= cnt[key]; i++) if (val[key, i, col] > w) w = val[key, i, col]
	return w
}
FILENAME == ARGV[1] { rssn[++nr] = $1; rssk[nr] = $2; hwm[nr] = $3; next }
FILENAME == ARGV[2] { cb[$1 SUBSEP $2] = $3; cg[$1 SUBSEP $2] = $4; next }
{
	key = $1 SUBSEP $2
	if (!(key in cnt)) { order[++nk] = key; nn[key] = $1; tl[key] = $2 }
	c = ++cnt[key]
	for (i = 3; i <= NF; i++) val[key, c, i] = $i
	if ($NF == 124) bad[key] = "timeout"
	else if ($NF == 153) bad[key] = "output over OUT_LIMIT_MB"
	else if ($NF != 0 && $NF != 1) bad[key] = "exit" $NF
}
END {
	printf "%8s %-8s %9s %7s %9s %13s %13s %10s %10s %10s %3s %10s  %s\n", "N", "tool", "seconds", "ratio", "MB", \
		"maxpause_med", "maxpause_max", "p99", "control", "added", "gc", "goroutines", "note"
	for (k = 1; k <= nk; k++) {
		key = order[k]; n = nn[key]; t = tl[key]
		s = med(key, 3); sec[key] = s
		d2 = (n SUBSEP "debug2")
		ratio = (t ~ /^ps/) && s > 0 ? sprintf("%.1fx", med(d2, 3) / s) : "-"
		g = (key in cg) ? cg[key] : "nan"
		gcs = 0
		for (i = 1; i <= cnt[key]; i++) gcs += val[key, i, 8]
		note = (key in bad) ? bad[key] : ""
		if (t == "debug2" && cb[key] == 67108864) note = note "cut at 64 MiB by runtime/pprof"
		if (t ~ /^idle/) note = "no operation: the noise floor"
		if (t == "busy-ps") note = "a shell loop on one CPU as long as ps: any CPU use costs this"
		if (t == "debug1") note = "reference: stacks counted, no per-goroutine state"
		ctl = "nan"
		if (val[key, 1, 9] != "nan") ctl = med(key, 9)
		printf "%8d %-8s %9.3f %7s %9s %11.2fms %11.2fms %8.2fms %10s %10s %3d %10s  %s\n", n, t, s, ratio, \
			t ~ /^(idle|busy)/ ? "-" : sprintf("%.2f", cb[key] / 1e6), med(key, 5) / 1e6, \
			worst(key, 5) / 1e6, med(key, 6) / 1e6, ms(ctl), ms(medd(key)), gcs, g, note
	}
	print ""
	print "# max pause of every window, sorted (ms):"
	for (k = 1; k <= nk; k++) {
		key = order[k]
		m = cnt[key]
		for (i = 1; i <= m; i++) v[i] = val[key, i, 5]
		sortv(v, m)
		line = sprintf("#   %8d %-8s", nn[key], tl[key])
		for (i = 1; i <= m; i++) line = line sprintf(" %.2f", v[i] / 1e6)
		print line
	}
	if (val[order[1], 1, 9] != "nan") {
		print "# target / control max pause of every window, in run order (ms):"
		for (k = 1; k <= nk; k++) {
			key = order[k]
			line = sprintf("#   %8d %-8s", nn[key], tl[key])
			for (i = 1; i <= cnt[key]; i++) line = line sprintf(" %.2f/%.2f", val[key, i, 5] / 1e6, val[key, i, 9] / 1e6)
			print line
		}
	}
	print ""
	for (i = 1; i <= nr; i++)
		printf "# fixture N=%d: RSS %.0f MiB when ready, peak %.0f MiB\n", rssn[i], rssk[i] / 1024, hwm[i] / 1024
	print "# maxpause: the longest the target'"'"'s probe thread was late waking (100 us period) during"
	print "#   the operation; med/max over the windows. p99: median of the windows'"'"' 99th percentiles."
	print "# gc: the target'"'"'s own GC cycles completed inside the windows (all runs), after a /gc before each"
	print "# control: the max pause of a second probe in a process of its own (psbench -n 0), on the same CPU"
	print "#   as the target'"'"'s probe, in the same window; added: median over the windows of target minus control"
	print "# targets: ps >= 10x faster than debug=2; ps adds <= 1 ms of pause (added; without a control, over"
	print "#   idle-ps); ps shows every goroutine"
	for (k = 1; k <= nk; k++) {
		key = order[k]; n = nn[key]; t = tl[key]
		if (t !~ /^ps/) continue
		if (key in bad) { printf "%8d %-8s MISS (%s)\n", n, t, bad[key]; continue }
		d2 = (n SUBSEP "debug2"); idle = (n SUBSEP "idle-ps")
		r = med(d2, 3) / (sec[key] > 0.0005 ? sec[key] : 0.0005)
		printf "%8d %-8s speed %.1fx %s", n, t, r, r >= 10 ? "PASS" : "MISS"
		if (cb[d2] == 67108864) printf " (debug=2 output cut: it did its full walks anyway)"
		add = (med(key, 5) - med(idle, 5)) / 1e6
		paired = medd(key)
		also = ""
		if (paired != "nan") {
			printf "  pause %+.2f ms over the control %s", paired / 1e6, paired / 1e6 <= 1 ? "PASS" : "MISS"
			also = sprintf("%+.2f ms over idle-ps", add)
		} else
			printf "  pause %+.2f ms over idle %s", add, add <= 1 ? "PASS" : "MISS"
		busy = (n SUBSEP "busy-ps")
		if (busy in cnt)
			also = also (also != "" ? ", " : "") sprintf("%+.2f ms over busy-ps", (med(key, 5) - med(busy, 5)) / 1e6)
		if (also != "") printf " (%s)", also
		g = (key in cg) ? cg[key] : "nan"; gd = cg[d2]
		if (g == "nan")
			printf "  count n/a"
		else if (cb[d2] == 67108864)
			printf "  count %d vs N=%d %s (debug=2 cut at %d)", g, n, g >= n ? "PASS" : "MISS", gd
		else
			printf "  count %d vs debug=2 %d %s", g, gd, (g - gd <= 64 && gd - g <= 64) ? "PASS" : "MISS"
		printf "\n"
	}
	if (ps_args != "") print "# ps flags: " ps_args
}' "$rss" "$counts" "$results"
