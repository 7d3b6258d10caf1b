#!/usr/bin/env bash
# Prints the README's test command: the second command line of README.md's
# first fenced code block (the first is "try it", the second "test it").
# Fails loudly when it is missing or does not start with "go test".
set -euo pipefail
readme="${1:-$(dirname "$0")/../README.md}"
[[ -f "$readme" ]] || {
	echo "readme-test-cmd: $readme not found" >&2
	exit 1
}
cmd="$(awk '
	/^[[:space:]]*```/ { if (inblock) exit; inblock = 1; next }
	inblock && NF && $1 !~ /^#/ { n++; if (n == 2) { print; exit } }
' "$readme" | sed -e 's/^[[:space:]]*\$[[:space:]]*//' -e 's/[[:space:]]*$//')"
case "$cmd" in
"go test "*) printf '%s\n' "$cmd" ;;
*)
	echo "readme-test-cmd: the second command of README.md's first code block should be the test command (go test ...), found: '${cmd:-nothing}'" >&2
	exit 1
	;;
esac
