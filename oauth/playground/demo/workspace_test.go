package demo

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/oauth1demo"
	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// TestWorkspaceCoversEveryGrantAndMethod: the demo workspace is built from
// the running playground and holds a client for every grant and client
// authentication method the playground offers, in two environments.
func TestWorkspaceCoversEveryGrantAndMethod(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := playground.Start(ctx, playground.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	v := vault.NewMemory()
	if err := Workspace(ctx, v, srv); err != nil {
		t.Fatal(err)
	}
	cat, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	if cat.ActiveEnv != EnvDev || len(cat.Environments) != 2 {
		t.Fatalf("environments = %d, active %q", len(cat.Environments), cat.ActiveEnv)
	}
	grants := map[vault.Grant]bool{}
	methods := map[vault.AuthMethod]bool{}
	for _, c := range cat.ClientsIn(EnvDev) {
		grants[c.Grant] = true
		if c.AuthMethod != "" {
			methods[c.AuthMethod] = true
		}
		if err := c.Validate(); err != nil {
			t.Errorf("client %s: %v", c.Name, err)
		}
		creds, err := v.ClientCredentials(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ValidateCredentials(creds); err != nil {
			t.Errorf("client %s credentials: %v", c.Name, err)
		}
	}
	for _, g := range vault.Grants {
		if !grants[g] {
			t.Errorf("no demo client with grant %s", g)
		}
	}
	for _, m := range []vault.AuthMethod{vault.AuthClientSecretBasic, vault.AuthClientSecretPost, vault.AuthPrivateKeyJWT, vault.AuthNone} {
		if !methods[m] {
			t.Errorf("no demo client authenticating with %s", m)
		}
	}
	key, ok := cat.Secret(EnvDev, SecretAPIKey)
	if !ok {
		t.Fatal("no API key")
	}
	val, err := v.SecretValue(ctx, *key)
	if err != nil || val.Key != srv.APIKey {
		t.Error("the API key is not the playground's")
	}
	if len(cat.RequestsIn(EnvDev)) == 0 || len(cat.ClientsIn(EnvStaging)) == 0 {
		t.Error("requests or staging clients missing")
	}
	if exp, ok := cat.Secret(EnvDev, SecretExpiring); !ok || vault.ExpiryOf(exp.Expiration, v.Now()) != vault.ExpiringSoon {
		t.Error("no secret that expires soon (for the expiry marker)")
	}
}

// TestWorkspaceOAuth1Clients: with the OAuth 1.0a provider, dev gets its
// demo consumer as photos (HMAC-SHA1, consumer secret) and photos-rsa
// (RSA-SHA256, the demo key, shown by key id), limited to the provider's
// host, and a saved request to the protected photo.
func TestWorkspaceOAuth1Clients(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := oauth1demo.Start(ctx, playground.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	v := vault.NewMemory()
	if err := Workspace(ctx, v, srv); err != nil {
		t.Fatal(err)
	}
	cat, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	o := srv.OAuth1
	host := strings.TrimPrefix(o.URL, "http://")
	for _, tc := range []struct {
		name, method string
		rsa          bool
	}{{ClientPhotos, oauth1.HMACSHA1, false}, {ClientPhotosRSA, oauth1.RSASHA256, true}} {
		ac, ok := cat.Client(EnvDev, tc.name)
		if !ok {
			t.Fatalf("no %s client", tc.name)
		}
		if ac.Type != vault.ClientOAuth1 || ac.SignatureMethod != tc.method || ac.ClientID != o.ConsumerKey ||
			ac.Endpoints.RequestToken != o.RequestTokenURL || ac.Endpoints.Authorization != o.AuthorizeURL || ac.Endpoints.Token != o.AccessTokenURL ||
			len(ac.AllowedHosts) != 1 || ac.AllowedHosts[0] != host {
			t.Errorf("%s = %+v", tc.name, ac)
		}
		if err := ac.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		creds, err := v.ClientCredentials(ctx, *ac)
		if err != nil {
			t.Fatal(err)
		}
		if err := ac.ValidateCredentials(creds); err != nil {
			t.Errorf("%s credentials: %v", tc.name, err)
		}
		if tc.rsa {
			key, err := vault.ParsePrivateKey(creds.PrivateKey)
			if err != nil || ac.KeyID == "" || ac.KeyID != pemkey.Thumbprint(key) || creds.ClientSecret != "" {
				t.Errorf("%s: key id %q does not name the stored key (err %v)", tc.name, ac.KeyID, err)
			}
		} else if creds.ClientSecret != o.ConsumerSecret || creds.PrivateKey != "" || ac.KeyID != "" {
			t.Errorf("%s: the stored credentials are not the consumer secret", tc.name)
		}
	}
	if _, ok := cat.Client(EnvStaging, ClientPhotos); ok {
		t.Error("staging got the OAuth 1.0a clients too")
	}
	req, ok := cat.Request(EnvDev, RequestPhotos)
	if !ok || req.Method != http.MethodGet || req.URL != o.PhotosURL+"?file=vacation.jpg" || req.Auth != ClientPhotos {
		t.Errorf("photos request = %+v", req)
	}
	// Without the provider the workspace has no OAuth 1.0a items.
	plain, err := playground.Start(ctx, playground.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	b, err := Batch(plain, v.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Clients {
		if c.Client.Type == vault.ClientOAuth1 {
			t.Errorf("client %s without an OAuth 1.0a provider", c.Client.Name)
		}
	}
}

// TestWorkspaceModernClients: the demo's DPoP, client_secret_jwt, PAR,
// signed-request and token-exchange clients work as the workspace
// configures them, and its saved DPoP and exchange requests reach the demo
// API with what it checks.
func TestWorkspaceModernClients(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := playground.Start(ctx, playground.Config{APIDPoPNonce: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	v := vault.NewMemory()
	if err := Workspace(ctx, v, srv); err != nil {
		t.Fatal(err)
	}
	b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
	browserErr := make(chan error, 4)
	e := &oauth.Engine{Vault: v, Opener: func(ctx context.Context, u string) error {
		go func() { browserErr <- b.Open(context.WithoutCancel(ctx), u) }()
		return nil
	}}
	d := &oauth.Dispatcher{Vault: v, OAuth2: e}
	for _, name := range []string{playground.ClientServiceDPoP, playground.ClientSecretJWT, playground.ClientPAR, playground.ClientJAR, playground.ClientExchange} {
		r, err := d.Token(ctx, oauth.TokenRequest{Env: EnvDev, Name: name}, oauth.FlowCallbacks{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == playground.ClientServiceDPoP && r.DPoPJKT == "" {
			t.Errorf("%s: the token is not DPoP-bound", name)
		}
	}
	close(browserErr)
	for err := range browserErr {
		if err != nil {
			t.Errorf("browser: %v", err)
		}
	}
	sender := &request.Sender{Vault: v, Engine: d, NoBrowser: true}
	for _, name := range []string{"read data (DPoP)", "me (exchanged)"} {
		saved, err := v.SavedRequest(EnvDev, name)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := sender.Send(ctx, EnvDev, request.SpecFromSaved(saved), request.SendOptions{})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", name, err, resp)
		}
	}
}
