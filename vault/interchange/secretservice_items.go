package interchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// This file reads the items of a secret-service file: auth clients first,
// then the secrets that may link to them.

// clientKnownKeys are the auth-client fields the importer reads; others are
// reported as skipped.
var clientKnownKeys = []string{"_id", "name", "type", "tenant", "description", "expiration", "expires", "allowedHosts",
	"clientId", "clientSecret", "redirectUri", "endpoints", "issuer", "scope", "scopes", "authMethod", "grant",
	"allowDeprecated", "audience", "resource", "prompt", "tokenPath", "expirationPath", "fields"}

func (p *ssParser) parseClient(it ssItem) {
	o := it.obj
	before := len(p.problems)
	name := p.required(it.label, o, "name", "name")
	label := it.label
	if name != "" {
		label = fmt.Sprintf("auth client %q", name)
	}
	typ := vault.ClientType(p.required(label, o, "type", "type"))
	switch typ {
	case vault.ClientOAuth2, vault.ClientSessionAuth, "":
	default:
		p.problem(label, o.offs["type"], vault.ErrInvalid, "type %q is not %s or %s", typ, vault.ClientOAuth2, vault.ClientSessionAuth)
	}
	ac := vault.AuthClient{Meta: p.meta(label, o, name), Type: typ}
	p.skipUnknown(label, o, "", clientKnownKeys...)
	info := ssClient{refID: p.refID(label, o), name: name, typ: typ, fields: map[string][]string{}}
	var creds *vault.ClientCredentials
	urlsOK := true
	switch typ {
	case vault.ClientOAuth2:
		ac.Grant = vault.GrantAuthorizationCode
		if g := p.str(label, o, "grant", "grant"); g != "" {
			ac.Grant = vault.Grant(g)
		}
		ac.AllowDeprecated = p.boolean(label, o, "allowDeprecated", "allowDeprecated")
		ac.ClientID = p.required(label, o, "clientId", "clientId")
		if looksPlaceholder(ac.ClientID) {
			p.note(NoteWarning, label, o.offs["clientId"], "clientId %q looks like an example placeholder", ac.ClientID)
		}
		if iss := p.str(label, o, "issuer", "issuer"); iss != "" {
			urlsOK = p.checkURL(label, o.offs["issuer"], "issuer", iss, false) && urlsOK
			ac.Issuer = iss
		}
		if r := p.str(label, o, "redirectUri", "redirectUri"); r != "" {
			urlsOK = p.checkURL(label, o.offs["redirectUri"], "redirectUri", r, false) && urlsOK
			ac.RedirectURI = r
		}
		if ep := p.sub(label, o, "endpoints", "endpoints"); ep != nil {
			for _, e := range []struct {
				key string
				dst *string
			}{
				{"auth", &ac.Endpoints.Authorization}, {"token", &ac.Endpoints.Token}, {"device", &ac.Endpoints.Device},
				{"introspection", &ac.Endpoints.Introspection}, {"revocation", &ac.Endpoints.Revocation},
				{"jwks", &ac.Endpoints.JWKS}, {"userinfo", &ac.Endpoints.Userinfo},
			} {
				s := p.str(label, ep, e.key, "endpoints."+e.key)
				if s == "" {
					continue
				}
				urlsOK = p.checkURL(label, ep.offs[e.key], "endpoints."+e.key, s, false) && urlsOK
				*e.dst = s
			}
			p.skipUnknown(label, ep, "endpoints.", "auth", "token", "device", "introspection", "revocation", "jwks", "userinfo")
		}
		if s := p.str(label, o, "scope", "scope"); s != "" {
			ac.Scopes = strings.Fields(s)
		}
		ac.Scopes = append(ac.Scopes, p.strList(label, o, "scopes", "scopes")...)
		ac.Audience = p.str(label, o, "audience", "audience")
		ac.Resource = p.str(label, o, "resource", "resource")
		ac.Prompt = p.str(label, o, "prompt", "prompt")
		ac.AuthMethod = vault.AuthMethod(p.str(label, o, "authMethod", "authMethod"))
		if ac.AuthMethod == "" && ac.Grant != vault.GrantImplicit {
			ac.AuthMethod = p.opts.AuthMethod
			if ac.AuthMethod == "" {
				p.problem(label, o.base, vault.ErrMissingInput, "authMethod: the file does not say how the client authenticates at the token endpoint and it is never guessed; choose one for the import (client_secret_basic, client_secret_post, private_key_jwt, none or tls_client_auth; CLI: --auth-method)")
			}
		}
		secret := p.str(label, o, "clientSecret", "clientSecret")
		if secret != "" {
			if ac.AuthMethod == vault.AuthNone {
				p.note(NoteSkipped, label, o.offs["clientSecret"], "clientSecret: not stored, the auth method is none")
			} else {
				creds = &vault.ClientCredentials{ClientSecret: secret}
				if looksPlaceholder(secret) {
					p.note(NoteWarning, label, o.offs["clientSecret"], "clientSecret looks like an example placeholder (<…>)")
				}
			}
		}
		for _, k := range []string{"tokenPath", "expirationPath", "fields"} {
			if _, ok := o.vals[k]; ok {
				p.note(NoteSkipped, label, o.offs[k], "%s: only used by SESSION_AUTH clients", k)
			}
		}
	case vault.ClientSessionAuth:
		st := &vault.SessionTemplate{
			TokenPath:      p.required(label, o, "tokenPath", "tokenPath"),
			ExpirationPath: p.str(label, o, "expirationPath", "expirationPath"),
		}
		ac.SessionAuth = st
		ep := p.sub(label, o, "endpoints", "endpoints")
		var auth *jsonObject
		if ep == nil {
			p.problem(label, o.base, vault.ErrInvalid, "endpoints.auth is missing (the token request: url, authType, requestFields)")
		} else {
			auth = p.sub(label, ep, "auth", "endpoints.auth")
			if auth == nil {
				p.problem(label, ep.base, vault.ErrInvalid, "endpoints.auth is missing (the token request: url, authType, requestFields)")
			}
			p.skipUnknown(label, ep, "endpoints.", "auth")
		}
		if auth != nil {
			st.URL = p.required(label, auth, "url", "endpoints.auth.url")
			if st.URL != "" {
				urlsOK = p.checkURL(label, auth.offs["url"], "endpoints.auth.url", st.URL, true) && urlsOK
				p.useFields(info.fields, st.URL, "endpoints.auth.url")
			}
			st.AuthType = vault.SessionAuthType(p.required(label, auth, "authType", "endpoints.auth.authType"))
			p.requestFields(label, auth, st, info.fields)
			p.skipUnknown(label, auth, "endpoints.auth.", "url", "authType", "requestFields")
		}
		if raw, ok := o.vals["fields"]; ok {
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil && string(raw) != "null" {
				p.problem(label, o.offs["fields"], vault.ErrInvalid, "fields should be a list, found %s", jsonKind(raw))
			} else {
				p.note(NoteSkipped, label, o.offs["fields"], "fields (%d entries): input fields are taken from the {{fields.NAME}} placeholders", len(list))
			}
		}
		for _, k := range []string{"clientId", "clientSecret", "redirectUri", "authMethod", "grant", "scope", "scopes", "issuer"} {
			if _, ok := o.vals[k]; ok {
				p.note(NoteSkipped, label, o.offs[k], "%s: not used by SESSION_AUTH clients (the token request template says what is sent)", k)
			}
		}
	case vault.ClientOAuth1:
		// refused above: the format has no OAuth 1.0a clients
	}
	if name != "" {
		for _, c := range p.clients {
			if c.name == name {
				p.problem(label, o.offs["name"], vault.ErrExists, "the file has two auth clients named %q", name)
			}
		}
		if cat := p.opts.Catalog; cat != nil {
			if _, ok := cat.Client(p.opts.Env, name); ok {
				p.problem(label, o.offs["name"], vault.ErrExists, "auth client %q already exists in environment %q", name, p.opts.Env)
			}
		}
	}
	p.clients = append(p.clients, info)
	if len(p.problems) > before || !urlsOK {
		return
	}
	if err := ac.Validate(); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	cc := vault.ClientCredentials{}
	if creds != nil {
		cc = *creds
	}
	if err := ac.ValidateCredentials(cc); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	p.batch.Clients = append(p.batch.Clients, vault.ClientItem{Client: ac, Creds: creds})
	detail := string(ac.Type)
	if ac.Type == vault.ClientOAuth2 {
		detail += ", " + string(ac.Grant) + ", " + string(ac.AuthMethod)
	}
	p.note(NoteCreated, label, o.base, "%s", detail)
	if creds != nil {
		p.note(NoteStored, label, o.offs["clientSecret"], "clientSecret")
	}
}

// secretFieldKey reports whether a request field name suggests a credential,
// which should come from a secret's inputFields rather than sit in the catalog.
func secretFieldKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"secret", "password", "passphrase", "token", "key", "assertion"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func (p *ssParser) requestFields(label string, auth *jsonObject, st *vault.SessionTemplate, uses map[string][]string) {
	raw, ok := auth.vals["requestFields"]
	if !ok || string(raw) == "null" {
		return
	}
	if raw[0] != '[' {
		p.problem(label, auth.offs["requestFields"], vault.ErrInvalid, "endpoints.auth.requestFields should be a list, found %s", jsonKind(raw))
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, _ = dec.Token()
	base := auth.offs["requestFields"]
	for i := 0; dec.More(); i++ {
		off := base + int64(skipSpaceComma(raw, int(dec.InputOffset())))
		var el json.RawMessage
		if err := dec.Decode(&el); err != nil {
			return
		}
		path := fmt.Sprintf("endpoints.auth.requestFields[%d]", i)
		if el[0] != '{' {
			p.problem(label, off, vault.ErrInvalid, "%s should be an object {\"key\": …, \"value\": …}, found %s", path, jsonKind(el))
			continue
		}
		f := p.object(label, el, off)
		key := p.required(label, f, "key", path+".key")
		val := p.str(label, f, "value", path+".value")
		p.skipUnknown(label, f, path+".", "key", "value")
		t, err := vault.ParseTemplate(val)
		if err != nil {
			p.problem(label, f.offs["value"], vault.ErrInvalid, "%s.value: %v", path, err)
			continue
		}
		if key != "" && val != "" && len(t.Names()) == 0 && secretFieldKey(key) {
			p.note(NoteWarning, label, f.offs["value"], "%s (%s) holds a literal value, which is kept in the catalog, not the vault; use {{fields.%s}} and put the value in each secret's inputFields", path, key, key)
		}
		p.useFields(uses, val, fmt.Sprintf("%s (%s)", path, key))
		st.RequestFields = append(st.RequestFields, vault.Param{Key: key, Value: val})
	}
}

func (p *ssParser) useFields(uses map[string][]string, s, where string) {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return
	}
	for _, f := range t.FieldNames() {
		uses[f] = append(uses[f], where)
	}
}

var secretKnownKeys = []string{"_id", "name", "type", "tenant", "description", "expiration", "expires", "allowedHosts", "value"}

func (p *ssParser) parseSecret(it ssItem) {
	o := it.obj
	before := len(p.problems)
	name := p.required(it.label, o, "name", "name")
	label := it.label
	if name != "" {
		label = fmt.Sprintf("secret %q", name)
	}
	typ := vault.SecretType(p.required(label, o, "type", "type"))
	s := vault.Secret{Meta: p.meta(label, o, name), Type: typ}
	p.refID(label, o)
	p.skipUnknown(label, o, "", secretKnownKeys...)
	vo := p.sub(label, o, "value", "value")
	if vo == nil {
		if before == len(p.problems) {
			p.problem(label, o.offs["value"], vault.ErrInvalid, "value should be an object")
		}
		return
	}
	var val vault.SecretValue
	str := func(key string) string { return p.str(label, vo, key, "value."+key) }
	var known []string
	var secretFields []string
	set := func(key string, dst *string, secret bool) {
		known = append(known, key)
		*dst = str(key)
		if *dst != "" && secret {
			secretFields = append(secretFields, key)
			if looksPlaceholder(*dst) {
				p.note(NoteWarning, label, vo.offs[key], "value.%s looks like an example placeholder (<…>)", key)
			}
		}
	}
	var clientRef string
	switch typ {
	case vault.TypeAPIKey:
		set("key", &val.Key, true)
		set("headerName", &val.HeaderName, false)
		if val.HeaderName != "" {
			secretFields = append(secretFields, "headerName")
		}
		if q := str("queryParam"); q != "" {
			s.QueryParam = q
		}
		known = append(known, "queryParam")
	case vault.TypeSimple:
		set("username", &val.Username, false)
		if val.Username != "" {
			secretFields = append(secretFields, "username")
		}
		set("passphrase", &val.Passphrase, true)
	case vault.TypeOAuthToken:
		set("authClientId", &clientRef, false)
		set("accessToken", &val.AccessToken, true)
		set("refreshToken", &val.RefreshToken, true)
		set("idToken", &val.IDToken, true)
		set("tokenType", &val.TokenType, false)
		set("scope", &val.Scope, false)
		known = append(known, "expires")
		if raw, ok := vo.vals["expires"]; ok && string(raw) != "null" {
			switch jsonKind(raw) {
			case "a string", "a number":
				val.Expires = strings.Trim(string(raw), `"`)
				if val.Expires != "" {
					t, err := vault.ParseExpiry(val.Expires)
					if err != nil {
						p.problem(label, vo.offs["expires"], vault.ErrInvalid, "value.expires: %v", err)
					} else {
						val.Expires = t.Format("2006-01-02T15:04:05Z07:00")
					}
				}
			default:
				p.problem(label, vo.offs["expires"], vault.ErrInvalid, "value.expires should be a date, Unix seconds or empty, found %s", jsonKind(raw))
			}
		}
	case vault.TypeSessionAuth:
		set("authClientId", &clientRef, false)
		known = append(known, "inputFields")
		if f := p.sub(label, vo, "inputFields", "value.inputFields"); f != nil {
			val.InputFields = map[string]string{}
			for _, k := range f.keys {
				raw := f.vals[k]
				var v string
				if err := json.Unmarshal(raw, &v); err != nil {
					p.problem(label, f.offs[k], vault.ErrInvalid, "value.inputFields.%s should be a string, found %s", k, jsonKind(raw))
					continue
				}
				val.InputFields[k] = v
				secretFields = append(secretFields, "inputFields."+k)
				if looksPlaceholder(v) {
					p.note(NoteWarning, label, f.offs[k], "value.inputFields.%s looks like an example placeholder (<…>)", k)
				}
			}
		}
	case "":
	default:
		p.problem(label, o.offs["type"], vault.ErrInvalid, "type %q is not one of the secret service's types (API_KEY, SIMPLE, OA2_AUTHORIZATION_CODE, SESSION_AUTH)", typ)
		return
	}
	p.skipUnknown(label, vo, "value.", known...)
	if clientRef != "" {
		p.link(label, vo.offs["authClientId"], &s, clientRef, val.InputFields)
	} else if typ == vault.TypeSessionAuth {
		p.problem(label, vo.base, vault.ErrInvalid, "value.authClientId is missing (the SESSION_AUTH auth client that fetches the token)")
	}
	if name != "" {
		for _, x := range p.batch.Secrets {
			if x.Secret.Name == name {
				p.problem(label, o.offs["name"], vault.ErrExists, "the file has two secrets named %q", name)
			}
		}
		if cat := p.opts.Catalog; cat != nil {
			if _, ok := cat.Secret(p.opts.Env, name); ok {
				p.problem(label, o.offs["name"], vault.ErrExists, "secret %q already exists in environment %q", name, p.opts.Env)
			}
		}
	}
	if len(p.problems) > before {
		return
	}
	if err := s.Validate(); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	if err := s.ValidateValue(val); err != nil {
		p.validationProblem(label, vo.base, err)
		return
	}
	p.batch.Secrets = append(p.batch.Secrets, vault.SecretItem{Secret: s, Value: val})
	detail := string(s.Type)
	if s.AuthClient != "" {
		detail += ", auth client " + strconv.Quote(s.AuthClient)
	}
	p.note(NoteCreated, label, o.base, "%s", detail)
	if len(secretFields) > 0 {
		p.note(NoteStored, label, vo.base, "%s", strings.Join(secretFields, ", "))
	}
}

// link resolves a secret's authClientId to an auth client of the file (by
// _id or name) or of the environment (by name or ID), and checks that the
// secret's inputFields give every {{fields.NAME}} that client uses.
func (p *ssParser) link(label string, off int64, s *vault.Secret, ref string, inputs map[string]string) {
	var found *ssClient
	for i := range p.clients {
		c := &p.clients[i]
		if (c.refID != "" && c.refID == ref) || c.name == ref {
			found = c
			break
		}
	}
	if found == nil && p.opts.Catalog != nil {
		for _, c := range p.opts.Catalog.ClientsIn(p.opts.Env) {
			if c.Name == ref || c.ID == ref {
				fc := ssClient{name: c.Name, typ: c.Type, fields: map[string][]string{}}
				if c.SessionAuth != nil {
					p.useFields(fc.fields, c.SessionAuth.URL, "url")
					for i, f := range c.SessionAuth.RequestFields {
						p.useFields(fc.fields, f.Value, fmt.Sprintf("requestFields[%d] (%s)", i, f.Key))
					}
				}
				found = &fc
				break
			}
		}
	}
	if found == nil {
		where := "this file (by _id or name)"
		if p.opts.Catalog != nil {
			where += fmt.Sprintf(" or environment %q", p.opts.Env)
		}
		hint := ""
		if looksPlaceholder(ref) {
			hint = " — it is an example placeholder; put the auth client's _id or name there"
		}
		p.problem(label, off, vault.ErrNotConfigured, "value.authClientId %q matches no auth client in %s%s", ref, where, hint)
		return
	}
	want := vault.ClientOAuth2
	if s.Type == vault.TypeSessionAuth {
		want = vault.ClientSessionAuth
	}
	if found.typ != want {
		p.problem(label, off, vault.ErrInvalid, "value.authClientId: auth client %q is %s, but a %s secret needs a %s client", found.name, found.typ, s.Type, want)
		return
	}
	s.AuthClient = found.name
	if s.Type != vault.TypeSessionAuth {
		return
	}
	var missing []string
	for f := range found.fields {
		if _, ok := inputs[f]; !ok {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	for _, f := range missing {
		p.problem(label, off, vault.ErrMissingInput, "value.inputFields has no %q: auth client %q uses {{fields.%s}} in %s", f, found.name, f, strings.Join(found.fields[f], ", "))
	}
	var unused []string
	for f := range inputs {
		if _, ok := found.fields[f]; !ok {
			unused = append(unused, f)
		}
	}
	sort.Strings(unused)
	for _, f := range unused {
		p.note(NoteWarning, label, off, "value.inputFields.%s is not used by auth client %q", f, found.name)
	}
}
