package interchange_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// A reader of .http files for the corpus test: what the VS Code REST Client
// and the JetBrains HTTP Client send for each request of a file, with the
// first environment of the http-client.env.json (and .private.env.json)
// beside it. It follows REST Client's request parser: ### separates
// blocks, a request line may go on over query lines (?…, &…) and indented
// lines, headers run to the first blank line, the body to the end of the
// block (trailing blank lines dropped), form bodies are joined (a line
// starting with & continues the one before) and URL-encoded as encodeurl
// does, multipart bodies use CRLF, "< path" lines are the file's bytes,
// "GET /path" takes its host from the Host header (https on 443 and 8443),
// "Authorization: Basic user pass" is encoded. JetBrains' handler scripts
// (< {% %} before, > {% %} after) and response references are not sent.
// @name = value lines anywhere are file variables; a request line after a
// blank line starts a new request. System variables ({{$guid}}) match by
// shape.

var (
	hrVarLine   = regexp.MustCompile(`^\s*@([^\s=]+)\s*=\s*(.*?)\s*$`)
	hrReqLine   = regexp.MustCompile(`^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE|LOCK|UNLOCK|PROPFIND|PROPPATCH|COPY|MOVE|MKCOL|MKCALENDAR|ACL|SEARCH|QUERY|GRAPHQL)\s+(\S.*)$`)
	hrNewReq    = regexp.MustCompile(`^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+(https?://|/|\{\{)`)
	hrHeader    = regexp.MustCompile(`^([^:\s]+)\s*:\s*(.*)$`)
	hrSystemRef = regexp.MustCompile(`\{\{\s*(\$[^{}]*?)\s*\}\}`)
)

type hrExpect struct {
	wire    wireRequest
	scripts bool
	missing string // a body file that is not beside the .http file
}

type hrReader struct {
	// jetbrains: the file is written for the JetBrains HTTP Client (script
	// blocks, http-client.env.json), which sends form bodies as written;
	// REST Client URL-encodes them.
	jetbrains bool
	dir       string
	vars      map[string]string
	lines     []string
	out       []hrExpect
	creds     []string
}

func hrComment(t string) bool { return strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") }

// envFiles reads the first environment of http-client.env.json and its
// private twin beside the file (REST Client's $shared values under it).
func hrEnv(dir string) (name string, vars map[string]string, secret []string) {
	vars = map[string]string{}
	for _, f := range []string{"http-client.env.json", "http-client.private.env.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		names := jsonKeys(data)
		var envs map[string]map[string]any
		if json.Unmarshal(data, &envs) != nil {
			continue
		}
		if name == "" {
			for _, n := range names {
				if n != "$shared" {
					name = n
					break
				}
			}
		}
		for _, scope := range []string{"$shared", name} {
			for k, v := range envs[scope] {
				s, ok := v.(string)
				if !ok {
					b, _ := json.Marshal(v)
					s = string(b)
				}
				vars[k] = s
				if strings.Contains(f, "private") || secretName.MatchString(k) {
					secret = append(secret, s)
				}
			}
		}
	}
	return name, vars, secret
}

// jsonKeys lists the top-level keys of a JSON object in file order.
func jsonKeys(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return out
		}
		out = append(out, t.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return out
		}
	}
	return out
}

func (h *hrReader) read() {
	// File variables first: they hold wherever they are.
	inScript := false
	for _, l := range h.lines {
		t := strings.TrimSpace(l)
		switch {
		case inScript:
			inScript = !strings.HasSuffix(t, "%}")
		case strings.HasPrefix(t, "> {%") || strings.HasPrefix(t, "< {%"):
			inScript = !strings.HasSuffix(t, "%}")
		default:
			if m := hrVarLine.FindStringSubmatch(l); m != nil {
				if _, dup := h.vars["@file:"+m[1]]; !dup {
					h.vars["@file:"+m[1]] = m[2]
				}
			}
		}
	}
	for k, v := range h.vars {
		if n, ok := strings.CutPrefix(k, "@file:"); ok {
			h.vars[n] = v
			delete(h.vars, k)
		}
	}
	start := 0
	for i := 0; i <= len(h.lines); i++ {
		if i == len(h.lines) || regexp.MustCompile(`^#{3,}`).MatchString(h.lines[i]) {
			h.block(h.lines[start:i])
			start = i + 1
		}
	}
}

// block reads the requests of one ### block.
func (h *hrReader) block(lines []string) {
	i := 0
	for i < len(lines) {
		scripts := false
		// preamble
		for ; i < len(lines); i++ {
			t := strings.TrimSpace(lines[i])
			if strings.HasPrefix(t, "< {%") {
				scripts = true
				for !strings.HasSuffix(strings.TrimSpace(lines[i]), "%}") && i+1 < len(lines) {
					i++
				}
				continue
			}
			if t == "" || hrComment(t) || hrVarLine.MatchString(lines[i]) {
				continue
			}
			break
		}
		if i >= len(lines) {
			return
		}
		var e hrExpect
		e.scripts = scripts
		reqLine := []string{strings.TrimSpace(lines[i])}
		i++
		for ; i < len(lines); i++ {
			l := lines[i]
			t := strings.TrimSpace(l)
			if strings.HasPrefix(t, "?") || strings.HasPrefix(t, "&") || (t != "" && (l[0] == ' ' || l[0] == '\t') && !hrHeader.MatchString(t)) {
				reqLine = append(reqLine, t)
				continue
			}
			break
		}
		line := strings.Join(reqLine, "")
		method, target := "GET", line
		if m := hrReqLine.FindStringSubmatch(line); m != nil {
			method, target = strings.ToUpper(m[1]), m[2]
		}
		target = strings.TrimSpace(regexp.MustCompile(`\s+HTTP/\S*$`).ReplaceAllString(target, ""))
		var hs []vault.Header
		for ; i < len(lines); i++ {
			t := strings.TrimSpace(lines[i])
			if t == "" {
				i++
				break
			}
			if hrComment(t) {
				continue
			}
			m := hrHeader.FindStringSubmatch(t)
			if m == nil {
				break
			}
			hs = append(hs, vault.Header{Name: m[1], Value: strings.TrimSpace(m[2])})
		}
		var body []string
		for ; i < len(lines); i++ {
			l := lines[i]
			t := strings.TrimSpace(l)
			if strings.HasPrefix(t, "> ") || strings.HasPrefix(t, ">{%") || strings.HasPrefix(t, ">> ") || strings.HasPrefix(t, ">>! ") || strings.HasPrefix(t, "<> ") {
				if strings.Contains(t, "{%") {
					e.scripts = true
					for !strings.HasSuffix(strings.TrimSpace(lines[i]), "%}") && i+1 < len(lines) {
						i++
					}
				}
				continue
			}
			if hrVarLine.MatchString(l) {
				i++
				break
			}
			if hrNewReq.MatchString(l) && (len(body) == 0 || strings.TrimSpace(body[len(body)-1]) == "") {
				break
			}
			body = append(body, l)
		}
		for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
			body = body[:len(body)-1]
		}
		h.finish(&e, method, target, hs, body)
		h.out = append(h.out, e)
	}
}

func (h *hrReader) finish(e *hrExpect, method, target string, hs []vault.Header, body []string) {
	get := func(name string) (string, int) {
		for k, x := range hs {
			if strings.EqualFold(x.Name, name) {
				return x.Value, k
			}
		}
		return "", -1
	}
	ct, _ := get("Content-Type")
	ct = strings.ToLower(ct)
	if host, k := get("Host"); k >= 0 && strings.HasPrefix(target, "/") {
		host = h.render(host)
		if !strings.Contains(host, "://") {
			_, port, _ := strings.Cut(host, ":")
			scheme := "http"
			if port == "443" || port == "8443" {
				scheme = "https"
			}
			host = scheme + "://" + host
		}
		target = strings.TrimSuffix(host, "/") + target
		hs = slices.Delete(hs, k, k+1)
	}
	if method == "GRAPHQL" {
		// JetBrains: a POST of {"query": …, "variables": …} (no variables
		// when the body has none after the query).
		method = "POST"
		if _, k := get("Content-Type"); k < 0 {
			hs = append(hs, vault.Header{Name: "Content-Type", Value: "application/json"})
		}
		query, vars := body, []string(nil)
		for k, l := range body {
			if strings.TrimSpace(l) == "" {
				query, vars = body[:k], body[k+1:]
				break
			}
		}
		q, _ := json.Marshal(h.render(strings.Join(query, "\n")))
		b := `{"query":` + strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(string(q), `\u003c`, "<"), `\u003e`, ">"), `\u0026`, "&")
		if v := strings.TrimSpace(h.render(strings.Join(vars, "\n"))); v != "" {
			var c bytes.Buffer
			if json.Compact(&c, []byte(v)) != nil {
				panic("GraphQL variables are not JSON: " + v)
			}
			b += `,"variables":` + c.String()
		}
		body = []string{b + "}"}
		ct = ""
	}
	w := wireRequest{Method: method, URL: encodeURL(h.render(target))}
	for k, x := range hs {
		v := h.render(x.Value)
		if strings.EqualFold(x.Name, "Authorization") {
			scheme, rest, _ := strings.Cut(v, " ")
			if strings.EqualFold(scheme, "Basic") {
				user, pass, ok := strings.Cut(strings.TrimSpace(rest), ":")
				if !ok {
					user, pass, ok = strings.Cut(strings.TrimSpace(rest), " ")
				}
				if ok {
					v = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+strings.TrimSpace(pass)))
					if len(strings.TrimSpace(pass)) >= 8 {
						h.creds = append(h.creds, strings.TrimSpace(pass))
					}
				}
			}
			if !strings.Contains(x.Value, "{{") {
				h.creds = append(h.creds, strings.TrimSpace(rest))
			}
		}
		hs[k] = vault.Header{Name: h.render(x.Name), Value: v}
	}
	w.Headers = headerLines(hs)
	switch {
	case strings.Contains(ct, "x-www-form-urlencoded"):
		var b strings.Builder
		for k, l := range body {
			if k > 0 && !strings.HasPrefix(l, "&") {
				b.WriteString("\n")
			}
			b.WriteString(l)
		}
		w.Body = h.render(b.String())
		if !h.jetbrains {
			w.Body = encodeURL(w.Body)
		}
	default:
		eol := "\n"
		if strings.HasPrefix(ct, "multipart/") {
			eol = "\r\n"
		}
		parts := make([]string, 0, len(body))
		for _, l := range body {
			// REST Client sends a "< path" file as it is and fills in the
			// variables of a "<@ path" file; JetBrains fills in both.
			if m := regexp.MustCompile(`^<(@\w*)?\s+(.+?)\s*$`).FindStringSubmatch(l); m != nil {
				data, err := os.ReadFile(filepath.Join(h.dir, m[2]))
				if err != nil {
					e.missing = m[2]
					parts = append(parts, "")
					continue
				}
				if m[1] != "" || h.jetbrains {
					parts = append(parts, h.render(string(data)))
				} else {
					parts = append(parts, string(data))
				}
				continue
			}
			parts = append(parts, h.render(l))
		}
		w.Body = strings.Join(parts, eol)
	}
	e.wire = w
}

// render fills {{name}} (spaces allowed inside the braces) from the file
// and environment variables, a system variable with a marker, anything
// else with its placeholder.
func (h *hrReader) render(s string) string {
	s = hrSystemRef.ReplaceAllStringFunc(s, func(m string) string {
		return "\x01" + strings.TrimSpace(hrSystemRef.FindStringSubmatch(m)[1]) + "\x02"
	})
	return render(s, h.vars)
}

// encodeURL percent-encodes what is not allowed in a URL, keeping %XX
// escapes, as the encodeurl package REST Client uses does.
func encodeURL(s string) string {
	const allowed = "!#$&'()*+,-./:;=?@[]_~%\x01\x02"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte(allowed, c) >= 0:
			if c == '%' && !(i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])) {
				b.WriteString("%25")
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// sysPattern is what a system variable's value looks like.
func sysPattern(expr string) string {
	name, _, _ := strings.Cut(expr, " ")
	switch name {
	case "*":
		return `.*`
	case "$guid", "$uuid", "$randomUUID", "$random.uuid":
		return `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	case "$timestamp", "$randomInt":
		return `-?[0-9]+`
	}
	return `.+?`
}

// wantPattern turns an expected value with system variable markers into a regexp.
func wantPattern(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for {
		i := strings.IndexByte(s, '\x01')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '\x02')
		if j < 0 {
			break
		}
		b.WriteString(regexp.QuoteMeta(s[:i]))
		b.WriteString(sysPattern(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
	b.WriteString(regexp.QuoteMeta(s) + "$")
	return regexp.MustCompile(b.String())
}

func sameWire(w, g wireRequest) bool {
	if g.Method != w.Method || !wantPattern(normURL(w.URL)).MatchString(g.URL) && !wantPattern(w.URL).MatchString(g.URL) {
		return false
	}
	if len(g.Headers) != len(w.Headers) {
		return false
	}
	for k := range w.Headers {
		if !wantPattern(w.Headers[k]).MatchString(g.Headers[k]) {
			return false
		}
	}
	return wantPattern(w.Body).MatchString(g.Body)
}

func checkHTTPFile(t *testing.T, path string) *fileResult {
	res := &fileResult{path: path, format: "http"}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	envName, vars, secret := hrEnv(dir)
	text := strings.ReplaceAll(strings.TrimPrefix(string(data), "\ufeff"), "\r\n", "\n")
	_, jbErr := os.Stat(filepath.Join(dir, "http-client.env.json"))
	rd := &hrReader{dir: dir, vars: vars, lines: strings.Split(text, "\n"), jetbrains: jbErr == nil || strings.Contains(text, "{%")}
	rd.read()
	ws := newWorkspace(t)
	env := ws.env
	if envName != "" {
		env = envName
		if _, err := ws.v.AddEnv(vault.Environment{Name: env}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := ws.v.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, notes, err := interchange.ParseHTTPFile(data, interchange.RequestImportOptions{Env: env, Catalog: c, Path: path})
	res.requests = len(rd.out)
	if err != nil {
		res.fail("import refused: %v", err)
		return res
	}
	if _, err := ws.v.Apply(t.Context(), b); err != nil {
		res.fail("import does not apply: %v", err)
		return res
	}
	got, err := ws.sent(t, env)
	if err != nil {
		res.fail("%v", err)
		return res
	}
	c, _ = ws.v.Load()
	var order []string
	for _, r := range c.RequestsIn(env) {
		order = append(order, r.Name)
	}
	if len(order) != len(rd.out) {
		res.fail("%d requests in the file, %d imported", len(rd.out), len(order))
		return res
	}
	for k, e := range rd.out {
		g := got[order[k]]
		if e.missing != "" {
			res.fail("request %d reads its body from %s, which is not in the corpus", k+1, e.missing)
		}
		if g.Method == "ERROR" {
			res.fail("request %d (%s) cannot be sent: %s", k+1, order[k], g.URL)
			continue
		}
		if !sameWire(e.wire, g) {
			res.fail("request %d (%s) not sent as in the file\n    want %s\n    got  %s", k+1, order[k], e.wire, g)
		}
		if e.scripts && !slices.ContainsFunc(notes, func(n interchange.Note) bool {
			return n.Kind == interchange.NoteSkipped && strings.Contains(strings.ToLower(n.Msg), "script")
		}) {
			res.fail("request %d has a handler script, and the report does not say it was skipped", k+1)
		}
	}
	noPlaintext(res, ws.catPath, append(secret, rd.creds...))
	return res
}

func TestCorpusHTTP(t *testing.T) {
	var results []*fileResult
	for _, p := range corpusFiles(t, "http", func(p string) bool { return strings.HasSuffix(p, ".http") || strings.HasSuffix(p, ".rest") }) {
		results = append(results, checkHTTPFile(t, p))
	}
	checkVerdicts(t, results)
}
