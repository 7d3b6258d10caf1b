package secretlike

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestValue(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		v      string
		secret bool
	}{
		// Authorization values, whatever the scheme's case.
		{"Bearer abc", true},
		{"bearer abc", true},
		{"Basic dXNlcjpwYXNz", true},
		{"Token abc", true},
		{"Digest username=x", true},
		{"ApiKey k", true},
		{"api-key k", true},
		{"Bearer ", false}, // a scheme with nothing after it
		{"Bearer {{token}}", false},
		{"Negotiate abc", false}, // not a scheme on the list, and short
		// JWTs: three parts, header starting eyJ, long enough.
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIzNDU2", true},
		{"eyJ0.eyJ0.sig", false}, // JWT-shaped but too short to be one
		// Vendor prefixes need at least 12 characters after the prefix.
		{"ghp_" + strings.Repeat("a1B2", 9), true},
		{"ghp_short", false},
		{"sk_live_abcdefghijkl", true},
		{"AKIAABCDEFGHIJKL", true},
		{"xoxb-123456789012", true},
		// Random-looking strings.
		{"fakeHighEntropy7Q2mZ4vL8kR1tW6yB3nH5jD0sG", true},
		{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true},
		// long but not random
		{"000000000000000000000000000000000000000a", false},
		// too short
		{"abcdefABCDEF", false},
		// a UUID is an identifier
		{"550e8400-e29b-41d4-a716-446655440000", false},
		{"https://api.example.com/v1/users/Abc123XyZ789Qwe456", false},
		{"application/json", false},
		{"hello world this is a sentence", false},
		{"", false},
		{"   ", false},
		{"{{apiKey}}", false},
		{strings.Repeat("aB3", 1400), false}, // longer than any key
	} {
		if got := Value(tt.v); got != tt.secret {
			t.Errorf("Value(%q) = %v, want %v", tt.v, got, tt.secret)
		}
	}
}

func TestNameAndField(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name            string
		variable, field bool
	}{
		{"apiToken", true, true},
		{"client_secret", true, true},
		{"X-API-Key", true, true},
		{"PASSWD", true, true},
		{"credentials", true, true},
		{"authHeader", true, true},
		{"sessionId", true, true},
		{"x-otp", false, true},     // otp is a field word only
		{"assertion", false, true}, // so is assertion
		{"monkey", true, false},    // variables match by substring, fields by word
		{"keyboard", true, false},
		{"baseUrl", false, false},
		{"page", false, false},
		{"", false, false},
	} {
		if got := Name(tt.name); got != tt.variable {
			t.Errorf("Name(%q) = %v, want %v", tt.name, got, tt.variable)
		}
		if got := Field(tt.name, "value"); got != tt.field {
			t.Errorf("Field(%q, \"value\") = %v, want %v", tt.name, got, tt.field)
		}
	}
}

func TestVariableAndField(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, value     string
		variable, field bool
	}{
		{"authUrl", "https://login.example.com/authorize", false, false}, // an endpoint under an auth-ish name
		{"token", "https://x.example.com/?sig=abc", true, true},          // a URL with a query can carry a secret
		{"token", "", false, false},
		{"token", "  ", false, false},
		{"token", "{{upstream}}", false, false},
		{"token", "plain", true, true},
		{"page", "2", false, false},
		{"page", "Bearer abc", true, true}, // the value alone is enough
	} {
		if got := Variable(tt.name, tt.value); got != tt.variable {
			t.Errorf("Variable(%q, %q) = %v, want %v", tt.name, tt.value, got, tt.variable)
		}
		if got := Field(tt.name, tt.value); got != tt.field {
			t.Errorf("Field(%q, %q) = %v, want %v", tt.name, tt.value, got, tt.field)
		}
	}
}

func TestFieldWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"apiKey", []string{"api", "key"}},
		{"X-Auth-Token", []string{"x", "auth", "token"}},
		{"client_secret", []string{"client", "secret"}},
		{"APIKey", []string{"apikey"}}, // an initialism runs into the next word
		{"oauth2Token", []string{"oauth2", "token"}},
		{"--", nil},
	} {
		if got := fieldWords(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("fieldWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEntropy(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want float64
	}{
		{"aaaa", 0},
		{"abab", 1},
		{"abcd", 2},
		{"0123456789abcdef", 4},
	} {
		if got := entropy(tt.in); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("entropy(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUUIDAndURL(t *testing.T) {
	t.Parallel()
	if !isUUID("550E8400-E29B-41D4-A716-446655440000") || isUUID("550e8400e29b41d4a716446655440000") || isUUID("550e8400-e29b-41d4-a716-44665544000g") {
		t.Error("isUUID")
	}
	for v, want := range map[string]bool{
		"https://api.example.com/v1": true,
		" http://localhost:8080 ":    true,
		"https://u:p@example.com/":   false, // user info is a credential
		"https://example.com/?k=v":   false, // so may a query be
		"ftp://example.com/":         false,
		"/relative/path":             false,
	} {
		if got := isURL(v); got != want {
			t.Errorf("isURL(%q) = %v, want %v", v, got, want)
		}
	}
}

// FuzzSecretlike: no input panics, and an empty or templated value is never
// taken for a secret (a template is filled at send time, not stored).
func FuzzSecretlike(f *testing.F) {
	for _, s := range []string{"Bearer abc", "{{token}}", "ghp_abcdefghijklmnop", "apiKey", "9f86d081884c7d659a2feaa0c55ad015"} {
		f.Add("token", s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		v, fld, val := Variable(name, value), Field(name, value), Value(value)
		_ = Name(name)
		if strings.TrimSpace(value) == "" || strings.Contains(value, "{{") {
			if v || fld || val {
				t.Fatalf("%q counted as a secret", value)
			}
		}
		if val && (!v || !fld) {
			t.Fatalf("%q looks secret but not as a variable (%v) or field (%v)", value, v, fld)
		}
	})
}
