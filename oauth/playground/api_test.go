package playground

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// ccToken fetches a client credentials token for a demo client.
func ccToken(t testing.TB, s *Server, id, scope string) string {
	t.Helper()
	c := demoClient(t, s, id)
	form := url.Values{"grant_type": {GrantClientCredentials}}
	if scope != "" {
		form.Set("scope", scope)
	}
	var r tokenResponse
	if c.AuthMethod == AuthMethodPost {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.Secret)
		r = postForm(t, s.Endpoints().Token, form, "", "")
	} else {
		r = postForm(t, s.Endpoints().Token, form, c.ClientID, c.Secret)
	}
	if r.status != http.StatusOK {
		t.Fatalf("token for %s: %d %v", id, r.status, r.body["error"])
	}
	return r.str("access_token")
}

// forgeToken signs an access token with the provider's own key (or another
// key), to produce tokens the provider would never issue.
func forgeToken(t testing.TB, s *Server, key *rsa.PrivateKey, kid string, claims *oidc.AccessTokenClaims) string {
	t.Helper()
	var signingKey any = key
	alg := jose.RS256
	if key == nil {
		signingKey, kid, alg = s.st.signing.key, s.st.signing.id, s.st.signing.alg
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: &jose.JSONWebKey{Key: signingKey, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// RFC 6750 errors and S-19's two cases (401 invalid_token, 403 insufficient_scope).
func TestAPIBearer(t *testing.T) {
	t.Parallel()
	s := shared
	readOnly := ccToken(t, s, ClientServicePost, ScopeAPIRead)
	readWrite := ccToken(t, s, ClientServiceBasic, "")
	// A token the provider signed and recorded, but whose exp has passed.
	expiredClaims := oidc.NewAccessTokenClaims(s.Issuer, ClientServiceBasic, []string{ClientServiceBasic, s.APIURL}, time.Now().Add(-time.Minute), "forged-expired", ClientServiceBasic, 0)
	expired := forgeToken(t, s, nil, "", expiredClaims)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherKey := forgeToken(t, s, other, s.st.signing.id, oidc.NewAccessTokenClaims(s.Issuer, "x", []string{s.APIURL}, time.Now().Add(time.Hour), "forged-1", "x", 0))
	otherIssuer := forgeToken(t, s, nil, "", oidc.NewAccessTokenClaims("http://127.0.0.1:1", "x", []string{s.APIURL}, time.Now().Add(time.Hour), "forged-2", "x", 0))
	otherAudience := forgeToken(t, s, nil, "", oidc.NewAccessTokenClaims(s.Issuer, "x", []string{"someone-else"}, time.Now().Add(time.Hour), "forged-3", "x", 0))
	notIssued := forgeToken(t, s, nil, "", oidc.NewAccessTokenClaims(s.Issuer, "x", []string{s.APIURL}, time.Now().Add(time.Hour), "never-issued", "x", 0))

	invalid := func(desc string) string {
		return `Bearer error="invalid_token", error_description="` + desc + `"`
	}
	tests := []struct {
		name       string
		method     string
		path       string
		header     http.Header
		body       string
		status     int
		authHeader string
		wantBody   string
	}{
		{"me without token", "GET", "/me", nil, "", 401, invalid("a bearer access token is required"), `"error":"invalid_token"`},
		{"me with garbage", "GET", "/me", bearer("garbage"), "", 401, invalid("the access token is malformed"), ""},
		{"me with basic", "GET", "/me", http.Header{"Authorization": {"Basic eDp5"}}, "", 400, `Bearer error="invalid_request", error_description="the Authorization header is not a Bearer or DPoP token"`, ""},
		{"me expired", "GET", "/me", bearer(expired), "", 401, invalid("the access token expired"), ""},
		{"me other key", "GET", "/me", bearer(otherKey), "", 401, invalid("the access token signature is invalid"), ""},
		{"me other issuer", "GET", "/me", bearer(otherIssuer), "", 401, invalid("the access token was issued by another issuer"), ""},
		{"me other audience", "GET", "/me", bearer(otherAudience), "", 401, invalid("the access token is not meant for this API"), ""},
		{"me never issued", "GET", "/me", bearer(notIssued), "", 401, invalid("the access token was revoked"), ""},
		{"me ok", "GET", "/me", bearer(readOnly), "", 200, "", `"client_id":"service-post"`},
		{"me lower-case scheme", "GET", "/me", http.Header{"Authorization": {"bearer " + readOnly}}, "", 200, "", `"scope":"api:read"`},
		{"me token in query", "GET", "/me?access_token=" + readOnly, nil, "", 200, "", `"sub":"service-post"`},
		{"me token twice", "GET", "/me?access_token=" + readOnly, bearer(readOnly), "", 400, `Bearer error="invalid_request", error_description="the token was sent in more than one place"`, `"error":"invalid_request"`},
		{"data read", "GET", "/data", bearer(readOnly), "", 200, "", `"items"`},
		{"data write without scope", "POST", "/data", bearer(readOnly), `{"a":1}`, 403, `Bearer error="insufficient_scope", scope="api:write"`, `"scope":"api:write"`},
		{"data write", "POST", "/data", bearer(readWrite), `{"a":[1,2,{"b":null}]}`, 200, "", `{"a":[1,2,{"b":null}]}`},
		{"data write not JSON", "POST", "/data", bearer(readWrite), `{"a":`, 400, "", `"invalid_json"`},
		{"data read without token", "GET", "/data", nil, "", 401, invalid("a bearer access token is required"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequestWithContext(ctxT(t), tt.method, s.APIURL+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header[k] = v
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := testHTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tt.authHeader {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.authHeader)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			if !json.Valid(body) || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body does not contain %s", tt.wantBody)
			}
		})
	}
}

// RFC 6750 §2.2: the token in a form-encoded body.
func TestAPIFormBodyToken(t *testing.T) {
	t.Parallel()
	s := shared
	tok := ccToken(t, s, ClientServiceBasic, "")
	r := postForm(t, s.APIURL+"/data", url.Values{"access_token": {tok}, "note": {"hi"}}, "", "")
	if r.status != http.StatusOK || r.str("note") != "hi" || r.body["access_token"] != nil {
		t.Fatalf("form body token: %d", r.status)
	}
}

func TestAPIKeyAndBasic(t *testing.T) {
	t.Parallel()
	s := shared
	tests := []struct {
		name   string
		path   string
		header http.Header
		status int
	}{
		{"key header", "/apikey", http.Header{"X-Api-Key": {s.APIKey}}, 200},
		{"key query", "/apikey?api_key=" + url.QueryEscape(s.APIKey), nil, 200},
		{"key wrong", "/apikey", http.Header{"X-Api-Key": {"nope"}}, 401},
		{"key missing", "/apikey", nil, 401},
		{"basic ok", "/basic", http.Header{"Authorization": {basicHeader(s.BasicUser, s.BasicPassword)}}, 200},
		{"basic wrong password", "/basic", http.Header{"Authorization": {basicHeader(s.BasicUser, "x")}}, 401},
		{"basic wrong user", "/basic", http.Header{"Authorization": {basicHeader("x", s.BasicPassword)}}, 401},
		{"basic missing", "/basic", nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, hdr, body := get(t, s.APIURL+tt.path, tt.header)
			if status != tt.status {
				t.Fatalf("status %d, want %d", status, tt.status)
			}
			if status == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if !json.Valid(body) {
				t.Error("body is not JSON")
			}
		})
	}
}

func basicHeader(user, pass string) string {
	r, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

func TestAPIUtilities(t *testing.T) {
	t.Parallel()
	s := shared
	t.Run("big", func(t *testing.T) {
		t.Parallel()
		for _, mb := range []int{1, 3} {
			status, hdr, body := get(t, s.APIURL+"/big?mb="+itoa(mb), nil)
			if status != 200 || len(body) != mb<<20 || hdr.Get("Content-Length") != itoa(mb<<20) || !json.Valid(body) {
				t.Fatalf("mb=%d: status %d, %d bytes, valid %v", mb, status, len(body), json.Valid(body))
			}
			var doc struct{ Items []map[string]any }
			if err := json.Unmarshal(body, &doc); err != nil || len(doc.Items) < 1000 {
				t.Fatalf("mb=%d: %d items, %v", mb, len(doc.Items), err)
			}
		}
		for _, bad := range []string{"0", "101", "x", "-1"} {
			if status, _, _ := get(t, s.APIURL+"/big?mb="+bad, nil); status != 400 {
				t.Fatalf("mb=%s: status %d", bad, status)
			}
		}
	})
	t.Run("slow", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		status, _, body := get(t, s.APIURL+"/slow?ms=150", nil)
		if status != 200 || time.Since(start) < 150*time.Millisecond || !bytes.Contains(body, []byte(`"slept_ms":150`)) {
			t.Fatalf("slow: %d after %s", status, time.Since(start))
		}
		if status, _, _ := get(t, s.APIURL+"/slow?ms=60001", nil); status != 400 {
			t.Fatalf("slow cap: %d", status)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		t.Parallel()
		client := &http.Client{Transport: testTransport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Get(s.APIURL + "/redirect?to=" + url.QueryEscape(s.APIURL+"/status/201"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != s.APIURL+"/status/201" {
			t.Fatalf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, bad := range []string{"", "javascript:alert(1)", "relative/path"} {
			if status, _, _ := get(t, s.APIURL+"/redirect?to="+url.QueryEscape(bad), nil); status != 400 {
				t.Fatalf("redirect to %q: %d", bad, status)
			}
		}
	})
	t.Run("status", func(t *testing.T) {
		t.Parallel()
		for _, code := range []int{200, 204, 401, 418, 503} {
			status, _, body := get(t, s.APIURL+"/status/"+itoa(code), nil)
			if status != code || (code != 204 && !json.Valid(body)) {
				t.Fatalf("status/%d answered %d", code, status)
			}
		}
		for _, bad := range []string{"99", "600", "abc"} {
			if status, _, _ := get(t, s.APIURL+"/status/"+bad, nil); status != 400 {
				t.Fatalf("status/%s answered %d", bad, status)
			}
		}
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestWriteBigJSON(t *testing.T) {
	t.Parallel()
	for _, total := range []int{4096, 4097, 5000, 1<<20 + 17, 2 << 20} {
		var buf bytes.Buffer
		writeBigJSON(&buf, total)
		if buf.Len() != total || !json.Valid(buf.Bytes()) {
			t.Fatalf("total %d: wrote %d bytes, valid %v", total, buf.Len(), json.Valid(buf.Bytes()))
		}
	}
}

// The API trusts nothing but the provider's key: verified locally with op's verifier.
func TestAPIValidatesLocally(t *testing.T) {
	t.Parallel()
	s := shared
	tok := ccToken(t, s, ClientServiceBasic, "")
	api := newDemoAPI(s.st, s.Issuer, s.APIURL, "", "", "")
	claims, reason := api.validate(op.ContextWithIssuer(context.Background(), s.Issuer), tok)
	if claims == nil || reason != "" || claims.ClientID != ClientServiceBasic {
		t.Fatalf("local validation failed: %s", reason)
	}
}
