package interchange_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault/interchange"
)

// TestHTTPBodyFilesAreBounded checks the "< path" bodies of a .http file:
// a file a saved request cannot hold (over 1 MiB, or binary) is sent from
// the file, byte for byte, and kept out of the catalog; a FIFO or a device
// is never read (it could block or never end); a large file inside a larger
// body is left out with a warning that names it.
func TestHTTPBodyFilesAreBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := bytes.Repeat([]byte(`{"row": "0123456789abcdef"},`+"\n"), (2<<20)/29)
	blob := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff, 0xfe}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("big.json", big)
	write("blob.bin", blob)
	write("small.json", []byte(`{"k": "v"}`))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := "POST https://x.example/big\nContent-Type: application/json\n\n< ./big.json\n\n###\n" +
		"POST https://x.example/blob\nContent-Type: image/png\n\n< ./blob.bin\n\n###\n" +
		"POST https://x.example/small\n\n< ./small.json\n\n###\n" +
		"POST https://x.example/pipe\n\n< ./pipe\n\n###\n" +
		"POST https://x.example/zero\n\n< /dev/zero\n\n###\n" +
		"POST https://x.example/templated\n\n<@ ./big.json\n\n###\n" +
		"POST https://x.example/mixed\nContent-Type: multipart/form-data; boundary=b\n\n--b\nContent-Disposition: form-data; name=\"f\"; filename=\"big.json\"\n\n< ./big.json\n--b--\n"
	write("api.http", []byte(src))

	w := newWorkspace(t)
	c, err := w.v.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, notes, err := interchange.ParseHTTPFile([]byte(src), interchange.RequestImportOptions{Env: w.env, Catalog: c, Path: filepath.Join(dir, "api.http")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.v.Apply(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	byURL := map[string]int{}
	for k, r := range b.Requests {
		byURL[strings.TrimPrefix(r.URL, "https://x.example/")] = k
	}
	for name, file := range map[string]string{"big": "big.json", "blob": "blob.bin"} {
		r := b.Requests[byURL[name]]
		if r.BodyFile != filepath.Join(dir, file) || r.Body != "" {
			t.Errorf("%s: body file %q, inline body of %d bytes; want it sent from %s", name, r.BodyFile, len(r.Body), file)
		}
	}
	if r := b.Requests[byURL["small"]]; r.Body != `{"k": "v"}` || r.BodyFile != "" {
		t.Errorf("small: a small text file is copied into the request: body %q, file %q", r.Body, r.BodyFile)
	}
	for _, name := range []string{"pipe", "zero", "templated", "mixed"} {
		if r := b.Requests[byURL[name]]; r.BodyFile != "" || len(r.Body) > 1<<20 {
			t.Errorf("%s: body file %q, inline body of %d bytes; want neither", name, r.BodyFile, len(r.Body))
		}
	}
	for _, want := range []string{"pipe cannot be read (not a regular file)", "/dev/zero cannot be read (not a regular file)", "big.json is larger than 1024 KB"} {
		found := false
		for _, n := range notes {
			found = found || (n.Kind == interchange.NoteWarning && strings.Contains(n.Msg, want))
		}
		if !found {
			t.Errorf("no warning %q in %v", want, notes)
		}
	}
	catalog, err := os.ReadFile(w.catPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(catalog, []byte("0123456789abcdef")) {
		t.Error("the large body file was copied into the catalog")
	}
	// What goes on the wire: the file's bytes, read at send.
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		bodies <- data
	}))
	defer srv.Close()
	s := &request.Sender{Vault: w.v, Engine: staticTokens{}}
	for name, want := range map[string][]byte{"big": big, "blob": blob} {
		spec := request.SpecFromSaved(b.Requests[byURL[name]])
		spec.URL = srv.URL + "/" + name
		resp, err := s.Send(t.Context(), w.env, spec, request.SendOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_ = resp.Discard()
		if received := <-bodies; !bytes.Equal(received, want) {
			t.Errorf("%s: %d bytes sent, want the file's %d bytes", name, len(received), len(want))
		}
	}
}
