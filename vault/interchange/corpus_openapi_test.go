package interchange_test

import (
	"encoding/json"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// An OpenAPI reader for the corpus test: what Swagger UI's "Try it out"
// sends for each operation once the user has authorized: the first
// server's URL (its variables at their defaults) and the path, path and
// required query/header parameters at their example or default (a value
// the document does not give is the user's to fill: its placeholder),
// the request body's explicit example as JSON (a body made from the schema
// only has to be there), and the credential of the operation's security
// (else the document's): an API key header or query parameter, an
// Authorization header for http and oauth2/openIdConnect schemes. It reads
// the document with yaml.v3 and resolves local $refs itself.

const anyValue = "\x01*\x02"

type oaDoc struct {
	root  map[string]any
	order map[string]map[string]int
}

func (d *oaDoc) resolve(v any) any {
	for range 32 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return v
		}
		var cur any = d.root
		for _, part := range strings.Split(ref[2:], "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cm, _ := cur.(map[string]any)
			cur = cm[part]
		}
		v = cur
	}
	return v
}

func (d *oaDoc) obj(v any) map[string]any {
	m, _ := d.resolve(v).(map[string]any)
	return m
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = text(e)
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// example is a parameter's value as Swagger UI fills it.
func (d *oaDoc) example(p map[string]any) (string, bool) {
	if v, ok := p["example"]; ok {
		return text(v), true
	}
	if exs := d.obj(p["examples"]); len(exs) > 0 {
		keys := make([]string, 0, len(exs))
		for k := range exs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if v, ok := d.obj(exs[keys[0]])["value"]; ok {
			return text(v), true
		}
	}
	s := d.obj(p["schema"])
	for _, k := range []string{"example", "default", "const"} {
		if v, ok := s[k]; ok {
			return text(v), true
		}
	}
	if exs, ok := s["examples"].([]any); ok && len(exs) > 0 {
		return text(exs[0]), true
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return text(enum[0]), true
	}
	return "", false
}

type oaExpect struct {
	wire wireRequest
	// authless: the operation asks for an oauth2 client credentials (or
	// implicit/password) flow only, which the document cannot make work.
	authless string
}

func (d *oaDoc) expect() []oaExpect {
	base := ""
	if servers, ok := d.root["servers"].([]any); ok && len(servers) > 0 {
		s := d.obj(servers[0])
		base = text(s["url"])
		for name, v := range d.obj(s["variables"]) {
			base = strings.ReplaceAll(base, "{"+name+"}", text(d.obj(v)["default"]))
		}
	}
	if base == "" || !strings.Contains(base, "://") {
		base = placeholder("host") + strings.TrimSuffix(base, "/")
	}
	base = strings.TrimSuffix(base, "/")
	var out []oaExpect
	paths := d.obj(d.root["paths"])
	type op struct {
		path, method string
		item, op     map[string]any
	}
	var ops []op
	for _, path := range yamlKeys(d, "paths") {
		item := d.obj(paths[path])
		for _, m := range []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"} {
			if o := d.obj(item[m]); o != nil {
				ops = append(ops, op{path, m, item, o})
			}
		}
	}
	for _, o := range ops {
		e := oaExpect{}
		w := wireRequest{Method: strings.ToUpper(o.method)}
		path := o.path
		var query, headers []string
		var cookies []string
		seen := map[string]bool{}
		var params []map[string]any
		for _, list := range []any{o.op["parameters"], o.item["parameters"]} {
			arr, _ := list.([]any)
			for _, p := range arr {
				pm := d.obj(p)
				key := text(pm["in"]) + "\x00" + text(pm["name"])
				if !seen[key] {
					seen[key] = true
					params = append(params, pm)
				}
			}
		}
		for _, p := range params {
			name := text(p["name"])
			val, ok := d.example(p)
			required := p["required"] == true
			switch text(p["in"]) {
			case "path":
				if !ok {
					val = placeholder(name)
				} else {
					val = url.PathEscape(val)
				}
				path = strings.ReplaceAll(path, "{"+name+"}", val)
			case "query":
				if required {
					if !ok {
						val = placeholder(name)
					}
					query = append(query, url.QueryEscape(name)+"="+url.QueryEscape(val))
				}
			case "header":
				if required && !slices.Contains([]string{"accept", "content-type", "authorization"}, strings.ToLower(name)) {
					if !ok {
						val = placeholder(name)
					}
					headers = append(headers, strings.ToLower(name)+": "+val)
				}
			case "cookie":
				if required {
					if !ok {
						val = placeholder(name)
					}
					cookies = append(cookies, name+"="+val)
				}
			}
		}
		// body
		if rb := d.obj(o.op["requestBody"]); rb != nil {
			content := d.obj(rb["content"])
			mt := ""
			keys := make([]string, 0, len(content))
			for k := range content {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, pref := range []func(string) bool{
				func(m string) bool { return m == "application/json" },
				func(m string) bool { return strings.Contains(m, "json") },
				func(m string) bool { return m == "application/x-www-form-urlencoded" },
				func(m string) bool { return m == "multipart/form-data" },
				func(string) bool { return true },
			} {
				for _, k := range keys {
					if mt == "" && pref(k) {
						mt = k
					}
				}
			}
			media := d.obj(content[mt])
			switch {
			case mt == "multipart/form-data":
				headers = append(headers, "content-type: multipart/form-data"+anyValue)
				w.Body = anyValue
			case mt != "":
				headers = append(headers, "content-type: "+mt)
				w.Body = anyValue
				if ex, ok := media["example"]; ok && strings.Contains(mt, "json") {
					b, _ := json.Marshal(ex)
					w.Body = "json:" + string(b)
				}
			}
		}
		// security
		reqs, ok := o.op["security"].([]any)
		if !ok {
			reqs, _ = d.root["security"].([]any)
		}
		var req map[string]any
		for _, alt := range reqs {
			if m := d.obj(alt); len(m) > 0 {
				req = m
				break
			}
		}
		schemes := d.obj(d.obj(d.root["components"])["securitySchemes"])
		for name := range req {
			s := d.obj(schemes[name])
			switch strings.ToLower(text(s["type"])) {
			case "apikey":
				switch text(s["in"]) {
				case "header":
					headers = append(headers, strings.ToLower(text(s["name"]))+": "+anyValue)
				case "query":
					query = append(query, url.QueryEscape(text(s["name"]))+"="+anyValue)
				case "cookie":
					cookies = append(cookies, text(s["name"])+"="+anyValue)
				}
			case "http":
				headers = append(headers, "authorization: "+anyValue)
			case "oauth2", "openidconnect":
				flows := d.obj(s["flows"])
				if strings.EqualFold(text(s["type"]), "oauth2") && flows["authorizationCode"] == nil {
					// The implicit or password flow makes a client (opted
					// into, as a retired flow) when its URL is one authdeck
					// accepts; client credentials alone need a secret the
					// document does not hold.
					u := text(d.obj(flows["implicit"])["authorizationUrl"])
					if u == "" {
						u = text(d.obj(flows["password"])["tokenUrl"])
					}
					if pu, err := url.Parse(u); u == "" || err != nil || pu.Scheme != "https" && !vault.IsLoopbackHost(pu.Hostname()) {
						e.authless = name
						continue
					}
				}
				headers = append(headers, "authorization: Bearer "+anyValue)
			}
		}
		if len(cookies) > 0 {
			headers = append(headers, "cookie: "+strings.Join(cookies, "; "))
		}
		w.URL = base + path
		if len(query) > 0 {
			w.URL += "?" + strings.Join(query, "&")
		}
		sort.Strings(headers)
		w.Headers = headers
		w.Name = w.Method + " " + o.path
		e.wire = w
		out = append(out, e)
	}
	return out
}

// yamlKeys lists the keys of a top-level mapping in document order.
func yamlKeys(d *oaDoc, key string) []string {
	m := d.obj(d.root[key])
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	order := d.order[key]
	sort.SliceStable(keys, func(i, j int) bool { return order[keys[i]] < order[keys[j]] })
	return keys
}

func checkOpenAPIFile(t *testing.T, path string) *fileResult {
	res := &fileResult{path: path, format: "openapi"}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := &oaDoc{order: map[string]map[string]int{}}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil || node.Decode(&d.root) != nil {
		res.fail("not YAML/JSON: %v", err)
		return res
	}
	if len(node.Content) > 0 {
		top := node.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "paths" {
				d.order["paths"] = map[string]int{}
				pm := top.Content[i+1]
				for j := 0; j+1 < len(pm.Content); j += 2 {
					d.order["paths"][pm.Content[j].Value] = j
				}
			}
		}
	}
	want := d.expect()
	ws := newWorkspace(t)
	_, err = ws.importInto(interchange.ParseOpenAPI, data, ws.env)
	res.requests = len(want)
	if err != nil {
		res.fail("import refused: %v", err)
		return res
	}
	got, err := ws.sent(t, ws.env)
	if err != nil {
		res.fail("%v", err)
		return res
	}
	if len(got) != len(want) {
		res.fail("%d operations in the document, %d requests imported", len(want), len(got))
	}
	pool := make([]wireRequest, 0, len(got))
	for _, n := range slices.Sorted(mapsKeys(got)) {
		pool = append(pool, got[n])
	}
	for _, e := range want {
		if e.authless != "" {
			res.fail("%s: security scheme %q has no flow authdeck can make an auth client of (client credentials without a secret, or a plain-http URL)", e.wire.Name, e.authless)
		}
		i := slices.IndexFunc(pool, func(g wireRequest) bool {
			g.Body = canonicalBody(g, e.wire.Body)
			if strings.HasPrefix(e.wire.Body, anyValue) {
				g.Body = anyValue
			}
			w := e.wire
			if w.Body == anyValue {
				w.Body = g.Body
			}
			return sameWire(w, g)
		})
		if i < 0 {
			near := "nothing like it"
			if len(pool) > 0 {
				near = "(e.g.) " + pool[0].String()
			}
			for _, g := range pool {
				if g.Method == e.wire.Method && strings.Contains(g.URL, strings.Split(strings.SplitN(e.wire.Name, " ", 2)[1], "{")[0]) {
					near = g.String()
					break
				}
			}
			res.fail("operation %s not sent as Swagger UI sends it\n    want %s\n    got  %s", e.wire.Name, e.wire, near)
			continue
		}
		pool = slices.Delete(pool, i, i+1)
	}
	noPlaintext(res, ws.catPath, nil)
	return res
}

func TestCorpusOpenAPI(t *testing.T) {
	var results []*fileResult
	for _, p := range corpusFiles(t, "openapi", func(p string) bool {
		return strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")
	}) {
		results = append(results, checkOpenAPIFile(t, p))
	}
	checkVerdicts(t, results)
}
