package interchange

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/dynamic"
	"github.com/authdeck/authdeck/vault/jsonpos"
)

// This file holds what the three request importers (Postman, curl, .http)
// share: the options, the names they give items, and the batch they build.
// Values that look secret go to the vault — as secret variables or secrets —
// and the requests refer to them (secretize.go), so no secret value ever
// lands in the catalog.

// RequestImportOptions say where imported requests go.
type RequestImportOptions struct {
	// Env is the target environment. It must exist, except for a Postman
	// environment file, which creates an environment of its own name when
	// Env is empty.
	Env string
	// Catalog, when set, is checked so that names already taken are
	// reported (or reused) before anything is stored; nil checks nothing.
	Catalog *vault.Catalog
	// Name names a request that has none of its own (a curl command line);
	// several get "Name 2", "Name 3".
	Name string
	// BaseDir, when set, makes the relative paths of files a curl command
	// reads when sent (-F name=@file, -T, -d @file) absolute against it
	// (the directory the command was copied for), so the saved request
	// works from anywhere.
	BaseDir string
	// Values are the target environment's current variable values (secret
	// ones included, see Vault.Vars), so a secret found again reuses the
	// secret variable that already holds it; nil reuses nothing.
	Values map[string]string
	// Path is the imported file's path. The files an import reads beside it
	// (an .http file's environment files and "< body" files, a Bruno
	// collection's folders) are found from it; empty (stdin) reads none.
	Path string
}

// checkEnv refuses an import without a target environment, or into one the
// catalog does not have.
func (o RequestImportOptions) checkEnv() error {
	if o.Env == "" {
		return &vault.ValidationError{Kind: "import", Field: "env", Msg: "is required"}
	}
	if o.Catalog != nil {
		if _, ok := o.Catalog.Env(o.Env); !ok {
			return &vault.NotFoundError{Kind: "environment", Name: o.Env}
		}
	}
	return nil
}

// checkText is checkEnv for a text format, which must also be UTF-8.
func (o RequestImportOptions) checkText(data []byte) error {
	if err := o.checkEnv(); err != nil {
		return err
	}
	return checkUTF8(data)
}

// checkUTF8 refuses text that is not UTF-8, saying where the first bad byte is.
func checkUTF8(data []byte) error {
	var pe *jsonpos.Error
	if err := jsonpos.CheckUTF8(data); errors.As(err, &pe) {
		return &ImportError{Problems: []ImportProblem{{Line: pe.Line, Col: pe.Col, Err: vault.ErrInvalid, Msg: "the file is not UTF-8 text: " + pe.Msg}}}
	}
	return nil
}

type reqImporter struct {
	opts     RequestImportOptions
	env      string
	batch    vault.Batch
	notes    []Note
	problems []ImportProblem
	// existing environment variables (when a catalog was given)
	existing map[string]vault.Variable
	// names taken in the target environment, including this import's
	vars, secrets, requests map[string]bool
	// dedupe: a secret value → the secret variable holding it; a credential → its secret
	varByValue  map[string]string
	credByValue map[string]string
	// plain variables this import defines (to resolve templated auth blocks)
	defined map[string]string
	// shellVars are the variables a curl script sets, by name → line.
	shellVars map[string]int
}

func newReqImporter(opts RequestImportOptions) *reqImporter {
	im := &reqImporter{
		opts: opts, env: opts.Env,
		existing: map[string]vault.Variable{},
		vars:     map[string]bool{}, secrets: map[string]bool{}, requests: map[string]bool{},
		varByValue: map[string]string{}, credByValue: map[string]string{}, defined: map[string]string{},
	}
	im.useEnv(opts.Env)
	return im
}

// useEnv points the import at env, learning the names it already holds.
func (im *reqImporter) useEnv(env string) {
	im.env = env
	c := im.opts.Catalog
	if c == nil || env == "" {
		return
	}
	if e, ok := c.Env(env); ok {
		for _, v := range e.Variables {
			im.existing[v.Name] = v
			im.vars[v.Name] = true
			if val, ok := im.opts.Values[v.Name]; ok && v.Secret && val != "" && env == im.opts.Env {
				im.varByValue[val] = v.Name
			}
		}
	}
	for _, s := range c.SecretsIn(env) {
		im.secrets[s.Name] = true
	}
	for _, x := range c.ClientsIn(env) {
		im.secrets[x.Name] = true
	}
	for _, r := range c.RequestsIn(env) {
		im.requests[r.Name] = true
	}
}

func (im *reqImporter) note(kind NoteKind, item, format string, args ...any) {
	im.notes = append(im.notes, Note{Kind: kind, Item: item, Msg: fmt.Sprintf(format, args...)})
}

func (im *reqImporter) problem(item string, line, col int, class error, format string, args ...any) {
	im.problems = append(im.problems, ImportProblem{Item: item, Line: line, Col: col, Err: class, Msg: fmt.Sprintf(format, args...)})
}

// unique returns base, or base + " 2", " 3"… (sep "_" for variables) not in taken.
// Names are probed by doubling then bisection, so a file with thousands of
// requests of one name costs O(log n) look-ups each, not O(n).
func unique(taken map[string]bool, base, sep string) string {
	if !taken[base] {
		return base
	}
	name := func(i int) string { return base + sep + strconv.Itoa(i) }
	if !taken[name(2)] {
		return name(2)
	}
	lo, hi := 2, 4 // name(lo) is taken
	for taken[name(hi)] {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 { // the first free name after a run of taken ones
		mid := lo + (hi-lo)/2
		if taken[name(mid)] {
			lo = mid
		} else {
			hi = mid
		}
	}
	return name(hi)
}

// varName turns any text into a variable name: letters, digits, '_', '-', '.'.
func varName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	n := strings.Trim(b.String(), "_.-")
	if n == "" {
		n = "secret"
	}
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// plainName makes text usable in a name: slashes become '-', other
// characters that do not print become spaces, and runs of spaces one.
func plainName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '-'
		case !unicode.IsPrint(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// itemName makes a valid, unique item name from text.
func itemName(taken map[string]bool, s string) string {
	s = strings.TrimLeft(plainName(s), "-")
	if r := []rune(s); len(r) > vault.MaxNameLen-4 {
		s = strings.TrimSpace(string(r[:vault.MaxNameLen-4]))
	}
	if s == "" {
		s = "imported"
	}
	return unique(taken, s, " ")
}

// addVar defines a variable of the file (a Postman collection or
// environment variable, an .http @variable). An existing variable of the
// same name is kept as it is.
func (im *reqImporter) addVar(name, value string, secret bool, from string) {
	if err := vault.ValidateVarName(im.env, name); err != nil {
		im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "not a valid variable name (letters, digits, '_', '-' and '.')")
		return
	}
	if old, ok := im.existing[name]; ok {
		switch {
		case !old.Secret && !secret && old.Value == value:
			im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "already in environment %q with the same value", im.env)
		default:
			im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "already in environment %q; kept the existing value", im.env)
		}
		return
	}
	if im.vars[name] {
		im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "defined again in %s; the first value is kept", from)
		return
	}
	im.vars[name] = true
	if secret {
		if im.batch.SecretVars == nil {
			im.batch.SecretVars = map[string]map[string]string{}
		}
		if im.batch.SecretVars[im.env] == nil {
			im.batch.SecretVars[im.env] = map[string]string{}
		}
		im.batch.SecretVars[im.env][name] = value
		im.varByValue[value] = name
		im.note(NoteStored, fmt.Sprintf("variable %q", name), "secret variable, value goes to the vault (from %s)", from)
		return
	}
	if im.batch.Vars == nil {
		im.batch.Vars = map[string]map[string]string{}
	}
	if im.batch.Vars[im.env] == nil {
		im.batch.Vars[im.env] = map[string]string{}
	}
	im.batch.Vars[im.env][name] = value
	im.defined[name] = value
	im.note(NoteCreated, fmt.Sprintf("variable %q", name), "plain variable (from %s)", from)
}

// secretVar stores a literal secret found in a request as a new secret
// variable and returns the reference to put in its place. The same value
// found twice shares one variable.
func (im *reqImporter) secretVar(base, value, where string) string {
	if name, ok := im.varByValue[value]; ok {
		return "{{" + name + "}}"
	}
	name := unique(im.vars, varName(base), "_")
	im.addVar(name, value, true, where)
	return "{{" + name + "}}"
}

// markSecretVar records that a variable of the file carries a credential
// (it is used by an auth block), so it must be secret.
func (im *reqImporter) markSecretVar(name string) {
	v, ok := im.batch.Vars[im.env][name]
	if !ok {
		return
	}
	delete(im.batch.Vars[im.env], name)
	delete(im.defined, name)
	delete(im.vars, name)
	im.notes = slices.DeleteFunc(im.notes, func(n Note) bool {
		return n.Kind == NoteCreated && n.Item == fmt.Sprintf("variable %q", name)
	})
	im.addVar(name, v, true, "an auth block")
}

// addCredential stores a secret for an auth block or an Authorization
// header and returns its name; the same credential found twice is stored once.
func (im *reqImporter) addCredential(base string, s vault.Secret, v vault.SecretValue, where string) string {
	key := string(s.Type) + "\x00" + s.HeaderName + "\x00" + s.QueryParam + "\x00" + v.Key + "\x00" + v.Username + "\x00" + v.Passphrase +
		"\x00" + s.AuthClient + "\x00" + v.AccessToken + "\x00" + v.Token + "\x00" + v.TokenSecret
	if name, ok := im.credByValue[key]; ok {
		return name
	}
	s.Name = itemName(im.secrets, base)
	s.Env = im.env
	if err := s.Validate(); err != nil {
		im.problem(fmt.Sprintf("secret %q", s.Name), 0, 0, vault.ErrInvalid, "%v", err)
		return s.Name
	}
	if err := s.ValidateValue(v); err != nil {
		im.problem(fmt.Sprintf("secret %q", s.Name), 0, 0, vault.ErrInvalid, "%v", err)
		return s.Name
	}
	im.secrets[s.Name] = true
	im.credByValue[key] = s.Name
	im.batch.Secrets = append(im.batch.Secrets, vault.SecretItem{Secret: s, Value: v})
	im.note(NoteStored, fmt.Sprintf("secret %q", s.Name), "%s from %s; its value goes to the vault", s.Type, where)
	return s.Name
}

// addRequest validates and adds a request under a unique name.
func (im *reqImporter) addRequest(r vault.Request, label string) {
	r.Env = im.env
	r.Name = itemName(im.requests, r.Name)
	if r.Method == "" {
		r.Method = "GET"
	}
	r.Method = strings.ToUpper(r.Method)
	for _, n := range dynamicVars(r) {
		if !dynamic.Known(n) {
			im.note(NoteWarning, fmt.Sprintf("request %q", r.Name), "uses {{%s}}, a dynamic variable authdeck does not generate; replace it in the request before sending it", n)
			continue
		}
		if dynamic.Sensitive(n) {
			continue // read when sending, never now
		}
		if d := dynamic.New(time.Now()); !func() bool { _, ok := d.Lookup(n); return ok }() {
			im.note(NoteWarning, fmt.Sprintf("request %q", r.Name), "{{%s}}: %v; fix it before sending", n, d.Err(n))
		}
	}
	if err := r.Validate(); err != nil {
		var ve *vault.ValidationError
		msg := err.Error()
		if errors.As(err, &ve) {
			msg = ve.Field + ": " + ve.Msg
		}
		im.problem(label, 0, 0, vault.ErrInvalid, "%s", msg)
		return
	}
	im.requests[r.Name] = true
	im.batch.Requests = append(im.batch.Requests, r)
	if len(r.Folder) > 0 {
		im.note(NoteCreated, fmt.Sprintf("request %q", r.Name), "%s %s (in folder %s)", r.Method, r.URL, vault.FolderPath(r.Folder))
		return
	}
	im.note(NoteCreated, fmt.Sprintf("request %q", r.Name), "%s %s", r.Method, r.URL)
}

// dynamicVars lists the {{$…}} placeholders (Postman and REST Client
// built-ins) a request uses.
func dynamicVars(r vault.Request) []string {
	var out []string
	texts := []string{r.URL, r.Body, r.BodyFile}
	for _, h := range r.Headers {
		texts = append(texts, h.Name, h.Value)
	}
	for _, q := range r.Params {
		texts = append(texts, q.Name, q.Value)
	}
	for _, f := range r.Form {
		texts = append(texts, f.Name, f.Value, f.File)
	}
	for _, s := range texts {
		t, err := vault.ParseTemplate(s)
		if err != nil {
			continue
		}
		for _, n := range t.Names() {
			if strings.HasPrefix(n, "$") && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// finish returns the batch, or every problem found.
func (im *reqImporter) finish() (vault.Batch, []Note, error) {
	if len(im.problems) > 0 {
		return vault.Batch{}, im.notes, &ImportError{Problems: im.problems}
	}
	if im.batch.Empty() {
		im.note(NoteSkipped, "", "nothing to import")
	}
	return im.batch, im.notes, nil
}
