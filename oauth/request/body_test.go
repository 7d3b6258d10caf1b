package request

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func allLines(l Lines) []string {
	out := make([]string, l.Len())
	for i := range out {
		out[i] = string(l.AppendLine(nil, i, -1))
	}
	return out
}

func TestBodyLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{}},
		{"one line", "abc", []string{"abc"}},
		{"trailing newline", "abc\n", []string{"abc"}},
		{"two lines", "a\nb", []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"blank lines", "\n\n", []string{"", ""}},
		{"blank line in the middle", "a\n\nb\n", []string{"a", "", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := NewBody([]byte(tt.in), "text/plain")
			if err != nil {
				t.Fatal(err)
			}
			got := allLines(b)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
			if b.Line(len(tt.want)) != "" || b.Line(-1) != "" {
				t.Fatal("out-of-range lines must be empty")
			}
		})
	}
}

func TestAppendLineClipsAtRuneBoundary(t *testing.T) {
	t.Parallel()
	b, _ := NewBody([]byte("héllo wörld"), "")
	for max := 0; max <= 13; max++ {
		got := b.AppendLine(nil, 0, max)
		if len(got) > max {
			t.Fatalf("max %d: got %d bytes", max, len(got))
		}
		if !strings.HasPrefix("héllo wörld", string(got)) || !isValidUTF8(got) {
			t.Fatalf("max %d: %q is not a clean prefix", max, got)
		}
	}
}

func isValidUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

func TestDetectKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ct   string
		body string
		want Kind
	}{
		{"application/json; charset=utf-8", `{}`, KindJSON},
		{"application/problem+json", `{}`, KindJSON},
		{"application/x-ndjson", "{}\n{}", KindJSON},
		{"text/html", "<p>", KindHTML},
		{"application/xml", "<a/>", KindXML},
		{"application/atom+xml", "<a/>", KindXML},
		{"text/plain", "{not json", KindText},
		{"image/png", "\x89PNG", KindBinary},
		{"", `  [1,2]`, KindJSON},
		{"", "<!DOCTYPE html><html>", KindHTML},
		{"", "<?xml version=\"1.0\"?><a/>", KindXML},
		{"", "a\x00b", KindBinary},
		{"", "hello", KindText},
		{"application/json", "", KindEmpty},
		{"bogus;;;", "plain", KindText},
	}
	for _, tt := range tests {
		if got := DetectKind(tt.ct, []byte(tt.body)); got != tt.want {
			t.Errorf("DetectKind(%q, %q) = %v, want %v", tt.ct, tt.body, got, tt.want)
		}
	}
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789\n"), 1000)
	tests := []struct {
		name    string
		r       io.Reader
		hint    int64
		max     int64
		wantErr error
	}{
		{"known length", bytes.NewReader(data), int64(len(data)), 1 << 20, nil},
		{"unknown length, one byte at a time", iotest.OneByteReader(bytes.NewReader(data)), -1, 1 << 20, nil},
		{"exactly the limit", bytes.NewReader(data), -1, int64(len(data)), nil},
		{"one byte over the limit", bytes.NewReader(data), -1, int64(len(data)) - 1, ErrBodyTooLarge},
		{"over the limit with a lying hint", bytes.NewReader(data), 10, 100, ErrBodyTooLarge},
		{"read error", iotest.TimeoutReader(bytes.NewReader(data)), -1, 1 << 20, iotest.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := ReadBody(tt.r, tt.hint, tt.max, "text/plain")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), data) || b.Len() != 1000 {
				t.Fatalf("got %d bytes, %d lines", b.Size(), b.Len())
			}
			if cap(b.Bytes()) > len(data)+len(data)/8+4096 {
				t.Fatalf("capacity %d keeps too much slack for %d bytes", cap(b.Bytes()), len(data))
			}
		})
	}
}

func TestPrettyMatchesIndent(t *testing.T) {
	t.Parallel()
	docs := []string{
		`{"a":1,"b":[1,2,{"c":null}],"d":{},"e":[],"f":"x\"y","g":true,"h":-1.5e+3}`,
		`[]`,
		`"just a string"`,
		` { "spaced" : [ 1 , 2 ] , "empty" : { } } `,
		`[[[[]]]]`,
		`{"unicode":"héllo \u00e9 ✓","esc":"a\\b\n"}`,
		"[\n  1,\n  2\n]\n",
		`0`,
	}
	for _, doc := range docs {
		p, err := PrettyJSON(context.Background(), []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, bytes.TrimRight([]byte(doc), " \t\r\n"), "", Indent); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(allLines(p), "\n"); got != want.String() {
			t.Errorf("pretty(%s) =\n%s\nwant\n%s", doc, got, want.String())
		}
	}
}

func TestPrettyNDJSON(t *testing.T) {
	t.Parallel()
	p, err := PrettyJSON(context.Background(), []byte("{\"a\":1}\n{\"b\":[]}\n7\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"{", `  "a": 1`, "}", "{", `  "b": []`, "}", "7"}
	if got := allLines(p); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %q", got)
	}
}

func TestPrettySyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		line, col int
		msg       string
	}{
		{`{"a":1,}`, 1, 8, "member name"},
		{`[1,]`, 1, 4, "expected a value"},
		{"{\n  \"a\" 1}", 2, 7, "':'"},
		{`{"a":tru}`, 1, 6, "expected true"},
		{`"abc`, 1, 1, "never closed"},
		{`[01]`, 1, 3, "expected ','"},
		{`[1.]`, 1, 4, "digits must follow '.'"},
		{`["a\x"]`, 1, 4, "invalid escape"},
		{"[\"a\tb\"]", 1, 4, "control character"},
		{`[1 2]`, 1, 4, "expected ','"},
		{``, 1, 1, "no JSON value"},
		{`{"a":[1}`, 1, 8, "expected ',' or \"]\""},
		{`[`, 1, 2, "end of input"},
	}
	for _, tt := range tests {
		_, err := PrettyJSON(context.Background(), []byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%q: got line %d col %d %q, want line %d col %d containing %q", tt.in, se.Line, se.Col, se.Msg, tt.line, tt.col, tt.msg)
		}
	}
}

func TestPrettyDeepNestingDoesNotOverflow(t *testing.T) {
	t.Parallel()
	const depth = 1_000_000
	doc := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	p, err := PrettyJSON(context.Background(), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 2*depth-1 {
		t.Fatalf("lines = %d", p.Len())
	}
	// A deep line is capped by max, not rendered in full.
	if got := p.AppendLine(nil, depth-1, 80); len(got) != 80 {
		t.Fatalf("clipped line has %d bytes", len(got))
	}
}

func TestPrettyCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	doc := "[" + strings.Repeat(`"abcdefgh",`, 100_000) + "0]"
	if _, err := PrettyJSON(ctx, []byte(doc)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestPrettySpans(t *testing.T) {
	t.Parallel()
	p, err := PrettyJSON(context.Background(), []byte(`{"k":"v","n":-2,"t":true,"o":{ }}`))
	if err != nil {
		t.Fatal(err)
	}
	type tok struct {
		text string
		kind TokenKind
	}
	want := [][]tok{
		{{"{", TokPunct}},
		{{`"k"`, TokKey}, {": ", TokPunct}, {`"v"`, TokString}, {",", TokPunct}},
		{{`"n"`, TokKey}, {": ", TokPunct}, {"-2", TokNumber}, {",", TokPunct}},
		{{`"t"`, TokKey}, {": ", TokPunct}, {"true", TokLiteral}, {",", TokPunct}},
		{{`"o"`, TokKey}, {": ", TokPunct}, {"{", TokPunct}, {"}", TokPunct}},
		{{"}", TokPunct}},
	}
	if p.Len() != len(want) {
		t.Fatalf("lines = %q", allLines(p))
	}
	for i, w := range want {
		line, spans := p.AppendSpans(nil, nil, i, -1)
		var got []tok
		for _, s := range spans {
			got = append(got, tok{string(line[s.Start:s.End]), s.Kind})
		}
		if len(got) != len(w) {
			t.Fatalf("line %d %q: spans %v, want %v", i, line, got, w)
		}
		for k := range w {
			if got[k] != w[k] {
				t.Fatalf("line %d %q: span %d = %v, want %v", i, line, k, got[k], w[k])
			}
		}
	}
}

func TestPrettyLineOf(t *testing.T) {
	t.Parallel()
	src := []byte(`{"a":1,"b":{"c":2}}`)
	p, _ := PrettyJSON(context.Background(), src)
	off := bytes.Index(src, []byte(`"c"`))
	if got := p.Line(p.LineOf(off)); got != `    "c": 2` {
		t.Fatalf("line of offset %d = %q", off, got)
	}
}

func TestAppendDisplay(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a\tb", "a    b"},
		{"\x1b]52;c;ZXZpbA==\x07", "␛]52;c;ZXZpbA==␇"},
		{"bad \xff\xfe utf8", "bad \uFFFD\uFFFD utf8"},
		{"del\x7f", "del␡"},
		{"c1\u009b31m", "c1\uFFFD31m"},
		{"bidi\u202eevil", "bidi\uFFFDevil"},
		{"héllo ✓ 日本", "héllo ✓ 日本"},
	}
	for _, tt := range tests {
		if got := string(AppendDisplay(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("AppendDisplay(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	body, _ := NewBody([]byte("alpha\nBeta beta\ngamma\nalpha again\n"), "")
	tests := []struct {
		name     string
		q        string
		from     Match
		backward bool
		want     Match
		ok       bool
	}{
		{"first from top", "alpha", Match{0, -1}, false, Match{0, 0}, true},
		{"next after a match", "alpha", Match{0, 0}, false, Match{3, 0}, true},
		{"wraps around", "alpha", Match{3, 0}, false, Match{0, 0}, true},
		{"smart case folds lower-case queries", "beta", Match{0, -1}, false, Match{1, 0}, true},
		{"second match on the same line", "beta", Match{1, 0}, false, Match{1, 5}, true},
		{"upper case is exact", "Beta", Match{1, 0}, false, Match{1, 0}, true},
		{"backward", "alpha", Match{3, 0}, true, Match{0, 0}, true},
		{"backward on the same line", "beta", Match{1, 5}, true, Match{1, 0}, true},
		{"backward wraps", "gamma", Match{0, 0}, true, Match{2, 0}, true},
		{"no match", "delta", Match{0, -1}, false, Match{}, false},
		{"empty query", "", Match{0, -1}, false, Match{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := Search(context.Background(), body, NewQuery(tt.q), tt.from, tt.backward)
			if err != nil || ok != tt.ok || got != tt.want {
				t.Fatalf("Search = %v, %v, %v; want %v, %v", got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestSearchPretty(t *testing.T) {
	t.Parallel()
	p, _ := PrettyJSON(context.Background(), []byte(`{"name":"x","items":[{"name":"needle"}]}`))
	// The pretty view re-spaces ":" as ": ", so a query copied from the screen matches.
	m, ok, err := Search(context.Background(), p, NewQuery(`"name": "needle"`), Match{0, -1}, false)
	if err != nil || !ok {
		t.Fatalf("not found: %v", err)
	}
	if got := p.Line(m.Line); got != `      "name": "needle"` || m.Col != 6 {
		t.Fatalf("match at %v in %q", m, got)
	}
}

func TestSearchCancelled(t *testing.T) {
	t.Parallel()
	body, _ := NewBody(bytes.Repeat([]byte("x\n"), 100_000), "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Search(ctx, body, NewQuery("nothing"), Match{0, -1}, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestQueryAppendMatches(t *testing.T) {
	t.Parallel()
	var scratch []byte
	got := NewQuery("ab").AppendMatches(nil, []byte("xABabab"), &scratch)
	want := [][2]int{{1, 3}, {3, 5}, {5, 7}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// TestSearchAcrossFoldWindows: a match straddling the boundary of two fold
// windows is still found, in a line much longer than one window.
func TestSearchAcrossFoldWindows(t *testing.T) {
	t.Parallel()
	for _, at := range []int{0, foldWindow - 3, foldWindow - 1, foldWindow, 3*foldWindow + 7} {
		line := bytes.Repeat([]byte("x"), 4*foldWindow)
		copy(line[at:], "NeedLe")
		body, _ := NewBody(line, "")
		m, ok, err := Search(context.Background(), body, NewQuery("needle"), Match{0, -1}, false)
		if err != nil || !ok || m.Col != at {
			t.Fatalf("at %d: got %v %v %v", at, m, ok, err)
		}
	}
}
