package request

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"mime"
	"strings"
	"unicode/utf8"
)

// Kind is what a response body holds, judged from its Content-Type and, when
// that says nothing useful, its first bytes.
type Kind int

// Body kinds. Only JSON is pretty-printed and highlighted; XML and HTML are
// shown as text.
const (
	KindEmpty Kind = iota
	KindText
	KindJSON
	KindXML
	KindHTML
	KindBinary
)

// String names the kind for display.
func (k Kind) String() string {
	switch k {
	case KindEmpty:
		return "empty"
	case KindJSON:
		return "json"
	case KindXML:
		return "xml"
	case KindHTML:
		return "html"
	case KindBinary:
		return "binary"
	case KindText:
		// text, below
	}
	return "text"
}

// DetectKind classifies a body from its Content-Type and its first bytes.
func DetectKind(contentType string, data []byte) Kind {
	if len(data) == 0 {
		return KindEmpty
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	switch {
	case mt == "application/json", mt == "text/json", strings.HasSuffix(mt, "+json"),
		mt == "application/x-ndjson", mt == "application/jsonl", mt == "application/json-seq":
		return KindJSON
	case mt == "text/html", mt == "application/xhtml+xml":
		return KindHTML
	case mt == "application/xml", mt == "text/xml", strings.HasSuffix(mt, "+xml"):
		return KindXML
	case strings.HasPrefix(mt, "text/"), mt == "application/javascript", mt == "application/x-www-form-urlencoded":
		return KindText
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"),
		strings.HasPrefix(mt, "font/"), mt == "application/octet-stream", mt == "application/pdf",
		mt == "application/zip", mt == "application/gzip", mt == "application/wasm", mt == "application/protobuf",
		mt == "application/x-protobuf", mt == "application/grpc":
		return KindBinary
	}
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return KindBinary
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return KindJSON
	}
	if len(trimmed) > 0 && trimmed[0] == '<' {
		if bytes.HasPrefix(bytes.ToLower(trimmed[:min(len(trimmed), 15)]), []byte("<!doctype html")) || bytes.HasPrefix(bytes.ToLower(trimmed[:min(len(trimmed), 5)]), []byte("<html")) {
			return KindHTML
		}
		return KindXML
	}
	return KindText
}

// Lines is a read-only, line-indexed text: a raw body or its pretty-printed
// form. Implementations render a line only when asked, so the cost of a
// screen is the cost of its visible lines, whatever the body's size.
type Lines interface {
	// Len returns the number of lines.
	Len() int
	// AppendLine appends line i (no line break) to dst, at most max bytes
	// when max ≥ 0 (cut at a rune boundary), and returns the extended slice.
	AppendLine(dst []byte, i, max int) []byte
}

// Body is a response body held in memory with an index of where each line
// starts. It never changes after construction, so it may be shared between
// goroutines (the UI loop renders lines while a command pretty-prints).
type Body struct {
	data   []byte
	starts []uint32
	kind   Kind
}

// MaxBodyIndex is the largest body NewBody accepts (line offsets are 32-bit);
// bodies beyond the in-memory limit are never indexed anyway.
const MaxBodyIndex = math.MaxUint32

// NewBody indexes data. data is kept, not copied: the caller must not change
// it afterwards. Bodies larger than MaxBodyIndex are refused.
func NewBody(data []byte, contentType string) (*Body, error) {
	if int64(len(data)) > MaxBodyIndex {
		return nil, fmt.Errorf("body of %d bytes is too large to index (limit %d)", len(data), int64(MaxBodyIndex))
	}
	b := &Body{data: data, kind: DetectKind(contentType, data)}
	b.starts = indexLines(data)
	return b, nil
}

// indexLines returns the offset of every line start. A final line break does
// not start another (empty) line; an empty body has no lines.
func indexLines(data []byte) []uint32 {
	if len(data) == 0 {
		return nil
	}
	n := bytes.Count(data, []byte{'\n'})
	if data[len(data)-1] != '\n' {
		n++
	}
	starts := make([]uint32, 0, n)
	off := 0
	for off < len(data) {
		starts = append(starts, uint32(off))
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	return starts
}

// ReadBody reads r into a Body, holding at most max bytes (max ≤ 0: no limit
// beyond MaxBodyIndex). sizeHint (Content-Length, or -1) sizes the buffer up
// front so a large body is not copied again and again while it grows. It
// returns ErrBodyTooLarge when r holds more than max bytes.
func ReadBody(r io.Reader, sizeHint, max int64, contentType string) (*Body, error) {
	data, err := readAll(r, sizeHint, max)
	if err != nil {
		return nil, err
	}
	return NewBody(data, contentType)
}

// ErrBodyTooLarge is returned when a body exceeds the in-memory limit.
var ErrBodyTooLarge = fmt.Errorf("body is larger than the in-memory limit")

// readAll reads r whole. On ErrBodyTooLarge it also returns the bytes read
// so far (more than max), so the caller can move them elsewhere.
func readAll(r io.Reader, sizeHint, max int64) ([]byte, error) {
	if max <= 0 || max > MaxBodyIndex {
		max = MaxBodyIndex
	}
	capHint := int64(512)
	if sizeHint > 0 {
		// +1 so EOF is seen without growing; a hint is only a hint, so a
		// lying Content-Length cannot make us allocate more than 64 MiB ahead.
		capHint = min(sizeHint, max, 64<<20) + 1
	}
	buf := make([]byte, 0, capHint)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > max {
				return buf, ErrBodyTooLarge
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return buf, ErrBodyTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	// Growth by doubling can leave up to half the capacity unused; a body
	// is kept for as long as it is on screen, so give the slack back.
	if cap(buf) > len(buf)+len(buf)/8+4096 {
		buf = append(make([]byte, 0, len(buf)), buf...)
	}
	return buf, nil
}

// Bytes returns the body's bytes; callers must not change them.
func (b *Body) Bytes() []byte { return b.data }

// Size returns the body's size in bytes.
func (b *Body) Size() int { return len(b.data) }

// Kind returns what the body holds.
func (b *Body) Kind() Kind { return b.kind }

// Len returns the number of lines.
func (b *Body) Len() int { return len(b.starts) }

// lineBytes returns line i without its line break, sharing the body's memory.
func (b *Body) lineBytes(i int) []byte {
	if i < 0 || i >= len(b.starts) {
		return nil
	}
	start := int(b.starts[i])
	end := len(b.data)
	if i+1 < len(b.starts) {
		end = int(b.starts[i+1]) - 1
	} else if end > start && b.data[end-1] == '\n' {
		end--
	} else {
		return b.data[start:end] // no line break: a final CR is content
	}
	if end > start && b.data[end-1] == '\r' {
		end--
	}
	return b.data[start:end]
}

// AppendLine appends line i to dst (at most max bytes when max ≥ 0).
func (b *Body) AppendLine(dst []byte, i, max int) []byte {
	return appendClipped(dst, b.lineBytes(i), max)
}

// Line returns line i as a string.
func (b *Body) Line(i int) string { return string(b.lineBytes(i)) }

// appendClipped appends s to dst, cut to max bytes at a rune boundary when max ≥ 0.
func appendClipped(dst, s []byte, max int) []byte {
	if max >= 0 && len(s) > max {
		cut := max
		for k := 0; k < utf8.UTFMax && cut > 0 && !utf8.RuneStart(s[cut]); k++ {
			cut--
		}
		s = s[:cut]
	}
	return append(dst, s...)
}

// LineOf returns the line that holds byte offset off of the body.
func (b *Body) LineOf(off int) int {
	lo, hi := 0, len(b.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(b.starts[m]) <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return max(lo-1, 0)
}

// AppendDisplay appends s to dst made safe and legible on a terminal: invalid
// UTF-8 becomes U+FFFD, a tab becomes four spaces, C0 control characters
// (including ESC, which could otherwise drive the terminal — set the
// clipboard, retitle the window) become their visible Control Pictures, and
// C1 controls and bidirectional overrides become U+FFFD.
func AppendDisplay(dst, s []byte) []byte {
	for len(s) > 0 {
		c := s[0]
		if c >= 0x20 && c < 0x7f {
			// Fast path for runs of printable ASCII.
			j := 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f {
				j++
			}
			dst = append(dst, s[:j]...)
			s = s[j:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size <= 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case r == '\t':
			dst = append(dst, "    "...)
		case r < 0x20:
			dst = utf8.AppendRune(dst, 0x2400+r)
		case r == 0x7f:
			dst = utf8.AppendRune(dst, 0x2421)
		case r >= 0x80 && r < 0xa0, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// Offset returns the byte offset where line i starts (0 for an empty body).
func (b *Body) Offset(i int) int {
	if i < 0 || i >= len(b.starts) {
		return 0
	}
	return int(b.starts[i])
}
