package interchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// This file imports Bruno collections: a folder with bruno.json, a
// collection.bru (headers, auth and variables of the whole collection),
// folders (with folder.bru) of .bru request files, and environments/*.bru.
// Each request keeps its folder; headers and auth are inherited from its
// folders and the collection as Bruno does; the environments become
// authdeck environments (their vars:secret names secret variables, whose
// values Bruno keeps outside the collection and the user sets);
// {{process.env.NAME}} becomes {{$processEnv NAME}}. Scripts, tests and
// assertions are listed as skipped.

// bruBlock is one block of a .bru file: a dictionary (name { key: value }),
// a list (name [ a, b ]) or text (body:json { … }).
type bruBlock struct {
	name  string
	line  int
	pairs []bruPair
	items []string
	text  string
}

type bruPair struct {
	key, value string
	disabled   bool
	line       int
}

func (b *bruBlock) get(key string) string {
	for _, p := range b.pairs {
		if p.key == key && !p.disabled {
			return p.value
		}
	}
	return ""
}

type bruFile struct {
	blocks []*bruBlock
}

func (f *bruFile) block(name string) *bruBlock {
	for _, b := range f.blocks {
		if b.name == name {
			return b
		}
	}
	return nil
}

var (
	bruHeader   = lazyre.New(`^([A-Za-z][\w:-]*)\s*([{\[])\s*$`)
	bruTextName = lazyre.New(`^(body:(json|text|xml|sparql|graphql|graphql:vars)|script:.*|tests|docs|example)$`)
)

// bruError is a problem in a .bru file.
type bruError struct {
	line int
	msg  string
}

// parseBru reads the blocks of a .bru file.
func parseBru(text string) (*bruFile, *bruError) {
	lines := strings.Split(strings.ReplaceAll(strings.TrimPrefix(text, "\ufeff"), "\r\n", "\n"), "\n")
	f := &bruFile{}
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		b, end, err := parseBruBlock(lines, i)
		if err != nil {
			return nil, err
		}
		f.blocks = append(f.blocks, b)
		i = end
	}
	return f, nil
}

// parseBruBlock reads the block that starts at lines[i] (name { … } or
// name [ … ]); end is the index of its closing line.
func parseBruBlock(lines []string, i int) (b *bruBlock, end int, err *bruError) {
	m := bruHeader.FindStringSubmatch(strings.TrimRight(lines[i], " \t"))
	if m == nil {
		return nil, 0, &bruError{i + 1, fmt.Sprintf("expected a block (name { … }), found %q", truncate(strings.TrimSpace(lines[i]), 60))}
	}
	b = &bruBlock{name: m[1], line: i + 1}
	closer := "}"
	if m[2] == "[" {
		closer = "]"
	}
	end = slices.IndexFunc(lines[i+1:], func(l string) bool { return strings.TrimRight(l, " \t") == closer })
	if end < 0 {
		return nil, 0, &bruError{i + 1, fmt.Sprintf("block %s is never closed with %q", b.name, closer)}
	}
	end += i + 1
	body := lines[i+1 : end]
	switch {
	case m[2] == "[":
		b.items = bruListItems(body)
	case bruTextName.MatchString(b.name):
		out := make([]string, len(body))
		for k, x := range body {
			out[k] = strings.TrimPrefix(x, "  ")
		}
		b.text = strings.Join(out, "\n")
	default:
		if err := b.parsePairs(body, i+2); err != nil {
			return nil, 0, err
		}
	}
	return b, end, nil
}

// bruListItems reads a list block's items, comma- or line-separated.
func bruListItems(body []string) []string {
	var items []string
	for _, x := range body {
		for _, it := range strings.Split(x, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
	}
	return items
}

func (b *bruBlock) parsePairs(body []string, first int) *bruError {
	for k := 0; k < len(body); k++ {
		t := strings.TrimSpace(body[k])
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "@") {
			// an annotation: @number, @description('''…''') over lines
			if strings.Count(t, "'''") == 1 {
				k = annotationEnd(body, k)
			}
			continue
		}
		key, val, ok := strings.Cut(t, ":")
		if !ok {
			return &bruError{first + k, fmt.Sprintf("block %s: expected \"key: value\", found %q", b.name, truncate(t, 60))}
		}
		p := bruPair{key: strings.TrimSpace(key), value: strings.TrimSpace(val), line: first + k}
		if strings.HasPrefix(p.key, "~") {
			p.key, p.disabled = strings.TrimPrefix(p.key, "~"), true
		}
		if p.value == "'''" {
			p.value, k = multilineValue(body, k)
		}
		b.pairs = append(b.pairs, p)
	}
	return nil
}

// annotationEnd returns the line that ends the annotation body[k] opens
// with triple quotes (len(body) when none does).
func annotationEnd(body []string, k int) int {
	for k++; k < len(body); k++ {
		if strings.Contains(body[k], "'''") {
			break
		}
	}
	return k
}

// multilineValue reads the value in triple quotes that starts after body[k]
// (lines indented by four spaces, which are dropped) and returns it with
// the line that closes it.
func multilineValue(body []string, k int) (string, int) {
	var ml []string
	for k++; k < len(body) && strings.TrimSpace(body[k]) != "'''"; k++ {
		ml = append(ml, strings.TrimPrefix(body[k], "    "))
	}
	return strings.Join(ml, "\n"), k
}

// BrunoCollectionFile is the file that marks a Bruno collection's folder.
const BrunoCollectionFile = "bruno.json"

// ParseBruno imports the Bruno collection whose bruno.json is at
// opts.Path (data is that file): its requests, environments, variables
// and credentials. Given one .bru request file instead, it imports that
// request alone. On any problem it returns an *ImportError naming the
// file and line, and an empty batch.
func ParseBruno(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	if err := opts.checkEnv(); err != nil {
		return vault.Batch{}, nil, err
	}
	im := newReqImporter(opts)
	if t := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff")); !strings.HasPrefix(t, "{") {
		// One .bru request file, imported alone.
		name, root := "request.bru", opts.BaseDir
		if opts.Path != "" {
			name, root = filepath.Base(opts.Path), filepath.Dir(opts.Path)
		}
		bp := &bruParser{im: im, root: root, folders: map[string]*bruFile{}, vars: map[string]string{}}
		if f := bp.parse(name, data); f != nil {
			meta := f.block("meta")
			if meta == nil {
				im.problem(name, 1, 1, vault.ErrInvalid, "not a Bruno request: no meta block (and not a collection's bruno.json)")
			} else {
				bp.request(name, f, meta.get("name"))
			}
		}
		resolvePlainVars(im)
		return im.finish()
	}
	if err := jsonpos.CheckStrict(data); err != nil {
		var pe *jsonpos.Error
		if errors.As(err, &pe) {
			im.problem(BrunoCollectionFile, pe.Line, pe.Col, vault.ErrInvalid, "%s", pe.Msg)
		} else {
			im.problem(BrunoCollectionFile, 0, 0, vault.ErrInvalid, "%v", err)
		}
		return im.finish()
	}
	var meta struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &meta); err != nil || meta.Type != "collection" {
		im.problem(BrunoCollectionFile, 0, 0, vault.ErrInvalid, "not a Bruno collection's bruno.json (\"type\": \"collection\")")
		return im.finish()
	}
	if opts.Path == "" {
		im.problem("", 0, 0, vault.ErrMissingInput, "a Bruno collection is a folder: import it by its path, not from stdin")
		return im.finish()
	}
	bp := &bruParser{im: im, root: filepath.Dir(opts.Path), folders: map[string]*bruFile{}}
	bp.run()
	resolvePlainVars(im)
	inlineDynamicVars(im)
	return im.finish()
}

type bruParser struct {
	im         *reqImporter
	root       string
	collection *bruFile
	folders    map[string]*bruFile // by relative folder path
	vars       map[string]string
	files      int // .bru files read
}

// Bounds of a Bruno collection: the size of one .bru file and the number
// of files read.
const (
	maxBruFile  = 10 << 20
	maxBruFiles = 20000
)

func (bp *bruParser) read(rel string) *bruFile {
	if bp.files++; bp.files > maxBruFiles {
		if bp.files == maxBruFiles+1 {
			bp.im.problem(rel, 0, 0, vault.ErrInvalid, "the collection has more than %d .bru files", maxBruFiles)
		}
		return nil
	}
	if st, err := os.Stat(filepath.Join(bp.root, rel)); err == nil && st.Size() > maxBruFile {
		bp.im.problem(rel, 0, 0, vault.ErrInvalid, "larger than %d bytes", maxBruFile)
		return nil
	}
	data, err := os.ReadFile(filepath.Join(bp.root, rel))
	if err != nil {
		bp.im.problem(rel, 0, 0, vault.ErrInvalid, "%v", unwrapPathError(err))
		return nil
	}
	return bp.parse(rel, data)
}

// parse reads the blocks of the .bru file rel, whose content is data.
func (bp *bruParser) parse(rel string, data []byte) *bruFile {
	if err := checkUTF8(data); err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			for _, p := range ie.Problems {
				p.Item = rel
				bp.im.problems = append(bp.im.problems, p)
			}
		}
		return nil
	}
	f, perr := parseBru(string(data))
	if perr != nil {
		bp.im.problem(rel, perr.line, 1, vault.ErrInvalid, "%s", perr.msg)
		return nil
	}
	return f
}

// run imports the collection: its environments, its collection variables
// and its requests, folder by folder in their seq order.
func (bp *bruParser) run() {
	reqFiles, err := bp.walk()
	if err != nil {
		bp.im.problem("", 0, 0, vault.ErrInvalid, "reading the collection: %v", err)
		return
	}
	bp.environments()
	bp.collectionVars()
	// Bruno runs the scripts, tests and assertions of collection.bru and of
	// each folder.bru around every request below them; none is run here,
	// and none is dropped without a word.
	if bp.collection != nil {
		bp.noteNotRun(bp.collection, "collection.bru")
	}
	for _, dir := range slices.Sorted(maps.Keys(bp.folders)) {
		bp.noteNotRun(bp.folders[dir], fmt.Sprintf("folder %q (%s)", filepath.ToSlash(dir), filepath.ToSlash(filepath.Join(dir, "folder.bru"))))
	}
	for _, r := range bp.requestFiles(reqFiles) {
		bp.request(r.rel, r.f, r.name)
	}
}

// walk reads collection.bru and every folder.bru, and lists the other .bru
// files (the requests); hidden folders, node_modules and environments are
// passed over.
func (bp *bruParser) walk() ([]string, error) {
	var reqFiles []string
	err := filepath.WalkDir(bp.root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(bp.root, p)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || rel == "environments") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".bru") {
			return nil
		}
		switch {
		case rel == "collection.bru":
			bp.collection = bp.read(rel)
		case d.Name() == "folder.bru":
			if f := bp.read(rel); f != nil {
				bp.folders[filepath.Dir(rel)] = f
			}
		default:
			reqFiles = append(reqFiles, rel)
		}
		return nil
	})
	return reqFiles, err
}

// collectionVars imports collection.bru's enabled pre-request variables.
func (bp *bruParser) collectionVars() {
	if bp.collection == nil {
		return
	}
	v := bp.collection.block("vars:pre-request")
	if v == nil {
		return
	}
	for _, p := range v.pairs {
		if !p.disabled {
			bp.im.addVar(varName(p.key), bp.text(p.value), pmSecretVariable(p.key, p.value), "collection.bru")
		}
	}
}

// bruRequestFile is a parsed request file with its place in the collection.
type bruRequestFile struct {
	rel  string
	f    *bruFile
	seq  int
	name string
}

// requestFiles reads the request files, noting those that are not
// requests, in the order Bruno shows them: by folder, then by seq.
func (bp *bruParser) requestFiles(reqFiles []string) []bruRequestFile {
	var reqs []bruRequestFile
	for _, rel := range reqFiles {
		f := bp.read(rel)
		if f == nil {
			continue
		}
		meta := f.block("meta")
		if meta == nil {
			bp.im.note(NoteSkipped, rel, "no meta block: not a request")
			continue
		}
		seq := 0
		_, _ = fmt.Sscan(meta.get("seq"), &seq)
		reqs = append(reqs, bruRequestFile{rel, f, seq, meta.get("name")})
	}
	sort.SliceStable(reqs, func(i, j int) bool {
		di, dj := filepath.Dir(reqs[i].rel), filepath.Dir(reqs[j].rel)
		if di != dj {
			return di < dj
		}
		return reqs[i].seq < reqs[j].seq
	})
	return reqs
}

// environments imports environments/*.bru. The first environment's values
// also go to the target environment, and are the values {{vars}} are
// resolved with.
func (bp *bruParser) environments() {
	bp.vars = map[string]string{}
	entries, err := os.ReadDir(filepath.Join(bp.root, "environments"))
	if err != nil {
		return
	}
	first := true
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".bru") {
			continue
		}
		rel := filepath.Join("environments", e.Name())
		f := bp.read(rel)
		if f == nil {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".bru")
		vars := bp.environmentVars(f, rel, first)
		if first || name == bp.im.env {
			// The first environment's values go to the target environment too.
			for _, v := range vars {
				bp.im.addVar(v.name, v.value, v.secret, v.from)
			}
		}
		first = false
		if name != bp.im.env && vault.ValidateName("environment", name) == nil {
			bp.im.addEnvVars(name, vars)
		}
	}
}

// environmentVars reads one environment file's variables: the enabled
// vars (kept in bp.vars when first), then the secrets listed without a
// value, which Bruno keeps outside the collection.
func (bp *bruParser) environmentVars(f *bruFile, rel string, first bool) []httpEnvVar {
	secret := map[string]bool{}
	if s := f.block("vars:secret"); s != nil {
		for _, it := range s.items {
			secret[strings.TrimPrefix(it, "~")] = true
		}
	}
	var vars []httpEnvVar
	if v := f.block("vars"); v != nil {
		for _, p := range v.pairs {
			if p.disabled {
				continue
			}
			val := bp.text(p.value)
			vars = append(vars, httpEnvVar{name: varName(p.key), value: val, secret: secret[p.key] || pmSecretVariable(p.key, p.value), from: rel})
			if first {
				bp.vars[p.key] = p.value
			}
			delete(secret, p.key)
		}
	}
	for _, s := range sortedKeys(secret) {
		vars = append(vars, httpEnvVar{name: varName(s), value: "", secret: true, from: rel + " (a secret whose value Bruno keeps outside the collection: set it)"})
	}
	return vars
}

var (
	bruProcessEnv = lazyre.New(`\{\{\s*process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
	bruVarRef     = lazyre.New(`\{\{\s*([^{}$\s][^{}]*?)\s*\}\}`)
	bruFileRef    = lazyre.New(`^@file\((.*)\)$`)
)

// text rewrites Bruno's templating into authdeck's: {{process.env.NAME}}
// becomes {{$processEnv NAME}}, and a variable whose name authdeck does
// not allow ({{user['full name']}}, {{list[0]}}) is named as the import
// names its variable.
func (bp *bruParser) text(s string) string {
	s = bruProcessEnv.ReplaceAllString(s, "{{$$processEnv $1}}")
	return bruVarRef.ReplaceAllStringFunc(s, func(m string) string {
		return "{{" + varName(bruVarRef.FindStringSubmatch(m)[1]) + "}}"
	})
}

func (bp *bruParser) auth(r *vault.Request, f *bruFile, mode, label string) {
	blk := func(name string) *bruBlock {
		if b := f.block(name); b != nil {
			return b
		}
		return &bruBlock{}
	}
	ref := func(v, base string) string {
		v = bp.text(v)
		if v == "" || strings.Contains(v, "{{") {
			return v
		}
		return bp.im.secretVar(base, v, label)
	}
	switch mode {
	case "bearer", "basic", "digest", "awsv4", "oauth2":
		// The chosen auth replaces an Authorization header, as in Bruno.
		r.Headers = slicesDeleteHeader(r.Headers, "Authorization")
	}
	switch mode {
	case "bearer":
		r.Headers = append(r.Headers, vault.Header{Name: "Authorization", Value: "Bearer " + bp.text(blk("auth:bearer").get("token"))})
	case "basic", "digest":
		b := blk("auth:" + mode)
		r.Scheme = &vault.AuthScheme{Type: mode, Username: bp.text(b.get("username")), Password: ref(b.get("password"), r.Name+" password")}
	case "apikey":
		b := blk("auth:apikey")
		key, val := bp.text(b.get("key")), ref(b.get("value"), b.get("key"))
		if strings.EqualFold(b.get("placement"), "queryparams") {
			r.Params = append(r.Params, vault.QueryParam{Name: key, Value: val})
		} else {
			r.Headers = append(r.Headers, vault.Header{Name: key, Value: val})
		}
	case "awsv4":
		b := blk("auth:awsv4")
		r.Scheme = &vault.AuthScheme{
			Type: vault.SchemeAWSv4, AccessKey: bp.text(b.get("accessKeyId")), SecretKey: ref(b.get("secretAccessKey"), r.Name+" aws secret key"),
			Region: bp.text(b.get("region")), Service: bp.text(b.get("service")),
		}
		if st := b.get("sessionToken"); st != "" {
			r.Scheme.SessionToken = ref(st, r.Name+" aws session token")
		}
	case "oauth2":
		b := blk("auth:oauth2")
		a := map[string]any{
			"grantType": b.get("grant_type"), "accessTokenUrl": b.get("access_token_url"), "authorizationUrl": b.get("authorization_url"),
			"clientId": b.get("client_id"), "clientSecret": b.get("client_secret"), "scope": b.get("scope"), "redirectUrl": b.get("callback_url"),
			"credentialsInBody": fmt.Sprint(b.get("credentials_placement") == "body"),
		}
		ip := &insParser{im: bp.im, vars: bp.vars}
		r.Auth = ip.oauth2(a, label)
	case "none", "", "inherit":
	default:
		bp.im.note(NoteSkipped, label, "%s authentication is not imported", mode)
	}
}

// resolvePlainVars expands, in the plain variables the import creates,
// the references to other plain variables (Bruno and Insomnia render
// variables inside variables; the sender does not). A reference to a
// secret variable stays, so no secret value reaches the catalog.
func resolvePlainVars(im *reqImporter) {
	for env, vars := range im.batch.Vars {
		known := map[string]string{}
		if c := im.opts.Catalog; c != nil {
			if e, ok := c.Env(env); ok {
				for _, v := range e.Variables {
					if !v.Secret {
						known[v.Name] = v.Value
					}
				}
			}
		}
		for k, v := range vars {
			known[k] = v
		}
		resolved := resolveVars(known)
		for k := range vars {
			vars[k] = resolved[k]
		}
	}
}

// inlineDynamicVars puts, in the requests, the value of each plain
// variable that holds a system variable ({{$processEnv NAME}},
// {{$guid}}) in place of the reference: Bruno renders the system
// variable inside the variable, the sender renders one level only.
func inlineDynamicVars(im *reqImporter) {
	vars := im.batch.Vars[im.env]
	dyn := map[string]string{}
	for k, v := range vars {
		if strings.Contains(v, "{{$") {
			dyn[k] = v
		}
	}
	if len(dyn) == 0 {
		return
	}
	sub := func(s string) string {
		return bruVarRef.ReplaceAllStringFunc(s, func(m string) string {
			if v, ok := dyn[bruVarRef.FindStringSubmatch(m)[1]]; ok {
				return v
			}
			return m
		})
	}
	for i := range im.batch.Requests {
		r := &im.batch.Requests[i]
		if r.Env != im.env {
			continue
		}
		r.URL, r.Body = sub(r.URL), sub(r.Body)
		for k := range r.Headers {
			r.Headers[k].Value = sub(r.Headers[k].Value)
		}
		for k := range r.Params {
			r.Params[k].Value = sub(r.Params[k].Value)
		}
		for k := range r.Form {
			r.Form[k].Value = sub(r.Form[k].Value)
		}
	}
}

// formEscape form-encodes the literal text of a template, keeping its
// {{placeholders}} for the sender to fill.
func formEscape(s string) string {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return url.QueryEscape(s)
	}
	return t.EscapeText(url.QueryEscape)
}
