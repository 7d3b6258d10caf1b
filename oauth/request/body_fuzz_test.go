package request

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzBodyLines checks the line indexer (S-36): lines never contain a line
// break, and joining them gives back the body minus a final line break and
// the CR of each CRLF.
func FuzzBodyLines(f *testing.F) {
	for _, s := range []string{"", "a", "a\n", "a\r\nb", "\n\n\r\n", "x\ry\n", "\xff\n\x00", "\r", "a\r\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := NewBody(data, "")
		if err != nil {
			t.Fatal(err)
		}
		var rebuilt []byte
		for i := 0; i < b.Len(); i++ {
			line := b.AppendLine(nil, i, -1)
			if bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("line %d contains a line break", i)
			}
			if i > 0 {
				rebuilt = append(rebuilt, '\n')
			}
			rebuilt = append(rebuilt, line...)
			if got := b.LineOf(int(b.starts[i])); got != i {
				t.Fatalf("LineOf(start of %d) = %d", i, got)
			}
		}
		want := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		want = bytes.TrimSuffix(want, []byte("\n"))
		if b.Len() > 0 && !bytes.Equal(rebuilt, want) {
			t.Fatalf("rebuilt %q from %q", rebuilt, data)
		}
		disp := AppendDisplay(nil, data)
		if bytes.ContainsAny(disp, "\x1b\x07\x00") || !isValidUTF8(disp) {
			t.Fatalf("display form of %q is unsafe: %q", data, disp)
		}
		if _, err := ReadBody(bytes.NewReader(data), -1, int64(len(data)), ""); err != nil {
			t.Fatal(err)
		}
		if len(data) > 1 {
			if _, err := ReadBody(bytes.NewReader(data), -1, int64(len(data)-1), ""); !errors.Is(err, ErrBodyTooLarge) {
				t.Fatalf("over the limit: %v", err)
			}
		}
		_, _ = ReadBody(io.LimitReader(bytes.NewReader(data), 3), 1<<12, 0, "")
	})
}

// FuzzPrettyJSON checks the pretty-printer against encoding/json (S-36):
// it accepts exactly the documents encoding/json accepts (as a stream of
// values), renders them as json.Indent does, and never panics or hangs.
func FuzzPrettyJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"e\u00e9\n"}}`, `[]`, `{}`, `[{}]`, `"x"`, `-0.5e-3`,
		`{"a":1,}`, `[1,]`, `{"a" 1}`, "{\"a\":1}\n{\"b\":2}", `[[[[`, `"\ud800"`, "\"\xff\"", `1 2`, `01`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := PrettyJSON(context.Background(), data)
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("error is not a *SyntaxError: %v", err)
		}
		if se != nil && (se.Offset < 0 || se.Offset > len(data) || se.Line < 1 || se.Col < 1) {
			t.Fatalf("bad position %+v", se)
		}
		if json.Valid(data) {
			if err != nil {
				t.Fatalf("valid JSON %q refused: %v", data, err)
			}
			var want bytes.Buffer
			if err := json.Indent(&want, bytes.TrimRight(data, " \t\r\n"), "", Indent); err != nil {
				t.Fatal(err)
			}
			lines := make([]string, p.Len())
			for i := range lines {
				lines[i] = p.Line(i)
			}
			if got := strings.Join(lines, "\n"); got != want.String() {
				t.Fatalf("pretty(%q) =\n%s\nwant\n%s", data, got, want.String())
			}
		}
		if err == nil {
			// Every accepted document is a stream of valid JSON values.
			dec := json.NewDecoder(bytes.NewReader(data))
			for {
				var raw json.RawMessage
				if derr := dec.Decode(&raw); derr == io.EOF {
					break
				} else if derr != nil {
					t.Fatalf("accepted %q but encoding/json says %v", data, derr)
				}
			}
			for i := 0; i < p.Len(); i++ {
				line, spans := p.AppendSpans(nil, nil, i, -1)
				last := 0
				for _, s := range spans {
					if s.Start < last || s.End > len(line) || s.Start >= s.End {
						t.Fatalf("line %q: bad span %+v", line, s)
					}
					last = s.End
				}
				if clipped := p.AppendLine(nil, i, 5); len(clipped) > 5 {
					t.Fatalf("clipped line has %d bytes", len(clipped))
				}
			}
		}
	})
}
