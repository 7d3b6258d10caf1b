package request

import (
	"testing"
)

func TestParseChallenges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     []string
		scheme []string
		params []map[string]string
		t68    []string
	}{
		{
			"RFC 6750 invalid_token",
			[]string{`Bearer realm="example", error="invalid_token", error_description="The access token expired"`},
			[]string{"Bearer"},
			[]map[string]string{{"realm": "example", "error": "invalid_token", "error_description": "The access token expired"}},
			[]string{""},
		},
		{
			"insufficient_scope with spaces in scope",
			[]string{`Bearer error="insufficient_scope", scope="api:write admin"`},
			[]string{"Bearer"},
			[]map[string]string{{"error": "insufficient_scope", "scope": "api:write admin"}},
			[]string{""},
		},
		{
			"two challenges in one header",
			[]string{`Basic realm="a", Bearer error=invalid_token`},
			[]string{"Basic", "Bearer"},
			[]map[string]string{{"realm": "a"}, {"error": "invalid_token"}},
			[]string{"", ""},
		},
		{
			"two headers",
			[]string{`Basic realm="a"`, `Bearer`},
			[]string{"Basic", "Bearer"},
			[]map[string]string{{"realm": "a"}, {}},
			[]string{"", ""},
		},
		{
			"escaped quote",
			[]string{`Bearer error_description="say \"hi\"", error="x"`},
			[]string{"Bearer"},
			[]map[string]string{{"error_description": `say "hi"`, "error": "x"}},
			[]string{""},
		},
		{
			"token68",
			[]string{`Negotiate abc123==`},
			[]string{"Negotiate"},
			[]map[string]string{{}},
			[]string{"abc123=="},
		},
		{
			"upper-case param names and odd spacing",
			[]string{`bearer   ERROR = "invalid_token" ,scope="s"`},
			[]string{"bearer"},
			[]map[string]string{{"error": "invalid_token", "scope": "s"}},
			[]string{""},
		},
		{
			"unterminated quote",
			[]string{`Bearer error="invalid_token`},
			[]string{"Bearer"},
			[]map[string]string{{"error": "invalid_token"}},
			[]string{""},
		},
		{"garbage", []string{`,,, "x" ,`}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ParseChallenges(tt.in)
			if len(got) != len(tt.scheme) {
				t.Fatalf("got %+v", got)
			}
			for i, c := range got {
				if c.Scheme != tt.scheme[i] || c.Token68 != tt.t68[i] || len(c.Params) != len(tt.params[i]) {
					t.Fatalf("challenge %d = %+v", i, c)
				}
				for k, v := range tt.params[i] {
					if c.Params[k] != v {
						t.Fatalf("challenge %d param %s = %q, want %q", i, k, c.Params[k], v)
					}
				}
			}
		})
	}
	c, ok := BearerChallenge([]string{`Basic realm="x"`, `Bearer error="insufficient_scope", scope="api:write"`})
	if !ok || c.Error() != "insufficient_scope" || c.Scope() != "api:write" || c.Realm() != "" || c.Description() != "" {
		t.Fatalf("BearerChallenge = %+v, %v", c, ok)
	}
}

// FuzzChallenge checks the WWW-Authenticate parser never panics or hangs on
// hostile headers (S-36) and that every challenge has a scheme.
func FuzzChallenge(f *testing.F) {
	for _, s := range []string{
		`Bearer realm="example", error="invalid_token"`, `Basic realm="a", Bearer error=x`, `Negotiate abc==`,
		`Bearer error="unterminated`, `"`, `,,,`, `a=b`, `Bearer a="\`, `x y=z, w`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range ParseChallenges([]string{s, s}) {
			if c.Scheme == "" {
				t.Fatalf("challenge without a scheme from %q", s)
			}
			for k := range c.Params {
				if k == "" {
					t.Fatalf("empty param name from %q", s)
				}
			}
		}
	})
}
