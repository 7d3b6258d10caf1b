package interchange

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

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
func ExportSecretService(ctx context.Context, v *vault.Vault, env string, withSecrets bool) ([]byte, []Note, error) {
	c, err := v.Load()
	if err != nil {
		return nil, nil, err
	}
	if _, ok := c.Env(env); !ok {
		return nil, nil, &vault.NotFoundError{Kind: "environment", Name: env}
	}
	x := &ssExporter{ctx: ctx, v: v, withSecrets: withSecrets}
	items := []ssExport{}
	for _, ac := range c.ClientsIn(env) {
		d, err := x.client(ac)
		if err != nil {
			return nil, nil, err
		}
		if d != nil {
			items = append(items, ssExport{Data: d})
		}
	}
	for _, s := range c.SecretsIn(env) {
		d, err := x.secret(s)
		if err != nil {
			return nil, nil, err
		}
		if d != nil {
			items = append(items, ssExport{Data: d})
		}
	}
	b, err := json.MarshalIndent(items, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return append(b, '\n'), x.notes, nil
}

// ssExporter turns catalog items into secret-service items, noting what
// it leaves out.
type ssExporter struct {
	ctx         context.Context
	v           *vault.Vault
	withSecrets bool
	notes       []Note
}

func (x *ssExporter) skipped(item, msg string) {
	x.notes = append(x.notes, Note{Kind: NoteSkipped, Item: item, Msg: msg})
}

// meta returns the fields every exported item has.
func (x *ssExporter) meta(m vault.Meta, typ string) map[string]any {
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

// client returns the item for an auth client, or nil for a type the
// format has no place for.
func (x *ssExporter) client(ac vault.AuthClient) (map[string]any, error) {
	label := fmt.Sprintf("auth client %q", ac.Name)
	if ac.Type != vault.ClientOAuth2 && ac.Type != vault.ClientSessionAuth {
		x.skipped(label, fmt.Sprintf("%s clients have no place in the secret-service format", ac.Type))
		return nil, nil
	}
	d := x.meta(ac.Meta, string(ac.Type))
	if ac.Type == vault.ClientSessionAuth && ac.SessionAuth != nil {
		sessionAuthFields(d, ac.SessionAuth)
		return d, nil
	}
	oauth2Fields(d, ac)
	if ac.HasSecret {
		if err := x.clientSecret(d, ac, label); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// sessionAuthFields adds a session-auth client's login request to d.
func sessionAuthFields(d map[string]any, st *vault.SessionTemplate) {
	fields := []map[string]string{}
	for _, f := range st.RequestFields {
		fields = append(fields, map[string]string{"key": f.Key, "value": f.Value})
	}
	d["endpoints"] = map[string]any{"auth": map[string]any{"url": st.URL, "authType": st.AuthType, "requestFields": fields}}
	d["tokenPath"] = st.TokenPath
	if st.ExpirationPath != "" {
		d["expirationPath"] = st.ExpirationPath
	}
}

// oauth2Fields adds an OAuth 2.0 client's settings (not its secret) to d.
func oauth2Fields(d map[string]any, ac vault.AuthClient) {
	d["clientId"] = ac.ClientID
	ep := map[string]string{}
	for k, u := range map[string]string{
		"auth": ac.Endpoints.Authorization, "token": ac.Endpoints.Token, "device": ac.Endpoints.Device,
		"introspection": ac.Endpoints.Introspection, "revocation": ac.Endpoints.Revocation, "jwks": ac.Endpoints.JWKS, "userinfo": ac.Endpoints.Userinfo,
	} {
		if u != "" {
			ep[k] = u
		}
	}
	if len(ep) > 0 {
		d["endpoints"] = ep
	}
	for k, s := range map[string]string{
		"issuer": ac.Issuer, "redirectUri": ac.RedirectURI, "authMethod": string(ac.AuthMethod),
		"grant": string(ac.Grant), "audience": ac.Audience, "resource": ac.Resource, "prompt": ac.Prompt, "scope": strings.Join(ac.Scopes, " "),
	} {
		if s != "" {
			d[k] = s
		}
	}
	if ac.AllowDeprecated {
		d["allowDeprecated"] = true
	}
}

// clientSecret adds the client secret to d when secrets are exported,
// noting what is left out.
func (x *ssExporter) clientSecret(d map[string]any, ac vault.AuthClient, label string) error {
	if !x.withSecrets {
		x.skipped(label, "client secret left out (use --with-secrets to include it)")
		return nil
	}
	creds, err := x.v.ClientCredentials(x.ctx, ac)
	if err != nil {
		return err
	}
	if creds.ClientSecret != "" {
		d["clientSecret"] = creds.ClientSecret
	}
	if creds.PrivateKey != "" || creds.Cert != "" {
		x.skipped(label, "private key / client certificate: the format has no place for them")
	}
	return nil
}

// secret returns the item for a secret, or nil for a type the format has
// no place for.
func (x *ssExporter) secret(s vault.Secret) (map[string]any, error) {
	label := fmt.Sprintf("secret %q", s.Name)
	switch s.Type {
	case vault.TypeAPIKey, vault.TypeSimple, vault.TypeOAuthToken, vault.TypeSessionAuth:
	default:
		x.skipped(label, fmt.Sprintf("%s secrets have no place in the secret-service format", s.Type))
		return nil, nil
	}
	d := x.meta(s.Meta, string(s.Type))
	var sv vault.SecretValue
	if x.withSecrets {
		var err error
		if sv, err = x.v.SecretValue(x.ctx, s); err != nil {
			return nil, err
		}
	}
	val := x.value(s, sv)
	if !x.withSecrets {
		x.skipped(label, "value left out (use --with-secrets to include it)")
	}
	d["value"] = val
	return d, nil
}

// value returns a secret's "value" object: its settings, and its secret
// fields from sv when secrets are exported.
func (x *ssExporter) value(s vault.Secret, sv vault.SecretValue) map[string]any {
	val := map[string]any{}
	switch s.Type {
	case vault.TypeAPIKey:
		if h := firstNonEmpty(s.HeaderName, sv.HeaderName); h != "" {
			val["headerName"] = h
		}
		if s.QueryParam != "" {
			val["queryParam"] = s.QueryParam
		}
		if x.withSecrets {
			val["key"] = sv.Key
		}
	case vault.TypeSimple:
		if x.withSecrets {
			val["username"], val["passphrase"] = sv.Username, sv.Passphrase
		}
	case vault.TypeOAuthToken:
		tokenValue(val, s)
		if x.withSecrets {
			for k, t := range map[string]string{"accessToken": sv.AccessToken, "refreshToken": sv.RefreshToken, "idToken": sv.IDToken} {
				if t != "" {
					val[k] = t
				}
			}
		}
	case vault.TypeSessionAuth:
		val["authClientId"] = s.AuthClient
		if x.withSecrets {
			val["inputFields"] = sv.InputFields
		}
	case vault.TypePrivateKey, vault.TypeClientCert, vault.TypeOAuth1Token:
		// skipped by secret: the format has no place for them
	}
	return val
}

// tokenValue adds a token secret's settings to val.
func tokenValue(val map[string]any, s vault.Secret) {
	if s.AuthClient != "" {
		val["authClientId"] = s.AuthClient
	}
	if s.Scope != "" {
		val["scope"] = s.Scope
	}
	if s.TokenExpires != nil {
		val["expires"] = s.TokenExpires.UTC().Format(time.RFC3339)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
