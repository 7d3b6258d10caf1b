package oauth1demo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/oauth/internal/leakcheck"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/oauth1demo"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
)

func TestMain(m *testing.M) {
	os.Exit(leakcheck.Check(m.Run()))
}

// The demo workspace's OAuth 1.0a clients, as AuthClient makes them, run
// the three-legged flow against the playground's provider and sign
// requests its protected resource accepts; their tokens go to the
// provider's host only (S-34).
func TestDemoOAuth1Clients(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := oauth1demo.Start(ctx, playground.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	o := s.OAuth1
	if o == nil || o.ConsumerKey != oauth1provider.DemoConsumerKey || o.ConsumerSecret == "" || !strings.Contains(o.PrivateKeyPEM, "PRIVATE KEY") {
		t.Fatalf("Server.OAuth1 = %+v", o)
	}
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "demo"}); err != nil {
		t.Fatal(err)
	}
	// The browser runs in the background, as a real one does, while the
	// flow waits on its loopback listener.
	var browsers sync.WaitGroup
	defer browsers.Wait()
	set := engines.New(v, &engines.Config{CallbackTimeout: 20 * time.Second, Opener: func(ctx context.Context, authURL string) error {
		browsers.Add(1)
		go func() {
			defer browsers.Done()
			if err := oauth1provider.NewBrowser(o.User, o.Password).Open(context.WithoutCancel(ctx), authURL); err != nil {
				t.Errorf("browser: %v", err)
			}
		}()
		return nil
	}})
	engine, sender := set.OAuth1, set.Sender
	defer sender.CloseIdleConnections()
	for _, method := range []string{oauth1.HMACSHA1, oauth1.RSASHA256, oauth1.Plaintext} {
		name := "photos-" + strings.ToLower(method)
		ac, creds := oauth1demo.AuthClient(*o, "demo", name, method)
		if _, err := v.PutClient(ctx, ac, &creds); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		r, err := engine.Authorize(ctx, oauth1.AuthorizeRequest{Env: "demo", Client: name}, oauth1.Callbacks{})
		if err != nil {
			t.Fatalf("%s: authorize: %v", method, err)
		}
		if r.Secret != name || r.Token == "" {
			t.Fatalf("%s: result %q", method, r.Secret)
		}
		resp, err := sender.Send(ctx, "demo", request.Spec{URL: o.PhotosURL + "?file=demo.png", Auth: name}, request.SendOptions{})
		if err != nil {
			t.Fatalf("%s: send: %v", method, err)
		}
		var got struct{ Method, File, User string }
		if resp.Body == nil || json.Unmarshal(resp.Body.Bytes(), &got) != nil || resp.StatusCode != http.StatusOK || got.Method != method || got.File != "demo.png" {
			t.Errorf("%s: status %d, %+v", method, resp.StatusCode, got)
		}
		_, err = sender.Send(ctx, "demo", request.Spec{URL: s.APIURL + "/me", Auth: name}, request.SendOptions{})
		var he *request.HostRefusedError
		if !errors.As(err, &he) {
			t.Errorf("%s: a token went to the demo API: %v", method, err)
		}
	}
}
