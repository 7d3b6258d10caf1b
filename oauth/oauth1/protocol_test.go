package oauth1_test

import (
	"context"
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

// TestEngineAsProtocol runs the engine as the OAuth 1.0a oauth.Protocol,
// the way oauth.Dispatcher hands it a name: the first Token runs the
// three-legged flow against the provider (recording the legs in an OAuth
// 2.0 transcript), the next one reads the stored credentials, Force
// authorizes again, RequestAuth signs requests the provider accepts in
// every placement, and the OAuth 2.0 operations are refused in words.
func TestEngineAsProtocol(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	var b oauth1provider.Browsers
	e := newEngine(v, &b, approve)
	d := &oauth.Dispatcher{Vault: v, OAuth1: e}
	ctx := ctxT(t)

	tr := oauth.NewTranscript()
	var progress []string
	first, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "photos", Transcript: tr}, oauth.FlowCallbacks{Progress: func(s string) { progress = append(progress, s) }})
	if errs := b.Wait(); len(errs) > 0 {
		t.Fatalf("browser: %v", errs)
	}
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if first.Protocol != vault.ProtocolOAuth1 || first.FromCache || first.AccessToken == "" || first.TokenSecret == "" || first.Secret != "photos" || first.Client != "photos" || first.Env != "dev" {
		t.Errorf("first token %+v", first)
	}
	if len(progress) == 0 || !strings.Contains(tr.Text(), "[request token]") || !strings.Contains(tr.Text(), "[access token]") || strings.Contains(tr.Text(), first.TokenSecret) {
		t.Errorf("progress %q, transcript:\n%s", progress, tr.Text())
	}
	again, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "photos"}, oauth.FlowCallbacks{})
	if err != nil || !again.FromCache || again.AccessToken != first.AccessToken || again.TokenSecret != first.TokenSecret {
		t.Errorf("second token: %+v, %v", again, err)
	}
	forced, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "photos", Force: true}, oauth.FlowCallbacks{})
	if errs := b.Wait(); len(errs) > 0 {
		t.Fatalf("browser: %v", errs)
	}
	if err != nil || forced.FromCache || forced.AccessToken == first.AccessToken {
		t.Errorf("forced token: %+v, %v", forced, err)
	}

	auth, err := d.RequestAuth(ctx, oauth.TokenRequest{Env: "dev", Name: "photos"}, oauth.FlowCallbacks{})
	if err != nil || auth.Signer == nil || auth.Token != "" {
		t.Fatalf("RequestAuth: %+v, %v", auth, err)
	}
	secrets := auth.Signer.Secrets()
	if len(secrets) != 3 {
		t.Errorf("%d secrets to scrub, want the consumer secret, the token secret and the token", len(secrets))
	}
	for _, placement := range []vault.Placement{vault.PlaceHeader, vault.PlaceQuery, vault.PlaceBody} {
		var req *http.Request
		if placement == vault.PlaceBody {
			req, _ = http.NewRequestWithContext(ctx, http.MethodPost, srv.PhotosURL, strings.NewReader("file=vacation.jpg&size=original"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, srv.PhotosURL+"?file=vacation.jpg&size=original", nil)
		}
		params, err := auth.Signer.Apply(req, placement)
		if err != nil || len(params) == 0 || params[len(params)-1].Name != "oauth_signature" {
			t.Fatalf("%s: Apply: %v, %v", placement, params, err)
		}
		resp, err := testHTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p photo
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &p) != nil || p.Placement != string(placement) || p.User != "demo" {
			t.Errorf("%s: %d %s", placement, resp.StatusCode, body)
		}
	}

	for name, run := range map[string]func() error{
		"Refresh": func() error {
			_, err := d.Refresh(ctx, oauth.TokenRequest{Env: "dev", Name: "photos"}, oauth.FlowCallbacks{})
			return err
		},
		"Revoke": func() error {
			_, err := d.RevokeTokens(ctx, oauth.TokenRequest{Env: "dev", Name: "photos"}, oauth.RevokeOptions{})
			return err
		},
		"Introspect": func() error {
			_, err := d.Introspect(ctx, oauth.TokenRequest{Env: "dev", Name: "photos"}, oauth.AccessToken)
			return err
		},
	} {
		err := run()
		var oe *oauth.Error
		if !errors.As(err, &oe) || oe.Kind != oauth.KindNotConfigured || !strings.Contains(err.Error(), "do not apply") || !strings.Contains(oe.Hint, "authdeck token photos") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := d.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "photos", Scopes: []string{"read"}}, oauth.FlowCallbacks{}); oauth.KindOf(err) != oauth.KindOther {
		t.Errorf("scopes: %v", err)
	}
	if _, err := e.Token(ctx, oauth.TokenRequest{Credential: &vault.Credential{Name: "api", Protocol: vault.ProtocolOAuth2}}, oauth.FlowCallbacks{}); oauth.KindOf(err) != oauth.KindNotConfigured {
		t.Errorf("an OAuth 2.0 credential: %v", err)
	}
	if _, err := (&oauth1.Engine{}).RequestAuth(context.Background(), oauth.TokenRequest{Name: "photos"}, oauth.FlowCallbacks{}); oauth.KindOf(err) != oauth.KindNotConfigured {
		t.Errorf("no vault: %v", err)
	}
}
