#!/usr/bin/env bash
# Runs a command inside a private D-Bus session bus with gnome-keyring's
# Secret Service answering on it, unlocked, in throw-away directories, so the
# keychain tests talk to a real Secret Service without touching the user's.
#
#   bash .ci/with-secret-service.sh go test -race ./vault/...
#
# Needs: dbus (dbus-run-session, dbus-send) and gnome-keyring. Exits with the
# command's status, or 70 when the Secret Service does not come up.
set -euo pipefail

if [[ "${1:-}" != "--inside-session" ]]; then
	if [[ $# -eq 0 ]]; then
		echo "usage: $0 COMMAND [ARGS...]" >&2
		exit 64
	fi
	for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "with-secret-service: $tool is not installed (apt-get install dbus gnome-keyring)" >&2
			exit 70
		fi
	done
	# Pin Go's caches before the XDG/HOME directories move, so the command
	# reuses the module and build caches instead of refilling them.
	if command -v go >/dev/null 2>&1; then
		GOPATH="$(go env GOPATH)"
		GOCACHE="$(go env GOCACHE)"
		GOMODCACHE="$(go env GOMODCACHE)"
		export GOPATH GOCACHE GOMODCACHE
	fi
	tmp="$(mktemp -d "${TMPDIR:-/tmp}/authdeck-ss.XXXXXX")"
	trap 'rm -rf "$tmp"' EXIT
	mkdir -m 0700 -p "$tmp/run" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/home"
	export XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data" \
		XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" \
		AUTHDECK_SS_TMP="$tmp"
	# A stale address would point the session at another bus.
	unset DBUS_SESSION_BUS_ADDRESS
	set +e
	dbus-run-session -- bash "$0" --inside-session "$@"
	rc=$?
	set -e
	exit "$rc"
fi

shift
tmp="$AUTHDECK_SS_TMP"
log="$tmp/gnome-keyring.log"

has_owner() {
	dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets \
		2>/dev/null | grep -q 'boolean true'
}

# --unlock reads the login keyring's password from stdin (creating the
# keyring on first use); the password only protects this throw-away keyring.
printf 'authdeck-ci' | HOME="$tmp/home" gnome-keyring-daemon --foreground --unlock --components=secrets >"$log" 2>&1 &
daemon=$!

ready=0
for _ in $(seq 1 150); do # at most ~15 s
	if has_owner; then
		ready=1
		break
	fi
	if ! kill -0 "$daemon" 2>/dev/null; then
		break
	fi
	sleep 0.1
done
if [[ $ready -ne 1 ]]; then
	echo "with-secret-service: org.freedesktop.secrets has no owner; gnome-keyring-daemon log:" >&2
	cat "$log" >&2 || true
	kill "$daemon" 2>/dev/null || true
	wait "$daemon" 2>/dev/null || true
	exit 70
fi

set +e
"$@"
rc=$?
set -e

kill "$daemon" 2>/dev/null || true
wait "$daemon" 2>/dev/null || true
exit "$rc"
