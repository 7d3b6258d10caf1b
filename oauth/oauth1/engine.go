package oauth1

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

// Engine runs OAuth 1.0a flows for auth clients of a vault and keeps their
// token credentials there as OA1_TOKEN secrets. The zero value of each
// optional field has a sensible default. An Engine is safe for concurrent use.
type Engine struct {
	// Vault holds the auth clients, their credentials and the token secrets.
	Vault *vault.Vault
	// HTTPClient sends the requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Opener opens the browser; nil means oauth.SystemOpener(os.Getenv).
	Opener oauth.Opener
	// CallbackTimeout bounds the wait for the authorization; zero means 5 min.
	CallbackTimeout time.Duration
	// Now and Nonce feed the signer; nil means the defaults.
	Now   func() time.Time
	Nonce func() string
}

// AuthorizeRequest names the auth client to authorize and where its token
// credentials go.
type AuthorizeRequest struct {
	// Env is the environment; empty means the catalog's active one.
	Env string
	// Client names an OAuth 1.0a auth client of the environment.
	Client string
	// Secret names the OA1_TOKEN secret to store; empty means the client's name.
	// An existing secret of that name must be an OA1_TOKEN of this client; it
	// is replaced.
	Secret string
	// NoBrowser keeps the browser closed; the URL is still shown.
	NoBrowser bool
	// Record receives each leg, secrets redacted; nil records nothing.
	Record Recorder
}

// Result says what Authorize stored.
type Result struct {
	// Env, Client and Secret name where the token credentials live.
	Env, Client, Secret string
	// Token and TokenSecret are the token credentials.
	Token, TokenSecret string
	// Extra lists the other parameters of the provider's answer (user_id, …).
	Extra []Param
	// Replaced reports that an earlier token secret was overwritten.
	Replaced bool
}

// Authorize runs the three-legged flow for req.Client and stores the token
// credentials as an OA1_TOKEN secret linked to the client. When any leg
// fails, nothing is stored (S-37). Errors are *Error values with the exit
// code of their kind, or vault errors.
func (e *Engine) Authorize(ctx context.Context, req AuthorizeRequest, cb Callbacks) (*Result, error) {
	ac, existing, env, err := e.resolveClient(req)
	if err != nil {
		return nil, err
	}
	creds, err := e.Vault.ClientCredentials(ctx, ac)
	if err != nil {
		return nil, vaultError("reading the client credentials", err)
	}
	c, err := ClientFor(ac, creds)
	if err != nil {
		return nil, err
	}
	e.configure(c)
	tok, err := c.Authorize(ctx, Options{NoBrowser: req.NoBrowser, Record: req.Record}, cb)
	if err != nil {
		return nil, err
	}
	name := req.Secret
	if name == "" {
		name = ac.Name
	}
	sec := vault.Secret{Meta: vault.Meta{Name: name, Env: env}, Type: vault.TypeOAuth1Token}
	if existing != nil {
		sec = *existing
	}
	sec.AuthClient = ac.Name
	now := time.Now().UTC().Truncate(time.Second)
	if e.Now != nil {
		now = e.Now().UTC().Truncate(time.Second)
	}
	sec.LastRefresh = &now
	val := vault.SecretValue{AuthClientID: ac.ID, Token: tok.Token, TokenSecret: tok.Secret}
	saved, err := e.Vault.PutSecret(ctx, sec, &val)
	if err != nil {
		return nil, vaultError("storing the token credentials", err)
	}
	return &Result{Env: env, Client: ac.Name, Secret: saved.Name, Token: tok.Token, TokenSecret: tok.Secret,
		Extra: tok.Extra, Replaced: existing != nil}, nil
}

// configure hands the engine's settings to a client.
func (e *Engine) configure(c *Client) {
	c.HTTPClient, c.Opener, c.CallbackTimeout, c.Now, c.Nonce = e.HTTPClient, e.Opener, e.CallbackTimeout, e.Now, e.Nonce
}

// resolveClient finds the auth client and any token secret already stored
// under the target name, refusing before any leg runs when the name is
// taken by something else.
func (e *Engine) resolveClient(req AuthorizeRequest) (vault.AuthClient, *vault.Secret, string, error) {
	if e.Vault == nil {
		return vault.AuthClient{}, nil, "", &Error{Kind: KindNotConfigured, Op: "configuration", Reason: "the engine has no vault"}
	}
	if req.Client == "" {
		return vault.AuthClient{}, nil, "", &Error{Kind: KindMissingInput, Op: "configuration", Reason: "name an OAuth 1.0a auth client"}
	}
	cat, err := e.Vault.Load()
	if err != nil {
		return vault.AuthClient{}, nil, "", err
	}
	env, err := vault.ResolveEnv(cat, req.Env)
	if err != nil {
		return vault.AuthClient{}, nil, "", err
	}
	c, ok := cat.Client(env, req.Client)
	if !ok {
		return vault.AuthClient{}, nil, "", &vault.NotFoundError{Kind: "auth client", Name: req.Client, Env: env}
	}
	if c.Type != vault.ClientOAuth1 {
		return vault.AuthClient{}, nil, "", &Error{Kind: KindNotConfigured, Op: "configuration",
			Reason: fmt.Sprintf("auth client %q is not an OAuth 1.0a client (it is %s)", c.Name, c.Type)}
	}
	name := req.Secret
	if name == "" {
		name = c.Name
	}
	// A name the vault would refuse is refused now, not after the user approved.
	if err := vault.ValidateName("secret", name); err != nil {
		return vault.AuthClient{}, nil, "", err
	}
	var existing *vault.Secret
	if s, ok := cat.Secret(env, name); ok {
		if s.Type != vault.TypeOAuth1Token || (s.AuthClient != "" && s.AuthClient != c.Name) {
			return vault.AuthClient{}, nil, "", &Error{Kind: KindNotConfigured, Op: "configuration",
				Reason: fmt.Sprintf("secret %q already exists as a %s not linked to auth client %q, so the token credentials cannot use its name", s.Name, s.Type, c.Name),
				Hint:   "name another secret for the token, or rename or remove that one"}
		}
		cp := *s
		existing = &cp
	}
	return *c, existing, env, nil
}

// TokenSecrets returns the token secrets of the OAuth 1.0a auth client
// named client in env, as Signer picks them: the OA1_TOKEN secret named
// like the client when one is linked to it, else every one linked to it.
// None means the client was never authorized; several must be named.
func TokenSecrets(cat *vault.Catalog, env, client string) []vault.Secret {
	var linked []vault.Secret
	for _, s := range cat.SecretsIn(env) {
		if s.Type == vault.TypeOAuth1Token && s.AuthClient == client {
			if s.Name == client {
				return []vault.Secret{s}
			}
			linked = append(linked, s)
		}
	}
	return linked
}

// Signer returns a signer for requests made with the token credentials
// named name in env: an OA1_TOKEN secret (linked to its auth client), or an
// OAuth 1.0a auth client (its token secret: the one of the same name, else
// the only one linked to it). It reads the client credentials and the
// token from the vault; no network.
func (e *Engine) Signer(ctx context.Context, env, name string) (*Signer, error) {
	if e.Vault == nil {
		return nil, &Error{Kind: KindNotConfigured, Op: "configuration", Reason: "the engine has no vault"}
	}
	cat, err := e.Vault.Load()
	if err != nil {
		return nil, err
	}
	if env, err = vault.ResolveEnv(cat, env); err != nil {
		return nil, err
	}
	notConfigured := func(reason, hint string) error {
		return &Error{Kind: KindNotConfigured, Op: "configuration", Reason: reason, Hint: hint}
	}
	var sec vault.Secret
	if c, ok := cat.Client(env, name); ok && c.Type == vault.ClientOAuth1 {
		linked := TokenSecrets(cat, env, c.Name)
		switch len(linked) {
		case 0:
			return nil, notConfigured(fmt.Sprintf("auth client %q has no token credentials yet", c.Name), "authorize it first (authdeck token "+c.Name+")")
		case 1:
			sec = linked[0]
		default:
			return nil, notConfigured(fmt.Sprintf("auth client %q has several token secrets; name one of them", c.Name), "")
		}
	} else if s, ok := cat.Secret(env, name); ok {
		if s.Type != vault.TypeOAuth1Token {
			return nil, notConfigured(fmt.Sprintf("secret %q is a %s, not OAuth 1.0a token credentials", s.Name, s.Type), "")
		}
		sec = *s
	} else if ok {
		return nil, notConfigured(fmt.Sprintf("auth client %q is not an OAuth 1.0a client", name), "")
	} else {
		return nil, &vault.NotFoundError{Kind: "OAuth 1.0a token secret or auth client", Name: name, Env: env}
	}
	if sec.AuthClient == "" {
		return nil, notConfigured(fmt.Sprintf("OAuth 1.0a token secret %q names no auth client, so there is no consumer key to sign with", sec.Name),
			"link the secret to its auth client")
	}
	ac, ok := cat.Client(env, sec.AuthClient)
	if !ok {
		return nil, &vault.NotFoundError{Kind: "auth client", Name: sec.AuthClient, Env: env}
	}
	creds, err := e.Vault.ClientCredentials(ctx, *ac)
	if err != nil {
		return nil, vaultError("reading the client credentials", err)
	}
	val, err := e.Vault.SecretValue(ctx, sec)
	if err != nil {
		return nil, vaultError("reading the token credentials", err)
	}
	s, err := NewSigner(*ac, creds, val)
	if err != nil {
		return nil, err
	}
	s.Now, s.Nonce = e.Now, e.Nonce
	return s, nil
}

// NewSigner returns a signer for requests made with stored token
// credentials tok of the OAuth 1.0a auth client ac.
func NewSigner(ac vault.AuthClient, creds vault.ClientCredentials, tok vault.SecretValue) (*Signer, error) {
	c, err := ClientFor(ac, creds)
	if err != nil {
		return nil, err
	}
	if tok.Token == "" {
		return nil, &Error{Kind: KindMissingInput, Op: "configuration", Reason: "the token credentials have no token"}
	}
	return c.Signer(&Credentials{Token: tok.Token, Secret: tok.TokenSecret}), nil
}

// vaultError wraps a store failure; other errors pass through.
func vaultError(op string, err error) error {
	var oe *Error
	if errors.As(err, &oe) {
		return err
	}
	if vault.ExitCode(err) == vault.ExitVault {
		return &Error{Kind: KindVault, Op: op, Reason: "the vault could not be used", Err: err}
	}
	return err
}
