package main

import (
	"encoding/json"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground"
)

// TestTokenJSONSaysTheIssuedTokenType (RFC 8693 §2.2.1): `authdeck token
// -f json` of a token exchange client gives the issued_token_type, fresh
// from the exchange and from the stored token set; a client-credentials
// token has none.
func TestTokenJSONSaysTheIssuedTokenType(t *testing.T) {
	t.Parallel()
	h, _ := demoHarness(t)
	issued := func(args ...string) string {
		t.Helper()
		var j struct {
			IssuedTokenType *string `json:"issued_token_type"`
		}
		r := h.must("", append([]string{"token", "-f", "json"}, args...)...)
		if err := json.Unmarshal([]byte(r.out), &j); err != nil {
			t.Fatal(err)
		}
		if j.IssuedTokenType == nil {
			return ""
		}
		return *j.IssuedTokenType
	}
	const want = "urn:ietf:params:oauth:token-type:access_token"
	if got := issued(playground.ClientExchange); got != want {
		t.Errorf("exchanged: issued_token_type %q, want %q", got, want)
	}
	if got := issued(playground.ClientExchange); got != want {
		t.Errorf("from the vault: issued_token_type %q, want %q", got, want)
	}
	if got := issued(playground.ClientServiceBasic); got != "" {
		t.Errorf("client credentials: issued_token_type %q, want none", got)
	}
}
