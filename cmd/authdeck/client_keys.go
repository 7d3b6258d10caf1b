package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
)

// clientKeygenOptions are the inputs of `client keygen`.
type clientKeygenOptions struct {
	App               *App
	IO                IOStreams
	Name, Alg, Format string
	SetMethod, Force  bool
}

func newClientKeygenCmd(a *App, runF func(context.Context, *clientKeygenOptions) error) *cobra.Command {
	opts := &clientKeygenOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runClientKeygen
	}
	cmd := &cobra.Command{
		Use:   "keygen NAME [--alg RS256|PS256|ES256] [--set-method]",
		Short: "Generate a key pair for private_key_jwt and print the public key",
		Long: `Generate a key pair for the auth client. The private key goes to the vault as
the client's credentials (it is never printed; its key id is the RFC 7638
thumbprint). The public key is printed as PEM and as a JWKS to register with
the provider. The client's auth method changes to private_key_jwt only with
--set-method; 'authdeck client pubkey NAME' prints the public key again.`,
		Example: `  authdeck client keygen api --alg ES256
  authdeck client keygen api --set-method --format jwks > api.jwks.json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Alg, "alg", vault.AlgRS256, "key algorithm: RS256, PS256 (RSA 2048) or ES256 (EC P-256)")
	cmd.Flags().BoolVar(&opts.SetMethod, "set-method", false, "switch the client to private_key_jwt")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing private key")
	cmd.Flags().StringVar(&opts.Format, "format", "both", "what to print: both, pem or jwks")
	_ = cmd.RegisterFlagCompletionFunc("alg", completeFlagValues("RS256", "PS256", "ES256"))
	_ = cmd.RegisterFlagCompletionFunc("format", completeFlagValues("both", "pem", "jwks"))
	return cmd
}

// runClientKeygen makes a key pair for an OAuth 2.0 client, stores the
// private key with its credentials and prints the public key to register.
func runClientKeygen(ctx context.Context, opts *clientKeygenOptions) error {
	a, alg := opts.App, opts.Alg
	if err := checkPubFormat(opts.Format); err != nil {
		return err
	}
	switch alg {
	case vault.AlgRS256, vault.AlgPS256, vault.AlgES256:
	default:
		return exitWith(exitOther, "--alg %s: use RS256, PS256 or ES256", alg)
	}
	v, _, ac, err := a.clientNamed(opts.Name)
	if err != nil {
		return err
	}
	if ac.Type != vault.ClientOAuth2 {
		return exitWith(exitOther, "auth client %q is %s; key pairs are for OAuth clients", ac.Name, ac.Type)
	}
	creds, err := v.ClientCredentials(ctx, ac)
	if err != nil {
		return err
	}
	if creds.PrivateKey != "" && !opts.Force {
		return exitWith(exitOther, "auth client %q already has a private key (key id %s); --force replaces it, and the public key registered with the provider then stops matching", ac.Name, ac.KeyID)
	}
	key, err := clientcreds.Apply(&ac, &creds, clientcreds.Given{Generate: alg, AlgChosen: true})
	if err != nil {
		return exitWith(exitOther, "--alg %s: use RS256, PS256 or ES256", alg)
	}
	if opts.SetMethod {
		ac.AuthMethod = vault.AuthPrivateKeyJWT
	}
	if ac, err = v.PutClient(ctx, ac, &creds); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Err, "Generated an %s key pair for auth client %q; the private key is in the %s vault (key id %s) and is never printed.\n",
		alg, ac.Name, vault.BackendLabel(v.Backend()), ac.KeyID)
	fmt.Fprintln(opts.IO.Err, "Register this public key with the provider:")
	if err := printPublicKey(opts.IO.Out, key, alg, opts.Format); err != nil {
		return err
	}
	if opts.SetMethod {
		fmt.Fprintf(opts.IO.Err, "The client now authenticates with private_key_jwt (%s).\n", alg)
	} else if ac.AuthMethod != vault.AuthPrivateKeyJWT {
		fmt.Fprintf(opts.IO.Err, "The client still authenticates with %s; once the key is registered, switch with 'authdeck client edit %s --auth-method private_key_jwt' (or generate with --set-method).\n", ac.AuthMethod, ac.Name)
	}
	return nil
}

func checkPubFormat(format string) error {
	switch format {
	case "both", "pem", "jwks":
		return nil
	}
	return exitWith(exitOther, "--format %q: use both, pem or jwks", format)
}

// printPublicKey prints the public half of key as PEM and/or JWKS on stdout.
func printPublicKey(w io.Writer, key any, alg, format string) error {
	if format == "both" || format == "pem" {
		p, err := keygen.PublicKeyPEM(key)
		if err != nil {
			return err
		}
		fmt.Fprint(w, p)
	}
	if format == "both" {
		fmt.Fprintln(w)
	}
	if format == "both" || format == "jwks" {
		raw, err := keygen.PublicJWKS(key, alg)
		if err != nil {
			return err
		}
		var pretty any
		if err := json.Unmarshal(raw, &pretty); err != nil {
			return err
		}
		return writeJSON(w, pretty)
	}
	return nil
}

// clientPubkeyOptions are the inputs of `client pubkey`.
type clientPubkeyOptions struct {
	App          *App
	IO           IOStreams
	Name, Format string
}

func newClientPubkeyCmd(a *App, runF func(context.Context, *clientPubkeyOptions) error) *cobra.Command {
	opts := &clientPubkeyOptions{App: a, IO: a.IO}
	if runF == nil {
		runF = runClientPubkey
	}
	cmd := &cobra.Command{
		Use:               "pubkey NAME",
		Short:             "Print the public key of an auth client's private key (PEM and JWKS)",
		Example:           "  authdeck client pubkey api\n  authdeck client pubkey api --format jwks",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeClients),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "both", "what to print: both, pem or jwks")
	_ = cmd.RegisterFlagCompletionFunc("format", completeFlagValues("both", "pem", "jwks"))
	return cmd
}

// runClientPubkey prints the public half of the client's stored private key.
func runClientPubkey(ctx context.Context, opts *clientPubkeyOptions) error {
	if err := checkPubFormat(opts.Format); err != nil {
		return err
	}
	v, _, ac, err := opts.App.clientNamed(opts.Name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	creds, err := v.ClientCredentials(ctx, ac)
	if err != nil {
		return err
	}
	if creds.PrivateKey == "" {
		return exitWith(exitNotConfigured, "auth client %q has no private key; create one with 'authdeck client keygen %s'", ac.Name, ac.Name)
	}
	key, err := vault.ParsePrivateKey(creds.PrivateKey)
	if err != nil {
		return exitWith(exitVault, "auth client %q: the stored private key does not parse: %v", ac.Name, err)
	}
	alg := ac.SigningAlg
	if alg == "" || !keygen.AlgFits(key, alg) {
		alg = keygen.DefaultAlg(key)
	}
	return printPublicKey(opts.IO.Out, key, alg, opts.Format)
}
