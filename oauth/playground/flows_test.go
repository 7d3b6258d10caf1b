package playground

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// S-04, S-07, S-08, S-10: code + PKCE S256 over an arbitrary loopback port,
// state and iss returned, the code bound to the verifier and redirect URI.
func TestAuthCodePKCE(t *testing.T) {
	t.Parallel()
	s := shared
	cli := demoClient(t, s, ClientCLI)
	for _, port := range []int{45871, 61234} {
		cfg := userConfig(s, cli, loopbackRedirect(port), "openid", "profile", "offline_access", ScopeAPIRead)
		verifier := oauth2.GenerateVerifier()
		state, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(verifier))
		if q.Get("state") != state || q.Get("code") == "" || q.Get("iss") != s.Issuer {
			t.Fatalf("port %d: redirect has state ok=%v, code=%v, iss=%q", port, q.Get("state") == state, q.Get("code") != "", q.Get("iss"))
		}
		tok, err := cfg.Exchange(ctxT(t), q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
			t.Fatalf("want refresh and ID tokens with openid offline_access")
		}
		claims := accessClaims(t, s, tok.AccessToken)
		if claims["sub"] != demoUser.id || claims["client_id"] != ClientCLI || claims["scope"] != "openid profile offline_access api:read" {
			t.Fatalf("claims sub=%v client_id=%v scope=%v", claims["sub"], claims["client_id"], claims["scope"])
		}
		// The code is single-use.
		_, err = cfg.Exchange(ctxT(t), q.Get("code"), oauth2.VerifierOption(verifier))
		retrieveError(t, err, "invalid_grant")
	}
}

func TestAuthCodePKCEFailures(t *testing.T) {
	t.Parallel()
	s := shared
	cli := demoClient(t, s, ClientCLI)
	redirect := loopbackRedirect(45872)
	cfg := userConfig(s, cli, redirect, ScopeAPIRead)
	b := NewBrowser(DemoUser, DemoPassword)

	codeFor := func(t *testing.T, verifier string) string {
		_, q := authorize(t, b, cfg, oauth2.S256ChallengeOption(verifier))
		if q.Get("code") == "" {
			t.Fatalf("no code: %s", q.Get("error"))
		}
		return q.Get("code")
	}
	t.Run("missing verifier", func(t *testing.T) {
		_, err := cfg.Exchange(ctxT(t), codeFor(t, oauth2.GenerateVerifier()))
		retrieveError(t, err, "invalid_request")
	})
	t.Run("wrong verifier", func(t *testing.T) {
		_, err := cfg.Exchange(ctxT(t), codeFor(t, oauth2.GenerateVerifier()), oauth2.VerifierOption(oauth2.GenerateVerifier()))
		retrieveError(t, err, "invalid_grant")
	})
	t.Run("other redirect uri at the token endpoint", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := codeFor(t, v)
		other := *cfg
		other.RedirectURL = loopbackRedirect(45873)
		_, err := other.Exchange(ctxT(t), code, oauth2.VerifierOption(v))
		retrieveError(t, err, "invalid_grant")
	})
	t.Run("other client", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := codeFor(t, v)
		short := demoClient(t, s, ClientShort)
		other := userConfig(s, short, redirect)
		_, err := other.Exchange(ctxT(t), code, oauth2.VerifierOption(v))
		retrieveError(t, err, "invalid_grant")
	})
	// Errors that are answered on the redirect URI.
	tests := []struct {
		name string
		opts []oauth2.AuthCodeOption
	}{
		{"no code_challenge for a public client", nil},
		{"plain method", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain")}},
		{"challenge without method", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, tt.opts...)
			if q.Get("error") != "invalid_request" || q.Get("state") != state || q.Get("code") != "" {
				t.Fatalf("error %q (%s), state ok %v", q.Get("error"), q.Get("error_description"), q.Get("state") == state)
			}
		})
	}
	// A redirect URI that is not registered is never redirected to.
	t.Run("unregistered redirect", func(t *testing.T) {
		for _, uri := range []string{"http://127.0.0.1:45874/other", "http://example.com/callback", "https://evil.example/callback"} {
			c := *cfg
			c.RedirectURL = uri
			_, err := b.Authorize(ctxT(t), c.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			if err == nil {
				t.Fatalf("%s: authorization redirected to an unregistered URI", uri)
			}
		}
	})
}

// The confidential web client uses its fixed redirect URI and a secret.
func TestAuthCodeConfidential(t *testing.T) {
	t.Parallel()
	s := shared
	web := demoClient(t, s, ClientWeb)
	if web.RedirectURI != WebRedirectURI {
		t.Fatalf("web redirect %q", web.RedirectURI)
	}
	cfg := userConfig(s, web, web.RedirectURI, "openid", "email", ScopeAPIWrite)
	verifier := oauth2.GenerateVerifier()
	_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(verifier))
	tok, err := cfg.Exchange(ctxT(t), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" {
		t.Error("refresh token without offline_access")
	}
	// Wrong secret at the token endpoint.
	_, q = authorize(t, NewBrowser(DemoUser, DemoPassword), cfg)
	bad := *cfg
	bad.ClientSecret = "wrong"
	_, err = bad.Exchange(ctxT(t), q.Get("code"))
	retrieveError(t, err, "invalid_client")
	// Another port than the registered one is refused for a web client.
	other := *cfg
	other.RedirectURL = "http://127.0.0.1:53683/callback"
	if _, err := NewBrowser(DemoUser, DemoPassword).Authorize(ctxT(t), other.AuthCodeURL("x")); err == nil {
		t.Fatal("web client accepted an unregistered port")
	}
}

// S-09: a denied consent ends with access_denied on the redirect URI.
func TestConsentDenied(t *testing.T) {
	t.Parallel()
	s := shared
	cfg := userConfig(s, demoClient(t, s, ClientCLI), loopbackRedirect(45880), ScopeAPIRead)
	b := NewBrowser(DemoUser, DemoPassword)
	b.Deny = true
	state, q := authorize(t, b, cfg, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	if q.Get("error") != "access_denied" || q.Get("state") != state || q.Get("code") != "" || q.Get("iss") != s.Issuer {
		t.Fatalf("error=%q state ok=%v code present=%v iss=%q", q.Get("error"), q.Get("state") == state, q.Get("code") != "", q.Get("iss"))
	}
}

func TestLoginWrongPassword(t *testing.T) {
	t.Parallel()
	s := shared
	cfg := userConfig(s, demoClient(t, s, ClientCLI), loopbackRedirect(45881), ScopeAPIRead)
	for _, creds := range [][2]string{{DemoUser, "wrong"}, {"nobody", DemoPassword}, {"", ""}} {
		b := NewBrowser(creds[0], creds[1])
		_, err := b.Authorize(ctxT(t), cfg.AuthCodeURL("x", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if !errors.Is(err, ErrLoginFailed) || !strings.Contains(err.Error(), "Wrong username or password") {
			t.Fatalf("want the login page to re-show with an error, got %v", err)
		}
	}
}

// prompt handling and the session cookie.
func TestSessionAndPrompt(t *testing.T) {
	t.Parallel()
	s := shared
	cli := demoClient(t, s, ClientCLI)
	cfg := userConfig(s, cli, loopbackRedirect(45882), "openid", ScopeAPIRead)
	pkce := oauth2.S256ChallengeOption(oauth2.GenerateVerifier())
	none := oauth2.SetAuthURLParam("prompt", "none")

	// No session: prompt=none fails with login_required.
	_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, pkce, none)
	if q.Get("error") != "login_required" {
		t.Fatalf("prompt=none without session: error %q", q.Get("error"))
	}

	b := NewBrowser(DemoUser, DemoPassword)
	if _, q = authorize(t, b, cfg, pkce); q.Get("code") == "" {
		t.Fatalf("first authorization: %s", q.Get("error"))
	}
	// A second authorization reuses the session and the consent: the
	// browser no longer knows the password, and prompt=none succeeds.
	b.User, b.Password = "", ""
	if _, q = authorize(t, b, cfg, pkce, none); q.Get("code") == "" {
		t.Fatalf("prompt=none with session and consent: %s", q.Get("error"))
	}
	if _, q = authorize(t, b, cfg, pkce); q.Get("code") == "" {
		t.Fatalf("second authorization: %s", q.Get("error"))
	}
	// More scopes than consented: consent_required with prompt=none.
	wider := *cfg
	wider.Scopes = append(wider.Scopes, ScopeAPIWrite)
	if _, q = authorize(t, b, &wider, pkce, none); q.Get("error") != "consent_required" {
		t.Fatalf("prompt=none with new scopes: error %q", q.Get("error"))
	}
	// prompt=consent shows the consent page again (denying proves it was shown).
	b.Deny = true
	if _, q = authorize(t, b, cfg, pkce, oauth2.SetAuthURLParam("prompt", "consent")); q.Get("error") != "access_denied" {
		t.Fatalf("prompt=consent: error %q", q.Get("error"))
	}
	// prompt=login asks for the password again.
	b.Deny = false
	if _, err := b.Authorize(ctxT(t), cfg.AuthCodeURL("x", pkce, oauth2.SetAuthURLParam("prompt", "login"))); !errors.Is(err, ErrLoginFailed) {
		t.Fatalf("prompt=login did not ask for the password: %v", err)
	}
	b.User, b.Password = DemoUser, DemoPassword
	if _, q = authorize(t, b, cfg, pkce, oauth2.SetAuthURLParam("prompt", "login")); q.Get("code") == "" {
		t.Fatalf("prompt=login with password: %s", q.Get("error"))
	}
	// Ending the session at the provider signs the browser out.
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, s.Endpoints().EndSession, nil)
	resp, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, q = authorize(t, b, cfg, pkce, none); q.Get("error") != "login_required" {
		t.Fatalf("prompt=none after end_session: error %q", q.Get("error"))
	}
}

// Browser.Open delivers the callback to a real loopback listener.
func TestBrowserOpen(t *testing.T) {
	t.Parallel()
	s := shared
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan url.Values, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == LoopbackRedirectPath {
			got <- r.URL.Query()
		}
		w.Write([]byte("done"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	cfg := userConfig(s, demoClient(t, s, ClientCLI), "http://"+ln.Addr().String()+LoopbackRedirectPath, ScopeAPIRead)
	verifier := oauth2.GenerateVerifier()
	if err := NewBrowser(DemoUser, DemoPassword).Open(ctxT(t), cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))); err != nil {
		t.Fatal(err)
	}
	q := <-got
	if q.Get("state") != "st" {
		t.Fatal("callback without state")
	}
	if _, err := cfg.Exchange(ctxT(t), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
}

// S-20: every refresh rotates the refresh token; reuse of an old one is
// invalid_grant and revokes the family.
func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	s := shared
	for _, id := range []string{ClientCLI, ClientShort} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c := demoClient(t, s, id)
			cfg := userConfig(s, c, loopbackRedirect(45890), "openid", "offline_access", ScopeAPIRead)
			verifier := oauth2.GenerateVerifier()
			_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(verifier))
			tok0, err := cfg.Exchange(ctxT(t), q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			refresh := func(rt string) (*oauth2.Token, error) {
				return cfg.TokenSource(ctxT(t), &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
			}
			tok1, err := refresh(tok0.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if tok1.RefreshToken == "" || tok1.RefreshToken == tok0.RefreshToken || tok1.AccessToken == tok0.AccessToken {
				t.Fatal("refresh did not rotate the refresh token")
			}
			if accessClaims(t, s, tok1.AccessToken)["sub"] != demoUser.id {
				t.Fatal("refreshed token lost the subject")
			}
			tok2, err := refresh(tok1.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			// Reusing tok0's refresh token: invalid_grant, and the family is gone.
			_, err = refresh(tok0.RefreshToken)
			retrieveError(t, err, "invalid_grant")
			_, err = refresh(tok2.RefreshToken)
			retrieveError(t, err, "invalid_grant")
			if status, _, _ := get(t, s.APIURL+"/me", bearer(tok2.AccessToken)); status != http.StatusUnauthorized {
				t.Fatalf("access token of a revoked family still accepted: %d", status)
			}
		})
	}
	t.Run("narrower scope keeps the grant", func(t *testing.T) {
		t.Parallel()
		c := demoClient(t, s, ClientCLI)
		cfg := userConfig(s, c, loopbackRedirect(45891), "offline_access", ScopeAPIRead, ScopeAPIWrite)
		verifier := oauth2.GenerateVerifier()
		_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(verifier))
		tok, err := cfg.Exchange(ctxT(t), q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		// x/oauth2 does not send scope on refresh, so these requests are raw.
		refresh := func(rt, scope string) tokenResponse {
			v := url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {rt}, "client_id": {c.ClientID}}
			if scope != "" {
				v.Set("scope", scope)
			}
			return postForm(t, s.Endpoints().Token, v, "", "")
		}
		r1 := refresh(tok.RefreshToken, ScopeAPIRead)
		if got := r1.str("scope"); got != ScopeAPIRead || accessClaims(t, s, r1.str("access_token"))["scope"] != ScopeAPIRead {
			t.Fatalf("narrowed scope = %q", got)
		}
		r2 := refresh(r1.str("refresh_token"), "")
		if got := accessClaims(t, s, r2.str("access_token"))["scope"]; got != "offline_access api:read api:write" {
			t.Fatalf("scope after narrowing = %v, want the original grant back", got)
		}
		if r3 := refresh(r2.str("refresh_token"), "openid"); r3.str("error") != "invalid_scope" {
			t.Fatalf("widening scope: %q", r3.str("error"))
		}
	})
}

// S-23, S-24: the device flow, approved and denied, through the verification page.
func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	s := shared
	for _, deny := range []bool{false, true} {
		name := map[bool]string{false: "approve", true: "deny"}[deny]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := userConfig(s, demoClient(t, s, ClientCLI), "", "openid", "offline_access", ScopeAPIRead)
			da, err := cfg.DeviceAuth(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			if da.VerificationURI != s.Endpoints().DeviceVerification || da.Interval != 1 || da.UserCode == "" ||
				!strings.Contains(da.VerificationURIComplete, "user_code=") {
				t.Fatalf("device response: uri %q interval %d", da.VerificationURI, da.Interval)
			}
			done := make(chan error, 1)
			go func() {
				b := NewBrowser(DemoUser, DemoPassword)
				b.Deny = deny
				// Lower case and without the dash, as people type it.
				done <- b.ApproveDevice(ctxT(t), da.VerificationURI, strings.ToLower(strings.ReplaceAll(da.UserCode, "-", "")))
			}()
			tok, err := cfg.DeviceAccessToken(ctxT(t), da)
			if berr := <-done; berr != nil {
				t.Fatalf("browser: %v", berr)
			}
			if deny {
				retrieveError(t, err, "access_denied")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.RefreshToken == "" || tok.Extra("id_token") == nil || accessClaims(t, s, tok.AccessToken)["sub"] != demoUser.id {
				t.Fatal("device tokens incomplete")
			}
			// The device code yields tokens once.
			r := postForm(t, s.Endpoints().Token, url.Values{
				"grant_type": {GrantDeviceCode}, "device_code": {da.DeviceCode}, "client_id": {ClientCLI},
			}, "", "")
			if r.str("error") != "expired_token" {
				t.Fatalf("second redemption: %q", r.str("error"))
			}
		})
	}
	t.Run("pending and slow_down", func(t *testing.T) {
		t.Parallel()
		cfg := userConfig(s, demoClient(t, s, ClientCLI), "", ScopeAPIRead)
		da, err := cfg.DeviceAuth(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		poll := func() string {
			return postForm(t, s.Endpoints().Token, url.Values{
				"grant_type": {GrantDeviceCode}, "device_code": {da.DeviceCode}, "client_id": {ClientCLI},
			}, "", "").str("error")
		}
		// Back-to-back polls are too fast for the 1 s interval; retried so
		// that a loaded machine cannot stretch the gap past the tolerance.
		slowed := false
		for range 3 {
			if got := poll(); got == "slow_down" {
				slowed = true
				break
			} else if got != "authorization_pending" {
				t.Fatalf("immediate poll: %q", got)
			}
		}
		if !slowed {
			t.Fatal("polling without waiting never answered slow_down")
		}
		time.Sleep(1100 * time.Millisecond)
		if got := poll(); got != "authorization_pending" {
			t.Fatalf("poll after the interval: %q, want authorization_pending", got)
		}
	})
	t.Run("bad user code", func(t *testing.T) {
		t.Parallel()
		err := NewBrowser(DemoUser, DemoPassword).ApproveDevice(ctxT(t), s.Endpoints().DeviceVerification, "BCDF-GHJK")
		if !errors.Is(err, ErrLoginFailed) {
			t.Fatalf("unknown code: %v", err)
		}
	})
	t.Run("client without the grant", func(t *testing.T) {
		t.Parallel()
		_, err := userConfig(s, demoClient(t, s, ClientLegacyImplicit), "").DeviceAuth(ctxT(t))
		retrieveError(t, err, "unauthorized_client")
	})
	t.Run("confidential client must authenticate", func(t *testing.T) {
		t.Parallel()
		web := demoClient(t, s, ClientWeb)
		_, err := userConfig(s, web, "").DeviceAuth(ctxT(t))
		retrieveError(t, err, "invalid_client")
		r := postForm(t, s.Endpoints().DeviceAuthorization, url.Values{"scope": {ScopeAPIRead}}, web.ClientID, web.Secret)
		if r.str("error") != "unauthorized_client" {
			t.Fatalf("authenticated client without the grant: %q", r.str("error"))
		}
	})
}

// RFC 7662 and RFC 7009: introspection sees revocation, and so does the API.
func TestIntrospectionAndRevocation(t *testing.T) {
	t.Parallel()
	s := shared
	svc := demoClient(t, s, ClientServiceBasic)
	introspect := func(token string) tokenResponse {
		return postForm(t, s.Endpoints().Introspection, url.Values{"token": {token}}, svc.ClientID, svc.Secret)
	}
	revoke := func(c DemoClient, token string) tokenResponse {
		if c.AuthMethod == AuthMethodNone {
			return postForm(t, s.Endpoints().Revocation, url.Values{"token": {token}, "client_id": {c.ClientID}}, "", "")
		}
		return postForm(t, s.Endpoints().Revocation, url.Values{"token": {token}}, c.ClientID, c.Secret)
	}

	t.Run("access token", func(t *testing.T) {
		t.Parallel()
		cc := postForm(t, s.Endpoints().Token, url.Values{"grant_type": {GrantClientCredentials}}, svc.ClientID, svc.Secret)
		at := cc.str("access_token")
		r := introspect(at)
		if r.status != http.StatusOK || r.body["active"] != true || r.str("client_id") != svc.ClientID || r.str("scope") != "api:read api:write" || r.str("iss") != s.Issuer {
			t.Fatalf("introspection of a fresh token: %d active=%v", r.status, r.body["active"])
		}
		if status, _, _ := get(t, s.APIURL+"/me", bearer(at)); status != http.StatusOK {
			t.Fatalf("API rejects a fresh token: %d", status)
		}
		// Another client may not revoke it.
		post := demoClient(t, s, ClientServicePost)
		r = postForm(t, s.Endpoints().Revocation, url.Values{"token": {at}, "client_id": {post.ClientID}, "client_secret": {post.Secret}}, "", "")
		if r.status == http.StatusOK || introspect(at).body["active"] != true {
			t.Fatalf("a foreign client revoked the token: status %d", r.status)
		}
		if r := revoke(svc, at); r.status != http.StatusOK {
			t.Fatalf("revoke: status %d %v", r.status, r.body)
		}
		if r := introspect(at); r.body["active"] != false {
			t.Fatal("revoked token still active")
		}
		status, hdr, _ := get(t, s.APIURL+"/me", bearer(at))
		if status != http.StatusUnauthorized || !strings.Contains(hdr.Get("WWW-Authenticate"), "revoked") {
			t.Fatalf("API accepts a revoked token: %d", status)
		}
		// Revoking twice, or an unknown token, is fine (RFC 7009 §2.2).
		if r := revoke(svc, at); r.status != http.StatusOK {
			t.Fatalf("second revoke: %d", r.status)
		}
	})
	t.Run("refresh token", func(t *testing.T) {
		t.Parallel()
		cli := demoClient(t, s, ClientCLI)
		cfg := userConfig(s, cli, loopbackRedirect(45895), "offline_access", ScopeAPIRead)
		verifier := oauth2.GenerateVerifier()
		_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(verifier))
		tok, err := cfg.Exchange(ctxT(t), q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if r := introspect(tok.RefreshToken); r.body["active"] != true || r.str("token_type") != "refresh_token" {
			t.Fatalf("refresh token introspection: active=%v", r.body["active"])
		}
		if r := revoke(cli, tok.RefreshToken); r.status != http.StatusOK {
			t.Fatalf("revoke refresh token: %d", r.status)
		}
		if r := introspect(tok.RefreshToken); r.body["active"] != false {
			t.Fatal("revoked refresh token still active")
		}
		// Revoking the refresh token also revoked the access tokens of the grant.
		if r := introspect(tok.AccessToken); r.body["active"] != false {
			t.Fatal("access token of a revoked grant still active")
		}
		_, err = cfg.TokenSource(ctxT(t), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		retrieveError(t, err, "invalid_grant")
	})
	t.Run("needs an authenticated client", func(t *testing.T) {
		t.Parallel()
		r := postForm(t, s.Endpoints().Introspection, url.Values{"token": {"x"}, "client_id": {ClientCLI}}, "", "")
		if r.status < 400 || r.str("error") != "invalid_client" {
			t.Fatalf("public client introspected: %d %q", r.status, r.str("error"))
		}
		r = postForm(t, s.Endpoints().Introspection, url.Values{"token": {"x"}}, svc.ClientID, "wrong")
		if r.status < 400 {
			t.Fatalf("wrong secret introspected: %d", r.status)
		}
	})
}

func TestUserinfo(t *testing.T) {
	t.Parallel()
	s := shared
	web := demoClient(t, s, ClientWeb)
	cfg := userConfig(s, web, web.RedirectURI, "openid", "profile", "email")
	_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg)
	tok, err := cfg.Exchange(ctxT(t), q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := get(t, s.Endpoints().Userinfo, bearer(tok.AccessToken))
	if status != http.StatusOK || !strings.Contains(string(body), `"preferred_username":"demo"`) || !strings.Contains(string(body), `"email":"demo@example.com"`) {
		t.Fatalf("userinfo: %d %s", status, body)
	}
	// A machine token has no end-user.
	cc := postForm(t, s.Endpoints().Token, url.Values{"grant_type": {GrantClientCredentials}}, ClientServiceBasic, demoClient(t, s, ClientServiceBasic).Secret)
	if status, _, _ := get(t, s.Endpoints().Userinfo, bearer(cc.str("access_token"))); status < 400 {
		t.Fatalf("userinfo for a client token: %d", status)
	}
}

// S-12: the password grant only works for the client that opted in.
func TestPasswordGrant(t *testing.T) {
	t.Parallel()
	s := shared
	legacy := demoClient(t, s, ClientLegacyPassword)
	if !legacy.Legacy {
		t.Error("password client not marked legacy")
	}
	cfg := userConfig(s, legacy, "", "openid", "offline_access", ScopeAPIRead)
	tok, err := cfg.PasswordCredentialsToken(ctxT(t), DemoUser, DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	claims := accessClaims(t, s, tok.AccessToken)
	if claims["sub"] != demoUser.id || claims["client_id"] != legacy.ClientID || claims["scope"] != "openid offline_access api:read" {
		t.Fatalf("claims sub=%v client_id=%v scope=%v", claims["sub"], claims["client_id"], claims["scope"])
	}
	if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Fatal("want refresh and ID tokens")
	}
	if _, err := cfg.TokenSource(ctxT(t), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh of a password grant: %v", err)
	}
	noOffline := userConfig(s, legacy, "", ScopeAPIRead)
	if tok, err := noOffline.PasswordCredentialsToken(ctxT(t), DemoUser, DemoPassword); err != nil || tok.RefreshToken != "" {
		t.Fatalf("without offline_access: err=%v refresh=%v", err, tok != nil && tok.RefreshToken != "")
	}

	tests := []struct {
		name       string
		cfg        *oauth2.Config
		user, pass string
		code       string
	}{
		{"wrong password", cfg, DemoUser, "nope", "invalid_grant"},
		{"unknown user", cfg, "root", DemoPassword, "invalid_grant"},
		{"not opted in", userConfig(s, demoClient(t, s, ClientServiceBasic), ""), DemoUser, DemoPassword, "unauthorized_client"},
		{"web client not opted in", userConfig(s, demoClient(t, s, ClientWeb), ""), DemoUser, DemoPassword, "unauthorized_client"},
		{"wrong client secret", &oauth2.Config{ClientID: legacy.ClientID, ClientSecret: "x", Endpoint: endpoint(s, oauth2.AuthStyleInHeader)}, DemoUser, DemoPassword, "invalid_client"},
		{"post instead of basic", &oauth2.Config{ClientID: legacy.ClientID, ClientSecret: legacy.Secret, Endpoint: endpoint(s, oauth2.AuthStyleInParams)}, DemoUser, DemoPassword, "invalid_client"},
		{"public client", userConfig(s, demoClient(t, s, ClientCLI), ""), DemoUser, DemoPassword, "invalid_client"},
		{"scope not allowed", userConfig(s, legacy, "", "email"), DemoUser, DemoPassword, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.cfg.PasswordCredentialsToken(ctxT(t), tt.user, tt.pass)
			retrieveError(t, err, tt.code)
		})
	}
}

// S-12: implicit only for the client that opted in; tokens in the fragment.
func TestImplicit(t *testing.T) {
	t.Parallel()
	s := shared
	imp := demoClient(t, s, ClientLegacyImplicit)
	cfg := userConfig(s, imp, loopbackRedirect(45900), "openid", ScopeAPIRead)
	for _, rt := range []string{"token", "id_token token"} {
		t.Run(rt, func(t *testing.T) {
			state := randomToken(8)
			u, err := NewBrowser(DemoUser, DemoPassword).Authorize(ctxT(t), cfg.AuthCodeURL(state,
				oauth2.SetAuthURLParam("response_type", rt), oauth2.SetAuthURLParam("nonce", "n-0S6")))
			if err != nil {
				t.Fatal(err)
			}
			if u.RawQuery != "" {
				t.Fatal("implicit response leaked into the query")
			}
			f, _ := url.ParseQuery(u.Fragment)
			if f.Get("access_token") == "" || f.Get("state") != state || f.Get("iss") != s.Issuer || f.Get("code") != "" {
				t.Fatalf("fragment: access token %v, state ok %v, iss %q", f.Get("access_token") != "", f.Get("state") == state, f.Get("iss"))
			}
			if accessClaims(t, s, f.Get("access_token"))["client_id"] != imp.ClientID {
				t.Fatal("wrong client in the implicit token")
			}
		})
	}
	t.Run("not opted in", func(t *testing.T) {
		c := userConfig(s, demoClient(t, s, ClientCLI), loopbackRedirect(45901), ScopeAPIRead)
		_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), c, oauth2.SetAuthURLParam("response_type", "token"))
		if q.Get("error") != "unauthorized_client" || q.Get("access_token") != "" {
			t.Fatalf("implicit for a client without it: error %q", q.Get("error"))
		}
	})
}

// A configured lifetime and the short client's lifetime are honoured.
func TestTokenLifetimes(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Config{AccessTokenLifetime: 90 * time.Second, ShortAccessTokenLifetime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, tt := range []struct {
		id   string
		want time.Duration
	}{{ClientServiceBasic, 90 * time.Second}, {ClientShort, time.Second}} {
		c := demoClient(t, s, tt.id)
		if c.AccessTokenLifetime != tt.want || c.ShortLived != (tt.id == ClientShort) {
			t.Fatalf("%s: lifetime %s short %v", tt.id, c.AccessTokenLifetime, c.ShortLived)
		}
		r := postForm(t, s.Endpoints().Token, url.Values{"grant_type": {GrantClientCredentials}}, c.ClientID, c.Secret)
		claims := accessClaims(t, s, r.str("access_token"))
		// exp and iat are whole seconds taken a moment apart, so a second
		// boundary between them makes the difference one second shorter.
		if life := time.Duration(claims["exp"].(float64)-claims["iat"].(float64)) * time.Second; life != tt.want && life != tt.want-time.Second {
			t.Fatalf("%s: exp-iat = %s, want %s", tt.id, life, tt.want)
		}
		if ei := r.body["expires_in"].(float64); time.Duration(ei)*time.Second > tt.want {
			t.Fatalf("%s: expires_in %v", tt.id, ei)
		}
		if tt.id == ClientShort {
			time.Sleep(2100 * time.Millisecond)
			status, hdr, _ := get(t, s.APIURL+"/me", bearer(r.str("access_token")))
			if status != http.StatusUnauthorized || hdr.Get("WWW-Authenticate") != `Bearer error="invalid_token", error_description="the access token expired"` {
				t.Fatalf("expired token: %d %q", status, hdr.Get("WWW-Authenticate"))
			}
		}
	}
	if !strings.Contains(demoClient(t, s, ClientShort).Description, "1s") {
		t.Error("short client description does not mention its lifetime")
	}
}

// The consent form only counts with the CSRF token of the session that
// loaded it; a forged POST does not complete the request.
func TestConsentCSRF(t *testing.T) {
	t.Parallel()
	s := shared
	cfg := userConfig(s, demoClient(t, s, ClientCLI), loopbackRedirect(45910), ScopeAPIRead)
	b := NewBrowser(DemoUser, DemoPassword)
	do := func(req *http.Request) *http.Response {
		t.Helper()
		resp, err := b.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), nil)
	loginURL, err := do(req).Location()
	if err != nil {
		t.Fatal(err)
	}
	id := loginURL.Query().Get("authRequestID")
	login := url.Values{"authRequestID": {id}, "username": {DemoUser}, "password": {DemoPassword}}
	req, _ = http.NewRequestWithContext(ctxT(t), http.MethodPost, loginURL.String(), strings.NewReader(login.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if loc, _ := do(req).Location(); loc == nil || loc.Path != pathConsent {
		t.Fatalf("login did not lead to consent: %v", loc)
	}
	for _, csrf := range []string{"", "forged", s.st.client(ClientCLI).info.ClientID} {
		form := url.Values{"authRequestID": {id}, "action": {"allow"}, "csrf": {csrf}}
		req, _ = http.NewRequestWithContext(ctxT(t), http.MethodPost, s.Issuer+pathConsent, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp := do(req); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("consent with csrf %q: status %d", csrf, resp.StatusCode)
		}
	}
	if req, _ := s.st.authRequest(id); req == nil || req.done {
		t.Fatal("a forged consent completed the request")
	}
}
