package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/vault"
)

// secretSetOptions are the inputs of `authdeck secret set`.
type secretSetOptions struct {
	IO   IOStreams
	Name string
	// Shared writes the value for the team; Personal writes this person's
	// own, leaving the team's as it is. Neither keeps the item as it is.
	Shared, Personal bool
	// Client picks the auth client named Name when a secret has that name too.
	Client bool
	Flags  *secretFlags
	// Workspace opens the vault and resolves the environment.
	Workspace func() (*vault.Vault, *vault.Catalog, string, error)
	// ReadSecretValue reads a secret's value from stdin, a file or prompts.
	ReadSecretValue func(s *vault.Secret, f *secretFlags, ac *vault.AuthClient) (vault.SecretValue, error)
	// ReadFile reads a file argument; SecretInput reads a secret from stdin or a prompt.
	ReadFile    func(flag, path string, limit int64) ([]byte, error)
	SecretInput func(what, flag string, fromStdin bool) (string, error)
}

func newSecretSetCmd(a *App) *cobra.Command {
	opts := &secretSetOptions{Flags: &secretFlags{}}
	cmd := &cobra.Command{
		Use:   "set NAME [--shared | --personal]",
		Short: "Set the value of a secret, or an auth client's credentials (the values you still have to set)",
		Long: `Set the value of an existing secret, or the credentials of an auth client
(its client secret; --file for a private key or a certificate with its key).
The value comes from stdin (--value-stdin), a no-echo prompt or a file, never
the command line.

In a team workspace each person keeps their own values ('authdeck doctor'
lists what you still have to set). --shared sets the value for the whole team
instead: it is encrypted to the team's keys in the workspace folder. A secret
already shared keeps being shared (its team value is replaced); --personal sets
your own value, which overrides the team's for you only.`,
		Example: `  authdeck secret set stripe                      # prompts, no echo
  printf %s "$KEY" | authdeck secret set stripe --value-stdin --shared
  authdeck secret set stripe --personal           # your own sandbox key
  pass show svc | authdeck secret set svc --value-stdin   # an auth client's secret
  authdeck secret set signer --file key.pem`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeSecrets),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO, opts.Name = a.IO, args[0]
			opts.Workspace, opts.ReadSecretValue = a.workspace, a.readSecretValue
			opts.ReadFile, opts.SecretInput = a.readFileArg, a.secretInput
			return runSecretSet(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	f := opts.Flags
	fs.BoolVar(&opts.Shared, "shared", false, "set the value for the whole team (encrypted to the team's keys in the workspace folder)")
	fs.BoolVar(&opts.Personal, "personal", false, "set your own value, overriding the team's for you only")
	fs.BoolVar(&opts.Client, "client", false, "set the auth client NAME's credentials (when a secret has the same name)")
	fs.BoolVar(&f.valueStdin, "value-stdin", false, "read the value from standard input (JSON for token sets and input fields)")
	fs.StringVar(&f.file, "file", "", "read the value from a file (PEM for private keys and certificates)")
	fs.StringVar(&f.username, "username", "", "SIMPLE: the user name (the passphrase is read from stdin or a prompt)")
	fs.StringArrayVar(&f.fields, "field", nil, "field to fill (token sets, SESSION_AUTH input fields)")
	return cmd
}

func runSecretSet(ctx context.Context, opts *secretSetOptions) error {
	if opts.Shared && opts.Personal {
		return fmt.Errorf("%w: --shared and --personal: choose one", vault.ErrInvalid)
	}
	v, c, env, err := opts.Workspace()
	if err != nil {
		return err
	}
	s, isSecret := c.Secret(env, opts.Name)
	ac, isClient := c.Client(env, opts.Name)
	switch {
	case isClient && (opts.Client || !isSecret):
		return setClientCredentials(ctx, opts, v, *ac)
	case opts.Client:
		return &vault.NotFoundError{Kind: "auth client", Name: opts.Name, Env: env}
	case !isSecret:
		return &vault.NotFoundError{Kind: "secret", Name: opts.Name, Env: env}
	}
	if isClient {
		fmt.Fprintf(opts.IO.Err, "%q is a secret and an auth client; setting the secret (--client sets the client's credentials).\n", opts.Name)
	}
	sec := *s
	var link *vault.AuthClient
	if sec.AuthClient != "" {
		link, _ = c.Client(env, sec.AuthClient)
	}
	f := opts.Flags
	if sec.Type == vault.TypeSimple && f.username == "" {
		// keep the user name already stored, if any
		if old, err := v.SecretValue(ctx, sec); err == nil {
			f.username = old.Username
		}
	}
	val, err := opts.ReadSecretValue(&sec, f, link)
	if err != nil {
		return err
	}
	switch {
	case opts.Personal:
		if err := v.OverrideSecret(ctx, sec, val); err != nil {
			return err
		}
	default:
		if opts.Shared {
			sec.Shared = true
		}
		if _, err := v.PutSecret(ctx, sec, &val); err != nil {
			return withFlag(err, secretFieldFlags)
		}
	}
	fmt.Fprintln(opts.IO.Out, setMessage("secret", sec.Name, env, sec.Shared || opts.Shared, opts.Personal, v.Backend()))
	return nil
}

// setMessage says where a value went.
func setMessage(kind, name, env string, shared, personal bool, backend string) string {
	switch {
	case personal && shared:
		return fmt.Sprintf("Set your own value of the %s %q in environment %q (%s vault); it overrides the team's for you.", kind, name, env, vault.BackendLabel(backend))
	case shared:
		return fmt.Sprintf("Set the team's value of the %s %q in environment %q: encrypted to the team's keys in the workspace folder (commit it to share it).", kind, name, env)
	}
	return fmt.Sprintf("Set the value of the %s %q in environment %q (%s vault).", kind, name, env, vault.BackendLabel(backend))
}

// setClientCredentials sets an auth client's secret, private key or
// client certificate, keeping its other credentials. Which of them the
// client takes, and what a key means for it, are the rules every client
// editor shares (clientcreds.Missing and clientcreds.Apply).
func setClientCredentials(ctx context.Context, opts *secretSetOptions, v *vault.Vault, ac vault.AuthClient) error {
	f := opts.Flags
	if f.username != "" || len(f.fields) > 0 {
		return fmt.Errorf("%w: --username and --field are for secrets; an auth client takes its secret (--value-stdin or a prompt) or a PEM --file", vault.ErrInvalid)
	}
	creds, err := v.ClientCredentials(ctx, ac)
	if err != nil && !errors.Is(err, vault.ErrNotFound) {
		return err
	}
	if errors.Is(err, vault.ErrNotFound) {
		creds = vault.ClientCredentials{}
	}
	g, err := givenClientCredential(opts, ac)
	if err != nil {
		return err
	}
	if _, err := clientcreds.Apply(&ac, &creds, g); err != nil {
		var ve *vault.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("%w: --file %s: %s", vault.ErrInvalid, f.file, ve.Msg)
		}
		return err
	}
	return storeClientCredentials(ctx, opts, v, ac, creds)
}

// givenClientCredential reads the one credential ac takes: a private key
// (--file), a client certificate and its key (--file), or its client (or
// consumer) secret from stdin, a prompt or --file.
func givenClientCredential(opts *secretSetOptions, ac vault.AuthClient) (clientcreds.Given, error) {
	f := opts.Flags
	switch clientcreds.Missing(ac, vault.ClientCredentials{}) {
	case clientcreds.FieldPrivateKey:
		if f.file == "" {
			return clientcreds.Given{}, fmt.Errorf("%w: auth client %q signs with a private key: give it with --file key.pem", vault.ErrMissingInput, ac.Name)
		}
		b, err := opts.ReadFile("--file", f.file, 64<<10)
		return clientcreds.Given{Key: string(b)}, err
	case clientcreds.FieldCert:
		if f.file == "" {
			return clientcreds.Given{}, fmt.Errorf("%w: auth client %q authenticates with a client certificate: give the certificate and its key in one PEM with --file", vault.ErrMissingInput, ac.Name)
		}
		b, err := opts.ReadFile("--file", f.file, 256<<10)
		if err != nil {
			return clientcreds.Given{}, err
		}
		cert, key := splitPEM(b)
		if cert == "" || key == "" {
			return clientcreds.Given{}, fmt.Errorf("%w: --file %s: a client certificate needs a CERTIFICATE block and its PRIVATE KEY block", vault.ErrInvalid, f.file)
		}
		return clientcreds.Given{Cert: cert, CertKey: key}, nil
	case clientcreds.FieldClientSecret:
		s, err := clientSecretInput(opts, ac)
		return clientcreds.Given{Secret: s}, err
	}
	return clientcreds.Given{}, fmt.Errorf("%w: auth client %q (%s) has no credential to set", vault.ErrInvalid, ac.Name, ac.AuthMethod)
}

// clientSecretInput reads a client (OAuth 1.0a: consumer) secret from
// --file, stdin or a prompt.
func clientSecretInput(opts *secretSetOptions, ac vault.AuthClient) (string, error) {
	f := opts.Flags
	if f.file == "" {
		return opts.SecretInput(secretLabel(&ac)+" of "+ac.Name, "--value-stdin", f.valueStdin)
	}
	b, err := opts.ReadFile("--file", f.file, 64<<10)
	if err != nil {
		return "", err
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", exitWith(exitMissingInput, "--file %s is empty", f.file)
	}
	return s, nil
}

// storeClientCredentials writes the client's new credentials: this
// person's own (--personal), or the item's, shared with the team when it
// is or --shared asks.
func storeClientCredentials(ctx context.Context, opts *secretSetOptions, v *vault.Vault, ac vault.AuthClient, creds vault.ClientCredentials) error {
	if opts.Personal {
		if err := v.OverrideClientCredentials(ctx, ac, creds); err != nil {
			return err
		}
	} else {
		if opts.Shared {
			ac.Shared = true
		}
		if _, err := v.PutClient(ctx, ac, &creds); err != nil {
			return withFlag(err, clientFieldFlags)
		}
	}
	fmt.Fprintln(opts.IO.Out, setMessage("auth client", ac.Name, ac.Env, ac.Shared || opts.Shared, opts.Personal, v.Backend()))
	return nil
}

// ---- secret unshare ----

type secretUnshareOptions struct {
	IO        IOStreams
	Name      string
	Client    bool
	Workspace func() (*vault.Vault, *vault.Catalog, string, error)
}

func newSecretUnshareCmd(a *App) *cobra.Command {
	opts := &secretUnshareOptions{}
	cmd := &cobra.Command{
		Use:   "unshare NAME",
		Short: "Stop sharing a secret's value (or an auth client's credentials) with the team",
		Long: `Remove the team's value of a shared secret (or auth client) from the workspace
folder: each person then keeps their own. The value you see now becomes your
own, so nothing you use is lost. Teammates who had the shared value may still
hold it (and the repository's history does): rotate it if they should not.`,
		Example: `  authdeck secret unshare stripe
  authdeck secret unshare svc --client`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeSecrets),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO, opts.Name, opts.Workspace = a.IO, args[0], a.workspace
			return runSecretUnshare(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Client, "client", false, "the auth client NAME (when a secret has the same name)")
	return cmd
}

func runSecretUnshare(ctx context.Context, opts *secretUnshareOptions) error {
	v, c, env, err := opts.Workspace()
	if err != nil {
		return err
	}
	kind := "secret"
	if _, isSecret := c.Secret(env, opts.Name); opts.Client || !isSecret {
		if _, isClient := c.Client(env, opts.Name); isClient {
			kind = "auth client"
		}
	}
	if err := v.Unshare(ctx, kind, env, opts.Name); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "The %s %q of environment %q is no longer shared: its team value is gone from the workspace folder, and the value you had is your own. Teammates set theirs ('authdeck doctor' tells them).\n", kind, opts.Name, env)
	return nil
}
