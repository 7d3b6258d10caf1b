package vault

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestSecretTypeTable keeps the descriptor table in step with the model: every
// type is described once, in SecretTypes order, and each field points at the
// SecretValue field whose JSON name it carries.
func TestSecretTypeTable(t *testing.T) {
	t.Parallel()
	if len(secretTypes) != len(SecretTypes) {
		t.Fatalf("%d described types, %d secret types", len(secretTypes), len(SecretTypes))
	}
	for i, st := range SecretTypes {
		ti, ok := st.Info()
		if !ok || secretTypes[i].Type != st {
			t.Fatalf("%s: described %v, at position %d: %s", st, ok, i, secretTypes[i].Type)
		}
		if ti.Hint == "" || len(ti.Fields) == 0 {
			t.Errorf("%s: no hint or no fields", st)
		}
		// A label is for people: never the stored constant, never shouting.
		if ti.Label == "" || ti.Label == string(st) || st.Label() != ti.Label || strings.Contains(ti.Label, "_") {
			t.Errorf("%s: label %q", st, ti.Label)
		}
		if _, ok := ti.Field(ti.Primary); !ok {
			t.Errorf("%s: primary field %q is not one of %v", st, ti.Primary, ti.FieldNames())
		}
		if (ti.Client != "") != (st == TypeOAuthToken || st == TypeSessionAuth || st == TypeOAuth1Token) {
			t.Errorf("%s: client type %q", st, ti.Client)
		}
		seen := map[string]bool{}
		for _, f := range ti.Fields {
			if seen[f.Name] {
				t.Errorf("%s: field %q twice", st, f.Name)
			}
			seen[f.Name] = true
			var v SecretValue
			f.Set(&v, "x")
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"` + f.Name + `":"x"}`; string(b) != want {
				t.Errorf("%s: setting %q gives %s, want %s", st, f.Name, b, want)
			}
			if f.Get(v) != "x" {
				t.Errorf("%s: %q reads back %q", st, f.Name, f.Get(v))
			}
			if f.PrivateKey && !f.Secret {
				t.Errorf("%s: private key field %q is not secret", st, f.Name)
			}
		}
	}
	if _, ok := SecretType("NOPE").Info(); ok {
		t.Error("an unknown type is described")
	}
}

func TestSecretValueFieldsAndPrimary(t *testing.T) {
	t.Parallel()
	full := SecretValue{
		Key: "k", HeaderName: "X-Key", Username: "u", Passphrase: "p", AccessToken: "at", RefreshToken: "rt",
		TokenType: "Bearer", Expires: "2030-01-01T00:00:00Z", InputFields: map[string]string{"otp": "1", "b": "2", "empty": ""},
		PrivateKey: "pem", Cert: "crt", Token: "t", TokenSecret: "ts",
	}
	names := func(fs []ValueField) []string {
		var out []string
		for _, f := range fs {
			n := f.Name
			if f.Secret {
				n += "*"
			}
			out = append(out, n)
		}
		return out
	}
	for _, tt := range []struct {
		typ     SecretType
		fields  []string
		primary string
	}{
		{TypeAPIKey, []string{"key*", "headerName"}, "k"},
		{TypeSimple, []string{"username", "passphrase*"}, "p"},
		{TypeOAuthToken, []string{"accessToken*", "refreshToken*", "tokenType", "expires", "inputFields.b*", "inputFields.otp*"}, "at"},
		{TypeSessionAuth, []string{"accessToken*", "refreshToken*", "tokenType", "expires", "inputFields.b*", "inputFields.otp*"}, "at"},
		{TypePrivateKey, []string{"privateKey*"}, "pem"},
		{TypeClientCert, []string{"cert", "privateKey*"}, "crt"},
		{TypeOAuth1Token, []string{"token*", "tokenSecret*"}, "t"},
		{SecretType("NOPE"), nil, ""},
	} {
		if got := names(full.Fields(tt.typ)); !slices.Equal(got, tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.typ, got, tt.fields)
		}
		if got := full.Primary(tt.typ); got != tt.primary {
			t.Errorf("%s: primary %q, want %q", tt.typ, got, tt.primary)
		}
	}
}

// S-30: Fields marks which fields of each secret type are masked, lists
// them in display order and leaves empty ones out.
func TestSecretValueFieldsS30(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  SecretType
		v    SecretValue
		want string // name, with * for a secret field
	}{
		{TypeAPIKey, SecretValue{Key: "k", HeaderName: "X-Key"}, "key* headerName"},
		{TypeAPIKey, SecretValue{Key: "k"}, "key*"},
		{TypeSimple, SecretValue{Username: "u", Passphrase: "p"}, "username passphrase*"},
		{
			TypeOAuthToken,
			SecretValue{AccessToken: "a", RefreshToken: "r", IDToken: "i", TokenType: "Bearer", Scope: "s", Expires: "2030-01-01T00:00:00Z"},
			"accessToken* refreshToken* idToken* tokenType scope expires",
		},
		{
			TypeSessionAuth,
			SecretValue{AccessToken: "a", InputFields: map[string]string{"user": "u", "otp": "1", "empty": ""}},
			"accessToken* inputFields.otp* inputFields.user*",
		},
		{TypePrivateKey, SecretValue{PrivateKey: "pem"}, "privateKey*"},
		{TypeClientCert, SecretValue{Cert: "c", PrivateKey: "pem"}, "cert privateKey*"},
		{TypeOAuth1Token, SecretValue{Token: "t", TokenSecret: "ts"}, "token* tokenSecret*"},
		{TypeOAuth1Token, SecretValue{Key: "not an OAuth 1.0a field"}, ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ)+" "+tc.want, func(t *testing.T) {
			t.Parallel()
			var names []string
			for _, f := range tc.v.Fields(tc.typ) {
				if f.Value == "" {
					t.Errorf("field %s listed with an empty value", f.Name)
				}
				if f.Secret {
					names = append(names, f.Name+"*")
				} else {
					names = append(names, f.Name)
				}
			}
			if got := strings.Join(names, " "); got != tc.want {
				t.Errorf("Fields = %q, want %q", got, tc.want)
			}
		})
	}
}
