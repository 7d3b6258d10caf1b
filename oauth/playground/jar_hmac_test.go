package playground

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

// signHMACRequestObject signs claims as an HS256 request object keyed with secret.
func signHMACRequestObject(t testing.TB, secret string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, (&jose.SignerOptions{}).WithType("oauth-authz-req+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A client_secret_jwt client held to signed request objects (RFC 9101
// §10.1): an HS256 object keyed with its secret is accepted; one keyed with
// another secret, naming another issuer or audience, expired, or missing
// is refused; discovery lists HS256 for request objects.
func TestHMACRequestObjects(t *testing.T) {
	t.Parallel()
	s := shared
	info, secret, err := s.CreateClient(ClientSpec{
		AuthMethod: AuthMethodSecretJWT, Grants: []string{GrantAuthorizationCode},
		LoopbackRedirect: true, RequireRequestObject: true, Scopes: []string{"openid", ScopeAPIRead},
	})
	if err != nil {
		t.Fatal(err)
	}
	redirect := loopbackRedirect(50126)
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{
			"iss": info.ClientID, "aud": s.Issuer, "client_id": info.ClientID, "exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(),
			"response_type": "code", "redirect_uri": redirect, "scope": "openid " + ScopeAPIRead, "state": "s2",
			"code_challenge": oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()), "code_challenge_method": "S256",
		}
		if mod != nil {
			mod(c)
		}
		return c
	}
	b := NewBrowser(DemoUser, DemoPassword)
	authorize := func(obj string) (*url.URL, error) {
		q := url.Values{"client_id": {info.ClientID}}
		if obj != "" {
			q.Set("request", obj)
		} else {
			q = url.Values{"client_id": {info.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"openid"}, "state": {"s2"}}
		}
		return b.Authorize(ctxT(t), s.Endpoints().Authorization+"?"+q.Encode())
	}
	back, err := authorize(signHMACRequestObject(t, secret, claims(nil)))
	if err != nil || back.Query().Get("code") == "" || back.Query().Get("state") != "s2" {
		t.Fatalf("a good HS256 request object: %v %v", back, err)
	}
	refused := map[string]string{
		"unsigned":         "",
		"another secret":   signHMACRequestObject(t, strings.Repeat("x", len(secret)), claims(nil)),
		"another issuer":   signHMACRequestObject(t, secret, claims(func(c map[string]any) { c["iss"] = "someone-else" })),
		"another audience": signHMACRequestObject(t, secret, claims(func(c map[string]any) { c["aud"] = "https://elsewhere.example" })),
		"expired":          signHMACRequestObject(t, secret, claims(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })),
	}
	for name, obj := range refused {
		back, err := authorize(obj)
		if err == nil && back.Query().Get("code") != "" {
			t.Errorf("%s request object accepted", name)
		}
	}
	_, _, body := get(t, s.Endpoints().Discovery, nil)
	var d map[string]any
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if algs, _ := d["request_object_signing_alg_values_supported"].([]any); !containsAny(algs, "HS256") {
		t.Errorf("discovery does not list HS256 for request objects: %v", algs)
	}
}

func containsAny(list []any, want string) bool {
	for _, x := range list {
		if x == want {
			return true
		}
	}
	return false
}

// FuzzHMACRequestObject feeds the authorization front's request-object
// reader arbitrary objects of a client_secret_jwt client: it never panics,
// and whatever it accepts verifies with the client's secret, names the
// client as iss and the issuer as aud, and has not expired.
func FuzzHMACRequestObject(f *testing.F) {
	const issuer, clientID = "http://127.0.0.1:1", "client-fuzz"
	secret := strings.Repeat("k", 48)
	c := &client{info: ClientInfo{ClientID: clientID}, authMethod: authMethodSecretJWT, hmacKey: []byte(secret)}
	a := &authzFront{issuer: issuer}
	good := func(mod func(map[string]any)) string {
		cl := map[string]any{"iss": clientID, "aud": issuer, "exp": time.Now().Add(time.Hour).Unix(), "response_type": "code", "scope": "openid"}
		if mod != nil {
			mod(cl)
		}
		return signHMACRequestObject(f, secret, cl)
	}
	f.Add(good(nil))
	f.Add(good(func(c map[string]any) { c["aud"] = []string{"x", issuer} }))
	f.Add(good(func(c map[string]any) { c["client_id"] = "other" }))
	f.Add(good(func(c map[string]any) { c["nested"] = map[string]any{"a": []int{1}} }))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, obj string) {
		out, signed, err := a.expand(context.Background(), c, url.Values{"request": {obj}})
		if err != nil || !signed {
			return
		}
		jws, perr := jose.ParseSignedCompact(obj, []jose.SignatureAlgorithm{jose.HS256})
		if perr != nil {
			t.Fatalf("accepted an object that is not an HS256 JWS: %v", perr)
		}
		payload, verr := jws.Verify([]byte(secret))
		if verr != nil {
			t.Fatalf("accepted an object that does not verify: %v", verr)
		}
		var cl struct {
			Issuer   string   `json:"iss"`
			Audience audience `json:"aud"`
			Expiry   int64    `json:"exp"`
		}
		if err := json.Unmarshal(payload, &cl); err != nil || cl.Issuer != clientID || !slices.Contains(cl.Audience, issuer) || time.Now().Unix() >= cl.Expiry {
			t.Fatalf("accepted claims %+v (%v)", cl, err)
		}
		if out.Get("client_id") != clientID {
			t.Fatalf("accepted an object for client %q", out.Get("client_id"))
		}
	})
}
