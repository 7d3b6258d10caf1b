package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
)

// clientOptions are the inputs of `client add` and `client edit`: the
// app (workspace, prompts, colours), the streams the verb writes to, the
// client's name and the flags given.
type clientOptions struct {
	App *App
	IO  IOStreams
	// Name is the auth client's name.
	Name  string
	Flags clientFlags
	// Changed says whether the flag called name was given.
	Changed func(name string) bool
	// Given is how many flags other than --env were given.
	Given int
}

// newClientAddCmd is `client add`; runF runs it (nil: runClientAdd), so a
// test can see the options the command line makes.
func newClientAddCmd(a *App, runF func(context.Context, *clientOptions) error) *cobra.Command {
	opts := &clientOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runClientAdd
	}
	f := &opts.Flags
	cmd := &cobra.Command{
		Use:   "add NAME (--issuer URL | --token-url URL --auth-method METHOD | --oauth1 --request-token-url URL --auth-url URL --token-url URL --signature-method M) --client-id ID [flags]",
		Short: "Add an auth client",
		Long: `Add an auth client to the environment. Give an issuer (endpoints are
discovered) or the endpoints themselves. The client authentication method is
required and never guessed. A client secret is read from --client-secret-stdin
or a no-echo prompt, never from the command line; private keys and client
certificates are read from files into the vault and shown only by key id.

An OAuth 1.0a client (--oauth1) takes the provider's request-token,
authorization and access-token URLs, the consumer key (--client-id) and a
signature method: HMAC-SHA1, HMAC-SHA256 or PLAINTEXT sign with the consumer
secret (--client-secret-stdin or a prompt), RSA-SHA1 and RSA-SHA256 with an
RSA key (--private-key-file). The callback is a loopback listener unless
--callback oob, where you type in the verifier the provider shows. The token
requests use POST unless --token-method GET.`,
		Example: `  # client credentials with a secret (prompted, not echoed)
  authdeck client add api --token-url https://id.example.com/oauth2/token \
      --client-id my-app --auth-method client_secret_basic --scope "read write"

  # secret from a pipe
  pass show api | authdeck client add api --issuer https://id.example.com \
      --client-id my-app --auth-method client_secret_post --client-secret-stdin

  # authorization code + PKCE for a public client
  authdeck client add web --issuer https://id.example.com --client-id spa \
      --grant authorization_code --auth-method none --prompt consent

  # private_key_jwt with an existing key, or a new one
  authdeck client add svc --issuer https://id.example.com --client-id svc \
      --auth-method private_key_jwt --private-key-file key.pem
  authdeck client add svc2 --issuer https://id.example.com --client-id svc2 \
      --auth-method private_key_jwt --generate-key --signing-alg ES256

  # client_secret_jwt (an HS256 assertion keyed with the secret), DPoP-bound tokens
  pass show svc3 | authdeck client add svc3 --issuer https://id.example.com \
      --client-id svc3 --auth-method client_secret_jwt --client-secret-stdin --dpop

  # authorization code with pushed (RFC 9126) and signed (RFC 9101) requests
  authdeck client add fapi --issuer https://id.example.com --client-id fapi \
      --grant authorization_code --auth-method private_key_jwt --generate-key \
      --par --request-object --dpop

  # token exchange (RFC 8693): trade api's token for one for another audience
  authdeck client add downstream --issuer https://id.example.com --client-id gw \
      --auth-method client_secret_basic --grant token_exchange --subject api \
      --audience https://orders.example.com

  # OAuth 1.0a (three-legged), the consumer secret from a pipe; then
  # 'authdeck token photos' authorizes it in the browser
  pass show photos | authdeck client add photos --oauth1 \
      --request-token-url https://photos.example.net/request_token \
      --auth-url https://photos.example.net/authorize \
      --token-url https://photos.example.net/access_token \
      --client-id dpf43f3p2l4k3l03 --signature-method HMAC-SHA1 --client-secret-stdin

  # OAuth 1.0a with an RSA key and an out-of-band verifier typed in
  authdeck client add photos-rsa --oauth1 --request-token-url … --auth-url … \
      --token-url … --client-id dpf43f3p2l4k3l03 --signature-method RSA-SHA256 \
      --private-key-file consumer.pem --callback oob --token-method GET`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name, opts.Changed = args[0], cmd.Flags().Changed
			return runF(cmd.Context(), opts)
		},
	}
	f.bind(cmd.Flags(), false)
	registerClientFlagCompletions(cmd)
	return cmd
}

// runClientAdd adds the auth client opts describe to the environment.
func runClientAdd(ctx context.Context, opts *clientOptions) error {
	a, f := opts.App, &opts.Flags
	v, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	if f.oauth1 {
		return addOAuth1Client(ctx, opts, v, c, env)
	}
	if err := checkProtocolFlags(opts.Changed, vault.ClientOAuth2); err != nil {
		return err
	}
	ac := vault.AuthClient{Meta: vault.Meta{Name: opts.Name, Env: env}, Type: vault.ClientOAuth2, Grant: vault.GrantClientCredentials}
	if err := f.apply(opts.Changed, &ac); err != nil {
		return err
	}
	if _, exists := c.Client(env, ac.Name); exists {
		return &vault.ExistsError{Kind: "auth client", Name: ac.Name, Env: env}
	}
	if err := checkNewClient(&ac); err != nil {
		return err
	}
	creds := vault.ClientCredentials{}
	if err := readCreds(opts, &ac, &creds); err != nil {
		return err
	}
	ac, err = v.PutClient(ctx, ac, &creds)
	if err != nil {
		return withFlag(err, clientFieldFlags)
	}
	fmt.Fprintf(opts.IO.Out, "Added auth client %q to environment %q (%s, %s).\n", ac.Name, env, ac.Grant, ac.AuthMethod)
	printCredsNote(opts.IO.Out, ac, creds, v.Backend())
	warnNewClient(opts, c, env, ac)
	return nil
}

// checkNewClient checks a new OAuth 2.0 client's configuration before any
// secret is asked for.
func checkNewClient(ac *vault.AuthClient) error {
	if ac.Issuer == "" && ac.Endpoints.Token == "" && ac.Grant != vault.GrantImplicit {
		return exitWith(exitNotConfigured, "auth client %q: give --issuer URL (discovery) or --token-url URL", ac.Name)
	}
	if ac.ClientID == "" {
		return exitWith(exitMissingInput, "auth client %q: --client-id is required", ac.Name)
	}
	if err := checkAuthMethod(ac); err != nil {
		return err
	}
	probe := *ac
	if err := probe.Validate(); err != nil {
		return withFlag(err, clientFieldFlags)
	}
	return nil
}

// warnNewClient says on stderr what the user should know about a client
// just added: a token exchange party that does not exist yet, TLS
// verification off, a deprecated grant.
func warnNewClient(opts *clientOptions, c *vault.Catalog, env string, ac vault.AuthClient) {
	a := opts.App
	if x := ac.Exchange; x != nil {
		for _, n := range []string{x.Subject, x.Actor} {
			if _, isClient := c.Client(env, n); n != "" && !isClient {
				if _, isSecret := c.Secret(env, n); !isSecret {
					fmt.Fprintln(opts.IO.Err, a.paint(sgrYellow, fmt.Sprintf("warning: there is no auth client or secret %q in environment %q yet; token exchange needs it", n, env)))
				}
			}
		}
	}
	if ac.InsecureSkipVerify {
		fmt.Fprintln(opts.IO.Err, a.paint(sgrYellow, "warning: TLS verification is off for this client"))
	}
	if ac.Grant.Deprecated() {
		fmt.Fprintf(opts.IO.Err, "%s\n", a.paint(sgrYellow, fmt.Sprintf("warning: %s is a deprecated grant", ac.Grant)))
	}
}
