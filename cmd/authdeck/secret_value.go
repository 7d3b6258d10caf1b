package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// addGenerated stores a generated API_KEY and prints its value once.
func (a *App) addGenerated(ctx context.Context, v *vault.Vault, s vault.Secret, f *secretFlags) error {
	if s.Type != "" && s.Type != vault.TypeAPIKey {
		return exitWith(exitOther, "--generate makes an API_KEY secret, not %s", s.Type)
	}
	if f.valueStdin || f.file != "" || len(f.fields) > 0 || f.username != "" {
		return exitWith(exitOther, "--generate makes the value itself; drop --value-stdin, --file, --field and --username")
	}
	n := f.bytes
	if n == 0 {
		n = keygen.DefaultSecretBytes
	}
	s.Type, s.Generated = vault.TypeAPIKey, true
	if err := s.Validate(); err != nil {
		return withFlag(err, secretFieldFlags)
	}
	value, err := keygen.SecretValue(n)
	if err != nil {
		return exitWith(exitOther, "--bytes %d: a generated secret has %d to %d random bytes", n, keygen.MinSecretBytes, keygen.MaxSecretBytes)
	}
	s, err = v.PutSecret(ctx, s, &vault.SecretValue{Key: value, HeaderName: s.HeaderName})
	if err != nil {
		return withFlag(err, secretFieldFlags)
	}
	// The value goes to stdout alone so it can be captured; the rest to stderr.
	fmt.Fprintln(a.IO.Out, value)
	fmt.Fprintf(a.IO.Err, "Generated a %d-bit API key %q in environment %q and stored it in the %s vault.\nIt is printed above this once; authdeck secret show %s --env %s --reveal prints it again.\n",
		n*8, s.Name, s.Env, vault.BackendLabel(v.Backend()), interchange.ShellQuote(s.Name), interchange.ShellQuote(s.Env))
	return nil
}

// readSecretValue collects the value of a new secret from stdin, a file or
// prompts, as its type asks; a PRIVATE_KEY's key id is set on s.
func (a *App) readSecretValue(s *vault.Secret, f *secretFlags, ac *vault.AuthClient) (vault.SecretValue, error) {
	if err := checkValueFlags(s.Type, f); err != nil {
		return vault.SecretValue{}, err
	}
	r := valueReader{a: a, s: s, f: f, ac: ac}
	switch s.Type {
	case vault.TypeAPIKey:
		return r.apiKey()
	case vault.TypeSimple:
		return r.simple()
	case vault.TypeOAuthToken:
		return r.tokenSet()
	case vault.TypeSessionAuth:
		return r.sessionInputs()
	case vault.TypePrivateKey:
		return r.privateKey()
	case vault.TypeClientCert:
		return r.clientCert()
	case vault.TypeOAuth1Token:
		return r.oauth1Token()
	}
	return vault.SecretValue{}, nil
}

// checkValueFlags refuses value flags the secret type has no use for.
func checkValueFlags(t vault.SecretType, f *secretFlags) error {
	if f.valueStdin && f.file != "" {
		return exitWith(exitOther, "--value-stdin and --file: choose one")
	}
	if f.username != "" && t != vault.TypeSimple {
		return exitWith(exitOther, "--username is for SIMPLE secrets")
	}
	if len(f.fields) > 0 && t != vault.TypeOAuthToken && t != vault.TypeSessionAuth {
		return exitWith(exitOther, "--field is for OA2_AUTHORIZATION_CODE and SESSION_AUTH secrets")
	}
	if f.file != "" && t != vault.TypeAPIKey && t != vault.TypePrivateKey && t != vault.TypeClientCert {
		return exitWith(exitOther, "--file is for API_KEY, PRIVATE_KEY and CLIENT_CERT secrets; %s takes --value-stdin or prompts", t)
	}
	return nil
}

// valueReader reads the value of the new secret s, one method per type.
type valueReader struct {
	a  *App
	s  *vault.Secret
	f  *secretFlags
	ac *vault.AuthClient
}

// one reads a single value from --file, --value-stdin or a prompt.
func (r valueReader) one(what string) (string, error) {
	f := r.f
	if f.file == "" {
		return r.a.secretInput(what, "--value-stdin", f.valueStdin)
	}
	b, err := r.a.readFileArg("--file", f.file, 1<<20)
	if err != nil {
		return "", err
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", exitWith(exitMissingInput, "--file %s is empty", f.file)
	}
	return v, nil
}

func (r valueReader) apiKey() (vault.SecretValue, error) {
	k, err := r.one("API key")
	if err != nil {
		return vault.SecretValue{}, err
	}
	return vault.SecretValue{Key: k, HeaderName: r.s.HeaderName}, nil
}

func (r valueReader) simple() (vault.SecretValue, error) {
	if r.f.username == "" {
		return vault.SecretValue{}, exitWith(exitMissingInput, "secret %q: --username is required for SIMPLE", r.s.Name)
	}
	p, err := r.one("passphrase for " + r.f.username)
	if err != nil {
		return vault.SecretValue{}, err
	}
	return vault.SecretValue{Username: r.f.username, Passphrase: p}, nil
}

// tokenSet reads an OAuth 2.0 token set: the fields --field names (the
// access and refresh tokens by default), its expiry made RFC 3339.
func (r valueReader) tokenSet() (vault.SecretValue, error) {
	var val vault.SecretValue
	s, ac := r.s, r.ac
	if ac != nil && ac.Type != vault.ClientOAuth2 {
		return val, exitWith(exitOther, "secret %q: auth client %q is %s; an OAuth token set belongs to an OA2_AUTHORIZATION_CODE client (--auth-client)", s.Name, ac.Name, ac.Type)
	}
	fields := r.f.fields
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
	m, err := r.a.readFields(fields, r.f.valueStdin, false, known)
	if err != nil {
		return val, err
	}
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
	return val, nil
}

// sessionInputs reads the input fields a session-auth client's template
// uses ({{fields.NAME}}), refusing a value that leaves one out.
func (r valueReader) sessionInputs() (vault.SecretValue, error) {
	s, ac := r.s, r.ac
	if ac == nil {
		return vault.SecretValue{}, exitWith(exitMissingInput, "secret %q: --auth-client is required for SESSION_AUTH (the session-auth client that fetches the token)", s.Name)
	}
	if ac.Type != vault.ClientSessionAuth || ac.SessionAuth == nil {
		return vault.SecretValue{}, exitWith(exitOther, "secret %q: auth client %q is %s, not SESSION_AUTH (--auth-client)", s.Name, ac.Name, ac.Type)
	}
	uses := sessionFields(ac.SessionAuth)
	fields := r.f.fields
	if len(fields) == 0 {
		fields = sortedKeys(uses)
	}
	if len(fields) == 0 {
		return vault.SecretValue{}, exitWith(exitMissingInput, "secret %q: auth client %q uses no {{fields.NAME}}; name the input fields with --field", s.Name, ac.Name)
	}
	m, err := r.a.readFields(fields, r.f.valueStdin, true, nil)
	if err != nil {
		return vault.SecretValue{}, err
	}
	var missing []string
	for _, k := range sortedKeys(uses) {
		if _, ok := m[k]; !ok {
			missing = append(missing, "{{fields."+k+"}} ("+uses[k]+")")
		}
	}
	if len(missing) > 0 {
		return vault.SecretValue{}, exitWith(exitMissingInput, "secret %q: auth client %q needs %s", s.Name, ac.Name, strings.Join(missing, ", "))
	}
	return vault.SecretValue{InputFields: m}, nil
}

// privateKey reads a PEM private key and sets the secret's key id from it.
func (r valueReader) privateKey() (vault.SecretValue, error) {
	p, err := r.one("private key PEM")
	if err != nil {
		return vault.SecretValue{}, err
	}
	key, err := vault.ParsePrivateKey(p)
	if err != nil {
		return vault.SecretValue{}, exitWith(exitOther, "secret %q: %v", r.s.Name, err)
	}
	r.s.KeyID = pemkey.Thumbprint(key)
	return vault.SecretValue{PrivateKey: p}, nil
}

// clientCert reads a PEM with a certificate and its private key.
func (r valueReader) clientCert() (vault.SecretValue, error) {
	p, err := r.one("certificate and key PEM")
	if err != nil {
		return vault.SecretValue{}, err
	}
	cert, key := splitPEM([]byte(p))
	if cert == "" || key == "" {
		return vault.SecretValue{}, exitWith(exitOther, "secret %q: CLIENT_CERT needs a CERTIFICATE block and its PRIVATE KEY block in the same PEM", r.s.Name)
	}
	return vault.SecretValue{Cert: cert, PrivateKey: key}, nil
}

// oauth1Token reads OAuth 1.0a token credentials.
func (r valueReader) oauth1Token() (vault.SecretValue, error) {
	var val vault.SecretValue
	ti, _ := r.s.Type.Info()
	m, err := r.a.readFields(ti.FieldNames(), r.f.valueStdin, false, ti.FieldNames())
	if err != nil {
		return val, err
	}
	for _, fi := range ti.Fields {
		fi.Set(&val, m[fi.Name])
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
