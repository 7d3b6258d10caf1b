package request

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// FuzzFormParts: any form field names, values and part types render into
// a multipart body that parses back to the same names and values, or a
// clear error — never a panic or a body that smuggles extra parts.
func FuzzFormParts(f *testing.F) {
	f.Add("name", "value", "text/plain", "q", "{{$guid}}")
	f.Add("a\"b\r\nX: y", "--boundary", "", "c;d", "x\r\n--x--")
	f.Fuzz(func(t *testing.T, n1, v1, ct, n2, v2 string) {
		spec := Spec{
			Method: "POST", URL: "https://x.example/?a=1", Form: []vault.FormField{{Name: n1, Value: v1, ContentType: ct}, {Name: n2, Value: v2}},
			Params: []vault.QueryParam{{Name: n1, Value: v2}},
		}
		p := &plan{spec: spec, env: "dev"}
		if _, err := p.planParts(); err != nil {
			return
		}
		u, _ := url.Parse(spec.URL)
		w := &wire{method: "POST", url: u}
		dyn := func(string) (string, bool) { return "v", true }
		if err := p.renderParts(w, dyn, false); err != nil {
			return
		}
		_, prm, err := mime.ParseMediaType(w.get("Content-Type"))
		if err != nil {
			t.Fatalf("content type %q: %v", w.get("Content-Type"), err)
		}
		mr := multipart.NewReader(bytes.NewReader(w.body), prm["boundary"])
		count := 0
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("the body does not parse: %v", err)
			}
			_, _ = io.ReadAll(part)
			count++
		}
		if count != 2 {
			t.Fatalf("%d parts, want 2", count)
		}
	})
}
