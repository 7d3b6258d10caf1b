package oauth1

import (
	"crypto/subtle"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/internal/loopback"
	"github.com/authdeck/authdeck/vault"
)

// OOB is the callback value of an out-of-band configuration (§2.1): the
// provider shows the verifier and the user types it in.
const OOB = "oob"

// maxCallbackQuery bounds a callback query or a pasted callback URL.
const maxCallbackQuery = 16 << 10

// ParseCallback checks the query of the redirect back from the provider
// (§2.2) and returns the verifier. oauth_token must equal the temporary
// token the flow sent the user with (a different one is a stale tab or a
// forged request); a refusal (denied=…, oauth_problem=user_refused) ends the
// flow as cancelled; a missing oauth_verifier is missing input.
func ParseCallback(rawQuery, tempToken string) (string, error) {
	const op = "authorization"
	if len(rawQuery) > maxCallbackQuery {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: fmt.Sprintf("the callback query is longer than %d bytes", maxCallbackQuery)}
	}
	ps, err := ParseForm(rawQuery)
	if err != nil {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: "the callback query does not parse: " + sanitize(err.Error(), 200)}
	}
	var tokens, verifiers []string
	var denied, problem, advice string
	for _, p := range ps {
		switch p.Name {
		case "oauth_token":
			tokens = append(tokens, p.Value)
		case "oauth_verifier":
			verifiers = append(verifiers, p.Value)
		case "denied":
			denied = "user_refused"
		case "oauth_problem":
			problem = p.Value
		case "oauth_problem_advice":
			advice = p.Value
		}
	}
	if len(tokens) > 1 || len(verifiers) > 1 {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: "the callback carries oauth_token or oauth_verifier more than once; it was refused"}
	}
	if len(tokens) == 1 && subtle.ConstantTimeCompare([]byte(tokens[0]), []byte(tempToken)) != 1 {
		return "", &Error{
			Kind: KindAborted, Op: op,
			Reason: "the callback names a temporary token that does not belong to this authorization (a stale tab or a forged request); it was refused before any token request",
			Hint:   "start the authorization again and use the newest browser tab",
		}
	}
	if problem == "" {
		problem = denied
	}
	if problem != "" {
		return "", problemError(op, problem, advice, 0)
	}
	if len(tokens) == 0 {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: "the callback has no oauth_token, so it cannot be matched to this authorization"}
	}
	if len(verifiers) == 0 || verifiers[0] == "" {
		return "", &Error{
			Kind: KindMissingInput, Op: op, Reason: "the callback has no oauth_verifier",
			Hint: "the provider may be speaking OAuth 1.0 without the verifier (1.0a); start again, or use the out-of-band (oob) callback and type the verifier in",
		}
	}
	return verifiers[0], nil
}

// parseTyped reads what the user typed or pasted for an out-of-band
// authorization: the verifier itself, or the whole callback URL.
func parseTyped(s, tempToken string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &Error{
			Kind: KindMissingInput, Op: "authorization", Reason: "no verifier was entered",
			Hint: "copy the verifier the provider shows after you approve, and enter it",
		}
	}
	if len(s) > maxCallbackQuery {
		return "", &Error{Kind: KindMissingInput, Op: "authorization", Reason: fmt.Sprintf("the text entered is longer than %d bytes", maxCallbackQuery)}
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", &Error{Kind: KindMissingInput, Op: "authorization", Reason: "the pasted URL does not parse"}
		}
		return ParseCallback(u.RawQuery, tempToken)
	}
	for i, r := range s {
		if r < 0x21 || r == 0x7f {
			return "", &Error{
				Kind: KindMissingInput, Op: "authorization",
				Reason: fmt.Sprintf("the verifier has a space or control character at position %d; enter only the verifier", i+1),
			}
		}
	}
	return s, nil
}

// callbackPages words the listener's pages for an OAuth 1.0a authorization.
var callbackPages = loopback.Pages{Arrival: "callback", Flow: "Authorization", Done: "Authorized"}

// listen starts the callback listener (S-02, S-03, S-05). registered is
// empty for http://127.0.0.1:{OS port}/callback, or a loopback http URL
// whose port (if any) and path are used.
func listen(registered string) (*loopback.Listener, error) {
	host, port, path := "127.0.0.1", "0", oauth.DefaultRedirectPath
	if registered != "" {
		u, err := url.Parse(registered)
		if err != nil || u.Scheme != "http" || !vault.IsLoopbackHost(u.Hostname()) || strings.ContainsAny(registered, "?#") || !utf8.ValidString(registered) {
			return nil, &Error{
				Kind: KindNotConfigured, Op: "configuration",
				Reason: fmt.Sprintf("the callback %q is neither %q nor a loopback http URL without a query", clip(registered, 200), OOB),
				Hint:   "leave the callback empty (http://127.0.0.1:{port}/callback) or set it to oob",
			}
		}
		if h := u.Hostname(); !strings.EqualFold(h, "localhost") {
			host = h
		}
		if u.Port() != "" {
			port = u.Port()
		}
		if path = u.EscapedPath(); path == "" {
			path = "/"
		}
	}
	l, err := loopback.Listen(loopback.Config{Host: host, Port: port, Path: path, Pages: callbackPages})
	if err != nil {
		return nil, &Error{Kind: KindOther, Op: "authorization", Reason: err.Error(), Err: err}
	}
	return l, nil
}
