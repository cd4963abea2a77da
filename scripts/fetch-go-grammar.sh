#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches the tree-sitter-go grammar that `chanwatch lint` compiles in, checked against its
# published integrity hash, and unpacks its generated parser into DIR.
#
#   scripts/fetch-go-grammar.sh DIR
#
# tree-sitter-go 0.23.4 is the newest release with ABI 14, the newest Debian 12's
# libtree-sitter 0.20.7 loads (0.25 is ABI 15). Debian has no Go grammar package, so the
# release tarball comes through `npm pack` (not `npm install`: no Node binding is needed).
# A tarball already in DIR is reused after the same check, so a second build is offline.
set -euo pipefail

version=0.23.4
# `npm view tree-sitter-go@0.23.4 dist.integrity`
integrity=sha512-iQaHEs4yMa/hMo/ZCGqLfG61F0miinULU1fFh+GZreCRtKylFLtvn798ocCZjO2r/ungNZgAY1s1hPFyAwkc7w==

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
tgz=$dir/tree-sitter-go-$version.tgz
mkdir -p "$dir"

sri() { # the subresource-integrity string (sha512, base64) of a file
	perl -MDigest::SHA -MMIME::Base64 -e 'open(my $f, "<:raw", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my $d = Digest::SHA->new(512); $d->addfile($f);
		print "sha512-", encode_base64($d->digest, ""), "\n"' "$1"
}

if [ ! -f "$tgz" ] || [ "$(sri "$tgz")" != "$integrity" ]; then
	rm -f "$tgz"
	if ! command -v npm >/dev/null; then
		echo "fetch-go-grammar: npm is needed to fetch tree-sitter-go $version (scripts/install-deps.sh installs it)" >&2
		exit 1
	fi
	echo "fetch-go-grammar: fetching tree-sitter-go $version with npm pack" >&2
	(cd "$dir" && npm pack --silent "tree-sitter-go@$version" >/dev/null)
	got=$(sri "$tgz")
	if [ "$got" != "$integrity" ]; then
		rm -f "$tgz"
		echo "fetch-go-grammar: tree-sitter-go-$version.tgz has integrity $got, expected $integrity" >&2
		exit 1
	fi
fi

rm -rf "$dir/src.tmp"
mkdir -p "$dir/src.tmp"
tar -xzmf "$tgz" -C "$dir/src.tmp" --strip-components=2 package/src/parser.c package/src/tree_sitter
rm -rf "$dir/src"
mv "$dir/src.tmp" "$dir/src"
