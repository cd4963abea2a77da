#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# --diff on two real snapshots of one process: the growing site's first goroutines are
# proven stuck, the idle pool is stuck but not growing, churned goroutines are not stuck.
use strict;
use warnings;
use JSON::PP;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Cwd qw(abs_path);

my $top = abs_path(dirname(__FILE__) . "/../..");
my $cw = $ENV{CHANWATCH} or die "set CHANWATCH\n";
my $tmp = tempdir(CLEANUP => 1);
my ($n, $failed) = (0, 0);
sub ok { my ($c, $name) = @_; $n++; print(($c ? "ok" : "not ok") . " $n - $name\n"); $failed++ unless $c; $c }

my $src = "$top/tests/fixtures/go/growing";
system("cd '$src' && go build -o '$tmp/growing' . 2>&1") == 0 or do { ok(0, "build fixture"); print "1..$n\n"; exit 1 };
system("cd '$tmp' && ./growing -old old.txt -new new.txt") == 0 or die "fixture failed";
# The interval comes from the files' times: make it 30 s exactly.
utime(time - 30, time - 30, "$tmp/old.txt");
utime(time, time, "$tmp/new.txt");

sub line_of {
	my ($marker) = @_;
	open my $fh, '<', "$src/main.go" or die;
	while (my $l = <$fh>) { return $. if $l =~ /\Q$marker\E/ }
	die "no $marker";
}
my %line = map { $_ => line_of("$_:") } qw(LEAK-SITE POOL-SITE CHURN-SITE);

my $json = `'$cw' dump --diff --json '$tmp/old.txt' '$tmp/new.txt'`;
my $rc = $? >> 8;
ok($rc == 1, "exit 1: a suspect was found");
my $doc = decode_json($json);
my $d = $doc->{diff};
ok($d->{interval_seconds} > 29 && $d->{interval_seconds} < 31, "interval from file times ($d->{interval_seconds} s)");
my @all = (@{$doc->{suspects}}, @{$doc->{groups}});
my ($leak) = grep { $_->{site}{line} == $line{'LEAK-SITE'} } @all;
my ($pool) = grep { $_->{site}{line} == $line{'POOL-SITE'} } @all;
my ($churn) = grep { $_->{site}{line} == $line{'CHURN-SITE'} } @all;
ok($leak && $leak->{reason} eq 'stuck', "leaking site is a 'stuck' suspect");
ok($leak && $leak->{count} == 15 && $leak->{old_count} == 6 && $leak->{growth} == 9, "leaking site grew 6 -> 15");
ok($leak && $leak->{stuck} == 6, "the 6 old leaked goroutines are proven stuck");
ok($leak && $leak->{rank} == 1, "leaking site ranks first");
ok($pool && !defined $pool->{reason} && $pool->{stuck} == 4 && $pool->{growth} == 0, "idle pool: stuck but not growing, not a suspect");
ok($churn && $churn->{stuck} == 0 && $churn->{count} == 3 && $churn->{old_count} == 3, "churned goroutines: new IDs, not stuck");
ok($d->{stuck} == 10, "10 goroutines stuck in all (6 leaked + 4 pool)");

my $text = `'$cw' dump --diff --color never '$tmp/old.txt' '$tmp/new.txt'`;
ok($text =~ /6 stuck at the same PC for >= 30 s, site grew 6 -> 15/, "text report explains the proof");

print "1..$n\n";
exit($failed ? 1 : 0);
