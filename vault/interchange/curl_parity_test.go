package interchange_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// The curl parity test runs each command line of the curl corpus with the
// real curl and sends the request authdeck imports from it, against one
// loopback echo server, and compares what the server received: method,
// path and query, headers (in any order; User-Agent differs by design and
// Accept-Encoding because authdeck asks for compressed responses it then
// decodes for display) and body bytes.

// echoed is one request as the echo server received it.
type echoed struct {
	Method, Target string
	Headers        []string
	Body           []byte
}

func (e echoed) String() string {
	return fmt.Sprintf("%s %s %q body=%q", e.Method, e.Target, e.Headers, truncateBody(string(e.Body)))
}

type echoServer struct {
	*httptest.Server
	mu   sync.Mutex
	got  []echoed
	port string
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	es := &echoServer{}
	es.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var hs []string
		for k, vs := range r.Header {
			if k == "User-Agent" || k == "Accept-Encoding" {
				continue
			}
			for _, v := range vs {
				hs = append(hs, strings.ToLower(k)+": "+v)
			}
		}
		hs = append(hs, "host: "+r.Host)
		if len(body) == 0 {
			// net/http always sends "Content-Length: 0" with an empty
			// POST, PUT or PATCH; curl sends none. No body either way.
			hs = slices.DeleteFunc(hs, func(h string) bool { return h == "content-length: 0" })
		}
		sort.Strings(hs)
		es.mu.Lock()
		es.got = append(es.got, echoed{Method: r.Method, Target: r.RequestURI, Headers: hs, Body: body})
		es.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	}))
	t.Cleanup(es.Close)
	_, es.port, _ = strings.Cut(strings.TrimPrefix(es.URL, "http://"), ":")
	return es
}

func (es *echoServer) take() []echoed {
	es.mu.Lock()
	defer es.mu.Unlock()
	out := es.got
	es.got = nil
	return out
}

// fileRefs are paths a command line reads (-F name=@path, -d @path, -T path).
var fileRefs = regexp.MustCompile(`(?:=@|[ '"]@|-T |--upload-file )"?([A-Za-z0-9_./-]+\.[A-Za-z0-9]+)`)

// parityLine is the result for one corpus file.
type parityLine struct {
	file            string
	curl, authdeck  []echoed
	importNotes     []interchange.Note
	importErr       error
	declined, match bool
	why             string
}

// needCurl skips a test that runs real curl where curl is missing, and
// fails it in CI, which installs it.
func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is not installed; CI installs it (.ci/apt-packages.txt)")
		}
		t.Skip("curl is not installed")
	}
}

func TestCurlParity(t *testing.T) {
	needCurl(t)
	es := newEchoServer(t)
	files := corpusFiles(t, "curl", func(p string) bool { return strings.HasSuffix(p, ".sh") })
	var lines []parityLine
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(src, []byte("localhost:28139")) {
			continue // only the lines aimed at the fixtures' loopback port can be replayed here
		}
		text := strings.ReplaceAll(string(src), "localhost:28139", "127.0.0.1:"+es.port)
		lines = append(lines, runParity(t, es, f, text, nil))
	}
	compared, matched, declined := 0, 0, 0
	for _, l := range lines {
		rel, _ := filepath.Rel(filepath.Join("testdata", "corpus"), l.file)
		rel = filepath.ToSlash(rel)
		reason, known := curlParityKnown[rel]
		switch {
		case len(l.curl) == 0:
			continue // curl itself sent nothing (reads a file it cannot have, or stdin)
		case l.match:
			compared++
			matched++
			if known {
				t.Errorf("%s now matches curl; remove it from curlParityKnown (%s)", rel, reason)
			}
		case l.declined:
			compared++
			declined++
			if !known {
				t.Errorf("%s: the import declines what curl sends: %s", rel, l.why)
			}
		default:
			compared++
			if !known {
				t.Errorf("%s: authdeck does not send what curl sends: %s", rel, l.why)
			} else {
				t.Logf("%s (known: %s): %s", rel, reason, l.why)
			}
		}
	}
	t.Logf("curl parity: %d command files compared, %d sent exactly as curl sends them, %d reported as not reproducible, %d differ", compared, matched, declined, compared-matched-declined)
	if matched < 40 {
		t.Errorf("only %d command lines match real curl; at least 40 must", matched)
	}
}

// TestCurlDataFileParity: curl -d @file (and --data, --data-ascii) sends
// the file without its line breaks, and drops what follows a carriage
// return on its piece of line; --data-binary and --json send it as it is.
// Real curl and authdeck's import of the same command send files of every
// kind of line ending to one echo server, and the bodies must be the same
// bytes.
func TestCurlDataFileParity(t *testing.T) {
	needCurl(t)
	es := newEchoServer(t)
	long := strings.Repeat("a", 300)
	contents := map[string]string{
		"lf":             "grant_type=client_credentials\n&scope=read\n",
		"crlf":           "name=Ada\r\n&lang=en\r\n",
		"no-final-break": "a=1\nb=2",
		"cr-inside-line": "keep=1\rdropped\nnext=2\n",
		"long-line-cr":   long + "\rtail\n" + "x=1\n",
		"json":           "{\n  \"user\": \"ada\",\n  \"tags\": [\"a\", \"b\"]\n}\n",
		"empty-lines":    "\n\n\na=1\n\n",
		"utf8":           "name=Zoë\nville=Zürich\n",
	}
	for name, content := range contents {
		for _, opt := range []string{"-d", "--data", "--data-ascii", "--data-binary", "--json"} {
			t.Run(name+" "+opt, func(t *testing.T) {
				text := fmt.Sprintf("curl %s @%s.txt http://127.0.0.1:%s/form", opt, name, es.port)
				l := runParity(t, es, name+" "+opt, text, map[string][]byte{name + ".txt": []byte(content)})
				if len(l.curl) != 1 {
					t.Fatalf("curl sent %d requests", len(l.curl))
				}
				if !l.match {
					t.Fatalf("%s: authdeck does not send what curl sends: %s", text, l.why)
				}
			})
		}
	}
}

// curlParityKnown lists corpus files whose import does not send what curl
// sends yet, with the reason.
var curlParityKnown = map[string]string{
	"curl/curlconverter/bash_redirect_heredoc.sh":    "the body comes from a here-document",
	"curl/curlconverter/bash_redirect_herestring.sh": "the body comes from standard input (@-)",
	"curl/curlconverter/form_quotes.sh":              "one -F file is an absolute Windows path that exists on no machine here: curl skips that command, authdeck stops with an error naming the file",
	"curl/curlconverter/get_http2_warning.sh":        "--http2 on http:// makes curl send an h2c upgrade",
	"curl/curlconverter/get_with_env_var.sh":         "a shell variable ($DO_API_TOKEN) is kept as written, not expanded",
	"curl/curlconverter/multiple_commands.sh":        "the last command uploads standard input (-T -), which a saved request cannot carry",
	"curl/curlconverter/pipelines.sh":                "a command piped into another curl is imported once",
	"curl/curlconverter/put_with_file.sh":            "the -d @file does not exist: curl sends an empty body, authdeck refuses to send and names the file",
	"curl/curlconverter/read_stdin.sh":               "the body comes from standard input (@-)",
	"curl/curlconverter/strange_http_method.sh":      "the method is sent upper-cased (saved requests take standard method names)",
	"curl/curlconverter/url_query_reads_file.sh":     "--url-query name@file puts a file's content in the URL; not imported",
}

// runParity sends text's command lines with real curl and with authdeck's
// import of them. The files the lines read are made in a fresh folder: with
// the content files gives for their name, else two lines naming the file.
func runParity(t *testing.T, es *echoServer, file, text string, files map[string][]byte) parityLine {
	t.Helper()
	l := parityLine{file: file}
	dir := t.TempDir()
	for _, m := range fileRefs.FindAllStringSubmatch(text, -1) {
		p := filepath.Join(dir, filepath.FromSlash(m[1]))
		if !strings.HasPrefix(p, dir) {
			continue
		}
		content, ok := files[m[1]]
		if !ok {
			content = []byte("content of " + m[1] + "\nsecond line\n")
		}
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, content, 0o600)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", text)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	cmd.Stdin = strings.NewReader("")
	_ = cmd.Run() // a command may fail after sending (a missing output file, -f)
	l.curl = es.take()

	// The same text through authdeck: import, then send each request.
	v := vault.New(vault.NewMemoryCatalog(), vault.NewMemoryStore())
	if _, err := v.AddEnv(vault.Environment{Name: "corpus"}); err != nil {
		t.Fatal(err)
	}
	c, _ := v.Load()
	b, notes, err := interchange.ParseCurl([]byte(text), interchange.RequestImportOptions{Env: "corpus", Catalog: c, Name: "cmd", BaseDir: dir})
	l.importNotes, l.importErr = notes, err
	if err == nil {
		_, err = v.Apply(context.Background(), b)
	}
	if err != nil {
		l.why = "import failed: " + err.Error()
		return l
	}
	s := &request.Sender{Vault: v}
	for _, r := range b.Requests {
		saved, err := v.SavedRequest("corpus", r.Name)
		if err != nil {
			t.Fatal(err)
		}
		spec := request.SpecFromSaved(saved)
		spec.AllowHTTP = true
		spec.Timeout = 10 * time.Second
		resp, err := s.Send(context.Background(), "corpus", spec, request.SendOptions{Sink: func(*request.Response) io.Writer { return io.Discard }})
		if err != nil {
			l.why = fmt.Sprintf("send %q: %v", r.Name, err)
			var ie *request.InputError
			if errors.As(err, &ie) {
				l.why += " (input)"
			}
			l.authdeck = es.take()
			return l
		}
		_ = resp.Discard()
	}
	l.authdeck = es.take()
	if slices.EqualFunc(l.curl, l.authdeck, func(a, b echoed) bool {
		a, b = canonicalMultipart(a), canonicalMultipart(b)
		return a.Method == b.Method && a.Target == b.Target && slices.Equal(a.Headers, b.Headers) && bytes.Equal(a.Body, b.Body)
	}) {
		l.match = true
		return l
	}
	// A difference the import report owns up to (stdin, a shell
	// expansion, an option it cannot carry) is declined, not silent.
	for _, n := range notes {
		if strings.Contains(n.Msg, "was assumed") || strings.HasPrefix(n.Msg, "-k:") {
			continue // these say what was done, not what could not be
		}
		if n.Kind == interchange.NoteWarning || n.Kind == interchange.NoteSkipped {
			l.declined = true
			l.why = n.String()
		}
	}
	detail := fmt.Sprintf("curl sent %d request(s), authdeck %d", len(l.curl), len(l.authdeck))
	for i := range max(len(l.curl), len(l.authdeck)) {
		var a, b echoed
		if i < len(l.curl) {
			a = l.curl[i]
		}
		if i < len(l.authdeck) {
			b = l.authdeck[i]
		}
		if a.String() != b.String() {
			detail += fmt.Sprintf("\n    curl     %s\n    authdeck %s", a, b)
			break
		}
	}
	if l.declined {
		l.why += "; " + detail
	} else {
		l.why = detail
	}
	return l
}

// canonicalMultipart rewrites a multipart body and its Content-Type with a
// fixed boundary, so two senders' forms compare part by part (names, file
// names, part headers and bytes): the boundary is random by design, and the
// Content-Length follows from it.
func canonicalMultipart(e echoed) echoed {
	ct := ""
	for _, h := range e.Headers {
		if v, ok := strings.CutPrefix(h, "content-type: "); ok {
			ct = v
		}
	}
	mt, prm, err := mime.ParseMediaType(ct)
	if err != nil || !strings.HasPrefix(mt, "multipart/") || prm["boundary"] == "" {
		return e
	}
	mr := multipart.NewReader(bytes.NewReader(e.Body), prm["boundary"])
	var out bytes.Buffer
	for {
		part, err := mr.NextRawPart()
		if err != nil {
			break
		}
		content, _ := io.ReadAll(part)
		out.WriteString("--BOUNDARY\r\n")
		keys := make([]string, 0, len(part.Header))
		for k := range part.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range part.Header[k] {
				out.WriteString(k + ": " + v + "\r\n")
			}
		}
		out.WriteString("\r\n")
		out.Write(content)
		out.WriteString("\r\n")
	}
	out.WriteString("--BOUNDARY--\r\n")
	c := e
	c.Body = out.Bytes()
	c.Headers = nil
	for _, h := range e.Headers {
		switch {
		case strings.HasPrefix(h, "content-type: "):
			h = "content-type: " + mt + "; boundary=BOUNDARY"
		case strings.HasPrefix(h, "content-length: "):
			h = "content-length: (multipart)"
		}
		c.Headers = append(c.Headers, h)
	}
	return c
}

// TestExportedCurlSendsWhatAuthdeckSends: `authdeck export curl` of a
// request whose body is read when sent — a file as it is, a file without
// its line breaks, multipart forms of text and files — is a command line
// that real curl sends exactly as `authdeck send` does (multipart compared
// part by part, as the boundaries differ). The export once wrote the
// display text "(content of FILE, read when sent)" as --data-raw instead.
func TestExportedCurlSendsWhatAuthdeckSends(t *testing.T) {
	needCurl(t)
	es := newEchoServer(t)
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	form := file("form.txt", "grant_type=client_credentials\r\n&scope=read\n")
	odd := file("odd;name,\"q\".json", "{\"a\": 1}\n")
	png := file("pixel.png", "\x89PNG\r\n\x1a\n\x00binary")
	base := "http://127.0.0.1:" + es.port
	cases := []vault.Request{
		{Name: "text without a type", Method: "POST", URL: base + "/text", Body: "a=1\nb=2"},
		{Name: "json", Method: "PATCH", URL: base + "/json", Body: `{"a":"it's"}`, Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}},
		{Name: "file", Method: "POST", URL: base + "/file", BodyFile: form},
		{
			Name: "file without line breaks", Method: "POST", URL: base + "/strip", BodyFile: form, StripLineBreaks: true,
			Headers: []vault.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}},
		},
		{Name: "put a file", Method: "PUT", URL: base + "/put", BodyFile: png, Headers: []vault.Header{{Name: "Content-Type", Value: "image/png"}}},
		{Name: "odd file name", Method: "POST", URL: base + "/odd", BodyFile: odd},
		{Name: "multipart", Method: "POST", URL: base + "/form", Form: []vault.FormField{
			{Name: "plain", Value: "hello"},
			{Name: "looks like a file", Value: "@/etc/passwd"},
			{Name: "semi;colon", Value: "a;b,c \"quoted\" \\ end"},
			{Name: "typed", Value: `{"x":1}`, ContentType: "application/json"},
			{Name: "picture", IsFile: true, File: png, ContentType: "image/png"},
			{Name: "odd", IsFile: true, File: odd},
			{Name: "skipped", Value: "no", Disabled: true},
		}},
		{Name: "multipart put", Method: "PUT", URL: base + "/form-put", Form: []vault.FormField{{Name: "a", Value: "1"}}},
	}
	v := vault.New(vault.NewMemoryCatalog(), vault.NewMemoryStore())
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	s := &request.Sender{Vault: v}
	ctx := context.Background()
	for _, r := range cases {
		r.Env = "dev"
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		spec := request.SpecFromSaved(r)
		spec.AllowHTTP, spec.Timeout = true, 10*time.Second
		resp, err := s.Send(ctx, "dev", spec, request.SendOptions{Sink: func(*request.Response) io.Writer { return io.Discard }})
		if err != nil {
			t.Fatalf("%s: send: %v", r.Name, err)
		}
		_ = resp.Discard()
		sent := es.take()
		p, err := s.Prepare(ctx, "dev", spec, true)
		if err != nil {
			t.Fatalf("%s: prepare: %v", r.Name, err)
		}
		line := p.Curl(false)
		cmd := exec.CommandContext(ctx, "bash", "-c", line+" -sS -o /dev/null")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %s: %v\n%s", r.Name, line, err, out)
		}
		got := es.take()
		if len(sent) != 1 || len(got) != 1 {
			t.Fatalf("%s: authdeck sent %d requests, curl %d", r.Name, len(sent), len(got))
		}
		a, b := canonicalMultipart(sent[0]), canonicalMultipart(got[0])
		if a.Method != b.Method || a.Target != b.Target || !slices.Equal(a.Headers, b.Headers) || !bytes.Equal(a.Body, b.Body) {
			t.Errorf("%s: the exported command\n  %s\nsends\n  %s\nwhere authdeck sends\n  %s", r.Name, line, b, a)
		}
	}
}
