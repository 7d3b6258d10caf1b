package request

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// Resource requests with a DPoP-bound token (RFC 9449 §7; S-44): the DPoP
// scheme and a proof with ath for each request, the API's nonce asked for
// once and then reused, a fresh proof on the retry; the token is refused
// before anything is sent when the client no longer holds its key, and it
// cannot go in the query or the body.
func TestDPoPResourceRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, err := playground.Start(ctx, playground.Config{APIDPoPNonce: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	info, secret, err := srv.CreateClient(playground.ClientSpec{AuthMethod: playground.AuthMethodBasic, Grants: []string{playground.GrantClientCredentials}, DPoPBound: true})
	if err != nil {
		t.Fatal(err)
	}
	key, pemText, _ := dpop.GenerateKey()
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "bound", Env: "dev"}, Type: vault.ClientOAuth2, Issuer: srv.Issuer, ClientID: info.ClientID,
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials, Scopes: []string{playground.ScopeAPIRead}, DPoP: true, DPoPKeyID: key.Thumbprint(),
	}
	ac, err = v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: secret, DPoPKey: pemText})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetVar(ctx, "dev", "api", srv.APIURL, false); err != nil {
		t.Fatal(err)
	}
	engine := &oauth.Engine{Vault: v}
	sender := &Sender{Vault: v, Engine: &oauth.Dispatcher{Vault: v, OAuth2: engine}, NoBrowser: true}
	send := func(spec Spec) (*Response, error) { return sender.Send(ctx, "dev", spec, SendOptions{}) }

	// The demo API checks the proofs and wants its nonce.
	resp, err := send(Spec{URL: "{{api}}/data", Auth: "bound"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || len(resp.Notes) == 0 || !strings.Contains(resp.Notes[len(resp.Notes)-1], "DPoP nonce") {
		t.Fatalf("first request: status %d, notes %v", resp.StatusCode, resp.Notes)
	}
	if !strings.Contains(resp.Request.Credential, "DPoP-bound token \"bound\"") || !strings.Contains(resp.Request.Credential, key.Thumbprint()) {
		t.Errorf("display: %q", resp.Request.Credential)
	}
	assertNoJWT(t, preparedText(resp.Request)+resp.URL)
	// The nonce is remembered: no retry now.
	resp, err = send(Spec{URL: "{{api}}/me", Auth: "bound"})
	if err != nil || resp.StatusCode != 200 || len(resp.Notes) != 0 {
		t.Fatalf("second request: %v, status %v", err, resp)
	}

	// A resource server that records what it gets: the DPoP scheme, a proof
	// per request with ath, the nonce it asked for, and a fresh proof on the retry.
	var calls atomic.Int32
	rs := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set(dpop.NonceHeader, "rs-nonce-1")
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	resp, err = send(Spec{URL: rs.URL + "/things?x=1", Auth: "bound"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("recorded: %v %v", err, resp)
	}
	got := rs.got()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2 (one nonce retry)", len(got))
	}
	tok := strings.TrimPrefix(got[1].Header.Get("Authorization"), "DPoP ")
	if tok == got[1].Header.Get("Authorization") || got[0].Header.Get(dpop.HeaderName) == got[1].Header.Get(dpop.HeaderName) {
		t.Fatalf("scheme %q; proofs the same: %v", got[1].Header.Get("Authorization"), got[0].Header.Get(dpop.HeaderName) == got[1].Header.Get(dpop.HeaderName))
	}
	for i, want := range []string{"", "rs-nonce-1"} {
		p, err := dpop.Verify(got[i].Header.Get(dpop.HeaderName), dpop.Expect{Method: "GET", URL: rs.URL + "/things", AccessToken: tok, JKT: key.Thumbprint(), Nonce: want})
		if err != nil || p.Nonce != want {
			t.Errorf("proof %d: %v (nonce %q)", i, err, p)
		}
	}
	// A 401 use_dpop_nonce without a nonce is not retried.
	calls.Store(0)
	rs2 := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	resp, err = send(Spec{URL: rs2.URL, Auth: "bound"})
	if err != nil || resp.StatusCode != 401 || len(rs2.got()) != 1 {
		t.Errorf("nonce asked without one: %v %v, %d requests", err, resp, len(rs2.got()))
	}
	// Not in the query or the body.
	if _, err := send(Spec{URL: "{{api}}/me", Auth: "bound", Placement: vault.PlaceQuery}); err == nil || !strings.Contains(err.Error(), "Authorization header") {
		t.Errorf("query placement: %v", err)
	}
	// The client lost its key: the stored DPoP token is not sent at all.
	ac.DPoP, ac.DPoPKeyID = false, ""
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: secret}); err != nil {
		t.Fatal(err)
	}
	before := len(rs.got())
	sec, _ := v.Secret("dev", "bound")
	val, _ := v.SecretValue(ctx, sec)
	if val.DPoPJKT != key.Thumbprint() || !strings.EqualFold(val.TokenType, "DPoP") {
		t.Fatalf("stored token set: type %q bound to %q", val.TokenType, val.DPoPJKT)
	}
	if _, err := engine.RequestAuth(ctx, oauth.TokenRequest{Env: "dev", Name: "bound"}, oauth.FlowCallbacks{}); err == nil {
		// A bearer token got instead is fine; a DPoP token handed out without its key is not.
		ra, _ := engine.RequestAuth(ctx, oauth.TokenRequest{Env: "dev", Name: "bound"}, oauth.FlowCallbacks{})
		if ra != nil && ra.Token == val.AccessToken {
			t.Fatal("the DPoP-bound token was handed out for a bearer request (S-44)")
		}
	}
	if _, err := send(Spec{URL: rs.URL, Auth: "bound"}); err == nil {
		t.Errorf("a request went out with a DPoP-bound token and no key")
	}
	if len(rs.got()) != before {
		t.Errorf("a request reached the server with a DPoP token and no key")
	}
}

func assertNoJWT(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, "eyJ") {
		t.Error("display text contains a JWT")
	}
}
