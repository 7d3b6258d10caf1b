package oauth

import (
	"strings"
	"testing"
)

// A discovery document's lists read as one line each, and a secret in a
// list is still redacted.
func TestTranscriptListsReadAsOneLine(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	r := &redactor{}
	r.addValue("known-secret-value")
	fields, _ := r.body("application/json", []byte(`{
		"claims_supported": ["sub", "iss", "aud", "exp"],
		"mixed": [1, true, null, "x"],
		"empty": [],
		"keys": [{"kid": "k1", "kty": "EC"}],
		"list": ["known-secret-value", "`+jwt+`", "plain"],
		"refresh_token": ["rt-1", "rt-2"]
	}`))
	got := map[string]string{}
	for _, f := range fields {
		got[f.Name] = f.Value
	}
	for name, want := range map[string]string{
		"claims_supported": "sub, iss, aud, exp",
		"mixed":            "1, true, null, x",
		"empty":            "[]",
		"keys.0.kid":       "k1",
		"refresh_token":    Redacted + ", " + Redacted,
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q (all: %v)", name, got[name], want, got)
		}
	}
	if _, ok := got["claims_supported.0"]; ok {
		t.Error("a list of strings is still one field per index")
	}
	if l := got["list"]; strings.Contains(l, "known-secret-value") || strings.Contains(l, jwt) || !strings.Contains(l, "plain") {
		t.Errorf("list = %q: a secret in a list is not redacted, or the rest is lost", l)
	}
}
