#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# What leaks: unreachable never-closed channels are collected; channels held by blocked
# goroutines are retained. Builds tests/fixtures/go/whatleaks with the machine's Go (or
# $WHATLEAKS_GOTOOLCHAIN) and checks the numbers it measures.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Spec;
use File::Temp qw(tempdir);
use Test::More;

my $root = File::Spec->rel2abs(dirname(__FILE__) . '/../..');
my $src  = "$root/tests/fixtures/go/whatleaks";

plan skip_all => 'go not found on PATH'
  unless grep { -x "$_/go" } split /:/, ($ENV{PATH} // '');

my $out;
if ($ENV{CHANWATCH_OUTPUT}) {
	$out = "$ENV{CHANWATCH_OUTPUT}/fixtures";
	make_path($out);
} else {
	$out = tempdir(CLEANUP => 1);
}
local $ENV{GOTOOLCHAIN} = $ENV{WHATLEAKS_GOTOOLCHAIN} // 'local';
local $ENV{CGO_ENABLED} = '0';
my $bin = "$out/whatleaks";

my $build = system('sh', '-c', 'cd "$1" && go build -o "$2" .', 'sh', $src, $bin);
if ($build != 0 && $ENV{GOTOOLCHAIN} ne 'local') {
	plan skip_all => "cannot build with toolchain $ENV{GOTOOLCHAIN} (no download?)";
}
is($build, 0, 'whatleaks builds') or BAIL_OUT('cannot build the whatleaks fixture');

my $dropped = 4000;
my $blocked = 200;
# A hung fixture must fail the test, not hang make test.
my @lines = `timeout 300 "$bin" -dropped $dropped -blocked $blocked`;
is($?, 0, 'whatleaks exits 0');
note($_) for @lines;

my (%a, %b);
for (@lines) {
	my %kv = map { split /=/, $_, 2 } grep { /=/ } split ' ', $_;
	%a = %kv if exists $kv{dropped_unclosed_channels};
	%b = %kv if exists $kv{blocked_goroutines};
}

ok(%a, 'reports the dropped-channels experiment') or diag('got: ' . join('', @lines));
is($a{dropped_unclosed_channels}, $dropped, 'dropped the requested number of channels');
cmp_ok($a{total_alloc_mib} // 0, '>=', 0.95 * $dropped,
	'allocated at least the 1 MiB buffers of every dropped channel');
cmp_ok($a{live_heap_mib} // 1e9, '<', 0.05 * ($a{total_alloc_mib} // 0),
	'never-closed but unreachable channels are collected (live heap < 5% of allocated)');

ok(%b, 'reports the blocked-goroutines experiment') or diag('got: ' . join('', @lines));
cmp_ok($b{goroutines} // 0, '>=', $blocked, 'the blocked goroutines are still alive');
cmp_ok($b{retained_mib} // 0, '>=', 0.9 * $blocked,
	'channels held by blocked goroutines are retained (>= 90% of their buffers)');

done_testing();
