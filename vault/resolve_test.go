package vault_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// resolveCatalog has an item for every rule of vault.Resolve in "dev", and
// a second environment so nothing leaks across environments.
func resolveCatalog() *vault.Catalog {
	client := func(name string, t vault.ClientType) vault.AuthClient {
		return vault.AuthClient{Meta: vault.Meta{Name: name, Env: "dev"}, Type: t}
	}
	secret := func(name string, t vault.SecretType, client string) vault.Secret {
		return vault.Secret{Meta: vault.Meta{Name: name, Env: "dev"}, Type: t, AuthClient: client}
	}
	return &vault.Catalog{
		ActiveEnv:    "dev",
		Environments: []vault.Environment{{Name: "dev"}, {Name: "prod"}},
		Clients: []vault.AuthClient{
			client("api", vault.ClientOAuth2),                                      // token secret "api" (same name)
			client("fresh", vault.ClientOAuth2),                                    // no token yet
			client("linked", vault.ClientOAuth2),                                   // one linked token secret "linked-tok"
			client("many", vault.ClientOAuth2),                                     // two linked token secrets
			client("taken", vault.ClientOAuth2),                                    // its name is an API key
			client("legacy", ""),                                                   // unset type: OAuth 2.0
			client("sess", vault.ClientSessionAuth),                                // one SESSION_AUTH secret
			client("lonely", vault.ClientSessionAuth),                              // none
			client("photos", vault.ClientOAuth1),                                   // OA1 secret "photos"
			client("never", vault.ClientOAuth1),                                    // no token credentials yet
			client("twice", vault.ClientOAuth1),                                    // two linked OA1 secrets
			client("shared", vault.ClientOAuth2),                                   // a secret "shared" too (API key)
			client("mine", vault.ClientOAuth2),                                     // same-name OA2 secret linked elsewhere, one linked
			{Meta: vault.Meta{Name: "api", Env: "prod"}, Type: vault.ClientOAuth1}, // other environment
		},
		Secrets: []vault.Secret{
			secret("api", vault.TypeOAuthToken, "api"),
			secret("linked-tok", vault.TypeOAuthToken, "linked"),
			secret("m1", vault.TypeOAuthToken, "many"),
			secret("m2", vault.TypeOAuthToken, "many"),
			secret("taken", vault.TypeAPIKey, ""),
			secret("sess-in", vault.TypeSessionAuth, "sess"),
			secret("photos", vault.TypeOAuth1Token, "photos"),
			secret("t1", vault.TypeOAuth1Token, "twice"),
			secret("t2", vault.TypeOAuth1Token, "twice"),
			secret("shared", vault.TypeAPIKey, "api"),
			secret("mine", vault.TypeOAuthToken, "api"),
			secret("mine-tok", vault.TypeOAuthToken, "mine"),
			secret("loose", vault.TypeOAuthToken, ""),
			secret("loose1", vault.TypeOAuth1Token, ""),
			secret("loose-sess", vault.TypeSessionAuth, ""),
			secret("dangling", vault.TypeOAuthToken, "gone"),
			secret("key", vault.TypeAPIKey, "gone"),
			secret("basic", vault.TypeSimple, "api"),
			secret("cross", vault.TypeOAuth1Token, "api"),
			secret("pk", vault.TypePrivateKey, ""),
		},
	}
}

// TestResolve covers every rule of vault.Resolve with both uses.
func TestResolve(t *testing.T) {
	t.Parallel()
	cat := resolveCatalog()
	type want struct {
		protocol    vault.Protocol
		namedClient bool
		client      string // "" = no client
		secret      string // "" = no secret yet
		tokenSecret string
	}
	cases := []struct {
		name string
		use  vault.Use
		want want
		// err, when set, is the error's message; errType its type name.
		err     string
		errType string
		// clientErr is the Credential's ClientErr, when it has one.
		clientErr string
	}{
		{name: "api", want: want{vault.ProtocolOAuth2, true, "api", "api", "api"}},
		{name: "fresh", want: want{vault.ProtocolOAuth2, true, "fresh", "", "fresh"}},
		{name: "linked", want: want{vault.ProtocolOAuth2, true, "linked", "linked-tok", "linked-tok"}},
		{name: "legacy", want: want{vault.ProtocolOAuth2, true, "legacy", "", "legacy"}},
		{name: "many", err: `auth client "many" has several token secrets ("m1", "m2"); name one of them`, errType: "*vault.AmbiguousError"},
		{name: "taken", err: `secret "taken" is a API_KEY, not an OAuth 2.0 token set, so auth client "taken" cannot keep its tokens there`, errType: "*vault.ResolveError"},
		{name: "mine", want: want{vault.ProtocolOAuth2, true, "mine", "mine-tok", "mine-tok"}},
		{name: "sess", want: want{vault.ProtocolSessionAuth, true, "sess", "sess-in", "sess-in"}},
		{name: "lonely", err: `no SESSION_AUTH secret uses auth client "lonely" in environment "dev"`, errType: "*vault.ResolveError"},
		{name: "photos", want: want{vault.ProtocolOAuth1, true, "photos", "photos", "photos"}},
		{name: "never", want: want{vault.ProtocolOAuth1, true, "never", "", "never"}},
		{name: "twice", err: `auth client "twice" has several token secrets ("t1", "t2"); name one of them`, errType: "*vault.AmbiguousError"},
		{name: "linked-tok", want: want{vault.ProtocolOAuth2, false, "linked", "linked-tok", "linked-tok"}},
		{name: "sess-in", want: want{vault.ProtocolSessionAuth, false, "sess", "sess-in", "sess-in"}},
		{name: "t1", want: want{vault.ProtocolOAuth1, false, "twice", "t1", "t1"}},
		{name: "loose", want: want{vault.ProtocolOAuth2, false, "", "loose", "loose"}},
		{name: "loose1", err: `OA1_TOKEN secret "loose1" names no auth client`, errType: "*vault.ResolveError"},
		{name: "loose-sess", err: `SESSION_AUTH secret "loose-sess" names no auth client`, errType: "*vault.ResolveError"},
		{name: "dangling", err: `no auth client "gone" in environment "dev"`, errType: "*vault.NotFoundError"},
		{name: "cross", err: `OA1_TOKEN secret "cross" is linked to auth client "api", which is not an OAuth 1.0a auth client`, errType: "*vault.ResolveError"},
		{name: "key", err: `secret "key" is a API_KEY, which holds no tokens; tokens come from auth clients and OAuth token, OAuth 1.0a token or session-auth secrets`, errType: "*vault.ResolveError"},
		{name: "nothing", err: `no auth client or secret "nothing" in environment "dev"`, errType: "*vault.NotFoundError"},
		// The same client named for a request: the secret of the same name wins.
		{name: "shared", err: `secret "shared" is a API_KEY, not an OAuth 2.0 token set, so auth client "shared" cannot keep its tokens there`, errType: "*vault.ResolveError"},
		{name: "shared", use: vault.ForRequest, want: want{vault.ProtocolSecret, false, "api", "shared", ""}},
		{name: "api", use: vault.ForRequest, want: want{vault.ProtocolOAuth2, false, "api", "api", "api"}},
		{name: "fresh", use: vault.ForRequest, want: want{vault.ProtocolOAuth2, true, "fresh", "", "fresh"}},
		{name: "never", use: vault.ForRequest, want: want{vault.ProtocolOAuth1, true, "never", "", "never"}},
		{name: "key", use: vault.ForRequest, want: want{vault.ProtocolSecret, false, "", "key", ""}},
		{name: "basic", use: vault.ForRequest, want: want{vault.ProtocolSecret, false, "api", "basic", ""}},
		{name: "pk", use: vault.ForRequest, want: want{vault.ProtocolSecret, false, "", "pk", ""}},
		{name: "taken", use: vault.ForRequest, want: want{vault.ProtocolSecret, false, "", "taken", ""}},
		{name: "many", use: vault.ForRequest, err: `auth client "many" has several token secrets ("m1", "m2"); name one of them`, errType: "*vault.AmbiguousError"},
		{name: "loose1", use: vault.ForRequest, want: want{vault.ProtocolOAuth1, false, "", "loose1", "loose1"}, clientErr: `OA1_TOKEN secret "loose1" names no auth client`},
		{name: "dangling", use: vault.ForRequest, want: want{vault.ProtocolOAuth2, false, "", "dangling", "dangling"}, clientErr: `no auth client "gone" in environment "dev"`},
		{name: "cross", use: vault.ForRequest, want: want{vault.ProtocolOAuth1, false, "", "cross", "cross"}, clientErr: `OA1_TOKEN secret "cross" is linked to auth client "api", which is not an OAuth 1.0a auth client`},
		{name: "loose", use: vault.ForRequest, want: want{vault.ProtocolOAuth2, false, "", "loose", "loose"}},
		{name: "nothing", use: vault.ForRequest, err: `no auth client or secret "nothing" in environment "dev"`, errType: "*vault.NotFoundError"},
	}
	for _, c := range cases {
		use := map[vault.Use]string{vault.ForToken: "token", vault.ForRequest: "request"}[c.use]
		t.Run(use+"/"+c.name, func(t *testing.T) {
			got, err := vault.Resolve(cat, "", c.name, c.use)
			if c.err != "" {
				if err == nil || err.Error() != c.err || fmt.Sprintf("%T", err) != c.errType {
					t.Fatalf("Resolve(%q) = %+v, %T %v; want %s %q", c.name, got, err, err, c.errType, c.err)
				}
				if !errors.Is(err, vault.ErrNotConfigured) {
					t.Errorf("%v does not match ErrNotConfigured", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", c.name, err)
			}
			w := c.want
			if got.Env != "dev" || got.Name != c.name || got.Protocol != w.protocol || got.NamedClient != w.namedClient || got.TokenSecret != w.tokenSecret {
				t.Errorf("Resolve(%q) = %+v, want %+v", c.name, got, w)
			}
			if name := itemName(got.Client); name != w.client {
				t.Errorf("client = %q, want %q", name, w.client)
			}
			if name := secretName(got.Secret); name != w.secret {
				t.Errorf("secret = %q, want %q", name, w.secret)
			}
			if msg := fmt.Sprint(got.ClientErr); (got.ClientErr != nil || c.clientErr != "") && msg != c.clientErr {
				t.Errorf("ClientErr = %v, want %q", got.ClientErr, c.clientErr)
			}
		})
	}
}

// TestResolveEnvironment: an explicit environment is used, an unknown one is
// not found, and an empty name is missing input.
func TestResolveEnvironment(t *testing.T) {
	t.Parallel()
	cat := resolveCatalog()
	got, err := vault.Resolve(cat, "prod", "api", vault.ForToken)
	if err != nil || got.Env != "prod" || got.Protocol != vault.ProtocolOAuth1 || got.Secret != nil {
		t.Errorf("prod/api = %+v, %v; want the OAuth 1.0a client of prod with no token yet", got, err)
	}
	var nf *vault.NotFoundError
	if _, err := vault.Resolve(cat, "qa", "api", vault.ForToken); !errors.As(err, &nf) || nf.Kind != "environment" {
		t.Errorf("unknown environment: %v", err)
	}
	if _, err := vault.Resolve(cat, "", "", vault.ForRequest); !errors.Is(err, vault.ErrMissingInput) {
		t.Errorf("empty name: %v, want missing input", err)
	}
	if _, err := vault.Resolve(nil, "", "api", vault.ForToken); !errors.Is(err, vault.ErrNotConfigured) {
		t.Errorf("nil catalog: %v", err)
	}
}

// TestResolveTokenSecret: a named token secret for a client — existing,
// new, of another type, of another client.
func TestResolveTokenSecret(t *testing.T) {
	t.Parallel()
	cat := resolveCatalog()
	cases := []struct {
		client, secret string
		wantSecret     string // existing secret; "" = a new one
		wantToken      string
		err            string
	}{
		{client: "photos", secret: "", wantSecret: "photos", wantToken: "photos"},
		{client: "", secret: "t2", wantSecret: "t2", wantToken: "t2"},
		{client: "twice", secret: "t2", wantSecret: "t2", wantToken: "t2"},
		{client: "twice", secret: "t3", wantToken: "t3"},
		{client: "never", secret: "loose1", wantSecret: "loose1", wantToken: "loose1"},
		{client: "photos", secret: "key", err: `secret "key" is a API_KEY, not OAuth 1.0a token credentials, so auth client "photos" cannot keep its tokens there`},
		{client: "photos", secret: "t1", err: `token secret "t1" belongs to auth client "twice", not "photos"`},
		{client: "photos", secret: "bad/name", err: `secret "bad/name": name:`},
		{client: "photos", secret: "", wantSecret: "photos", wantToken: "photos"},
		{client: "linked-tok", secret: "x", err: `no auth client "linked-tok" in environment "dev"`},
		{client: "", secret: "ghost", err: `no auth client or secret "ghost" in environment "dev"`},
	}
	for _, c := range cases {
		got, err := vault.ResolveTokenSecret(cat, "dev", c.client, c.secret)
		if c.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("(%q, %q): %+v, %v; want %q", c.client, c.secret, got, err, c.err)
			}
			continue
		}
		if err != nil || secretName(got.Secret) != c.wantSecret || got.TokenSecret != c.wantToken {
			t.Errorf("(%q, %q) = %+v, %v; want secret %q stored as %q", c.client, c.secret, got, err, c.wantSecret, c.wantToken)
		}
	}
}

// describe is a resolution as text, for comparing two.
func describe(c *vault.Credential, err error) string {
	if c == nil {
		return fmt.Sprintf("%T %v", err, err)
	}
	return fmt.Sprintf("%s/%s %s named-client=%v client=%q secret=%q tokens=%q", c.Env, c.Name, c.Protocol, c.NamedClient, itemName(c.Client), secretName(c.Secret), c.TokenSecret)
}

func itemName(c *vault.AuthClient) string {
	if c == nil {
		return ""
	}
	return c.Name
}

func secretName(s *vault.Secret) string {
	if s == nil {
		return ""
	}
	return s.Name
}

// FuzzResolve builds a catalog from the input — each line "c NAME TYPE" or
// "s NAME TYPE CLIENT" — and resolves a name in it for both uses, checking
// the rules that hold whatever the catalog: an answer or one of the typed
// errors, never both; the credential's client, secret and protocol agree;
// a missing name is not found and nothing else is.
func FuzzResolve(f *testing.F) {
	f.Add("c api OA2_AUTHORIZATION_CODE\ns api OA2_AUTHORIZATION_CODE api", "api")
	f.Add("c p OAUTH1\ns a OA1_TOKEN p\ns b OA1_TOKEN p", "p")
	f.Add("c x SESSION_AUTH\ns x API_KEY\ns y SESSION_AUTH x", "x")
	f.Add("s k OA1_TOKEN gone\nc gone OA2_AUTHORIZATION_CODE", "k")
	f.Add("c  \ns  API_KEY", "")
	clientTypes := []vault.ClientType{vault.ClientOAuth2, vault.ClientSessionAuth, vault.ClientOAuth1, ""}
	f.Fuzz(func(t *testing.T, spec, name string) {
		cat := &vault.Catalog{ActiveEnv: "dev", Environments: []vault.Environment{{Name: "dev"}}}
		for line := range strings.SplitSeq(spec, "\n") {
			fs := strings.Split(line, " ")
			if len(fs) < 3 {
				continue
			}
			switch fs[0] {
			case "c":
				if _, dup := cat.Client("dev", fs[1]); !dup {
					ct := vault.ClientType(fs[2])
					if len(fs[2]) == 1 {
						ct = clientTypes[int(fs[2][0])%len(clientTypes)]
					}
					cat.Clients = append(cat.Clients, vault.AuthClient{Meta: vault.Meta{Name: fs[1], Env: "dev"}, Type: ct})
				}
			case "s":
				if _, dup := cat.Secret("dev", fs[1]); !dup {
					st := vault.SecretType(fs[2])
					if len(fs[2]) == 1 {
						st = vault.SecretTypes[int(fs[2][0])%len(vault.SecretTypes)]
					}
					link := ""
					if len(fs) > 3 {
						link = fs[3]
					}
					cat.Secrets = append(cat.Secrets, vault.Secret{Meta: vault.Meta{Name: fs[1], Env: "dev"}, Type: st, AuthClient: link})
				}
			}
		}
		_, hasClient := cat.Client("dev", name)
		_, hasSecret := cat.Secret("dev", name)
		for _, use := range []vault.Use{vault.ForToken, vault.ForRequest} {
			got, err := vault.Resolve(cat, "", name, use)
			again, err2 := vault.Resolve(cat, "dev", name, use)
			if describe(got, err) != describe(again, err2) {
				t.Fatalf("not deterministic: %v %v / %v %v", got, err, again, err2)
			}
			if err != nil {
				if got != nil {
					t.Fatalf("both a credential and an error: %+v, %v", got, err)
				}
				var nf *vault.NotFoundError
				var amb *vault.AmbiguousError
				var re *vault.ResolveError
				switch {
				case name == "":
					if !errors.Is(err, vault.ErrMissingInput) {
						t.Fatalf("empty name: %v", err)
					}
				case errors.As(err, &nf):
					sec, _ := cat.Secret("dev", name)
					_, linkedExists := cat.Client("dev", nf.Name)
					switch {
					case nf.Kind == "auth client or secret" && (hasClient || hasSecret):
						t.Fatalf("%q exists but is not found: %v", name, err)
					case nf.Kind == "auth client" && (sec == nil || sec.AuthClient != nf.Name || linkedExists):
						t.Fatalf("auth client %q reported missing: %v", nf.Name, err)
					}
				case errors.As(err, &amb), errors.As(err, &re):
				default:
					t.Fatalf("untyped error %T: %v", err, err)
				}
				if name != "" && !errors.Is(err, vault.ErrNotConfigured) {
					t.Fatalf("%v does not match ErrNotConfigured", err)
				}
				continue
			}
			if !hasClient && !hasSecret {
				t.Fatalf("%q exists nowhere but resolved to %+v", name, got)
			}
			if got.Name != name || got.Env != "dev" {
				t.Fatalf("resolved %q in dev to %+v", name, got)
			}
			if got.NamedClient != (got.Client != nil && got.Client.Name == name && (use == vault.ForToken || !hasSecret)) {
				t.Fatalf("NamedClient wrong: %+v", got)
			}
			if use == vault.ForToken && got.Protocol == vault.ProtocolSecret {
				t.Fatalf("a plain secret resolved for a token: %+v", got)
			}
			if got.Protocol == vault.ProtocolSecret {
				if got.Secret == nil || got.TokenSecret != "" {
					t.Fatalf("plain secret: %+v", got)
				}
				continue
			}
			if got.Client != nil && got.Client.Type.Protocol() != got.Protocol {
				t.Fatalf("client %q speaks %s, credential %s", got.Client.Name, got.Client.Type.Protocol(), got.Protocol)
			}
			if got.Client == nil && got.ClientErr == nil && (got.Protocol != vault.ProtocolOAuth2 || got.NamedClient) {
				t.Fatalf("no client for %+v", got)
			}
			if got.ClientErr != nil && (use != vault.ForRequest || got.Client != nil || !errors.Is(got.ClientErr, vault.ErrNotConfigured)) {
				t.Fatalf("ClientErr %v with %+v", got.ClientErr, got)
			}
			if s := got.Secret; s != nil {
				if s.Type != got.Protocol.TokenType() || s.Name != got.TokenSecret {
					t.Fatalf("token secret %+v does not fit %+v", s, got)
				}
				if got.Client != nil && s.AuthClient != "" && s.AuthClient != got.Client.Name {
					t.Fatalf("secret %q belongs to %q, not %q", s.Name, s.AuthClient, got.Client.Name)
				}
			} else if !got.NamedClient || got.TokenSecret != got.Client.Name {
				t.Fatalf("no secret yet but %+v", got)
			}
		}
	})
}
