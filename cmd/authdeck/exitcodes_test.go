package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// TestExitCodeTable pins the exit code of every kind of domain error, as
// the README's table says and the domain packages used to compute
// themselves: the sentinel an error matches decides, the outermost error
// of a chain first.
func TestExitCodeTable(t *testing.T) {
	t.Parallel()
	store := func(s error) error { return &vault.StoreError{Op: "get", Backend: "keychain", Key: "k", Err: s} }
	rejected := &oauth.Error{Kind: oauth.KindRejected, Op: "token", Code: "invalid_client"}
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"plain error", errors.New("boom"), exitOther},
		{"exit error", exitWith(exitUnsupported, "no"), exitUnsupported},
		{"not found", &vault.NotFoundError{Kind: "secret", Name: "x", Env: "dev"}, exitNotConfigured},
		{"ambiguous", &vault.AmbiguousError{Client: "c", Secrets: []string{"a", "b"}}, exitNotConfigured},
		{"resolve refusal", &vault.ResolveError{Name: "x", Reason: "no"}, exitNotConfigured},
		{"invalid", &vault.ValidationError{Kind: "secret", Field: "name", Msg: "bad"}, exitOther},
		{"exists", &vault.ExistsError{Kind: "secret", Name: "x"}, exitOther},
		{"missing input", fmt.Errorf("%w: a passphrase", vault.ErrMissingInput), exitMissingInput},
		{"locked", store(vault.ErrLocked), exitVault},
		{"unavailable", store(vault.ErrUnavailable), exitVault},
		{"timed out", store(vault.ErrTimeout), exitVault},
		{"corrupt", store(vault.ErrCorrupt), exitVault},
		{"value missing", store(vault.ErrNotFound), exitVault},
		{"too large", store(vault.ErrTooLarge), exitOther},
		{"catalog corrupt", fmt.Errorf("%w: line 3", vault.ErrCatalogCorrupt), exitOther},
		{"oauth other", &oauth.Error{Kind: oauth.KindOther}, exitOther},
		{"oauth not configured", &oauth.Error{Kind: oauth.KindNotConfigured}, exitNotConfigured},
		{"oauth missing input", &oauth.Error{Kind: oauth.KindMissingInput}, exitMissingInput},
		{"oauth aborted", &oauth.Error{Kind: oauth.KindAborted}, exitAborted},
		{"oauth unreachable", &oauth.Error{Kind: oauth.KindUnreachable, Err: context.Canceled}, exitUnreachable},
		{"oauth unsupported token", &oauth.Error{Kind: oauth.KindUnsupportedTokenType}, exitUnsupported},
		{"oauth rejected", rejected, exitRejected},
		{"oauth vault", &oauth.Error{Kind: oauth.KindVault, Err: store(vault.ErrLocked)}, exitVault},
		{"oauth bad response", &oauth.Error{Kind: oauth.KindBadResponse}, exitOther},
		{"oauth1 rejected", &oauth1.Error{Kind: oauth1.KindRejected, Problem: "signature_invalid"}, exitRejected},
		{"oauth1 aborted", &oauth1.Error{Kind: oauth1.KindAborted}, exitAborted},
		{"host refused", &request.HostRefusedError{Credential: "c", Host: "h"}, exitNotConfigured},
		{"credential alone", &request.CredentialError{Credential: "c", Msg: "cannot be applied"}, exitNotConfigured},
		{"credential, plain cause", &request.CredentialError{Credential: "c", Err: errors.New("bad pair")}, exitNotConfigured},
		{"credential, bad response", &request.CredentialError{Credential: "c", Err: &oauth.Error{Kind: oauth.KindBadResponse}}, exitNotConfigured},
		{"credential, rejected", &request.CredentialError{Credential: "c", Err: rejected}, exitRejected},
		{"credential, locked", &request.CredentialError{Credential: "c", Err: store(vault.ErrLocked)}, exitVault},
		{"credential, not found", &request.CredentialError{Credential: "c", Err: &vault.NotFoundError{Kind: "auth client", Name: "x"}}, exitNotConfigured},
		{"input", &request.InputError{Field: "url", Msg: "bad"}, exitOther},
		{"input, unknown variable", &request.InputError{Field: "url", Err: fmt.Errorf("%w: {{x}}", vault.ErrMissingInput)}, exitMissingInput},
		{"transport", &request.TransportError{Host: "h", Reason: "refused", Err: errors.New("refused")}, exitUnreachable},
		{"transport, cancelled", &request.TransportError{Host: "h", Reason: "cancelled", Err: context.Canceled}, exitAborted},
		{"wrapped", fmt.Errorf("sending: %w", rejected), exitRejected},
		{"joined", errors.Join(errors.New("a"), store(vault.ErrUnavailable)), exitVault},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%s: exit %d, want %d (%v)", c.name, got, c.want, c.err)
		}
	}
}

// TestImportExitCode: a refused import exits with the code every problem
// shares, else 1.
func TestImportExitCode(t *testing.T) {
	t.Parallel()
	missing := interchange.ImportProblem{Msg: "x", Err: vault.ErrMissingInput}
	unknown := interchange.ImportProblem{Msg: "y", Err: &vault.NotFoundError{Kind: "auth client", Name: "c"}}
	plain := interchange.ImportProblem{Msg: "z"}
	for _, c := range []struct {
		problems []interchange.ImportProblem
		want     int
	}{
		{[]interchange.ImportProblem{missing, missing}, exitMissingInput},
		{[]interchange.ImportProblem{unknown}, exitNotConfigured},
		{[]interchange.ImportProblem{missing, unknown}, exitOther},
		{[]interchange.ImportProblem{missing, plain}, exitOther},
		{nil, exitOther},
	} {
		if got := importExitCode(&interchange.ImportError{Problems: c.problems}); got != c.want {
			t.Errorf("%v: exit %d, want %d", c.problems, got, c.want)
		}
	}
}
