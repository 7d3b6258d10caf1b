package main

import (
	"errors"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// Exit codes of the CLI (the README's "Exit codes" table). Only this
// package knows them: the domain packages say what went wrong with errors
// that match a small set of sentinels, and exitCode maps those here.
const (
	exitOK            = 0
	exitOther         = 1
	exitNotConfigured = 2
	exitMissingInput  = 3
	exitAborted       = 4
	exitUnreachable   = 5
	exitUnsupported   = 6
	exitRejected      = 7
	exitVault         = 8
)

// exitCodes maps the domain's sentinels to exit codes. Errors matching
// none of them (an invalid value, a name taken, a bad response) exit 1.
var exitCodes = []struct {
	err  error
	code int
}{
	{vault.ErrNotConfigured, exitNotConfigured},
	{vault.ErrMissingInput, exitMissingInput},
	{oauth.ErrAborted, exitAborted},
	{oauth.ErrUnreachable, exitUnreachable},
	{oauth.ErrUnsupportedTokenType, exitUnsupported},
	{oauth.ErrRejected, exitRejected},
	{vault.ErrLocked, exitVault},
	{vault.ErrUnavailable, exitVault},
	{vault.ErrTimeout, exitVault},
	{vault.ErrCorrupt, exitVault},
	{vault.ErrNotFound, exitVault},
}

// exitCode maps err to its exit code. An *exitError carries its own; else
// the outermost error in the chain that matches a sentinel of exitCodes
// decides — an error that wraps another says best what happened to the
// command (a credential that cannot be applied because its token request
// was rejected is a rejection) — and nothing matching is 1.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if c, ok := classify(err); ok {
		return c
	}
	return exitOther
}

// classify walks err's chain, outermost first (as errors.Is does), and
// returns the code of the first error that is, or says with its Is method
// that it is, one of the sentinels.
func classify(err error) (int, bool) {
	if err == nil {
		return 0, false
	}
	is, _ := err.(interface{ Is(error) bool })
	for _, e := range exitCodes {
		if err == e.err || (is != nil && is.Is(e.err)) { //nolint:errorlint // one link of the chain at a time, on purpose
			return e.code, true
		}
	}
	switch x := err.(type) { //nolint:errorlint // one link of the chain at a time, on purpose
	case interface{ Unwrap() error }:
		return classify(x.Unwrap())
	case interface{ Unwrap() []error }:
		for _, inner := range x.Unwrap() {
			if c, ok := classify(inner); ok {
				return c, true
			}
		}
	}
	return 0, false
}

// importExitCode is the exit code of a refused import: the code every
// problem shares (2 for missing items, 3 for missing input), else 1.
func importExitCode(ie *interchange.ImportError) int {
	code := -1
	for _, p := range ie.Problems {
		c := exitOther
		switch {
		case errors.Is(p.Err, vault.ErrMissingInput):
			c = exitMissingInput
		case errors.Is(p.Err, vault.ErrNotConfigured):
			c = exitNotConfigured
		}
		if code >= 0 && c != code {
			return exitOther
		}
		code = c
	}
	if code < 0 {
		return exitOther
	}
	return code
}
