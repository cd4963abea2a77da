#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages chanwatch needs to build, test and benchmark.
# Idempotent: installs only what is missing and says what it installs.
set -euo pipefail

packages=(
  build-essential pkg-config make
  clang libclang-rt-14-dev clang-format   # libFuzzer, ASan/UBSan runtimes, formatting
  zlib1g-dev                              # gzip for pprof profiles
  libcurl4-openssl-dev                    # fetching /debug/pprof URLs
  libcmocka-dev                           # unit tests
  libelf-dev libdw-dev                    # Go binaries: ELF and DWARF (src/gobin)
  libbpf-dev bpftool linux-libc-dev       # eBPF tracer: skeletons (src/trace)
  libcapstone-dev                         # probe placement: prologues and RET offsets
  libtree-sitter-dev                      # chanwatch lint parses Go with tree-sitter
  perl                                    # prove (TAP) for CLI tests
  panicparse time                         # peer and peak-RSS timing in bench/dump
  curl                                    # the demo saves snapshots with it
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# npm fetches the tree-sitter-go grammar (scripts/fetch-go-grammar.sh); a machine's own
# Node.js install counts.
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install packages: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
