package interchange

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// This file imports .http / .rest files in the syntax shared by the
// JetBrains HTTP Client and the VS Code REST Client: requests separated by
// lines starting with ###, file variables (@name = value), {{variables}},
// a request line (METHOD URL [HTTP/version], or just the URL), query lines
// continuing it (?a=1, &b=2), headers, a blank line and the body, and
// comments (# or //) carrying # @name. Response handlers (> {% … %}) and
// file references (< ./body.json) are reported and skipped.

var (
	httpVarLine   = regexp.MustCompile(`^@([A-Za-z0-9_.\-]+)\s*=\s*(.*)$`)
	httpNameLine  = regexp.MustCompile(`^(?:#|//)\s*@name\s*(?:=\s*)?(.+)$`)
	httpMetaLine  = regexp.MustCompile(`^(?:#|//)\s*@([A-Za-z-]+)`)
	httpMethods   = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE|[A-Z][A-Z-]*)\s+(\S.*)$`)
	httpVersion   = regexp.MustCompile(`\s+HTTP/\d(\.\d)?$`)
	httpHeaderRe  = regexp.MustCompile(`^([!#$%&'*+\-.^_` + "`" + `|~0-9A-Za-z]+)\s*:\s?(.*)$`)
	httpReqVarRef = regexp.MustCompile(`\{\{\s*[A-Za-z0-9_\-]+\.(response|request)\.`)
)

// ParseHTTPFile reads a .http or .rest file and returns the batch that
// creates its file variables (secret-looking ones go to the vault) and a
// saved request for each request block, and a report. Literal credentials
// go to the vault and the requests refer to them. On any problem it returns
// an *ImportError listing every problem with its line and an empty batch.
func ParseHTTPFile(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	if err := opts.checkText(data); err != nil {
		return vault.Batch{}, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	im := newReqImporter(opts)
	hp := &httpParser{im: im, lines: lines}
	hp.run()
	return im.finish()
}

type httpParser struct {
	im    *reqImporter
	lines []string
}

// block is one request block: lines [from, to) and the ### text.
type httpBlock struct {
	from, to int
	title    string
}

func (hp *httpParser) run() {
	var blocks []httpBlock
	start, title := 0, ""
	for i, l := range hp.lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "###") {
			blocks = append(blocks, httpBlock{from: start, to: i, title: title})
			start, title = i+1, strings.TrimSpace(strings.TrimLeft(t, "#"))
		}
	}
	blocks = append(blocks, httpBlock{from: start, to: len(hp.lines), title: title})
	// File variables may be defined anywhere outside bodies; collect them
	// first so that the order in the file does not matter.
	var reqs []func()
	for _, b := range blocks {
		if f := hp.block(b); f != nil {
			reqs = append(reqs, f)
		}
	}
	for _, f := range reqs {
		f()
	}
}

func (hp *httpParser) skipped(line int, format string, args ...any) {
	hp.im.notes = append(hp.im.notes, Note{Kind: NoteSkipped, Line: line + 1, Col: 1, Msg: fmt.Sprintf(format, args...)})
}

// block reads variables at once and returns a function adding the request
// (nil when the block holds none).
func (hp *httpParser) block(b httpBlock) func() {
	name := ""
	i := b.from
	// preamble: blank lines, comments, @name, variables
	for ; i < b.to; i++ {
		l := strings.TrimSpace(hp.lines[i])
		switch {
		case l == "":
		case httpNameLine.MatchString(l):
			name = strings.TrimSpace(httpNameLine.FindStringSubmatch(l)[1])
		case httpMetaLine.MatchString(l):
			hp.skipped(i, "@%s is a client setting, not part of the request", httpMetaLine.FindStringSubmatch(l)[1])
		case strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//"):
		case httpVarLine.MatchString(l):
			m := httpVarLine.FindStringSubmatch(l)
			val := strings.TrimSpace(m[2])
			hp.im.addVar(m[1], val, secretlike.Variable(m[1], val), fmt.Sprintf("line %d", i+1))
		case strings.HasPrefix(l, "@"):
			hp.im.problem("", i+1, 1, vault.ErrInvalid, "expected a variable definition \"@name = value\"")
		default:
			goto request
		}
	}
	return nil
request:
	reqLine := i
	line := strings.TrimSpace(hp.lines[i])
	method, target := "GET", line
	if m := httpMethods.FindStringSubmatch(line); m != nil && !strings.Contains(m[1], "://") {
		method, target = m[1], m[2]
	}
	target = strings.TrimSpace(httpVersion.ReplaceAllString(target, ""))
	if !strings.Contains(target, "://") && !strings.HasPrefix(target, "{{") && !strings.HasPrefix(target, "/") {
		hp.im.problem("", i+1, 1, vault.ErrInvalid, "expected a request line (METHOD URL), found %q", truncate(line, 60))
		return nil
	}
	if strings.HasPrefix(target, "/") {
		hp.im.problem("", i+1, 1, vault.ErrInvalid, "request URL %q has no host; write the full URL (a {{host}} variable works)", truncate(target, 60))
		return nil
	}
	i++
	// query continuation lines
	for ; i < b.to; i++ {
		t := strings.TrimSpace(hp.lines[i])
		if !strings.HasPrefix(t, "?") && !strings.HasPrefix(t, "&") {
			break
		}
		target += t
	}
	r := vault.Request{Method: method, URL: target}
	// headers
	for ; i < b.to; i++ {
		raw := hp.lines[i]
		t := strings.TrimSpace(raw)
		if t == "" {
			i++
			break
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
			return nil
		}
		r.Headers = append(r.Headers, vault.Header{Name: m[1], Value: strings.TrimSpace(m[2])})
	}
	// body
	var body []string
	for ; i < b.to; i++ {
		t := strings.TrimSpace(hp.lines[i])
		if strings.HasPrefix(t, "> {%") || strings.HasPrefix(t, ">{%") || (strings.HasPrefix(t, "> ") && len(body) == 0) {
			hp.skipped(i, "response handler scripts are not imported")
			break
		}
		if strings.HasPrefix(t, "<> ") {
			hp.skipped(i, "response references are not imported")
			break
		}
		if len(body) == 0 && strings.HasPrefix(t, "< ") {
			hp.skipped(i, "body read from a file (%s) is not imported; paste it into the request", strings.TrimSpace(t[2:]))
			continue
		}
		body = append(body, hp.lines[i])
	}
	for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
		body = body[:len(body)-1]
	}
	r.Body = strings.Join(body, "\n")
	if name == "" {
		name = b.title
	}
	return func() {
		label := fmt.Sprintf("request on line %d", reqLine+1)
		r.Name = name
		if r.Name == "" {
			r.Name = curlName("", 1, r)
		}
		for _, h := range r.Headers {
			if httpReqVarRef.MatchString(h.Value) {
				hp.im.notes = append(hp.im.notes, Note{Kind: NoteWarning, Item: label, Line: reqLine + 1, Col: 1, Msg: "uses a request variable ({{name.response…}}), which authdeck does not support"})
			}
		}
		hp.rawBasic(&r, label)
		hp.im.secretize(&r, label)
		hp.im.addRequest(r, label)
	}
}

// rawBasic handles the REST Client shorthand "Authorization: Basic user:pass"
// (or "Basic user pass"), which the client encodes itself.
func (hp *httpParser) rawBasic(r *vault.Request, label string) {
	if r.Auth != "" {
		return
	}
	for k, h := range r.Headers {
		if !strings.EqualFold(h.Name, "Authorization") || strings.Contains(h.Value, "{{") {
			continue
		}
		scheme, rest, _ := strings.Cut(h.Value, " ")
		rest = strings.TrimSpace(rest)
		if !strings.EqualFold(scheme, "Basic") || rest == "" {
			continue
		}
		if _, _, ok := decodeBasic(rest); ok {
			continue
		}
		user, pass, ok := strings.Cut(rest, ":")
		if !ok {
			user, pass, ok = strings.Cut(rest, " ")
		}
		if !ok || user == "" {
			continue
		}
		r.Auth = hp.im.addCredential(r.Name+" basic", vault.Secret{Type: vault.TypeSimple}, vault.SecretValue{Username: user, Passphrase: strings.TrimSpace(pass)}, label+" (Authorization header)")
		r.Headers = append(r.Headers[:k:k], r.Headers[k+1:]...)
		return
	}
}
