package oauth1

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// MaxResponseBytes bounds a provider's answer; anything larger is refused
// unread (as S-18 asks of OAuth 2.0 token responses).
const MaxResponseBytes = 1 << 20

// Credentials are an identifier and its shared secret as a provider issues
// them: temporary credentials (§2.1) or token credentials (§2.3).
type Credentials struct {
	// Token is oauth_token.
	Token string
	// Secret is oauth_token_secret.
	Secret string
	// CallbackConfirmed is oauth_callback_confirmed=true (temporary credentials).
	CallbackConfirmed bool
	// Extra lists the other parameters of the response (user_id,
	// screen_name, …), in order.
	Extra []Param
}

// ParseCredentials parses a credentials response body, which RFC 5849
// §2.1 and §2.3 define as application/x-www-form-urlencoded with
// oauth_token and oauth_token_secret, each exactly once. Errors say what is
// wrong and where, and never quote a secret.
func ParseCredentials(body []byte) (*Credentials, error) {
	if len(body) > MaxResponseBytes {
		return nil, fmt.Errorf("the response is larger than %d bytes", MaxResponseBytes)
	}
	s := string(bytes.TrimSpace(body))
	if s == "" {
		return nil, errors.New("the response body is empty (expected oauth_token=…&oauth_token_secret=…)")
	}
	switch s[0] {
	case '{', '[':
		return nil, errors.New("the response is JSON; OAuth 1.0a credentials come as a form (oauth_token=…&oauth_token_secret=…)")
	case '<':
		return nil, errors.New("the response is HTML or XML, not OAuth credentials (is the endpoint URL right?)")
	}
	ps, err := ParseForm(s)
	if err != nil {
		return nil, fmt.Errorf("the response does not parse as a form: %w", err)
	}
	c := &Credentials{}
	var seenToken, seenSecret, seenConfirmed bool
	for _, p := range ps {
		switch p.Name {
		case "oauth_token":
			if seenToken {
				return nil, errors.New("the response has oauth_token more than once")
			}
			seenToken, c.Token = true, p.Value
		case "oauth_token_secret":
			if seenSecret {
				return nil, errors.New("the response has oauth_token_secret more than once")
			}
			seenSecret, c.Secret = true, p.Value
		case "oauth_callback_confirmed":
			if seenConfirmed {
				return nil, errors.New("the response has oauth_callback_confirmed more than once")
			}
			seenConfirmed, c.CallbackConfirmed = true, p.Value == "true"
		default:
			c.Extra = append(c.Extra, p)
		}
	}
	switch {
	case !seenToken || c.Token == "":
		return nil, errors.New("the response has no oauth_token")
	case !seenSecret:
		return nil, errors.New("the response has no oauth_token_secret")
	}
	for i := 0; i < len(c.Token); i++ {
		if b := c.Token[i]; b < 0x20 || b == 0x7f {
			return nil, fmt.Errorf("the oauth_token has a control character at byte %d", i+1)
		}
	}
	return c, nil
}

// Problem is a server's problem report (OAuth Problem Reporting): the
// oauth_problem code, the advice, and the other oauth_* details
// (oauth_acceptable_timestamps, oauth_parameters_absent, …).
type Problem struct {
	// Code is oauth_problem.
	Code string
	// Advice is oauth_problem_advice.
	Advice string
	// Details are the other parameters that came with it.
	Details []Param
}

// ParseProblem finds a problem report in a response: in a form body, else
// in a WWW-Authenticate: OAuth header. It returns nil when there is none.
func ParseProblem(header http.Header, body []byte) *Problem {
	if len(body) <= MaxResponseBytes {
		mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
		s := string(bytes.TrimSpace(body))
		if strings.Contains(s, "oauth_problem=") && (mt == formType || mt == "text/plain" || mt == "") {
			if ps, err := ParseForm(s); err == nil {
				if p := problemFrom(ps); p != nil {
					return p
				}
			}
		}
	}
	for _, h := range header.Values("WWW-Authenticate") {
		if _, ps, err := ParseAuthorization(h); err == nil {
			if p := problemFrom(ps); p != nil {
				return p
			}
		}
	}
	return nil
}

func problemFrom(ps []Param) *Problem {
	var p Problem
	for _, x := range ps {
		switch x.Name {
		case "oauth_problem":
			if p.Code == "" {
				p.Code = x.Value
			}
		case "oauth_problem_advice":
			p.Advice = x.Value
		default:
			if strings.HasPrefix(x.Name, "oauth_") {
				p.Details = append(p.Details, x)
			}
		}
	}
	if p.Code == "" {
		return nil
	}
	return &p
}
