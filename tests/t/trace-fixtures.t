#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# `chanwatch trace` against planted channel bugs (tests/fixtures/go/tracebugs), per toolchain and
# build mode: every leak mode must give `leak` events at its `// WANT:` line, every misuse mode a
# `misuse` event of its kind there, clean modes neither; and the traced program's stdout, stderr
# and exit status must equal those of a run without the tracer.
#
# Matrix: the local toolchain in plain, stripped and cgo builds; go1.25.9, go1.24.13, go1.23.12
# and go1.22.12 in plain and stripped builds (TRACE_FIXTURES_FULL=1 adds their cgo builds;
# TRACE_FIXTURES_TOOLCHAINS="local go1.22.12" picks toolchains). Toolchains that cannot be
# downloaded are skipped. Needs BPF: skips with the reason when chanwatch trace cannot attach,
# fails instead when CHANWATCH_REQUIRE_BPF=1.
# Environment: CHANWATCH (binary), CHANWATCH_OUTPUT (scratch root), as `make cli` sets them.
use strict;
use warnings;
use Cwd ();
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use JSON::PP;
use POSIX qw(WIFEXITED WEXITSTATUS WIFSIGNALED WTERMSIG);
use Test::More;

my $cw = $ENV{CHANWATCH} or plan skip_all => 'set CHANWATCH to the chanwatch binary';
my $top = dirname(dirname(dirname(Cwd::abs_path($0))));
my $outroot = ($ENV{CHANWATCH_OUTPUT} // "$top/.output") . '/fixtures/tracebugs';
my $src = "$top/tests/fixtures/go/tracebugs";
my $require_bpf = ($ENV{CHANWATCH_REQUIRE_BPF} // '0') eq '1';
my $tmp = tempdir('cw-tf.XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $run_timeout = 90;    # seconds per program run; leak modes take ~0.4 s

# The kinds in want.tsv -> the `kind` of the misuse event (docs/trace-events.md).
my %misuse_kind = (
	'misuse:close-of-closed' => 'close-of-closed-channel',
	'misuse:send-on-closed' => 'send-on-closed-channel',
	'misuse:close-of-nil' => 'close-of-nil-channel',
);

# run(\@argv, $stdout_file, $stderr_file) -> exit status (128+N when killed by signal N,
# 124 after $run_timeout seconds). stdin is /dev/null.
sub run {
	my ($argv, $out, $err) = @_;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null') or die;
		open(STDOUT, '>', $out) or die "$out: $!";
		open(STDERR, '>', $err) or die "$err: $!";
		setpgrp(0, 0);
		exec(@$argv) or die "exec $argv->[0]: $!";
	}
	my $status;
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm $run_timeout;
		waitpid($pid, 0);
		$status = $?;
		alarm 0;
	};
	if ($@) {
		kill 'KILL', -$pid;
		waitpid($pid, 0);
		return 124;
	}
	return WEXITSTATUS($status) if WIFEXITED($status);
	return 128 + WTERMSIG($status) if WIFSIGNALED($status);
	return 255;
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<', $f) or return '';
	local $/;
	my $s = <$fh>;
	return $s // '';
}

# The JSON Lines file as a list of hashes; lines that do not parse are reported and skipped.
sub events {
	my ($f) = @_;
	my @ev;
	open(my $fh, '<', $f) or return ();
	while (my $l = <$fh>) {
		next if $l =~ /^\s*$/;
		my $e = eval { decode_json($l) };
		if (!$e || ref $e ne 'HASH') {
			diag("not a JSON object in $f line $.: $l");
			push @ev, { event => '(bad line)' };
			next;
		}
		push @ev, $e;
	}
	return @ev;
}

sub at_site {
	my ($site, $file, $line) = @_;
	return ref $site eq 'HASH' && defined $site->{file} && defined $site->{line}
	    && ($site->{file} eq $file || substr($site->{file}, -length("/$file")) eq "/$file")
	    && $site->{line} == $line;
}

sub show {
	my (@ev) = @_;
	my $json = JSON::PP->new->canonical;
	my @lines = map { $json->encode($_) } @ev;
	@lines = (@lines[0 .. 11], '... (' . (@lines - 12) . ' more)') if @lines > 12;
	diag("  $_") for @lines;
}

# --- does this chanwatch have `trace`, and can it attach here? ---
if (run([$cw, 'trace', '--help'], "$tmp/help.out", "$tmp/help.err") != 0) {
	plan skip_all => "$cw has no trace command yet (chanwatch trace --help failed)";
}

# build($tc, $build) -> (directory, undef) or (undef, reason to skip); a failed build is a
# failed test and returns (undef, undef).
my %built;
sub build {
	my ($tc, $build) = @_;
	my $dir = "$outroot/$tc-$build";
	return @{ $built{$dir} } if $built{$dir};
	make_path($dir);
	my $rc = run(['env', 'TRACEBUGS_CHECK=1', "$src/build.sh", $dir, $tc, $build],
		"$tmp/build.out", "$tmp/build.err");
	my $err = slurp("$tmp/build.err");
	$built{$dir} = $rc == 0 ? [$dir, undef] : $rc == 3 ? [undef, "toolchain $tc unavailable: $err"]
	    : do { fail("build tracebugs with $tc ($build)"); diag($err); [undef, undef] };
	return @{ $built{$dir} };
}

# One traced run of a clean mode first: no `start` event means the tracer could not attach.
{
	my ($dir, $why) = build('local', 'plain');
	BAIL_OUT("cannot build the tracebugs fixture with the local toolchain") if !$dir;
	my $rc = run([$cw, 'trace', '--json', "$tmp/probe.jsonl", '-o', "$tmp/probe.report", '--',
			"$dir/tracebugs", '-mode', 'send-received'], "$tmp/probe.out", "$tmp/probe.err");
	if (!grep { $_->{event} eq 'start' } events("$tmp/probe.jsonl")) {
		my $msg = slurp("$tmp/probe.err") . slurp("$tmp/probe.report");
		$msg =~ s/\s+/ /g;
		$msg = "chanwatch trace could not attach (exit $rc): $msg";
		plan skip_all => $msg if !$require_bpf;
		fail("chanwatch trace attaches (CHANWATCH_REQUIRE_BPF=1)");
		diag($msg);
		done_testing();
		exit;
	}
}

my @toolchains = split ' ', ($ENV{TRACE_FIXTURES_TOOLCHAINS}
	// 'local go1.25.9 go1.24.13 go1.23.12 go1.22.12');

for my $tc (@toolchains) {
	my @builds = $tc eq 'local' || $ENV{TRACE_FIXTURES_FULL} ? qw(plain stripped cgo)
	    : qw(plain stripped);
	for my $build (@builds) {
		my ($dir, $why) = build($tc, $build);
		if (!$dir) {
			if (defined $why) {
				SKIP: { skip($why, 1) }
			}
			next;
		}
		my $bin = "$dir/tracebugs";
		my $version = slurp("$dir/version");
		chomp $version;
		my %kind_of = map { chomp; split /\t/ } split /\n/, slurp("$dir/modes.tsv");
		my %want = map { my @f = split /\t/; ($f[0] => { file => $f[2], line => $f[3] }) }
		    split /\n/, slurp("$dir/want.tsv");

		for my $mode (sort keys %kind_of) {
			my $kind = $kind_of{$mode};
			my $name = "$tc $version $build $mode";
			my $base = "$dir/$mode";
			my $prc = run([$bin, '-mode', $mode], "$base.plain.out", "$base.plain.err");
			my $trc = run([$cw, 'trace', '--json', "$base.jsonl", '--leak-after', '60s',
					'-o', "$base.report", '--', $bin, '-mode', $mode],
				"$base.trace.out", "$base.trace.err");
			my @ev = events("$base.jsonl");

			is($trc, $prc, "$name: exit status under the tracer");
			is(slurp("$base.trace.out"), slurp("$base.plain.out"), "$name: stdout under the tracer");
			is(slurp("$base.trace.err"), slurp("$base.plain.err"), "$name: stderr under the tracer");
			ok(@ev && $ev[-1]{event} eq 'summary', "$name: JSON ends with the summary")
			    or show(@ev[-3 .. -1]);

			my @leaks = grep { $_->{event} eq 'leak' } @ev;
			my @misuses = grep { $_->{event} eq 'misuse' } @ev;
			if ($kind =~ /^clean:/) {
				is(scalar @leaks, 0, "$name: no leak events") or show(@leaks);
				is(scalar @misuses, 0, "$name: no misuse events") or show(@misuses);
				next;
			}
			my $w = $want{$mode};
			if (!$w) {
				fail("$name: WANT line in want.tsv");
				next;
			}
			my $where = "$w->{file}:$w->{line}";
			if ($kind =~ /^leak:/) {
				my @here = grep { at_site($_->{site}, $w->{file}, $w->{line}) } @leaks;
				cmp_ok(scalar @here, '>=', 3, "$name: 3 leak events at $where")
				    or do {
					diag("leak events:");
					show(@leaks);
					diag("block events:");
					show(grep { $_->{event} eq 'block' } @ev);
				    };
				my @not_exit = grep { !$_->{at_exit} } @here;
				is(scalar @not_exit, 0, "$name: the leaks at $where are at_exit")
				    or show(@not_exit);
				is(scalar @misuses, 0, "$name: no misuse events") or show(@misuses);
			} else {
				my $mk = $misuse_kind{$kind};
				my @here = grep { ($_->{kind} // '') eq $mk && at_site($_->{site}, $w->{file}, $w->{line}) }
				    @misuses;
				is(scalar @here, 1, "$name: one $mk misuse event at $where")
				    or do { diag("misuse events:"); show(@misuses) };
			}
		}
	}
}
done_testing();
