#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Go source corpora `chanwatch lint` is timed on: installs the Debian ones if missing and
# prints one line per corpus.
#
#   bench/lint/corpora.sh [--no-install] [NAME...]      NAME: std etcd grpc docker containerd
#                                                       (default: all)
#
# std is the local Go toolchain's $(go env GOROOT)/src. The others are Debian 12's golang-*-dev
# source packages, GOPATH-style under /usr/share/gocode/src; installing all four with apt pulls
# about 250 packages (166 MB download, 945 MB on disk, Debian's golang-go 1.19 among them; it
# lands in /usr/bin/go, behind /usr/local/go/bin on PATH).
#
# Output, tab-separated, one line per corpus:
#   NAME  DIR  FILES  BYTES  GOPATH  IMPORTPATH
# FILES and BYTES count the .go files `go list DIR/...` would see: vendor/, testdata/, directories
# starting with '.' or '_', and nested modules (a subdirectory with its own go.mod: std's cmd/)
# skipped; bench/lint/bare-parse walks the same way. GOPATH and IMPORTPATH say how a GOPATH-mode
# tool (GO111MODULE=off GOPATH=... staticcheck IMPORTPATH/...) names the corpus; for std they
# are "-" and "std". Exit status 1 if a corpus is missing and cannot be installed.
set -euo pipefail

gocode=/usr/share/gocode
declare -A pkg=(
	[etcd]=golang-etcd-server-dev
	[grpc]=golang-google-grpc-dev
	[docker]=golang-github-docker-docker-dev
	[containerd]=golang-github-containerd-containerd-dev
)
declare -A import=(
	[std]=std
	[etcd]=go.etcd.io/etcd
	[grpc]=google.golang.org/grpc
	[docker]=github.com/docker/docker
	[containerd]=github.com/containerd/containerd
)
all="std etcd grpc docker containerd"

install=1
if [ "${1:-}" = --no-install ]; then
	install=0
	shift
fi
names=${*:-$all}
for n in $names; do
	if [ -z "${import[$n]:-}" ]; then
		echo "corpora: unknown corpus '$n' (known: $all)" >&2
		exit 2
	fi
done

dir_of() {
	if [ "$1" = std ]; then
		echo "$(go env GOROOT)/src"
	else
		echo "$gocode/src/${import[$1]}"
	fi
}

# --- install what is missing ------------------------------------------------------------------
missing=()
for n in $names; do
	[ "$n" = std ] && continue
	[ -d "$(dir_of "$n")" ] || missing+=("${pkg[$n]}")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ $install = 0 ]; then
		echo "corpora: missing (not installing): ${missing[*]}" >&2
		exit 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "corpora: need root to install ${missing[*]} (apt-get install)" >&2
		exit 1
	fi
	echo "corpora: installing ${missing[*]} (with dependencies: ~1 GB on disk for all four)" >&2
	before=$(df -B1M --output=used / | tail -n1)
	apt-get update -qq >&2 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
	after=$(df -B1M --output=used / | tail -n1)
	echo "corpora: installed; disk use grew by $((after - before)) MB" >&2
fi

# --- count ------------------------------------------------------------------------------------
# FILES BYTES of the .go files under $1 that `go list $1/...` would see.
count() {
	local root=$1
	# nested module roots, to be pruned (the corpus root's own go.mod is not one)
	find "$root" \( -type d \( -name vendor -o -name testdata -o -name '.*' -o -name '_*' \) \
		! -path "$root" -prune \) -o -type f -name go.mod -printf '%h\n' |
		awk -v root="$root" '$0 != root' >"$tmp/nested"
	find "$root" \( -type d \( -name vendor -o -name testdata -o -name '.*' -o -name '_*' \) \
		! -path "$root" -prune \) -o -type f -name '*.go' ! -name '.*' ! -name '_*' \
		-printf '%s %p\n' |
		awk 'FILENAME == ARGV[1] { nested[$0] = 1; next }
		{
			path = substr($0, index($0, " ") + 1)
			for (d = path; sub(/\/[^\/]*$/, "", d) && d != "";)
				if (d in nested) next
			files++; bytes += $1
		}
		END { printf "%d\t%d\n", files, bytes }' "$tmp/nested" -
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-corpora.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rc=0
for n in $names; do
	d=$(dir_of "$n")
	if [ ! -d "$d" ]; then
		echo "corpora: '$d' missing after install" >&2
		rc=1
		continue
	fi
	if [ "$n" = std ]; then
		gp=- ip=std
	else
		gp=$gocode ip=${import[$n]}
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$d" "$(count "$d")" "$gp" "$ip"
done
exit $rc
