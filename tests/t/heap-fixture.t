#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# Builds and runs the heapchans fixture with this machine's Go, then checks that chanwatch heap
# finds exactly the make(chan) lines marked "// SITE-x" in its source, with the expected counts.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;

chdir(dirname(__FILE__) . '/../..') or die "chdir: $!";
my $cw = $ENV{CHANWATCH} || '.output/chanwatch';
plan skip_all => "no chanwatch binary at $cw (set CHANWATCH)" unless -x $cw;
plan skip_all => 'no go toolchain' if system('go version >/dev/null 2>&1') != 0;

my $fix = abs_path('tests/fixtures/go/heapchans');
my $tmp = tempdir(CLEANUP => 1);
$cw = abs_path($cw);

# The marked lines.
my %want;
open(my $fh, '<', "$fix/main.go") or die "$fix/main.go: $!";
while (my $l = <$fh>) {
	$want{$.} = $1 if $l =~ m{// (SITE-[A-Z])$};
}
close($fh);
is(scalar(keys %want), 6, 'the fixture marks six sites');

local $ENV{GOTOOLCHAIN} = 'local';
local $ENV{GOFLAGS} = '-mod=mod';
is(system("cd '$fix' && go build -o '$tmp/heapchans' . >'$tmp/build.log' 2>&1"), 0,
   'the fixture builds') or diag(`cat '$tmp/build.log'`);
is(system("'$tmp/heapchans' '$tmp' 64"), 0, 'the fixture runs');
ok(-s "$tmp/heap-old.pb.gz" && -s "$tmp/heap-new.pb.gz", 'it wrote two heap profiles');

my $json = `'$cw' heap --json '$tmp/heap-old.pb.gz' '$tmp/heap-new.pb.gz' 2>'$tmp/err'`;
is($? >> 8, 0, 'chanwatch heap exits 0');
my $doc = decode_json($json);
is($doc->{schema}, 'chanwatch.heap/v1', 'schema name');

my %got;
for my $s (@{$doc->{sites}}) {
	if ($s->{file} =~ m{/heapchans/main\.go$}) {
		$got{$s->{line}} = $s;
	} else {
		diag("site outside the fixture: $s->{function} $s->{file}:$s->{line}");
	}
}
is_deeply([sort { $a <=> $b } keys %got], [sort { $a <=> $b } keys %want],
	  'the sites found are exactly the SITE-x lines');

my %by = map { $want{$_} => $got{$_} } grep { $got{$_} } keys %want;
SKIP: {
	skip('sites missing', 8) unless keys(%by) == 6;
	# runtime.MemProfileRate = 1: the numbers are exact.
	is($by{'SITE-A'}{now}{inuse_objects}, 128, 'SITE-A: 2 x 64 unbuffered channels live');
	is($by{'SITE-A'}{base}{inuse_objects}, 64, 'SITE-A: 64 live in OLD');
	is($by{'SITE-A'}{delta}{inuse_objects}, 64, 'SITE-A grew by 64');
	is($by{'SITE-B'}{now}{inuse_objects}, 64, 'SITE-B: buffered, one object each');
	is($by{'SITE-C'}{now}{inuse_objects}, 64, 'SITE-C: chan of pointers, hchan + buffer each');
	is($by{'SITE-E'}{now}{inuse_objects}, 0, 'SITE-E: churned channels are not live');
	is($by{'SITE-E'}{now}{alloc_objects}, 128, 'SITE-E: but were allocated');
	is($by{'SITE-F'}{via}, 'reflect.makechan', 'SITE-F is found through reflect.makechan');
}
done_testing();
