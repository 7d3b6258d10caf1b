package oauth

import (
	"context"
	"fmt"
	"net/http"

	"github.com/authdeck/authdeck/vault"
)

// Protocol is what a protocol engine does with the credentials of a vault:
// *Engine does it for OAuth 2.0 and session auth, oauth1.Engine for OAuth
// 1.0a, and *Dispatcher hands each name to the one its resolved credential
// needs. A request whose Credential is set (a Dispatcher sets it) is not
// resolved again. Errors are *Error values (or vault errors) whatever the
// protocol.
type Protocol interface {
	// Token returns the credential's token: the stored one while it is
	// good, else a new one obtained (a refresh, the client's grant, the
	// three-legged flow) and stored before it is returned.
	Token(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*Result, error)
	// Refresh gets a new token now with the stored refresh token.
	Refresh(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*Result, error)
	// RevokeTokens revokes the stored tokens at the provider and deletes
	// what the provider no longer honours, saying what it did.
	RevokeTokens(ctx context.Context, req TokenRequest, o RevokeOptions) (*Revocation, error)
	// Introspect asks the provider about a stored token.
	Introspect(ctx context.Context, req TokenRequest, which TokenKind) (*Introspection, error)
	// RequestAuth returns what puts the credential on resource requests: a
	// bearer token (with Force, a fresh one), or a signer.
	RequestAuth(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*RequestAuth, error)
}

// RequestAuth is what puts a credential on resource requests.
type RequestAuth struct {
	// Token is a bearer access token; empty when Signer signs instead. With
	// DPoP set it is a DPoP-bound token, sent with the DPoP scheme.
	Token string
	// Signer signs each request (OAuth 1.0a); nil for a bearer token.
	Signer RequestSigner
	// DPoP makes the proof each request with a DPoP-bound Token needs
	// (RFC 9449 §7); nil for a bearer token. A DPoP-bound token never goes
	// out without one (S-44).
	DPoP Prover
}

// Prover makes the DPoP proofs of a DPoP-bound token's resource requests
// with the key the token is bound to.
type Prover interface {
	// Proof makes the proof for one request: its method and URL (query and
	// fragment are left out), the token's hash, and the latest nonce the
	// URL's server gave.
	Proof(method, url string) (string, error)
	// SetNonce remembers a DPoP-Nonce the server at url sent.
	SetNonce(url, nonce string)
	// KeyID is the thumbprint (jkt) of the key, for display.
	KeyID() string
}

// RequestSigner signs resource requests with a credential, one signature
// per request (OAuth 1.0a, RFC 5849 §3).
type RequestSigner interface {
	// Apply signs req in place — its method, URL and form body as they will
	// be sent — putting the protocol parameters where placement says (the
	// Authorization header, the query or the form body), and returns them
	// for display.
	Apply(req *http.Request, placement vault.Placement) ([]Field, error)
	// Secrets are the values to scrub from whatever is shown of a signed
	// request (a signature returned by Apply is one too).
	Secrets() []string
}

// Dispatcher resolves a name with the vault and hands the credential to the
// engine of its protocol: OAuth 2.0 and session-auth credentials to OAuth2,
// OAuth 1.0a ones to OAuth1. It satisfies Protocol, so a front end needs no
// routing of its own. Build it with the other engines in one place
// (package oauth/engines).
type Dispatcher struct {
	// Vault holds the credentials.
	Vault *vault.Vault
	// OAuth2 runs OAuth 2.0 and session-auth credentials.
	OAuth2 Protocol
	// OAuth1 runs OAuth 1.0a credentials.
	OAuth1 Protocol
}

// Token gets req's token from the engine of its protocol.
func (d *Dispatcher) Token(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*Result, error) {
	p, req, err := d.pick(req, vault.ForToken)
	if err != nil {
		return nil, err
	}
	return p.Token(ctx, req, cb)
}

// Refresh refreshes req's token with the engine of its protocol.
func (d *Dispatcher) Refresh(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*Result, error) {
	p, req, err := d.pick(req, vault.ForToken)
	if err != nil {
		return nil, err
	}
	return p.Refresh(ctx, req, cb)
}

// RevokeTokens revokes req's tokens with the engine of its protocol.
func (d *Dispatcher) RevokeTokens(ctx context.Context, req TokenRequest, o RevokeOptions) (*Revocation, error) {
	p, req, err := d.pick(req, vault.ForToken)
	if err != nil {
		return nil, err
	}
	return p.RevokeTokens(ctx, req, o)
}

// Introspect introspects req's token with the engine of its protocol.
func (d *Dispatcher) Introspect(ctx context.Context, req TokenRequest, which TokenKind) (*Introspection, error) {
	p, req, err := d.pick(req, vault.ForToken)
	if err != nil {
		return nil, err
	}
	return p.Introspect(ctx, req, which)
}

// RequestAuth returns what puts req's credential on a request, from the
// engine of its protocol; the name is resolved as a request's credential.
func (d *Dispatcher) RequestAuth(ctx context.Context, req TokenRequest, cb FlowCallbacks) (*RequestAuth, error) {
	p, req, err := d.pick(req, vault.ForRequest)
	if err != nil {
		return nil, err
	}
	return p.RequestAuth(ctx, req, cb)
}

// pick resolves req (unless it comes resolved) and returns the engine of
// its protocol with req carrying the credential. Nothing is read from the
// store and nothing goes over the network.
func (d *Dispatcher) pick(req TokenRequest, use vault.Use) (Protocol, TokenRequest, error) {
	if req.Credential == nil {
		if d.Vault == nil {
			return nil, req, newError(KindNotConfigured, "token", "the engine has no vault", "", nil)
		}
		if req.Name == "" {
			return nil, req, newError(KindMissingInput, "token", "name an auth client or a token secret", "", nil)
		}
		cat, err := d.Vault.Load()
		if err != nil {
			return nil, req, err
		}
		cred, err := vault.Resolve(cat, req.Env, req.Name, use)
		if err != nil {
			return nil, req, resolveError("token", err)
		}
		req.Credential = cred
	}
	var p Protocol
	switch req.Credential.Protocol {
	case vault.ProtocolOAuth2, vault.ProtocolSessionAuth:
		p = d.OAuth2
	case vault.ProtocolOAuth1:
		p = d.OAuth1
	default:
		return nil, req, newError(KindNotConfigured, "token", fmt.Sprintf("%q is a %s secret, applied as it is stored; it has no tokens", req.Credential.Name, req.Credential.Secret.Type), "", nil)
	}
	if p == nil {
		return nil, req, newError(KindNotConfigured, "token", fmt.Sprintf("%q is %s credentials, and no %s engine is set up", req.Credential.Name, req.Credential.Protocol, req.Credential.Protocol), "", nil)
	}
	return p, req, nil
}
