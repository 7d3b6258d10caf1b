package oauth1

import (
	"fmt"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/internal/servertext"
)

// Failure kinds, shared with the OAuth 2.0 engine so both protocols' errors
// match the same sentinels.
const (
	// KindNotConfigured: a missing endpoint, consumer key or key.
	KindNotConfigured = oauth.KindNotConfigured
	// KindMissingInput: no verifier came back or was typed in.
	KindMissingInput = oauth.KindMissingInput
	// KindAborted: the user cancelled, refused, or the wait timed out.
	KindAborted = oauth.KindAborted
	// KindUnreachable: the server could not be reached or failed.
	KindUnreachable = oauth.KindUnreachable
	// KindRejected: the server refused a signed request.
	KindRejected = oauth.KindRejected
	// KindBadResponse: the server answered with something that is not OAuth.
	KindBadResponse = oauth.KindBadResponse
	// KindVault: the vault could not be read or written.
	KindVault = oauth.KindVault
	// KindOther: anything else.
	KindOther = oauth.KindOther
)

// Error is the failure of an OAuth 1.0a leg or of a signed request. It
// never contains a secret: server text is sanitised and bodies are never
// included.
type Error struct {
	// Kind says what went wrong; errors.Is matches its sentinel.
	Kind oauth.Kind
	// Op is the leg or step that failed: "request token", "authorization",
	// "access token", "configuration", "request".
	Op string
	// Problem is the server's oauth_problem (OAuth Problem Reporting), if any.
	Problem string
	// Advice is the server's oauth_problem_advice, sanitised.
	Advice string
	// Status is the HTTP status of the response, when there was one.
	Status int
	// Reason says in plain words what went wrong.
	Reason string
	// Hint says what to do next, when there is something to say.
	Hint string
	// Err is the underlying error (transport, vault), if any.
	Err error
}

// Error renders "op: reason [problem]: the server says "advice"", the way
// an OAuth 2.0 error renders its code and description.
func (e *Error) Error() string { return e.asOAuth().Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel of e's kind, as an *oauth.Error of that kind does.
func (e *Error) Is(target error) bool { return e.asOAuth().Is(target) }

// As lets errors.As find an *oauth.Error in an OAuth 1.0a failure, so code
// that explains OAuth 2.0 errors (kind, reason, hint, code) explains these
// too; the problem becomes the code.
func (e *Error) As(target any) bool {
	p, ok := target.(**oauth.Error)
	if !ok {
		return false
	}
	*p = e.asOAuth()
	return true
}

// asOAuth is e as an OAuth 2.0 error: the problem as the code, the advice
// as the description.
func (e *Error) asOAuth() *oauth.Error {
	return &oauth.Error{
		Kind: e.Kind, Op: e.Op, Code: e.Problem, Description: e.Advice, Status: e.Status,
		Reason: e.Reason, Hint: e.Hint, Err: e.Err,
	}
}

// problem is the plain-words meaning of an oauth_problem and the next step.
type problem struct {
	kind   oauth.Kind
	reason string
	hint   string
}

// problems covers the OAuth Problem Reporting extension and the
// verifier_invalid code most providers add.
var problems = map[string]problem{
	"version_rejected": {
		KindRejected, "the server does not accept oauth_version 1.0",
		"the provider may need the version left out or another protocol version",
	},
	"parameter_absent": {
		KindRejected, "the server says a required OAuth parameter is missing",
		"run with -v to see which parameters were sent; check the auth client's endpoints",
	},
	"parameter_rejected": {
		KindRejected, "the server refused an OAuth parameter",
		"check the endpoints and the callback; run with -v to see the request",
	},
	"timestamp_refused": {
		KindRejected, "the server refused the timestamp: this computer's clock differs too much from the server's",
		"set the system clock (enable network time) and try again",
	},
	"nonce_used": {
		KindRejected, "the server has already seen this nonce and timestamp: the request looked like a replay",
		"try again; if it keeps happening, check that nothing resends old requests",
	},
	"signature_method_rejected": {
		KindRejected, "the server does not accept this signature method",
		"choose a signature method the provider supports (HMAC-SHA1, HMAC-SHA256, RSA-SHA1, RSA-SHA256, PLAINTEXT)",
	},
	"signature_invalid": {
		KindRejected, "the server could not verify the signature: the consumer secret, the token secret or the RSA key does not match, or the request was changed on the way",
		"check the consumer key and secret (or the private key registered with the provider) and the signature method",
	},
	"consumer_key_unknown": {
		KindRejected, "the server does not know this consumer key",
		"check the client id (consumer key) of the auth client",
	},
	"consumer_key_rejected": {
		KindRejected, "the server rejected this consumer key (it may be suspended)",
		"check the application's status with the provider",
	},
	"consumer_key_refused": {
		KindRejected, "the server refuses this consumer key for now",
		"try again later or contact the provider",
	},
	"token_used": {
		KindRejected, "the token was already used; temporary credentials work once",
		"start the authorization again",
	},
	"token_expired": {
		KindRejected, "the token expired: the authorization took too long, or the token credentials lapsed",
		"start the authorization again and approve it sooner",
	},
	"token_revoked": {
		KindRejected, "the token was revoked",
		"authorize again",
	},
	"token_rejected": {
		KindRejected, "the server rejected the token: it is unknown, not yet authorized, or used",
		"start the authorization again",
	},
	"verifier_invalid": {
		KindRejected, "the server rejected the verifier: it does not belong to this authorization (a typo, or an old tab)",
		"start the authorization again and enter the verifier shown at the end",
	},
	"additional_authorization_required": {
		KindRejected, "the token does not cover this request; the resource owner must grant more",
		"authorize again and grant the access the request needs",
	},
	"permission_unknown": {
		KindRejected, "the resource owner has not decided yet",
		"finish the authorization in the browser, then continue",
	},
	"permission_denied": {
		KindAborted, "the resource owner refused the authorization",
		"start again and approve the access",
	},
	"user_refused": {
		KindAborted, "the resource owner refused the authorization",
		"start again and approve the access",
	},
}

// Explain returns the plain-words meaning of an oauth_problem and the next
// step. Unknown problems get a generic reason.
func Explain(p string) (reason, hint string) {
	if x, ok := problems[p]; ok {
		return x.reason, x.hint
	}
	return fmt.Sprintf("the server refused the request with oauth_problem %q", sanitize(p, 64)), "see the provider's documentation for this problem"
}

// problemError builds the *Error of a problem report.
func problemError(op, code, advice string, status int) *Error {
	code = sanitize(code, 64)
	x, ok := problems[code]
	if !ok {
		reason, hint := Explain(code)
		x = problem{KindRejected, reason, hint}
	}
	return &Error{Kind: x.kind, Op: op, Problem: code, Advice: sanitize(advice, 300), Status: status, Reason: x.reason, Hint: x.hint}
}

// sanitize makes server text safe to print (servertext.Clean).
func sanitize(s string, max int) string { return servertext.Clean(s, max) }
