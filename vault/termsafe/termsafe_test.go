package termsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineEscapesControls(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain name", "plain name"},
		{"", ""},
		{"tøken ünïcode ✓", "tøken ünïcode ✓"},
		{`C:\path\x`, `C:\path\x`},
		{"tok\x00\x1b[2J", `tok\x00\x1b[2J`},
		{"a\nb\tc\rd", `a\nb\tc\rd`},
		{"\x1b]52;c;aGk=\x07", `\x1b]52;c;aGk=\x07`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b2J and \u009d0;t\u009c", `c1 \u009b2J and \u009d0;t\u009c`},
		{"raw \x9b byte", `raw \x9b byte`},
		{"bad \xff\xfe", `bad \xff\xfe`},
		{"trojan \u202egnp.exe", `trojan \u202egnp.exe`},
		{"isolate \u2066x\u2069", `isolate \u2066x\u2069`},
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := string(AppendLine([]byte("> "), tc.in)); got != "> "+tc.want {
			t.Errorf("AppendLine(%q) = %q, want %q", tc.in, got, "> "+tc.want)
		}
		if Clean(tc.in) != (tc.in == tc.want) {
			t.Errorf("Clean(%q) = %v", tc.in, Clean(tc.in))
		}
	}
}

func TestTextKeepsLinesAndTabs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"line one\n\tline two", "line one\n\tline two"},
		{"over\rwrite", `over\rwrite`},
		{"x\n\x1b[31mred\u009b", "x\n" + `\x1b[31mred\u009b`},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIndexCTL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"abc.DEF-_~+/=", -1},
		{"tok\x00", 3},
		{"\ttab", 0},
		{"del\x7f", 3},
		{"c1 \u009b", -1}, // not an ASCII control: HTTP carries it as obs-text
	} {
		if got := IndexCTL(tc.in); got != tc.want {
			t.Errorf("IndexCTL(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestJSONEscapesWhatEncodingJSONLeavesRaw(t *testing.T) {
	t.Parallel()
	v := map[string]string{"name": "a\x7fb\u009bc\u202ed ✓", "token": "tok\x00\x1b[2J"}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got := JSON(raw)
	if !Clean(string(got)) {
		t.Fatalf("JSON left something raw: %q", got)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("JSON broke the document: %v\n%s", err, got)
	}
	if back["name"] != v["name"] || back["token"] != v["token"] {
		t.Fatalf("JSON changed the values: %q", back)
	}
	plain := []byte(`{"a":"ok ✓"}`)
	if got := JSON(plain); &got[0] != &plain[0] {
		t.Error("JSON copied a document that needed nothing")
	}
}

func TestCleanInputAllocatesNothing(t *testing.T) {
	s := strings.Repeat("plain text ✓ ", 20)
	if n := testing.AllocsPerRun(100, func() { _ = Line(s); _ = Text(s) }); n != 0 {
		t.Fatalf("Line and Text of clean text allocated %v times", n)
	}
}

// FuzzLine checks that nothing a terminal acts on survives Line or Text,
// that clean text is left alone, and that escaping is stable.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "abc", "tok\x00\x1b[2J", "\u009b\u009d\u202e", "\xff\xc2", "a\nb\tc\r", `\x1b`, "é\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, text := Line(s), Text(s)
		for name, out := range map[string]string{"Line": line, "Text": text} {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not UTF-8", name, s, out)
			}
			for _, r := range out {
				if (r < 0x20 && !(name == "Text" && (r == '\n' || r == '\t'))) || r == 0x7f || unsafeRune(r) {
					t.Fatalf("%s(%q) = %q keeps %U", name, s, out, r)
				}
			}
			if len(out) < len(s) {
				t.Fatalf("%s(%q) = %q dropped bytes", name, s, out)
			}
		}
		if Line(line) != line || Text(text) != text {
			t.Fatalf("escaping %q is not stable", s)
		}
		if Clean(s) != (line == s) {
			t.Fatalf("Clean(%q) = %v but Line gives %q", s, Clean(s), line)
		}
		if !strings.ContainsAny(s, "\\") && strings.Count(line, `\`) == 0 && line != s {
			t.Fatalf("Line(%q) = %q changed text without escaping it", s, line)
		}
		if i := IndexCTL(s); i >= 0 && Clean(s) {
			t.Fatalf("IndexCTL(%q) = %d but Clean says it is clean", s, i)
		}
		raw, _ := json.Marshal(s)
		js := JSON(raw)
		var back string
		if err := json.Unmarshal(js, &back); err != nil || !Clean(string(js)) {
			t.Fatalf("JSON(%s) = %s: %v", raw, js, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("JSON changed %q into %q", s, back)
		}
	})
}
