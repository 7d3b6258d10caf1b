package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
)

// clientJSON is the stable JSON form of an auth client (never a credential).
type clientJSON struct {
	vault.AuthClient
	// Expiry is "", "valid", "expires soon" or "expired".
	Expiry string `json:"expiry,omitempty"`
}

// credsJSON describes stored client credentials in `client show --json`.
type credsJSON struct {
	ClientSecret *string `json:"clientSecret,omitempty"`
	PrivateKey   *struct {
		KeyID string `json:"keyId"`
		Alg   string `json:"alg,omitempty"`
	} `json:"privateKey,omitempty"`
	ClientCert bool `json:"clientCert,omitempty"`
	Revealed   bool `json:"revealed"`
}

// clientListOptions are the inputs of `client list`.
type clientListOptions struct {
	App    *App
	IO     IOStreams
	AsJSON bool
}

func newClientListCmd(a *App, runF func(context.Context, *clientListOptions) error) *cobra.Command {
	opts := &clientListOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runClientList
	}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the auth clients of the environment",
		Long:    "List the auth clients of the environment. Reads the catalog only: no vault access.",
		Example: "  authdeck client list\n  authdeck client list --env prod --json",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	return cmd
}

// runClientList lists the auth clients of the environment, as a table or JSON.
func runClientList(_ context.Context, opts *clientListOptions) error {
	a := opts.App
	_, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	list := c.ClientsIn(env)
	if opts.AsJSON {
		out := make([]clientJSON, 0, len(list))
		for _, x := range list {
			out = append(out, clientJSON{AuthClient: x, Expiry: a.expiryState(x.Expiration)})
		}
		return writeJSON(opts.IO.Out, out)
	}
	if len(list) == 0 {
		fmt.Fprintf(opts.IO.Out, "No auth clients in environment %q. Add one with 'authdeck client add'.\n", env)
		return nil
	}
	t := &table{header: []string{"NAME", "GRANT", "AUTH METHOD", "CLIENT ID", "SERVER", "EXPIRES"}}
	for _, x := range list {
		grant, method := clientListKind(x)
		t.add(cell{text: x.Name}, cell{text: grant}, cell{text: method}, cell{text: x.ClientID}, cell{text: clientServer(x)}, a.expiryCell(x.Expiration))
	}
	t.render(a, opts.IO.Out)
	return nil
}

// clientListKind is what `client list` shows in the GRANT and AUTH METHOD
// columns: the protocol's equivalents for session auth and OAuth 1.0a.
func clientListKind(x vault.AuthClient) (grant, method string) {
	grant, method = string(x.Grant), string(x.AuthMethod)
	switch x.Type {
	case vault.ClientSessionAuth:
		grant, method = "session auth", string(x.SessionAuth.AuthType)
	case vault.ClientOAuth1:
		grant, method = "OAuth 1.0a", x.SignatureMethod
	case vault.ClientOAuth2:
		// its grant and auth method, as set above
	}
	return grant, method
}

// clientServer is the server a client talks to: its issuer, its session
// auth URL, else its token endpoint.
func clientServer(x vault.AuthClient) string {
	switch {
	case x.Issuer != "":
		return x.Issuer
	case x.SessionAuth != nil:
		return x.SessionAuth.URL
	}
	return x.Endpoints.Token
}

// clientShowOptions are the inputs of `client show`.
type clientShowOptions struct {
	App            *App
	IO             IOStreams
	Name           string
	AsJSON, Reveal bool
}

func newClientShowCmd(a *App, runF func(context.Context, *clientShowOptions) error) *cobra.Command {
	opts := &clientShowOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runClientShow
	}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show an auth client (client secret masked unless --reveal)",
		Long: `Show an auth client's configuration and its stored credentials: the client
secret masked unless --reveal, a private key only by key id (never printed).`,
		Example:           "  authdeck client show api\n  authdeck client show api --json\n  authdeck client show api --reveal",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&opts.Reveal, "reveal", false, "print the client secret (private keys are never printed)")
	return cmd
}

// runClientShow prints an auth client and what is stored for it: the
// secret masked unless revealed, a private key by key id only.
func runClientShow(ctx context.Context, opts *clientShowOptions) error {
	a := opts.App
	v, env, ac, err := a.clientNamed(opts.Name)
	if err != nil {
		return err
	}
	creds, err := v.ClientCredentials(ctx, ac)
	if err != nil {
		return err
	}
	cj := credsJSON{Revealed: opts.Reveal, ClientCert: creds.Cert != ""}
	if creds.ClientSecret != "" {
		s := maskUnless(opts.Reveal, creds.ClientSecret)
		cj.ClientSecret = &s
	}
	if creds.PrivateKey != "" {
		cj.PrivateKey = &struct {
			KeyID string `json:"keyId"`
			Alg   string `json:"alg,omitempty"`
		}{KeyID: ac.KeyID, Alg: ac.SigningAlg}
	}
	if opts.AsJSON {
		return writeJSON(opts.IO.Out, struct {
			clientJSON
			Credentials credsJSON `json:"credentials"`
		}{clientJSON{AuthClient: ac, Expiry: a.expiryState(ac.Expiration)}, cj})
	}
	a.renderClient(opts.IO.Out, ac, env, cj)
	return nil
}

// renderClient writes `client show`'s key-value view of an auth client.
func (a *App) renderClient(w io.Writer, ac vault.AuthClient, env string, cj credsJSON) {
	k := &kv{}
	k.add("auth client", ac.Name)
	k.add("environment", env)
	k.add("type", string(ac.Type))
	k.add("issuer", ac.Issuer)
	k.add("request token", ac.Endpoints.RequestToken)
	k.add("authorization", ac.Endpoints.Authorization)
	k.add("token", ac.Endpoints.Token)
	k.add("device", ac.Endpoints.Device)
	k.add("introspection", ac.Endpoints.Introspection)
	k.add("revocation", ac.Endpoints.Revocation)
	k.add("jwks", ac.Endpoints.JWKS)
	k.add("client id", ac.ClientID)
	k.add("auth method", string(ac.AuthMethod))
	if ac.Grant != "" {
		g := string(ac.Grant)
		if ac.Grant.Deprecated() {
			g += " (deprecated)"
		}
		k.add("grant", g)
	}
	k.add("scopes", strings.Join(ac.Scopes, " "))
	k.add("audience", ac.Audience)
	k.add("resource", ac.Resource)
	k.add("redirect uri", ac.RedirectURI)
	k.add("prompt", ac.Prompt)
	for _, p := range ac.AuthParams {
		k.add("auth param", p.Key+"="+p.Value)
	}
	for _, p := range ac.TokenParams {
		k.add("token param", p.Key+"="+p.Value)
	}
	k.add("token method", ac.TokenMethod)
	k.add("signing alg", ac.SigningAlg)
	k.add("PAR endpoint", ac.Endpoints.PAR)
	if ac.DPoP {
		k.add("DPoP", "on; key thumbprint (jkt) "+ac.DPoPKeyID+" (in the vault, never printed)")
	}
	if ac.PAR {
		k.add("pushed requests", "on (RFC 9126), also where the provider does not require them")
	}
	if ac.RequestObject {
		k.add("request objects", "signed (RFC 9101), also where the provider does not require them")
	}
	if x := ac.Exchange; x != nil {
		subject := x.Subject
		if subject == "" {
			subject = "given at each call (stdin)"
		}
		k.add("subject", subject)
		k.add("subject type", x.SubjectTokenType)
		k.add("actor", x.Actor)
		k.add("actor type", x.ActorTokenType)
		k.add("requested type", x.RequestedTokenType)
	}
	if ac.Type == vault.ClientOAuth1 {
		k.add("signature method", ac.SignatureMethod)
		k.add("callback", callbackLabel(ac.Callback))
	}
	if st := ac.SessionAuth; st != nil {
		k.add("token request", string(st.AuthType)+" "+st.URL)
		for _, f := range st.RequestFields {
			k.add("  field", f.Key+"="+f.Value)
		}
		k.add("token path", st.TokenPath)
		k.add("expiration path", st.ExpirationPath)
	}
	if cj.ClientSecret != nil {
		label := "client secret"
		if ac.Type == vault.ClientOAuth1 {
			label = "consumer secret"
		}
		k.add(label, *cj.ClientSecret)
	}
	if cj.PrivateKey != nil {
		k.add("private key", "key id "+cj.PrivateKey.KeyID+" (in the vault, never printed)")
	}
	if cj.ClientCert {
		k.add("client cert", "in the vault")
	}
	if ac.InsecureSkipVerify {
		k.addc("TLS", cell{text: "verification OFF", color: sgrRed})
	}
	k.add("allowed hosts", strings.Join(ac.AllowedHosts, ", "))
	k.add("tenant", ac.Tenant)
	k.add("description", ac.Description)
	k.addc("expires", a.expiryCell(ac.Expiration))
	k.add("created", fmtTime(&ac.Created))
	k.add("updated", fmtTime(&ac.Updated))
	k.render(a, w)
}

// clientRmOptions are the inputs of `client rm`.
type clientRmOptions struct {
	App  *App
	IO   IOStreams
	Name string
}

func newClientRmCmd(a *App, runF func(context.Context, *clientRmOptions) error) *cobra.Command {
	opts := &clientRmOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runClientRm
	}
	return &cobra.Command{
		Use:               "rm NAME",
		Aliases:           []string{"remove"},
		Short:             "Remove an auth client and its stored credentials",
		Example:           "  authdeck client rm api",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
}

// runClientRm removes an auth client and its credentials; the secrets
// linked to it keep their tokens, which is said on stderr.
func runClientRm(ctx context.Context, opts *clientRmOptions) error {
	v, c, env, err := opts.App.workspace()
	if err != nil {
		return err
	}
	if err := v.RemoveClient(ctx, env, opts.Name); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Removed auth client %q from environment %q.\n", opts.Name, env)
	linked := 0
	for _, s := range c.SecretsIn(env) {
		if s.AuthClient == opts.Name {
			linked++
		}
	}
	if linked > 0 {
		fmt.Fprintf(opts.IO.Err, "note: %d secrets linked to it keep their tokens but can no longer refresh\n", linked)
	}
	return nil
}
