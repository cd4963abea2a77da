#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# Validates the SARIF writer's golden output (tests/golden/lint/*.sarif, which test_lint_output
# checks byte for byte against the writer) against the official SARIF 2.1.0 schema and GitHub
# code scanning's rules, with tests/fixtures/go/sarifcheck. Then breaks copies of it in ways
# GitHub rejects, to show the check can fail. Set CHANWATCH_SARIF=FILE to validate another log too.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;

chdir(dirname(__FILE__) . '/../..') or die "chdir: $!";
plan skip_all => 'no go toolchain' if system('go version >/dev/null 2>&1') != 0;

my $fix = abs_path('tests/fixtures/go/sarifcheck');
my $tmp = tempdir(CLEANUP => 1);
my $bin = "$tmp/sarifcheck";

local $ENV{GOTOOLCHAIN} = 'local';
local $ENV{GOFLAGS} = '-mod=mod';
is(system("cd '$fix' && go build -o '$bin' . >'$tmp/build.log' 2>&1"), 0, 'sarifcheck builds')
	or diag(`cat '$tmp/build.log'`);

my @golden = sort glob('tests/golden/lint/*.sarif');
ok(@golden >= 3, 'there are golden SARIF logs');
for my $f (@golden, grep { defined && length } $ENV{CHANWATCH_SARIF}) {
	my $out = `'$bin' '$f' 2>&1`;
	is($? >> 8, 0, "$f is valid SARIF 2.1.0 for GitHub") or diag($out);
}

# Broken copies: each must be rejected (exit 1), by the schema or by the GitHub checks.
my $json = JSON::PP->new->canonical->pretty;
my $good = do { local $/; open(my $fh, '<', 'tests/golden/lint/findings.sarif') or die $!; <$fh> };
my %breaks = (
	'no version'          => sub { delete $_[0]{version} },
	'level "warn"'        => sub { $_[0]{runs}[0]{results}[0]{level} = 'warn' },
	'startLine 0'         => sub { $_[0]{runs}[0]{results}[0]{locations}[0]{physicalLocation}{region}{startLine} = 0 },
	'ruleIndex off by one' => sub { $_[0]{runs}[0]{results}[0]{ruleIndex}++ },
	'unknown ruleId'      => sub { $_[0]{runs}[0]{results}[0]{ruleId} = 'CW999' },
	'relative uri, no base' => sub {
		delete $_[0]{runs}[0]{results}[0]{locations}[0]{physicalLocation}{artifactLocation}{uriBaseId} },
	'related location without id' => sub { delete $_[0]{runs}[0]{results}[0]{relatedLocations}[0]{id} },
	'uri with a space'    => sub {
		$_[0]{runs}[0]{results}[0]{locations}[0]{physicalLocation}{artifactLocation}{uri} = 'a b.go' },
);
for my $name (sort keys %breaks) {
	my $doc = decode_json($good);
	$breaks{$name}->($doc);
	my $f = "$tmp/broken.sarif";
	open(my $fh, '>', $f) or die $!;
	print $fh $json->encode($doc);
	close($fh);
	my $out = `'$bin' '$f' 2>&1`;
	is($? >> 8, 1, "rejected: $name") or diag($out);
}
done_testing();
