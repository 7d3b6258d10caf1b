package workspace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// Requests are kept as standard .http files, one request a file, so the
// same files open (and mostly run) in JetBrains' HTTP client and VS Code's
// REST Client: a "### name" line, the request line, the query parameters
// as the indented "?a=1" / "&b=2" lines both clients join to the URL, the
// headers, a blank line and the body as it is (or "< file"). What only
// authdeck knows — the item's ID, its credential, bearer placement, TLS
// setting, computed auth scheme, form parts, disabled headers and
// parameters — is said in "# @tag value" comment lines above the request
// line, which both clients read as comments. A value that the plain
// syntax cannot carry exactly (a header value with spaces around it, a body
// holding a "###" line) is written as JSON in such a line instead, so that
// reading a file authdeck wrote always gives back the same request.

// Tags of the "# @tag value" lines.
const (
	tagID          = "id"
	tagDescription = "description"
	tagAuth        = "auth"
	tagPlacement   = "placement"
	tagInsecure    = "insecure"
	tagScheme      = "scheme"
	tagURL         = "url"
	tagParam       = "param"
	tagHeader      = "header"
	tagForm        = "form"
	tagBody        = "body"
	tagBodyFile    = "body-file"
	// tagStripLines marks a body file sent without its line breaks, as
	// curl -d @file sends it (vault.Request.StripLineBreaks).
	tagStripLines = "strip-line-breaks"
)

// repeatableTags may appear more than once.
var repeatableTags = map[string]bool{tagParam: true, tagHeader: true, tagForm: true}

var knownTags = []string{tagID, tagDescription, tagAuth, tagPlacement, tagInsecure, tagScheme, tagURL, tagParam, tagHeader, tagForm, tagBody, tagBodyFile, tagStripLines}

// placedHeader is a header written as JSON: its place in the list and the fields.
type placedHeader struct {
	At       int    `json:"at"`
	Name     string `json:"name"`
	Value    string `json:"value"`
	Disabled bool   `json:"disabled,omitempty"`
}

// placedParam is a query parameter written as JSON.
type placedParam struct {
	At       int    `json:"at"`
	Name     string `json:"name"`
	Value    string `json:"value"`
	Disabled bool   `json:"disabled,omitempty"`
}

// maxRequestFile bounds a request file.
const maxRequestFile = 16 << 20

// encodeRequest writes r as a .http file. The name, environment and folder
// are the file's name and place and are not written (the "###" line names
// the request for the editors only).
func encodeRequest(r vault.Request) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "### %s\n", r.Name)
	tag := func(name, value string) {
		if value == "" {
			fmt.Fprintf(&b, "# @%s\n", name)
			return
		}
		fmt.Fprintf(&b, "# @%s %s\n", name, value)
	}
	tag(tagID, metaValue(r.ID))
	if r.Description != "" {
		tag(tagDescription, metaValue(r.Description))
	}
	if r.Auth != "" {
		tag(tagAuth, metaValue(r.Auth))
	}
	if r.Placement != "" {
		tag(tagPlacement, metaValue(string(r.Placement)))
	}
	if r.InsecureSkipVerify {
		tag(tagInsecure, "")
	}
	if r.Scheme != nil {
		tag(tagScheme, string(compactJSON(r.Scheme)))
	}
	urlLine := r.URL
	if !plainURL(r.URL) {
		tag(tagURL, string(compactJSON(r.URL)))
		// the request line the editors see: the URL with no control
		// characters (authdeck reads @url)
		urlLine = strings.TrimSpace(strings.Map(func(c rune) rune {
			if unicode.IsControl(c) {
				return ' '
			}
			return c
		}, r.URL))
		if urlLine == "" || httpVersion.MatchString(" "+urlLine) {
			urlLine = "/"
		}
	}
	// query parameters: plain ones become the URL's continuation lines,
	// the others JSON with their place
	var contLines []string
	sep := "?"
	if strings.Contains(urlLine, "?") {
		sep = "&"
	}
	for i, p := range r.Params {
		if line, ok := plainParam(p); ok {
			contLines = append(contLines, "    "+sep+line)
			sep = "&"
			continue
		}
		tag(tagParam, string(compactJSON(placedParam{At: i, Name: p.Name, Value: p.Value, Disabled: p.Disabled})))
	}
	var headerLines []string
	for i, h := range r.Headers {
		if plainHeader(h) {
			headerLines = append(headerLines, h.Name+": "+h.Value)
			continue
		}
		tag(tagHeader, string(compactJSON(placedHeader{At: i, Name: h.Name, Value: h.Value, Disabled: h.Disabled})))
	}
	for _, f := range r.Form {
		tag(tagForm, string(compactJSON(f)))
	}
	body := ""
	switch {
	case r.Body != "" && plainBody(r.Body):
		body = r.Body
	case r.Body != "":
		tag(tagBody, string(compactJSON(r.Body)))
	case r.BodyFile != "" && plainBodyFile(r.BodyFile):
		body = "< " + r.BodyFile + "\n"
	case r.BodyFile != "":
		tag(tagBodyFile, string(compactJSON(r.BodyFile)))
	}
	if r.StripLineBreaks {
		tag(tagStripLines, "")
	}
	fmt.Fprintf(&b, "%s %s\n", r.Method, urlLine)
	for _, l := range contLines {
		b.WriteString(l + "\n")
	}
	for _, l := range headerLines {
		b.WriteString(l + "\n")
	}
	if body != "" {
		b.WriteString("\n")
		b.WriteString(body)
	}
	return b.Bytes()
}

func compactJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("workspace: value does not encode: %v", err))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// metaValue writes a tag's value as it is when that reads back the same,
// else as a JSON string.
func metaValue(s string) string {
	if s == "" || s != strings.TrimSpace(s) || strings.HasPrefix(s, `"`) || hasControl(s) {
		return string(compactJSON(s))
	}
	return s
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0 || !utf8.ValidString(s)
}

var httpVersion = lazyre.New(`\s+HTTP/\d(\.\d)?$`)

// plainURL reports whether the request line can carry u as it is.
func plainURL(u string) bool {
	return u != "" && u == strings.TrimSpace(u) && !hasControl(u) && !httpVersion.MatchString(" "+u)
}

// plainParam writes an enabled parameter as a continuation line (name=value,
// query-encoded as the clients expect, placeholders kept), when it reads
// back the same.
func plainParam(p vault.QueryParam) (string, bool) {
	if p.Disabled {
		return "", false
	}
	n, ok := escapeQuery(p.Name)
	if !ok {
		return "", false
	}
	v, ok := escapeQuery(p.Value)
	if !ok {
		return "", false
	}
	line := n + "=" + v
	back, err := parseParamLine(line)
	if err != nil || back != p {
		return "", false
	}
	return line, true
}

func escapeQuery(s string) (string, bool) {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return "", false
	}
	return t.EscapeText(url.QueryEscape), true
}

// parseParamLine reads "name=value" of a continuation line.
func parseParamLine(line string) (vault.QueryParam, error) {
	n, v, _ := strings.Cut(line, "=")
	name, err := unescapeQuery(n)
	if err != nil {
		return vault.QueryParam{}, err
	}
	value, err := unescapeQuery(v)
	if err != nil {
		return vault.QueryParam{}, err
	}
	return vault.QueryParam{Name: name, Value: value}, nil
}

func unescapeQuery(s string) (string, error) {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return "", err
	}
	var firstErr error
	out := t.EscapeText(func(lit string) string {
		u, err := url.QueryUnescape(lit)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return u
	})
	return out, firstErr
}

// plainHeader reports whether h can be a "Name: value" line.
func plainHeader(h vault.Header) bool {
	if h.Disabled || h.Name == "" || h.Value != strings.TrimSpace(h.Value) || hasControl(h.Value) || hasControl(h.Name) {
		return false
	}
	if strings.ContainsAny(h.Name, ": \t") || strings.HasPrefix(h.Name, "#") || strings.HasPrefix(h.Name, "//") || strings.HasPrefix(h.Name, "<") || strings.HasPrefix(h.Name, ">") {
		return false
	}
	return true
}

// plainBody reports whether a body can follow the blank line as it is: the
// clients would read a "###" line as the next request, "< " at the start
// as a file to send and "> {%" or "<> " as response handlers.
func plainBody(body string) bool {
	for i, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "###") || strings.HasPrefix(l, "> {%") || strings.HasPrefix(l, "<> ") {
			return false
		}
		if i == 0 && (strings.HasPrefix(l, "< ") || strings.HasPrefix(l, "<\t")) {
			return false
		}
	}
	return utf8.ValidString(body)
}

func plainBodyFile(p string) bool {
	return p == strings.TrimSpace(p) && !hasControl(p)
}

// decodeRequest reads a .http file holding one request. env, folder and
// name come from where the file is.
func decodeRequest(path string, data []byte, env string, folder []string, name string) (vault.Request, error) {
	r := vault.Request{Name: name, Env: env, Folder: folder}
	if len(data) > maxRequestFile {
		return r, fileErr(path, 0, "is %d bytes; a request file holds at most %d", len(data), maxRequestFile)
	}
	if !utf8.Valid(data) {
		return r, fileErr(path, invalidUTF8Line(data), "is not UTF-8 text")
	}
	text := string(data)
	// A checkout that turned every line ending into CRLF (core.autocrlf)
	// is read as it was written.
	if i := strings.IndexByte(text, '\n'); i > 0 && text[i-1] == '\r' {
		text = strings.ReplaceAll(text, "\r\n", "\n")
	}
	p := &httpParser{path: path, text: text}
	if err := p.parse(&r); err != nil {
		return r, err
	}
	if r.ID == "" {
		r.ID = derivedID("request", env, name)
	}
	if err := checkID(path, nil, r.ID); err != nil {
		err.(*FileError).Line = p.tagLine[tagID]
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, p.validationErr(err)
	}
	return r, nil
}

type httpParser struct {
	path    string
	text    string
	pos     int // byte offset of the next line
	line    int // number of the last line read
	tagLine map[string]int
	hdrLine int // line of the first header
	reqLine int
}

// next returns the next line (without its newline) and whether there was one.
func (p *httpParser) next() (string, bool) {
	if p.pos >= len(p.text) {
		return "", false
	}
	end := strings.IndexByte(p.text[p.pos:], '\n')
	var l string
	if end < 0 {
		l = p.text[p.pos:]
		p.pos = len(p.text)
	} else {
		l = p.text[p.pos : p.pos+end]
		p.pos += end + 1
	}
	p.line++
	return l, true
}

// peek returns the next line without consuming it.
func (p *httpParser) peek() (string, bool) {
	pos, line := p.pos, p.line
	l, ok := p.next()
	p.pos, p.line = pos, line
	return l, ok
}

func (p *httpParser) errf(line int, format string, args ...any) error {
	return fileErr(p.path, line, format, args...)
}

func (p *httpParser) parse(r *vault.Request) error {
	p.tagLine = map[string]int{}
	var params []placedParam
	var headers []placedHeader
	var plainParams []vault.QueryParam
	var plainHeaders []vault.Header
	var bodyTag, bodyFileTag *string
	// the preamble: "###" lines, comments and tags, up to the request line
	var reqLine string
	for {
		l, ok := p.next()
		if !ok {
			return p.errf(0, "has no request line (METHOD URL)")
		}
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, "###"):
			continue
		case strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//"):
			c := strings.TrimSpace(strings.TrimLeft(t, "#/"))
			if !strings.HasPrefix(c, "@") {
				continue // a comment
			}
			tag, val, _ := strings.Cut(c[1:], " ")
			val = strings.TrimLeft(val, " \t")
			if !slices.Contains(knownTags, tag) {
				return p.errf(p.line, "unknown tag @%s (authdeck reads @%s)", tag, strings.Join(knownTags, ", @"))
			}
			if _, seen := p.tagLine[tag]; seen && !repeatableTags[tag] {
				return p.errf(p.line, "@%s is given twice (first on line %d)", tag, p.tagLine[tag])
			}
			if _, seen := p.tagLine[tag]; !seen {
				p.tagLine[tag] = p.line
			}
			if err := p.tag(r, tag, val, &params, &headers, &bodyTag, &bodyFileTag); err != nil {
				return err
			}
			continue
		}
		reqLine = t
		p.reqLine = p.line
		break
	}
	method, u := "GET", reqLine
	first, rest, _ := strings.Cut(reqLine, " ")
	switch {
	case isMethod(first) && strings.TrimSpace(rest) == "":
		return p.errf(p.line, "the request line has a method but no URL")
	case isMethod(first):
		method, u = first, strings.TrimSpace(rest)
	case isMethod(strings.ToUpper(first)) && strings.TrimSpace(rest) != "" && !strings.Contains(first, ":"):
		return p.errf(p.line, "the method %q should be upper case (%s)", first, strings.ToUpper(first))
	}
	u = httpVersion.ReplaceAllString(u, "")
	r.Method = method
	if _, ok := p.tagLine[tagURL]; !ok {
		r.URL = u
	}
	// continuation lines: query parameters (or more of the URL)
	for {
		l, ok := p.peek()
		if !ok || strings.TrimSpace(l) == "" || (l[0] != ' ' && l[0] != '\t') {
			break
		}
		p.next()
		t := strings.TrimSpace(l)
		if t[0] == '?' || t[0] == '&' {
			q, err := parseParamLine(t[1:])
			if err != nil {
				return p.errf(p.line, "query parameter: %v", err)
			}
			plainParams = append(plainParams, q)
			continue
		}
		if _, ok := p.tagLine[tagURL]; !ok {
			r.URL += t
		}
	}
	// headers, up to a blank line
	blank := false
	for {
		l, ok := p.next()
		if !ok {
			break
		}
		if strings.TrimSpace(l) == "" {
			blank = true
			break
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "###") {
			return p.errf(p.line, "a second request: a workspace file holds one request (move it to a file of its own)")
		}
		if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			if c := strings.TrimSpace(strings.TrimLeft(t, "#/")); strings.HasPrefix(c, "@") {
				return p.errf(p.line, "tags go above the request line")
			}
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return p.errf(p.line, "expected a header (Name: value) or a blank line before the body")
		}
		if p.hdrLine == 0 {
			p.hdrLine = p.line
		}
		plainHeaders = append(plainHeaders, vault.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	body := ""
	bodyLine := p.line + 1
	if blank {
		body = p.text[p.pos:]
	}
	if body != "" {
		for i, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "###") {
				return p.errf(bodyLine+i, "a second request: a workspace file holds one request (move it to a file of its own)")
			}
			if strings.HasPrefix(l, "> {%") || strings.HasPrefix(l, "<> ") {
				return p.errf(bodyLine+i, "response handlers and references are not kept by authdeck; remove the line")
			}
		}
		if strings.HasPrefix(body, "< ") || strings.HasPrefix(body, "<\t") {
			first, rest, _ := strings.Cut(body, "\n")
			if strings.TrimSpace(rest) != "" {
				return p.errf(bodyLine+1, "a body sent from a file (\"< path\") has nothing after it")
			}
			r.BodyFile = strings.TrimSpace(first[1:])
		} else {
			r.Body = body
		}
	}
	if bodyTag != nil {
		if r.Body != "" || r.BodyFile != "" {
			return p.errf(p.tagLine[tagBody], "@body and a body below the headers: keep one")
		}
		r.Body = *bodyTag
	}
	if bodyFileTag != nil {
		if r.Body != "" || r.BodyFile != "" {
			return p.errf(p.tagLine[tagBodyFile], "@body-file and a body: keep one")
		}
		r.BodyFile = *bodyFileTag
	}
	var err error
	if r.Params, err = mergePlaced(plainParams, params, func(x placedParam) (int, vault.QueryParam) {
		return x.At, vault.QueryParam{Name: x.Name, Value: x.Value, Disabled: x.Disabled}
	}); err != nil {
		return p.errf(p.tagLine[tagParam], "@param: %v", err)
	}
	if r.Headers, err = mergePlaced(plainHeaders, headers, func(x placedHeader) (int, vault.Header) {
		return x.At, vault.Header{Name: x.Name, Value: x.Value, Disabled: x.Disabled}
	}); err != nil {
		return p.errf(p.tagLine[tagHeader], "@header: %v", err)
	}
	return nil
}

// tag reads one "# @tag value" line into r.
func (p *httpParser) tag(r *vault.Request, tag, val string, params *[]placedParam, headers *[]placedHeader, body, bodyFile **string) error {
	str := func() (string, error) {
		if strings.HasPrefix(val, `"`) {
			var s string
			if err := json.Unmarshal([]byte(val), &s); err != nil {
				return "", p.errf(p.line, "@%s: the value starts with '\"' but is not a JSON string: %v", tag, err)
			}
			return s, nil
		}
		return val, nil
	}
	obj := func(v any) error {
		dec := json.NewDecoder(strings.NewReader(val))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return p.errf(p.line, "@%s: %s", tag, strings.TrimPrefix(err.Error(), "json: "))
		}
		if dec.More() {
			return p.errf(p.line, "@%s: unexpected data after the JSON value", tag)
		}
		return nil
	}
	var err error
	switch tag {
	case tagID:
		r.ID, err = str()
	case tagDescription:
		r.Description, err = str()
	case tagAuth:
		r.Auth, err = str()
	case tagPlacement:
		var s string
		s, err = str()
		r.Placement = vault.Placement(s)
	case tagInsecure:
		r.InsecureSkipVerify, err = p.flag(tag, val)
	case tagStripLines:
		r.StripLineBreaks, err = p.flag(tag, val)
	case tagScheme:
		var s vault.AuthScheme
		if err := obj(&s); err != nil {
			return err
		}
		r.Scheme = &s
	case tagURL:
		if !strings.HasPrefix(val, `"`) {
			return p.errf(p.line, "@url takes a JSON string")
		}
		r.URL, err = str()
	case tagParam:
		var x placedParam
		if err := obj(&x); err != nil {
			return err
		}
		*params = append(*params, x)
	case tagHeader:
		var x placedHeader
		if err := obj(&x); err != nil {
			return err
		}
		*headers = append(*headers, x)
	case tagForm:
		var f vault.FormField
		if err := obj(&f); err != nil {
			return err
		}
		r.Form = append(r.Form, f)
	case tagBody, tagBodyFile:
		if !strings.HasPrefix(val, `"`) {
			return p.errf(p.line, "@%s takes a JSON string", tag)
		}
		s, err := str()
		if err != nil {
			return err
		}
		if tag == tagBody {
			*body = &s
		} else {
			*bodyFile = &s
		}
	}
	return err
}

// flag reads the value of a tag that takes none (or true/false).
func (p *httpParser) flag(tag, val string) (bool, error) {
	switch val {
	case "", "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, p.errf(p.line, "@%s takes no value (or true/false), not %q", tag, val)
}

// mergePlaced puts the items written as JSON at their places and the
// plain ones, in order, in the places left.
func mergePlaced[P any, T any](plain []T, placed []P, unpack func(P) (int, T)) ([]T, error) {
	if len(placed) == 0 {
		return plain, nil
	}
	n := len(plain) + len(placed)
	out := make([]T, n)
	taken := make([]bool, n)
	for _, x := range placed {
		at, v := unpack(x)
		if at < 0 || at >= n {
			return nil, fmt.Errorf("place %d is outside the list (0…%d)", at, n-1)
		}
		if taken[at] {
			return nil, fmt.Errorf("place %d is given twice", at)
		}
		out[at], taken[at] = v, true
	}
	j := 0
	for i := range out {
		if !taken[i] {
			out[i] = plain[j]
			j++
		}
	}
	return out, nil
}

func isMethod(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// validationErr places a request validation error on the line it is about.
func (p *httpParser) validationErr(err error) error {
	fe := validationErr(p.path, nil, err).(*FileError)
	var ve *vault.ValidationError
	if ok := asValidation(err, &ve); ok {
		f := ve.Field
		switch {
		case f == "method" || f == "url" || f == "name":
			fe.Line = p.reqLine
		case strings.HasPrefix(f, "headers"):
			fe.Line = firstNonZero(p.tagLine[tagHeader], p.hdrLine, p.reqLine)
		case strings.HasPrefix(f, "params"):
			fe.Line = firstNonZero(p.tagLine[tagParam], p.reqLine)
		case strings.HasPrefix(f, "form"):
			fe.Line = p.tagLine[tagForm]
		case strings.HasPrefix(f, "scheme"):
			fe.Line = p.tagLine[tagScheme]
		case f == "placement":
			fe.Line = p.tagLine[tagPlacement]
		case f == "stripLineBreaks":
			fe.Line = p.tagLine[tagStripLines]
		case f == "body":
			fe.Line = p.reqLine
		}
	}
	return fe
}

func firstNonZero(xs ...int) int {
	for _, x := range xs {
		if x != 0 {
			return x
		}
	}
	return 0
}
