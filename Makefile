# Developer tasks. `make test` runs the README's test command; the keychain
# suite needs a Secret Service (`make test-ci` starts a private one, as CI does).

GOLANGCI_LINT_VERSION ?= v2.15.0
FUZZTIME ?= 60s
FUZZPKGS ?= ./...
BENCH ?= .
BENCHTIME ?= 1s

.PHONY: test test-ci ci lint bench fuzz screenshots

## test: the README's test command (go test -race ./...)
test:
	@cmd="$$(bash .ci/readme-test-cmd.sh)" && echo "$$cmd" && eval "$$cmd"

## test-ci: go vet and the README's test command inside a private Secret Service
test-ci:
	@cmd="$$(bash .ci/readme-test-cmd.sh)" && echo "go vet ./... && $$cmd" && \
		bash .ci/with-secret-service.sh bash -c "go vet ./... && $$cmd"

## ci: everything CI does, package installation included (root, Debian 12)
ci:
	bash .ci/run

## lint: go vet and golangci-lint (fetched through the Go module proxy)
lint:
	go vet ./...
	go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

## bench: every benchmark (inside a private Secret Service when gnome-keyring is installed)
bench:
	@if command -v gnome-keyring-daemon >/dev/null 2>&1 && command -v dbus-run-session >/dev/null 2>&1; then \
		bash .ci/with-secret-service.sh go test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem ./... ; \
	else \
		echo "no gnome-keyring: the Secret Service benchmarks will skip"; \
		go test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem ./... ; \
	fi

## fuzz: each fuzz target for FUZZTIME (default 60s), then executions and findings per target
##       (FUZZPKGS narrows the packages, FUZZMATCH='FuzzA|FuzzB' the targets)
fuzz:
	FUZZTIME=$(FUZZTIME) bash .ci/fuzz.sh $(FUZZPKGS)

## screenshots: regenerate the README screenshots from the demo
screenshots:
	bash screenshots/capture.sh
