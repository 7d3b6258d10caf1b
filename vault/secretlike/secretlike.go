// Package secretlike guesses whether a name or a literal value is a
// credential. The importers use it to keep such values out of the catalog,
// the request sender and the CLI to mask them in what they show or save.
// Names are matched two ways: a variable by substring (Name, Variable), a
// header, query, form or JSON field word by word (Field), so "monkey" is a
// secret-looking variable but not a secret-looking field.
package secretlike

import (
	"math"
	"net/url"
	"strings"
	"unicode"
)

// secretWords mark a variable, header, parameter or field name as secret.
var secretWords = []string{"secret", "password", "passwd", "passphrase", "pwd", "token", "key", "auth", "credential", "cookie", "session", "signature"}

// Name reports whether a name (variable, header, query parameter,
// form or JSON field) suggests a secret value: it contains secret, password,
// passwd, token, key (apikey, api-key), auth, credential, cookie, session or
// signature, in any case.
func Name(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretPrefixes are well-known prefixes of vendor credentials.
var secretPrefixes = []string{"sk_live_", "sk_test_", "rk_live_", "pk_live_", "ghp_", "gho_", "ghu_", "ghs_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "xoxa-", "AKIA", "ASIA", "AIza", "ya29.", "shpat_", "npm_"}

// Value reports whether a literal value looks like a credential
// whatever its name: an Authorization value ("Bearer …", "Basic …"), a JWT,
// a vendor key prefix, or a long high-entropy string.
func Value(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || strings.Contains(v, "{{") {
		return false
	}
	if scheme, rest, ok := strings.Cut(v, " "); ok && strings.TrimSpace(rest) != "" {
		switch strings.ToLower(scheme) {
		case "bearer", "basic", "token", "digest", "apikey", "api-key":
			return true
		}
	}
	if strings.HasPrefix(v, "eyJ") && strings.Count(v, ".") == 2 && len(v) > 30 {
		return true
	}
	for _, p := range secretPrefixes {
		if strings.HasPrefix(v, p) && len(v) >= len(p)+12 {
			return true
		}
	}
	return highEntropy(v)
}

// highEntropy spots random-looking tokens: at least 20 characters of a
// key-like alphabet, mixed character classes, and ≥ 3.5 bits per character.
// UUIDs (identifiers, not secrets) and URLs are not.
func highEntropy(v string) bool {
	if len(v) < 20 || len(v) > 4096 || isUUID(v) || strings.Contains(v, "://") {
		return false
	}
	var lower, upper, digit, other int
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z':
			lower++
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= '0' && r <= '9':
			digit++
		case strings.ContainsRune("+/=_-.~", r):
			other++
		default:
			return false
		}
	}
	hex := lower+digit+other == len(v) && strings.Trim(v, "0123456789abcdef") == "" && len(v) >= 32
	mixed := digit > 0 && (lower > 0 && upper > 0)
	if !hex && !mixed {
		return false
	}
	return entropy(v) >= 3.5
}

func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var h float64
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// isURL reports a value that is a plain URL (an endpoint, not a secret).
func isURL(v string) bool {
	u, err := url.Parse(strings.TrimSpace(v))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.RawQuery == ""
}

// Variable says whether a variable's literal value should go to the
// vault: its name contains a secret word, or the value looks secret.
func Variable(name, value string) bool {
	if strings.TrimSpace(value) == "" || strings.Contains(value, "{{") {
		return false
	}
	if Value(value) {
		return true
	}
	return Name(name) && !isURL(value)
}

// secretFieldWords are the words of a header, query, form or JSON field
// name that mark its value secret. Field names are matched word by word
// (apiKey, x-auth-token, client_secret) rather than by substring, so that
// "monkey" or "keyboard" do not count.
var secretFieldWords = map[string]bool{
	"secret": true, "password": true, "passwd": true, "passphrase": true, "pwd": true, "token": true, "key": true,
	"apikey": true, "auth": true, "authorization": true, "credential": true, "credentials": true, "cookie": true,
	"session": true, "sessionid": true, "signature": true, "sig": true, "otp": true, "jwt": true, "assertion": true,
}

// fieldWords splits a field name into lower-case words at punctuation and
// camelCase boundaries.
func fieldWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range name {
		switch {
		case unicode.IsUpper(r):
			if prevLower {
				flush()
			}
			cur = append(cur, r)
			prevLower = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
			prevLower = true
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	return words
}

// Field says whether a header, query, form or JSON field's literal
// value should go to the vault.
func Field(name, value string) bool {
	if strings.TrimSpace(value) == "" || strings.Contains(value, "{{") {
		return false
	}
	if Value(value) {
		return true
	}
	if isURL(value) {
		return false
	}
	for _, w := range fieldWords(name) {
		if secretFieldWords[w] {
			return true
		}
	}
	return false
}
