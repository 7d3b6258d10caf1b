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
// fails, nothing is stored (S-37). Errors are *Error values (matching the
// sentinel of their kind), or vault errors.
func (e *Engine) Authorize(ctx context.Context, req AuthorizeRequest, cb Callbacks) (*Result, error) {
	ac, existing, env, err := e.resolveClient(req)
	if err != nil {
		return nil, err
	}
	if !ac.HasOAuth1Flow() {
		return nil, ErrNoFlow(ac.Name)
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
	// The provider has issued the credentials: storing them no longer
	// depends on the caller (S-39).
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	saved, err := e.Vault.PutSecret(sctx, sec, &val)
	if err != nil {
		return nil, vaultError("storing the token credentials", err)
	}
	return &Result{
		Env: env, Client: ac.Name, Secret: saved.Name, Token: tok.Token, TokenSecret: tok.Secret,
		Extra: tok.Extra, Replaced: existing != nil,
	}, nil
}

// configure hands the engine's settings to a client.
func (e *Engine) configure(c *Client) {
	c.HTTPClient, c.Opener, c.CallbackTimeout, c.Now, c.Nonce = e.HTTPClient, e.Opener, e.CallbackTimeout, e.Now, e.Nonce
}

// resolveClient finds the auth client and any token secret already stored
// under the target name (the vault's resolver), refusing before any leg
// runs when the name is taken by something else.
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
	name := req.Secret
	if name == "" {
		name = req.Client
	}
	// A name the vault would refuse is refused now, not after the user approved.
	cred, err := vault.ResolveTokenSecret(cat, req.Env, req.Client, name)
	if err != nil {
		return vault.AuthClient{}, nil, "", resolveError(err)
	}
	if cred.Protocol != vault.ProtocolOAuth1 {
		return vault.AuthClient{}, nil, "", &Error{
			Kind: KindNotConfigured, Op: "configuration",
			Reason: fmt.Sprintf("auth client %q is not an OAuth 1.0a client (it is %s)", cred.Client.Name, cred.Client.Type),
		}
	}
	return *cred.Client, cred.Secret, cred.Env, nil
}

// resolveError gives a refusal of the vault's resolver the engine's form;
// missing items and invalid names stay vault errors.
func resolveError(err error) error {
	var re *vault.ResolveError
	var amb *vault.AmbiguousError
	switch {
	case errors.As(err, &re):
		return &Error{Kind: KindNotConfigured, Op: "configuration", Reason: re.Reason, Hint: re.Hint, Err: err}
	case errors.As(err, &amb):
		return &Error{Kind: KindNotConfigured, Op: "configuration", Reason: amb.Error(), Err: err}
	}
	return err
}

// Signer returns a signer for requests made with the token credentials
// named name in env, as the vault resolves a credential for a request: an
// OA1_TOKEN secret with its auth client, or an OAuth 1.0a auth client with
// its token secret. It reads the client credentials and the token from the
// vault; no network.
func (e *Engine) Signer(ctx context.Context, env, name string) (*Signer, error) {
	if e.Vault == nil {
		return nil, &Error{Kind: KindNotConfigured, Op: "configuration", Reason: "the engine has no vault"}
	}
	cat, err := e.Vault.Load()
	if err != nil {
		return nil, err
	}
	cred, err := vault.Resolve(cat, env, name, vault.ForRequest)
	if err != nil {
		return nil, resolveError(err)
	}
	return e.signerFor(ctx, cred)
}

// signerFor reads what signs requests for the resolved credential cred.
func (e *Engine) signerFor(ctx context.Context, cred *vault.Credential) (*Signer, error) {
	notConfigured := func(reason, hint string) error {
		return &Error{Kind: KindNotConfigured, Op: "configuration", Reason: reason, Hint: hint}
	}
	switch {
	case cred.Protocol != vault.ProtocolOAuth1 && cred.NamedClient:
		return nil, notConfigured(fmt.Sprintf("auth client %q is not an OAuth 1.0a client", cred.Name), "")
	case cred.Protocol != vault.ProtocolOAuth1:
		return nil, notConfigured(fmt.Sprintf("secret %q is a %s, not OAuth 1.0a token credentials", cred.Name, cred.Secret.Type), "")
	case cred.Secret == nil && !cred.Client.HasOAuth1Flow():
		return nil, ErrNoTokenNoFlow(cred.Client.Name)
	case cred.Secret == nil:
		return nil, notConfigured(fmt.Sprintf("auth client %q has no token credentials yet", cred.Client.Name), "authorize it first (authdeck token "+cred.Client.Name+")")
	case cred.Client == nil:
		// The consumer key comes from the client the token secret is linked to.
		return nil, resolveError(cred.ClientErr)
	}
	creds, err := e.Vault.ClientCredentials(ctx, *cred.Client)
	if err != nil {
		return nil, vaultError("reading the client credentials", err)
	}
	val, err := e.Vault.SecretValue(ctx, *cred.Secret)
	if err != nil {
		return nil, vaultError("reading the token credentials", err)
	}
	s, err := NewSigner(*cred.Client, creds, val)
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
	if vault.IsStoreFailure(err) {
		return &Error{Kind: KindVault, Op: op, Reason: "the vault could not be used", Err: err}
	}
	return err
}
