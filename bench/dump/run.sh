#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side-by-side benchmark of `chanwatch dump` against panicparse on big goroutine dumps.
#
#   bench/dump/run.sh [BIN]      BIN: chanwatch binary; if absent or not built, panicparse only
#
# Generates (once, cached in bench/data/) 100k- and 1M-goroutine debug=2 dumps with bench/dump/gen
# and the machine's Go, then times each tool best-of-$RUNS with /usr/bin/time (wall, peak RSS).
# Environment: RUNS (3), SIZES ("100000 1000000"), PEER_TIMEOUT seconds per panicparse run (180),
# SLOW seconds after which a tool is not run again for best-of (30), BENCH_DATA (bench/data).
# Not a test: it always exits 0 unless it cannot generate the data.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-}
runs=${RUNS:-3}
sizes=${SIZES:-"100000 1000000"}
peer_timeout=${PEER_TIMEOUT:-180}
slow=${SLOW:-30}
data=${BENCH_DATA:-$root/bench/data}
mkdir -p "$data"

if [ -n "$bin" ] && [ ! -x "$bin" ]; then
	echo "bench: '$bin' is not an executable; measuring the peer only" >&2
	bin=
fi
peer=$(command -v panicparse || true)
if [ -z "$peer" ]; then
	echo "bench: panicparse not installed (Debian package 'panicparse'); measuring chanwatch only" >&2
fi

# --- data --------------------------------------------------------------------------------------
gen=$data/gen
if [ ! -x "$gen" ] || [ "$root/bench/dump/gen/main.go" -nt "$gen" ]; then
	echo "bench: building the generator with $(go version)" >&2
	(cd "$root/bench/dump/gen" && GOTOOLCHAIN=local go build -o "$gen" .)
fi
label() { # 100000 -> 100k, 1000000 -> 1m
	if [ $(($1 % 1000000)) -eq 0 ]; then echo "$(($1 / 1000000))m"; else echo "$(($1 / 1000))k"; fi
}
files=()
for n in $sizes; do
	f=$data/goroutines-$(label "$n").txt
	if [ ! -s "$f" ] || [ "$gen" -nt "$f" ]; then
		echo "bench: generating $f ($n goroutines; the 1M one needs ~3.5 GiB and ~20 s)" >&2
		"$gen" -n "$n" -o "$f.tmp" | tee "$f.meta" >&2
		mv "$f.tmp" "$f"
	fi
	files+=("$f")
done

# --- measuring ---------------------------------------------------------------------------------
have_time=0
[ -x /usr/bin/time ] && have_time=1
if [ $have_time -eq 0 ]; then
	echo "bench: /usr/bin/time missing (Debian package 'time'); using bash timing and /proc VmHWM" >&2
fi

# one_run TIMEOUT CMD... -> prints "SECONDS RSS_KIB RC"
one_run() {
	local to=$1 rc=0
	shift
	if [ $have_time -eq 1 ]; then
		local tf t0 t1
		tf=$(mktemp)
		t0=$(date +%s.%N) # wall from date: /usr/bin/time rounds to 10 ms
		/usr/bin/time -f '%M' -o "$tf" timeout "$to" "$@" >/dev/null 2>&1 || rc=$?
		t1=$(date +%s.%N)
		# on a non-zero exit, time writes "Command exited with non-zero status N" first
		echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') $(tail -n1 "$tf") $rc"
		rm -f "$tf"
	else
		local t0 t1 pid hwm=0 h
		t0=$(date +%s.%N)
		timeout "$to" "$@" >/dev/null 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			# timeout's child holds the memory; sum is fine, timeout itself is tiny
			for p in $pid $(pgrep -P "$pid" || true); do
				h=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
				[ "${h:-0}" -gt "$hwm" ] && hwm=$h
			done
			sleep 0.02
		done
		wait "$pid" || rc=$?
		t1=$(date +%s.%N)
		echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') $hwm $rc"
	fi
}

# best NAME TIMEOUT OKCODES CMD... -> "SECONDS RSS_KIB STATUS" (STATUS ok|timeout|exitN)
best() {
	local to=$1 ok=$2
	shift 2
	local i s r rc best_s= max_r=0 status=ok
	for ((i = 0; i < runs; i++)); do
		read -r s r rc < <(one_run "$to" "$@")
		if [ "$rc" -eq 124 ]; then
			status=timeout
			best_s=$to
			max_r=$r
			break
		fi
		case " $ok " in
		*" $rc "*) ;;
		*)
			status=exit$rc
			best_s=$s
			max_r=$r
			break
			;;
		esac
		[ "$r" -gt "$max_r" ] && max_r=$r
		if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN {exit !(a < b)}'; then
			best_s=$s
		fi
		awk -v a="$s" -v b="$slow" 'BEGIN {exit !(a > b)}' && break
	done
	echo "$best_s $max_r $status"
}

overhead=$(best 10 "0" true | cut -d' ' -f1) # fork/exec of the timing wrapper, not subtracted
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for f in "${files[@]}"; do
	size=$(stat -c %s "$f")
	name=$(basename "$f")
	if [ -n "$bin" ]; then
		echo "bench: chanwatch dump --json $name" >&2
		echo "$name $size chanwatch-json $(best 600 "0 1" "$bin" dump --json "$f")" >>"$results"
		echo "bench: chanwatch dump $name" >&2
		echo "$name $size chanwatch-text $(best 600 "0 1" "$bin" dump "$f")" >>"$results"
	fi
	if [ -n "$peer" ]; then
		echo "bench: panicparse -parse=false $name (timeout ${peer_timeout}s)" >&2
		echo "$name $size panicparse $(best "$peer_timeout" "0" "$peer" -parse=false "$f")" >>"$results"
	fi
done

# --- report ------------------------------------------------------------------------------------
echo
echo "chanwatch dump vs panicparse $(dpkg-query -W -f='${Version}' panicparse 2>/dev/null || true)," \
	"best of $runs, $(nproc) CPUs, $(go version | cut -d' ' -f3) dumps;" \
	"timing wrapper overhead ${overhead}s included"
awk -v slowsec="$slow" '
function mbs(size, s) { return size / 1e6 / (s > 0.001 ? s : 0.001) }
{
	file[NR] = $1; size[NR] = $2; tool[NR] = $3; sec[NR] = $4; rss[NR] = $5; st[NR] = $6
	key = $1 SUBSEP $3; idx[key] = NR
}
END {
	printf "%-24s %9s  %-15s %9s %10s %9s  %s\n", "file", "size MB", "tool", "seconds", "MB/s", "RSS MiB", "note"
	for (i = 1; i <= NR; i++) {
		tp = mbs(size[i], sec[i])
		note = st[i] == "ok" ? "" : st[i]
		secs = sprintf("%.3f", sec[i]); thr = sprintf("%.1f", tp)
		if (st[i] == "timeout") { secs = ">" secs; thr = "<" thr }
		printf "%-24s %9.1f  %-15s %9s %10s %9.1f  %s\n", file[i], size[i] / 1e6, tool[i], secs, thr, rss[i] / 1024, note
	}
	print ""
	print "targets: >= 1000 MB/s, >= 30x panicparse throughput, <= 64 MiB peak RSS on the 1M dump"
	for (i = 1; i <= NR; i++) {
		if (tool[i] !~ /^chanwatch/) continue
		if (st[i] != "ok") { printf "%-24s %-15s MISS (%s)\n", file[i], tool[i], st[i]; continue }
		tp = mbs(size[i], sec[i])
		printf "%-24s %-15s throughput %8.1f MB/s %s", file[i], tool[i], tp, (tp >= 1000 ? "PASS" : "MISS")
		p = idx[file[i] SUBSEP "panicparse"]
		if (p) {
			ratio = sec[p] / (sec[i] > 0.001 ? sec[i] : 0.001)
			if (st[p] == "timeout")
				printf "  vs panicparse >%.1fx %s", ratio, (ratio >= 30 ? "PASS" : "(lower bound)")
			else if (st[p] == "ok")
				printf "  vs panicparse %.1fx %s", ratio, (ratio >= 30 ? "PASS" : "MISS")
			else
				printf "  vs panicparse n/a (%s)", st[p]
		}
		if (file[i] ~ /-1m\./)
			printf "  RSS %.1f MiB %s", rss[i] / 1024, (rss[i] <= 64 * 1024 ? "PASS" : "MISS")
		printf "\n"
	}
}' "$results"
