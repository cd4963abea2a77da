#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# Hostile and odd inputs that once broke the analyzer or its writers: extreme goroutine IDs,
# overflowing counts, invalid UTF-8, inputs filtered to nothing, stdin named twice.
use strict;
use warnings;
use JSON::PP;
use File::Temp qw(tempdir);

my $cw = $ENV{CHANWATCH} or die "set CHANWATCH\n";
my $tmp = tempdir(CLEANUP => 1);
my ($n, $failed) = (0, 0);
sub ok { my ($c, $name) = @_; $n++; print(($c ? "ok" : "not ok") . " $n - $name\n"); $failed++ unless $c; $c }
sub write_file { my ($p, $s) = @_; open my $fh, '>:raw', $p or die; print $fh $s; close $fh }
sub run { my $cmd = shift; my $out = `$cmd 2>$tmp/err`; return ($? >> 8, $out, do { local (@ARGV, $/) = "$tmp/err"; <> }) }

my $g = sub { my ($id, $fn, $line) = @_;
	"goroutine $id [chan receive]:\nmain.$fn()\n\t/src/app/main.go:$line +0x1d\ncreated by main.main in goroutine 1\n\t/src/app/main.go:9 +0x2f\n\n" };

# Goroutine ID 2^64-1 in both snapshots of a diff.
write_file("$tmp/old.txt", $g->("18446744073709551615", "wait", 20) . $g->("7", "wait", 20));
write_file("$tmp/new.txt", $g->("18446744073709551615", "wait", 20) . $g->("8", "wait", 20) . $g->("9", "wait", 20));
my ($rc, $out, $err) = run("'$cw' dump --json --diff --min-count 1 '$tmp/old.txt' '$tmp/new.txt'");
my $doc = eval { decode_json($out) };
ok($rc == 1 && $doc, "diff with goroutine ID 2^64-1 runs (exit $rc)") or print "# $err";
ok($doc && $doc->{diff}{matched} == 1 && $doc->{diff}{stuck} == 1, "the max ID is matched and stuck");

# A diff whose OLD input ended in a deadlock does not condemn NEW.
write_file("$tmp/dead.txt", "fatal error: all goroutines are asleep - deadlock!\n\n" . $g->(1, "wait", 20));
write_file("$tmp/live.txt", $g->(1, "other", 30));
($rc, $out) = run("'$cw' dump --json --diff '$tmp/dead.txt' '$tmp/live.txt'");
$doc = decode_json($out);
ok(!@{$doc->{suspects}}, "a deadlock in OLD makes no NEW site a deadlock suspect");
($rc, $out) = run("'$cw' dump --json '$tmp/dead.txt' '$tmp/live.txt'");
$doc = decode_json($out);
my @s = @{$doc->{suspects}};
ok(@s == 1 && $s[0]{site}{line} == 20 && $s[0]{reason} eq 'deadlock', "only the deadlocked input's goroutines are deadlock suspects");

# Counts that overflow 64 bits saturate instead of wrapping.
write_file("$tmp/huge.debug1", "goroutine profile: total 18446744073709551615\n"
	. "18446744073709551615 @ 0x1 0x2\n#\t0x10\tmain.a+0x1\t/src/app/a.go:1\n\n"
	. "18446744073709551615 @ 0x1 0x2\n#\t0x20\tmain.b+0x1\t/src/app/a.go:2\n\n");
($rc, $out, $err) = run("'$cw' dump --json --pprof '$tmp/huge.pb.gz' '$tmp/huge.debug1'");
$doc = eval { decode_json($out) };
ok($doc && $doc->{goroutines} == 18446744073709551615, "goroutine total saturates at 2^64-1") or print "# $out$err";
if (system("command -v go >/dev/null") == 0) {
	my $raw = `go tool pprof -raw '$tmp/huge.pb.gz' 2>&1`;
	ok($raw !~ /-\d{5,}:/, "pprof values are not negative");
} else {
	$n++; print "ok $n # skip go not installed\n";
}

# Invalid UTF-8 in names is replaced, so strict JSON decoders accept the output.
write_file("$tmp/utf8.txt", "goroutine 5 [chan send]:\nmain.f\xff\xfe()\n\t/src/\xc3(bad)/x.go:3 +0x1\n\n");
($rc, $out) = run("'$cw' dump --json --min-count 1 '$tmp/utf8.txt'");
$doc = eval { JSON::PP->new->utf8->decode($out) };
ok($doc, "--json output is valid UTF-8 JSON") or print "# $@";
($rc, $out) = run("'$cw' dump --records '$tmp/utf8.txt'");
$doc = eval { JSON::PP->new->utf8->decode($out) };
ok($doc && $doc->{frames}[0]{func} eq "main.f\x{fffd}\x{fffd}", "--records replaces invalid bytes with U+FFFD");

# Everything filtered out: a clean report, exit 0, no crash (ASan runs this too).
($rc, $out, $err) = run("'$cw' dump --color never --ignore-top 'main.*' '$tmp/new.txt'");
ok($rc == 0, "all goroutines filtered: exit 0 (got $rc)") or print "# $err";
ok($out =~ /no goroutines/ && $out =~ /3 goroutines ignored/, "report says nothing is left");

($rc, $out, $err) = run("'$cw' dump - - < '$tmp/new.txt'");
ok($rc == 2 && $err eq "chanwatch: standard input ('-') can be read only once\n", "stdin named twice is a usage error");

print "1..$n\n";
exit($failed ? 1 : 0);
