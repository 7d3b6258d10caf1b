#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 10s), one
# at a time: go test -fuzz takes a single target per run.
#   FUZZTIME=30s bash .ci/fuzz.sh [packages...]
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(./...)
failed=0
ran=0
while read -r pkg; do
	while read -r target; do
		[[ "$target" == Fuzz* ]] || continue
		ran=$((ran + 1))
		echo "==> $pkg $target ($fuzztime)"
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"; then
			failed=$((failed + 1))
		fi
	done < <(go test -list '^Fuzz' "$pkg" 2>/dev/null)
done < <(go list "${pkgs[@]}")
echo "fuzz: $ran targets, $failed failed"
[[ $failed -eq 0 ]]
