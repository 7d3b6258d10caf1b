#!/usr/bin/env bash
# Runs the README's test command as a newcomer would on a fresh machine with
# only Go installed: in a clean clone of HEAD, in an empty temporary folder
# (nothing beside it), outside CI, with no D-Bus session and with the tools
# some tests use (tmux, Chromium, xclip, Xvfb, gnome-keyring, dbus) hidden
# from PATH. Those tests must skip with a reason; everything else must pass.
#
#   bash .ci/newcomer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
src="$(pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/authdeck-newcomer.XXXXXX")"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
git clone --quiet --no-local "$src" "$tmp/clone"
mkdir -m 0700 "$tmp/home"

# A PATH with every command of /usr/bin and /bin except the hidden ones.
hidden=(tmux chromium chromium-browser google-chrome xclip xsel wl-copy wl-paste xvfb-run Xvfb
	gnome-keyring-daemon dbus-run-session dbus-daemon dbus-send dbus-launch secret-tool aha)
mkdir "$tmp/bin"
for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	[[ -d "$dir" ]] || continue
	for f in "$dir"/*; do
		name="${f##*/}"
		[[ -x "$f" && ! -e "$tmp/bin/$name" ]] || continue
		for h in "${hidden[@]}"; do
			[[ "$name" == "$h" ]] && continue 2
		done
		ln -s "$f" "$tmp/bin/$name"
	done
done
gobin="$(dirname "$(command -v go)")"
# A build cache of its own, as on a fresh machine, removed with the rest of
# the folder; the module cache is kept (CI downloaded the modules already,
# and a newcomer's `go test` would fetch the same ones from the proxy).
GOCACHE="$tmp/gocache"
GOMODCACHE="$(go env GOMODCACHE)"
GOPATH="$(go env GOPATH)"

cd "$tmp/clone"
test_cmd="$(bash .ci/readme-test-cmd.sh README.md)"
if [[ "$test_cmd" != *"-timeout"* ]]; then
	test_cmd="go test -timeout 60m ${test_cmd#go test }"
fi
echo "newcomer: $test_cmd (in $tmp/clone, nothing beside it; hidden: ${hidden[*]})"
env -i HOME="$tmp/home" PATH="$gobin:$tmp/bin" TMPDIR="${TMPDIR:-/tmp}" LANG=C.UTF-8 TERM=dumb \
	GOCACHE="$GOCACHE" GOMODCACHE="$GOMODCACHE" GOPATH="$GOPATH" GOFLAGS="${GOFLAGS:-}" \
	bash -c "$test_cmd"
