package oauth

import (
	"strings"
	"testing"
)

// FuzzParsePushResponse: any answer of a PAR endpoint gives a request_uri
// without spaces or control characters, or a clear error; never a panic (S-36).
func FuzzParsePushResponse(f *testing.F) {
	f.Add(201, "application/json", `{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}`)
	f.Add(201, "application/json", `{"request_uri":"urn:x","expires_in":"60"}`)
	f.Add(400, "application/json", `{"error":"invalid_request","error_description":"bad"}`)
	f.Add(201, "application/json", `{"request_uri":"a\u0007b"}`)
	f.Add(200, "text/html", `<html>`)
	f.Fuzz(func(t *testing.T, status int, ct, body string) {
		uri, exp, err := ParsePushResponse(status, ct, []byte(body))
		if err != nil {
			if uri != "" {
				t.Fatalf("an error with a request_uri")
			}
			return
		}
		if uri == "" || strings.ContainsAny(uri, " \t\r\n\x1b") || len(uri) > maxRequestURI || exp < 0 {
			t.Fatalf("accepted request_uri %q, expires %v", uri, exp)
		}
	})
}

// FuzzParseExchangeResponse: a token response parsed as a DPoP flow or a
// token exchange takes DPoP and N_A token types and nothing else unknown.
func FuzzParseExchangeResponse(f *testing.F) {
	f.Add(200, "application/json", `{"access_token":"a","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:id_token"}`)
	f.Add(200, "application/json", `{"access_token":"a","token_type":"DPoP","expires_in":60}`)
	f.Add(200, "application/json", `{"access_token":"a","token_type":"mac"}`)
	f.Add(200, "application/json", `{"access_token":"a","issued_token_type":7}`)
	f.Fuzz(func(t *testing.T, status int, ct, body string) {
		tok, err := parseTokenResponse("token exchange", status, ct, []byte(body), tokenTypes{dpop: true, notApplicable: true})
		if err != nil {
			return
		}
		tt := strings.ToLower(tok.TokenType)
		if tok.AccessToken == "" || (tt != "" && tt != "bearer" && tt != "dpop" && tok.TokenType != "N_A") {
			t.Fatalf("accepted %+v", tok)
		}
	})
}

// FuzzTokenTypeURI: a token type is an RFC 8693 URI or an error.
func FuzzTokenTypeURI(f *testing.F) {
	for _, s := range []string{"access_token", "jwt", "urn:x:y", "", " id_token ", "urn:a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := TokenTypeURI(s)
		if err == nil && u != "" && (!strings.HasPrefix(u, "urn:") || strings.ContainsAny(u, " \t\r\n")) {
			t.Fatalf("TokenTypeURI(%q) = %q", s, u)
		}
	})
}

// The short token type names and the PAR response's refusals.
func TestTokenTypeURIAndPushResponse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"access_token": TokenTypeAccessToken, "id_token": TokenTypeIDToken, "jwt": TokenTypeJWT,
		"urn:example:custom": "urn:example:custom", "": "",
	} {
		if got, err := TokenTypeURI(in); err != nil || got != want {
			t.Errorf("TokenTypeURI(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := TokenTypeURI("bearer"); err == nil || !strings.Contains(err.Error(), "access_token, refresh_token") {
		t.Errorf("an unknown short type: %v", err)
	}
	for _, tc := range []struct {
		status     int
		body, want string
	}{
		{201, `{"expires_in":60}`, "no request_uri"},
		{201, `{"request_uri":"urn:x y","expires_in":60}`, "spaces or control characters"},
		{201, `{"request_uri":"urn:x","expires_in":"soon"}`, "expires_in"},
		{400, `{"error":"invalid_request_object","error_description":"sig"}`, "refused the signed request object"},
		{401, `{"error":"invalid_client"}`, "client authentication failed"},
	} {
		_, _, err := ParsePushResponse(tc.status, "application/json", []byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.body, err, tc.want)
		}
	}
}
