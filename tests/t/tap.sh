# SPDX-License-Identifier: MIT
# Minimal TAP helpers for the CLI tests (sourced by tests/t/*.t).
# Environment: CHANWATCH (binary), CHANWATCH_OUTPUT (scratch root), set by `make cli`.
set -u
: "${CHANWATCH:?set CHANWATCH to the chanwatch binary}"
: "${CHANWATCH_OUTPUT:=$(pwd)/.output}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cw-t.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_n=0
_failed=0

ok() { # ok COND-STATUS NAME
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

is() { # is GOT WANT NAME
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
		_failed=$((_failed + 1))
	fi
}

like() { # like GOT REGEX NAME
	_n=$((_n + 1))
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		echo "#   got:   '$1'"
		echo "#   match: '$2'"
		_failed=$((_failed + 1))
	fi
}

same_file() { # same_file GOT_FILE WANT_FILE NAME: golden comparison with a diff on failure
	_n=$((_n + 1))
	if diff -u "$2" "$1" >"$TMP/diff" 2>&1; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		sed 's/^/#   /' "$TMP/diff" | head -n 40
		echo "#   (regenerate with CHANWATCH_UPDATE_GOLDEN=1 only after reading the diff)"
		_failed=$((_failed + 1))
		if [ "${CHANWATCH_UPDATE_GOLDEN:-0}" = 1 ]; then cp "$1" "$2"; fi
	fi
}

skip() { # skip REASON
	_n=$((_n + 1))
	echo "ok $_n # skip $1"
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

# run CMD...: sets $out, $err and $rc
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}
