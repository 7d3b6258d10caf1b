// Package mask describes secret values without revealing them (S-30): their
// kind, their length and at most their last four characters. Every listing,
// detail view, CLI line and history entry that shows a value masked uses it.
package mask

import (
	"fmt"
	"unicode/utf8"
)

// Dots stands for the hidden part of a masked value. Its length is fixed
// so the dots never hint at the value's length (the length is shown as a number).
const Dots = "••••••••"

// maxMaskTail is the most trailing characters a masked value ever shows (S-30).
const maxMaskTail = 4

// Masked describes a secret value without revealing it (S-30): what it is,
// how long it is and at most its last four characters.
type Masked struct {
	// Kind labels the value: a secret type ("API_KEY") or a field ("clientSecret").
	Kind string `json:"kind,omitempty"`
	// Length is the value's length in characters.
	Length int `json:"length"`
	// Tail is the last characters shown; empty for short values.
	Tail string `json:"tail,omitempty"`
}

// TailLen returns how many trailing characters of an n-character value may
// be shown: a quarter of it, at most four, none below eight characters, so a
// short value is never mostly given away.
func TailLen(n int) int {
	if n < 8 {
		return 0
	}
	return min(n/4, maxMaskTail)
}

// Value masks value, labelled kind.
func Value(kind, value string) Masked {
	n := utf8.RuneCountInString(value)
	m := Masked{Kind: kind, Length: n}
	if k := TailLen(n); k > 0 {
		start := len(value)
		for range k {
			c, size := utf8.DecodeLastRuneInString(value[:start])
			// A line break or control character in the tail (a PEM's last
			// newline) would garble the display and says nothing useful.
			if c < ' ' || c == 0x7f {
				return m
			}
			start -= size
		}
		m.Tail = value[start:]
	}
	return m
}

// Text returns the masked value without its kind: "••••••••3f9a (40 chars)".
func (m Masked) Text() string {
	switch m.Length {
	case 0:
		return "(empty)"
	case 1:
		return Dots + " (1 char)"
	}
	return fmt.Sprintf("%s%s (%d chars)", Dots, m.Tail, m.Length)
}

// String returns the masked value with its kind: "API_KEY ••••••••3f9a (40 chars)".
func (m Masked) String() string {
	if m.Kind == "" {
		return m.Text()
	}
	return m.Kind + " " + m.Text()
}

// String is shorthand for Value(kind, value).String().
func String(kind, value string) string { return Value(kind, value).String() }
