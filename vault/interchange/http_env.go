package interchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// This file imports the environments of .http files: JetBrains'
// http-client.env.json and http-client.private.env.json ({"dev": {"host":
// "…"}, …}; every value of the private file goes to the vault) and VS Code
// REST Client's "rest-client.environmentVariables" in .vscode/settings.json
// (the same shape, with "$shared" values in every environment). Each
// environment of the file becomes an authdeck environment of that name
// (created if missing); a variable the environment already has is kept.

// HTTP environment file names.
const (
	HTTPEnvFile        = "http-client.env.json"
	HTTPPrivateEnvFile = "http-client.private.env.json"
	vscodeSettingsKey  = "rest-client.environmentVariables"
)

type httpEnvVar struct {
	name, value string
	secret      bool
	from        string
}

// httpEnvs are the environments read from environment files, in file order.
type httpEnvs struct {
	// jetbrains says JetBrains' files were found (not only VS Code's settings).
	jetbrains bool
	order     []string
	vars      map[string][]httpEnvVar
	shared    []httpEnvVar
}

func (e *httpEnvs) add(env string, v httpEnvVar) {
	if env == "$shared" {
		e.shared = append(e.shared, v)
		return
	}
	if e.vars == nil {
		e.vars = map[string][]httpEnvVar{}
	}
	if _, ok := e.vars[env]; !ok {
		e.order = append(e.order, env)
	}
	e.vars[env] = append(e.vars[env], v)
}

// HTTPEnvNames lists the environments the environment files beside an
// .http file define, in file order (the public file's first); nil when
// there are none or they cannot be read.
func HTTPEnvNames(httpPath string) []string {
	im := newReqImporter(RequestImportOptions{})
	envs := readHTTPEnvFiles(im, filepath.Dir(httpPath))
	if envs == nil || len(im.problems) > 0 {
		return nil
	}
	return envs.order
}

// readHTTPEnvFiles reads the environment files in dir (and a
// .vscode/settings.json in dir or up to three folders above it).
func readHTTPEnvFiles(im *reqImporter, dir string) *httpEnvs {
	envs := &httpEnvs{}
	found := false
	for _, name := range []string{HTTPEnvFile, HTTPPrivateEnvFile} {
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		found, envs.jetbrains = true, true
		readHTTPEnvJSON(im, envs, data, name, name == HTTPPrivateEnvFile, false)
	}
	d := dir
	for range 4 {
		p := filepath.Join(d, ".vscode", "settings.json")
		if data, err := os.ReadFile(p); err == nil {
			if bytes.Contains(data, []byte(vscodeSettingsKey)) {
				found = true
				readHTTPEnvJSON(im, envs, data, filepath.Join(filepath.Base(d), ".vscode", "settings.json"), false, true)
			}
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if !found {
		return nil
	}
	return envs
}

// readHTTPEnvJSON reads one environment file into envs; problems name the file.
func readHTTPEnvJSON(im *reqImporter, envs *httpEnvs, data []byte, file string, private, settings bool) {
	fail := func(line, col int, format string, args ...any) {
		im.problem(file, line, col, vault.ErrInvalid, format, args...)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if settings {
		data = stripJSONC(data)
	}
	if err := jsonpos.CheckStrict(data); err != nil {
		var pe *jsonpos.Error
		if ok := asJSONPos(err, &pe); ok {
			fail(pe.Line, pe.Col, "%s", pe.Msg)
		} else {
			fail(0, 0, "%v", err)
		}
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		fail(0, 0, "%s", jsonpos.Describe(data, err))
		return
	}
	body := data
	if settings {
		raw, ok := top[vscodeSettingsKey]
		if !ok {
			fail(0, 0, "has no %q", vscodeSettingsKey)
			return
		}
		body = raw
		if err := json.Unmarshal(raw, &top); err != nil {
			fail(0, 0, "%q: %s", vscodeSettingsKey, jsonpos.Describe(raw, err))
			return
		}
	}
	for _, env := range jsonObjectKeys(body) {
		raw := top[env]
		var vals map[string]json.RawMessage
		if err := json.Unmarshal(raw, &vals); err != nil {
			l, c := jsonpos.LineCol(data, int64(bytes.Index(data, []byte(`"`+env+`"`))))
			fail(l, c, "environment %q should be an object of variables", env)
			continue
		}
		if env != "$shared" {
			if err := vault.ValidateName("environment", env); err != nil {
				fail(0, 0, "environment %q: %v", env, err)
				continue
			}
		}
		addHTTPEnvVars(im, envs, env, raw, vals, file, private)
	}
}

// addHTTPEnvVars adds the variables of environment env (raw, decoded as
// vals) in file order: a string as it is, a number or boolean as written;
// null is passed over, and an object or array (client settings) noted.
func addHTTPEnvVars(im *reqImporter, envs *httpEnvs, env string, raw json.RawMessage, vals map[string]json.RawMessage, file string, private bool) {
	for _, name := range jsonObjectKeys(raw) {
		v := vals[name]
		var s string
		switch {
		case json.Unmarshal(v, &s) == nil:
		case bytes.HasPrefix(bytes.TrimSpace(v), []byte("{")) || bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")):
			im.note(NoteSkipped, fmt.Sprintf("%s: %q in environment %q", file, name, env), "an object of client settings (like JetBrains' Security block), not a variable")
			continue
		case string(bytes.TrimSpace(v)) == "null":
			continue
		default:
			s = string(bytes.TrimSpace(v))
		}
		envs.add(env, httpEnvVar{name: name, value: s, secret: private || secretlike.Variable(name, s), from: file})
	}
}

func asJSONPos(err error, target **jsonpos.Error) bool {
	return errors.As(err, target)
}

// jsonObjectKeys lists the keys of a JSON object in file order.
func jsonObjectKeys(data []byte) []string {
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
		k, _ := t.(string)
		out = append(out, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return out
		}
	}
	return out
}

// apply adds the environments and their variables to the batch: the
// target environment's through the importer, the others' as environments
// of their own (created when the catalog lacks them).
func (e *httpEnvs) apply(im *reqImporter) {
	for _, env := range e.order {
		vars := slices.Clone(e.shared)
		vars = append(vars, e.vars[env]...)
		// Later files and the environment's own values win over $shared.
		seen := map[string]int{}
		var merged []httpEnvVar
		for _, v := range vars {
			if k, ok := seen[v.name]; ok {
				merged[k].value, merged[k].from = v.value, v.from
				merged[k].secret = merged[k].secret || v.secret
				continue
			}
			seen[v.name] = len(merged)
			merged = append(merged, v)
		}
		if env == im.env {
			for _, v := range merged {
				im.addVar(v.name, v.value, v.secret, v.from)
			}
			continue
		}
		im.addEnvVars(env, merged)
	}
}

// addEnvVars adds variables to an environment other than the import's target.
func (im *reqImporter) addEnvVars(env string, vars []httpEnvVar) {
	var existing *vault.Environment
	if im.opts.Catalog != nil {
		existing, _ = im.opts.Catalog.Env(env)
	}
	if existing == nil && !slices.ContainsFunc(im.batch.Envs, func(e vault.Environment) bool { return e.Name == env }) {
		im.batch.Envs = append(im.batch.Envs, vault.Environment{Name: env})
		im.note(NoteCreated, fmt.Sprintf("environment %q", env), "from the environment files")
	}
	for _, v := range vars {
		item := fmt.Sprintf("variable %q in environment %q", v.name, env)
		if err := vault.ValidateVarName(env, v.name); err != nil {
			im.note(NoteSkipped, item, "not a valid variable name (letters, digits, '_', '-' and '.')")
			continue
		}
		if existing != nil {
			if _, ok := existing.Var(v.name); ok {
				im.note(NoteSkipped, item, "already there; kept the existing value")
				continue
			}
		}
		dst := &im.batch.Vars
		what := "plain variable"
		if v.secret {
			dst = &im.batch.SecretVars
			what = "secret variable, value goes to the vault"
		}
		if *dst == nil {
			*dst = map[string]map[string]string{}
		}
		if (*dst)[env] == nil {
			(*dst)[env] = map[string]string{}
		}
		(*dst)[env][v.name] = v.value
		kind := NoteCreated
		if v.secret {
			kind = NoteStored
		}
		im.note(kind, item, "%s (from %s)", what, v.from)
	}
}

// parseHTTPEnvFile imports an environment file given in place of an .http
// file: its environments, and no request.
func parseHTTPEnvFile(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	im := newReqImporter(opts)
	envs := &httpEnvs{}
	base := filepath.Base(opts.Path)
	if opts.Path == "" {
		base = "the environment file"
	}
	settings := bytes.Contains(data, []byte(vscodeSettingsKey))
	readHTTPEnvJSON(im, envs, data, base, strings.Contains(base, ".private."), settings)
	if len(im.problems) == 0 && len(envs.order) == 0 {
		im.problem(base, 0, 0, vault.ErrInvalid, "is JSON but defines no environment ({\"dev\": {\"name\": \"value\"}}); an .http file holds requests")
	}
	envs.apply(im)
	return im.finish()
}

// stripJSONC removes // and /* */ comments and trailing commas from JSON
// with comments (VS Code's settings.json), keeping every byte's line and
// column so that positions stay right.
func stripJSONC(data []byte) []byte {
	out := make([]byte, len(data))
	copy(out, data)
	eachOutsideStrings(out, func(i int) int { return blankComment(out, i) })
	// Trailing commas, now that comments are blank.
	eachOutsideStrings(out, func(i int) int { return blankTrailingComma(out, i) })
	return out
}

// eachOutsideStrings calls at(i) for each byte of data outside JSON
// strings; at returns the index of the last byte it dealt with.
func eachOutsideStrings(data []byte, at func(i int) int) {
	inStr := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case inStr && c == '\\':
			i++
		case inStr:
			inStr = c != '"'
		case c == '"':
			inStr = true
		default:
			i = at(i)
		}
	}
}

// blankComment blanks the comment that starts at out[i], if one does,
// keeping its line breaks, and returns the index of its last byte.
func blankComment(out []byte, i int) int {
	if out[i] != '/' || i+1 >= len(out) {
		return i
	}
	switch out[i+1] {
	case '/':
		for ; i < len(out) && out[i] != '\n'; i++ {
			out[i] = ' '
		}
	case '*':
		out[i], out[i+1] = ' ', ' '
		for i += 2; i < len(out) && !(out[i] == '*' && i+1 < len(out) && out[i+1] == '/'); i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
		if i < len(out) {
			out[i], out[i+1] = ' ', ' '
			i++
		}
	}
	return i
}

// blankTrailingComma blanks the comma at out[i] if only white space stands
// between it and the closing } or ].
func blankTrailingComma(out []byte, i int) int {
	if out[i] != ',' {
		return i
	}
	j := i + 1
	for j < len(out) && (out[j] == ' ' || out[j] == '\t' || out[j] == '\n' || out[j] == '\r') {
		j++
	}
	if j < len(out) && (out[j] == '}' || out[j] == ']') {
		out[i] = ' '
	}
	return i
}
