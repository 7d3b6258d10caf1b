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
	var notes []Note
	skipped := func(item, msg string) { notes = append(notes, Note{Kind: NoteSkipped, Item: item, Msg: msg}) }
	items := []ssExport{}
	meta := func(m vault.Meta, typ string) map[string]any {
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
		if ac.Type != vault.ClientOAuth2 && ac.Type != vault.ClientSessionAuth {
			skipped(label, fmt.Sprintf("%s clients have no place in the secret-service format", ac.Type))
			continue
		}
		d := meta(ac.Meta, string(ac.Type))
		if ac.Type == vault.ClientSessionAuth && ac.SessionAuth != nil {
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
		case vault.TypeAPIKey, vault.TypeSimple, vault.TypeOAuthToken, vault.TypeSessionAuth:
		default:
			skipped(label, fmt.Sprintf("%s secrets have no place in the secret-service format", s.Type))
			continue
		}
		d := meta(s.Meta, string(s.Type))
		val := map[string]any{}
		var sv vault.SecretValue
		if withSecrets {
			if sv, err = v.SecretValue(ctx, s); err != nil {
				return nil, nil, err
			}
		}
		switch s.Type {
		case vault.TypeAPIKey:
			if h := firstNonEmpty(s.HeaderName, sv.HeaderName); h != "" {
				val["headerName"] = h
			}
			if s.QueryParam != "" {
				val["queryParam"] = s.QueryParam
			}
			if withSecrets {
				val["key"] = sv.Key
			}
		case vault.TypeSimple:
			if withSecrets {
				val["username"], val["passphrase"] = sv.Username, sv.Passphrase
			}
		case vault.TypeOAuthToken:
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
		case vault.TypeSessionAuth:
			val["authClientId"] = s.AuthClient
			if withSecrets {
				val["inputFields"] = sv.InputFields
			}
		case vault.TypePrivateKey, vault.TypeClientCert, vault.TypeOAuth1Token:
			// skipped above: the format has no place for them
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
