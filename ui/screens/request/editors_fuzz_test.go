package request

import (
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/components/kvtable"
)

// FuzzQueryRow: whatever is typed into a parameter row, it becomes exactly
// one parameter of the URL's query — no text splits it in two, adds a
// fragment or changes what comes before the query — and the URL read back
// is stable (writing its rows again gives the same URL).
func FuzzQueryRow(f *testing.F) {
	for _, seed := range [][2]string{{"q", "x y&z"}, {"a=b", "c#d"}, {"{{api key}}", "{{a&b}}"}, {"n", "{{x"}, {"ü", "\x00\r\n"}, {"k", "}}{{"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		name = strings.TrimSpace(name)
		if name == "" {
			return
		}
		const base = "https://api.example.test/p"
		u := withQuery(base+"?keep=1#frag", []kvtable.Row{{Name: "keep", Value: "1"}, {Name: name, Value: value}})
		b, _, frag := splitURL(u)
		if b != base || frag != "#frag" {
			t.Fatalf("row %q=%q changed the URL around its query: %q", name, value, u)
		}
		rows := queryRows(u)
		if len(rows) != 2 || rows[0] != (kvtable.Row{Name: "keep", Value: "1"}) {
			t.Fatalf("row %q=%q read back as %d rows from %q", name, value, len(rows), u)
		}
		if again := withQuery(u, rows); again != u {
			t.Fatalf("not stable: %q then %q", u, again)
		}
	})
}

// FuzzParseLines: pasted text gives rows with a name, never a line break.
func FuzzParseLines(f *testing.F) {
	f.Add("X-One: 1\r\nX-Two: 2\n# note\n", ":")
	f.Add("?a=1&b=2&&c", "=")
	f.Fuzz(func(t *testing.T, text, sep string) {
		if sep != ":" && sep != "=" {
			return
		}
		for _, r := range kvtable.ParseLines(text, sep) {
			if r.Name == "" || strings.ContainsAny(r.Name+r.Value, "\r\n") {
				t.Fatalf("row %+v from %q", r, text)
			}
		}
	})
}
