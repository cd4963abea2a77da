#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# chanwatch heap on the golden heap profiles: JSON and text outputs, exit codes, error messages.
# Also the goroutine profiles of the same fixture through `chanwatch dump --records`.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Test::More;

chdir(dirname(__FILE__) . '/../..') or die "chdir: $!";
my $cw = $ENV{CHANWATCH} || '.output/chanwatch';
plan skip_all => "no chanwatch binary at $cw (set CHANWATCH)" unless -x $cw;

my $g = 'tests/golden/pprof';
my $src = 'tests/fixtures/go/heapchans';
my $tmp = tempdir(CLEANUP => 1);

# Runs chanwatch with args; returns (exit status, stdout, stderr).
sub run {
	my (@args) = @_;
	my $pid = fork() // die "fork: $!";
	if (!$pid) {
		open(STDOUT, '>', "$tmp/out") or die;
		open(STDERR, '>', "$tmp/err") or die;
		exec($cw, @args) or die "exec: $!";
	}
	waitpid($pid, 0);
	my $status = $? >> 8;
	return ($status, slurp("$tmp/out"), slurp("$tmp/err"));
}

sub slurp {
	my ($path) = @_;
	open(my $fh, '<', $path) or return '';
	local $/;
	my $s = <$fh>;
	return $s // '';
}

my @pair = ("$g/heapchans-heap-old.pb.gz", "$g/heapchans-heap-new.pb.gz");

my ($rc, $out, $err) = run('heap', '--json', '--source-dir', $src, @pair);
is($rc, 0, 'heap --json OLD NEW exits 0');
is($out, slurp("$g/heapchans-heap.json"), 'heap --json OLD NEW matches the golden JSON');
is($err, '', 'no warnings with --source-dir');

($rc, $out, $err) = run('heap', '--source-dir', $src, @pair);
is($rc, 0, 'heap OLD NEW exits 0');
is($out, slurp("$g/heapchans-heap.txt"), 'heap OLD NEW matches the golden text');

# Without the sources only the reflect.MakeChan site is recognisable; the user is told why.
($rc, $out, $err) = run('heap', '--json', $pair[1]);
is($rc, 0, 'heap NEW without sources exits 0');
like($err, qr/^chanwatch: warning: \d+ source files? not found \(e\.g\. 'example\.com\/heapchans\/main\.go'\)/,
     'missing sources are reported');
like($out, qr/"via": "reflect\.makechan"/, 'the reflect.MakeChan site is found from the stack');
unlike($out, qr/"via": "source"/, 'no source-evidence site without sources');

($rc, $out, $err) = run('heap', '--no-source', '--top', '1', $pair[1]);
is($rc, 0, '--no-source --top 1 exits 0');
like($out, qr/^1 channel allocation site in /, 'one site without sources');

# Standard input.
{
	my $pid = open(my $fh, '-|') // die;
	if (!$pid) {
		open(STDIN, '<', $pair[1]) or die;
		open(STDERR, '>', '/dev/null');
		exec($cw, 'heap', '--json', '--source-dir', $src, '-') or die;
	}
	local $/;
	my $s = <$fh>;
	close($fh);
	is($? >> 8, 0, 'heap - reads standard input');
	like($s, qr/"name": "-"/, 'standard input is named -');
}

($rc, $out, $err) = run('heap', '--help');
is($rc, 0, '--help exits 0');
like($out, qr/exit status: 0 the profiles were read/, '--help documents the exit status');
like($out, qr/examples:\n  chanwatch heap http:/, '--help has examples');

# Errors: one line, exit 2.
($rc, $out, $err) = run('heap', "$tmp/nope.pb.gz");
is($rc, 2, 'missing file exits 2');
is($err, "chanwatch: cannot read '$tmp/nope.pb.gz': No such file or directory\n",
   'missing file message');

($rc, $out, $err) = run('heap', "$src/main.go");
is($rc, 2, 'a text file exits 2');
is($err, "chanwatch: '$src/main.go': byte 0: not a profile.proto (the input is text; "
	 . "fetch profiles with debug=0)\n", 'a text file is not a profile');

{
	my $z = slurp($pair[1]);
	open(my $fh, '>', "$tmp/trunc.pb.gz") or die;
	print $fh substr($z, 0, int(length($z) / 2));
	close($fh);
	open($fh, '>', "$tmp/garbage.pb") or die;
	print $fh "\x0a\x05\x08\x01\x10";
	close($fh);
}
($rc, $out, $err) = run('heap', "$tmp/trunc.pb.gz");
is($rc, 2, 'a truncated gzip exits 2');
like($err, qr/^chanwatch: '\Q$tmp\E\/trunc\.pb\.gz': byte \d+: gzip: truncated stream\n\z/,
     'a truncated gzip names the byte');

($rc, $out, $err) = run('heap', "$tmp/garbage.pb");
is($rc, 2, 'a broken proto exits 2');
is($err, "chanwatch: '$tmp/garbage.pb': byte 1: length 5 exceeds the 3 bytes left\n",
   'a broken proto names the byte');

($rc, $out, $err) = run('heap', "$g/heapchans-goroutine.pb.gz");
is($rc, 2, 'a goroutine profile is not a heap profile');
like($err, qr/^chanwatch: '.*heapchans-goroutine\.pb\.gz': not a heap profile \(sample types goroutine;/,
     'the message names the sample type');

($rc, $out, $err) = run('heap', '--top', 'x', $pair[1]);
is($rc, 2, 'bad --top exits 2');
($rc, $out, $err) = run('heap');
is($rc, 2, 'no argument exits 2');
($rc, $out, $err) = run('heap', @pair, $pair[1]);
is($rc, 2, 'three arguments exit 2');

# The goroutine profiles of the fixture, record by record.
for my $name (qw(goroutine goroutineleak)) {
	my $exp = "$g/heapchans-$name.records.jsonl";
	SKIP: {
		skip("no $exp", 2) unless -f $exp;
		($rc, $out, $err) = run('dump', '--records', "$g/heapchans-$name.pb.gz");
		is($rc, 0, "dump --records $name.pb.gz exits 0");
		is($out, slurp($exp), "dump --records $name.pb.gz matches the golden records");
	}
}

done_testing();
