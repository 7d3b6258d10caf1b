package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/pemkey"
	"github.com/authdeck/authdeck/vault/termsafe"
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

func newSecretAddCmd(a *App) *cobra.Command {
	f := &secretFlags{}
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
			v, c, env, err := a.workspace()
			if err != nil {
				return err
			}
			s := vault.Secret{Meta: vault.Meta{Name: args[0], Env: env, Description: f.description, Tenant: f.tenant,
				AllowedHosts: splitList(f.allowedHosts)}, Type: vault.SecretType(f.typ), HeaderName: f.headerName,
				QueryParam: f.queryParam, AuthClient: f.authClient, Placement: vault.Placement(f.placement)}
			s.Shared = f.shared
			if s.Expiration, err = parseExpiresFlag(f.expires); err != nil {
				return err
			}
			if f.generate {
				return a.addGenerated(cmd, v, s, f)
			}
			if s.Type == "" {
				return exitWith(exitMissingInput, "secret %q: --type is required (%s), or --generate for a new API key", s.Name, typeNames())
			}
			if f.bytes != 0 {
				return exitWith(exitOther, "--bytes goes with --generate")
			}
			if err := s.Validate(); err != nil {
				return withFlag(err, secretFieldFlags)
			}
			if _, exists := c.Secret(env, s.Name); exists {
				return &vault.ExistsError{Kind: "secret", Name: s.Name, Env: env}
			}
			var ac *vault.AuthClient
			if s.AuthClient != "" {
				x, ok := c.Client(env, s.AuthClient)
				if !ok {
					return &vault.NotFoundError{Kind: "auth client", Name: s.AuthClient, Env: env}
				}
				ac = x
			}
			val, err := a.readSecretValue(&s, f, ac)
			if err != nil {
				return err
			}
			s, err = v.PutSecret(cmd.Context(), s, &val)
			if err != nil {
				return withFlag(err, secretFieldFlags)
			}
			where := "value in the " + vault.BackendLabel(v.Backend()) + " vault"
			if s.Shared {
				where = "value shared with the team, encrypted in the workspace folder"
			}
			fmt.Fprintf(a.IO.Out, "Added %s secret %q to environment %q (%s).\n", s.Type, s.Name, env, where)
			if s.KeyID != "" {
				fmt.Fprintf(a.IO.Out, "Key id: %s\n", s.KeyID)
			}
			if s.Placement == vault.PlaceQuery || s.Placement == vault.PlaceBody {
				fmt.Fprintln(a.IO.Err, a.paint(sgrYellow, fmt.Sprintf("warning: the token will be sent in the %s, where it is easier to leak than in a header", s.Placement)))
			}
			return nil
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
	fs.IntVar(&f.bytes, "bytes", 0, fmt.Sprintf("with --generate: random bytes (default %d, %d to %d)", vault.DefaultGeneratedBytes, vault.MinGeneratedBytes, vault.MaxGeneratedBytes))
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

func typeNames() string {
	names := make([]string, len(vault.SecretTypes))
	for i, t := range vault.SecretTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// addGenerated stores a generated API_KEY and prints its value once.
func (a *App) addGenerated(cmd *cobra.Command, v *vault.Vault, s vault.Secret, f *secretFlags) error {
	if s.Type != "" && s.Type != vault.TypeAPIKey {
		return exitWith(exitOther, "--generate makes an API_KEY secret, not %s", s.Type)
	}
	if f.valueStdin || f.file != "" || len(f.fields) > 0 || f.username != "" {
		return exitWith(exitOther, "--generate makes the value itself; drop --value-stdin, --file, --field and --username")
	}
	n := f.bytes
	if n == 0 {
		n = vault.DefaultGeneratedBytes
	}
	s.Type, s.Generated = vault.TypeAPIKey, true
	if err := s.Validate(); err != nil {
		return withFlag(err, secretFieldFlags)
	}
	value, err := vault.GenerateSecretValue(n)
	if err != nil {
		return exitWith(exitOther, "--bytes %d: a generated secret has %d to %d random bytes", n, vault.MinGeneratedBytes, vault.MaxGeneratedBytes)
	}
	s, err = v.PutSecret(cmd.Context(), s, &vault.SecretValue{Key: value, HeaderName: s.HeaderName})
	if err != nil {
		return withFlag(err, secretFieldFlags)
	}
	// The value goes to stdout alone so it can be captured; the rest to stderr.
	fmt.Fprintln(a.IO.Out, value)
	fmt.Fprintf(a.IO.Err, "Generated a %d-bit API key %q in environment %q and stored it in the %s vault.\nIt is printed above this once; authdeck secret show %s --env %s --reveal prints it again.\n",
		n*8, s.Name, s.Env, vault.BackendLabel(v.Backend()), interchange.ShellQuote(s.Name), interchange.ShellQuote(s.Env))
	return nil
}

// readSecretValue collects the value of a new secret from stdin, a file or prompts.
func (a *App) readSecretValue(s *vault.Secret, f *secretFlags, ac *vault.AuthClient) (vault.SecretValue, error) {
	var val vault.SecretValue
	if f.valueStdin && f.file != "" {
		return val, exitWith(exitOther, "--value-stdin and --file: choose one")
	}
	if f.username != "" && s.Type != vault.TypeSimple {
		return val, exitWith(exitOther, "--username is for SIMPLE secrets")
	}
	if len(f.fields) > 0 && s.Type != vault.TypeOAuthToken && s.Type != vault.TypeSessionAuth {
		return val, exitWith(exitOther, "--field is for OA2_AUTHORIZATION_CODE and SESSION_AUTH secrets")
	}
	if f.file != "" && s.Type != vault.TypeAPIKey && s.Type != vault.TypePrivateKey && s.Type != vault.TypeClientCert {
		return val, exitWith(exitOther, "--file is for API_KEY, PRIVATE_KEY and CLIENT_CERT secrets; %s takes --value-stdin or prompts", s.Type)
	}
	// one reads a single value from --file, --value-stdin or a prompt.
	one := func(what string) (string, error) {
		if f.file != "" {
			b, err := a.readFileArg("--file", f.file, 1<<20)
			if err != nil {
				return "", err
			}
			v := strings.TrimRight(string(b), "\r\n")
			if v == "" {
				return "", exitWith(exitMissingInput, "--file %s is empty", f.file)
			}
			return v, nil
		}
		return a.secretInput(what, "--value-stdin", f.valueStdin)
	}
	switch s.Type {
	case vault.TypeAPIKey:
		k, err := one("API key")
		if err != nil {
			return val, err
		}
		val.Key, val.HeaderName = k, s.HeaderName
	case vault.TypeSimple:
		if f.username == "" {
			return val, exitWith(exitMissingInput, "secret %q: --username is required for SIMPLE", s.Name)
		}
		p, err := one("passphrase for " + f.username)
		if err != nil {
			return val, err
		}
		val.Username, val.Passphrase = f.username, p
	case vault.TypeOAuthToken:
		if ac != nil && ac.Type != vault.ClientOAuth2 {
			return val, exitWith(exitOther, "secret %q: auth client %q is %s; an OAuth token set belongs to an OA2_AUTHORIZATION_CODE client (--auth-client)", s.Name, ac.Name, ac.Type)
		}
		fields := f.fields
		if len(fields) == 0 {
			fields = []string{"accessToken", "refreshToken"}
		}
		ti, _ := s.Type.Info()
		known := ti.FieldNames()
		for _, k := range fields {
			if !slices.Contains(known, k) {
				return val, exitWith(exitOther, "--field %q: a token set has %s", k, strings.Join(known, ", "))
			}
		}
		m, err := a.readFields(fields, f.valueStdin, false, known)
		if err != nil {
			return val, err
		}
		val = vault.SecretValue{}
		for _, fi := range ti.Fields {
			fi.Set(&val, m[fi.Name])
		}
		if val.Expires != "" {
			t, err := vault.ParseExpiry(val.Expires)
			if err != nil {
				return val, exitWith(exitOther, "secret %q: expires: %v", s.Name, err)
			}
			val.Expires = t.Format("2006-01-02T15:04:05Z07:00")
		}
	case vault.TypeSessionAuth:
		if ac == nil {
			return val, exitWith(exitMissingInput, "secret %q: --auth-client is required for SESSION_AUTH (the session-auth client that fetches the token)", s.Name)
		}
		if ac.Type != vault.ClientSessionAuth || ac.SessionAuth == nil {
			return val, exitWith(exitOther, "secret %q: auth client %q is %s, not SESSION_AUTH (--auth-client)", s.Name, ac.Name, ac.Type)
		}
		uses := sessionFields(ac.SessionAuth)
		fields := f.fields
		if len(fields) == 0 {
			fields = sortedKeys(uses)
		}
		if len(fields) == 0 {
			return val, exitWith(exitMissingInput, "secret %q: auth client %q uses no {{fields.NAME}}; name the input fields with --field", s.Name, ac.Name)
		}
		m, err := a.readFields(fields, f.valueStdin, true, nil)
		if err != nil {
			return val, err
		}
		var missing []string
		for _, k := range sortedKeys(uses) {
			if _, ok := m[k]; !ok {
				missing = append(missing, "{{fields."+k+"}} ("+uses[k]+")")
			}
		}
		if len(missing) > 0 {
			return val, exitWith(exitMissingInput, "secret %q: auth client %q needs %s", s.Name, ac.Name, strings.Join(missing, ", "))
		}
		val.InputFields = m
	case vault.TypePrivateKey:
		p, err := one("private key PEM")
		if err != nil {
			return val, err
		}
		key, err := vault.ParsePrivateKey(p)
		if err != nil {
			return val, exitWith(exitOther, "secret %q: %v", s.Name, err)
		}
		val.PrivateKey = p
		s.KeyID = pemkey.Thumbprint(key)
	case vault.TypeClientCert:
		p, err := one("certificate and key PEM")
		if err != nil {
			return val, err
		}
		cert, key := splitPEM([]byte(p))
		if cert == "" || key == "" {
			return val, exitWith(exitOther, "secret %q: CLIENT_CERT needs a CERTIFICATE block and its PRIVATE KEY block in the same PEM", s.Name)
		}
		val.Cert, val.PrivateKey = cert, key
	case vault.TypeOAuth1Token:
		ti, _ := s.Type.Info()
		m, err := a.readFields(ti.FieldNames(), f.valueStdin, false, ti.FieldNames())
		if err != nil {
			return val, err
		}
		for _, fi := range ti.Fields {
			fi.Set(&val, m[fi.Name])
		}
	}
	return val, nil
}

// sessionFields maps each {{fields.NAME}} of a session-auth template to where it is used.
func sessionFields(st *vault.SessionTemplate) map[string]string {
	uses := map[string]string{}
	add := func(s, where string) {
		t, err := vault.ParseTemplate(s)
		if err != nil {
			return
		}
		for _, n := range t.FieldNames() {
			if uses[n] == "" {
				uses[n] = where
			}
		}
	}
	add(st.URL, "url")
	for _, f := range st.RequestFields {
		add(f.Value, "request field "+f.Key)
	}
	return uses
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readFields reads named fields as a JSON object of strings on stdin, or
// prompts for each (no echo). JSON keys outside allowed (when set) are refused.
func (a *App) readFields(names []string, fromStdin, anyKey bool, allowed []string) (map[string]string, error) {
	out := map[string]string{}
	if fromStdin {
		raw, err := a.readStdinSecret("JSON fields")
		if err != nil {
			return nil, exitWith(exitCode(err), "%v", err)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return nil, exitWith(exitOther, "stdin: expected a JSON object of strings: %s", jsonErrorPlace([]byte(raw), err))
		}
		if inner, ok := obj["inputFields"]; ok && anyKey && len(obj) == 1 {
			obj = nil
			if err := json.Unmarshal(inner, &obj); err != nil {
				return nil, exitWith(exitOther, "stdin: inputFields should be an object of strings")
			}
		}
		for k, rv := range obj {
			if !anyKey && !slices.Contains(allowed, k) {
				return nil, exitWith(exitOther, "stdin: unknown field %q (expected %s)", k, strings.Join(allowed, ", "))
			}
			var s string
			if err := json.Unmarshal(rv, &s); err != nil {
				return nil, exitWith(exitOther, "stdin: field %q should be a string", k)
			}
			out[k] = s
		}
		return out, nil
	}
	if !a.isTerminal() {
		return nil, exitWith(exitMissingInput, "fields %s are needed: pipe them as a JSON object with --value-stdin (there is no terminal to prompt on)", strings.Join(names, ", "))
	}
	for _, n := range names {
		s, err := a.promptSecret(n + " (empty to skip): ")
		if err != nil {
			return nil, err
		}
		if s != "" {
			out[n] = s
		}
	}
	return out, nil
}

// jsonErrorPlace describes a JSON error with its line and column, never the input.
func jsonErrorPlace(data []byte, err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		l, c := jsonpos.LineCol(data, syn.Offset)
		return fmt.Sprintf("line %d, column %d: %v", l, c, syn)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return "expected an object of strings"
	}
	return err.Error()
}

// splitPEM separates certificate blocks from the private key block.
func splitPEM(data []byte) (cert, key string) {
	var certs, keys bytes.Buffer
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			_ = pem.Encode(&certs, b)
		} else if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			_ = pem.Encode(&keys, b)
		}
	}
	return certs.String(), keys.String()
}

// secretJSON is the stable JSON form of a secret's metadata.
type secretJSON struct {
	vault.Secret
	// Expiry is "", "valid", "expires soon" or "expired".
	Expiry string `json:"expiry,omitempty"`
}

func newSecretListCmd(a *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the secrets of the environment, marking expired and soon-to-expire ones",
		Long: `List the secrets of the environment. Reads the catalog only — no vault
access, so it never unlocks a keychain or asks for a passphrase.`,
		Example: "  authdeck secret list\n  authdeck secret list --env prod --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, c, env, err := a.workspace()
			if err != nil {
				return err
			}
			list := c.SecretsIn(env)
			if asJSON {
				out := make([]secretJSON, 0, len(list))
				for _, s := range list {
					out = append(out, secretJSON{Secret: s, Expiry: a.expiryState(s.Expiration)})
				}
				return writeJSON(a.IO.Out, out)
			}
			if len(list) == 0 {
				fmt.Fprintf(a.IO.Out, "No secrets in environment %q. Add one with 'authdeck secret add' or 'authdeck secret import'.\n", env)
				return nil
			}
			t := &table{header: []string{"NAME", "TYPE", "DETAIL", "EXPIRES", "DESCRIPTION"}}
			for _, s := range list {
				t.add(cell{text: s.Name}, cell{text: string(s.Type)}, cell{text: secretDetail(s)}, a.expiryCell(s.Expiration), cell{text: s.Description})
			}
			t.render(a, a.IO.Out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
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

func newSecretShowCmd(a *App) *cobra.Command {
	var asJSON, reveal bool
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
			v, _, env, err := a.workspace()
			if err != nil {
				return err
			}
			s, err := v.Secret(env, args[0])
			if err != nil {
				return err
			}
			val, err := v.SecretValue(cmd.Context(), s)
			if err != nil {
				return err
			}
			fields := secretValueFields(s.Type, val)
			if asJSON {
				values := map[string]string{}
				for _, f := range fields {
					values[f.Name] = f.shown(reveal)
				}
				return writeJSON(a.IO.Out, struct {
					secretJSON
					Value    map[string]string `json:"value"`
					Masked   string            `json:"masked"`
					Revealed bool              `json:"revealed"`
				}{secretJSON{Secret: s, Expiry: a.expiryState(s.Expiration)}, values, primaryMask(s, val), reveal})
			}
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
			k.render(a, a.IO.Out)
			if len(fields) > 0 {
				fmt.Fprintln(a.IO.Out)
				t := &table{header: []string{"FIELD", "VALUE"}}
				for _, f := range fields {
					c := cell{text: f.shown(reveal)}
					if f.Secret && (!reveal || f.Never) {
						c.color = sgrDim
					}
					t.add(cell{text: f.Name}, c)
				}
				t.render(a, a.IO.Out)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "print secret values (private keys are never printed)")
	return cmd
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

func newSecretRmCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:               "rm NAME",
		Aliases:           []string{"remove"},
		Short:             "Remove a secret and its stored value",
		Example:           "  authdeck secret rm stripe",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeNames(completeSecrets),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, _, env, err := a.workspace()
			if err != nil {
				return err
			}
			if err := v.RemoveSecret(cmd.Context(), env, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.IO.Out, "Removed secret %q from environment %q.\n", args[0], env)
			return nil
		},
	}
}

// maxImportFile bounds an imported file.
const maxImportFile = 10 << 20

func newSecretImportCmd(a *App) *cobra.Command {
	var authMethod string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Import secrets and auth clients from reference secret-service JSON",
		Long: `Import the JSON bodies of the reference secret service: one {"data": {…}} item,
a bare item, or an array of them — secrets of type API_KEY (bearer tokens
included), SIMPLE, OA2_AUTHORIZATION_CODE and SESSION_AUTH, OAuth auth clients
and session-auth clients. Trailing commas are accepted; any other mistake is
reported with its line and column. Secrets link to auth clients of the same
file (by _id or name) or of the environment. Values go to the vault, metadata
to the catalog. Either everything is imported or nothing is.

The format does not say how an OAuth client authenticates; give --auth-method
for such clients (it is never guessed).`,
		Example: `  authdeck secret import secrets.json
  authdeck secret import clients.json --auth-method client_secret_post --env prod
  curl -s https://…/secrets | authdeck secret import - --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, c, env, err := a.workspace()
			if err != nil {
				return err
			}
			data, err := a.readFileArg("FILE", args[0], maxImportFile)
			if err != nil {
				return err
			}
			opts := interchange.SecretServiceOptions{Env: env, AuthMethod: vault.AuthMethod(authMethod), Catalog: c}
			var b vault.Batch
			var notes []interchange.Note
			if dryRun {
				b, notes, err = interchange.ParseSecretService(data, opts)
			} else {
				b, notes, err = interchange.ImportSecretService(cmd.Context(), v, data, opts)
			}
			source := args[0]
			if source == "-" {
				source = "stdin"
			}
			var ie *interchange.ImportError
			if errors.As(err, &ie) {
				if format, command := interchange.OtherFormat(data); format != "" {
					return exitWith(exitOther, "%s is %s, not secret-service JSON; import it with '%s'", source, format, strings.Replace(command, "FILE", args[0], 1))
				}
				printProblems(a.IO.Err, source, ie)
				return exitWith(importExitCode(ie), "%s: nothing was imported (%d problem%s)", source, len(ie.Problems), plural(len(ie.Problems)))
			}
			if err != nil {
				return fmt.Errorf("%s: nothing was imported: %w", source, err)
			}
			a.printImportReport(notes, source, env, v.Backend(), dryRun, len(b.Clients), len(b.Secrets))
			return nil
		},
	}
	cmd.Flags().StringVar(&authMethod, "auth-method", "", "auth method for OAuth clients the file does not give one (client_secret_basic, client_secret_post, private_key_jwt, none, tls_client_auth)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check the file and print what would be imported; store nothing")
	_ = cmd.RegisterFlagCompletionFunc("auth-method", completeFlagValues("client_secret_basic", "client_secret_post", "private_key_jwt", "none", "tls_client_auth"))
	return cmd
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (a *App) printImportReport(notes []interchange.Note, source, env, backend string, dryRun bool, clients, secrets int) {
	verb := "Imported"
	if dryRun {
		verb = "Would import"
	}
	fmt.Fprintf(a.IO.Out, "%s %d auth client%s and %d secret%s from %s into environment %q:\n", verb, clients, plural(clients), secrets, plural(secrets), source, env)
	for _, n := range notes {
		switch n.Kind {
		case interchange.NoteCreated:
			fmt.Fprintf(a.IO.Out, "  %s %s (%s)\n", a.paint(sgrGreen, "+"), termsafe.Line(n.Item), termsafe.Line(n.Msg))
		case interchange.NoteStored:
			fmt.Fprintf(a.IO.Out, "      to the %s vault: %s\n", vault.BackendLabel(backend), termsafe.Line(n.Msg))
		case interchange.NoteSkipped, interchange.NoteWarning:
			// listed after the counts
		}
	}
	var skipped, warnings []interchange.Note
	for _, n := range notes {
		switch n.Kind {
		case interchange.NoteSkipped:
			skipped = append(skipped, n)
		case interchange.NoteWarning:
			warnings = append(warnings, n)
		case interchange.NoteCreated, interchange.NoteStored:
			// counted above
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintln(a.IO.Out, "Skipped:")
		for _, n := range skipped {
			fmt.Fprintf(a.IO.Out, "  - %s\n", termsafe.Line(n.String()))
		}
	}
	if len(warnings) > 0 {
		fmt.Fprintln(a.IO.Out, "Warnings:")
		for _, n := range warnings {
			fmt.Fprintf(a.IO.Out, "  %s %s\n", a.paint(sgrYellow, "!"), termsafe.Line(n.String()))
		}
	}
	if dryRun {
		fmt.Fprintln(a.IO.Out, "Nothing was stored (--dry-run).")
	}
}
