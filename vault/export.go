package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// This file exports parts of the workspace in other tools' formats: a
// request as a curl command line, an environment as a Postman environment,
// and secrets with their auth clients as reference secret-service JSON (the
// shape ParseSecretService reads back). Secret values are left out unless
// the caller asks for them.

// CurlRequest is a request to write as a curl command line. Its values are
// written as given: mask credentials before, unless they are to be revealed.
type CurlRequest struct {
	Method  string
	URL     string
	Headers []Header
	Body    string
	// Insecure adds -k (TLS verification off).
	Insecure bool
}

// ShellQuote quotes s for a POSIX shell: single quotes, each embedded single
// quote closed, escaped and reopened; plain words are left bare.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CurlCommand writes r as a curl command line, one option per line joined
// with backslash continuations when multiline is set.
func CurlCommand(r CurlRequest, multiline bool) string {
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = "GET"
	}
	args := []string{"curl"}
	switch {
	case method == "HEAD" && r.Body == "":
		args = append(args, "--head")
	case method == "GET" && r.Body == "", method == "POST" && r.Body != "":
		// curl's defaults
	default:
		args = append(args, "-X "+ShellQuote(method))
	}
	if r.Insecure {
		args = append(args, "-k")
	}
	args = append(args, ShellQuote(r.URL))
	for _, h := range r.Headers {
		args = append(args, "-H "+ShellQuote(h.Name+": "+h.Value))
	}
	if r.Body != "" {
		args = append(args, "--data-raw "+ShellQuote(r.Body))
	}
	if !multiline {
		return strings.Join(args, " ")
	}
	var b strings.Builder
	b.WriteString(args[0])
	for i, a := range args[1:] {
		if i == 0 {
			b.WriteString(" " + a)
			continue
		}
		b.WriteString(" \\\n  " + a)
	}
	return b.String()
}

// PostmanEnvironment is a Postman environment file.
type PostmanEnvironment struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name"`
	Values     []PostmanVariable `json:"values"`
	Scope      string            `json:"_postman_variable_scope,omitempty"`
	ExportedAt string            `json:"_postman_exported_at,omitempty"`
	ExportedBy string            `json:"_postman_exported_using,omitempty"`
}

// PostmanVariable is one variable of a Postman environment or collection.
type PostmanVariable struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Enabled *bool  `json:"enabled,omitempty"`
}

// ExportPostmanEnv writes environment env as a Postman environment. Secret
// variables are marked "secret" and their values left empty unless
// withSecrets; only then is the store read. The notes say what was left out.
func (v *Vault) ExportPostmanEnv(ctx context.Context, env string, withSecrets bool) ([]byte, []Note, error) {
	c, err := v.cat.Load()
	if err != nil {
		return nil, nil, err
	}
	e, ok := c.Env(env)
	if !ok {
		return nil, nil, &NotFoundError{Kind: "environment", Name: env}
	}
	var secrets map[string]string
	if withSecrets {
		if secrets, err = v.secretVars(ctx, e); err != nil {
			return nil, nil, err
		}
	}
	out := PostmanEnvironment{
		ID: e.ID, Name: e.Name, Scope: "environment", ExportedBy: "authdeck",
		ExportedAt: v.Now().UTC().Format(time.RFC3339), Values: []PostmanVariable{},
	}
	var notes []Note
	enabled := true
	for _, x := range e.Variables {
		pv := PostmanVariable{Key: x.Name, Value: x.Value, Type: "default", Enabled: &enabled}
		if x.Secret {
			pv.Type = "secret"
			pv.Value = ""
			if withSecrets {
				pv.Value = secrets[x.Name]
			} else {
				notes = append(notes, Note{Kind: NoteSkipped, Item: fmt.Sprintf("variable %q", x.Name), Msg: "secret value left out (use --with-secrets to include it)"})
			}
		}
		out.Values = append(out.Values, pv)
	}
	if n := len(c.SecretsIn(env)) + len(c.ClientsIn(env)); n > 0 {
		notes = append(notes, Note{Kind: NoteSkipped, Msg: fmt.Sprintf("%d secrets and auth clients are not part of a Postman environment (export them with `authdeck export secrets`)", n)})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return append(b, '\n'), notes, nil
}

// ssExport is one item of a secret-service export: {"data": {…}}.
type ssExport struct {
	Data map[string]any `json:"data"`
}

// ExportSecretService writes the auth clients and secrets of env as an array
// of reference secret-service items ({"data": {…}}), which
// ParseSecretService reads back. Secret values (keys, passphrases, tokens,
// client secrets, session input fields) are left out unless withSecrets;
// only then is the store read. Types the format has no place for (private
// keys, client certificates, OAuth 1.0a) are skipped with a note.
func (v *Vault) ExportSecretService(ctx context.Context, env string, withSecrets bool) ([]byte, []Note, error) {
	c, err := v.cat.Load()
	if err != nil {
		return nil, nil, err
	}
	if _, ok := c.Env(env); !ok {
		return nil, nil, &NotFoundError{Kind: "environment", Name: env}
	}
	var notes []Note
	skipped := func(item, msg string) { notes = append(notes, Note{Kind: NoteSkipped, Item: item, Msg: msg}) }
	items := []ssExport{}
	meta := func(m Meta, typ string) map[string]any {
		d := map[string]any{"name": m.Name, "type": typ}
		if m.Tenant != "" {
			d["tenant"] = m.Tenant
		}
		if m.Description != "" {
			d["description"] = m.Description
		}
		if m.Expiration != nil {
			d["expiration"] = m.Expiration.UTC().Format(time.RFC3339)
		}
		if len(m.AllowedHosts) > 0 {
			d["allowedHosts"] = m.AllowedHosts
		}
		return d
	}
	for _, ac := range c.ClientsIn(env) {
		label := fmt.Sprintf("auth client %q", ac.Name)
		if ac.Type != ClientOAuth2 && ac.Type != ClientSessionAuth {
			skipped(label, fmt.Sprintf("%s clients have no place in the secret-service format", ac.Type))
			continue
		}
		d := meta(ac.Meta, string(ac.Type))
		if ac.Type == ClientSessionAuth && ac.SessionAuth != nil {
			st := ac.SessionAuth
			fields := []map[string]string{}
			for _, f := range st.RequestFields {
				fields = append(fields, map[string]string{"key": f.Key, "value": f.Value})
			}
			d["endpoints"] = map[string]any{"auth": map[string]any{"url": st.URL, "authType": st.AuthType, "requestFields": fields}}
			d["tokenPath"] = st.TokenPath
			if st.ExpirationPath != "" {
				d["expirationPath"] = st.ExpirationPath
			}
		} else {
			d["clientId"] = ac.ClientID
			ep := map[string]string{}
			for k, u := range map[string]string{"auth": ac.Endpoints.Authorization, "token": ac.Endpoints.Token, "device": ac.Endpoints.Device,
				"introspection": ac.Endpoints.Introspection, "revocation": ac.Endpoints.Revocation, "jwks": ac.Endpoints.JWKS, "userinfo": ac.Endpoints.Userinfo} {
				if u != "" {
					ep[k] = u
				}
			}
			if len(ep) > 0 {
				d["endpoints"] = ep
			}
			for k, s := range map[string]string{"issuer": ac.Issuer, "redirectUri": ac.RedirectURI, "authMethod": string(ac.AuthMethod),
				"grant": string(ac.Grant), "audience": ac.Audience, "resource": ac.Resource, "prompt": ac.Prompt, "scope": strings.Join(ac.Scopes, " ")} {
				if s != "" {
					d[k] = s
				}
			}
			if ac.AllowDeprecated {
				d["allowDeprecated"] = true
			}
			if ac.HasSecret {
				switch {
				case !withSecrets:
					skipped(label, "client secret left out (use --with-secrets to include it)")
				default:
					creds, err := v.ClientCredentials(ctx, ac)
					if err != nil {
						return nil, nil, err
					}
					if creds.ClientSecret != "" {
						d["clientSecret"] = creds.ClientSecret
					}
					if creds.PrivateKey != "" || creds.Cert != "" {
						skipped(label, "private key / client certificate: the format has no place for them")
					}
				}
			}
		}
		items = append(items, ssExport{Data: d})
	}
	for _, s := range c.SecretsIn(env) {
		label := fmt.Sprintf("secret %q", s.Name)
		switch s.Type {
		case TypeAPIKey, TypeSimple, TypeOAuthToken, TypeSessionAuth:
		default:
			skipped(label, fmt.Sprintf("%s secrets have no place in the secret-service format", s.Type))
			continue
		}
		d := meta(s.Meta, string(s.Type))
		val := map[string]any{}
		var sv SecretValue
		if withSecrets {
			if sv, err = v.SecretValue(ctx, s); err != nil {
				return nil, nil, err
			}
		}
		switch s.Type {
		case TypeAPIKey:
			if h := firstNonEmpty(s.HeaderName, sv.HeaderName); h != "" {
				val["headerName"] = h
			}
			if s.QueryParam != "" {
				val["queryParam"] = s.QueryParam
			}
			if withSecrets {
				val["key"] = sv.Key
			}
		case TypeSimple:
			if withSecrets {
				val["username"], val["passphrase"] = sv.Username, sv.Passphrase
			}
		case TypeOAuthToken:
			if s.AuthClient != "" {
				val["authClientId"] = s.AuthClient
			}
			if s.Scope != "" {
				val["scope"] = s.Scope
			}
			if s.TokenExpires != nil {
				val["expires"] = s.TokenExpires.UTC().Format(time.RFC3339)
			}
			if withSecrets {
				for k, x := range map[string]string{"accessToken": sv.AccessToken, "refreshToken": sv.RefreshToken, "idToken": sv.IDToken} {
					if x != "" {
						val[k] = x
					}
				}
			}
		case TypeSessionAuth:
			val["authClientId"] = s.AuthClient
			if withSecrets {
				val["inputFields"] = sv.InputFields
			}
		}
		if !withSecrets {
			skipped(label, "value left out (use --with-secrets to include it)")
		}
		d["value"] = val
		items = append(items, ssExport{Data: d})
	}
	b, err := json.MarshalIndent(items, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return append(b, '\n'), notes, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
