package oauth

import (
	"errors"
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/oauth/internal/servertext"
	"github.com/authdeck/authdeck/vault"
)

// What went wrong talking to a server, for errors.Is. With the vault's
// sentinels (vault.ErrNotConfigured, vault.ErrMissingInput and the store
// errors) they are the small vocabulary every error of authdeck's domain
// packages maps to; a front end turns them into exit codes or words.
var (
	// ErrAborted means the user cancelled, denied consent, or a flow timed out waiting.
	ErrAborted = errors.New("aborted")
	// ErrUnreachable means a server could not be reached or failed (connection, TLS, timeout, 5xx).
	ErrUnreachable = errors.New("server unreachable")
	// ErrUnsupportedTokenType means a server issued a token that cannot be used as it is.
	ErrUnsupportedTokenType = errors.New("unsupported token type")
	// ErrRejected means a server refused a request with an OAuth error.
	ErrRejected = errors.New("rejected by the server")
	// ErrBadResponse means a server answered with something that is not a valid OAuth response.
	ErrBadResponse = errors.New("bad response")
)

// Kind classifies a failed flow; an *Error of a kind matches the kind's
// sentinel with errors.Is (see Error.Is).
type Kind int

// Failure kinds.
const (
	// KindOther is anything not covered below.
	KindOther Kind = iota
	// KindNotConfigured means a client, secret, environment or endpoint is missing (vault.ErrNotConfigured).
	KindNotConfigured
	// KindMissingInput means a scope, refresh token, template field or password is missing (vault.ErrMissingInput).
	KindMissingInput
	// KindAborted means the user cancelled, denied consent, or the flow timed out waiting (ErrAborted).
	KindAborted
	// KindUnreachable means the server could not be reached or failed (connection, TLS, timeout, 5xx) (ErrUnreachable).
	KindUnreachable
	// KindUnsupportedTokenType means the server issued a token that is not a bearer token (ErrUnsupportedTokenType).
	KindUnsupportedTokenType
	// KindRejected means the server refused the request with an OAuth error (ErrRejected).
	KindRejected
	// KindVault means the vault could not be read or written; the store error inside says how.
	KindVault
	// KindBadResponse means the server answered with something that is not a valid OAuth response (ErrBadResponse).
	KindBadResponse
)

// kindSentinels are the sentinels of the kinds that have one, in the order
// KindOf tries them.
var kindSentinels = []struct {
	kind Kind
	err  error
}{
	{KindNotConfigured, vault.ErrNotConfigured},
	{KindMissingInput, vault.ErrMissingInput},
	{KindAborted, ErrAborted},
	{KindUnreachable, ErrUnreachable},
	{KindUnsupportedTokenType, ErrUnsupportedTokenType},
	{KindRejected, ErrRejected},
	{KindBadResponse, ErrBadResponse},
}

var kindNames = map[Kind]string{
	KindOther:                "error",
	KindNotConfigured:        "not configured",
	KindMissingInput:         "missing input",
	KindAborted:              "aborted",
	KindUnreachable:          "server unreachable",
	KindUnsupportedTokenType: "unsupported token type",
	KindRejected:             "rejected by the server",
	KindVault:                "vault unavailable",
	KindBadResponse:          "bad response",
}

// String names the kind in a few words.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is the failure of an OAuth flow. It never contains a secret value:
// server-supplied text is sanitised and bodies are never included.
type Error struct {
	// Kind says what went wrong; errors.Is matches its sentinel.
	Kind Kind
	// Op is the step that failed: "token request", "refresh", "authorization", …
	Op string
	// Code is the OAuth error code the server sent (RFC 6749 §5.2), if any.
	Code string
	// Description is the server's error_description, sanitised.
	Description string
	// URI is the server's error_uri, sanitised.
	URI string
	// Status is the HTTP status of the response, when there was one.
	Status int
	// Reason says in plain words what went wrong.
	Reason string
	// Hint says what to do next, when there is something to say.
	Hint string
	// Err is the underlying error (transport, vault), if any.
	Err error
}

// Error renders "op: reason [code]: server says "…"".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	reason := e.Reason
	if reason == "" {
		reason = e.Kind.String()
	}
	b.WriteString(reason)
	if e.Code != "" {
		b.WriteString(" [")
		b.WriteString(e.Code)
		b.WriteString("]")
	}
	if e.Description != "" {
		fmt.Fprintf(&b, `: the server says "%s"`, e.Description)
	}
	if e.Err != nil && !strings.Contains(reason, e.Err.Error()) {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, sentinel) true for the sentinel of e's kind:
// vault.ErrNotConfigured for KindNotConfigured, ErrRejected for
// KindRejected, and so on. KindVault and KindOther have none (the store
// error inside a KindVault error says what happened to the vault).
func (e *Error) Is(target error) bool {
	for _, ks := range kindSentinels {
		if ks.kind == e.Kind {
			return target == ks.err
		}
	}
	return false
}

// KindOf returns the Kind of err: the Kind of an *Error inside it, else
// KindVault for a store failure, else the kind whose sentinel err matches
// (a missing item, missing input, a server that is unreachable …), else
// KindOther.
func KindOf(err error) Kind {
	var oe *Error
	switch {
	case err == nil:
		return KindOther
	case errors.As(err, &oe):
		return oe.Kind
	case vault.IsStoreFailure(err):
		return KindVault
	}
	for _, ks := range kindSentinels {
		if errors.Is(err, ks.err) {
			return ks.kind
		}
	}
	return KindOther
}

// explanation is the plain-words meaning of an OAuth error code and the next step.
type explanation struct {
	kind   Kind
	reason string
	hint   string
}

// explanations covers RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009,
// RFC 8628 §3.5 and the OpenID Connect authentication errors.
var explanations = map[string]explanation{
	"invalid_request": {
		KindRejected, "the server says the request is malformed or misses a parameter",
		"check the auth client's endpoints and extra parameters; run with -v to see the request",
	},
	"invalid_client": {
		KindRejected, "client authentication failed",
		"check the client id, the client secret or key, and the auth method (client_secret_basic, client_secret_post, private_key_jwt …)",
	},
	"invalid_grant": {
		KindRejected, "the server refused the grant: the code or refresh token is invalid, expired, used or revoked, or the redirect URI differs",
		"sign in again",
	},
	"unauthorized_client": {
		KindRejected, "this client is not allowed to use this grant",
		"allow the grant for the client at the provider, or configure the grant the provider allows",
	},
	"unsupported_grant_type": {
		KindRejected, "the server does not support this grant type",
		"check the grant configured for the auth client",
	},
	"invalid_scope": {
		KindRejected, "the requested scope is invalid, unknown, or more than this client may ask for",
		"check the scopes (--scope) against what the provider allows this client",
	},
	"access_denied": {
		KindAborted, "access was denied: the user declined or the server refused the authorization",
		"start the flow again and approve the consent screen",
	},
	"unsupported_response_type": {
		KindRejected, "the server does not support this response type for the client",
		"check the grant configured for the auth client",
	},
	"server_error": {
		KindUnreachable, "the authorization server had an internal error",
		"try again later",
	},
	"temporarily_unavailable": {
		KindUnreachable, "the authorization server is temporarily unavailable",
		"try again later",
	},
	"invalid_token": {
		KindRejected, "the token is invalid, expired or revoked",
		"get a new token (authdeck token NAME --force)",
	},
	"insufficient_scope": {
		KindRejected, "the token lacks a scope the resource needs",
		"ask for the scope the server names (--scope)",
	},
	"unsupported_token_type": {
		KindRejected, "the server cannot revoke or introspect this type of token",
		"nothing to do for this token type",
	},
	"login_required": {
		KindRejected, "the provider needs the user to log in, but the request forbade a login page (prompt=none)",
		"use another prompt value for the auth client",
	},
	"consent_required": {
		KindRejected, "the provider needs the user's consent, but the request forbade a consent page (prompt=none)",
		"sign in once with prompt=consent",
	},
	"interaction_required": {
		KindRejected, "the provider needs user interaction, but the request forbade it (prompt=none)",
		"use another prompt value for the auth client",
	},
	"account_selection_required": {
		KindRejected, "the provider needs the user to pick an account, but the request forbade it",
		"use another prompt value for the auth client",
	},
	"authorization_pending": {
		KindAborted, "the user has not finished signing in yet",
		"finish signing in on the verification page",
	},
	"slow_down": {
		KindRejected, "the client polled too fast",
		"try again",
	},
	"expired_token": {
		KindAborted, "the device code expired before the sign-in was finished",
		"start again and enter the code sooner",
	},
	// RFC 9449 (DPoP).
	"use_dpop_nonce": {
		KindRejected, "the server wants a DPoP proof with its nonce, and the retry with the nonce it gave was refused too (or it gave none)",
		"try again; if it keeps failing, the server rotates its nonce faster than requests travel",
	},
	"invalid_dpop_proof": {
		KindRejected, "the server refused the DPoP proof (signature, key, method, URL, time, nonce or a replayed jti)",
		"check the client's clock and that the token is used with the key it is bound to; run with -v to see the exchange",
	},
	// RFC 9126 (pushed authorization requests) and RFC 9101 (request objects).
	"invalid_request_uri": {
		KindRejected, "the provider refused the request_uri: it expired, was already used, or is unknown",
		"start the sign-in again and finish it before the pushed request expires",
	},
	"invalid_request_object": {
		KindRejected, "the provider refused the signed request object (signature, key, iss, aud or expiry)",
		"check the client's key and that its public key is registered at the provider",
	},
	"request_not_supported":     {KindRejected, "the provider does not accept signed request objects", "turn request objects off for this client"},
	"request_uri_not_supported": {KindRejected, "the provider does not accept request_uri", "turn pushed authorization requests off for this client"},
	// RFC 8693 (token exchange).
	"invalid_target": {
		KindRejected, "the provider will not issue a token for the requested audience or resource (the exchange was denied)",
		"check the auth client's audience and resource against what the provider lets this client exchange for",
	},
}

// Explain returns the plain-words meaning of an OAuth error code and the next
// step. Unknown codes get a generic reason.
func Explain(code string) (reason, hint string) {
	if x, ok := explanations[code]; ok {
		return x.reason, x.hint
	}
	return fmt.Sprintf("the server refused the request with error code %q", code), "see the provider's documentation for this error code"
}

// oauthError builds the *Error for an OAuth error response.
func oauthError(op, code, desc, uri string, status int) *Error {
	code = sanitize(code, 64)
	x, ok := explanations[code]
	if !ok {
		reason, hint := Explain(code)
		x = explanation{KindRejected, reason, hint}
	}
	return &Error{
		Kind:        x.kind,
		Op:          op,
		Code:        code,
		Description: sanitize(desc, 300),
		URI:         sanitize(uri, 300),
		Status:      status,
		Reason:      x.reason,
		Hint:        x.hint,
	}
}

// refreshError turns an error of a refresh request into one that asks for a
// new sign-in when the refresh token is no longer good (S-17).
func refreshError(err error, name string) error {
	var oe *Error
	if errors.As(err, &oe) && oe.Code == "invalid_grant" {
		cp := *oe
		cp.Reason = "the refresh token was used, expired or revoked"
		cp.Hint = "sign in again"
		if name != "" {
			cp.Hint = fmt.Sprintf("sign in again: authdeck token %s --force", name)
		}
		return &cp
	}
	return err
}

// sanitize makes server text safe to print (servertext.Clean).
func sanitize(s string, max int) string { return servertext.Clean(s, max) }

// newError is a short constructor for flow errors without an OAuth code.
func newError(kind Kind, op, reason, hint string, err error) *Error {
	return &Error{Kind: kind, Op: op, Reason: reason, Hint: hint, Err: err}
}

// vaultError wraps a store failure while persisting or reading tokens.
func vaultError(op string, err error) error {
	if err == nil {
		return nil
	}
	var oe *Error
	if errors.As(err, &oe) {
		return err
	}
	if vault.IsStoreFailure(err) {
		return &Error{Kind: KindVault, Op: op, Reason: "the vault could not be used", Err: err}
	}
	return err
}
