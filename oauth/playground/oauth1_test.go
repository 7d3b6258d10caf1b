package playground

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeOAuth1 stands in for the OAuth 1.0a provider, which lives in a
// package the playground cannot import.
type fakeOAuth1 struct {
	info   OAuth1
	closed atomic.Int32
}

func (f *fakeOAuth1) Info() OAuth1 { return f.info }
func (f *fakeOAuth1) Close() error {
	f.closed.Add(1)
	return nil
}

// The OAuth 1.0a provider starts with the playground on the address asked
// for, shows in the summary, and stops with it.
func TestOAuth1ProviderLifecycle(t *testing.T) {
	t.Parallel()
	fake := &fakeOAuth1{info: OAuth1{
		URL: "http://127.0.0.1:1", RequestTokenURL: "http://127.0.0.1:1/rt", AuthorizeURL: "http://127.0.0.1:1/a",
		AccessTokenURL: "http://127.0.0.1:1/at", PhotosURL: "http://127.0.0.1:1/photos", ConsumerKey: "demo-key",
		ConsumerSecret: "demo-consumer-secret", PrivateKeyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", User: DemoUser, Password: DemoPassword,
	}}
	var gotAddr string
	s, err := Start(context.Background(), Config{OAuth1Addr: "127.0.0.1:0", OAuth1: func(_ context.Context, addr string) (OAuth1Provider, error) {
		gotAddr = addr
		return fake, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if gotAddr != "127.0.0.1:0" || s.OAuth1 == nil || *s.OAuth1 != fake.info {
		t.Fatalf("addr %q, info %+v", gotAddr, s.OAuth1)
	}
	sum := s.Summary()
	for _, want := range []string{"OAuth 1.0a provider", "http://127.0.0.1:1/rt", "Consumer key", "demo-key", "demo-consumer-secret", "RSA private key", "    AAAA"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fake.closed.Load() != 1 {
		t.Errorf("the OAuth 1.0a provider was closed %d times", fake.closed.Load())
	}
	// Without one, nothing is described.
	if shared.OAuth1 != nil || strings.Contains(shared.Summary(), "OAuth 1.0a") {
		t.Errorf("a playground without Config.OAuth1 describes an OAuth 1.0a provider")
	}
}

// A provider that fails to start, or an address off loopback, fails Start.
func TestOAuth1ProviderStartErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("no port for you")
	tests := []struct {
		name, addr string
		start      OAuth1Starter
		want       string
	}{
		{"starter fails", "", func(context.Context, string) (OAuth1Provider, error) { return nil, boom }, "no port for you"},
		{"not loopback", "192.0.2.1:0", func(context.Context, string) (OAuth1Provider, error) { return &fakeOAuth1{}, nil }, "not a loopback IP"},
		{"bad address", "localhost", func(context.Context, string) (OAuth1Provider, error) { return &fakeOAuth1{}, nil }, "listen address"},
	}
	for _, tt := range tests {
		s, err := Start(context.Background(), Config{OAuth1: tt.start, OAuth1Addr: tt.addr})
		if err == nil {
			_ = s.Close()
			t.Errorf("%s: Start succeeded", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
