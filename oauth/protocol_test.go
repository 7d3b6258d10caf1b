package oauth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// recordingProtocol is a Protocol that records the requests it gets.
type recordingProtocol struct {
	name  string
	calls []string
	creds []*vault.Credential
}

func (p *recordingProtocol) record(op string, req TokenRequest) {
	p.calls = append(p.calls, op+" "+req.Name)
	p.creds = append(p.creds, req.Credential)
}

func (p *recordingProtocol) Token(_ context.Context, req TokenRequest, _ FlowCallbacks) (*Result, error) {
	p.record("Token", req)
	return &Result{AccessToken: p.name}, nil
}

func (p *recordingProtocol) Refresh(_ context.Context, req TokenRequest, _ FlowCallbacks) (*Result, error) {
	p.record("Refresh", req)
	return &Result{AccessToken: p.name}, nil
}

func (p *recordingProtocol) RevokeTokens(_ context.Context, req TokenRequest, _ RevokeOptions) (*Revocation, error) {
	p.record("Revoke", req)
	return &Revocation{}, nil
}

func (p *recordingProtocol) Introspect(_ context.Context, req TokenRequest, _ TokenKind) (*Introspection, error) {
	p.record("Introspect", req)
	return &Introspection{Active: true}, nil
}

func (p *recordingProtocol) RequestAuth(_ context.Context, req TokenRequest, _ FlowCallbacks) (*RequestAuth, error) {
	p.record("RequestAuth", req)
	return &RequestAuth{Token: p.name}, nil
}

// dispatchVault has an OAuth 2.0 client, a session-auth client with its
// secret, an OAuth 1.0a client with its token secret, and an API key that
// shares a name with an OAuth 1.0a client.
func dispatchVault(t *testing.T) (*vault.Vault, *vaulttest.CountingStore) {
	t.Helper()
	ctx := ctxT(t)
	store := vaulttest.NewCountingStore(vault.NewMemoryStore())
	v := vault.New(vault.NewMemoryCatalog(), store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	oa1 := vault.Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"}
	for _, ac := range []vault.AuthClient{
		{
			Meta: vault.Meta{Name: "api", Env: "dev"}, Type: vault.ClientOAuth2, ClientID: "c", Grant: vault.GrantClientCredentials,
			AuthMethod: vault.AuthClientSecretPost, Endpoints: vault.Endpoints{Token: "https://p.example/token"},
		},
		{Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.ClientOAuth1, ClientID: "ck", SignatureMethod: "HMAC-SHA1", Endpoints: oa1},
		{Meta: vault.Meta{Name: "shared", Env: "dev"}, Type: vault.ClientOAuth1, ClientID: "ck", SignatureMethod: "HMAC-SHA1", Endpoints: oa1},
	} {
		if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: "fake-client-secret"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []vault.Secret{
		{Meta: vault.Meta{Name: "photos-token", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"},
		{Meta: vault.Meta{Name: "shared", Env: "dev"}, Type: vault.TypeAPIKey},
	} {
		if _, err := v.PutSecret(ctx, s, &vault.SecretValue{Token: "fake-token", TokenSecret: "fake-token-secret", Key: "fake-key-123"}); err != nil {
			t.Fatal(err)
		}
	}
	return v, store
}

// TestDispatcherPicksByResolvedCredential: every entry point hands the
// name to the engine of the protocol it resolves to, with the resolved
// credential, and reads nothing from the store to decide.
func TestDispatcherPicksByResolvedCredential(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	v, store := dispatchVault(t)
	o2, o1 := &recordingProtocol{name: "oauth2"}, &recordingProtocol{name: "oauth1"}
	d := &Dispatcher{Vault: v, OAuth2: o2, OAuth1: o1}
	var _ Protocol = d
	before := store.Calls()
	entries := map[string]func(TokenRequest) error{
		"Token":       func(r TokenRequest) error { _, err := d.Token(ctx, r, FlowCallbacks{}); return err },
		"Refresh":     func(r TokenRequest) error { _, err := d.Refresh(ctx, r, FlowCallbacks{}); return err },
		"Revoke":      func(r TokenRequest) error { _, err := d.RevokeTokens(ctx, r, RevokeOptions{}); return err },
		"Introspect":  func(r TokenRequest) error { _, err := d.Introspect(ctx, r, AccessToken); return err },
		"RequestAuth": func(r TokenRequest) error { _, err := d.RequestAuth(ctx, r, FlowCallbacks{}); return err },
	}
	for _, name := range []string{"api", "photos", "photos-token"} {
		for entry, run := range entries {
			if err := run(TokenRequest{Env: "dev", Name: name}); err != nil {
				t.Fatalf("%s(%s): %v", entry, name, err)
			}
		}
	}
	if n := store.Calls() - before; n != 0 {
		t.Errorf("%d store calls to pick an engine", n)
	}
	if len(o2.calls) != 5 || len(o1.calls) != 10 {
		t.Fatalf("OAuth 2.0 engine got %v, OAuth 1.0a engine got %v", o2.calls, o1.calls)
	}
	for _, p := range []*recordingProtocol{o2, o1} {
		for i, c := range p.creds {
			want := map[string]vault.Protocol{"oauth2": vault.ProtocolOAuth2, "oauth1": vault.ProtocolOAuth1}[p.name]
			if c == nil || c.Protocol != want || c.Env != "dev" || !strings.HasSuffix(p.calls[i], " "+c.Name) {
				t.Errorf("%s: %s came with credential %+v", p.name, p.calls[i], c)
			}
		}
	}
	// A request's credential is resolved as one: the API key "shared", not
	// the OAuth 1.0a client of that name — and no engine runs an API key.
	// For a token the client wins, and the API key in its way is refused.
	n := len(o1.calls)
	if _, err := d.RequestAuth(ctx, TokenRequest{Env: "dev", Name: "shared"}, FlowCallbacks{}); KindOf(err) != KindNotConfigured || !strings.Contains(err.Error(), "API_KEY") {
		t.Errorf("RequestAuth(shared): %v", err)
	}
	if _, err := d.Token(ctx, TokenRequest{Env: "dev", Name: "shared"}, FlowCallbacks{}); !errors.As(err, new(*vault.ResolveError)) || !strings.Contains(err.Error(), "cannot keep its tokens there") {
		t.Errorf("Token(shared): %v", err)
	}
	if len(o1.calls) != n {
		t.Errorf("an engine ran a refused name: %v", o1.calls[n:])
	}
	// A credential that comes resolved is not resolved again.
	cred := &vault.Credential{Env: "dev", Name: "whatever", Protocol: vault.ProtocolOAuth1}
	if _, err := d.Token(ctx, TokenRequest{Credential: cred}, FlowCallbacks{}); err != nil || o1.creds[len(o1.creds)-1] != cred {
		t.Errorf("a resolved credential: %v", err)
	}
	if _, err := d.Token(ctx, TokenRequest{Env: "dev", Name: "ghost"}, FlowCallbacks{}); !errors.As(err, new(*vault.NotFoundError)) {
		t.Errorf("Token(ghost): %v", err)
	}
	if _, err := (&Dispatcher{Vault: v, OAuth2: o2}).Token(ctx, TokenRequest{Env: "dev", Name: "photos"}, FlowCallbacks{}); KindOf(err) != KindNotConfigured {
		t.Errorf("no OAuth 1.0a engine: %v", err)
	}
}

// TestEngineRefusesOtherProtocols: the OAuth 2.0 engine asked for OAuth
// 1.0a credentials says so — no routing sentinel, no store call.
func TestEngineRefusesOtherProtocols(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	v, store := dispatchVault(t)
	e := &Engine{Vault: v, Opener: func(context.Context, string) error { return errors.New("no browser in this test") }}
	var _ Protocol = e
	before := store.Calls()
	for _, name := range []string{"photos", "photos-token"} {
		_, err := e.Token(ctx, TokenRequest{Env: "dev", Name: name}, FlowCallbacks{})
		if KindOf(err) != KindNotConfigured || !strings.Contains(err.Error(), "OAuth 1.0a credentials") {
			t.Errorf("Token(%s): %v", name, err)
		}
		if _, err := e.RequestAuth(ctx, TokenRequest{Env: "dev", Name: name}, FlowCallbacks{}); KindOf(err) != KindNotConfigured {
			t.Errorf("RequestAuth(%s): %v", name, err)
		}
	}
	if n := store.Calls() - before; n != 0 {
		t.Errorf("%d store calls", n)
	}
}
