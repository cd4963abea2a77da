#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# Go fixture programs with one planted situation each, built at test time with Go 1.26 and
# the older toolchains (GOTOOLCHAIN): chanwatch must report every plant at its `// WANT:`
# line, in every dump format the program wrote.
use strict;
use warnings;
use JSON::PP;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $top = abs_path(dirname(__FILE__) . "/../..");
my $cw = $ENV{CHANWATCH} or die "set CHANWATCH\n";
my $out = ($ENV{CHANWATCH_OUTPUT} // "$top/.output") . "/fixtures";
my @toolchains = split ' ', ($ENV{CHANWATCH_TOOLCHAINS}
	// "local go1.22.12 go1.23.12 go1.24.13 go1.25.9");
my $n = 0;
my $failed = 0;

sub ok {
	my ($cond, $name) = @_;
	$n++;
	print(($cond ? "ok" : "not ok") . " $n - $name\n");
	$failed++ unless $cond;
	return $cond;
}

my %panic_kind = (
	'send-on-closed' => 'send-on-closed-channel',
	'close-of-closed' => 'close-of-closed-channel',
	'close-of-nil' => 'close-of-nil-channel',
	'deadlock' => 'deadlock',
);

sub analyse {
	my ($file) = @_;
	my $json = `'$cw' dump --json --min-count 1 '$file' 2>&1`;
	my $rc = $? >> 8;
	my $doc = eval { decode_json($json) };
	return ($rc, $doc, $json);
}

for my $tc (@toolchains) {
	my $log = `'$top/tests/fixtures/go/leaks/build.sh' '$out' $tc 2>&1`;
	my $rc = $? >> 8;
	if ($rc == 3) {
		$n++;
		print "ok $n # skip toolchain $tc unavailable\n";
		next;
	}
	if ($rc != 0) {
		ok(0, "build fixtures with $tc");
		print map { "#   $_\n" } split /\n/, $log;
		next;
	}
	my @lines = split /\n/, $log;
	my $dir = $lines[-1];
	open my $fh, '<', "$dir/want.tsv" or die "$dir/want.tsv: $!";
	my ($version) = $dir =~ m{/([^/]+)$};
	while (my $row = <$fh>) {
		chomp $row;
		my ($mode, $class, $file, $line) = split /\t/, $row;
		if ($mode =~ /^crash-/) {
			my ($prc, $doc, $raw) = analyse("$dir/$mode.stderr");
			my $p = $doc && $doc->{panics}[0];
			ok($p && $p->{kind} eq $panic_kind{$class}
				&& $p->{site}{file} =~ m{/\Q$file\E$} && $p->{site}{line} == $line,
				"$version $mode: $class at $file:$line")
				or print "#   got: " . ($p ? encode_json($p) : $raw) . "\n";
			ok($prc == 1, "$version $mode: exit 1 for a channel panic") if $class ne 'deadlock';
			next;
		}
		for my $fmt ('txt', 'txt.debug1', 'txt.pb.gz') {
			my $path = "$dir/$mode.$fmt";
			my ($arc, $doc, $raw) = analyse($path);
			my @all = $doc ? (@{$doc->{suspects}}, @{$doc->{groups}}) : ();
			my @hit = grep { $_->{site}{file} =~ m{/\Q$file\E$} && $_->{site}{line} == $line }
				@all;
			# Profiles carry no wait reason: a nil-channel wait is a plain one there.
			my $want = $class;
			$want =~ s/^nil-// if $fmt ne 'txt';
			ok(@hit && $hit[0]{class} eq $want, "$version $mode.$fmt: $want at $file:$line")
				or print "#   got: " . (@hit ? "class $hit[0]{class}"
					: $doc ? "no group at that line" : $raw) . "\n";
			if (($want =~ /^(nil-chan-send|nil-chan-receive|select-no-cases)$/) && @hit) {
				ok(($hit[0]{reason} // '') eq 'forever', "$version $mode.$fmt: ranked as forever");
			}
		}
	}
	close $fh;
}
print "1..$n\n";
exit($failed ? 1 : 0);
