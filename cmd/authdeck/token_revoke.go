package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth"
)

// This file holds `token revoke`: the stored tokens revoked at the provider
// (RFC 7009) and deleted.

// revokeOptions are the inputs of `token revoke`.
type revokeOptions struct {
	App *App
	// Name is the auth client or token secret.
	Name                             string
	Verbose, RefreshOnly, AccessOnly bool
}

func newRevokeCmd(a *App) *cobra.Command {
	opts := &revokeOptions{App: a}
	cmd := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke the stored tokens at the provider (RFC 7009) and delete them",
		Long: `Revoke NAME's tokens at the provider's revocation endpoint (RFC 7009).

By default the refresh token is revoked first — that ends the grant — then
the access token, and the token set is deleted from the vault. Providers
that issue JWT access tokens often cannot revoke them (they answer
unsupported_token_type): authdeck says so, with the time the token expires,
and that is not a failure. If the grant cannot be revoked, nothing is
deleted.

--refresh-token revokes only the refresh token (the grant ends and the
token set is deleted); --access-token revokes only the access token and
keeps the refresh token, so the next 'authdeck token NAME' refreshes.

` + tokenNaming,
		Example: `  authdeck token revoke api
  authdeck token revoke api --access-token -v`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runRevoke(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.RefreshOnly, "refresh-token", false, "revoke only the refresh token (ends the grant; the token set is deleted)")
	cmd.Flags().BoolVar(&opts.AccessOnly, "access-token", false, "revoke only the access token (the refresh token is kept)")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "print the transcript (secrets redacted) on stderr")
	return cmd
}

// runRevoke revokes NAME's tokens at the provider and says what happened.
func runRevoke(ctx context.Context, opts *revokeOptions) error {
	a := opts.App
	o := oauth.RevokeOptions{}
	switch {
	case opts.RefreshOnly && opts.AccessOnly:
		return exitWith(exitOther, "--refresh-token and --access-token exclude each other; give neither to revoke both")
	case opts.RefreshOnly:
		o.Only = oauth.RefreshToken
	case opts.AccessOnly:
		o.Only = oauth.AccessToken
	}
	v, err := a.storeVault()
	if err != nil {
		return err
	}
	ui := a.newFlowUI(opts.Verbose, false)
	tr := oauth.NewTranscript()
	rep, err := a.engineSet(v).Engine.RevokeTokens(ctx, oauth.TokenRequest{Env: a.envName(), Name: opts.Name, Transcript: tr}, o)
	ui.printTranscript(tr)
	if err != nil {
		return oauthFailure(err)
	}
	a.printRevocation(opts.Name, rep)
	return nil
}

// printRevocation says what a revocation did, one line per fact.
func (a *App) printRevocation(name string, rep *oauth.Revocation) {
	out := a.IO.Out
	for _, k := range rep.Revoked {
		line := fmt.Sprintf("Revoked the %s of %s", k.Words(), name)
		if k == oauth.RefreshToken {
			line += " (the grant has ended)"
		}
		fmt.Fprintln(out, line+".")
	}
	for _, u := range rep.Unrevocable {
		line := fmt.Sprintf("The %s of %s cannot be revoked by this provider", u.Kind.Words(), name)
		if u.Expires.IsZero() {
			line += "; it stays valid until it expires (its expiry is unknown)"
		} else {
			line += "; it expires at " + oauth.HumanTime(u.Expires, a.Now())
		}
		fmt.Fprintln(out, a.paint(sgrYellow, line+"."))
	}
	switch {
	case rep.Removed:
		fmt.Fprintln(out, "Deleted the token set from the vault.")
	case rep.Kept != "":
		fmt.Fprintf(out, "Kept %s in the vault.\n", rep.Kept)
	}
}
