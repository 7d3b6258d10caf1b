package vault

import (
	"maps"
	"slices"
)

// This file is the one description of what each secret type holds and how
// it is shown and used. The value fields, masking, detail views, forms and
// CLI prompts read it instead of switching over the type.

// TypeInfo describes a secret type.
type TypeInfo struct {
	// Type is the type described.
	Type SecretType
	// Hint is the short lower-case name lists show: "api key", "token set".
	Hint string
	// Label is the type's one human name, for titles, details and status
	// lines: "API key", "OAuth 2.0 token set". The type constant itself is
	// the file formats' and the CLI flags' vocabulary, not a label.
	Label string
	// Fields are the value's fields in the order a detail view shows them.
	Fields []FieldInfo
	// Primary is the JSON name of the field a user means by "the secret":
	// what a copy takes and a one-line mask shows.
	Primary string
	// InputFields says the value carries session input fields
	// ({{fields.NAME}} values), listed after Fields in name order.
	InputFields bool
	// Client is the type of auth client the secret belongs to (through
	// Secret.AuthClient); empty when it stands alone.
	Client ClientType
	// Placement says the value is sent as a bearer credential whose
	// placement (header, form body, query) can be chosen.
	Placement bool
	// TokenPane says the value is obtained and renewed through its auth
	// client, in the TUI's token pane.
	TokenPane bool
	// PEM says the value is read from PEM files rather than typed.
	PEM bool
}

// FieldInfo describes one field of a secret value.
type FieldInfo struct {
	// Name is the field's JSON name: "accessToken".
	Name string
	// Label is how a detail view or a prompt names it: "access token".
	Label string
	// Secret marks a value shown masked unless revealed (S-30).
	Secret bool
	// PrivateKey marks a PEM private key, which is shown only as its
	// algorithm and key id and never copied (S-26).
	PrivateKey bool
	// ref points at the field in a value.
	ref func(*SecretValue) *string
}

// Get returns the field's value in v.
func (f FieldInfo) Get(v SecretValue) string { return *f.ref(&v) }

// Set stores s as the field's value in v.
func (f FieldInfo) Set(v *SecretValue, s string) { *f.ref(v) = s }

// Value fields shared by several types.
var (
	fieldKey          = FieldInfo{Name: "key", Label: "key", Secret: true, ref: func(v *SecretValue) *string { return &v.Key }}
	fieldHeaderName   = FieldInfo{Name: "headerName", Label: "header", ref: func(v *SecretValue) *string { return &v.HeaderName }}
	fieldUsername     = FieldInfo{Name: "username", Label: "username", ref: func(v *SecretValue) *string { return &v.Username }}
	fieldPassphrase   = FieldInfo{Name: "passphrase", Label: "passphrase", Secret: true, ref: func(v *SecretValue) *string { return &v.Passphrase }}
	fieldAccessToken  = FieldInfo{Name: "accessToken", Label: "access token", Secret: true, ref: func(v *SecretValue) *string { return &v.AccessToken }}
	fieldRefreshToken = FieldInfo{Name: "refreshToken", Label: "refresh token", Secret: true, ref: func(v *SecretValue) *string { return &v.RefreshToken }}
	fieldIDToken      = FieldInfo{Name: "idToken", Label: "id token", Secret: true, ref: func(v *SecretValue) *string { return &v.IDToken }}
	fieldTokenType    = FieldInfo{Name: "tokenType", Label: "token type", ref: func(v *SecretValue) *string { return &v.TokenType }}
	fieldScope        = FieldInfo{Name: "scope", Label: "scope", ref: func(v *SecretValue) *string { return &v.Scope }}
	fieldExpires      = FieldInfo{Name: "expires", Label: "expires", ref: func(v *SecretValue) *string { return &v.Expires }}
	fieldPrivateKey   = FieldInfo{Name: "privateKey", Label: "private key", Secret: true, PrivateKey: true, ref: func(v *SecretValue) *string { return &v.PrivateKey }}
	fieldCert         = FieldInfo{Name: "cert", Label: "certificate", ref: func(v *SecretValue) *string { return &v.Cert }}
	fieldToken        = FieldInfo{Name: "token", Label: "token", Secret: true, ref: func(v *SecretValue) *string { return &v.Token }}
	fieldTokenSecret  = FieldInfo{Name: "tokenSecret", Label: "token secret", Secret: true, ref: func(v *SecretValue) *string { return &v.TokenSecret }}

	tokenSetFields = []FieldInfo{fieldAccessToken, fieldRefreshToken, fieldIDToken, fieldTokenType, fieldScope, fieldExpires}
)

// secretTypes describes every secret type, in SecretTypes order.
var secretTypes = []TypeInfo{
	{Type: TypeAPIKey, Hint: "api key", Label: "API key", Fields: []FieldInfo{fieldKey, fieldHeaderName}, Primary: "key", Placement: true},
	{Type: TypeSimple, Hint: "basic", Label: "Basic credentials", Fields: []FieldInfo{fieldUsername, fieldPassphrase}, Primary: "passphrase"},
	{
		Type: TypeOAuthToken, Hint: "token set", Label: "OAuth 2.0 token set", Fields: tokenSetFields, Primary: "accessToken", InputFields: true,
		Client: ClientOAuth2, Placement: true, TokenPane: true,
	},
	{
		Type: TypeSessionAuth, Hint: "session", Label: "Session token", Fields: tokenSetFields, Primary: "accessToken", InputFields: true,
		Client: ClientSessionAuth, Placement: true, TokenPane: true,
	},
	{Type: TypePrivateKey, Hint: "private key", Label: "Private key", Fields: []FieldInfo{fieldPrivateKey}, Primary: "privateKey", PEM: true},
	{Type: TypeClientCert, Hint: "client cert", Label: "Client certificate", Fields: []FieldInfo{fieldCert, fieldPrivateKey}, Primary: "cert", PEM: true},
	{
		Type: TypeOAuth1Token, Hint: "oauth1 token", Label: "OAuth 1.0a token", Fields: []FieldInfo{fieldToken, fieldTokenSecret}, Primary: "token",
		Client: ClientOAuth1, TokenPane: true,
	},
}

// Info returns the description of secret type t; ok is false for a type
// this build does not know.
func (t SecretType) Info() (TypeInfo, bool) {
	for _, ti := range secretTypes {
		if ti.Type == t {
			return ti, true
		}
	}
	return TypeInfo{}, false
}

// Label returns the type's human name ("API key"); a type this build does
// not know is named as it is stored.
func (t SecretType) Label() string {
	if ti, ok := t.Info(); ok {
		return ti.Label
	}
	return string(t)
}

// Field returns the field named name (its JSON name).
func (ti TypeInfo) Field(name string) (FieldInfo, bool) {
	for _, f := range ti.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return FieldInfo{}, false
}

// FieldNames returns the JSON names of the value's fields, in order.
func (ti TypeInfo) FieldNames() []string {
	out := make([]string, len(ti.Fields))
	for i, f := range ti.Fields {
		out[i] = f.Name
	}
	return out
}

// Primary returns the value a user most likely means by "the secret": the key,
// the passphrase, the access token, the private key.
func (v SecretValue) Primary(t SecretType) string {
	ti, ok := t.Info()
	if !ok {
		return ""
	}
	f, _ := ti.Field(ti.Primary)
	return f.Get(v)
}

// ValueField is one field of a secret value, for listings that mask the
// secret ones (S-30).
type ValueField struct {
	// Name is the field's JSON name: "accessToken", "inputFields.otp".
	Name string
	// Value is the field's value.
	Value string
	// Secret marks a value shown masked unless revealed.
	Secret bool
}

// Fields lists the non-empty fields a value of type t carries, in the order
// a detail view shows them; session input fields follow in name order.
func (v SecretValue) Fields(t SecretType) []ValueField {
	ti, ok := t.Info()
	if !ok {
		return nil
	}
	var out []ValueField
	for _, f := range ti.Fields {
		if val := f.Get(v); val != "" {
			out = append(out, ValueField{Name: f.Name, Value: val, Secret: f.Secret})
		}
	}
	if ti.InputFields {
		for _, k := range slices.Sorted(maps.Keys(v.InputFields)) {
			if val := v.InputFields[k]; val != "" {
				out = append(out, ValueField{Name: "inputFields." + k, Value: val, Secret: true})
			}
		}
	}
	return out
}
