package interchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/lazyre"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// This file imports .http / .rest files in the syntax shared by the
// JetBrains HTTP Client and the VS Code REST Client, sending what those
// clients send:
//
//   - requests are separated by lines starting with ###, and also by a new
//     request line (METHOD URL) after a blank line;
//   - @name = value lines are file variables wherever they are;
//   - a request line (METHOD URL [HTTP/version], or the URL alone, GET) may
//     go on over query lines (?a=1, &b=2) and indented lines; a URL without
//     a host takes it from the Host header (GET /path + Host: h), one
//     without a scheme gets http://;
//   - headers run to the first blank line, the body to the end of the
//     request; form bodies are joined (a line starting with & continues the
//     one before) and, as REST Client does, URL-encoded (JetBrains sends
//     them as written), multipart bodies use CRLF, "< path"
//     lines are read from the file beside the .http file (a body that is
//     one "< path" line whose file holds {{…}} is sent from the file in a
//     REST Client file, which sends it as it is; "<@ path" and JetBrains
//     fill the variables in);
//   - "Authorization: Basic user pass" is encoded; X-Request-Type: GraphQL
//     bodies and JetBrains' GRAPHQL requests become GraphQL's JSON, POSTed;
//   - # and // comments, # @name NAME, JetBrains' pre-request (< {% %}) and
//     response handler (> {% %}) scripts, response references (<> file) and
//     output redirects (>> file) are reported and skipped.
//
// An http-client.env.json, http-client.private.env.json or VS Code
// settings.json given in place of the .http file imports its environments
// (http_env.go); beside the .http file they are imported with it.

var (
	httpVarLine   = lazyre.New(`^\s*@([^\s=]+)\s*=\s*(.*?)\s*$`)
	httpNameLine  = lazyre.New(`^(?:#|//)\s*@name(?:\s*=\s*|\s+)(.+)$`)
	httpMetaLine  = lazyre.New(`^(?:#|//)\s*@([A-Za-z-]+)`)
	httpReqLine   = lazyre.New(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE)\s+(\S.*)$`)
	httpNewReq    = lazyre.New(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(https?://|/|\{\{)`)
	httpVersion   = lazyre.New(`(?i)\s+HTTP/\S*$`)
	httpHeaderRe  = lazyre.New(`^([!#$%&'*+\-.^_` + "`" + `|~0-9A-Za-z]+)\s*:\s*(.*)$`)
	httpReqVarRef = lazyre.New(`\{\{\s*[A-Za-z0-9_\-]+\.(response|request)\.`)
	httpBodyFile  = lazyre.New(`^<(@\w*)?\s+(.+?)\s*$`)
	httpBareHost  = lazyre.New(`^[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?(?::\d+)?(?:[/?].*)?$`)
	httpSeparator = lazyre.New(`^#{3,}`)
	// httpOtherMethod is a request line with a method of the API's own.
	httpOtherMethod = lazyre.New(`^([A-Z]+)\s+(\S.*)$`)
)

// ParseHTTPFile reads a .http or .rest file and returns the batch that
// creates its file variables (secret-looking ones go to the vault) and a
// saved request for each request, and a report. Literal credentials go to
// the vault and the requests refer to them. With opts.Path set, the
// environment files beside it (http-client.env.json, its private twin,
// .vscode/settings.json) are imported too and "< path" bodies are read. An
// environment file given in place of the .http file imports its
// environments and no request. On any problem it returns an *ImportError
// listing every problem with its line and column, and an empty batch.
func ParseHTTPFile(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	if err := checkUTF8(data); err != nil {
		return vault.Batch{}, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return parseHTTPEnvFile(data, opts)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	dir := ""
	if opts.Path != "" {
		dir = filepath.Dir(opts.Path)
	}
	im := newReqImporter(opts)
	hp := &httpParser{im: im, lines: strings.Split(text, "\n"), dir: dir}
	if dir != "" {
		hp.envs = readHTTPEnvFiles(im, dir)
	}
	// The requests go to the chosen environment, else to the first one of
	// the environment files; either may be created by the import.
	env := opts.Env
	if env == "" && hp.envs != nil && len(hp.envs.order) > 0 {
		env = hp.envs.order[0]
	}
	if env == "" {
		return vault.Batch{}, nil, RequestImportOptions{}.checkEnv()
	}
	if opts.Catalog != nil {
		if _, ok := opts.Catalog.Env(env); !ok {
			if hp.envs == nil || !slices.Contains(hp.envs.order, env) {
				return vault.Batch{}, nil, &vault.NotFoundError{Kind: "environment", Name: env}
			}
			im.batch.Envs = append(im.batch.Envs, vault.Environment{Name: env})
			im.note(NoteCreated, fmt.Sprintf("environment %q", env), "from the environment files; the requests go there")
		}
	}
	im.opts.Env = env
	im.useEnv(env)
	hp.run()
	return im.finish()
}

type httpParser struct {
	im    *reqImporter
	lines []string
	dir   string
	// script marks the lines of JetBrains script blocks ({% … %});
	// scriptEnd maps a block's first line to its last.
	script    []bool
	scriptEnd map[int]int
	envs      *httpEnvs
}

// run reads the file variables, then the requests.
func (hp *httpParser) run() {
	if !hp.markScripts() {
		return
	}
	hp.fileVars()
	if hp.envs != nil {
		hp.envs.apply(hp.im)
	}
	start, title := 0, ""
	for i := 0; i <= len(hp.lines); i++ {
		if i == len(hp.lines) || (!hp.script[i] && httpSeparator.MatchString(hp.lines[i])) {
			hp.block(start, i, title)
			if i < len(hp.lines) {
				start, title = i+1, separatorTitle(hp.lines[i])
			}
		}
	}
}

// separatorTitle is the request name a "###" line gives: the text after
// the leading '#'s, without a closing run of '#'s set off by a space, as in
// "### [GET] Find one   ###" (a '#' inside the title stays: "### C# client").
func separatorTitle(line string) string {
	t := strings.TrimSpace(strings.TrimLeft(line, "#"))
	if u := strings.TrimRight(t, "#"); u != t && (u == "" || strings.HasSuffix(u, " ") || strings.HasSuffix(u, "\t")) {
		t = strings.TrimSpace(u)
	}
	return t
}

// markScripts marks the lines of JetBrains script blocks ("< {% … %}",
// "> {% … %}"); false, with a problem, when one is never closed.
func (hp *httpParser) markScripts() bool {
	hp.script = make([]bool, len(hp.lines))
	hp.scriptEnd = map[int]int{}
	for i := 0; i < len(hp.lines); i++ {
		t := strings.TrimSpace(hp.lines[i])
		open := strings.Index(t, "{%")
		if open < 0 || !(strings.HasPrefix(t, "<") || strings.HasPrefix(t, ">")) || strings.HasPrefix(t, "<>") {
			continue
		}
		end := -1
		if strings.Contains(t[open+2:], "%}") {
			end = i
		} else {
			for j := i + 1; j < len(hp.lines); j++ {
				if strings.Contains(hp.lines[j], "%}") {
					end = j
					break
				}
			}
		}
		if end < 0 {
			hp.im.problem("", i+1, strings.Index(hp.lines[i], "{%")+1, vault.ErrInvalid, "the script block \"{%%\" is never closed with \"%%}\"")
			return false
		}
		for j := i; j <= end; j++ {
			hp.script[j] = true
		}
		hp.scriptEnd[i] = end
		i = end
	}
	return true
}

// fileVars reads the file variables (@name = value), which hold wherever
// they are defined.
func (hp *httpParser) fileVars() {
	for i, l := range hp.lines {
		if hp.script[i] {
			continue
		}
		if m := httpVarLine.FindStringSubmatch(l); m != nil {
			hp.im.addVar(m[1], m[2], secretlike.Variable(m[1], m[2]), fmt.Sprintf("line %d", i+1))
		} else if t := strings.TrimSpace(l); strings.HasPrefix(t, "@") && !strings.Contains(t, " ") && !strings.Contains(t, "=") {
			// "@name" alone is a request setting of some clients (httpyac).
			hp.skipped(i, "%s is a client setting, not part of the request", t)
		}
	}
}

// jetbrains reports a file written for the JetBrains HTTP Client (it has
// script blocks or JetBrains environment files), which sends form bodies
// as written; REST Client encodes them.
func (hp *httpParser) jetbrains() bool {
	return len(hp.scriptEnd) > 0 || (hp.envs != nil && hp.envs.jetbrains)
}

func (hp *httpParser) skipped(line int, format string, args ...any) {
	hp.im.notes = append(hp.im.notes, Note{Kind: NoteSkipped, Line: line + 1, Col: 1, Msg: fmt.Sprintf(format, args...)})
}

func (hp *httpParser) isVarLine(i int) bool {
	return !hp.script[i] && httpVarLine.MatchString(hp.lines[i])
}

// block reads the requests of lines [from, to).
func (hp *httpParser) block(from, to int, title string) {
	i := from
	first := true
	for i < to {
		next, name, ok := hp.preamble(i, to)
		if !ok || next >= to {
			return
		}
		if name == "" && first {
			name = title
		}
		first = false
		if i, ok = hp.request(next, to, name); !ok {
			return
		}
	}
}

// preamble reads what stands before a request line from line i: blank
// lines, comments, @name, variables and pre-request scripts. It returns
// the request line (to when there is none), the request's @name, and false
// after a problem.
func (hp *httpParser) preamble(i, to int) (int, string, bool) {
	name := ""
	for ; i < to; i++ {
		l := strings.TrimSpace(hp.lines[i])
		switch {
		case hp.script[i]:
			if strings.HasPrefix(l, "<") {
				hp.skipped(i, "pre-request script not run (JetBrains < {%% %%} block)")
			} else {
				hp.skipped(i, "response handler script not run (JetBrains > {%% %%} block)")
			}
			if end, ok := hp.scriptEnd[i]; ok {
				i = end
			}
		case l == "", hp.isVarLine(i):
		case httpNameLine.MatchString(l):
			name = strings.TrimSpace(httpNameLine.FindStringSubmatch(l)[1])
		case httpMetaLine.MatchString(l):
			hp.skipped(i, "@%s is a client setting, not part of the request", httpMetaLine.FindStringSubmatch(l)[1])
		case strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//"):
		case strings.HasPrefix(l, "@") && !strings.Contains(l, " ") && !strings.Contains(l, "="):
			// reported with the variables
		case strings.HasPrefix(l, "@"):
			hp.im.problem("", i+1, 1, vault.ErrInvalid, "expected a variable definition \"@name = value\"")
			return i, name, false
		case strings.HasPrefix(l, "< ") && !httpReqLine.MatchString(l):
			hp.skipped(i, "pre-request script %s not run", strings.TrimSpace(l[1:]))
		default:
			return i, name, true
		}
	}
	return i, name, true
}

// request reads one request starting at its request line and returns the
// line after it.
func (hp *httpParser) request(i, to int, name string) (int, bool) {
	reqLine := i
	line, i := hp.requestLine(i, to)
	method, target := "GET", line
	if m := httpReqLine.FindStringSubmatch(line); m != nil {
		method, target = strings.ToUpper(m[1]), m[2]
	} else if m := httpOtherMethod.FindStringSubmatch(line); m != nil && strings.Contains(m[2], "/") {
		method, target = m[1], m[2] // a method of the API's own (PROPFIND, QUERY …)
	}
	target = strings.TrimSpace(httpVersion.ReplaceAllString(target, ""))
	if !strings.Contains(target, "://") && !strings.HasPrefix(target, "{{") && !strings.HasPrefix(target, "/") && !httpBareHost.MatchString(target) {
		hp.im.problem("", reqLine+1, 1, vault.ErrInvalid, "expected a request line (METHOD URL), found %q", truncate(line, 60))
		return i, false
	}
	r := vault.Request{Method: method, URL: target}
	i, ok := hp.headers(i, to, &r)
	if !ok {
		return i, false
	}
	bodyLine := i
	body, i := hp.body(i, to)
	hp.finish(&r, body, bodyLine, reqLine)
	label := fmt.Sprintf("request on line %d", reqLine+1)
	r.Name = name
	if r.Name == "" {
		r.Name = curlName("", 1, r)
	}
	for _, h := range r.Headers {
		if httpReqVarRef.MatchString(h.Value) {
			hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Item: label, Line: reqLine + 1, Col: 1, Msg: "uses a request variable ({{name.response…}}), which authdeck does not support"})
			break
		}
	}
	hp.rawBasic(&r, label)
	hp.im.secretize(&r, label)
	hp.im.addRequest(r, label)
	return i, true
}

// requestLine returns the request line at i joined with its query lines
// and indented continuation lines, and the line after them.
func (hp *httpParser) requestLine(i, to int) (string, int) {
	parts := []string{strings.TrimSpace(hp.lines[i])}
	for i++; i < to; i++ {
		l := hp.lines[i]
		t := strings.TrimSpace(l)
		if hp.script[i] || t == "" {
			break
		}
		if !strings.HasPrefix(t, "?") && !strings.HasPrefix(t, "&") && !((l[0] == ' ' || l[0] == '\t') && (strings.HasPrefix(t, "/") || !httpHeaderRe.MatchString(t))) {
			break
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, ""), i
}

// headers reads the header lines from i into r, up to the blank line
// before the body (which it passes); false, with a problem, for a line
// that is not a header.
func (hp *httpParser) headers(i, to int, r *vault.Request) (int, bool) {
	for ; i < to; i++ {
		t := strings.TrimSpace(hp.lines[i])
		if t == "" {
			return i + 1, true
		}
		if hp.script[i] || hp.isVarLine(i) || isHTTPResponseLine(t) || httpNewReq.MatchString(t) {
			return i, true
		}
		if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			continue
		}
		m := httpHeaderRe.FindStringSubmatch(t)
		if m == nil {
			if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") || strings.HasPrefix(t, "<") {
				hp.im.problem("", i+1, 1, vault.ErrInvalid, "a body must follow a blank line after the headers")
			} else {
				hp.im.problem("", i+1, 1, vault.ErrInvalid, "expected a header \"Name: value\" or a blank line before the body, found %q", truncate(t, 60))
			}
			return i, false
		}
		r.Headers = append(r.Headers, vault.Header{Name: m[1], Value: strings.TrimSpace(m[2])})
	}
	return i, true
}

// body returns the body lines from i (without trailing blank lines) and
// the line after them, noting the response handlers it skips.
func (hp *httpParser) body(i, to int) ([]string, int) {
	var body []string
	for ; i < to; i++ {
		l := hp.lines[i]
		t := strings.TrimSpace(l)
		if hp.script[i] {
			if strings.HasPrefix(t, "<") {
				break // the next request's pre-request script
			}
			hp.skipped(i, "response handler script not run (JetBrains > {%% %%} block)")
			if end, ok := hp.scriptEnd[i]; ok {
				i = end
			}
			continue
		}
		if isHTTPResponseLine(t) {
			hp.skipped(i, "%s not imported (a response handler or output file)", truncate(t, 60))
			continue
		}
		if hp.isVarLine(i) {
			break
		}
		if httpNewReq.MatchString(l) && (len(body) == 0 || strings.TrimSpace(body[len(body)-1]) == "") {
			break
		}
		body = append(body, l)
	}
	for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
		body = body[:len(body)-1]
	}
	return body, i
}

// isHTTPResponseLine reports the lines after a request that are not its
// body: a response handler (> file, > {% %}), an output redirect (>> file,
// >>! file) or a response reference (<> file).
func isHTTPResponseLine(t string) bool {
	for _, p := range []string{"> ", ">{%", ">> ", ">>! ", "<> "} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// finish builds the URL and body as the clients send them.
func (hp *httpParser) finish(r *vault.Request, body []string, bodyLine, reqLine int) {
	hp.requestURL(r, reqLine)
	ct := ""
	if k := headerIndex(r.Headers, "Content-Type"); k >= 0 {
		ct = strings.ToLower(r.Headers[k].Value)
	}
	if k := headerIndex(r.Headers, "X-Request-Type"); k >= 0 && strings.EqualFold(r.Headers[k].Value, "GraphQL") {
		r.Headers = append(r.Headers[:k:k], r.Headers[k+1:]...)
		r.Body = graphQLBody(body, true)
		if headerIndex(r.Headers, "Content-Type") < 0 {
			r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: "application/json"})
		}
		return
	}
	if r.Method == "GRAPHQL" {
		// JetBrains' (and rest.nvim's) GraphQL request: a POST of the
		// query and its variables as JSON.
		r.Method = "POST"
		r.Body = graphQLBody(body, false)
		if headerIndex(r.Headers, "Content-Type") < 0 {
			r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: "application/json"})
		}
		return
	}
	// A body that is one "< path" line whose file a saved request cannot
	// hold (binary, or larger than maxInlineBodyFile) is sent from the
	// file, read when the request goes out.
	if len(body) == 1 && !strings.HasPrefix(ct, "multipart/") {
		if m := httpBodyFile.FindStringSubmatch(body[0]); m != nil {
			if path, ok := hp.bodyFileRef(m[2], m[1] != "", bodyLine); ok {
				r.BodyFile = path
				return
			}
		}
	}
	// Other "< path" lines are the file's bytes.
	for k, l := range body {
		m := httpBodyFile.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		body[k] = hp.bodyFile(m[2], m[1] != "", bodyLine+k)
	}
	r.Body = hp.joinBody(body, ct)
}

// headerIndex returns the index of the header called name (in any case),
// -1 when there is none.
func headerIndex(hs []vault.Header, name string) int {
	for k, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return k
		}
	}
	return -1
}

// requestURL completes the request's URL as the clients do: a path gets the
// Host header's host (the header goes), a bare host gets http://, and what
// may not stand in a URL is percent-encoded (encodeTemplate).
func (hp *httpParser) requestURL(r *vault.Request, reqLine int) {
	if k := headerIndex(r.Headers, "Host"); k >= 0 && strings.HasPrefix(r.URL, "/") {
		host := r.Headers[k].Value
		if !strings.Contains(host, "://") {
			_, port, _ := strings.Cut(host, ":")
			scheme := "http"
			if port == "443" || port == "8443" {
				scheme = "https"
			}
			host = scheme + "://" + host
		}
		r.URL = strings.TrimSuffix(host, "/") + r.URL
		r.Headers = append(r.Headers[:k:k], r.Headers[k+1:]...)
	}
	if strings.HasPrefix(r.URL, "/") {
		hp.im.problem("", reqLine+1, 1, vault.ErrInvalid, "request URL %q has no host: add a Host header or write the full URL (a {{host}} variable works)", truncate(r.URL, 60))
	}
	if !strings.Contains(r.URL, "://") && !strings.HasPrefix(r.URL, "{{") && httpBareHost.MatchString(r.URL) {
		r.URL = "http://" + r.URL
	}
	r.URL = encodeTemplate(r.URL)
}

// joinBody joins the body lines as the clients send a body of content type
// ct: a form's lines run together (a line not starting with & keeps its
// line break), multipart parts with CRLF, anything else with LF.
func (hp *httpParser) joinBody(body []string, ct string) string {
	switch {
	case strings.Contains(ct, "x-www-form-urlencoded"):
		var b strings.Builder
		for k, l := range body {
			if k > 0 && !strings.HasPrefix(l, "&") {
				b.WriteString("\n")
			}
			b.WriteString(l)
		}
		if hp.jetbrains() {
			return b.String()
		}
		// REST Client URL-encodes what may not stand in a form body.
		return encodeTemplate(b.String())
	case strings.HasPrefix(ct, "multipart/"):
		return strings.Join(body, "\r\n")
	default:
		return strings.Join(body, "\n")
	}
}

// maxInlineBodyFile is the largest "< path" body file copied into a saved
// request; a larger one is sent from the file or left out with a warning.
const maxInlineBodyFile = 1 << 20

// bodyFilePath resolves a "< path" body line's file relative to the .http
// file and checks that it is a regular file; a warning says why not.
func (hp *httpParser) bodyFilePath(path string, line int) (string, os.FileInfo, bool) {
	if hp.dir == "" {
		hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Line: line + 1, Col: 1, Msg: fmt.Sprintf("the body is read from %s, which was not read (import the file by its path, not from stdin); the request has no body there", path)})
		return "", nil, false
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(hp.dir, path)
	}
	st, err := os.Stat(path)
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Line: line + 1, Col: 1, Msg: fmt.Sprintf("the body file %s cannot be read (%v); the request has no body there", path, unwrapPathError(err))})
		return "", nil, false
	}
	return path, st, true
}

// bodyFileRef decides whether a body that is one "< path" line is sent
// from its file: when the file is larger than maxInlineBodyFile or not
// text (a "<@" file, whose {{…}} are filled in, stays inline unless it is
// binary), and when a REST Client file's "< path" file holds {{…}}: REST
// Client sends that file as it is (only "<@" fills variables in), which a
// saved body, whose {{…}} are filled in when sending, cannot do. It
// returns the file's absolute path then.
func (hp *httpParser) bodyFileRef(path string, templated bool, line int) (string, bool) {
	if hp.dir == "" {
		return "", false
	}
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(hp.dir, abs)
	}
	st, err := os.Stat(abs)
	if err != nil || !st.Mode().IsRegular() {
		return "", false // bodyFile says why
	}
	why := ""
	if st.Size() <= maxInlineBodyFile || templated {
		data, err := readAtMost(abs, min(st.Size(), maxInlineBodyFile))
		if err != nil {
			return "", false
		}
		if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
			if templated || hp.jetbrains() || !bytes.Contains(data, []byte("{{")) {
				return "", false
			}
			why = "; it holds {{…}}, which REST Client sends as written from a \"<\" file (\"<@\" fills them in)"
		}
	}
	if abs, err = filepath.Abs(abs); err != nil {
		return "", false
	}
	hp.im.note(NoteCreated, "", "body of the request on line %d sent from %s when the request goes out (%d bytes, kept out of the saved request%s)", line+1, abs, st.Size(), why)
	return abs, true
}

// readAtMost reads a file, refusing one that holds more than limit bytes
// (it may have grown since it was measured).
func readAtMost(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = fmt.Errorf("larger than %d bytes", limit)
	}
	return data, err
}

// bodyFile reads a "< path" body line's file, relative to the .http file.
func (hp *httpParser) bodyFile(path string, templated bool, line int) string {
	path, st, ok := hp.bodyFilePath(path, line)
	if !ok {
		return ""
	}
	if st.Size() > maxInlineBodyFile {
		hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Line: line + 1, Col: 1, Msg: fmt.Sprintf("the body file %s is larger than %d KB, which a saved request does not hold inside a larger body; the request has no body there", path, maxInlineBodyFile>>10)})
		return ""
	}
	data, err := readAtMost(path, maxInlineBodyFile)
	if err != nil {
		hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Line: line + 1, Col: 1, Msg: fmt.Sprintf("the body file %s cannot be read (%v); the request has no body there", path, unwrapPathError(err))})
		return ""
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Line: line + 1, Col: 1, Msg: fmt.Sprintf("the body file %s is binary, which a saved request cannot hold inside a larger body; the request has no body there", path)})
		return ""
	}
	s := string(data)
	if !templated && strings.Contains(s, "{{") {
		hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Line: line + 1, Col: 1, Msg: fmt.Sprintf("the body file %s holds {{…}}, which authdeck fills in when sending", path)})
	}
	hp.im.note(NoteCreated, "", "body of the request on line %d read from %s", line+1, path)
	return s
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// graphQLOperation is how REST Client finds a GraphQL request's operation
// name: the word after a leading "query".
var graphQLOperation = lazyre.New(`(?i)^\s*query\s+([^@{(\s]+)`)

// graphQLBody turns a GraphQL body (the query, a blank line, the variables
// as JSON) into the JSON GraphQL servers take, with its fields in the
// order the clients write them. REST Client (restClient) adds the
// operation name of a named query and sends "variables": {} when there are
// none; a JetBrains GRAPHQL request leaves out the variables then.
func graphQLBody(lines []string, restClient bool) string {
	query, vars := lines, []string(nil)
	for k, l := range lines {
		if strings.TrimSpace(l) == "" {
			query, vars = lines[:k], lines[k+1:]
			break
		}
	}
	var payload struct {
		Query         string `json:"query"`
		OperationName string `json:"operationName,omitempty"`
		Variables     any    `json:"variables,omitempty"`
	}
	payload.Query = strings.Join(query, "\n")
	if restClient {
		if m := graphQLOperation.FindStringSubmatch(payload.Query); m != nil {
			payload.OperationName = m[1]
		}
		payload.Variables = map[string]any{}
	}
	if s := strings.TrimSpace(strings.Join(vars, "\n")); s != "" {
		// JSON.stringify(JSON.parse(…)): compact, in the file's key order.
		var c bytes.Buffer
		if json.Compact(&c, []byte(s)) == nil {
			payload.Variables = json.RawMessage(c.Bytes())
		} else {
			payload.Variables = s
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(payload)
	return strings.TrimSuffix(b.String(), "\n")
}

// encodeTemplate percent-encodes what may not stand in a URL or form body
// (spaces, non-ASCII, quotes …) in the literal text of s, keeping %XX
// escapes and {{placeholders}}, as the encodeurl package REST Client uses.
func encodeTemplate(s string) string {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return s
	}
	return t.EscapeText(encodeURL)
}

func encodeURL(s string) string {
	const allowed = "!#$&'()*+,-./:;=?@[]_~"
	isHex := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		case c == '%':
			b.WriteString("%25")
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte(allowed, c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// rawBasic handles the REST Client shorthand "Authorization: Basic user:pass"
// (or "Basic user pass"), which the client encodes itself.
func (hp *httpParser) rawBasic(r *vault.Request, label string) {
	if r.Auth != "" {
		return
	}
	for k, h := range r.Headers {
		if !strings.EqualFold(h.Name, "Authorization") {
			continue
		}
		scheme, rest, _ := strings.Cut(h.Value, " ")
		rest = strings.TrimSpace(rest)
		if !strings.EqualFold(scheme, "Basic") || rest == "" {
			continue
		}
		if _, _, ok := decodeBasic(rest); ok && !strings.ContainsAny(rest, " :") {
			continue
		}
		user, pass, ok := strings.Cut(rest, ":")
		if !ok {
			user, pass, ok = strings.Cut(rest, " ")
		}
		if !ok || user == "" {
			continue
		}
		pass = strings.TrimSpace(pass)
		if strings.Contains(rest, "{{") {
			// Templated: keep the header, encoded by the sender at send time
			// is not possible, so the credential refers to the variables.
			hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Item: label, Msg: "\"Authorization: Basic user password\" with {{variables}} is sent as written; store the credentials with 'authdeck secret add' and use --auth"})
			continue
		}
		r.Auth = hp.im.addCredential(r.Name+" basic", vault.Secret{Type: vault.TypeSimple}, vault.SecretValue{Username: user, Passphrase: pass}, label+" (Authorization header)")
		r.Headers = append(r.Headers[:k:k], r.Headers[k+1:]...)
		return
	}
}
