package vault

import (
	"fmt"
	"strings"
)

// Protocol says how a credential is used: which engine gets, keeps and
// applies its tokens, or that the secret is applied as it is stored.
type Protocol string

// Protocols.
const (
	// ProtocolOAuth2 is an OAuth 2.0 auth client and its
	// OA2_AUTHORIZATION_CODE token set.
	ProtocolOAuth2 Protocol = "oauth2"
	// ProtocolSessionAuth is a SESSION_AUTH auth client and the SESSION_AUTH
	// secret that holds its input fields and caches its token.
	ProtocolSessionAuth Protocol = "session_auth"
	// ProtocolOAuth1 is an OAuth 1.0a auth client and its OA1_TOKEN token
	// credentials.
	ProtocolOAuth1 Protocol = "oauth1"
	// ProtocolSecret is a secret applied as it is stored: an API key, basic
	// credentials, a client certificate or a private key.
	ProtocolSecret Protocol = "secret"
)

// String names the protocol for people.
func (p Protocol) String() string {
	switch p {
	case ProtocolOAuth2:
		return "OAuth 2.0"
	case ProtocolSessionAuth:
		return "session auth"
	case ProtocolOAuth1:
		return "OAuth 1.0a"
	case ProtocolSecret:
		return "plain secret"
	}
	return string(p)
}

// Protocol is the protocol of the auth client type. An unset type is an
// OAuth 2.0 client, as everywhere else.
func (t ClientType) Protocol() Protocol {
	switch t {
	case ClientSessionAuth:
		return ProtocolSessionAuth
	case ClientOAuth1:
		return ProtocolOAuth1
	case ClientOAuth2:
		// below, with an unset type
	}
	return ProtocolOAuth2
}

// Protocol is the protocol whose tokens a secret of this type keeps, or
// ProtocolSecret for the types applied as they are stored.
func (t SecretType) Protocol() Protocol {
	if ti, ok := t.Info(); ok && ti.Client != "" {
		return ti.Client.Protocol()
	}
	return ProtocolSecret
}

// TokenType is the secret type that keeps the protocol's tokens; empty for
// ProtocolSecret.
func (p Protocol) TokenType() SecretType {
	switch p {
	case ProtocolOAuth2:
		return TypeOAuthToken
	case ProtocolSessionAuth:
		return TypeSessionAuth
	case ProtocolOAuth1:
		return TypeOAuth1Token
	case ProtocolSecret:
		// no token secret, below
	}
	return ""
}

// tokenWords names what a token secret of the protocol holds, for messages.
func (p Protocol) tokenWords() string {
	switch p {
	case ProtocolSessionAuth:
		return "a session-auth secret"
	case ProtocolOAuth1:
		return "OAuth 1.0a token credentials"
	case ProtocolOAuth2, ProtocolSecret:
		// a token set, below
	}
	return "an OAuth 2.0 token set"
}

// Use says what a name is resolved for. It decides which item wins when an
// auth client and a secret share the name, and whether a plain secret will do.
type Use int

// Uses.
const (
	// ForToken resolves a name to get, refresh, revoke or inspect its tokens
	// (authdeck token, exec, the token and flow panes): an auth client wins
	// over a secret of the same name, and a plain secret is refused.
	ForToken Use = iota
	// ForRequest resolves a credential to apply to a request (--auth, a saved
	// request's auth): a secret wins over an auth client of the same name, and
	// every secret type resolves (the sender says which it cannot apply).
	ForRequest
)

// Credential is what a name means in an environment.
type Credential struct {
	// Env is the environment the name was resolved in.
	Env string
	// Name is the name as it was given.
	Name string
	// Protocol is how the credential is used.
	Protocol Protocol
	// NamedClient reports that Name is the auth client's name (not a secret's).
	NamedClient bool
	// Client is the auth client: the one named, or the one the named secret
	// is linked to; nil for a secret linked to none (or, for a plain secret,
	// to one that does not exist).
	Client *AuthClient
	// Secret is the secret named, or the auth client's token secret; nil
	// while the client has none (its first token creates TokenSecret).
	Secret *Secret
	// TokenSecret is where the protocol keeps the tokens: Secret's name, or
	// the name the first token is stored under. Empty for ProtocolSecret.
	TokenSecret string
	// ClientErr says why a token secret resolved for a request has no
	// Client (it names none, or one that does not exist or speaks another
	// protocol): a request checks its allowed hosts before it needs the
	// client, and reports this only when it does. Nil otherwise.
	ClientErr error
}

// AmbiguousError says an auth client has several token secrets, so which
// one to use must be named.
type AmbiguousError struct {
	Env    string
	Client string
	// Secrets are the candidates, in catalog order.
	Secrets []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("auth client %q has several token secrets (%s); name one of them", e.Client, quoteNames(e.Secrets))
}

// Is makes errors.Is(err, ErrNotConfigured) true: the catalog does not say
// which secret to use.
func (e *AmbiguousError) Is(target error) bool { return target == ErrNotConfigured }

// ResolveError says an item exists under a name but cannot stand for what
// was asked: a secret of another type, a token secret linked to no auth
// client or to one of another protocol, a name taken by another secret.
type ResolveError struct {
	Env  string
	Name string
	// Reason says what is wrong, in a sentence.
	Reason string
	// Hint says what to do about it, when there is something to say.
	Hint string
}

func (e *ResolveError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrNotConfigured) true.
func (e *ResolveError) Is(target error) bool { return target == ErrNotConfigured }

// Resolve says what name means in environment env (empty: the catalog's
// active one) for use:
//
//   - An auth client (ForToken: before a secret of the same name; ForRequest:
//     after one) stands for its token secret: the secret of its protocol's
//     token type named like the client and linked to it or to none, else the
//     only one linked to it. None means its first token creates one named
//     like the client (a SESSION_AUTH client needs one, for its input
//     fields); several must be named.
//   - A token secret (OA2_AUTHORIZATION_CODE, SESSION_AUTH, OA1_TOKEN)
//     stands for itself with the auth client it is linked to, which must
//     exist and speak its protocol. Session-auth and OAuth 1.0a secrets need
//     that link; an OAuth 2.0 token set without one can still be sent. For a
//     request a missing or broken link is not an error yet: ClientErr keeps
//     it for when the client is needed.
//   - Any other secret is applied as stored (ForRequest only), with the auth
//     client it is linked to when that exists.
//
// Errors are a *NotFoundError (nothing has the name), an *AmbiguousError or
// a *ResolveError; all match ErrNotConfigured.
func Resolve(cat *Catalog, env, name string, use Use) (*Credential, error) {
	if cat == nil {
		return nil, &ResolveError{Env: env, Name: name, Reason: "the catalog has not been read yet"}
	}
	env, err := ResolveEnv(cat, env)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("%w: name an auth client or a secret", ErrMissingInput)
	}
	c, hasClient := cat.Client(env, name)
	s, hasSecret := cat.Secret(env, name)
	switch {
	case hasClient && (use == ForToken || !hasSecret):
		return resolveClient(cat, env, name, c)
	case hasSecret:
		return resolveSecret(cat, env, name, s, use)
	}
	return nil, &NotFoundError{Kind: "auth client or secret", Name: name, Env: env}
}

// ResolveTokenSecret resolves the auth client named client (ForToken) with
// its tokens going to the secret named secret instead of the client's own:
// an existing secret of the protocol's token type, linked to the client or
// to none, or a new one the first token creates. With secret empty the
// client's own token secret is used, as Resolve finds it; with client empty
// secret names a token secret, resolved ForToken.
func ResolveTokenSecret(cat *Catalog, env, client, secret string) (*Credential, error) {
	if client == "" {
		return Resolve(cat, env, secret, ForToken)
	}
	if cat == nil {
		return nil, &ResolveError{Env: env, Name: client, Reason: "the catalog has not been read yet"}
	}
	env, err := ResolveEnv(cat, env)
	if err != nil {
		return nil, err
	}
	c, ok := cat.Client(env, client)
	if !ok {
		return nil, &NotFoundError{Kind: "auth client", Name: client, Env: env}
	}
	if secret == "" {
		return resolveClient(cat, env, client, c)
	}
	if err := ValidateName("secret", secret); err != nil {
		return nil, err
	}
	cl := *c
	cred := &Credential{Env: env, Name: client, Protocol: c.Type.Protocol(), NamedClient: true, Client: &cl, TokenSecret: secret}
	if s, ok := cat.Secret(env, secret); ok {
		if err := tokenSecretFits(env, s, c); err != nil {
			return nil, err
		}
		cp := *s
		cred.Secret = &cp
	}
	return cred, nil
}

// resolveClient resolves the auth client c, named name, to its token secret.
func resolveClient(cat *Catalog, env, name string, c *AuthClient) (*Credential, error) {
	cl := *c
	p := c.Type.Protocol()
	cred := &Credential{Env: env, Name: name, Protocol: p, NamedClient: true, Client: &cl, TokenSecret: c.Name}
	if s, ok := cat.Secret(env, c.Name); ok && s.Type == p.TokenType() && (s.AuthClient == "" || s.AuthClient == c.Name) {
		cp := *s
		cred.Secret = &cp
		return cred, nil
	}
	var linked []Secret
	for _, s := range cat.SecretsIn(env) {
		if s.Type == p.TokenType() && s.AuthClient == c.Name {
			linked = append(linked, s)
		}
	}
	switch len(linked) {
	case 1:
		cred.Secret, cred.TokenSecret = &linked[0], linked[0].Name
		return cred, nil
	case 0:
	default:
		names := make([]string, len(linked))
		for i, s := range linked {
			names[i] = s.Name
		}
		return nil, &AmbiguousError{Env: env, Client: c.Name, Secrets: names}
	}
	if p == ProtocolSessionAuth {
		return nil, &ResolveError{
			Env: env, Name: name,
			Reason: fmt.Sprintf("no SESSION_AUTH secret uses auth client %q in environment %q", c.Name, env),
			Hint:   "add one with its inputFields (authdeck secret add NAME --type SESSION_AUTH …)",
		}
	}
	// The first token is stored under the client's name, which must be free.
	if s, ok := cat.Secret(env, c.Name); ok {
		if err := tokenSecretFits(env, s, c); err != nil {
			return nil, err
		}
	}
	return cred, nil
}

// tokenSecretFits checks that the existing secret s can keep the tokens of
// auth client c: it is of the protocol's token type and linked to c or to none.
func tokenSecretFits(env string, s *Secret, c *AuthClient) error {
	p := c.Type.Protocol()
	switch {
	case s.Type != p.TokenType():
		return &ResolveError{
			Env: env, Name: s.Name,
			Reason: fmt.Sprintf("secret %q is a %s, not %s, so auth client %q cannot keep its tokens there", s.Name, s.Type, p.tokenWords(), c.Name),
			Hint:   "name another secret for the tokens, or rename or remove that one",
		}
	case s.AuthClient != "" && s.AuthClient != c.Name:
		return &ResolveError{
			Env: env, Name: s.Name,
			Reason: fmt.Sprintf("token secret %q belongs to auth client %q, not %q", s.Name, s.AuthClient, c.Name),
			Hint:   "name another secret for the tokens",
		}
	}
	return nil
}

// resolveSecret resolves the secret s, named name, with its auth client.
func resolveSecret(cat *Catalog, env, name string, s *Secret, use Use) (*Credential, error) {
	sc := *s
	p := s.Type.Protocol()
	cred := &Credential{Env: env, Name: name, Protocol: p, Secret: &sc}
	if p == ProtocolSecret {
		if use == ForToken {
			return nil, &ResolveError{
				Env: env, Name: name,
				Reason: fmt.Sprintf("secret %q is a %s, which holds no tokens; tokens come from auth clients and OAuth token, OAuth 1.0a token or session-auth secrets", s.Name, s.Type),
				Hint:   "use `authdeck secret show " + s.Name + " --reveal` for other secrets",
			}
		}
		if c, ok := cat.Client(env, s.AuthClient); ok && s.AuthClient != "" {
			cl := *c
			cred.Client = &cl
		}
		return cred, nil
	}
	cred.TokenSecret = s.Name
	c, err := linkedClient(cat, env, s)
	switch {
	case err != nil && use == ForRequest:
		cred.ClientErr = err
	case err != nil:
		return nil, err
	case c != nil:
		cl := *c
		cred.Client = &cl
	}
	return cred, nil
}

// linkedClient is the auth client the token secret s is linked to: nil for
// an OAuth 2.0 token set linked to none (its token can still be sent), an
// error when the link is missing, broken or to a client of another protocol.
func linkedClient(cat *Catalog, env string, s *Secret) (*AuthClient, error) {
	p := s.Type.Protocol()
	if s.AuthClient == "" {
		if p == ProtocolOAuth2 {
			return nil, nil
		}
		return nil, &ResolveError{
			Env: env, Name: s.Name,
			Reason: fmt.Sprintf("%s secret %q names no auth client", s.Type, s.Name),
			Hint:   "link the secret to its auth client",
		}
	}
	c, ok := cat.Client(env, s.AuthClient)
	if !ok {
		return nil, &NotFoundError{Kind: "auth client", Name: s.AuthClient, Env: env}
	}
	if c.Type.Protocol() != p {
		return nil, &ResolveError{
			Env: env, Name: s.Name,
			Reason: fmt.Sprintf("%s secret %q is linked to auth client %q, which is not %s", s.Type, s.Name, c.Name, p.clientWords()),
			Hint:   "link the secret to its auth client",
		}
	}
	return c, nil
}

// clientWords names an auth client of the protocol, for messages.
func (p Protocol) clientWords() string {
	switch p {
	case ProtocolSessionAuth:
		return "a SESSION_AUTH auth client"
	case ProtocolOAuth1:
		return "an OAuth 1.0a auth client"
	case ProtocolOAuth2, ProtocolSecret:
		// an OAuth 2.0 client, below
	}
	return "an OAuth 2.0 auth client"
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
