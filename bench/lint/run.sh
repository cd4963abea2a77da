#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How fast `chanwatch lint` is, next to a bare tree-sitter parse of the same files and staticcheck.
#
#   bench/lint/run.sh CHANWATCH [REPS]
#
# For each corpus of bench/lint/corpora.sh (CORPORA, default "std": the local Go's src/; also
# etcd grpc docker containerd, Debian's golang-*-dev sources, installed with apt if missing) it
# times, REPS times each (default 3; the median is reported):
#   bare-parse -j1 / -jN   bench/lint/bare-parse: find the .go files, read, tree-sitter parse,
#                          nothing else (the floor for any tree-sitter linter), 1 and N=$(nproc)
#                          threads
#   chanwatch              CHANWATCH lint -q -j N DIR/...  (exit 1 = findings, not a failure)
#   staticcheck            cold, as in a CI run: a fresh GOCACHE and STATICCHECK_CACHE each time;
#                          std as `cd GOROOT/src && staticcheck ./...`, the Debian trees in GOPATH
#                          mode: `GO111MODULE=off GOPATH=/usr/share/gocode staticcheck IMPORT/...`.
#                          STATICCHECK_REPS times (default 1: a cold std run takes minutes).
# and prints a table (files and MB each tool saw, median wall seconds, MB/s, median CPU seconds,
# peak RSS, seconds relative to chanwatch) and two targets, PASS/MISS:
#   chanwatch >= 50x faster than staticcheck (cold)
#   chanwatch <= 2x the time of bare-parse -jN
# Until CHANWATCH has a lint command (`CHANWATCH lint --help` exits 0) only the peers are timed.
# Environment: CORPORA, STATICCHECK (a staticcheck binary, or "none" to skip it; default: built
# once with `go install honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION` into
# BENCH_OUTPUT/gobin), STATICCHECK_VERSION (v0.8.2), STATICCHECK_REPS (1), STATICCHECK_TIMEOUT
# seconds (1800), BENCH_OUTPUT (.output: where bare-parse is built). Wall times are from a shared
# machine: the load average is printed, and CPU seconds are less sensitive to other jobs.
# Not a test: it exits 0 unless it cannot build or find what it measures.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 CHANWATCH [REPS]" >&2
	exit 2
fi
cw=$1
reps=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/lint
out=${BENCH_OUTPUT:-$root/.output}
case $out in /*) ;; *) out=$root/$out ;; esac
corpora=${CORPORA:-std}
sc_version=${STATICCHECK_VERSION:-v0.8.2}
sc_reps=${STATICCHECK_REPS:-1}
sc_timeout=${STATICCHECK_TIMEOUT:-1800}
ncpu=$(nproc)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-bench-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- tools ------------------------------------------------------------------------------------
bare=$out/bench/bare-parse
if [ ! -x "$bare" ] || [ "$here/bare-parse.c" -nt "$bare" ]; then
	echo "bench: building $bare" >&2
	# the Makefile's rule if it has one; else by hand over the Makefile's grammar object
	if ! make -C "$root" --no-print-directory -s OUTPUT="$out" "$out/bench/bare-parse" >"$tmp/make.log" 2>&1; then
		make -C "$root" --no-print-directory -s OUTPUT="$out" "$out/obj/grammar/parser.o"
		mkdir -p "$out/bench"
		${CC:-cc} -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
			-Wformat=2 -D_FILE_OFFSET_BITS=64 -I"$root/src" "$here/bare-parse.c" \
			"$out/obj/grammar/parser.o" -ltree-sitter -lpthread -o "$bare"
	fi
fi

have_lint=0
if "$cw" lint --help >/dev/null 2>&1; then
	have_lint=1
else
	echo "# $cw has no lint command yet: measuring the peers only"
fi

sc=${STATICCHECK:-}
if [ -z "$sc" ]; then
	sc=$out/gobin/staticcheck
	if [ ! -x "$sc" ]; then
		echo "bench: go install honnef.co/go/tools/cmd/staticcheck@$sc_version into $out/gobin" >&2
		if ! GOBIN=$out/gobin GOFLAGS= go install "honnef.co/go/tools/cmd/staticcheck@$sc_version" >&2; then
			echo "bench: cannot build staticcheck: measuring without it" >&2
			sc=none
		fi
	fi
fi
sc_label="no staticcheck (STATICCHECK=none)"
[ "$sc" != none ] && sc_label=$("$sc" -version 2>/dev/null | head -n1 || echo staticcheck)

"$here/corpora.sh" $corpora >"$tmp/corpora"

# --- measuring --------------------------------------------------------------------------------
# one_run TIMEOUT CMD... (stdout to $tmp/last.out) -> "SECONDS CPU_SECONDS RSS_KIB RC"
one_run() {
	local to=$1 rc=0 t0 t1
	shift
	t0=$(date +%s.%N) # wall from date: /usr/bin/time rounds to 10 ms
	/usr/bin/time -f '%M %U %S' -o "$tmp/time" timeout "$to" "$@" >"$tmp/last.out" 2>"$tmp/last.err" || rc=$?
	t1=$(date +%s.%N)
	# on a non-zero exit, time writes "Command exited with non-zero status N" first
	tail -n1 "$tmp/time" | awk -v a="$t0" -v b="$t1" -v rc="$rc" '{ printf "%.3f %.2f %d %d\n", b - a, $2 + $3, $1, rc }'
}

median() { # the median of the numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure N TIMEOUT OKCODES SETUP CMD... -> "SECONDS CPU RSS_KIB STATUS": median wall and CPU of N
# runs, peak RSS over them; SETUP (a function name or ":") runs before each run, untimed.
measure() {
	local n=$1 to=$2 ok=$3 setup=$4 i s c r rc status=ok max_r=0
	shift 4
	: >"$tmp/s" >"$tmp/c"
	for ((i = 0; i < n; i++)); do
		$setup
		read -r s c r rc < <(one_run "$to" "$@")
		if [ "$rc" -eq 124 ]; then
			status=timeout
		else
			case " $ok " in *" $rc "*) ;; *) status=exit$rc ;; esac
		fi
		echo "$s" >>"$tmp/s"
		echo "$c" >>"$tmp/c"
		[ "$r" -gt "$max_r" ] && max_r=$r
		[ $status = ok ] || break
	done
	echo "$(median <"$tmp/s") $(median <"$tmp/c") $max_r $status"
}

fresh_caches() { # a cold staticcheck: nothing cached from an earlier run
	rm -rf "$tmp/gocache" "$tmp/sccache"
	mkdir -p "$tmp/gocache" "$tmp/sccache"
}

kv() { # kv KEY < "k=v k=v" line
	tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'
}

json_num() { # json_num KEY FILE: a top-level integer field of chanwatch lint --json
	awk -v k="\"$1\"" '$1 == k ":" { gsub(/[^0-9]/, "", $2); print $2; exit }' "$2"
}

# staticcheck_files CORPUS DIR IMPORT -> "FILES BYTES" of the Go files go list gives it (this
# GOOS/GOARCH, tests included, packages whose imports cannot all be found left out (Debian's docker
# misses some): what staticcheck analyses of the corpus; dependencies not counted)
staticcheck_files() {
	local fmt='{{if not (or .Error .DepsErrors)}}{{range .GoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{range .CgoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{range .TestGoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{range .XTestGoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{end}}'
	if [ "$1" = std ]; then
		(cd "$2" && GOFLAGS= go list -e -f "$fmt" ./...)
	else
		(cd "$tmp" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go list -e -f "$fmt" "$3/...")
	fi 2>/dev/null | sort -u | tr '\n' '\0' | xargs -0r stat -c %s | awk '{ n++; b += $1 } END { printf "%d %d\n", n, b }'
}

results=$tmp/results
: >"$results"
load=$(cut -d' ' -f1-3 /proc/loadavg)
while IFS=$'\t' read -r name dir files bytes gopath import; do
	echo "bench: corpus $name: $files files, $bytes bytes in $dir" >&2

	for j in 1 "$ncpu"; do
		echo "bench: bare-parse -j$j $name" >&2
		read -r s c r st < <(measure "$reps" 600 0 : "$bare" -j "$j" "$dir")
		bf=$(kv files <"$tmp/last.out") bb=$(kv bytes <"$tmp/last.out")
		echo "$name bare-parse-j$j ${bf:-0} ${bb:-0} $s $c $r $st" >>"$results"
	done

	if [ $have_lint = 1 ]; then
		echo "bench: chanwatch lint -j$ncpu $dir/..." >&2
		read -r s c r st < <(measure "$reps" 600 "0 1" : "$cw" lint -q -j "$ncpu" "$dir/...")
		# one more, untimed, for the counts chanwatch reports
		"$cw" lint --json -q -j "$ncpu" "$dir/..." >"$tmp/lint.json" 2>/dev/null || true
		cf=$(json_num files "$tmp/lint.json") cb=$(json_num bytes "$tmp/lint.json")
		nfind=$(grep -c '"rule":' "$tmp/lint.json" || true)
		echo "$name chanwatch ${cf:-0} ${cb:-0} $s $c $r $st findings=$nfind" >>"$results"
	fi

	if [ "$sc" != none ]; then
		read -r sf sb < <(staticcheck_files "$name" "$dir" "$import")
		if [ "$name" = std ]; then
			echo "bench: (cd $dir && staticcheck ./...), cold cache" >&2
			cmd=(env -C "$dir" GOFLAGS= GOTOOLCHAIN=local GOCACHE="$tmp/gocache"
				STATICCHECK_CACHE="$tmp/sccache" "$sc" ./...)
		else
			echo "bench: GO111MODULE=off GOPATH=$gopath staticcheck $import/..., cold cache" >&2
			cmd=(env -C "$tmp" GO111MODULE=off GOPATH="$gopath" GOFLAGS= GOTOOLCHAIN=local
				GOCACHE="$tmp/gocache" STATICCHECK_CACHE="$tmp/sccache" "$sc" "$import/...")
		fi
		read -r s c r st < <(measure "$sc_reps" "$sc_timeout" "0 1" fresh_caches "${cmd[@]}")
		ncomp=$(grep -c '(compile)$' "$tmp/last.out" || true)
		nfind=$(grep -c '^[^[:space:]].*([A-Z][A-Z0-9]*[0-9])$' "$tmp/last.out" || true)
		echo "$name staticcheck ${sf:-0} ${sb:-0} $s $c $r $st findings=$nfind,compile_errors=$ncomp" >>"$results"
		rm -rf "$tmp/gocache" "$tmp/sccache"
	fi
done <"$tmp/corpora"

# --- report -----------------------------------------------------------------------------------
echo
echo "# chanwatch lint vs bare tree-sitter-go parse vs $sc_label; $(go version | cut -d' ' -f3)," \
	"$ncpu CPUs, median of $reps (staticcheck: $sc_reps, cold cache); load average at start $load"
awk -v ncpu="$ncpu" -v have="$have_lint" '
function mbs(b, s) { return b / 1e6 / (s > 0.001 ? s : 0.001) }
{
	n++; corpus[n] = $1; tool[n] = $2; files[n] = $3; bytes[n] = $4; sec[n] = $5; cpu[n] = $6
	rss[n] = $7; st[n] = $8; note[n] = $9
	idx[$1 SUBSEP $2] = n
	if (!($1 in seen)) { seen[$1] = 1; order[++nc] = $1 }
}
END {
	printf "%-10s %-16s %7s %8s %9s %8s %9s %9s %9s  %s\n", "corpus", "tool", "files", "MB", "seconds", "MB/s", "cpu_s", "RSS_MiB", "x_cw", "note"
	for (i = 1; i <= n; i++) {
		c = idx[corpus[i] SUBSEP "chanwatch"]
		ratio = "-"
		if (c && st[c] == "ok" && sec[c] > 0)
			ratio = sprintf("%.2f", sec[i] / sec[c])
		nt = (st[i] == "ok" ? "" : st[i] " ") note[i]
		printf "%-10s %-16s %7d %8.1f %9.3f %8.2f %9.2f %9.1f %9s  %s\n", corpus[i], tool[i], files[i], bytes[i] / 1e6, sec[i], mbs(bytes[i], sec[i]), cpu[i], rss[i] / 1024, ratio, nt
	}
	print ""
	if (!have) { print "targets: not checked (no chanwatch lint)"; exit }
	print "targets: chanwatch >= 50x faster than staticcheck (cold); chanwatch <= 2x bare-parse -j" ncpu
	for (k = 1; k <= nc; k++) {
		cn = order[k]; c = idx[cn SUBSEP "chanwatch"]
		if (!c) continue
		if (st[c] != "ok") { printf "%-10s MISS (chanwatch %s)\n", cn, st[c]; continue }
		line = sprintf("%-10s", cn)
		s = idx[cn SUBSEP "staticcheck"]
		if (s && st[s] == "ok") {
			r = sec[s] / sec[c]
			line = line sprintf("  vs staticcheck %.1fx faster %s", r, (r >= 50 ? "PASS" : "MISS"))
		} else if (s && st[s] == "timeout") {
			r = sec[s] / sec[c]
			line = line sprintf("  vs staticcheck >%.1fx faster %s", r, (r >= 50 ? "PASS" : "(lower bound)"))
		} else
			line = line "  vs staticcheck n/a"
		b = idx[cn SUBSEP "bare-parse-j" ncpu]
		if (b && st[b] == "ok") {
			r = sec[c] / sec[b]
			line = line sprintf("  vs bare-parse -j%d %.2fx its time %s", ncpu, r, (r <= 2 ? "PASS" : "MISS"))
		}
		if (b && files[b] != files[c])
			line = line sprintf("  (chanwatch saw %d files, bare-parse %d)", files[c], files[b])
		print line
	}
}' "$results"
