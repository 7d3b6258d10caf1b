package interchange_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// A Postman reader for the corpus test: what Postman sends for each
// request of a collection, resolved the way Postman resolves it (auth
// inherited from folders and the collection, path variables substituted,
// disabled headers and parameters left out, body headers added).

type pmcKV struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Src      json.RawMessage `json:"src"`
	Type     string          `json:"type"`
	Disabled bool            `json:"disabled"`
	Enabled  *bool           `json:"enabled"`
}

func (kv pmcKV) str() string { return rawString(kv.Value) }

func (kv pmcKV) on() bool { return !kv.Disabled && (kv.Enabled == nil || *kv.Enabled) }

func rawString(r json.RawMessage) string {
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r)
}

type pmcAuth struct {
	Type string
	prm  map[string]string
}

func (a *pmcAuth) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	_ = json.Unmarshal(m["type"], &a.Type)
	a.prm = map[string]string{}
	var list []pmcKV
	if json.Unmarshal(m[a.Type], &list) == nil {
		for _, kv := range list {
			a.prm[kv.Key] = kv.str()
		}
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(m[a.Type], &obj) == nil {
		for k, v := range obj {
			a.prm[k] = rawString(v)
		}
	}
	return nil
}

type pmcItem struct {
	Name     string          `json:"name"`
	Item     []pmcItem       `json:"item"`
	Request  json.RawMessage `json:"request"`
	Auth     *pmcAuth        `json:"auth"`
	Event    []pmcEvent      `json:"event"`
	Response []any           `json:"response"`
	Variable []pmcKV         `json:"variable"`
}

type pmcEvent struct {
	Listen string `json:"listen"`
	Script struct {
		Exec json.RawMessage `json:"exec"`
	} `json:"script"`
}

func (e pmcEvent) hasCode() bool {
	var lines []string
	if json.Unmarshal(e.Script.Exec, &lines) == nil {
		return strings.TrimSpace(strings.Join(lines, "")) != ""
	}
	return strings.TrimSpace(rawString(e.Script.Exec)) != ""
}

type pmcCollection struct {
	Item     []pmcItem `json:"item"`
	Auth     *pmcAuth  `json:"auth"`
	Variable []pmcKV   `json:"variable"`
}

type pmcRequest struct {
	Method string          `json:"method"`
	Header json.RawMessage `json:"header"`
	URL    json.RawMessage `json:"url"`
	Auth   *pmcAuth        `json:"auth"`
	Body   *struct {
		Mode       string          `json:"mode"`
		Raw        string          `json:"raw"`
		URLEncoded []pmcKV         `json:"urlencoded"`
		FormData   []pmcKV         `json:"formdata"`
		GraphQL    json.RawMessage `json:"graphql"`
		Disabled   bool            `json:"disabled"`
		Options    struct {
			Raw struct {
				Language string `json:"language"`
			} `json:"raw"`
		} `json:"options"`
	} `json:"body"`
}

type pmcURL struct {
	Raw      string          `json:"raw"`
	Protocol string          `json:"protocol"`
	Host     json.RawMessage `json:"host"`
	Port     string          `json:"port"`
	Path     json.RawMessage `json:"path"`
	Query    []pmcKV         `json:"query"`
	Variable []pmcKV         `json:"variable"`
}

// pmcExpect is one request as Postman sends it, plus what the import must report.
type pmcExpect struct {
	wire       wireRequest
	scripts    bool
	examples   bool
	credential []string
}

type pmcReader struct {
	vars map[string]string
	out  []pmcExpect
}

func (p *pmcReader) walk(items []pmcItem, auth *pmcAuth, path []string) {
	for _, it := range items {
		a := auth
		if it.Auth != nil && it.Auth.Type != "inherit" {
			a = it.Auth
		}
		here := append(slices.Clone(path), it.Name)
		if len(it.Request) == 0 || string(it.Request) == "null" {
			p.walk(it.Item, a, here)
			continue
		}
		if e, ok := p.request(it, a, strings.Join(here, " › ")); ok {
			p.out = append(p.out, e)
		}
	}
}

var pmcPathVar = regexp.MustCompile(`/:([A-Za-z0-9_.\-]+)`)

func (p *pmcReader) url(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var u pmcURL
	_ = json.Unmarshal(raw, &u)
	out := u.Raw
	if out == "" {
		var host, path []string
		if json.Unmarshal(u.Host, &host) != nil {
			host = []string{rawString(u.Host)}
		}
		if json.Unmarshal(u.Path, &path) != nil && len(u.Path) > 0 {
			path = []string{rawString(u.Path)}
		}
		out = strings.Join(host, ".")
		if u.Protocol != "" {
			out = u.Protocol + "://" + out
		}
		if u.Port != "" {
			out += ":" + u.Port
		}
		if len(path) > 0 {
			out += "/" + strings.Join(path, "/")
		}
		var q []string
		for _, kv := range u.Query {
			if kv.on() {
				q = append(q, kv.Key+"="+kv.str())
			}
		}
		if len(q) > 0 {
			out += "?" + strings.Join(q, "&")
		}
	}
	// Postman drops disabled query parameters from the raw URL it sends.
	for _, kv := range u.Query {
		if !kv.on() {
			out = strings.Replace(out, kv.Key+"="+kv.str(), "", 1)
		}
	}
	out = strings.ReplaceAll(strings.ReplaceAll(out, "?&", "?"), "&&", "&")
	out = strings.TrimSuffix(strings.TrimSuffix(out, "&"), "?")
	// Path variables: /:name becomes its value.
	pv := map[string]string{}
	for _, kv := range u.Variable {
		pv[kv.Key] = kv.str()
	}
	base, query, hasQuery := strings.Cut(out, "?")
	base = pmcPathVar.ReplaceAllStringFunc(base, func(m string) string {
		if v, ok := pv[m[2:]]; ok {
			return "/" + v
		}
		return m
	})
	out = base
	if hasQuery {
		out += "?" + query
	}
	if !strings.Contains(strings.SplitN(out, "?", 2)[0], "://") && !strings.HasPrefix(out, "{{") {
		out = "http://" + out
	}
	return out
}

// request returns what Postman sends for the item; false for a request
// without a URL, which Postman cannot send.
func (p *pmcReader) request(it pmcItem, auth *pmcAuth, name string) (pmcExpect, bool) {
	var r pmcRequest
	var s string
	if json.Unmarshal(it.Request, &s) == nil {
		r.URL, _ = json.Marshal(s)
	} else {
		_ = json.Unmarshal(it.Request, &r)
	}
	if r.Auth != nil && r.Auth.Type != "inherit" {
		auth = r.Auth
	}
	e := pmcExpect{}
	for _, ev := range it.Event {
		if ev.hasCode() {
			e.scripts = true
		}
	}
	e.examples = len(it.Response) > 0
	w := wireRequest{Name: name, Method: strings.ToUpper(strings.TrimSpace(r.Method))}
	if w.Method == "" {
		w.Method = "GET"
	}
	if u := strings.TrimSpace(p.url(r.URL)); u == "" || u == "http://" {
		return pmcExpect{}, false
	}
	w.URL = render(strings.TrimSpace(p.url(r.URL)), p.vars)
	var hs []vault.Header
	var list []pmcKV
	if json.Unmarshal(r.Header, &list) != nil {
		for _, line := range strings.Split(rawString(r.Header), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) != "" {
				list = append(list, pmcKV{Key: strings.TrimSpace(k), Value: json.RawMessage(fmt.Sprintf("%q", strings.TrimSpace(v)))})
			}
		}
	}
	for _, h := range list {
		if h.on() && strings.TrimSpace(h.Key) != "" {
			hs = append(hs, vault.Header{Name: render(strings.TrimSpace(h.Key), p.vars), Value: render(h.str(), p.vars)})
		}
	}
	has := func(n string) bool {
		return slices.ContainsFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, n) })
	}
	if b := r.Body; b != nil && !b.Disabled {
		switch b.Mode {
		case "raw":
			w.Body = render(b.Raw, p.vars)
			ct := map[string]string{"json": "application/json", "xml": "application/xml", "text": "text/plain", "html": "text/html", "javascript": "application/javascript"}[b.Options.Raw.Language]
			if b.Raw != "" && ct != "" && !has("Content-Type") {
				hs = append(hs, vault.Header{Name: "Content-Type", Value: ct})
			}
		case "urlencoded":
			var parts []string
			for _, kv := range b.URLEncoded {
				if kv.on() {
					parts = append(parts, url.QueryEscape(render(kv.Key, p.vars))+"="+url.QueryEscape(render(kv.str(), p.vars)))
				}
			}
			w.Body = "form:" + strings.Join(parts, "&")
			if !has("Content-Type") {
				hs = append(hs, vault.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
			}
		case "formdata":
			if len(b.FormData) == 0 {
				break // an empty body: Postman sends none
			}
			var parts []string
			for _, kv := range b.FormData {
				if !kv.on() {
					continue
				}
				if kv.Type == "file" {
					// Postman sends each file under its base name, and
					// leaves out a field that names no file.
					var srcs []string
					if json.Unmarshal(kv.Src, &srcs) != nil {
						srcs = []string{rawString(kv.Src)}
					}
					for _, src := range srcs {
						if src != "" {
							parts = append(parts, render(kv.Key, p.vars)+"=@"+filepath.Base(src))
						}
					}
					continue
				}
				parts = append(parts, render(kv.Key, p.vars)+"="+render(kv.str(), p.vars))
			}
			w.Body = "multipart:" + strings.Join(parts, "\n")
			hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Content-Type") })
			hs = append(hs, vault.Header{Name: "Content-Type", Value: "multipart/form-data"})
		case "graphql":
			var g struct {
				Query     string `json:"query"`
				Variables string `json:"variables"`
			}
			_ = json.Unmarshal(b.GraphQL, &g)
			payload := map[string]any{"query": render(g.Query, p.vars)}
			if v := strings.TrimSpace(render(g.Variables, p.vars)); v != "" {
				var x any
				if json.Unmarshal([]byte(v), &x) == nil {
					payload["variables"] = x
				}
			}
			out, _ := json.Marshal(payload)
			w.Body = "json:" + string(out)
			if !has("Content-Type") {
				hs = append(hs, vault.Header{Name: "Content-Type", Value: "application/json"})
			}
		}
	}
	if auth != nil {
		prm := auth.prm
		get := func(k string) string { return render(prm[k], p.vars) }
		// Postman's auth helpers replace an Authorization header the
		// request has (postman-runtime: removeHeader, then addHeader).
		dropAuthorization := func() {
			hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Authorization") })
		}
		switch auth.Type {
		case "bearer":
			if get("token") != "" {
				dropAuthorization()
			}
		case "basic", "digest", "oauth2", "oauth1", "awsv4", "hawk", "edgegrid", "ntlm", "akamai":
			dropAuthorization()
		}
		switch auth.Type {
		case "bearer":
			if t := get("token"); t != "" {
				hs = append(hs, vault.Header{Name: "Authorization", Value: "Bearer " + t})
				e.credential = append(e.credential, prm["token"])
			}
		case "basic":
			hs = append(hs, vault.Header{Name: "Authorization", Value: basicAuth(get("username"), get("password"))})
			e.credential = append(e.credential, prm["password"])
		case "apikey":
			key := prm["key"]
			if key == "" {
				key = "X-API-Key"
			}
			if prm["in"] == "query" {
				sep := "?"
				if strings.Contains(w.URL, "?") {
					sep = "&"
				}
				w.URL += sep + url.QueryEscape(key) + "=" + url.QueryEscape(get("value"))
			} else {
				hs = append(hs, vault.Header{Name: key, Value: get("value")})
			}
			e.credential = append(e.credential, prm["value"])
		case "oauth2":
			// A token the block holds is sent as it is (postman-runtime's
			// oauth2 signer); else one from the client's flow.
			if tok := get("accessToken"); tok != "" {
				if prm["addTokenTo"] == "queryParams" {
					sep := "?"
					if strings.Contains(w.URL, "?") {
						sep = "&"
					}
					w.URL += sep + "access_token=" + url.QueryEscape(tok)
				} else {
					prefix := get("headerPrefix")
					if prefix == "" {
						prefix = "Bearer"
					}
					hs = append(hs, vault.Header{Name: "Authorization", Value: prefix + " " + tok})
				}
			} else {
				w.AnyAuth = true
			}
			e.credential = append(e.credential, prm["clientSecret"], prm["accessToken"], prm["password"])
		case "oauth1":
			// postman-runtime's oauth1 signer: nothing without a consumer
			// key and secret; the protocol parameters in the header (with
			// the realm) when addParamsToHeader, else in the form body of
			// a POST or PUT that has one, else in the query.
			if get("consumerKey") != "" && get("consumerSecret") != "" {
				o := &oauth1Want{
					ConsumerKey: get("consumerKey"), Token: get("token"), Method: get("signatureMethod"), Realm: get("realm"),
					ConsumerSecret: get("consumerSecret"), TokenSecret: get("tokenSecret"), BodyHash: prm["includeBodyHash"] == "true", Where: "query",
				}
				if o.Method == "" {
					o.Method = "HMAC-SHA1"
				}
				switch {
				case prm["addParamsToHeader"] == "true":
					o.Where = "header"
				case (w.Method == "POST" || w.Method == "PUT") && strings.HasPrefix(w.Body, "form:"):
					o.Where = "body"
				}
				o.BodyHash = o.BodyHash && o.Where != "body" && !strings.HasPrefix(w.Body, "form:")
				w.OAuth1 = o
			}
			e.credential = append(e.credential, prm["consumerSecret"], prm["tokenSecret"], prm["token"])
		case "awsv4", "hawk", "edgegrid", "ntlm", "akamai":
			w.AnyAuth = true
			for _, k := range []string{"clientSecret", "accessToken", "secretKey", "consumerSecret", "tokenSecret", "authKey", "password"} {
				e.credential = append(e.credential, prm[k])
			}
		case "digest":
			e.credential = append(e.credential, prm["password"])
		}
	}
	w.Headers = headerLines(hs)
	e.wire = w
	return e, true
}

// canonicalBody turns a sent body into the reader's notation for the
// content types whose byte form is not fixed (form encoding, multipart
// boundaries, JSON spacing).
func canonicalBody(w wireRequest, want string) string {
	ct := ""
	for _, h := range w.Headers {
		if strings.HasPrefix(h, "content-type: ") {
			ct = strings.TrimPrefix(h, "content-type: ")
		}
	}
	switch {
	case strings.HasPrefix(want, "form:"):
		q, err := url.ParseQuery(w.Body)
		wq, err2 := url.ParseQuery(strings.TrimPrefix(want, "form:"))
		if err != nil || err2 != nil {
			return w.Body
		}
		if fmt.Sprint(q) == fmt.Sprint(wq) {
			return want
		}
		return "form:" + w.Body
	case strings.HasPrefix(want, "multipart:"):
		mt, prm, err := mime.ParseMediaType(ct)
		if err != nil || !strings.HasPrefix(mt, "multipart/") {
			return w.Body
		}
		mr := multipart.NewReader(strings.NewReader(w.Body), prm["boundary"])
		var parts []string
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			var b bytes.Buffer
			_, _ = b.ReadFrom(part)
			if part.FileName() != "" {
				parts = append(parts, part.FormName()+"=@"+part.FileName())
				continue
			}
			parts = append(parts, part.FormName()+"="+b.String())
		}
		return "multipart:" + strings.Join(parts, "\n")
	case strings.HasPrefix(want, "json:"):
		var a, b any
		if json.Unmarshal([]byte(w.Body), &a) == nil && json.Unmarshal([]byte(strings.TrimPrefix(want, "json:")), &b) == nil && fmt.Sprint(a) == fmt.Sprint(b) {
			return want
		}
		return "json:" + w.Body
	}
	return w.Body
}

func normHeadersForCompare(hs []string) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		if strings.HasPrefix(h, "content-type: multipart/form-data") {
			h = "content-type: multipart/form-data"
		}
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// matchAll pairs every expected request with an equal sent one, whatever
// the order or names, and reports those left over.
func matchAll(res *fileResult, want []wireRequest, got map[string]wireRequest) {
	res.requests = len(want)
	pool := make([]wireRequest, 0, len(got))
	for _, n := range slices.Sorted(mapsKeys(got)) {
		pool = append(pool, got[n])
	}
	if len(pool) != len(want) {
		res.fail("%d requests in the file, %d imported", len(want), len(pool))
	}
	equal := func(w, g wireRequest) bool {
		if w.OAuth1 != nil {
			// Signed as the file says, and verified by the OAuth 1.0a
			// verifier; the rest compares as any request.
			if !w.OAuth1.signedAs(g.Verdict) {
				return false
			}
			g = withoutOAuth1(g, g.Verdict.Where)
		} else if g.Verdict != nil {
			return false
		}
		if g.Method == "ERROR" || g.Method != w.Method || !dynMatch(normURL(w.URL), g.URL) || !dynMatch(w.Body, canonicalBody(g, w.Body)) {
			return false
		}
		gh := normHeadersForCompare(g.Headers)
		if w.AnyAuth {
			n := len(gh)
			// A signature (OAuth 1.0a, AWS) comes with its own headers.
			gh = slices.DeleteFunc(gh, func(h string) bool {
				return strings.HasPrefix(h, "authorization: ") || strings.HasPrefix(h, "x-amz-date: ") || strings.HasPrefix(h, "x-amz-security-token: ") || strings.HasPrefix(h, "x-amz-content-sha256: ")
			})
			if len(gh) == n {
				return false
			}
		}
		// Pair headers whatever their order: a generated header name
		// ({{$guid}}: …) sorts anywhere.
		wh := normHeadersForCompare(w.Headers)
		if len(wh) != len(gh) {
			return false
		}
		left := slices.Clone(gh)
		for _, h := range wh {
			i := slices.IndexFunc(left, func(g string) bool { return dynMatch(h, g) })
			if i < 0 {
				return false
			}
			left = slices.Delete(left, i, i+1)
		}
		return true
	}
	var missed []wireRequest
	for _, w := range want {
		i := slices.IndexFunc(pool, func(g wireRequest) bool { return equal(w, g) })
		if i < 0 {
			missed = append(missed, w)
			continue
		}
		pool = slices.Delete(pool, i, i+1)
	}
	for k, w := range missed {
		// Show the closest leftover: same method and URL path, else any.
		near := slices.IndexFunc(pool, func(g wireRequest) bool {
			return g.Method == w.Method && strings.SplitN(g.URL, "?", 2)[0] == strings.SplitN(normURL(w.URL), "?", 2)[0]
		})
		got := "nothing like it"
		if near >= 0 {
			g := pool[near]
			g.Body = canonicalBody(g, w.Body)
			got = g.String()
		} else if k < len(pool) {
			got = pool[k].String()
		}
		res.fail("request %q not sent as in the file\n    want %s\n    got  %s", w.Name, w, got)
	}
}

var secretName = regexp.MustCompile(`(?i)(secret|passw|token|api[-_]?key|private|credential)`)

func checkPostmanCollection(t *testing.T, path string) *fileResult {
	res := &fileResult{path: path, format: "postman"}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c pmcCollection
	if err := json.Unmarshal(data, &c); err != nil {
		res.fail("not JSON: %v", err)
		return res
	}
	rd := &pmcReader{vars: map[string]string{}}
	var creds []string
	for _, v := range c.Variable {
		if v.on() {
			rd.vars[v.Key] = v.str()
			if v.Type == "secret" || secretName.MatchString(v.Key) {
				creds = append(creds, v.str())
			}
		}
	}
	rd.walk(c.Item, c.Auth, nil)
	ws := newWorkspace(t)
	notes, err := ws.importInto(interchange.ParsePostman, data, ws.env)
	if err != nil {
		res.fail("import refused: %v", err)
		res.requests = len(rd.out)
		return res
	}
	var want []wireRequest
	for _, e := range rd.out {
		want = append(want, e.wire)
		creds = append(creds, e.credential...)
		for what, had := range map[string]bool{"script": e.scripts, "example": e.examples} {
			if had && !slices.ContainsFunc(notes, func(n interchange.Note) bool {
				return strings.Contains(n.Item+" "+n.Msg, lastName(e.wire.Name)) && strings.Contains(strings.ToLower(n.Msg), what)
			}) {
				res.fail("request %q has a %s, and the report does not say it was skipped", e.wire.Name, what)
			}
		}
	}
	got, err := ws.sent(t, ws.env)
	if err != nil {
		res.fail("%v", err)
		return res
	}
	matchAll(res, want, got)
	noPlaintext(res, ws.catPath, creds)
	return res
}

func lastName(path string) string {
	parts := strings.Split(path, " › ")
	return parts[len(parts)-1]
}

type pmcEnv struct {
	Name   string  `json:"name"`
	Values []pmcKV `json:"values"`
}

func checkPostmanEnv(t *testing.T, path string) *fileResult {
	res := &fileResult{path: path, format: "postman-env"}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e pmcEnv
	if err := json.Unmarshal(data, &e); err != nil {
		res.fail("not JSON: %v", err)
		return res
	}
	ws := newWorkspace(t)
	env := strings.TrimSpace(e.Name)
	target := ""
	if env == "" {
		env, target = ws.env, ws.env
	}
	if _, err := ws.importInto(interchange.ParsePostman, data, target); err != nil {
		res.fail("import refused: %v", err)
		return res
	}
	ctx := context.Background()
	vals, err := ws.v.Vars(ctx, env)
	if err != nil {
		res.fail("%v", err)
		return res
	}
	c, _ := ws.v.Load()
	envItem, _ := c.Env(env)
	var creds []string
	for _, v := range e.Values {
		res.requests++
		if !v.on() {
			continue
		}
		// authdeck names carry no surrounding spaces or line breaks.
		name := strings.TrimSpace(v.Key)
		got, ok := vals[name]
		mustBeSecret := v.Type == "secret" || secretName.MatchString(name)
		if mustBeSecret {
			creds = append(creds, v.str())
		}
		switch {
		case !ok && !(mustBeSecret && v.str() == ""):
			res.fail("variable %q lost", name)
		case ok && got != v.str():
			res.fail("variable %q = %q, want %q", name, got, v.str())
		}
		if mustBeSecret && envItem != nil {
			if x, ok := envItem.Var(name); !ok || !x.Secret {
				res.fail("variable %q (a %s slot) is not a secret variable, so a later value would go to the catalog", name, map[bool]string{true: "secret", false: "credential"}[v.Type == "secret"])
			}
		}
	}
	noPlaintext(res, ws.catPath, creds)
	return res
}

func TestCorpusPostman(t *testing.T) {
	var results []*fileResult
	for _, p := range corpusFiles(t, "postman", func(p string) bool { return strings.HasSuffix(p, ".postman_collection.json") }) {
		results = append(results, checkPostmanCollection(t, p))
	}
	for _, p := range corpusFiles(t, "postman", func(p string) bool { return strings.HasSuffix(p, ".postman_environment.json") }) {
		results = append(results, checkPostmanEnv(t, p))
	}
	checkVerdicts(t, results)
}
