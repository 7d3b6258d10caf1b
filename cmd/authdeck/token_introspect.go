package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth"
)

// This file holds `token introspect`: the provider asked about the stored
// token (RFC 7662), or the token verified locally when it will not say.

// introspectOptions are the inputs of `token introspect`.
type introspectOptions struct {
	App *App
	// Name is the auth client or token secret.
	Name             string
	Refresh, Verbose bool
	Format           string
}

func newIntrospectCmd(a *App) *cobra.Command {
	opts := &introspectOptions{App: a}
	cmd := &cobra.Command{
		Use:   "introspect NAME",
		Short: "Ask the provider about the stored token (RFC 7662)",
		Long: `Ask the provider's introspection endpoint (RFC 7662) whether NAME's stored access
token (or, with --refresh-token, its refresh token) is active, and what it carries.

When the provider will not introspect a JWT access token (it answers
unsupported_token_type, or publishes no introspection endpoint), authdeck
verifies the token itself and says so: the signature against the issuer's
JWKS, exp, aud (against the client's audience or resource), iss, and the
scope the vault records as granted.

` + tokenNaming,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runIntrospect(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Refresh, "refresh-token", false, "introspect the refresh token instead of the access token")
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output: text or json")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "print the transcript (secrets redacted) on stderr")
	return cmd
}

// runIntrospect asks the provider (or, for a JWT it will not introspect,
// authdeck itself) about NAME's stored token and prints the answer.
func runIntrospect(ctx context.Context, opts *introspectOptions) error {
	a := opts.App
	if opts.Format != "text" && opts.Format != "json" {
		return exitWith(exitOther, "--format %q is not text or json", opts.Format)
	}
	v, err := a.storeVault()
	if err != nil {
		return err
	}
	which := oauth.AccessToken
	if opts.Refresh {
		which = oauth.RefreshToken
	}
	ui := a.newFlowUI(opts.Verbose, false)
	tr := oauth.NewTranscript()
	in, err := a.engineSet(v).Engine.Introspect(ctx, oauth.TokenRequest{Env: a.envName(), Name: opts.Name, Transcript: tr}, which)
	ui.printTranscript(tr)
	if err != nil {
		return oauthFailure(err)
	}
	return a.printIntrospection(in, opts.Format)
}

// printIntrospection prints what the provider (or the local verification)
// said about a token, as text or JSON.
func (a *App) printIntrospection(in *oauth.Introspection, format string) error {
	if format == "json" {
		return writeJSON(a.IO.Out, introspectionJSON(in))
	}
	if l := in.Local; l != nil {
		fmt.Fprintf(a.IO.Out, "Verified locally: %s, so authdeck checked the JWT against the issuer's keys.\n\n", l.Why)
	}
	a.introspectionKV(in).render(a, a.IO.Out)
	return nil
}

// introspectionJSON is the RFC 7662 answer as JSON, with the local
// verification's checks when authdeck verified the token itself.
func introspectionJSON(in *oauth.Introspection) map[string]any {
	m := map[string]any{"active": in.Active}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("scope", in.Scope)
	set("client_id", in.ClientID)
	set("username", in.Username)
	set("token_type", in.TokenType)
	set("sub", in.Subject)
	set("iss", in.Issuer)
	set("jti", in.JTI)
	if len(in.Audience) > 0 {
		m["aud"] = in.Audience
	}
	for k, t := range map[string]*time.Time{"exp": in.Expiry, "iat": in.IssuedAt, "nbf": in.NotBefore} {
		if t != nil {
			m[k] = t.UTC().Format(time.RFC3339)
		}
	}
	for _, k := range in.ExtraNames() {
		m[k] = in.Extra[k]
	}
	if l := in.Local; l != nil {
		checks := make([]map[string]string, 0, len(l.Checks))
		for _, c := range l.Checks {
			checks = append(checks, map[string]string{"name": c.Name, "result": c.Result.String(), "detail": c.Detail})
		}
		lv := map[string]any{"reason": l.Why, "checks": checks}
		if l.JWKSURL != "" {
			lv["jwks_uri"] = l.JWKSURL
		}
		m["local_verification"] = lv
	}
	return m
}

// introspectionKV is the introspection answer as text: whether the token
// is active, its claims, and the local checks.
func (a *App) introspectionKV(in *oauth.Introspection) *kv {
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return oauth.HumanTime(*t, a.Now())
	}
	k := &kv{}
	k.addc("active", introspectionActive(in))
	k.add("scope", in.Scope)
	k.add("client id", in.ClientID)
	k.add("username", in.Username)
	k.add("token type", in.TokenType)
	k.add("subject", in.Subject)
	k.add("issuer", in.Issuer)
	k.add("audience", strings.Join(in.Audience, " "))
	k.add("expires", ts(in.Expiry))
	k.add("issued", ts(in.IssuedAt))
	k.add("not before", ts(in.NotBefore))
	for _, n := range in.ExtraNames() {
		k.add(n, in.Extra[n])
	}
	if l := in.Local; l != nil {
		k.add("key set", l.JWKSURL)
		for _, c := range l.Checks {
			k.addc("check "+c.Name, cell{text: c.Result.String() + ": " + c.Detail, color: checkColor(c.Result)})
		}
	}
	return k
}

// introspectionActive words whether the token is active, and how that was
// found out.
func introspectionActive(in *oauth.Introspection) cell {
	switch {
	case in.Local != nil && in.Active:
		return cell{text: "yes (every local check passed)", color: sgrGreen}
	case in.Local != nil:
		return cell{text: "no (a local check failed or the signature could not be verified)", color: sgrRed}
	case in.Active:
		return cell{text: "yes", color: sgrGreen}
	}
	return cell{text: "no (expired, revoked or unknown to the server)", color: sgrRed}
}

// checkColor is the colour of a local check's result.
func checkColor(r oauth.CheckResult) string {
	switch r {
	case oauth.CheckPassed:
		return sgrGreen
	case oauth.CheckFailed:
		return sgrRed
	case oauth.CheckSkipped:
		// shown as not checked
	}
	return sgrDim
}
