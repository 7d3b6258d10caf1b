// Package servertext makes text a server sent safe to show: the OAuth 2.0
// and OAuth 1.0a engines put error descriptions and problem advice into
// messages a terminal prints.
package servertext

import "strings"

// Clean keeps the characters RFC 6749 allows in error text (printable ASCII
// without '"' and '\', which become '), so server text cannot forge
// terminal output, and cuts it to max bytes.
func Clean(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\'')
		case r >= 0x20 && r <= 0x7e:
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
		if b.Len() >= max {
			return b.String()[:max] + "…"
		}
	}
	return strings.TrimSpace(b.String())
}
