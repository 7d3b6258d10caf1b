package vault

import (
	"strings"
	"testing"
)

// S-30: a masked value shows its type, its length and at most its last four
// characters, fewer (or none) for short values.
func TestMaskS30(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, value string
		want        string
	}{
		{"API_KEY", "sk_live_0123456789abcdef0123456789ab3f9a", "API_KEY ••••••••3f9a (40 chars)"},
		{"API_KEY", "0123456789abcdef", "API_KEY ••••••••cdef (16 chars)"},
		{"SIMPLE", "abcdefghijkl", "SIMPLE ••••••••jkl (12 chars)"},
		{"SIMPLE", "abcdefgh", "SIMPLE ••••••••gh (8 chars)"},
		{"SIMPLE", "abcdefg", "SIMPLE •••••••• (7 chars)"},
		{"SIMPLE", "a", "SIMPLE •••••••• (1 char)"},
		{"SIMPLE", "", "SIMPLE (empty)"},
		{"", "ääääääääüüüü", "••••••••üüü (12 chars)"},
		{"PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", "PRIVATE_KEY •••••••• (59 chars)"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			got := Mask(tc.kind, tc.value)
			if got != tc.want {
				t.Fatalf("Mask = %q, want %q", got, tc.want)
			}
			m := MaskValue(tc.kind, tc.value)
			if len([]rune(m.Tail)) > maxMaskTail {
				t.Fatalf("tail of %d characters", len([]rune(m.Tail)))
			}
			if len(tc.value) >= 4 && strings.Contains(got, tc.value[:len(tc.value)-len(m.Tail)]) {
				t.Fatal("the masked form contains the hidden part")
			}
		})
	}
}

func TestMaskTailLenNeverRevealsMost(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 200; n++ {
		k := MaskTailLen(n)
		if k < 0 || k > maxMaskTail || (n > 0 && k*4 > n) {
			t.Fatalf("MaskTailLen(%d) = %d", n, k)
		}
	}
}

func BenchmarkMask(b *testing.B) {
	v := strings.Repeat("sk_live_0123456789", 3)
	b.ReportAllocs()
	for b.Loop() {
		if Mask("API_KEY", v) == "" {
			b.Fatal("empty mask")
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
		{TypeOAuthToken, SecretValue{AccessToken: "a", RefreshToken: "r", IDToken: "i", TokenType: "Bearer", Scope: "s", Expires: "2030-01-01T00:00:00Z"},
			"accessToken* refreshToken* idToken* tokenType scope expires"},
		{TypeSessionAuth, SecretValue{AccessToken: "a", InputFields: map[string]string{"user": "u", "otp": "1", "empty": ""}},
			"accessToken* inputFields.otp* inputFields.user*"},
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
