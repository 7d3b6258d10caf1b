package jsonpos

import (
	"strings"
	"testing"
)

func TestCheckStrict(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ doc, want string }{
		{`{"a": 1, "b": [1, {"c": 2}], "d": {"a": 1}}`, ""},
		{`[{"a": 1}, {"a": 2}]`, ""},
		{"{\n  \"a\": 1,\n  \"a\": 2\n}", `line 3, column 3: key "a" appears twice`},
		{`{"x": {"k\"q": 1, "k\"q": 2}}`, `line 1, column 19: key "k\"q" appears twice`},
		{`{"a": [1, 2], "b": {}, "a": 3}`, `line 1, column 24: key "a" appears twice`},
		{"{\"a\": \"\xe2\x82\"}", "line 1, column 8: byte 0xe2 is not UTF-8 text"},
		{"{\"a\":\n 1,,}", "line 2, column 4"},
		{`{"a": 1`, "unexpected end of JSON input"},
	} {
		err := CheckStrict([]byte(tt.doc))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.doc, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want %q", tt.doc, err, tt.want)
		}
	}
}

func FuzzCheckStrict(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `[{"b":[{"c":{}}]}]`, "{\"\\\"\":1}", `{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := CheckStrict(data)
		if err != nil {
			if pe, ok := err.(*Error); ok && (pe.Line < 1 || pe.Col < 1) {
				t.Fatalf("position %d:%d", pe.Line, pe.Col)
			}
		}
	})
}
