// Package termsafe shows text that came from outside — names and
// descriptions from an import, codes and messages from a server, token
// values — on a terminal without letting it drive the terminal (S-40).
//
// A terminal acts on C0 controls (ESC starts CSI and OSC sequences that
// clear the screen, retitle the window or write the clipboard), on DEL and
// on C1 controls (U+0080–U+009F; CSI and OSC have one-character forms
// there). The functions here show every such character visibly escaped, in
// the notation of Go string literals ("\x1b", "\u009b"), so a hostile value
// is seen for what it is, neither obeyed nor silently changed. Bidirectional
// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what
// is shown, and bytes that are not UTF-8 are escaped too. A backslash stays
// as it is: names and paths read naturally, at the cost of "\x1b" typed as
// four characters looking like an escaped ESC.
//
// The functions are pure and allocate only when something needs escaping.
package termsafe

import (
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Line returns s fit for one line of terminal output: every control
// character, line breaks and tabs included, is escaped.
func Line(s string) string { return escape(s, false) }

// Text returns s fit for terminal output that may span lines: line feeds
// and tabs are kept, every other control character (carriage returns
// included, which could overwrite what a line shows) is escaped.
func Text(s string) string { return escape(s, true) }

// Clean reports whether Line would return s unchanged.
func Clean(s string) bool { return safePrefix(s, false) == len(s) }

// AppendLine appends Line(s) to dst.
func AppendLine(dst []byte, s string) []byte { return appendEscaped(dst, s, false) }

// IndexCTL returns the byte offset of the first ASCII control character of
// s (a byte below 0x20, or DEL), or -1. These are the bytes an HTTP field
// value cannot carry (RFC 9110 §5.5; the tab it allows is no part of a
// token or key either), so a value holding one can never be sent in a
// header.
func IndexCTL(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return i
		}
	}
	return -1
}

// escape returns s unchanged when nothing needs escaping, so the common
// case costs one scan and no allocation.
func escape(s string, keepLines bool) string {
	i := safePrefix(s, keepLines)
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	return string(appendEscaped(b, s[i:], keepLines))
}

// safePrefix returns the length of the longest prefix of s that needs no
// escaping.
func safePrefix(s string, keepLines bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < 0x80 {
			if keepLines && (c == '\n' || c == '\t') {
				i++
				continue
			}
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// unsafeRune reports the non-ASCII runes that are escaped: C1 controls and
// the bidirectional formatting characters that reorder a line.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func appendEscaped(dst []byte, s string, keepLines bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			dst = append(dst, c)
			i++
			continue
		}
		if c < 0x80 {
			i++
			switch {
			case keepLines && (c == '\n' || c == '\t'):
				dst = append(dst, c)
			case c == '\n':
				dst = append(dst, `\n`...)
			case c == '\t':
				dst = append(dst, `\t`...)
			case c == '\r':
				dst = append(dst, `\r`...)
			default:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		case unsafeRune(r):
			dst = append(dst, '\\', 'u',
				hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// JSON returns JSON text with DEL, C1 controls and the bidirectional
// formatting characters written as \u escapes, which encoding/json leaves
// raw; the document means the same. It is for JSON from encoding/json
// (which escapes the C0 controls and replaces bytes that are not UTF-8), in
// which such characters can only stand inside strings.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		c := b[i]
		if c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c == 0x7f || unsafeRune(r) {
			break
		}
		i += size
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		c := b[i]
		if c < 0x7f {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c == 0x7f {
			r, size = 0x7f, 1
		}
		if c == 0x7f || unsafeRune(r) {
			out = append(out, '\\', 'u',
				hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
