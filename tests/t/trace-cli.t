#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# chanwatch trace from the command line: errors, a traced run with its leak and JSON events,
# the program's exit status passed through, misuse caught before the panic, attaching by PID.
# Needs BPF: skips with the reason where the kernel refuses, unless CHANWATCH_REQUIRE_BPF=1.
. "$(dirname "$0")/tap.sh"

run "$CHANWATCH" trace
is "$rc" 2 "no program and no pid: usage error"
run "$CHANWATCH" trace --leak-after soon -- /bin/true
is "$err" "chanwatch: --leak-after takes a duration such as 500ms, 10s or 2m, not 'soon'" \
	"bad duration message"
run "$CHANWATCH" trace -- /nonexistent/program
is "$rc" 2 "missing program exits 2"
is "$err" "chanwatch: cannot find program '/nonexistent/program'" "missing program message"
run "$CHANWATCH" trace -- /bin/true
is "$rc" 2 "a program that is not Go exits 2"
like "$err" "^chanwatch: '/usr/bin/true': not a Go binary" "not-Go message names the binary"
run "$CHANWATCH" trace --help
like "$out" "chanwatch trace -- ./server" "--help shows examples"

bin="$CHANWATCH_OUTPUT/fixtures/trace/tracechans-cli"
mkdir -p "$(dirname "$bin")"
if ! (cd "$TOP/tests/fixtures/go/tracechans" && CGO_ENABLED=0 go build -o "$bin" .) >"$TMP/b" 2>&1; then
	ok 1 "build tracechans"
	done_testing
	exit
fi
src="$TOP/tests/fixtures/go/tracechans/main.go"
line_of() { grep -n "$1" "$src" | head -n 1 | cut -d: -f1; }

"$CHANWATCH" trace --interval 0 --leak-after 300ms --json "$TMP/ev" -o "$TMP/report" -- "$bin" \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "BPF\|uprobe\|CAP_BPF" "$TMP/err" && [ "${CHANWATCH_REQUIRE_BPF:-0}" != 1 ]; then
	skip "BPF unavailable: $(cat "$TMP/err")"
	done_testing
	exit
fi
is "$rc" 0 "the program's exit status (0) is passed through"
"$bin" >"$TMP/plain.out" 2>"$TMP/plain.err"
is "$(sed 's/0x[0-9a-f]*/ADDR/g' "$TMP/out")" "$(sed 's/0x[0-9a-f]*/ADDR/g' "$TMP/plain.out")" \
	"its stdout is what it prints without the tracer"
is "$(cat "$TMP/err")" "" "nothing on its stderr: the report went to -o"
like "$(cat "$TMP/report")" "blocked at  main.main.func[0-9]+  $src:$(line_of '<-forever')" \
	"the goroutine stuck at exit is reported at its line"
like "$(cat "$TMP/report")" "channel made  main.main  $src:$(line_of 'forever := make')  \(1, never closed\)" \
	"with the channel's make site, never closed"
like "$(head -n 1 "$TMP/ev")" '"event":"start".*"schema":"chanwatch.trace/v1"' "JSON starts with a start event"
like "$(tail -n 1 "$TMP/ev")" '"event":"summary".*"leaks":1,"misuses":0' "JSON ends with the summary"
like "$(grep '"event":"leak"' "$TMP/ev")" '"blocked_ns":[0-9]+.*"at_exit":false' "the leak is reported once past --leak-after, while the program runs"
like "$(grep '"event":"close"' "$TMP/ev" | tail -n 1)" "\"line\":$(line_of 'close(b)')" "close(b) is seen at its line"
like "$(grep '"elem":"string"' "$TMP/ev")" '"cap":3' "make(chan string, 3): element type and capacity"

"$CHANWATCH" trace --interval 0 --json "$TMP/ev2" -o "$TMP/report2" -- "$bin" -sendclosed \
	>/dev/null 2>"$TMP/err2"
is "$?" 2 "the program's panic exit status (2) is passed through"
like "$(cat "$TMP/err2")" "panic: send on closed channel" "the program's own panic output is untouched"
like "$(grep misuse "$TMP/ev2")" "\"kind\":\"send-on-closed-channel\".*\"line\":$(line_of 'c <- 1').*\"made_at\".*\"line\":$(line_of 'c := make(chan int, 1)').*\"closed_at\".*\"line\":$(line_of 'close(c)')" \
	"send on closed channel: send, make and close sites"

# A PIE build that exits before its events are read still gets its symbols (the load bias
# comes from the probes' own addresses, not from /proc maps that are gone by then).
pie="$CHANWATCH_OUTPUT/fixtures/trace/tracechans-cli-pie"
(cd "$TOP/tests/fixtures/go/tracechans" && CGO_ENABLED=0 go build -buildmode=pie -o "$pie" .) >/dev/null 2>&1
"$CHANWATCH" trace --interval 0 --leak-after 300ms -o "$TMP/report-pie" -- "$pie" >/dev/null 2>&1
like "$(cat "$TMP/report-pie")" "blocked at  main.main.func[0-9]+  $src:$(line_of '<-forever')" \
	"PIE: the leak is symbolized"

# Ctrl-C reaches the traced program (the tracer itself ignores it and reports after).
"$CHANWATCH" trace --interval 0 -o "$TMP/report-int" -- "$bin" -late >/dev/null 2>&1 &
cw=$!
sleep 0.7
prog=$(pgrep -P "$cw" | head -n 1)
[ -n "$prog" ] && kill -INT "$prog"
wait "$cw"
is "$?" 130 "SIGINT ends the traced program, and chanwatch exits with 128+2"

# Without privileges: one line that says what is missing.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	cp "$CHANWATCH" "$TMP/cw" && chmod 755 "$TMP" "$TMP/cw" "$bin"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$TMP/cw" trace -- "$bin"
	is "$rc" 2 "unprivileged: exit 2"
	like "$err" "^chanwatch: cannot load BPF programs: Operation not permitted \(needs root, or CAP_BPF and CAP_PERFMON\)$" \
		"unprivileged: one line naming the capabilities"
else
	skip "not root or no setpriv: cannot drop privileges to test the message"
fi

# The blocking profile and the timeline.
"$CHANWATCH" trace --interval 0 --pprof "$TMP/b.pb.gz" --perfetto "$TMP/tl.json" -o /dev/null -- "$bin" >/dev/null
is "$?" 0 "--pprof and --perfetto runs"
if command -v go >/dev/null; then
	like "$(go tool pprof -top -sample_index=blocked "$TMP/b.pb.gz" 2>&1)" "main\.main\.func[0-9]+" \
		"go tool pprof shows the blocking stacks"
	like "$(go tool pprof -raw "$TMP/b.pb.gz" 2>&1 | head -n 6)" "blocked/nanoseconds(\\[dflt\\])? waits/count leaked/count" \
		"sample types: blocked, waits, leaked"
fi
perl -MJSON::PP -e 'local $/; my $d = decode_json(<STDIN>); my @e = @{$d->{traceEvents}};
	my $b = grep { $_->{ph} eq "b" && $_->{cat} eq "channel" } @e;
	my $x = grep { $_->{ph} eq "X" && $_->{cat} eq "blocked" } @e;
	exit !($b >= 3 && $x >= 2)' <"$TMP/tl.json"
ok "$?" "the timeline is JSON with channel lifetimes and blocked intervals"

# Attach to a running process by PID.
"$bin" -late >"$TMP/late.out" &
pid=$!
for _ in $(seq 50); do grep -q started "$TMP/late.out" && break; sleep 0.05; done
"$CHANWATCH" trace --interval 0 --leak-after 500ms --json "$TMP/ev3" -p "$pid" 2>"$TMP/report3"
rc=$?
wait "$pid"
is "$?" 3 "the traced process ran to its own exit"
is "$rc" 1 "-p: exit 1 when a leak was found"
like "$(grep '"event":"leak"' "$TMP/ev3")" "\"line\":$(line_of 'LATE-LEAK')" "-p: the late leak is found at its line"
done_testing
