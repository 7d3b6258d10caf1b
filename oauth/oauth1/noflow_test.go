package oauth1_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

// TestFlowlessClient: an OAuth 1.0a client that names no flow URL holds
// token credentials got elsewhere (here from the provider's flow, run by
// another client of the same consumer) and signs with them requests the
// provider accepts, realm and body hash included; every way of running a
// flow says there is none to run.
func TestFlowlessClient(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	var b oauth1provider.Browsers
	e := newEngine(v, &b, approve)
	d := &oauth.Dispatcher{Vault: v, OAuth1: e}
	ctx := ctxT(t)
	got, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "photos"}, oauth.FlowCallbacks{})
	if errs := b.Wait(); len(errs) > 0 {
		t.Fatalf("browser: %v", errs)
	}
	if err != nil {
		t.Fatalf("Token: %v", err)
	}

	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "signer", Env: "dev"}, Type: vault.ClientOAuth1, ClientID: consumerKey,
		SignatureMethod: oauth1.HMACSHA1, Realm: "Photos", BodyHash: true,
	}
	if err := ac.Validate(); err != nil {
		t.Fatalf("a client without flow URLs is refused: %v", err)
	}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: consumerSecret}); err != nil {
		t.Fatal(err)
	}

	// No token credentials yet: nothing to sign with, and no flow to get them.
	_, err = d.RequestAuth(ctx, oauth.TokenRequest{Env: "dev", Name: "signer"}, oauth.FlowCallbacks{})
	if err == nil || !strings.Contains(err.Error(), "no flow to get them") {
		t.Errorf("RequestAuth without token credentials: %v", err)
	}
	if _, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "signer"}, oauth.FlowCallbacks{}); !errors.Is(err, vault.ErrNotConfigured) ||
		!strings.Contains(err.Error(), `auth client "signer" has no token credentials stored, and no flow to get them`) {
		t.Errorf("Token on a client without a flow or a token: %v", err)
	}
	if _, err := e.Authorize(ctx, oauth1.AuthorizeRequest{Env: "dev", Client: "signer"}, oauth1.Callbacks{}); !errors.Is(err, vault.ErrNotConfigured) ||
		!strings.Contains(err.Error(), `auth client "signer" has no flow to run`) {
		t.Errorf("Authorize on a client without a flow: %v", err)
	}

	sec := vault.Secret{Meta: vault.Meta{Name: "signer token", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "signer"}
	if _, err := v.PutSecret(ctx, sec, &vault.SecretValue{Token: got.AccessToken, TokenSecret: got.TokenSecret}); err != nil {
		t.Fatal(err)
	}
	cached, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "signer"}, oauth.FlowCallbacks{})
	if err != nil || !cached.FromCache || cached.AccessToken != got.AccessToken {
		t.Errorf("Token with stored credentials: %+v, %v", cached, err)
	}
	if _, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "signer", Force: true}, oauth.FlowCallbacks{}); err == nil || !strings.Contains(err.Error(), "no flow to run") {
		t.Errorf("Token --force on a client without a flow: %v", err)
	}
	if _, err := d.Refresh(ctx, oauth.TokenRequest{Env: "dev", Name: "signer"}, oauth.FlowCallbacks{}); err == nil || !strings.Contains(err.Error(), "stored with its client, which has no flow") {
		t.Errorf("Refresh: %v", err)
	}

	auth, err := d.RequestAuth(ctx, oauth.TokenRequest{Env: "dev", Name: "signer"}, oauth.FlowCallbacks{})
	if err != nil {
		t.Fatalf("RequestAuth: %v", err)
	}
	for _, tc := range []struct {
		placement vault.Placement
		method    string
		body, ct  string
		hashed    bool
	}{
		{vault.PlaceHeader, http.MethodGet, "", "", true},
		{vault.PlaceHeader, http.MethodPost, `{"file":"vacation.jpg"}`, "application/json", true},
		{vault.PlaceQuery, http.MethodPost, "raw bytes", "text/plain", true},
		{vault.PlaceBody, http.MethodPost, "file=vacation.jpg", "application/x-www-form-urlencoded", false},
		{vault.PlaceHeader, http.MethodPost, "file=vacation.jpg", "application/x-www-form-urlencoded", false},
	} {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		req, _ := http.NewRequestWithContext(ctx, tc.method, srv.PhotosURL+"?size=original", body)
		if tc.ct != "" {
			req.Header.Set("Content-Type", tc.ct)
		}
		params, err := auth.Signer.Apply(req, tc.placement)
		if err != nil {
			t.Fatalf("%s %s: Apply: %v", tc.method, tc.placement, err)
		}
		hashed := false
		for _, p := range params {
			hashed = hashed || p.Name == "oauth_body_hash"
		}
		if hashed != tc.hashed {
			t.Errorf("%s %s %s: oauth_body_hash sent = %v, want %v", tc.method, tc.placement, tc.ct, hashed, tc.hashed)
		}
		if tc.placement == vault.PlaceHeader && !strings.HasPrefix(req.Header.Get("Authorization"), `OAuth realm="Photos", `) {
			t.Errorf("%s: Authorization %q has no realm first", tc.method, req.Header.Get("Authorization"))
		}
		resp, err := testHTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p photo
		if resp.StatusCode != http.StatusOK || json.Unmarshal(out, &p) != nil || p.User != "demo" {
			t.Errorf("%s %s: the provider refused the signed request: %d %s", tc.method, tc.placement, resp.StatusCode, out)
		}
	}
}

// TestBodyHashVector checks oauth_body_hash against the OAuth Request Body
// Hash extension's example (the body "Hello World!"), and that SHA-256
// methods hash with SHA-256.
func TestBodyHashVector(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ method, want string }{
		{oauth1.HMACSHA1, "Lve95gjOVATpfV8EL5X4nxwjKHE="},
		{oauth1.Plaintext, "Lve95gjOVATpfV8EL5X4nxwjKHE="},
		{oauth1.HMACSHA256, "f4OxZX/x/FO5LcGBSKHWXfwtSx+j1ncoSt3SABJtkGk="},
	} {
		s := &oauth1.Signer{
			ConsumerKey: "ck", ConsumerSecret: "cs", Method: tc.method, BodyHash: true,
			Now: fixedClock(1700000000), Nonce: fixedNonce("n"),
		}
		req, _ := http.NewRequest(http.MethodPost, "https://api.example.com/r", strings.NewReader("Hello World!"))
		req.Header.Set("Content-Type", "text/plain")
		signed, err := s.SignRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		var hash string
		for _, p := range signed.Protocol {
			if p.Name == "oauth_body_hash" {
				hash = p.Value
			}
		}
		if hash != tc.want {
			t.Errorf("%s: oauth_body_hash %q, want %q", tc.method, hash, tc.want)
		}
		if !strings.Contains(signed.BaseString, "oauth_body_hash%3D") {
			t.Errorf("%s: the body hash is not signed: %s", tc.method, signed.BaseString)
		}
		if b, _ := io.ReadAll(req.Body); string(b) != "Hello World!" {
			t.Errorf("%s: body after signing %q", tc.method, b)
		}
	}
}
