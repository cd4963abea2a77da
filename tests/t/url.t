#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetching /debug/pprof URLs: success, HTTP errors, the size cap, the timeout, libcurl loaded lazily.
. "$(dirname "$0")/tap.sh"

if ! command -v python3 >/dev/null; then
	skip "python3 not installed: no loopback HTTP server for URL tests"
	done_testing
	exit
fi

dump=$(ls "$TOP"/tests/golden/dump/*.txt 2>/dev/null | head -n 1)
mkdir -p "$TMP/www/debug/pprof"
cp "$dump" "$TMP/www/debug/pprof/goroutine"
cat >"$TMP/server.py" <<'PY'
import http.server, socketserver, sys, time, os
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(5)
        return super().do_GET()
socketserver.TCPServer.allow_reuse_address = True
with socketserver.TCPServer(("127.0.0.1", 0), H) as s:
    print(s.server_address[1], flush=True)
    s.timeout = 1
    deadline = time.time() + 60
    while time.time() < deadline:
        s.handle_request()
PY
python3 "$TMP/server.py" "$TMP/www" >"$TMP/port" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
port=$(cat "$TMP/port")
base="http://127.0.0.1:$port"

run "$CHANWATCH" dump --json "$base/debug/pprof/goroutine?debug=2"
ok "$([ "$rc" -le 1 ] && echo 0 || echo 1)" "URL is fetched and analysed (exit $rc)"
run "$CHANWATCH" dump --json "$dump"
file_json=$out
run "$CHANWATCH" dump --json "$base/debug/pprof/goroutine?debug=2"
is "$(printf '%s' "$out" | grep -v '"name"')" "$(printf '%s' "$file_json" | grep -v '"name"')" \
	"URL and file give the same analysis"

run "$CHANWATCH" dump "$base/debug/pprof/nothing-here"
is "$rc" 2 "HTTP 404 exits 2"
is "$err" "chanwatch: cannot read '$base/debug/pprof/nothing-here': HTTP 404" "HTTP 404 message"

run "$CHANWATCH" dump --max-bytes 100 "$base/debug/pprof/goroutine"
is "$rc" 2 "body over --max-bytes exits 2"
is "$err" "chanwatch: cannot read '$base/debug/pprof/goroutine': response larger than 100 bytes" \
	"size cap message"

run "$CHANWATCH" dump --timeout 1 "$base/slow"
is "$rc" 2 "slow server exits 2 after --timeout"
like "$err" "^chanwatch: cannot read '$base/slow': .*([Tt]imeout|timed out)" "timeout message"

# libcurl is loaded for URLs only: no other run pays for mapping it and its dependencies.
if command -v readelf >/dev/null; then
	needed=$(readelf -d "$CHANWATCH" | grep NEEDED)
	ok "$(printf '%s' "$needed" | grep -q libcurl && echo 1 || echo 0)" \
		"the binary does not link libcurl (loaded on the first URL)"
else
	skip "readelf not installed: cannot list the binary's libraries"
fi

done_testing
