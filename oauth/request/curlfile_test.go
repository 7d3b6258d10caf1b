package request

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestCurlFileString: what curl -d @file sends of a file (real curl is the
// oracle of vault/interchange's TestCurlDataFileParity; these are the
// cases spelled out).
func TestCurlFileString(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("b", 254)
	tests := []struct{ name, in, want string }{
		{"LF endings", "a=1\n&b=2\n", "a=1&b=2"},
		{"CRLF endings", "a=1\r\n&b=2\r\n", "a=1&b=2"},
		{"no final break", "a=1\nb", "a=1b"},
		{"CR inside a line drops the rest of the line", "a=1\rgone\nb=2", "a=1b=2"},
		{"NUL ends its piece", "a=1\x00gone\nb=2\n", "a=1b=2"},
		{"a piece is 255 bytes: a CR in the next piece drops only that piece's rest", "x" + long + "\rgone\nc", "x" + long + "c"},
		{"a CR in the first 255 bytes drops the rest of that piece only", "y\r" + long + "kept\n", "y" + long[:1] + "kept"},
		{"empty", "", ""},
		{"only breaks", "\n\r\n\n", ""},
	}
	for _, tt := range tests {
		if got := string(curlFileString([]byte(tt.in))); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestSendBodyFileWithoutLineBreaks: a saved request whose body file is
// sent as curl -d @file sends it so, and the preview says so.
func TestSendBodyFileWithoutLineBreaks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "body.txt")
	if err := os.WriteFile(path, []byte("a=1\r\n&b=2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := SpecFromSaved(vault.Request{Method: "POST", URL: "http://127.0.0.1:1/x", BodyFile: path, StripLineBreaks: true})
	if !spec.StripLineBreaks {
		t.Fatal("the spec lost StripLineBreaks")
	}
	p := &plan{spec: spec}
	if _, err := p.planParts(); err != nil {
		t.Fatal(err)
	}
	none := func(string) (string, bool) { return "", false }
	w := wire{url: &url.URL{}}
	if err := p.renderParts(&w, none, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.body, []byte("a=1&b=2")) {
		t.Errorf("sent body %q, want %q", w.body, "a=1&b=2")
	}
	preview := wire{url: &url.URL{}}
	if err := p.renderParts(&preview, none, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(preview.body), "without its line breaks") {
		t.Errorf("preview %q does not say the line breaks are left out", preview.body)
	}
}

// FuzzCurlFileString: whatever the file, nothing curl leaves out reaches
// the body (no CR, LF or NUL), nothing is added, and a file without CR or
// NUL loses exactly its line feeds.
func FuzzCurlFileString(f *testing.F) {
	for _, s := range []string{"a\nb", "a\r\nb\r\n", "x\ry\nz", "\x00", strings.Repeat("q", 600) + "\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := curlFileString(in)
		if bytes.ContainsAny(out, "\x00\r\n") {
			t.Fatalf("%q keeps a NUL, CR or LF: %q", in, out)
		}
		if len(out) > len(in) {
			t.Fatalf("%q grew to %q", in, out)
		}
		if !bytes.ContainsAny(in, "\x00\r") {
			if want := bytes.ReplaceAll(in, []byte("\n"), nil); !bytes.Equal(out, want) {
				t.Fatalf("%q: %q, want %q", in, out, want)
			}
		}
	})
}
