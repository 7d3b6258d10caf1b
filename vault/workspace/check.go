package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// Finding is something in a workspace folder that looks like a credential,
// or a file that does not read. It never holds the value it is about.
type Finding struct {
	// Path is the file, relative to the folder ('/').
	Path string `json:"path"`
	// Line is 1-based; 0 when the finding is about the whole file.
	Line int `json:"line,omitempty"`
	// What says what was found.
	What string `json:"what"`
}

func (f Finding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", f.Path, f.Line, f.What)
	}
	return fmt.Sprintf("%s: %s", f.Path, f.What)
}

// maxCheckedFile bounds what Check reads of one file.
const maxCheckedFile = 16 << 20

// Check looks through every file of the workspace folder at root for what
// a workspace folder must never hold (S-45): literal credentials in
// variables, headers, parameters, bodies and fields (using the importers'
// secret detection), private keys, shared values that are not encrypted.
// It also reports files that do not read as workspace files. Nothing is
// changed. For pre-commit hooks and CI: any finding is a failure.
func Check(root string) ([]Finding, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	var out []Finding
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || isScratch(d.Name()) {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(f, maxCheckedFile))
		_ = f.Close()
		if err != nil {
			return err
		}
		out = append(out, checkFile(rel, data)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := readSnapshot(root); err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			return nil, err
		}
		out = append(out, Finding{Path: fe.Path, Line: fe.Line, What: "does not read: " + fe.Msg})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

// checkFile looks through one file by its kind.
func checkFile(rel string, data []byte) []Finding {
	c := &checker{path: rel}
	base := path.Base(rel)
	switch {
	case strings.HasSuffix(base, sharedExt):
		if !looksEncrypted(data) {
			c.add(1, "is not an age-encrypted file: a shared value must be encrypted to the team (authdeck secret set NAME --shared)")
		}
	case strings.HasSuffix(base, pubExt) && strings.HasPrefix(rel, teamDir+"/"):
		if bytes.Contains(data, []byte("PRIVATE KEY")) || bytes.Contains(data, []byte("AGE-SECRET-KEY-")) {
			c.add(1, "holds a private key: a team member's file holds their public key only — remove it from the repository and make a new key")
		}
	case strings.HasSuffix(base, jsonExt):
		c.json(data, 0, !isItemFile(rel))
	case strings.HasSuffix(base, httpExt):
		c.http(data)
	default:
		c.text(data, 1)
	}
	return c.out
}

// isItemFile reports files whose keys are authdeck's own schema (a field
// named "authMethod" says nothing about its value being secret).
func isItemFile(rel string) bool {
	return rel == MarkerFile || strings.HasPrefix(rel, envsDir+"/")
}

func looksEncrypted(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return bytes.HasPrefix(t, []byte(armorHeader)) || bytes.HasPrefix(t, []byte("age-encryption.org/v1\n"))
}

type checker struct {
	path string
	out  []Finding
}

func (c *checker) add(line int, format string, args ...any) {
	c.out = append(c.out, Finding{Path: c.path, Line: line, What: fmt.Sprintf(format, args...)})
}

// identifierKeys hold identifiers and public data that may look random.
var identifierKeys = map[string]bool{"id": true, "keyId": true, "dpopKeyId": true, "clientId": true, "sharedWith": true, "jkt": true}

// describe says what kind of credential v looks like, without v.
func describe(v string) string {
	t := strings.TrimSpace(v)
	switch {
	case strings.Contains(t, "PRIVATE KEY"):
		return "a private key"
	case strings.HasPrefix(t, "eyJ") && strings.Count(t, ".") == 2:
		return "a JWT"
	}
	if scheme, _, ok := strings.Cut(t, " "); ok {
		switch strings.ToLower(scheme) {
		case "bearer", "basic", "digest", "token":
			return "an Authorization credential (" + scheme + " …)"
		}
	}
	return "a credential-like value"
}

const keepAdvice = "keep it in the vault (a secret, or a secret variable used as {{name}})"

// value checks one literal value found under name (a field, header or
// parameter name; empty when there is none).
func (c *checker) value(line int, where, name, v string) {
	switch {
	case strings.Contains(v, "PRIVATE KEY-----") || strings.Contains(v, "AGE-SECRET-KEY-"):
		c.add(line, "%s holds a private key; %s", where, keepAdvice)
	case name != "" && secretlike.Field(name, v):
		c.add(line, "%s holds %s; %s", where, describe(v), keepAdvice)
	case name == "" && secretlike.Value(v):
		c.add(line, "%s holds %s; %s", where, describe(v), keepAdvice)
	default:
		c.url(line, where, v)
	}
}

// url checks a value that is a URL for a password or a credential in its query.
func (c *checker) url(line int, where, v string) {
	if !strings.Contains(v, "://") {
		return
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" && !strings.Contains(p, "{{") {
			c.add(line, "%s has a password in its URL; %s", where, keepAdvice)
			return
		}
	}
	for k, vs := range u.Query() {
		for _, x := range vs {
			if secretlike.Field(k, x) {
				c.add(line, "%s: the query parameter %q holds %s; %s", where, k, describe(x), keepAdvice)
				return
			}
		}
	}
}

// text checks free text token by token, for values that look like
// credentials whatever their name (and private keys).
func (c *checker) text(data []byte, firstLine int) {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return // not text
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, "PRIVATE KEY-----") || strings.Contains(l, "AGE-SECRET-KEY-") {
			c.add(firstLine+i, "holds a private key; %s", keepAdvice)
			continue
		}
		for _, tok := range strings.Fields(l) {
			tok = strings.Trim(tok, "\"'`,;()[]<>")
			if secretlike.Value(tok) {
				c.add(firstLine+i, "holds %s; %s", describe(tok), keepAdvice)
				break
			}
			c.url(firstLine+i, "a URL", tok)
		}
	}
}

// json checks a JSON document (an item file, a body) value by value, with
// name/value pairs (variables, parameters) checked as pairs. firstLine is
// the line the document starts on, less one.
func (c *checker) json(data []byte, lineOffset int, namedKeys bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type strVal struct {
		v    string
		line int
	}
	type frame struct {
		obj     bool
		key     string // the key whose value is next (objects)
		wantKey bool
		parent  string // the key this container is the value of
		strs    map[string]strVal
		bools   map[string]bool
	}
	lineAt := func(off int64) int {
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
			off++
		}
		l, _ := jsonpos.LineCol(data, off)
		return l + lineOffset
	}
	var stack []*frame
	closeObj := func(f *frame) {
		name, hasName := f.strs["name"]
		if !hasName {
			name, hasName = f.strs["key"]
		}
		val, hasVal := f.strs["value"]
		if hasName && hasVal {
			where := fmt.Sprintf("%q", name.v)
			switch {
			case f.bools["secret"]:
				if val.v != "" {
					c.add(val.line, "the secret variable %s holds its value in the folder; %s", where, keepAdvice)
				}
			case f.parent == "variables":
				if secretlike.Variable(name.v, val.v) {
					c.add(val.line, "the variable %s holds %s; make it a secret variable (authdeck env set %s --secret)", where, describe(val.v), shellQuote(name.v))
				}
			default:
				c.value(val.line, where, name.v, val.v)
			}
			delete(f.strs, "value")
		}
		for k, s := range f.strs {
			if identifierKeys[k] || (k == "name" || k == "key") && hasVal {
				continue
			}
			name := ""
			if namedKeys {
				name = k
			}
			c.value(s.line, fmt.Sprintf("%q", k), name, s.v)
		}
	}
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return // a file that does not parse is reported as such by the folder's reader
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			if k, ok := tok.(string); ok {
				top.key, top.wantKey = k, false
				continue
			}
		}
		parentKey := ""
		if top != nil {
			if top.obj {
				parentKey = top.key
			} else {
				parentKey = top.parent
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{obj: true, wantKey: true, parent: parentKey, strs: map[string]strVal{}, bools: map[string]bool{}})
			case '[':
				stack = append(stack, &frame{parent: parentKey})
			case '}', ']':
				if top != nil && top.obj {
					closeObj(top)
				}
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].wantKey = true
				}
			}
			continue
		case string:
			line := lineAt(off)
			if top != nil && top.obj {
				if !identifierKeys[top.key] {
					top.strs[top.key] = strVal{t, line}
				}
			} else if !identifierKeys[parentKey] {
				name := ""
				if namedKeys {
					name = parentKey
				}
				c.value(line, fmt.Sprintf("%q", parentKey), name, t)
			}
		case bool:
			if top != nil && top.obj {
				top.bools[top.key] = t
			}
		}
		if top != nil && top.obj {
			top.wantKey = true
		}
	}
}

// http checks a request file: its tags, request line, parameters, headers
// and body.
func (c *checker) http(data []byte) {
	if !utf8.Valid(data) {
		return
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	i := 0
	// preamble and tags
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || strings.HasPrefix(t, "###") {
			continue
		}
		if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			cm := strings.TrimSpace(strings.TrimLeft(t, "#/"))
			if tag, val, ok := strings.Cut(strings.TrimPrefix(cm, "@"), " "); ok && strings.HasPrefix(cm, "@") {
				c.httpTag(i+1, tag, strings.TrimSpace(val))
			} else {
				c.text([]byte(cm), i+1)
			}
			continue
		}
		break
	}
	if i >= len(lines) {
		return
	}
	// request line
	if _, u, ok := strings.Cut(strings.TrimSpace(lines[i]), " "); ok {
		c.url(i+1, "the URL", strings.TrimSpace(httpVersion.ReplaceAllString(u, "")))
	} else {
		c.url(i+1, "the URL", strings.TrimSpace(lines[i]))
	}
	i++
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != "" && (lines[i][0] == ' ' || lines[i][0] == '\t'); i++ {
		t := strings.TrimLeft(strings.TrimSpace(lines[i]), "?&")
		if q, err := parseParamLine(t); err == nil {
			c.value(i+1, fmt.Sprintf("the query parameter %q", q.Name), q.Name, q.Value)
		}
	}
	// headers
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			continue
		}
		if n, v, ok := strings.Cut(t, ":"); ok {
			n, v = strings.TrimSpace(n), strings.TrimSpace(v)
			c.value(i+1, fmt.Sprintf("the header %q", n), n, v)
		}
	}
	if i >= len(lines) {
		return
	}
	// body
	body := strings.Join(lines[i+1:], "\n")
	c.body(body, i+1)
}

// body checks a request body: JSON and form bodies field by field, other
// bodies as text. lineOffset is the line before the body's first.
func (c *checker) body(body string, lineOffset int) {
	t := strings.TrimSpace(body)
	switch {
	case t == "":
	case (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)):
		c.json([]byte(body), lineOffset, true)
	case !strings.ContainsAny(t, " \n") && strings.Contains(t, "="):
		if q, err := url.ParseQuery(t); err == nil {
			for k, vs := range q {
				for _, v := range vs {
					c.value(lineOffset+1, fmt.Sprintf("the form field %q", k), k, v)
				}
			}
		}
	default:
		c.text([]byte(body), lineOffset+1)
	}
}

// httpTag checks one "# @tag value" line of a request file.
func (c *checker) httpTag(line int, tag, val string) {
	unquote := func() string {
		var s string
		if strings.HasPrefix(val, `"`) && json.Unmarshal([]byte(val), &s) == nil {
			return s
		}
		return val
	}
	switch tag {
	case tagHeader, tagParam, tagForm, tagScheme:
		c.json([]byte(val), line-1, true)
	case tagBody:
		c.body(unquote(), line-1)
	case tagURL:
		c.url(line, "the URL", unquote())
	case tagID, tagPlacement, tagInsecure, tagAuth:
	default:
		c.text([]byte(unquote()), line)
	}
}
