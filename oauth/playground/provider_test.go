package playground

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// S-11: the discovery document names the configured issuer; S-10: RFC 9207 is advertised.
func TestDiscovery(t *testing.T) {
	t.Parallel()
	s := shared
	status, hdr, body := get(t, s.Endpoints().Discovery, nil)
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", status, hdr.Get("Content-Type"))
	}
	var d struct {
		Issuer                 string   `json:"issuer"`
		Authorization          string   `json:"authorization_endpoint"`
		Token                  string   `json:"token_endpoint"`
		Userinfo               string   `json:"userinfo_endpoint"`
		Introspection          string   `json:"introspection_endpoint"`
		Revocation             string   `json:"revocation_endpoint"`
		EndSession             string   `json:"end_session_endpoint"`
		JWKS                   string   `json:"jwks_uri"`
		Device                 string   `json:"device_authorization_endpoint"`
		Scopes                 []string `json:"scopes_supported"`
		ResponseTypes          []string `json:"response_types_supported"`
		Grants                 []string `json:"grant_types_supported"`
		AuthMethods            []string `json:"token_endpoint_auth_methods_supported"`
		AssertionAlgs          []string `json:"token_endpoint_auth_signing_alg_values_supported"`
		CodeChallengeMethods   []string `json:"code_challenge_methods_supported"`
		IDTokenAlgs            []string `json:"id_token_signing_alg_values_supported"`
		IssParameterSupported  bool     `json:"authorization_response_iss_parameter_supported"`
		RequestURIParamSupport bool     `json:"request_uri_parameter_supported"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	ep := s.Endpoints()
	checks := []struct{ name, got, want string }{
		{"issuer", d.Issuer, s.Issuer},
		{"authorization_endpoint", d.Authorization, ep.Authorization},
		{"token_endpoint", d.Token, ep.Token},
		{"userinfo_endpoint", d.Userinfo, ep.Userinfo},
		{"introspection_endpoint", d.Introspection, ep.Introspection},
		{"revocation_endpoint", d.Revocation, ep.Revocation},
		{"end_session_endpoint", d.EndSession, ep.EndSession},
		{"jwks_uri", d.JWKS, ep.JWKS},
		{"device_authorization_endpoint", d.Device, ep.DeviceAuthorization},
	}
	for _, c := range checks {
		if c.got != c.want || !strings.HasPrefix(c.got, s.Issuer) {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(s.Issuer, "http://127.0.0.1:") {
		t.Errorf("issuer %q is not on 127.0.0.1", s.Issuer)
	}
	contains := func(name string, list []string, want ...string) {
		for _, w := range want {
			if !slices.Contains(list, w) {
				t.Errorf("%s = %v, missing %q", name, list, w)
			}
		}
	}
	contains("scopes_supported", d.Scopes, KnownScopes...)
	contains("grant_types_supported", d.Grants, GrantAuthorizationCode, GrantClientCredentials, GrantRefreshToken, GrantDeviceCode, GrantPassword, GrantImplicit)
	contains("token_endpoint_auth_methods_supported", d.AuthMethods, AuthMethodBasic, AuthMethodPost, AuthMethodPrivateKeyJWT, AuthMethodNone)
	contains("token_endpoint_auth_signing_alg_values_supported", d.AssertionAlgs, "RS256", "ES256", "PS256")
	contains("response_types_supported", d.ResponseTypes, "code", "token", "id_token token")
	contains("id_token_signing_alg_values_supported", d.IDTokenAlgs, "RS256")
	if !slices.Equal(d.CodeChallengeMethods, []string{"S256"}) {
		t.Errorf("code_challenge_methods_supported = %v, want only S256", d.CodeChallengeMethods)
	}
	if slices.Contains(d.Grants, "urn:ietf:params:oauth:grant-type:jwt-bearer") {
		t.Errorf("jwt-bearer grant is advertised but not offered")
	}
	if !d.IssParameterSupported {
		t.Error("authorization_response_iss_parameter_supported not advertised")
	}
	set := jwks(t, s)
	if len(set.Keys) != 1 || set.Keys[0].KeyID == "" || !set.Keys[0].IsPublic() || set.Keys[0].Use != "sig" {
		t.Fatalf("JWKS should hold exactly one public signing key with a kid")
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	s := shared
	tests := []struct {
		client string
		style  oauth2.AuthStyle
		scopes []string
		want   string
	}{
		{ClientServiceBasic, oauth2.AuthStyleInHeader, nil, "api:read api:write"},
		{ClientServiceBasic, oauth2.AuthStyleInHeader, []string{ScopeAPIRead}, "api:read"},
		{ClientServicePost, oauth2.AuthStyleInParams, []string{ScopeAPIRead}, "api:read"},
		{ClientShort, oauth2.AuthStyleInHeader, []string{ScopeAPIWrite}, "api:write"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.client, strings.Join(tt.scopes, "+")), func(t *testing.T) {
			t.Parallel()
			c := demoClient(t, s, tt.client)
			cfg := clientcredentials.Config{
				ClientID: c.ClientID, ClientSecret: c.Secret, TokenURL: s.Endpoints().Token,
				Scopes: tt.scopes, AuthStyle: tt.style,
			}
			tok, err := cfg.Token(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Type() != "Bearer" || tok.RefreshToken != "" {
				t.Errorf("token type %q, refresh token present: %v", tok.Type(), tok.RefreshToken != "")
			}
			claims := accessClaims(t, s, tok.AccessToken)
			if claims["scope"] != tt.want || claims["client_id"] != c.ClientID || claims["sub"] != c.ClientID {
				t.Errorf("claims scope=%v client_id=%v sub=%v", claims["scope"], claims["client_id"], claims["sub"])
			}
			if _, ok := claims["exp"].(float64); !ok {
				t.Error("no exp claim")
			}
			if got := tok.Extra("scope"); got != tt.want {
				t.Errorf("response scope = %v, want %q", got, tt.want)
			}
		})
	}
}

func TestClientCredentialsPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	s := shared
	c := demoClient(t, s, ClientServiceJWT)
	if c.PrivateKeyPEM == "" || c.KeyID == "" || c.Secret != "" {
		t.Fatal("private_key_jwt demo client should have a key and no secret")
	}
	r := postForm(t, s.Endpoints().Token, assertionForm(clientAssertion(t, s, c), ScopeAPIRead), "", "")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %v", r.status, r.body["error_description"])
	}
	claims := accessClaims(t, s, r.str("access_token"))
	if claims["client_id"] != ClientServiceJWT || claims["scope"] != ScopeAPIRead {
		t.Errorf("claims client_id=%v scope=%v", claims["client_id"], claims["scope"])
	}

	// S-25: assertions that break the rules are refused as invalid_client.
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherDER, _ := x509.MarshalPKCS8PrivateKey(other)
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: otherDER}))
	replayed := clientAssertion(t, s, c)
	if r := postForm(t, s.Endpoints().Token, assertionForm(replayed, ""), "", ""); r.status != http.StatusOK {
		t.Fatalf("first use of an assertion: status %d", r.status)
	}
	tests := []struct {
		name      string
		assertion string
		form      func(url.Values)
	}{
		{"wrong key", signAssertion(t, s.Issuer, c.ClientID, otherPEM, jose.ES256, c.KeyID), nil},
		{"unknown kid", clientAssertion(t, s, c, func(_ *jwt.Claims, h *jose.SignerOptions) {
			h.ExtraHeaders[jose.HeaderKey("kid")] = "nope"
		}), nil},
		{"expired", clientAssertion(t, s, c, func(cl *jwt.Claims, _ *jose.SignerOptions) {
			cl.IssuedAt = jwt.NewNumericDate(time.Now().Add(-10 * time.Minute))
			cl.Expiry = jwt.NewNumericDate(time.Now().Add(-5 * time.Minute))
		}), nil},
		{"audience is not the issuer", clientAssertion(t, s, c, func(cl *jwt.Claims, _ *jose.SignerOptions) {
			cl.Audience = jwt.Audience{"https://example.com"}
		}), nil},
		{"sub differs from iss", clientAssertion(t, s, c, func(cl *jwt.Claims, _ *jose.SignerOptions) {
			cl.Subject = "someone-else"
		}), nil},
		{"no jti", clientAssertion(t, s, c, func(cl *jwt.Claims, _ *jose.SignerOptions) { cl.ID = "" }), nil},
		{"replayed jti", replayed, nil},
		{"issuer is a secret client", signAssertion(t, s.Issuer, ClientServiceBasic, c.PrivateKeyPEM, jose.ES256, c.KeyID), nil},
		{"client_id mismatch", clientAssertion(t, s, c), func(v url.Values) { v.Set("client_id", ClientServiceBasic) }},
		{"not a JWT", "not-a-jwt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form := assertionForm(tt.assertion, "")
			if tt.form != nil {
				tt.form(form)
			}
			r := postForm(t, s.Endpoints().Token, form, "", "")
			if r.status != http.StatusUnauthorized || r.str("error") != "invalid_client" {
				t.Fatalf("status %d error %q, want 401 invalid_client", r.status, r.str("error"))
			}
		})
	}
}

func TestClientCredentialsErrors(t *testing.T) {
	t.Parallel()
	s := shared
	basic := demoClient(t, s, ClientServiceBasic)
	post := demoClient(t, s, ClientServicePost)
	web := demoClient(t, s, ClientWeb)
	tests := []struct {
		name       string
		id, secret string
		style      oauth2.AuthStyle
		scopes     []string
		code       string
		status     int
	}{
		{"wrong secret", basic.ClientID, "wrong-" + basic.Secret[:4], oauth2.AuthStyleInHeader, nil, "invalid_client", 401},
		{"unknown client", "nobody", "x", oauth2.AuthStyleInHeader, nil, "invalid_client", 401},
		{"empty secret", basic.ClientID, "", oauth2.AuthStyleInParams, nil, "invalid_client", 401},
		{"basic client sends post", basic.ClientID, basic.Secret, oauth2.AuthStyleInParams, nil, "invalid_client", 401},
		{"post client sends basic", post.ClientID, post.Secret, oauth2.AuthStyleInHeader, nil, "invalid_client", 401},
		{"public client", ClientCLI, "", oauth2.AuthStyleInParams, nil, "invalid_client", 401},
		{"grant not enabled", web.ClientID, web.Secret, oauth2.AuthStyleInHeader, nil, "unauthorized_client", 400},
		{"scope not allowed", post.ClientID, post.Secret, oauth2.AuthStyleInParams, []string{ScopeAPIWrite}, "invalid_scope", 400},
		{"user scope", basic.ClientID, basic.Secret, oauth2.AuthStyleInHeader, []string{"openid"}, "invalid_scope", 400},
		{"unknown scope", basic.ClientID, basic.Secret, oauth2.AuthStyleInHeader, []string{"admin"}, "invalid_scope", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := clientcredentials.Config{ClientID: tt.id, ClientSecret: tt.secret, TokenURL: s.Endpoints().Token, Scopes: tt.scopes, AuthStyle: tt.style}
			_, err := cfg.Token(ctxT(t))
			re := retrieveError(t, err, tt.code)
			if re.Response.StatusCode != tt.status {
				t.Errorf("status %d, want %d", re.Response.StatusCode, tt.status)
			}
			if tt.secret != "" && strings.Contains(string(re.Body), tt.secret) {
				t.Error("error response echoes the client secret")
			}
		})
	}
}

// Client secrets, as identity services issue them: secrets are generated server-side, shown once, stored as a hash,
// with an optional description and expiration.
func TestCreateClient(t *testing.T) {
	t.Parallel()
	s := shared
	past := time.Now().Add(-time.Minute)
	future := time.Now().Add(time.Hour)
	tests := []struct {
		name      string
		exp       *time.Time
		wantError string // "" for success
	}{
		{"never expires", nil, ""},
		{"expires later", &future, ""},
		{"expired", &past, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info, secret, err := s.CreateClient(ClientSpec{
				Name: tt.name, Description: "created by a test", Expiration: tt.exp,
				Grants: []string{GrantClientCredentials}, Scopes: []string{ScopeAPIRead},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(secret) < 40 || info.ClientID == "" || info.Description != "created by a test" {
				t.Fatalf("secret length %d, client %q", len(secret), info.ClientID)
			}
			stored := s.st.client(info.ClientID)
			dump := fmt.Sprintf("%#v %+v", *stored, stored.info)
			if strings.Contains(dump, secret) {
				t.Fatal("the stored client record contains the secret")
			}
			if !stored.checkSecret(secret) || stored.checkSecret(secret+"x") {
				t.Fatal("stored hash does not match the returned secret")
			}
			for _, listed := range s.ListClients() {
				b, _ := json.Marshal(listed)
				if strings.Contains(string(b), secret) {
					t.Fatal("ListClients leaks the secret")
				}
			}
			cfg := clientcredentials.Config{ClientID: info.ClientID, ClientSecret: secret, TokenURL: s.Endpoints().Token, AuthStyle: oauth2.AuthStyleInHeader}
			_, err = cfg.Token(ctxT(t))
			if tt.wantError == "" {
				if err != nil {
					t.Fatalf("new client cannot get a token: %v", err)
				}
				return
			}
			re := retrieveError(t, err, tt.wantError)
			if !strings.Contains(re.ErrorDescription, "expired") {
				t.Errorf("description %q does not say the secret expired", re.ErrorDescription)
			}
		})
	}
}

func TestCreateClientValidation(t *testing.T) {
	t.Parallel()
	s := shared
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	der, _ := x509.MarshalPKIXPublicKey(&rsa1024.PublicKey)
	weak := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der384, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	ecWrongCurve := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der384}))
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	privJWK, _ := json.Marshal(jose.JSONWebKey{Key: p256})
	tests := []struct {
		name string
		spec ClientSpec
	}{
		{"unknown method", ClientSpec{AuthMethod: "tls_client_auth"}},
		{"unknown grant", ClientSpec{Grants: []string{"magic"}}},
		{"unknown scope", ClientSpec{Scopes: []string{"admin"}}},
		{"public client credentials", ClientSpec{AuthMethod: AuthMethodNone, Grants: []string{GrantClientCredentials}}},
		{"code without redirect", ClientSpec{Grants: []string{GrantAuthorizationCode}}},
		{"http redirect off loopback", ClientSpec{Grants: []string{GrantAuthorizationCode}, RedirectURIs: []string{"http://example.com/cb"}}},
		{"relative redirect", ClientSpec{Grants: []string{GrantAuthorizationCode}, RedirectURIs: []string{"/cb"}}},
		{"private_key_jwt without key", ClientSpec{AuthMethod: AuthMethodPrivateKeyJWT}},
		{"RSA key too short", ClientSpec{AuthMethod: AuthMethodPrivateKeyJWT, PublicKey: weak}},
		{"EC key on P-384", ClientSpec{AuthMethod: AuthMethodPrivateKeyJWT, PublicKey: ecWrongCurve}},
		{"private JWK", ClientSpec{AuthMethod: AuthMethodPrivateKeyJWT, PublicKey: string(privJWK)}},
		{"garbage key", ClientSpec{AuthMethod: AuthMethodPrivateKeyJWT, PublicKey: "hello"}},
		{"key for secret client", ClientSpec{PublicKey: weak}},
		{"duplicate id", ClientSpec{ClientID: ClientServiceBasic}},
		{"expiration without secret", ClientSpec{AuthMethod: AuthMethodNone, LoopbackRedirect: true, Expiration: new(time.Time)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, secret, err := s.CreateClient(tt.spec); err == nil || secret != "" {
				t.Fatalf("want an error and no secret, got err=%v", err)
			}
		})
	}
}

// A private_key_jwt client registered with a JWK (RS256), as a client registers an uploaded public key.
func TestCreateClientWithJWK(t *testing.T) {
	t.Parallel()
	s := shared
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(jose.JSONWebKey{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"})
	info, secret, err := s.CreateClient(ClientSpec{AuthMethod: AuthMethodPrivateKeyJWT, PublicKey: string(pub), Scopes: []string{ScopeAPIWrite}})
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" || info.KeyID != "k1" {
		t.Fatalf("secret returned for a key client, or kid %q", info.KeyID)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.PS256} {
		r := postForm(t, s.Endpoints().Token, assertionForm(signAssertion(t, s.Issuer, info.ClientID, privPEM, alg, "k1"), ""), "", "")
		if r.status != http.StatusOK || accessClaims(t, s, r.str("access_token"))["scope"] != ScopeAPIWrite {
			t.Fatalf("%s: status %d %v", alg, r.status, r.body["error_description"])
		}
	}
}

func TestAdminEndpoint(t *testing.T) {
	t.Parallel()
	s := shared
	url := s.Issuer + pathAdminClients
	post := func(token, body string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := testHTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out := map[string]any{}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if status, _ := post("", `{}`); status != http.StatusUnauthorized {
		t.Fatalf("no token: status %d", status)
	}
	if status, _ := post("wrong", `{}`); status != http.StatusUnauthorized {
		t.Fatalf("wrong token: status %d", status)
	}
	if status, _ := post(s.AdminToken, `{"auth_method":"magic"}`); status != http.StatusBadRequest {
		t.Fatalf("bad spec: status %d", status)
	}
	if status, _ := post(s.AdminToken, `{"unknown_field":1}`); status != http.StatusBadRequest {
		t.Fatalf("unknown field: status %d", status)
	}
	status, out := post(s.AdminToken, `{"name":"from admin","description":"d","auth_method":"client_secret_post","scopes":["api:read"],"access_token_lifetime_seconds":30}`)
	if status != http.StatusCreated {
		t.Fatalf("create: status %d", status)
	}
	secret, _ := out["client_secret"].(string)
	client, _ := out["client"].(map[string]any)
	id, _ := client["client_id"].(string)
	if secret == "" || id == "" || client["access_token_lifetime_seconds"] != float64(30) {
		t.Fatalf("create answered without secret, id or lifetime")
	}
	cfg := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: s.Endpoints().Token, AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cfg.Token(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(tok.Expiry); left > 30*time.Second || left < 25*time.Second {
		t.Errorf("per-client lifetime not applied: expires in %s", left)
	}
	status, _, body := get(t, url, http.Header{"Authorization": {"Bearer " + s.AdminToken}})
	if status != http.StatusOK || !strings.Contains(string(body), id) || strings.Contains(string(body), secret) {
		t.Fatalf("list: status %d, lists the client: %v, leaks the secret: %v", status, strings.Contains(string(body), id), strings.Contains(string(body), secret))
	}
}
