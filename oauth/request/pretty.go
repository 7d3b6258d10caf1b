package request

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/authdeck/authdeck/vault/jsonpos"
)

// Pretty is a JSON body laid out one member or element per line with
// two-space indentation. It is an index into the original bytes, not a
// second copy of them: each line records the span of source bytes it shows
// and its depth, and AppendLine re-spaces that span on demand. That keeps a
// pretty view of a 10 MB body at a fraction of the body's size.
type Pretty struct {
	src []byte
	// starts[i] is where line i begins in src; it ends where line i+1
	// begins (only whitespace lies between, and rendering drops it).
	starts []uint32
	// depths[i] is line i's nesting depth, capped at MaxDepth.
	depths []uint16
}

// MaxDepth caps the recorded nesting depth: deeper lines are indented as if
// at MaxDepth, which is far beyond any screen.
const MaxDepth = 1<<16 - 1

// SyntaxError reports where a body stopped being valid JSON.
type SyntaxError struct {
	Offset    int // byte offset in the body
	Line, Col int // 1-based
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("not valid JSON at line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// PrettyJSON lays out data (one JSON value, or several separated by
// whitespace as in NDJSON). It checks the syntax as it goes and returns a
// *SyntaxError naming the position of the first mistake. It stops with
// ctx.Err() when ctx is cancelled, so a viewer can drop stale work.
func PrettyJSON(ctx context.Context, data []byte) (*Pretty, error) {
	if int64(len(data)) > MaxBodyIndex {
		return nil, fmt.Errorf("body of %d bytes is too large to lay out", len(data))
	}
	p := &prettyParser{src: data, ctx: ctx, nextCheck: checkEvery}
	// Size the index once from a cheap upper estimate instead of growing it
	// by doubling: on a 10 MB body the growth steps alone allocated about
	// 3x the final index, which held the heap (and RSS) high while a new
	// response was laid out.
	n := estimateLines(data)
	p.starts, p.depths = make([]uint32, 0, n), make([]uint16, 0, n)
	if err := p.run(); err != nil {
		return nil, err
	}
	starts, depths := p.starts, p.depths
	// Growth by doubling can leave much of the capacity unused; the index
	// lives as long as the view, so give it back.
	if cap(starts) > len(starts)+len(starts)/8+64 {
		starts = slices.Clip(append([]uint32(nil), starts...))
		depths = slices.Clip(append([]uint16(nil), depths...))
	}
	return &Pretty{src: data, starts: starts, depths: depths}, nil
}

// estimateLines bounds the number of pretty lines of data from above (each
// line starts at a value, a member or a closing bracket), except that commas
// inside strings also count; the bound is only a capacity hint.
func estimateLines(data []byte) int {
	n := bytes.Count(data, []byte{','}) + 2*(bytes.Count(data, []byte{'{'})+bytes.Count(data, []byte{'['})) + 1
	return min(n, len(data)+1)
}

// checkEvery is how many bytes the parser scans between context checks.
const checkEvery = 1 << 18

type prettyParser struct {
	src       []byte
	pos       int
	starts    []uint32
	depths    []uint16
	stack     []byte
	ctx       context.Context
	nextCheck int
	// lineStart is where the line being read began.
	lineStart int
}

// prettyStep is what the parser reads next.
type prettyStep uint8

const (
	stepTop   prettyStep = iota // a top-level value, or the end of input
	stepValue                   // a value at p.pos
	stepAfter                   // what follows a value: ',' or a closing bracket
	stepKey                     // a member name and its ':'
	stepDone                    // the input is read
)

func (p *prettyParser) fail(off int, format string, args ...any) error {
	if off > len(p.src) {
		off = len(p.src)
	}
	l, c := jsonpos.LineCol(p.src, int64(off))
	return &SyntaxError{Offset: off, Line: l, Col: c, Msg: fmt.Sprintf(format, args...)}
}

func (p *prettyParser) skipWS() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\r', '\n':
			p.pos++
		default:
			return
		}
	}
}

// emit records a line starting at start; end is implied by the next line.
func (p *prettyParser) emit(start, _ int) {
	p.starts = append(p.starts, uint32(start)) //nolint:gosec // G115: PrettyJSON refuses bodies over MaxBodyIndex (MaxUint32)
	p.depths = append(p.depths, uint16(min(len(p.stack), MaxDepth)))
}

func describeByte(src []byte, pos int) string {
	if pos >= len(src) {
		return "end of input"
	}
	c := src[pos]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", string(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// run parses with an explicit stack, so hostile nesting cannot exhaust the
// goroutine stack: each step reads one piece and says which comes next.
func (p *prettyParser) run() error {
	step := stepTop
	var err error
	for step != stepDone && err == nil {
		switch step {
		case stepTop:
			step, err = p.top()
		case stepValue:
			step, err = p.value()
		case stepAfter:
			step, err = p.after()
		case stepKey:
			step, err = p.key()
		case stepDone: // the loop condition ends the walk
		}
	}
	return err
}

// top starts a top-level value, or ends the input.
func (p *prettyParser) top() (prettyStep, error) {
	p.skipWS()
	if p.pos >= len(p.src) {
		if len(p.starts) == 0 {
			return stepDone, p.fail(p.pos, "no JSON value")
		}
		return stepDone, nil
	}
	p.lineStart = p.pos
	return stepValue, nil
}

// value reads the value at p.pos: a scalar, or the opening of a container
// (an empty container stays on its line, like a scalar).
func (p *prettyParser) value() (prettyStep, error) {
	src := p.src
	if p.pos >= p.nextCheck {
		if err := p.ctx.Err(); err != nil {
			return stepDone, err
		}
		p.nextCheck = p.pos + checkEvery
	}
	if p.pos >= len(src) {
		return stepDone, p.fail(p.pos, "expected a value, found end of input")
	}
	var err error
	switch c := src[p.pos]; c {
	case '{', '[':
		return p.open(c), nil
	case '"':
		err = p.scanString()
	case 't':
		err = p.literal("true")
	case 'f':
		err = p.literal("false")
	case 'n':
		err = p.literal("null")
	default:
		if c != '-' && (c < '0' || c > '9') {
			return stepDone, p.fail(p.pos, "expected a value, found %s", describeByte(src, p.pos))
		}
		err = p.scanNumber()
	}
	return stepAfter, err
}

// open reads the opening bracket c of a container at p.pos.
func (p *prettyParser) open(c byte) prettyStep {
	closeC := byte('}')
	if c == '[' {
		closeC = ']'
	}
	p.pos++
	p.skipWS()
	if p.pos < len(p.src) && p.src[p.pos] == closeC {
		p.pos++
		return stepAfter
	}
	p.emit(p.lineStart, p.pos)
	p.stack = append(p.stack, c)
	if c == '{' {
		return stepKey
	}
	p.lineStart = p.pos
	return stepValue
}

// after reads what follows a value (or a closing bracket, which ends its
// container's value): the next member or element, or the container's end.
func (p *prettyParser) after() (prettyStep, error) {
	src := p.src
	valueEnd := p.pos
	p.skipWS()
	if len(p.stack) == 0 {
		p.emit(p.lineStart, valueEnd)
		return stepTop, nil
	}
	top := p.stack[len(p.stack)-1]
	closeC := byte('}')
	if top == '[' {
		closeC = ']'
	}
	if p.pos >= len(src) {
		return stepDone, p.fail(p.pos, "expected ',' or %q, found end of input", string(closeC))
	}
	switch src[p.pos] {
	case ',':
		p.pos++
		p.emit(p.lineStart, p.pos)
		if top == '{' {
			return stepKey, nil
		}
		p.skipWS()
		p.lineStart = p.pos
		return stepValue, nil
	case closeC:
		p.emit(p.lineStart, valueEnd)
		p.stack = p.stack[:len(p.stack)-1]
		p.lineStart = p.pos
		p.pos++
		return stepAfter, nil
	default:
		return stepDone, p.fail(p.pos, "expected ',' or %q, found %s", string(closeC), describeByte(src, p.pos))
	}
}

// key reads a member name and its ':'.
func (p *prettyParser) key() (prettyStep, error) {
	src := p.src
	p.skipWS()
	if p.pos >= len(src) || src[p.pos] != '"' {
		return stepDone, p.fail(p.pos, "expected a member name in quotes, found %s", describeByte(src, p.pos))
	}
	p.lineStart = p.pos
	if err := p.scanString(); err != nil {
		return stepDone, err
	}
	p.skipWS()
	if p.pos >= len(src) || src[p.pos] != ':' {
		return stepDone, p.fail(p.pos, "expected ':' after the member name, found %s", describeByte(src, p.pos))
	}
	p.pos++
	p.skipWS()
	return stepValue, nil
}

func (p *prettyParser) literal(word string) error {
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		return p.fail(p.pos, "expected %s", word)
	}
	p.pos += len(word)
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber reads a JSON number (RFC 8259 §6):
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *prettyParser) scanNumber() error {
	start := p.pos
	p.skipByte('-')
	if !p.skipByte('0') && p.digits() == 0 {
		return p.fail(start, "malformed number")
	}
	if p.skipByte('.') && p.digits() == 0 {
		return p.fail(p.pos, "malformed number: digits must follow '.'")
	}
	if p.skipByte('e') || p.skipByte('E') {
		if !p.skipByte('+') {
			p.skipByte('-')
		}
		if p.digits() == 0 {
			return p.fail(p.pos, "malformed number: digits must follow the exponent")
		}
	}
	return nil
}

// skipByte moves past c if it is the next byte.
func (p *prettyParser) skipByte(c byte) bool {
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// digits moves past a run of digits and returns how many there were.
func (p *prettyParser) digits() int {
	start := p.pos
	for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
		p.pos++
	}
	return p.pos - start
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (p *prettyParser) scanString() error {
	src, start := p.src, p.pos
	p.pos++ // opening quote
	for p.pos < len(src) {
		c := src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return nil
		case c == '\\':
			if p.pos+1 >= len(src) {
				return p.fail(start, "string is never closed")
			}
			switch src[p.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos += 2
			case 'u':
				if p.pos+6 > len(src) || !isHex(src[p.pos+2]) || !isHex(src[p.pos+3]) || !isHex(src[p.pos+4]) || !isHex(src[p.pos+5]) {
					return p.fail(p.pos, `malformed \u escape`)
				}
				p.pos += 6
			default:
				return p.fail(p.pos, "invalid escape \\%s", describeByte(src, p.pos+1))
			}
		case c < 0x20:
			return p.fail(p.pos, "control character 0x%02x inside a string", c)
		default:
			p.pos++
		}
	}
	return p.fail(start, "string is never closed")
}

// Len returns the number of lines.
func (p *Pretty) Len() int { return len(p.starts) }

// Indent is the indentation of one nesting level.
const Indent = "  "

// AppendLine appends line i to dst (at most max bytes when max ≥ 0).
func (p *Pretty) AppendLine(dst []byte, i, max int) []byte {
	return p.render(dst, i, max, nil)
}

// Line returns line i as a string.
func (p *Pretty) Line(i int) string { return string(p.AppendLine(nil, i, -1)) }

// TokenKind classifies a piece of a pretty line for highlighting.
type TokenKind uint8

// Token kinds.
const (
	TokPunct TokenKind = iota
	TokKey
	TokString
	TokNumber
	TokLiteral // true, false, null
)

// Span is a highlighted piece of a rendered line: bytes [Start, End).
type Span struct {
	Start, End int
	Kind       TokenKind
}

// AppendSpans renders line i (at most max bytes when max ≥ 0) and appends
// the token spans of the rendered text to spans; indentation has no span.
func (p *Pretty) AppendSpans(dst []byte, spans []Span, i, max int) ([]byte, []Span) {
	dst = p.render(dst, i, max, &spans)
	return dst, spans
}

// LineOf returns the line that shows byte offset off of the source.
func (p *Pretty) LineOf(off int) int {
	lo, hi := 0, len(p.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(p.starts[m]) <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return max(lo-1, 0)
}

// render writes line i; with spans it also records token boundaries.
func (p *Pretty) render(dst []byte, i, max int, spans *[]Span) []byte {
	if i < 0 || i >= len(p.starts) {
		return dst
	}
	start, end := int(p.starts[i]), len(p.src)
	if i+1 < len(p.starts) {
		end = int(p.starts[i+1])
	}
	depth := p.depths[i]
	lw := lineWriter{dst: dst, base: len(dst), limit: -1, spans: spans}
	if max >= 0 {
		lw.limit = lw.base + max
	}
	for d := uint16(0); d < depth && !lw.full(); d++ {
		lw.dst = append(lw.dst, Indent...)
	}
	if lw.limit >= 0 && len(lw.dst) > lw.limit {
		return lw.dst[:lw.limit]
	}
	seg := p.src[start:end]
	for k := 0; k < len(seg) && !lw.full(); {
		kind, text, next := nextToken(seg, k)
		if text != nil {
			lw.add(kind, text)
		}
		k = next
	}
	return lw.dst
}

// lineWriter appends the tokens of a rendered line to dst, clipped at
// limit (when ≥ 0), and records their spans (when spans is not nil).
type lineWriter struct {
	dst   []byte
	base  int // where the line starts in dst
	limit int
	spans *[]Span
}

func (lw *lineWriter) full() bool { return lw.limit >= 0 && len(lw.dst) >= lw.limit }

func (lw *lineWriter) add(kind TokenKind, text []byte) {
	if lw.full() {
		return
	}
	start := len(lw.dst)
	if lw.limit >= 0 {
		lw.dst = appendClipped(lw.dst, text, lw.limit-len(lw.dst))
	} else {
		lw.dst = append(lw.dst, text...)
	}
	if lw.spans != nil && len(lw.dst) > start {
		*lw.spans = append(*lw.spans, Span{Start: start - lw.base, End: len(lw.dst) - lw.base, Kind: kind})
	}
}

// colonSpace is how a member's ':' is shown.
var colonSpace = []byte(": ")

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipSpace returns the offset of the first byte at or after j that is not
// white space.
func skipSpace(seg []byte, j int) int {
	for j < len(seg) && isJSONSpace(seg[j]) {
		j++
	}
	return j
}

// nextToken reads the token at seg[k] of a parsed line: its kind, the text
// to show (nil for white space, which the layout replaces) and the offset
// after it.
func nextToken(seg []byte, k int) (TokenKind, []byte, int) {
	switch seg[k] {
	case ' ', '\t', '\r', '\n':
		return TokPunct, nil, k + 1
	case '"':
		j := stringEnd(seg, k)
		kind := TokString
		if n := skipSpace(seg, j); n < len(seg) && seg[n] == ':' {
			kind = TokKey
		}
		return kind, seg[k:j], j
	case ':':
		return TokPunct, colonSpace, k + 1
	case ',', '{', '}', '[', ']':
		return punctRun(seg, k)
	case 't', 'f', 'n':
		j := k
		for j < len(seg) && seg[j] >= 'a' && seg[j] <= 'z' {
			j++
		}
		return TokLiteral, seg[k:j], j
	default:
		j := k
		for j < len(seg) && (isDigit(seg[j]) || seg[j] == '-' || seg[j] == '+' || seg[j] == '.' || seg[j] == 'e' || seg[j] == 'E') {
			j++
		}
		if j == k {
			j++ // cannot happen in parsed input; never loop forever
		}
		return TokNumber, seg[k:j], j
	}
}

// punctRun reads a run of brackets and commas at seg[k]; an empty
// container ("{ }") drops its inner white space.
func punctRun(seg []byte, k int) (TokenKind, []byte, int) {
	c := seg[k]
	j := k + 1
	for j < len(seg) && (seg[j] == '{' || seg[j] == '}' || seg[j] == '[' || seg[j] == ']' || seg[j] == ',') {
		j++
	}
	if j < len(seg) && (c == '{' || c == '[') {
		if n := skipSpace(seg, j); n < len(seg) && (seg[n] == '}' || seg[n] == ']') {
			return TokPunct, seg[k:j], n
		}
	}
	return TokPunct, seg[k:j], j
}

// stringEnd returns the offset just past the string starting at seg[k] == '"'.
func stringEnd(seg []byte, k int) int {
	j := k + 1
	for j < len(seg) {
		switch seg[j] {
		case '\\':
			j += 2
		case '"':
			return j + 1
		default:
			j++
		}
	}
	return len(seg)
}

// Offset returns the byte offset in the source where line i starts.
func (p *Pretty) Offset(i int) int {
	if i < 0 || i >= len(p.starts) {
		return 0
	}
	return int(p.starts[i])
}
