#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# chanwatch lint on the rule snippets in tests/lint/cases: every `// want CWnnn` marker is found,
# nothing else is reported, and the exit status says whether there were findings.
use strict;
use warnings;
use File::Basename qw(basename dirname);
use File::Find qw(find);
use File::Temp qw(tempdir);
use JSON::PP ();
use Test::More;

chdir(dirname(__FILE__) . '/../..') or die "chdir: $!";
my $cw = $ENV{CHANWATCH} || '.output/chanwatch';
my $cases = 'tests/lint/cases';
my $tmp = tempdir(CLEANUP => 1);

# Runs chanwatch with args; returns (exit status, stdout, stderr). 127 when it cannot be run.
sub run {
	my (@args) = @_;
	my $pid = fork() // die "fork: $!";
	if (!$pid) {
		open(STDOUT, '>', "$tmp/out") or die;
		open(STDERR, '>', "$tmp/err") or die;
		exec($cw, @args) or exit(127);
	}
	waitpid($pid, 0);
	my $status = $? & 127 ? 128 + ($? & 127) : $? >> 8;
	return ($status, slurp("$tmp/out"), slurp("$tmp/err"));
}

sub slurp {
	my ($path) = @_;
	open(my $fh, '<', $path) or return '';
	local $/;
	my $s = <$fh>;
	return $s // '';
}

{
	my ($rc, undef, $err) = run('lint', '--help');
	if ($rc != 0) {
		$err =~ s/\s+\z//;
		$err = (split /\n/, $err)[0] // '';
		plan skip_all => "'chanwatch lint --help' exits $rc ($err): lint is not built";
	}
}

# Directories holding .go files, sorted (CW109 has old/ and new/).
my %dirs;
find(sub { $dirs{$File::Find::dir} = 1 if /\.go\z/ && -f $_ }, $cases);
my @dirs = sort keys %dirs;
ok(scalar(@dirs) >= 11, "found the snippet directories under $cases") or diag("got: @dirs");

# The `// want CWnnn ...` markers of one file: list of [line, rule].
sub wants_of {
	my ($path) = @_;
	open(my $fh, '<', $path) or die "cannot read '$path': $!";
	my @w;
	while (my $l = <$fh>) {
		next unless $l =~ m{//\s*want((?:\s+CW\d{3})+)\s*$};
		push @w, [$., $_] for split ' ', $1;
	}
	close($fh);
	return @w;
}

my ($gofmt) = grep { -x } map { "$_/gofmt" } split(/:/, $ENV{PATH} // ''), '/usr/local/go/bin';

for my $dir (@dirs) {
	my $rel = substr($dir, length($cases) + 1);
	opendir(my $dh, $dir) or die "opendir '$dir': $!";
	my @files = sort grep { /\.go\z/ } readdir($dh);
	closedir($dh);

	# A snippet that does not parse would prove nothing (tree-sitter recovers silently).
	for my $f (@files) {
		SKIP: {
			skip('gofmt not found: snippets not syntax-checked', 1) unless $gofmt;
			my $msg = `$gofmt -e -l '$dir/$f' 2>&1 >/dev/null`;
			is($? >> 8, 0, "$rel/$f: is valid Go (gofmt -e)") or diag($msg);
		}
	}

	my @want; # [file, line, rule]
	for my $f (@files) {
		push @want, map { [$f, @$_] } wants_of("$dir/$f");
	}

	# A rule directory (not CW100, which tests directives) must exercise its own rule.
	if ($rel =~ m{^(CW1(?:0[1-9]))(?:/old)?\z}) {
		my $rule = $1;
		my $n = grep { $_->[2] eq $rule } @want;
		ok($n >= 4, "$rel: at least 4 positive cases of $rule") or diag("got $n");
	}

	my ($rc, $out, $err) = run('lint', '--json', $dir);
	is($rc, @want ? 1 : 0, "$rel: lint exits " . (@want ? '1 (findings)' : '0 (no findings)'))
		or diag("stderr: $err");

	my $doc = eval { JSON::PP->new->decode($out) };
	if (!ok(ref($doc) eq 'HASH' && ref($doc->{findings}) eq 'ARRAY', "$rel: --json output parses")) {
		diag($@ ? "error: $@" : 'no "findings" array');
		diag('stdout: ' . substr($out, 0, 400));
		next;
	}

	# Multiset of the findings by file basename, line and rule.
	my (%got, %detail, @bad);
	for my $f (@{$doc->{findings}}) {
		my ($file, $line, $col, $rule) = map { $f->{$_} // '' } qw(file line col rule);
		if ($line !~ /^[1-9]\d*\z/ || $col !~ /^[1-9]\d*\z/ || $rule !~ /^CW1\d\d\z/) {
			push @bad, "$file:$line:$col $rule";
			next;
		}
		my $key = join(':', basename($file), $line, $rule);
		$got{$key}++;
		push @{$detail{$key}}, "$file:$line:$col: " . ($f->{message} // '') . " ($rule)";
	}
	ok(!@bad, "$rel: every finding has a file, a line, a column and a rule ID")
		or diag("malformed: @bad");

	for my $w (@want) {
		my ($file, $line, $rule) = @$w;
		my $key = "$file:$line:$rule";
		if (ok(($got{$key} // 0) > 0, "$rel/$file:$line: $rule found")) {
			$got{$key}--;
			next;
		}
		my @near = sort grep { /^\Q$file\E:\d+:\Q$rule\E\z/ && $got{$_} } keys %got;
		diag("missing $rule at $rel/$file:$line; $rule findings in this file at: "
		     . (@near ? join(', ', map { (split /:/)[1] } @near) : 'none'));
	}

	# Whatever is left was not asked for.
	my %files = map { $_ => 1 } @files;
	for my $f (@files) {
		my @extra = map { @{$detail{$_}}[-$got{$_} .. -1] }
			    sort grep { /^\Q$f\E:/ && $got{$_} > 0 } keys %got;
		ok(!@extra, "$rel/$f: no unexpected findings") or diag(join("\n", 'unexpected:', @extra));
	}
	my @stray = sort grep { $got{$_} > 0 && !$files{(split /:/)[0]} } keys %got;
	ok(!@stray, "$rel: no findings in files outside the directory") or diag("stray: @stray");
}

# CW109/new is CW109/old minus the markers: the same code must be silent at go 1.23.
{
	my ($old, $new) = ("$cases/CW109/old", "$cases/CW109/new");
	for my $f (sort map { basename($_) } glob("$old/*.go")) {
		(my $stripped = slurp("$old/$f")) =~ s{ // want CW109$}{}mg;
		is(slurp("$new/$f"), $stripped, "CW109/new/$f is CW109/old/$f without the markers");
	}
}

done_testing();
