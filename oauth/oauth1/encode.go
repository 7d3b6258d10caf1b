package oauth1

import (
	"errors"
	"fmt"
	"strings"
)

// Param is one name/value pair, decoded (no percent-encoding).
type Param struct {
	Name  string
	Value string
}

// Encode percent-encodes s as RFC 5849 §3.6 demands: every byte of its UTF-8
// form except the RFC 3986 unreserved characters (ALPHA, DIGIT, '-', '.',
// '_', '~') becomes %XX with uppercase hex. Unlike url.QueryEscape it never
// turns a space into '+' and always encodes '+', '*' and '~' the same way
// on both sides of the signature.
func Encode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// decode reverses percent-encoding. With plusSpace, '+' means a space, as
// in application/x-www-form-urlencoded data (RFC 5849 §3.4.1.3.1).
func decode(s string, plusSpace bool) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				end := min(i+3, len(s))
				return "", fmt.Errorf("bad percent-encoding %q at byte %d", s[i:end], i+1)
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case c == '+' && plusSpace:
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// maxFormParams bounds how many pairs one form or query may carry, so a
// hostile body cannot make a parser allocate without limit.
const maxFormParams = 1000

// errTooManyParams reports a form with more than maxFormParams pairs.
var errTooManyParams = fmt.Errorf("more than %d parameters", maxFormParams)

// ParseForm splits an application/x-www-form-urlencoded string (a query or a
// form body) into decoded pairs in their original order, duplicates kept.
// A pair without '=' has an empty value ("c2" in RFC 5849 §3.4.1.3.1); empty
// pairs ("a=1&&b=2") are skipped. Errors name the pair and the position.
func ParseForm(s string) ([]Param, error) {
	if s == "" {
		return nil, nil
	}
	var out []Param
	pos := 0
	for len(s) > 0 {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		start := pos
		pos += len(pair) + 1
		if pair == "" {
			continue
		}
		if len(out) == maxFormParams {
			return nil, errTooManyParams
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := decode(rawName, true)
		if err != nil {
			return nil, fmt.Errorf("parameter %d (at byte %d): name: %w", len(out)+1, start+1, err)
		}
		value, err := decode(rawValue, true)
		if err != nil {
			return nil, fmt.Errorf("parameter %q (at byte %d): value: %w", clip(name, 40), start+1, err)
		}
		out = append(out, Param{Name: name, Value: value})
	}
	return out, nil
}

// formEncode joins pairs as application/x-www-form-urlencoded data with the
// RFC 5849 encoding (a space becomes %20, which every form parser accepts).
func formEncode(ps []Param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(Encode(p.Name))
		b.WriteByte('=')
		b.WriteString(Encode(p.Value))
	}
	return b.String()
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// errNotOAuth says an Authorization header uses another scheme.
var errNotOAuth = errors.New("the Authorization header is not an OAuth header")
