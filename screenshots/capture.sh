#!/usr/bin/env bash
# capture.sh regenerates the README screenshots from the demo: it runs
# `authdeck demo` in a private tmux server, drives it with keys, captures each
# screen with its colours (tmux capture-pane -e), turns it into HTML (aha) and
# photographs that with headless Chromium. Before writing a PNG it checks the
# captured text for every credential of this demo run: none may be visible.
#
#   bash screenshots/capture.sh            (from the repository root)
set -euo pipefail

cd "$(dirname "$0")/.."
out=screenshots
cols=120
rows=36

need=()
for tool in tmux aha chromium; do
	command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if ((${#need[@]})); then
	echo "installing ${need[*]}" >&2
	apt-get install -y "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
sock="authdeck-shots-$$"
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/authdeck" ./cmd/authdeck

summary="$work/summary.txt"
printf 'set -s set-clipboard off\nset -g default-terminal tmux-256color\nset -g status off\n' >"$work/tmux.conf"
cat >"$work/run.sh" <<RUN
#!/bin/sh
exec env -i HOME="$work" PATH="$PATH" TERM=xterm-256color COLORTERM=truecolor BROWSER=true \
	AUTHDECK_HOME="$work/home" "$work/authdeck" demo --summary-file "$summary" 2>"$work/stderr"
RUN
chmod +x "$work/run.sh"

t() { tmux -L "$sock" "$@"; }
t -f "$work/tmux.conf" new-session -d -s shots -x "$cols" -y "$rows" "$work/run.sh"

keys() { # one key at a time, as a person types
	for k in "$@"; do
		t send-keys -t shots "$k"
		sleep 0.15
	done
}
typetext() {
	local s=$1 i
	for ((i = 0; i < ${#s}; i++)); do
		t send-keys -t shots -l "${s:i:1}"
		sleep 0.03
	done
}
waitfor() { # waitfor TEXT: poll the screen (bounded) until TEXT shows
	local i
	for ((i = 0; i < 100; i++)); do
		if t capture-pane -p -t shots | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	t capture-pane -p -t shots >&2
	exit 1
}

# The credentials of this run, one per line: client secrets, the OAuth 1.0a
# consumer secret, the API key, the basic password, the admin token and the
# private keys' base64 lines.
secrets() {
	sed -n \
		-e 's/^ *client_secret[[:space:]]*//p' \
		-e 's/^ *Consumer secret[[:space:]]*//p' \
		-e 's/^ *API key[[:space:]]*X-API-Key: //p' \
		-e 's/^ *Admin token[[:space:]]*\([^ ]*\).*/\1/p' \
		-e 's/^ *Basic[[:space:]]*[^ ]* \/ //p' \
		"$summary"
	awk '/BEGIN PRIVATE KEY/{k=1;next} /END PRIVATE KEY/{k=0} k{gsub(/^ +/,""); print}' "$summary"
}

# shot NAME [light]: capture the screen, refuse it if a secret shows, render it.
shot() {
	local name=$1 light=${2:-} ansi="$work/$1.ansi" html="$work/$1.html" leaked=0 s
	sleep 0.4
	t capture-pane -e -p -t shots >"$ansi"
	while IFS= read -r s; do
		[ "${#s}" -ge 8 ] || continue
		if grep -qF -- "$s" "$ansi"; then leaked=1; fi
	done < <(secrets)
	if ((leaked)); then
		echo "$name: a demo credential is visible on screen; not writing the screenshot" >&2
		exit 1
	fi
	local bg='#1b1b24' fg='#e4e4ef' aha_flags=(--black)
	if [ -n "$light" ]; then bg='#faf8f2' fg='#2b2b2b' aha_flags=(); fi
	aha "${aha_flags[@]}" --title "authdeck $name" <"$ansi" |
		sed -e "s|<head>|<head><style>body{margin:0;padding:14px;background:$bg;color:$fg} pre{margin:0;font-family:'DejaVu Sans Mono',monospace;font-size:14px;line-height:16px}</style>|" \
			-e "s|<body[^>]*>|<body>|" >"$html"
	local w=$((cols * 843 / 100 + 28)) h=$((rows * 16 + 28))
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
		--user-data-dir="$work/chromium-$name" --window-size="$w,$h" \
		--screenshot="$out/$name.png" "file://$html" >/dev/null 2>&1
	echo "wrote $out/$name.png"
}

waitfor "AUTH CLIENTS"
[ -s "$summary" ] || { echo "the demo wrote no summary" >&2; exit 1; }
shot main

# A decoded token: client credentials with private_key_jwt.
keys / && typetext service-jwt && keys Enter
waitfor "1 match"
keys Enter
waitfor "Token issued"
keys Enter
waitfor "verified"
shot token
keys Escape Escape Escape

# The device flow, with its user code and QR code.
keys / && typetext cli-device && keys Enter
waitfor "1 match"
keys Enter
waitfor "Enter this code"
shot device
keys x
sleep 0.5
keys Escape Escape

# The new auth client wizard after discovery (OAuth 2.0, the first choice).
keys w
waitfor "Protocol"
keys Enter
waitfor "issuer ›"
keys Enter
waitfor "Discovered"
shot wizard
keys Escape

# The request console side by side on a wide terminal: a saved request
# sent, its response beside the composer.
cols=180 rows=40
t resize-window -t shots -x "$cols" -y "$rows"
keys / && typetext "write data" && keys Enter
waitfor "1 match"
keys Enter
waitfor "Body · raw"
keys C-s
waitfor "200 OK"
shot console
keys Escape Escape
cols=120 rows=36
t resize-window -t shots -x "$cols" -y "$rows"
waitfor "AUTH CLIENTS"

# The variables editor: n → Variable (after Request), a new variable's
# name and its kind, secret highlighted.
keys n
waitfor "New in dev"
for _ in 1 2 3 4 5 6 7 8 9 10; do keys Down; done
keys Enter
waitfor "New variable in dev"
typetext apiToken
keys Enter
waitfor "never in the catalog"
keys Down
shot variables
keys Escape
waitfor "AUTH CLIENTS"

# A light theme.
for _ in 1 2 3 4 5; do
	if t capture-pane -p -t shots | grep -qF "Theme paper"; then break; fi
	keys T
done
waitfor "Theme paper"
shot light light
keys q
