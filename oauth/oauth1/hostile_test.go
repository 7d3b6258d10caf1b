package oauth1_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

// TestRequestTokenHostileServers points the first leg at servers that
// answer wrongly and checks each gets a clear error with the right exit code.
func TestRequestTokenHostileServers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantKind   oauth.Kind
		wantReason string
	}{
		{"callback not confirmed (OAuth 1.0)", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			_, _ = w.Write([]byte("oauth_token=t&oauth_token_secret=s"))
		}, oauth.KindBadResponse, "did not confirm the callback"},
		{"401 without a problem report", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		}, oauth.KindRejected, "HTTP 401"},
		{"problem in WWW-Authenticate only", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `OAuth realm="x", oauth_problem="consumer_key_unknown"`)
			w.WriteHeader(http.StatusUnauthorized)
		}, oauth.KindRejected, "does not know this consumer key"},
		{"problem with HTTP 200", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("oauth_problem=signature_method_rejected"))
		}, oauth.KindRejected, "does not accept this signature method"},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		}, oauth.KindUnreachable, "HTTP 502"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
		}, oauth.KindNotConfigured, "do not follow redirects"},
		{"HTML page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>Sign in</body></html>"))
		}, oauth.KindBadResponse, "HTML or XML"},
		{"JSON", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"oauth_token":"t"}`))
		}, oauth.KindBadResponse, "is JSON"},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("oauth_token=" + strings.Repeat("a", 1<<20)))
		}, oauth.KindBadResponse, "larger than"},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, oauth.KindRejected, "HTTP 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewServer(tc.handler)
			defer ts.Close()
			c := &oauth1.Client{
				RequestTokenURL: ts.URL + "/rt", AuthorizeURL: ts.URL + "/a", AccessTokenURL: ts.URL + "/at",
				ConsumerKey: "ck", ConsumerSecret: "consumer-secret-xyz", Method: oauth1.HMACSHA1, HTTPClient: testHTTP,
			}
			tr := &oauth1.Transcript{}
			_, err := c.RequestToken(ctxT(t), oauth1.OOB, tr)
			if err == nil {
				t.Fatal("no error")
			}
			if got := oauth.KindOf(err); got != tc.wantKind || !strings.Contains(err.Error(), tc.wantReason) {
				t.Errorf("error %q (kind %s); want %s and %q", err, got, tc.wantKind, tc.wantReason)
			}
			xs := tr.Exchanges()
			if len(xs) == 0 || xs[0].Step != "request token" || xs[len(xs)-1].Error == "" {
				t.Fatalf("transcript %+v: want the failed leg recorded with its error", xs)
			}
			if strings.Contains(tr.Text(), "consumer-secret-xyz") {
				t.Error("the consumer secret reached the transcript")
			}
			if strings.Contains(tr.Text(), "<html>") {
				t.Error("a raw response body reached the transcript")
			}
		})
	}
}

// TestClientForConfiguration checks that an auth client that cannot work
// is refused before any request, with exit code 2 and the reason.
func TestClientForConfiguration(t *testing.T) {
	t.Parallel()
	good := vault.AuthClient{
		Meta: vault.Meta{Name: "p"}, Type: vault.ClientOAuth1,
		Endpoints: vault.Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"},
		ClientID:  "ck", SignatureMethod: oauth1.HMACSHA1,
	}
	creds := vault.ClientCredentials{ClientSecret: "cs"}
	if _, err := oauth1.ClientFor(good, creds); err != nil {
		t.Fatalf("good client: %v", err)
	}
	tests := []struct {
		name   string
		mod    func(*vault.AuthClient, *vault.ClientCredentials)
		reason string
	}{
		{"OAuth 2.0 client", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.Type = vault.ClientOAuth2 }, "not OAuth 1.0a"},
		{"no request-token endpoint", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.Endpoints.RequestToken = "" }, "no request-token endpoint"},
		{"no authorization endpoint", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.Endpoints.Authorization = "" }, "no authorization endpoint"},
		{"no access-token endpoint", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.Endpoints.Token = "" }, "no access-token endpoint"},
		{"plain http off loopback (S-13)", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.Endpoints.Token = "http://p.example/at" }, "plain http"},
		{"protocol parameter in an endpoint", func(a *vault.AuthClient, _ *vault.ClientCredentials) {
			a.Endpoints.Authorization = "https://p.example/a?oauth_token=x"
		}, "must not hold protocol parameters"},
		{"no consumer key", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.ClientID = "" }, "no consumer key"},
		{"no signature method", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.SignatureMethod = "" }, "no signature method"},
		{"unknown signature method", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.SignatureMethod = "RSA-MD5" }, `"RSA-MD5"`},
		{"no consumer secret", func(_ *vault.AuthClient, c *vault.ClientCredentials) { c.ClientSecret = "" }, "no consumer secret"},
		{"RSA without a key", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.SignatureMethod = oauth1.RSASHA256 }, "no private key"},
		{"RSA with a broken key", func(a *vault.AuthClient, c *vault.ClientCredentials) {
			a.SignatureMethod, c.PrivateKey = oauth1.RSASHA1, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		}, "cannot be used"},
		{"bad token method", func(a *vault.AuthClient, _ *vault.ClientCredentials) { a.TokenMethod = "PUT" }, `"PUT" is not GET or POST`},
	}
	for _, tc := range tests {
		a, c := good, creds
		tc.mod(&a, &c)
		_, err := oauth1.ClientFor(a, c)
		var oe *oauth1.Error
		if !errors.As(err, &oe) || oauth.KindOf(err) != oauth.KindNotConfigured || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: error %v (kind %s), want not configured and %q", tc.name, err, oauth.KindOf(err), tc.reason)
		}
	}
	// Body placement cannot go with GET token requests.
	c := &oauth1.Client{
		RequestTokenURL: "https://p.example/rt", AuthorizeURL: "https://p.example/a", AccessTokenURL: "https://p.example/at",
		ConsumerKey: "ck", ConsumerSecret: "cs", Method: oauth1.HMACSHA1, TokenMethod: "GET", Placement: vault.PlaceBody,
	}
	if _, err := c.RequestToken(ctxT(t), oauth1.OOB, nil); oauth.KindOf(err) != oauth.KindNotConfigured {
		t.Errorf("body placement with GET: %v", err)
	}
}

// TestEngineSignerResolution checks how a name becomes a signer, and the
// errors when it cannot.
func TestEngineSignerResolution(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	e := &oauth1.Engine{Vault: v}
	ctx := ctxT(t)
	put := func(s vault.Secret, val vault.SecretValue) {
		t.Helper()
		s.Env = "dev"
		if _, err := v.PutSecret(ctx, s, &val); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name string, wantKind oauth.Kind, wantReason string) {
		t.Helper()
		_, err := e.Signer(ctx, "dev", name)
		if oauth.KindOf(err) != wantKind || !strings.Contains(err.Error(), wantReason) {
			t.Errorf("Signer(%q): %v (kind %s), want %s and %q", name, err, oauth.KindOf(err), wantKind, wantReason)
		}
	}
	check("photos", oauth.KindNotConfigured, "no token credentials yet")
	check("nothing", oauth.KindNotConfigured, `no auth client or secret "nothing"`)
	put(vault.Secret{Meta: vault.Meta{Name: "key"}, Type: vault.TypeAPIKey}, vault.SecretValue{Key: "k-123456"})
	check("key", oauth.KindNotConfigured, "not OAuth 1.0a token credentials")
	put(vault.Secret{Meta: vault.Meta{Name: "loose"}, Type: vault.TypeOAuth1Token}, vault.SecretValue{Token: "t", TokenSecret: "s"})
	check("loose", oauth.KindNotConfigured, "names no auth client")
	put(vault.Secret{Meta: vault.Meta{Name: "a"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"}, vault.SecretValue{Token: "t1", TokenSecret: "s1"})
	s, err := e.Signer(ctx, "dev", "photos")
	if err != nil || s.Token != "t1" || s.TokenSecret != "s1" || s.ConsumerKey != consumerKey || s.ConsumerSecret != consumerSecret {
		t.Fatalf("the only linked token: %+v, %v", s, err)
	}
	put(vault.Secret{Meta: vault.Meta{Name: "b"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"}, vault.SecretValue{Token: "t2", TokenSecret: "s2"})
	check("photos", oauth.KindNotConfigured, "several token secrets")
	if s, err := e.Signer(ctx, "dev", "b"); err != nil || s.Token != "t2" {
		t.Errorf("by secret name: %+v, %v", s, err)
	}
	if _, err := (&oauth1.Engine{}).Signer(ctx, "dev", "b"); oauth.KindOf(err) != oauth.KindNotConfigured {
		t.Errorf("engine without vault: %v", err)
	}
}
