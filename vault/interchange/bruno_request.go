package interchange

// A Bruno request file: its method block, folder, URL, headers (the
// collection's and folders' too) and body.

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

var bruMethods = []string{"get", "post", "put", "delete", "patch", "options", "head", "connect", "trace"}

func (bp *bruParser) request(rel string, f *bruFile, name string) {
	label := fmt.Sprintf("request %q (%s)", name, rel)
	http := bruMethodBlock(f)
	if http == nil {
		if f.block("grpc") != nil || f.block("ws") != nil {
			bp.im.note(NoteSkipped, rel, "only HTTP and GraphQL requests are imported")
		} else {
			bp.im.problem(rel, 0, 0, vault.ErrInvalid, "no method block (get { url: … }, post { … } …)")
		}
		return
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(rel), ".bru")
	}
	folder, dirs := bp.folderPath(rel)
	r := vault.Request{Name: name, Method: strings.ToUpper(http.name), URL: bp.requestURL(http, f), Folder: folder, Params: bp.disabledParams(f)}
	// Headers: the collection's, each folder's, the request's (later wins).
	sources := bp.settingsFiles(f, dirs)
	r.Headers = bp.headers(sources)
	bp.body(&r, f, http.get("body"), label)
	// Auth: the request's, else inherited from folders, then the collection.
	mode := http.get("auth")
	authFile := f
	for k := len(sources) - 2; (mode == "inherit" || mode == "") && k >= 0; k-- {
		if ab := sources[k].block("auth"); ab != nil {
			mode, authFile = ab.get("mode"), sources[k]
		}
	}
	bp.auth(&r, authFile, mode, label)
	if v := f.block("vars:pre-request"); v != nil {
		for _, p := range v.pairs {
			if !p.disabled {
				bp.im.addVar(varName(p.key), bp.text(p.value), pmSecretVariable(p.key, p.value), rel)
			}
		}
	}
	bp.noteNotRun(f, label)
	bp.im.secretize(&r, label)
	bp.im.addRequest(r, label)
}

// settingsFiles lists the files whose headers and auth request file f
// takes, outermost first: collection.bru, the folder.bru of each of its
// directories dirs, and f itself.
func (bp *bruParser) settingsFiles(f *bruFile, dirs []string) []*bruFile {
	var sources []*bruFile
	if bp.collection != nil {
		sources = append(sources, bp.collection)
	}
	for _, d := range dirs {
		if ff := bp.folders[filepath.FromSlash(d)]; ff != nil {
			sources = append(sources, ff)
		}
	}
	return append(sources, f)
}

// bruMethodBlock returns the request's method block (get { … }, post { … }
// …), nil when it has none.
func bruMethodBlock(f *bruFile) *bruBlock {
	for _, m := range bruMethods {
		if b := f.block(m); b != nil {
			return b
		}
	}
	return nil
}

// folderPath returns the folder names (a folder.bru's meta name, else the
// directory's) of the request file rel, and the directories they come from.
func (bp *bruParser) folderPath(rel string) (folder, dirs []string) {
	dirs = []string{}
	d := filepath.Dir(rel)
	if d == "." {
		return nil, dirs
	}
	parts := strings.Split(filepath.ToSlash(d), "/")
	for k := range parts {
		dir := strings.Join(parts[:k+1], "/")
		dirs = append(dirs, dir)
		fname := parts[k]
		if ff := bp.folders[filepath.FromSlash(dir)]; ff != nil {
			if m := ff.block("meta"); m != nil && m.get("name") != "" {
				fname = m.get("name")
			}
		}
		folder = append(folder, folderName(fname))
	}
	return folder, dirs
}

// requestURL returns the request's URL (http:// for a bare host) with its
// path parameters filled in.
func (bp *bruParser) requestURL(http *bruBlock, f *bruFile) string {
	u := bp.text(http.get("url"))
	if u != "" && !strings.Contains(u, "://") && !strings.HasPrefix(u, "{{") {
		u = "http://" + u
	}
	if pp := f.block("params:path"); pp != nil {
		for _, p := range pp.pairs {
			u = strings.ReplaceAll(u, "/:"+p.key, "/"+bp.text(p.value))
		}
	}
	return u
}

// disabledParams returns the request's disabled query parameters (the
// enabled ones are in its URL).
func (bp *bruParser) disabledParams(f *bruFile) []vault.QueryParam {
	q := f.block("params:query")
	if q == nil {
		return nil
	}
	var params []vault.QueryParam
	for _, p := range q.pairs {
		if p.disabled && p.key != "" { // an empty disabled row is no parameter
			params = append(params, vault.QueryParam{Name: p.key, Value: bp.text(p.value), Disabled: true})
		}
	}
	return params
}

// headers returns the headers of sources, a later one replacing an earlier
// one of the same name.
func (bp *bruParser) headers(sources []*bruFile) []vault.Header {
	var hs []vault.Header
	for _, src := range sources {
		hb := src.block("headers")
		if hb == nil {
			continue
		}
		for _, p := range hb.pairs {
			if p.key == "" {
				continue // an empty row of Bruno's table
			}
			hs = slicesDeleteHeader(hs, p.key)
			hs = append(hs, vault.Header{Name: p.key, Value: bp.text(p.value), Disabled: p.disabled})
		}
	}
	return hs
}

// noteNotRun notes the request's scripts, tests, assertions and
// post-response variables, which an import does not run.
func (bp *bruParser) noteNotRun(f *bruFile, label string) {
	for _, b := range f.blocks {
		switch {
		case strings.HasPrefix(b.name, "script:") && strings.TrimSpace(b.text) != "", b.name == "tests" && strings.TrimSpace(b.text) != "":
			bp.im.note(NoteSkipped, label, "%s block (a script) not run", b.name)
		case b.name == "assert" && len(b.pairs) > 0:
			bp.im.note(NoteSkipped, label, "assertions not run")
		case b.name == "vars:post-response" && len(b.pairs) > 0:
			bp.im.note(NoteSkipped, label, "post-response variables not set")
		}
	}
}

func slicesDeleteHeader(hs []vault.Header, name string) []vault.Header {
	out := hs[:0]
	for _, h := range hs {
		if !strings.EqualFold(h.Name, name) {
			out = append(out, h)
		}
	}
	return out
}

func (bp *bruParser) body(r *vault.Request, f *bruFile, mode, label string) {
	setCT := func(ct string) {
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, "Content-Type") && !h.Disabled {
				return
			}
		}
		r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: ct})
	}
	text := func(block string) string {
		if b := f.block(block); b != nil {
			return bp.text(b.text)
		}
		return ""
	}
	switch mode {
	case "json":
		r.Body = text("body:json")
		setCT("application/json")
	case "text":
		r.Body = text("body:text")
		setCT("text/plain")
	case "xml":
		r.Body = text("body:xml")
		setCT("application/xml")
	case "sparql":
		r.Body = text("body:sparql")
		setCT("application/sparql-query")
	case "formUrlEncoded":
		r.Body = bp.formBody(f)
		setCT("application/x-www-form-urlencoded")
	case "multipartForm":
		r.Form = append(r.Form, bp.multipartForm(f, label)...)
		r.Headers = slicesDeleteHeader(r.Headers, "Content-Type")
	case "graphql":
		r.Body = bp.graphqlBody(text("body:graphql"), text("body:graphql:vars"), label)
		setCT("application/json")
	case "", "none":
	default:
		bp.im.note(NoteSkipped, label, "%s body not imported", mode)
	}
}

// formBody returns the enabled fields of the body:form-urlencoded block,
// form-encoded.
func (bp *bruParser) formBody(f *bruFile) string {
	var parts []string
	if b := f.block("body:form-urlencoded"); b != nil {
		for _, p := range b.pairs {
			if !p.disabled {
				parts = append(parts, formEscape(p.key)+"="+formEscape(bp.text(p.value)))
			}
		}
	}
	return strings.Join(parts, "&")
}

// multipartForm returns the fields of the body:multipart-form block, a
// @file(path) value a file part (relative to the collection).
func (bp *bruParser) multipartForm(f *bruFile, label string) []vault.FormField {
	if f.block("body:multipart-form") == nil && f.block("body:multipart") != nil {
		bp.im.note(NoteWarning, label, "its form fields are in a body:multipart block, which Bruno does not read (it reads body:multipart-form): the form is empty")
	}
	b := f.block("body:multipart-form")
	if b == nil {
		return nil
	}
	var form []vault.FormField
	for _, p := range b.pairs {
		ff := vault.FormField{Name: p.key, Disabled: p.disabled}
		m := bruFileRef.FindStringSubmatch(p.value)
		if m == nil {
			ff.Value = bp.text(p.value)
			form = append(form, ff)
			continue
		}
		ff.IsFile = true
		if path := strings.Split(m[1], "|")[0]; path != "" {
			if !filepath.IsAbs(path) {
				path = filepath.Join(bp.root, path)
			}
			ff.File = path
		}
		form = append(form, ff)
	}
	return form
}

// graphqlBody returns the JSON body of a GraphQL request: its query and
// variables (sent as text when they are not JSON).
func (bp *bruParser) graphqlBody(query, vars, label string) string {
	payload := map[string]any{"query": query}
	if v := strings.TrimSpace(vars); v != "" {
		var x any
		if json.Unmarshal([]byte(v), &x) == nil {
			payload["variables"] = x
		} else {
			bp.im.note(NoteWarning, label, "GraphQL variables are not JSON; sent as text")
			payload["variables"] = v
		}
	}
	b, _ := json.Marshal(payload)
	return string(b)
}
