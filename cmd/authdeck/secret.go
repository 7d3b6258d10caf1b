package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/mask"
)

func newSecretCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "secret",
		Aliases: []string{"secrets"},
		Short:   "Manage secrets: API keys, bearer tokens, basic auth, OAuth tokens, keys, certificates",
		Long: `Secrets are credentials kept in the vault; the catalog holds only their
metadata. Values are never taken from the command line: they come from stdin
(--value-stdin), a no-echo prompt or a file, and are printed masked unless
--reveal.`,
		Example: `  authdeck secret add stripe --type API_KEY --header-name Authorization      # prompts
  printf %s "$KEY" | authdeck secret add gh --type API_KEY --value-stdin
  authdeck secret add webhook --generate --expires 2027-01-31
  authdeck secret import secrets.json
  authdeck secret list
  authdeck secret show stripe --reveal`,
		Args: cobra.NoArgs,
	}
	return cmd
}

// secretFieldFlags maps model fields named in validation errors to flags.
var secretFieldFlags = map[string]string{
	"name": "NAME", "type": "--type", "placement": "--placement", "authClient": "--auth-client",
	"headerName": "--header-name", "value.headerName": "--header-name", "allowedHosts": "--allowed-host",
	"value.username": "--username", "value.": "--value-stdin/--file/prompt",
}

type secretFlags struct {
	typ, headerName, queryParam, username, authClient, file string
	fields                                                  []string
	valueStdin                                              bool
	description, expires, tenant, placement                 string
	allowedHosts                                            []string
	generate                                                bool
	bytes                                                   int
	shared                                                  bool
}

// secretAddOptions are the inputs of `secret add`.
type secretAddOptions struct {
	App *App
	IO  IOStreams
	// Name is the new secret's name.
	Name  string
	Flags secretFlags
}

func newSecretAddCmd(a *App) *cobra.Command {
	opts := &secretAddOptions{App: a, IO: a.IO}
	f := &opts.Flags
	cmd := &cobra.Command{
		Use:   "add NAME --type TYPE [flags] | add NAME --generate [--bytes N]",
		Short: "Add a secret (value from stdin, a no-echo prompt or a file — never the command line)",
		Long: `Add a secret to the environment.

Types and where their value comes from:
  API_KEY                 the key: --value-stdin, --file or a prompt; --header-name H
                          (default Authorization; "Bearer …" keys are bearer tokens)
                          or --query-param P
  SIMPLE                  --username U, the passphrase from --value-stdin or a prompt
  OA2_AUTHORIZATION_CODE  a token set: JSON on stdin ({"accessToken": …, "refreshToken": …,
                          "scope": …, "expires": …}) or prompts; --auth-client C to refresh it
  SESSION_AUTH            --auth-client C (a session-auth client); its input fields as JSON
                          on stdin ({"name": "value"}) or prompts; --field k picks fields
  PRIVATE_KEY             PEM from --file or stdin (RSA ≥ 2048 or EC P-256; shown by key id only)
  CLIENT_CERT             PEM with the certificate and its key from --file or stdin

--generate makes a high-entropy API_KEY value (crypto/rand, base64url), stores it
and prints it on stdout; later, secret show NAME --reveal prints it again.`,
		Example: `  authdeck secret add stripe --type API_KEY                     # prompts, no echo
  printf 'Bearer %s' "$TOKEN" | authdeck secret add api --type API_KEY --value-stdin
  printf %s "$PW" | authdeck secret add db --type SIMPLE --username admin --value-stdin
  echo '{"accessToken":"…","refreshToken":"…"}' | authdeck secret add me --type OA2_AUTHORIZATION_CODE --auth-client web --value-stdin
  authdeck secret add dyn --type SESSION_AUTH --auth-client dynamics   # prompts for each {{fields.NAME}}
  authdeck secret add signer --type PRIVATE_KEY --file key.pem
  authdeck secret add webhook --generate --bytes 48 --expires 2027-01-31 --description "webhook signing"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runSecretAdd(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.typ, "type", "", "secret type: "+typeNames())
	fs.StringVar(&f.headerName, "header-name", "", "API_KEY: header to send the key in (default Authorization)")
	fs.StringVar(&f.queryParam, "query-param", "", "API_KEY: send the key as this query parameter instead")
	fs.StringVar(&f.username, "username", "", "SIMPLE: the user name (the passphrase is read from stdin or a prompt)")
	fs.StringVar(&f.authClient, "auth-client", "", "auth client that refreshes or fetches the token (OA2_AUTHORIZATION_CODE, SESSION_AUTH)")
	fs.StringArrayVar(&f.fields, "field", nil, "field to fill (OA2_AUTHORIZATION_CODE token fields, SESSION_AUTH input fields); values from stdin JSON or prompts")
	fs.BoolVar(&f.valueStdin, "value-stdin", false, "read the value from standard input (JSON for token sets and input fields)")
	fs.StringVar(&f.file, "file", "", "read the value from a file (PEM for PRIVATE_KEY and CLIENT_CERT)")
	fs.StringVar(&f.description, "description", "", "free text")
	fs.StringVar(&f.expires, "expires", "", "when the secret expires (2027-01-31, RFC 3339); omit for never")
	fs.StringVar(&f.tenant, "tenant", "", "tenant label")
	fs.StringArrayVar(&f.allowedHosts, "allowed-host", nil, "only send this secret to this host (repeatable; *.example.com)")
	fs.StringVar(&f.placement, "placement", "", "where a bearer token goes: header (default), body or query")
	fs.BoolVar(&f.generate, "generate", false, "generate a random API_KEY value, store it and print it once")
	fs.BoolVar(&f.shared, "shared", false, "share the value with the team: encrypted to the team's keys in the team workspace folder")
	fs.IntVar(&f.bytes, "bytes", 0, fmt.Sprintf("with --generate: random bytes (default %d, %d to %d)", keygen.DefaultSecretBytes, keygen.MinSecretBytes, keygen.MaxSecretBytes))
	_ = cmd.RegisterFlagCompletionFunc("type", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		out := make([]string, len(vault.SecretTypes))
		for i, t := range vault.SecretTypes {
			out[i] = string(t)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("placement", completeFlagValues("header", "body", "query"))
	_ = cmd.RegisterFlagCompletionFunc("auth-client", func(c *cobra.Command, _ []string, p string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return a.completeNames(completeClients)(c, nil, p)
	})
	return cmd
}

// runSecretAdd adds the secret opts describe to the environment, its value
// generated or read from stdin, a file or prompts.
func runSecretAdd(ctx context.Context, opts *secretAddOptions) error {
	a, f := opts.App, &opts.Flags
	v, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	s, err := f.newSecret(opts.Name, env)
	if err != nil {
		return err
	}
	if f.generate {
		return a.addGenerated(ctx, v, s, f)
	}
	ac, err := f.checkNewSecret(c, s)
	if err != nil {
		return err
	}
	val, err := a.readSecretValue(&s, f, ac)
	if err != nil {
		return err
	}
	s, err = v.PutSecret(ctx, s, &val)
	if err != nil {
		return withFlag(err, secretFieldFlags)
	}
	a.reportSecretAdded(opts.IO, v.Backend(), env, s)
	return nil
}

// newSecret is the secret the flags describe, before its value.
func (f *secretFlags) newSecret(name, env string) (vault.Secret, error) {
	s := vault.Secret{
		Meta: vault.Meta{
			Name: name, Env: env, Description: f.description, Tenant: f.tenant,
			AllowedHosts: splitList(f.allowedHosts),
		}, Type: vault.SecretType(f.typ), HeaderName: f.headerName,
		QueryParam: f.queryParam, AuthClient: f.authClient, Placement: vault.Placement(f.placement),
	}
	s.Shared = f.shared
	var err error
	if s.Expiration, err = parseExpiresFlag(f.expires); err != nil {
		return s, err
	}
	return s, nil
}

// checkNewSecret refuses a secret without a type, a --bytes without
// --generate, an invalid or existing secret, and returns the auth client
// the secret names (nil when it names none).
func (f *secretFlags) checkNewSecret(c *vault.Catalog, s vault.Secret) (*vault.AuthClient, error) {
	if s.Type == "" {
		return nil, exitWith(exitMissingInput, "secret %q: --type is required (%s), or --generate for a new API key", s.Name, typeNames())
	}
	if f.bytes != 0 {
		return nil, exitWith(exitOther, "--bytes goes with --generate")
	}
	if err := s.Validate(); err != nil {
		return nil, withFlag(err, secretFieldFlags)
	}
	if _, exists := c.Secret(s.Env, s.Name); exists {
		return nil, &vault.ExistsError{Kind: "secret", Name: s.Name, Env: s.Env}
	}
	if s.AuthClient == "" {
		return nil, nil
	}
	ac, ok := c.Client(s.Env, s.AuthClient)
	if !ok {
		return nil, &vault.NotFoundError{Kind: "auth client", Name: s.AuthClient, Env: s.Env}
	}
	return ac, nil
}

// reportSecretAdded says where the new secret's value went, and warns of a
// token sent where it leaks more easily than in a header.
func (a *App) reportSecretAdded(io IOStreams, backend, env string, s vault.Secret) {
	where := "value in the " + vault.BackendLabel(backend) + " vault"
	if s.Shared {
		where = "value shared with the team, encrypted in the workspace folder"
	}
	fmt.Fprintf(io.Out, "Added %s secret %q to environment %q (%s).\n", s.Type, s.Name, env, where)
	if s.KeyID != "" {
		fmt.Fprintf(io.Out, "Key id: %s\n", s.KeyID)
	}
	if s.Placement == vault.PlaceQuery || s.Placement == vault.PlaceBody {
		fmt.Fprintln(io.Err, a.paint(sgrYellow, fmt.Sprintf("warning: the token will be sent in the %s, where it is easier to leak than in a header", s.Placement)))
	}
}

func typeNames() string {
	names := make([]string, len(vault.SecretTypes))
	for i, t := range vault.SecretTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// secretJSON is the stable JSON form of a secret's metadata.
type secretJSON struct {
	vault.Secret
	// Expiry is "", "valid", "expires soon" or "expired".
	Expiry string `json:"expiry,omitempty"`
}

// secretListOptions are the inputs of `secret list`.
type secretListOptions struct {
	App    *App
	IO     IOStreams
	AsJSON bool
}

func newSecretListCmd(a *App) *cobra.Command {
	opts := &secretListOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the secrets of the environment, marking expired and soon-to-expire ones",
		Long: `List the secrets of the environment. Reads the catalog only — no vault
access, so it never unlocks a keychain or asks for a passphrase.`,
		Example: "  authdeck secret list\n  authdeck secret list --env prod --json",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runSecretList(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	return cmd
}

// runSecretList lists the environment's secrets from the catalog alone.
func runSecretList(_ context.Context, opts *secretListOptions) error {
	a := opts.App
	_, c, env, err := a.workspace()
	if err != nil {
		return err
	}
	list := c.SecretsIn(env)
	if opts.AsJSON {
		out := make([]secretJSON, 0, len(list))
		for _, s := range list {
			out = append(out, secretJSON{Secret: s, Expiry: a.expiryState(s.Expiration)})
		}
		return writeJSON(opts.IO.Out, out)
	}
	if len(list) == 0 {
		fmt.Fprintf(opts.IO.Out, "No secrets in environment %q. Add one with 'authdeck secret add' or 'authdeck secret import'.\n", env)
		return nil
	}
	t := &table{header: []string{"NAME", "TYPE", "DETAIL", "EXPIRES", "DESCRIPTION"}}
	for _, s := range list {
		t.add(cell{text: s.Name}, cell{text: string(s.Type)}, cell{text: secretDetail(s)}, a.expiryCell(s.Expiration), cell{text: s.Description})
	}
	t.render(a, opts.IO.Out)
	return nil
}

// secretDetail is the one-line summary of a secret's metadata in lists.
func secretDetail(s vault.Secret) string {
	var parts []string
	switch s.Type {
	case vault.TypeAPIKey:
		if s.QueryParam != "" {
			parts = append(parts, "query "+s.QueryParam)
		} else if s.HeaderName != "" {
			parts = append(parts, "header "+s.HeaderName)
		}
	case vault.TypeOAuthToken, vault.TypeSessionAuth:
		if s.AuthClient != "" {
			parts = append(parts, "client "+s.AuthClient)
		}
		if s.HasRefresh {
			parts = append(parts, "refreshable")
		}
	case vault.TypePrivateKey:
		if s.KeyID != "" {
			parts = append(parts, "kid "+s.KeyID)
		}
	case vault.TypeSimple, vault.TypeClientCert, vault.TypeOAuth1Token:
		// nothing beyond the type
	}
	if s.Generated {
		parts = append(parts, "generated")
	}
	if s.Placement == vault.PlaceBody || s.Placement == vault.PlaceQuery {
		parts = append(parts, "in "+string(s.Placement))
	}
	return strings.Join(parts, ", ")
}

// secretShowOptions are the inputs of `secret show`.
type secretShowOptions struct {
	App *App
	IO  IOStreams
	// Name is the secret's name.
	Name           string
	AsJSON, Reveal bool
}

func newSecretShowCmd(a *App) *cobra.Command {
	opts := &secretShowOptions{App: a, IO: a.IO}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a secret, masked unless --reveal",
		Long: `Show a secret's metadata and value. Values are masked (type, length, at most
the last 4 characters) unless --reveal; private keys are never printed, only
their key id.`,
		Example:           "  authdeck secret show stripe\n  authdeck secret show stripe --reveal\n  authdeck secret show stripe --json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeSecrets),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runSecretShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AsJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&opts.Reveal, "reveal", false, "print secret values (private keys are never printed)")
	return cmd
}

// runSecretShow prints a secret's metadata and its value, masked unless
// --reveal.
func runSecretShow(ctx context.Context, opts *secretShowOptions) error {
	a := opts.App
	v, _, env, err := a.workspace()
	if err != nil {
		return err
	}
	s, err := v.Secret(env, opts.Name)
	if err != nil {
		return err
	}
	val, err := v.SecretValue(ctx, s)
	if err != nil {
		return err
	}
	fields := secretValueFields(s.Type, val)
	if opts.AsJSON {
		values := map[string]string{}
		for _, f := range fields {
			values[f.Name] = f.shown(opts.Reveal)
		}
		return writeJSON(opts.IO.Out, struct {
			secretJSON
			Value    map[string]string `json:"value"`
			Masked   string            `json:"masked"`
			Revealed bool              `json:"revealed"`
		}{secretJSON{Secret: s, Expiry: a.expiryState(s.Expiration)}, values, primaryMask(s, val), opts.Reveal})
	}
	a.secretMetaKV(s, env, val).render(a, opts.IO.Out)
	if len(fields) > 0 {
		fmt.Fprintln(opts.IO.Out)
		a.renderValueFields(opts.IO.Out, fields, opts.Reveal)
	}
	return nil
}

// secretMetaKV is a secret's metadata as `secret show` lists it.
func (a *App) secretMetaKV(s vault.Secret, env string, val vault.SecretValue) *kv {
	k := &kv{}
	k.add("secret", s.Name)
	k.add("environment", env)
	k.add("type", string(s.Type))
	k.add("value", primaryMask(s, val))
	k.add("auth client", s.AuthClient)
	k.add("header", s.HeaderName)
	k.add("query param", s.QueryParam)
	k.add("placement", string(s.Placement))
	k.add("key id", s.KeyID)
	k.add("scope", s.Scope)
	k.add("token expires", fmtTime(s.TokenExpires))
	if s.Generated {
		k.add("generated", "yes")
	}
	k.add("allowed hosts", strings.Join(s.AllowedHosts, ", "))
	k.add("tenant", s.Tenant)
	k.add("description", s.Description)
	k.addc("expires", a.expiryCell(s.Expiration))
	k.add("created", fmtTime(&s.Created))
	k.add("updated", fmtTime(&s.Updated))
	return k
}

// renderValueFields prints a value's fields, masked ones dimmed.
func (a *App) renderValueFields(w io.Writer, fields []valueField, reveal bool) {
	t := &table{header: []string{"FIELD", "VALUE"}}
	for _, f := range fields {
		c := cell{text: f.shown(reveal)}
		if f.Secret && (!reveal || f.Never) {
			c.color = sgrDim
		}
		t.add(cell{text: f.Name}, c)
	}
	t.render(a, w)
}

// primaryMask is the masked main value: "API_KEY ••••••••3f9a (40 chars)".
func primaryMask(s vault.Secret, val vault.SecretValue) string {
	switch s.Type {
	case vault.TypePrivateKey:
		return "PRIVATE_KEY, key id " + s.KeyID
	case vault.TypeSessionAuth:
		return fmt.Sprintf("SESSION_AUTH, %d input fields", len(val.InputFields))
	case vault.TypeAPIKey, vault.TypeSimple, vault.TypeOAuthToken, vault.TypeClientCert, vault.TypeOAuth1Token:
		// the masked primary value, below
	}
	return mask.String(string(s.Type), val.Primary(s.Type))
}

// secretRmOptions are the inputs of `secret rm`.
type secretRmOptions struct {
	App *App
	IO  IOStreams
	// Name is the secret's name.
	Name string
}

func newSecretRmCmd(a *App) *cobra.Command {
	opts := &secretRmOptions{App: a, IO: a.IO}
	return &cobra.Command{
		Use:               "rm NAME",
		Aliases:           []string{"remove"},
		Short:             "Remove a secret and its stored value",
		Example:           "  authdeck secret rm stripe",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeSecrets),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runSecretRm(cmd.Context(), opts)
		},
	}
}

// runSecretRm removes a secret and its stored value.
func runSecretRm(ctx context.Context, opts *secretRmOptions) error {
	v, _, env, err := opts.App.workspace()
	if err != nil {
		return err
	}
	if err := v.RemoveSecret(ctx, env, opts.Name); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Removed secret %q from environment %q.\n", opts.Name, env)
	return nil
}
