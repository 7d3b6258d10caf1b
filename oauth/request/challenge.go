package request

import (
	"strings"
)

// Challenge is one WWW-Authenticate challenge (RFC 7235 §4.1), with the
// RFC 6750 §3 parameters of a Bearer challenge picked out.
type Challenge struct {
	// Scheme is the auth scheme as sent ("Bearer", "Basic").
	Scheme string
	// Params are the auth-params, names lower-cased.
	Params map[string]string
	// Token68 is the bare token of a token68 challenge, if any.
	Token68 string
}

// Error returns the RFC 6750 error code ("invalid_token", "insufficient_scope").
func (c Challenge) Error() string { return c.Params["error"] }

// Description returns the error_description.
func (c Challenge) Description() string { return c.Params["error_description"] }

// Scope returns the scope the resource server asks for.
func (c Challenge) Scope() string { return c.Params["scope"] }

// Realm returns the realm.
func (c Challenge) Realm() string { return c.Params["realm"] }

// maxChallengeLen bounds the header text parsed; a longer header is cut.
const maxChallengeLen = 8 << 10

// ParseChallenges parses WWW-Authenticate header values into challenges. It
// is lenient — a malformed part ends that challenge, never the whole parse —
// because the header comes from the server and is only used for hints.
func ParseChallenges(values []string) []Challenge {
	var out []Challenge
	for _, v := range values {
		if len(v) > maxChallengeLen {
			v = v[:maxChallengeLen]
		}
		out = append(out, parseChallengeHeader(v)...)
		if len(out) > 32 {
			return out[:32]
		}
	}
	return out
}

// BearerChallenge returns the first Bearer challenge, if any.
func BearerChallenge(values []string) (Challenge, bool) {
	for _, c := range ParseChallenges(values) {
		if strings.EqualFold(c.Scheme, "Bearer") {
			return c, true
		}
	}
	return Challenge{}, false
}

// tokenChallenge returns the first Bearer or DPoP challenge (RFC 6750 §3,
// RFC 9449 §7.1), if any.
func tokenChallenge(values []string) (Challenge, bool) {
	for _, c := range ParseChallenges(values) {
		if strings.EqualFold(c.Scheme, "Bearer") || strings.EqualFold(c.Scheme, "DPoP") {
			return c, true
		}
	}
	return Challenge{}, false
}

func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken68Char(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/", c) >= 0
}

type chScanner struct {
	s   string
	pos int
}

func (p *chScanner) ws() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func (p *chScanner) token() string {
	start := p.pos
	for p.pos < len(p.s) && isTokenChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// quoted reads a quoted-string at p.pos (which is '"'), unescaping \x.
func (p *chScanner) quoted() (string, bool) {
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch c {
		case '"':
			p.pos++
			return b.String(), true
		case '\\':
			if p.pos+1 < len(p.s) {
				b.WriteByte(p.s[p.pos+1])
				p.pos += 2
				continue
			}
			p.pos++
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return b.String(), false
}

// skipToComma moves past the next top-level comma (outside quotes).
func (p *chScanner) skipToComma() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ',':
			p.pos++
			return
		case '"':
			p.quoted()
		default:
			p.pos++
		}
	}
}

// parseChallengeHeader reads the challenges of one WWW-Authenticate value
// (RFC 9110 §11.6.1); what it cannot read is passed over up to the next
// comma.
func parseChallengeHeader(s string) []Challenge {
	p := &chScanner{s: s}
	var out []Challenge
	var cur *Challenge
	for guard := 0; p.pos < len(p.s) && guard <= len(p.s); guard++ {
		p.ws()
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		start := p.pos
		name := p.token()
		if name == "" {
			p.pos = start
			p.skipToComma()
			continue
		}
		p.ws()
		if p.pos < len(p.s) && p.s[p.pos] == '=' && cur != nil {
			p.authParam(cur, name)
			continue
		}
		// a new challenge: scheme [ token68 | #auth-param ]
		out = append(out, Challenge{Scheme: name, Params: map[string]string{}})
		cur = &out[len(out)-1]
		if p.pos < len(p.s) && p.s[p.pos] != ',' {
			cur.Token68 = p.token68()
		}
	}
	return out
}

// authParam reads an auth-param of challenge c after its name: = token or
// quoted-string. The first value of a name counts.
func (p *chScanner) authParam(c *Challenge, name string) {
	p.pos++
	p.ws()
	var val string
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		val, _ = p.quoted()
	} else {
		val = p.token()
	}
	key := strings.ToLower(name)
	if _, dup := c.Params[key]; !dup {
		c.Params[key] = val
	}
	p.ws()
	if p.pos < len(p.s) && p.s[p.pos] != ',' {
		p.skipToComma()
	}
}

// token68 reads a token68 (a run of token68 characters with optional
// trailing '='s) that ends the challenge; anything else is a list of
// auth-params, so it rewinds and returns "".
func (p *chScanner) token68() string {
	t68 := p.pos
	for p.pos < len(p.s) && isToken68Char(p.s[p.pos]) {
		p.pos++
	}
	for p.pos < len(p.s) && p.s[p.pos] == '=' {
		p.pos++
	}
	end := p.pos
	p.ws()
	if end > t68 && (p.pos >= len(p.s) || p.s[p.pos] == ',') {
		return p.s[t68:end]
	}
	p.pos = t68
	return ""
}
