#!/usr/bin/env perl
# SPDX-License-Identifier: MIT
# chanwatch ps against the program's own word: tests/fixtures/go/psfix parks ~26 goroutines
# in many ways and, on SIGUSR1, writes runtime.Stack(all) to a file. Per toolchain (local,
# 1.25 .. 1.22; PS_TOOLCHAINS overrides) and build mode (plain, stripped, PIE, cgo, cgo PIE)
# the live read must give every goroutine but 1 (busy dumping) exactly as the runtime does:
# status, flags, frames, created by and creator, compared through `chanwatch dump --records`.
# Also per build: the analysis names the 12 main.worker goroutines, --channels and --json.
# Once: --record / --replay, a truncated recording, --pause --stats, and the errors (no such
# process, not a Go program, bad PID, no ptrace permission).
use strict;
use warnings;
use Test::More;
use JSON::PP;
use File::Temp qw(tempdir);
use File::Path qw(make_path);
use File::Copy qw(copy);
use Cwd qw(abs_path);
use FindBin;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

my $cw = $ENV{CHANWATCH} or BAIL_OUT('set CHANWATCH to the chanwatch binary');
my $top = abs_path("$FindBin::Bin/../..");
my $outroot = $ENV{CHANWATCH_OUTPUT} // "$top/.output";
my $bindir = "$outroot/fixtures/ps";
my $src = "$top/tests/fixtures/go/psfix";
my $tmp = tempdir('cw-ps.XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $t0 = time;
make_path($bindir);

# Every process started here is killed at the end, also when the test dies.
my %started;
END {
	for my $pid (keys %started) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
	}
}

# run(ARGV, stdin => FILE): returns (exit status, stdout, stderr)
my $nrun = 0;
sub run {
	my (@argv) = @_;
	$nrun++;
	my ($o, $e) = ("$tmp/run$nrun.out", "$tmp/run$nrun.err");
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', $o) or exit 127;
		open(STDERR, '>', $e) or exit 127;
		exec(@argv) or exit 127;
	}
	waitpid($pid, 0);
	my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
	return ($rc, slurp($o), slurp($e));
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<', $f) or return '';
	local $/;
	my $s = <$fh>;
	return $s // '';
}

sub lines { my @l = split /\n/, $_[0]; return scalar @l; }

# start(ARGV): the process, its stdout going to a file; returns (pid, stdout file)
sub start {
	my (@argv) = @_;
	$nrun++;
	my $o = "$tmp/proc$nrun.out";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', $o) or exit 127;
		open(STDERR, '>&', \*STDOUT);
		exec(@argv) or exit 127;
	}
	$started{$pid} = 1;
	return ($pid, $o);
}

sub stop {
	my ($pid) = @_;
	return unless $started{$pid};
	kill 'KILL', $pid;
	waitpid($pid, 0);
	delete $started{$pid};
}

# wait_for(FILE, REGEX, SECONDS): the first match of REGEX in FILE, or undef
sub wait_for {
	my ($f, $re, $secs) = @_;
	my $end = time + $secs;
	while (time < $end) {
		my @m = slurp($f) =~ $re;
		return $m[0] // 1 if @m;
		sleep 0.02;
	}
	return undef;
}

# records(FILE): goroutine records of a dump, by ID, through `chanwatch dump --records`
sub records {
	my ($file) = @_;
	my ($rc, $out, $err) = run($cw, 'dump', '--records', '--no-source', $file);
	return (undef, "dump --records $file: exit $rc: $err") if $rc != 0;
	my %by;
	for my $l (split /\n/, $out) {
		my $r = eval { decode_json($l) } or return (undef, "not JSON: $l");
		next unless ($r->{record} // '') eq 'goroutine';
		$by{$r->{id}} = $r;
	}
	return (\%by, '');
}

# the compared part of a record, as canonical JSON
my $canon = JSON::PP->new->canonical;
sub key {
	my ($r) = @_;
	my %k = (
		status => $r->{status},
		flags => $r->{flags} // [],
		frames => [map { { func => $_->{func}, file => $_->{file}, line => $_->{line} } }
			@{ $r->{frames} // [] }],
		frames_elided => $r->{frames_elided} // JSON::PP::false,
		creator_id => $r->{creator_id},
	);
	$k{created_by} = { map { $_ => $r->{created_by}{$_} } qw(func file line) } if $r->{created_by};
	return $canon->encode(\%k);
}

sub in_loop { return grep { $_->{func} eq 'os/signal.loop' } @{ $_[0]->{frames} // [] }; }

# compare(PS FILE, SELF FILE, NAME): same IDs, same goroutines but 1 (it writes the dump)
# and the os/signal goroutine when the dump caught it delivering the SIGUSR1 (not parked)
sub compare {
	my ($ps, $self, $name) = @_;
	my ($l, $el) = records($ps);
	my ($r, $er) = records($self);
	if (!$l || !$r) {
		fail("$name: both dumps read");
		diag($el || $er);
		return;
	}
	my @ia = sort { $a <=> $b } keys %$l;
	my @ib = sort { $a <=> $b } keys %$r;
	ok(@ia >= 20, "$name: ps read " . scalar(@ia) . " goroutines") or diag("ids: @ia");
	is("@ia", "@ib", "$name: the same goroutine IDs as runtime.Stack");
	my (@bad, %shown);
	my $busy = '';
	for my $id (@ib) {
		next if $id == 1 || !$l->{$id};
		if (in_loop($r->{$id}) && $r->{$id}{status} =~ /^(runnable|running)$/) {
			$busy = " (and $id, delivering the signal)";
			next;
		}
		push @bad, $id if key($l->{$id}) ne key($r->{$id});
	}
	ok(!@bad, "$name: every goroutine but 1$busy as runtime.Stack has it") or do {
		diag(scalar(@bad) . " goroutines differ: @bad");
		# both sides of the first goroutine of each kind of difference (at most 3)
		for my $id (@bad) {
			my ($kl, $kr) = (key($l->{$id}), key($r->{$id}));
			next if $shown{"$kl\0$kr"}++ || keys %shown > 3;
			diag("goroutine $id");
			diag("  ps:            $kl");
			diag("  runtime.Stack: $kr");
		}
	};
	my @sig = grep { ($l->{$_}{created_by}{func} // '') =~ /^os\/signal\./ } @ia;
	ok(@sig == 1 && in_loop($l->{ $sig[0] }), "$name: ps unwinds the os/signal goroutine to os/signal.loop")
		or diag(join("\n", map { "goroutine $_: " . key($l->{$_}) } @sig));
	return scalar @ia;
}

# channels(TEXT): the --channels table as [elem, cap, nsenders, nreceivers]
sub count_gs {
	my ($col) = @_;
	return 0 if $col eq '-';
	return $1 if $col =~ /\((\d+)\)$/;
	return scalar split /,/, $col;
}

sub check_channels {
	my ($pid, $name) = @_;
	my ($rc, $out, $err) = run($cw, 'ps', '--channels', $pid);
	ok($rc == 0 || $rc == 1, "$name: --channels runs (exit $rc)") or diag($err);
	my ($jobs, $ints) = (0, 0);
	for my $l (split /\n/, $out) {
		next unless $l =~ /^0x[0-9a-f]+\s+(\S+)\s+(\d+)\s+(\d+)\s+(yes|no)\s+(\S+)\s+(\S+(?: \(\d+\))?)\s*$/;
		my ($elem, $cap, $s, $r) = ($1, $3, count_gs($5), count_gs($6));
		$jobs++ if $elem eq '*main.job' && $cap == 0 && $s == 0 && $r == 12;
		$ints++ if $elem eq 'int' && $cap == 0 && $s == 3 && $r == 0;
	}
	is($jobs, 1, "$name: --channels: one unbuffered *main.job channel with 12 receivers")
		or diag($out);
	is($ints, 1, "$name: --channels: one unbuffered int channel with 3 senders") or diag($out);
}

sub check_analysis {
	my ($pid, $name) = @_;
	my ($rc, $out, $err) = run($cw, 'ps', '--no-source', $pid);
	is($rc, 1, "$name: ps with analysis exits 1 (suspects)") or diag($err);
	my @suspects = grep { /^#\d+\s+12 goroutines/ && /^\s+blocked at\s+main\.worker\s/m }
		split /(?=^#\d+\s)/m, $out;
	is(scalar @suspects, 1, "$name: the 12 main.worker goroutines are a suspect")
		or diag(join "\n", grep { /^#\d+/ } split /\n/, $out);
}

sub check_json {
	my ($pid, $nrec, $name) = @_;
	my ($rc, $out, $err) = run($cw, 'ps', '--json', '--no-source', $pid);
	ok($rc == 0 || $rc == 1, "$name: --json runs (exit $rc)") or diag($err);
	my $j = eval { decode_json($out) };
	ok($j && ref $j eq 'HASH', "$name: --json parses") or do { diag($@); return; };
	is($j->{schema}, 'chanwatch.ps/v1', "$name: --json schema");
	is(scalar @{ $j->{goroutines} // [] }, $nrec, "$name: --json has the dump's $nrec goroutines");
	ok(@{ $j->{channels} // [] } > 0, "$name: --json lists channels");
	ok(ref $j->{analysis} eq 'HASH' && exists $j->{analysis}{suspects}, "$name: --json has the analysis");
}

# dump_self(PID, OUT FILE, N): SIGUSR1, then wait for the Nth "dumped" line
sub dump_self {
	my ($pid, $out, $n) = @_;
	kill 'USR1', $pid;
	my $end = time + 10;
	while (time < $end) {
		my $got = () = slurp($out) =~ /^dumped$/mg;
		return 1 if $got >= $n;
		sleep 0.02;
	}
	return 0;
}

# the builds: toolchain x mode
my @modes = (
	[plain => [CGO_ENABLED => 0], []],
	[stripped => [CGO_ENABLED => 0], ['-ldflags=-s -w']],
	[pie => [CGO_ENABLED => 0], ['-buildmode=pie']],
	[cgo => [CGO_ENABLED => 1], ['-ldflags=-linkmode=external']],
	[cgopie => [CGO_ENABLED => 1], ['-buildmode=pie', '-ldflags=-linkmode=external']],
);
# Known gaps: "toolchain mode" (either may be *) => reason. The checks of such a build run
# as TODO tests.
my %todo = ();

my @toolchains = split ' ', ($ENV{PS_TOOLCHAINS} // 'local go1.25.9 go1.24.13 go1.23.12 go1.22.12');
my $local_plain;
local $ENV{GOFLAGS} = '-mod=mod';
for my $tc (@toolchains) {
	local $ENV{GOTOOLCHAIN} = $tc;
	my ($rc, $ver, $err) = run('sh', '-c', "cd '$src' && go env GOVERSION");
	chomp $ver;
	if ($rc != 0 || $ver !~ /^go\d/) {
		my ($why) = grep { /\S/ } reverse split /\n/, $err;
		SKIP: { skip("toolchain $tc cannot be obtained: " . ($why // "exit $rc"), 1); }
		next;
	}
	for my $m (@modes) {
		my ($mode, $env, $flags) = @$m;
		my $name = "$ver $mode";
		my $bin = "$bindir/psfix-$ver-$mode";
		my %env = @$env;
		local @ENV{ keys %env } = values %env;
		my ($brc, undef, $berr) = run('sh', '-c', 'cd "$0" && exec go build -o "$@" .', $src, $bin, @$flags);
		if ($brc != 0) {
			if ($mode eq 'cgopie') {
				SKIP: { skip("$name: does not build here: " . (split /\n/, $berr)[-1], 1); }
				next;
			}
			fail("$name: go build");
			diag($berr);
			next;
		}
		my $todo_reason = $todo{"$tc $mode"} // $todo{"$tc *"} // $todo{"* $mode"};
		local our $TODO = $todo_reason;
		$local_plain = $bin if $mode eq 'plain' && (!$local_plain || $tc eq 'local');
		my $self = "$tmp/self-$ver-$mode.txt";
		my ($pid, $pout) = start($bin, '-dump', $self);
		my $ready = wait_for($pout, qr/^ready (\d+)$/m, 10);
		if (!$ready) {
			fail("$name: the fixture says ready");
			diag(slurp($pout));
			stop($pid);
			next;
		}
		my $ps = "$tmp/ps-$ver-$mode.txt";
		my ($prc, $pstxt, $perr) = run($cw, 'ps', '--no-analysis', $pid);
		open(my $fh, '>', $ps) or die "$ps: $!";
		print $fh $pstxt;
		close $fh;
		is($prc, 0, "$name: ps --no-analysis") or diag($perr);
		if (!dump_self($pid, $pout, 1)) {
			fail("$name: the fixture dumps itself");
			diag(slurp($pout));
			stop($pid);
			next;
		}
		my $nrec = compare($ps, $self, $name);
		check_analysis($pid, $name);
		check_channels($pid, $name);
		check_json($pid, $nrec // 0, $name);
		stop($pid);
	}
}

# Once: the local toolchain's plain build (else the first toolchain's).
SKIP: {
	skip('no plain build', 1) unless $local_plain;
	my ($pid, $pout) = start($local_plain, '-dump', "$tmp/self-once.txt");
	my $ready = wait_for($pout, qr/^ready (\d+)$/m, 10);
	ok($ready, 'the fixture says ready') or skip('the fixture did not start', 1);

	# --record then --replay: the same bytes
	my $rec = "$tmp/snap.cws";
	my ($rc, $live, $err) = run($cw, 'ps', '--no-analysis', '--record', $rec, $pid);
	is($rc, 0, '--record') or diag($err);
	ok(-s $rec, '--record writes the snapshot (' . (-s $rec // 0) . ' bytes)');
	my ($rc2, $replay, $err2) = run($cw, 'ps', '--no-analysis', '--replay', $rec);
	is($rc2, 0, '--replay') or diag($err2);
	ok($live ne '' && $live eq $replay, '--replay prints what the live read printed') or do {
		open(my $a, '>', "$tmp/live.txt");
		print $a $live;
		open(my $b, '>', "$tmp/replay.txt");
		print $b $replay;
		close $a;
		close $b;
		diag(`diff -u $tmp/live.txt $tmp/replay.txt | head -n 20`);
	};
	my $jrec = "$tmp/snap-json.cws";
	my (undef, $jlive, $jerr) = run($cw, 'ps', '--json', '--no-source', '--record', $jrec, $pid);
	my (undef, $jrep, $jerr2) = run($cw, 'ps', '--json', '--no-source', '--replay', $jrec);
	my ($dl, $dr) = map { eval { decode_json($_) } } $jlive, $jrep;
	if ($dl && $dr) {
		ok(!$dl->{process}{replayed} && $dr->{process}{replayed}, '--json says which was replayed');
		delete $_->{process}{replayed} for $dl, $dr;
		# By design two fields differ: the analysis names its input (the process, or the
		# recording file) and took_ns is the time the read took, live or from the file.
		my @names = map { join ' ', map { $_->{name} // '' } @{ $_->{analysis}{inputs} // [] } } $dl, $dr;
		delete $_->{name} for map { @{ $_->{analysis}{inputs} // [] } } $dl, $dr;
		delete $_->{snapshot}{took_ns} for $dl, $dr;
		like($names[0], qr/^process \d+$/, '--json: the live input is named by its process');
		is($names[1], $jrec, '--replay --json: the input is named by the recording');
		my ($cl, $cr) = map { $canon->encode($_) } $dl, $dr;
		ok($cl eq $cr, '--replay --json is the live --json but "replayed"') or do {
			my $i = 0;
			$i++ while $i < length($cl) && substr($cl, $i, 1) eq substr($cr, $i, 1);
			diag('live:   ...' . substr($cl, $i > 80 ? $i - 80 : 0, 200));
			diag('replay: ...' . substr($cr, $i > 80 ? $i - 80 : 0, 200));
		};
	} else {
		fail('--json --record and --replay parse');
		diag("$jerr$jerr2");
	}

	# -j: the same snapshot on one thread and on four. psfix's 26 goroutines make batches
	# too small to split, so this reads psbench with 20,000: every batch of 8,192 gs is
	# several process_vm_readv calls, made by the pool's threads.
	my $pb = "$bindir/psbench";
	my ($brc, undef, $berr) = run('sh', '-c', 'cd "$0" && exec go build -o "$1" .', "$top/tests/fixtures/go/psbench", $pb);
	is($brc, 0, 'psbench builds') or diag($berr);
	SKIP: {
		skip('psbench did not build', 2) if $brc;
		my ($bpid, $bout) = start($pb, '-n', '20000');
		ok(wait_for($bout, qr/^ready \d+$/m, 60), 'psbench parks 20,000 goroutines') or diag(slurp($bout));
		my (undef, $j1, $j1err) = run($cw, 'ps', '--no-analysis', '-j', '1', $bpid);
		my (undef, $j4, $j4err) = run($cw, 'ps', '--no-analysis', '--jobs', '4', $bpid);
		# only the parked goroutines: main, the probe and the HTTP server may move between
		# the two reads
		my $parked = qr/^main\.(?:recvNever|sendResult|workerIdle|waitAny|lockShared|awaitGroup|backoff)\(/m;
		my ($k1, $k4) = map { [grep { /$parked/ } split /\n\n/] } $j1, $j4;
		my $n = @$k1;
		my ($i) = grep { $k1->[$_] ne ($k4->[$_] // '') } 0 .. $#$k1;
		ok($n >= 20000 && @$k4 == $n && !defined $i,
			"-j 1 and --jobs 4 print the same snapshot ($n parked goroutines)")
			or diag("$j1err$j4err" . (defined $i ? "-j 1:\n$k1->[$i]\n--jobs 4:\n$k4->[$i]" : ''));
		stop($bpid);
	}
	($rc, undef, $err) = run($cw, 'ps', '-j', '0', $pid);
	is($rc, 2, '-j 0: exit 2');
	is($err, "chanwatch: --jobs takes 1 to 64, not '0'\n", '-j 0: says what it takes');

	# a truncated recording: exit 2, one line
	my $cut = "$tmp/cut.cws";
	copy($rec, $cut) or die "copy: $!";
	truncate($cut, int((-s $rec) / 2)) or die "truncate: $!";
	($rc, undef, $err) = run($cw, 'ps', '--no-analysis', '--replay', $cut);
	is($rc, 2, 'a truncated recording: exit 2');
	is(lines($err), 1, 'a truncated recording: one line on stderr') or diag($err);

	# --pause --stats: the process is resumed and still works
	($rc, undef, $err) = run($cw, 'ps', '--no-analysis', '--pause', '--stats', $pid);
	is($rc, 0, '--pause --stats') or diag($err);
	like($err, qr/paused/, '--stats says how long it was paused');
	sleep 0.05;
	my @stopped;
	for my $st (glob "/proc/$pid/task/*/stat") {
		my $s = slurp($st);
		push @stopped, $st if $s =~ /\) ([tT]) /;
	}
	is("@stopped", '', 'no thread of the process is left stopped');
	ok(dump_self($pid, $pout, 1), 'after --pause the process still answers SIGUSR1');

	# errors: exit 2, one line
	($rc, undef, $err) = run($cw, 'ps', '999999');
	is($rc, 2, 'no such process: exit 2');
	is(lines($err), 1, 'no such process: one line') or diag($err);
	like($err, qr/999999/, 'no such process: names it');
	my ($spid) = start('sleep', '30');
	sleep 0.05;
	($rc, undef, $err) = run($cw, 'ps', $spid);
	is($rc, 2, 'not a Go program: exit 2');
	is(lines($err), 1, 'not a Go program: one line') or diag($err);
	like($err, qr/not a Go (program|binary)/i, 'not a Go program: says so');
	stop($spid);
	($rc, undef, $err) = run($cw, 'ps', 'abc');
	is($rc, 2, 'PID abc: exit 2') or diag($err);
	my ($setpriv) = grep { -x } map { "$_/setpriv" } split /:/, $ENV{PATH};
	my ($runuser) = grep { -x } map { "$_/runuser" } split /:/, $ENV{PATH};
	SKIP: {
		skip('not root', 3) if $> != 0;
		my @as;
		if ($setpriv) {
			@as = ($setpriv, '--reuid=nobody', '--regid=' . ((getgrnam('nogroup'))[2] // 65534),
				'--clear-groups');
		} elsif ($runuser) {
			@as = ($runuser, '-u', 'nobody', '--');
		} else {
			skip('neither setpriv nor runuser', 3);
		}
		($rc, undef, $err) = run(@as, $cw, 'ps', $pid);
		is($rc, 2, 'as nobody over a root process: exit 2') or diag($err);
		is(lines($err), 1, 'as nobody: one line') or diag($err);
		like($err, qr/ptrace/i, 'as nobody: names the ptrace permission');
	}
	stop($pid);
}

diag(sprintf('ps.t took %.1f s', time - $t0));
done_testing();
