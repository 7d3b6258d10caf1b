package oauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// S-36: every parser of outside input returns a clear error — never a panic,
// never a hang — and its messages carry no control characters.

func noControl(t *testing.T, what, s string) {
	t.Helper()
	if strings.ContainsAny(s, "\x1b\r\x00") {
		t.Fatalf("%s carries control characters: %q", what, s)
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	for _, s := range []struct {
		status int
		ct     string
		body   string
	}{
		{200, "application/json", `{"access_token":"a","token_type":"Bearer","expires_in":3600,"scope":"x y"}`},
		{200, "application/json", `{"access_token":"a","token_type":"bearer","expires_in":"3600"}`},
		{200, "application/x-www-form-urlencoded", "access_token=a&token_type=bearer&expires_in=60"},
		{200, "application/json", `{"error":"invalid_scope","error_description":"nope"}`},
		{400, "application/json", `{"error":"invalid_grant"}`},
		{200, "text/html", "<html></html>"},
		{500, "text/plain", "boom"},
		{200, "application/json", `{"access_token":"a","token_type":"mac"}`},
		{200, "application/json", `{"access_token":5,"expires_in":1e400}`},
		{200, "application/json", `{"access_token":"a","expires_in":-1}`},
		{200, "text/plain", "access_token=a"},
	} {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		tok, err := ParseTokenResponse("token", status, ct, body)
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %T is not an *Error", err)
			}
			noControl(t, "error", oe.Reason+oe.Description+oe.Code)
			return
		}
		if tok.AccessToken == "" || CheckTokenType("t", tok.TokenType) != nil || tok.ExpiresIn < 0 || tok.ExpiresIn > maxLifetime {
			t.Fatalf("accepted an unusable response: %+v", tok)
		}
	})
}

func FuzzDecodeJWT(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`{"iss":"i","exp":1900000000,"aud":["a"],"scp":["x"]}`)) + ".c2ln")
	f.Add(enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"exp":"soon","nbf":1e300}`)) + ".")
	f.Add("a.b.c.d.e")
	f.Add("opaque-token")
	f.Add(enc([]byte(`[1]`)) + "." + enc([]byte(`null`)) + ".x")
	f.Fuzz(func(t *testing.T, token string) {
		j, err := DecodeJWT(token)
		if err != nil {
			return
		}
		if j.Header == nil || j.Claims == nil {
			t.Fatal("decoded without header or claims")
		}
		_ = j.Times(time.Now())
		_ = j.ClaimNames()
	})
}

func FuzzParseMetadata(f *testing.F) {
	f.Add("https://as.example", []byte(`{"issuer":"https://as.example","token_endpoint":"https://as.example/token","authorization_response_iss_parameter_supported":true}`))
	f.Add("https://as.example", []byte(`{"issuer":"https://evil.example"}`))
	f.Add("http://127.0.0.1:8080", []byte(`{"issuer":"http://127.0.0.1:8080","token_endpoint":"http://example.com/token"}`))
	f.Add("https://as.example", []byte(`{"issuer":"https://as.example","scopes_supported":"not a list"}`))
	f.Add("https://as.example", []byte(`<html>`))
	f.Fuzz(func(t *testing.T, issuer string, data []byte) {
		md, err := ParseMetadata("metadata", issuer, data)
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %T is not an *Error", err)
			}
			return
		}
		if md.Issuer != issuer {
			t.Fatalf("accepted metadata for issuer %q as %q (S-11)", md.Issuer, issuer)
		}
		for _, u := range []string{md.TokenEndpoint, md.AuthorizationEndpoint, md.JWKSURI, md.DeviceAuthorizationEndpoint} {
			if u != "" && vault.CheckURL("e", u) != nil {
				t.Fatalf("accepted endpoint %q (S-13)", u)
			}
		}
	})
}

func FuzzRenderSession(f *testing.F) {
	f.Add("https://login.example/{{fields.tenant}}/token", "{{fields.scope}}", "tenant", "contoso")
	f.Add("https://login.example>/{{fields.tenant}}/token", "x", "tenant", "a")
	f.Add("https://{{fields.host}}/t", "{{ fields.a }}{{", "host", "bad host")
	f.Add("{{}}", "{{fields.}}", "", "")
	f.Fuzz(func(t *testing.T, u, value, key, input string) {
		tmpl := &vault.SessionTemplate{
			URL: u, AuthType: vault.SessionFormAuth, TokenPath: "access_token",
			RequestFields: []vault.Param{{Key: "k", Value: value}},
		}
		req, err := RenderSession(tmpl, map[string]string{key: input})
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %T is not an *Error", err)
			}
			return
		}
		if vault.CheckURL("url", req.URL) != nil {
			t.Fatalf("rendered an invalid URL %q", req.URL)
		}
	})
}

func FuzzSessionResponse(f *testing.F) {
	f.Add([]byte(`{"access_token":"t","expires_in":3600}`), "access_token", "expires_in")
	f.Add([]byte(`{"data":{"list":[{"tok":"t","exp":"2030-01-01"}]}}`), "data.list.0.tok", "data.list.0.exp")
	f.Add([]byte(`{"a":1e999}`), "a", "a")
	f.Add([]byte(`[]`), "0", "")
	f.Fuzz(func(t *testing.T, body []byte, tokenPath, expPath string) {
		tok, _, err := parseSessionResponse(200, "application/json", body, tokenPath, expPath, time.Unix(1700000000, 0))
		if err == nil && tok == "" {
			t.Fatal("accepted an empty token")
		}
	})
}

func FuzzCallbackQuery(f *testing.F) {
	f.Add("code=abc&state=S1")
	f.Add("error=access_denied&error_description=%1b%5b31m&state=S1")
	f.Add("code=abc&state=S1&state=S2")
	f.Add("code=abc&state=S1&iss=https%3A%2F%2Fevil")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		c := &authCheck{state: "S1", issuer: "https://as.example", requireIss: strings.Contains(raw, "iss")}
		got, err := c.verify(q)
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %T", err)
			}
			noControl(t, "error", oe.Error())
			return
		}
		if got.Get("state") != "S1" || got.Get("code") == "" || got.Get("error") != "" {
			t.Fatalf("accepted %q", raw)
		}
		if _, err := c.verify(q); err == nil {
			t.Fatal("accepted a replay")
		}
	})
}

func FuzzParseRedirectURL(f *testing.F) {
	f.Add("http://127.0.0.1:5000/callback?code=abc&state=xyz", false)
	f.Add("http://127.0.0.1:5000/callback#access_token=t&state=xyz", true)
	f.Add("  http://127.0.0.1:5000/callback?error=x&state=y  ", false)
	f.Add("javascript:alert(1)", false)
	f.Add("http://[::1", false)
	f.Fuzz(func(t *testing.T, pasted string, implicit bool) {
		q, err := ParseRedirectURL(pasted, "http://127.0.0.1:5000/callback", implicit)
		if err != nil {
			noControl(t, "error", err.Error())
			return
		}
		if q.Get("state") == "" {
			t.Fatalf("accepted %q without state", pasted)
		}
	})
}

func FuzzParseDeviceAndIntrospection(f *testing.F) {
	f.Add([]byte(`{"device_code":"d","user_code":"u","verification_uri":"https://x.example/d","expires_in":600,"interval":"5"}`))
	f.Add([]byte(`{"active":true,"scope":"a b","exp":1900000000,"aud":["x"]}`))
	f.Add([]byte(`{"active":"yes"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if da, err := ParseDeviceAuth(200, "application/json", body, time.Unix(0, 0)); err == nil {
			if checkOpenURL(da.VerificationURI) != nil || da.DeviceCode == "" {
				t.Fatalf("accepted %+v", da)
			}
		}
		if in, err := ParseIntrospection(200, "application/json", body); err == nil {
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				if _, ok := m["active"]; !ok {
					t.Fatalf("accepted introspection without active: %+v", in)
				}
			}
		}
	})
}
