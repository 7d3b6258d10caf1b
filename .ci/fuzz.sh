#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 10s; `make
# fuzz` gives 60s), one at a time: go test -fuzz takes a single target per
# run. Ends with one line per target: its status, executions and any failing
# input written to testdata/fuzz.
# A run that the engine itself ends with a bare "context deadline exceeded"
# and no failing input (a race in Go's fuzzing coordinator) is run once more.
# FUZZPARALLEL sets the fuzzing workers per target (default: one per core).
# FUZZMATCH, an extended regular expression, keeps only the targets whose name
# matches it whole (default: every target), e.g. FUZZMATCH='FuzzVerify|FuzzHTU'.
# FUZZMINIMIZETIME bounds the minimizing of each new input (default 10s; go
# test's own default is 60s): while the engine minimizes, it counts no
# executions, and on a parser whose new inputs come often (FuzzHTTPFile) it
# spent most of a 60 s run at "0/sec" minimizing instead of fuzzing.
#   FUZZTIME=30s bash .ci/fuzz.sh [packages...]
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"
parallel=()
[[ -z "${FUZZPARALLEL:-}" ]] || parallel=(-parallel "$FUZZPARALLEL")
minimize="${FUZZMINIMIZETIME:-10s}"
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(./...)
failed=0
ran=0
summary=()
while read -r pkg; do
	while read -r target; do
		[[ "$target" == Fuzz* ]] || continue
		[[ -z "${FUZZMATCH:-}" ]] || [[ "$target" =~ ^(${FUZZMATCH})$ ]] || continue
		ran=$((ran + 1))
		echo "==> $pkg $target ($fuzztime)"
		log="$(mktemp)"
		status=ok
		for attempt in 1 2; do
			if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "${parallel[@]}" "$pkg" </dev/null 2>&1 | tee "$log"; then
				break
			fi
			# Go's fuzzing coordinator can fail a run with a bare "context
			# deadline exceeded" when -fuzztime ends while a starved worker
			# is mid-call (a race in the engine, worst on a loaded machine):
			# nothing was found and no input was written. Such a run is
			# tried once more; anything else is a failure.
			if [[ $attempt -eq 1 ]] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written' "$log"; then
				echo "==> $pkg $target: the engine's end-of-run deadline race, no input written; running it once more"
				continue
			fi
			failed=$((failed + 1))
			status=FAILED
			break
		done
		# A run shorter than the engine's first 3 s report prints no count.
		execs="$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)"
		summary+=("$(printf '%-10s %-52s %10s execs  %s' "$status" "$pkg $target" "${execs:-0}" "$(grep -o 'Failing input written to .*' "$log" | head -1)")")
		rm -f "$log"
	done < <(go test -list '^Fuzz' "$pkg" 2>/dev/null)
done < <(go list "${pkgs[@]}")
printf '%s\n' "${summary[@]}"
echo "fuzz: $ran targets, $failed failed"
[[ $failed -eq 0 ]]
