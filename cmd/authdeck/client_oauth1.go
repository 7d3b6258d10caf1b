package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// oauth2OnlyFlags configure OAuth 2.0 clients and mean nothing to OAuth 1.0a ones.
var oauth2OnlyFlags = []string{
	"issuer", "device-url", "introspection-url", "revocation-url", "jwks-url", "auth-method", "grant",
	"allow-deprecated", "scope", "audience", "resource", "redirect-uri", "prompt", "signing-alg", "generate-key", "cert-file", "cert-key-file",
	"dpop", "par", "par-url", "request-object", "subject", "subject-token-type", "actor", "actor-token-type", "requested-token-type",
}

// oauth1OnlyFlags configure OAuth 1.0a clients only.
var oauth1OnlyFlags = []string{"request-token-url", "signature-method", "callback"}

// checkProtocolFlags refuses flags that do not apply to a client of type
// typ, naming them, before anything is read or stored.
func checkProtocolFlags(changed func(string) bool, typ vault.ClientType) error {
	wrong, kind, hint := oauth1OnlyFlags, "an OAuth 2.0", "add --oauth1 for an OAuth 1.0a client"
	switch typ {
	case vault.ClientOAuth1:
		wrong, kind, hint = oauth2OnlyFlags, "an OAuth 1.0a", "OAuth 1.0a clients take --request-token-url, --auth-url, --token-url, --client-id, --signature-method, --callback, --token-method, --param and --token-param"
	case vault.ClientSessionAuth:
		kind, hint = "a session-auth", "these flags are for OAuth 1.0a clients"
	case vault.ClientOAuth2:
		// the OAuth 1.0a flags are the wrong ones, as set above
	}
	var given []string
	for _, name := range wrong {
		if changed(name) {
			given = append(given, "--"+name)
		}
	}
	if len(given) == 0 {
		return nil
	}
	return exitWith(exitOther, "%s do not apply to %s client (%s)", strings.Join(given, ", "), kind, hint)
}

// parseCallbackFlag turns --callback into the stored form: "" for the
// loopback listener on an OS-chosen port, "oob", or a loopback http URL
// whose port and path the listener uses.
func parseCallbackFlag(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "loopback":
		return "", nil
	case oauth1.OOB:
		return oauth1.OOB, nil
	}
	if err := vault.CheckURL("--callback", s); err != nil {
		return "", exitWith(exitOther, "%v (or use loopback or oob)", err)
	}
	u, _ := url.Parse(s)
	if u.Scheme != "http" || !vault.IsLoopbackHost(u.Hostname()) || u.RawQuery != "" || u.Fragment != "" {
		return "", exitWith(exitOther, "--callback %q: authdeck receives the callback on a loopback listener, so give http://127.0.0.1:PORT/PATH (no query), loopback or oob", s)
	}
	return s, nil
}

// callbackLabel describes a stored callback for `client show`.
func callbackLabel(cb string) string {
	switch cb {
	case "":
		return "loopback (http://127.0.0.1:{port}/callback)"
	case oauth1.OOB:
		return "oob (the verifier is typed in)"
	}
	return cb
}

// addOAuth1Client is `client add NAME --oauth1 …`.
func addOAuth1Client(ctx context.Context, opts *clientOptions, v *vault.Vault, c *vault.Catalog, env string) error {
	a, f := opts.App, &opts.Flags
	if err := checkProtocolFlags(opts.Changed, vault.ClientOAuth1); err != nil {
		return err
	}
	ac := vault.AuthClient{Meta: vault.Meta{Name: opts.Name, Env: env}, Type: vault.ClientOAuth1}
	if err := f.apply(opts.Changed, &ac); err != nil {
		return err
	}
	if _, exists := c.Client(env, ac.Name); exists {
		return &vault.ExistsError{Kind: "auth client", Name: ac.Name, Env: env}
	}
	var missing []string
	for _, e := range []struct{ flag, v string }{
		{"--request-token-url", ac.Endpoints.RequestToken}, {"--auth-url", ac.Endpoints.Authorization}, {"--token-url", ac.Endpoints.Token},
	} {
		if e.v == "" {
			missing = append(missing, e.flag)
		}
	}
	// None of the three: a client without a flow, which signs with token
	// credentials stored for it (as a Postman oauth1 block has them).
	flowless := len(missing) == 3
	if len(missing) > 0 && !flowless {
		return exitWith(exitNotConfigured, "OAuth 1.0a auth client %q: give %s too (the provider's request-token, authorization and access-token URLs), or none of them for a client that signs with stored token credentials", ac.Name, strings.Join(missing, ", "))
	}
	if ac.ClientID == "" {
		return exitWith(exitMissingInput, "OAuth 1.0a auth client %q: --client-id (the consumer key) is required", ac.Name)
	}
	if ac.SignatureMethod == "" {
		return exitWith(exitMissingInput, "OAuth 1.0a auth client %q: --signature-method is required (%s); it is never guessed", ac.Name, strings.Join(oauth1.Methods, ", "))
	}
	// Check the configuration before asking for any secret.
	probe := ac
	if err := probe.Validate(); err != nil {
		return withFlag(err, clientFieldFlags)
	}
	creds := vault.ClientCredentials{}
	if err := readCreds(opts, &ac, &creds); err != nil {
		return err
	}
	ac, err := v.PutClient(ctx, ac, &creds)
	if err != nil {
		return withFlag(err, clientFieldFlags)
	}
	fmt.Fprintf(opts.IO.Out, "Added OAuth 1.0a auth client %q to environment %q (%s, callback %s).\n", ac.Name, env, ac.SignatureMethod, callbackLabel(ac.Callback))
	printCredsNote(opts.IO.Out, ac, creds, v.Backend())
	if ac.InsecureSkipVerify {
		fmt.Fprintln(opts.IO.Err, a.paint(sgrYellow, "warning: TLS verification is off for this client"))
	}
	if flowless {
		fmt.Fprintf(opts.IO.Err, "It has no flow: store its token credentials with 'authdeck secret add NAME --type OA1_TOKEN --auth-client %s'.\n", interchange.ShellQuote(ac.Name))
		return nil
	}
	fmt.Fprintf(opts.IO.Err, "Authorize it with 'authdeck token %s'.\n", interchange.ShellQuote(ac.Name))
	return nil
}

// editOAuth1Client is `client edit NAME …` for an OAuth 1.0a client.
func editOAuth1Client(ctx context.Context, opts *clientOptions, v *vault.Vault, env string, old vault.AuthClient) error {
	f := &opts.Flags
	ac := old
	ac.AuthParams = slices.Clone(old.AuthParams)
	ac.TokenParams = slices.Clone(old.TokenParams)
	if err := f.apply(opts.Changed, &ac); err != nil {
		return err
	}
	probe := ac
	if err := probe.Validate(); err != nil {
		return withFlag(err, clientFieldFlags)
	}
	var creds *vault.ClientCredentials
	given := f.secretStdin || opts.Changed("private-key-file")
	if given || ac.SignatureMethod != old.SignatureMethod {
		stored, err := v.ClientCredentials(ctx, old)
		if err != nil {
			return err
		}
		if err := readCreds(opts, &ac, &stored); err != nil {
			return err
		}
		creds = &stored
	}
	ac, err := v.PutClient(ctx, ac, creds)
	if err != nil {
		return withFlag(err, clientFieldFlags)
	}
	fmt.Fprintf(opts.IO.Out, "Updated auth client %q in environment %q.\n", ac.Name, env)
	if creds != nil && given {
		printCredsNote(opts.IO.Out, ac, *creds, v.Backend())
	}
	return nil
}
