package interchange_test

import (
	"encoding/json"
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

// A Bruno reader for the corpus test: what Bruno sends for each request of
// a collection with its first environment (by file name): the URL as
// written (it carries the enabled query parameters) with :path parameters
// filled, the collection's, folders' and request's enabled headers (the
// nearer wins), the body of the request's body mode, and the auth of the
// request, else of its nearest folder, else of the collection.

type bruTestBlock struct {
	kv    [][3]string // key, value, "~" when disabled
	text  string
	items []string
}

func readBruTest(t *testing.T, path string) map[string]*bruTestBlock {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*bruTestBlock{}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	head := regexp.MustCompile(`^([\w:-]+)\s*([{\[])\s*$`)
	for i := 0; i < len(lines); i++ {
		m := head.FindStringSubmatch(strings.TrimRight(lines[i], " "))
		if m == nil {
			continue
		}
		closer := map[string]string{"{": "}", "[": "]"}[m[2]]
		b := &bruTestBlock{}
		j := i + 1
		var body []string
		for ; j < len(lines) && strings.TrimRight(lines[j], " ") != closer; j++ {
			body = append(body, lines[j])
		}
		switch {
		case m[2] == "[":
			for _, l := range body {
				for _, it := range strings.Split(l, ",") {
					if it = strings.TrimSpace(it); it != "" {
						b.items = append(b.items, it)
					}
				}
			}
		case strings.HasPrefix(m[1], "body:") && !strings.Contains(m[1], "form"), strings.HasPrefix(m[1], "script:"), m[1] == "tests", m[1] == "docs":
			for k := range body {
				body[k] = strings.TrimPrefix(body[k], "  ")
			}
			b.text = strings.Join(body, "\n")
		default:
			for k := 0; k < len(body); k++ {
				l := strings.TrimSpace(body[k])
				if l == "" || strings.HasPrefix(l, "@") {
					if strings.Count(l, "'''") == 1 {
						for k++; k < len(body) && !strings.Contains(body[k], "'''"); k++ {
						}
					}
					continue
				}
				key, val, _ := strings.Cut(l, ":")
				key, val = strings.TrimSpace(key), strings.TrimSpace(val)
				dis := ""
				if strings.HasPrefix(key, "~") {
					key, dis = key[1:], "~"
				}
				if val == "'''" {
					var ml []string
					for k++; k < len(body) && strings.TrimSpace(body[k]) != "'''"; k++ {
						ml = append(ml, strings.TrimPrefix(body[k], "    "))
					}
					val = strings.Join(ml, "\n")
				}
				b.kv = append(b.kv, [3]string{key, val, dis})
			}
		}
		out[m[1]] = b
		i = j
	}
	return out
}

func (b *bruTestBlock) get(k string) string {
	if b == nil {
		return ""
	}
	for _, p := range b.kv {
		if p[0] == k && p[2] == "" {
			return p[1]
		}
	}
	return ""
}

func checkBrunoCollection(t *testing.T, root string) *fileResult {
	res := &fileResult{path: filepath.Join(root, "bruno.json"), format: "bruno"}
	vars := map[string]string{}
	var creds []string
	envs, _ := filepath.Glob(filepath.Join(root, "environments", "*.bru"))
	sort.Strings(envs)
	if len(envs) > 0 {
		env := readBruTest(t, envs[0])
		secret := map[string]bool{}
		if s := env["vars:secret"]; s != nil {
			for _, it := range s.items {
				secret[it] = true
			}
		}
		if v := env["vars"]; v != nil {
			for _, p := range v.pairs() {
				if p[2] == "" {
					vars[p[0]] = p[1]
					if secret[p[0]] {
						creds = append(creds, p[1])
					}
				}
			}
		}
	}
	coll := readBruTest(t, filepath.Join(root, "collection.bru"))
	for _, p := range coll["vars:pre-request"].pairs() {
		if _, ok := vars[p[0]]; !ok && p[2] == "" {
			vars[p[0]] = p[1]
		}
	}
	procEnv := regexp.MustCompile(`\{\{\s*process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
	fromEnv := func(m string) string { return os.Getenv(procEnv.FindStringSubmatch(m)[1]) }
	// A variable the collection does not define is its placeholder when a
	// request names it (as the corpus harness defines it), and stays as
	// written inside another variable's value (Bruno leaves it so).
	var expand func(string, int) string
	expand = func(v string, depth int) string {
		if depth > 8 {
			return v
		}
		v = procEnv.ReplaceAllStringFunc(v, fromEnv)
		return tmplRef.ReplaceAllStringFunc(v, func(m string) string {
			if x, ok := vars[strings.TrimSpace(tmplRef.FindStringSubmatch(m)[1])]; ok {
				return expand(x, depth+1)
			}
			return m
		})
	}
	rnd := func(s string) string {
		s = procEnv.ReplaceAllStringFunc(s, fromEnv)
		return tmplRef.ReplaceAllStringFunc(s, func(m string) string {
			n := strings.TrimSpace(tmplRef.FindStringSubmatch(m)[1])
			if x, ok := vars[n]; ok {
				return expand(x, 0)
			}
			if strings.HasPrefix(n, "$") {
				return dynMarker(n) // generated when sent
			}
			return placeholder(plainName(n))
		})
	}
	var want []wireRequest
	// A request whose pre-request script makes its body is sent as the
	// script makes it, which neither side runs: it is left out of the
	// comparison (the importer lists the script as skipped).
	var scripted []string
	var digest []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && rel == "environments" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".bru") || d.Name() == "folder.bru" || rel == "collection.bru" {
			return nil
		}
		req := readBruTest(t, p)
		var http *bruTestBlock
		method := ""
		for _, m := range []string{"get", "post", "put", "delete", "patch", "options", "head"} {
			if req[m] != nil {
				http, method = req[m], strings.ToUpper(m)
			}
		}
		if http == nil {
			return nil
		}
		for _, p := range req["vars:pre-request"].pairs() {
			if _, ok := vars[p[0]]; !ok && p[2] == "" {
				vars[p[0]] = p[1]
			}
		}
		// the chain: collection, folders outermost first, the request
		chain := []map[string]*bruTestBlock{coll}
		dir := filepath.Dir(rel)
		var dirs []string
		for d := dir; d != "."; d = filepath.Dir(d) {
			dirs = append([]string{d}, dirs...)
		}
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(root, d, "folder.bru")); err == nil {
				chain = append(chain, readBruTest(t, filepath.Join(root, d, "folder.bru")))
			}
		}
		chain = append(chain, req)
		if strings.Contains(req["script:pre-request"].textOf(), "req.setBody(") {
			scripted = append(scripted, req["meta"].get("name"))
			return nil
		}
		w := wireRequest{Name: rel, Method: method}
		u := http.get("url")
		for _, pp := range req["params:path"].pairs() {
			u = strings.ReplaceAll(u, "/:"+pp[0], "/"+pp[1])
		}
		u = rnd(u)
		if !strings.Contains(u, "://") {
			u = "http://" + u
		}
		headers := map[string]vault.Header{}
		var order []string
		for _, c := range chain {
			for _, h := range c["headers"].pairs() {
				k := strings.ToLower(h[0])
				delete(headers, k)
				order = slices.DeleteFunc(order, func(x string) bool { return x == k })
				if h[2] == "" {
					headers[k] = vault.Header{Name: h[0], Value: rnd(h[1])}
					order = append(order, k)
				}
			}
		}
		var hs []vault.Header
		for _, k := range order {
			hs = append(hs, headers[k])
		}
		setCT := func(ct string) {
			if _, ok := headers["content-type"]; !ok {
				hs = append(hs, vault.Header{Name: "Content-Type", Value: ct})
			}
		}
		switch http.get("body") {
		case "json":
			w.Body = rnd(req["body:json"].textOf())
			setCT("application/json")
		case "text":
			w.Body = rnd(req["body:text"].textOf())
			setCT("text/plain")
		case "xml":
			w.Body = rnd(req["body:xml"].textOf())
			setCT("application/xml")
		case "formUrlEncoded":
			var parts []string
			for _, f := range req["body:form-urlencoded"].pairs() {
				if f[2] == "" {
					parts = append(parts, url.QueryEscape(f[0])+"="+url.QueryEscape(rnd(f[1])))
				}
			}
			w.Body = "form:" + strings.Join(parts, "&")
			setCT("application/x-www-form-urlencoded")
		case "multipartForm":
			var parts []string
			for _, f := range req["body:multipart-form"].pairs() {
				if f[2] != "" {
					continue
				}
				if m := regexp.MustCompile(`^@file\((.*)\)$`).FindStringSubmatch(f[1]); m != nil {
					if path := strings.Split(m[1], "|")[0]; path != "" { // no file chosen: no part
						parts = append(parts, f[0]+"=@"+filepath.Base(path))
					}
					continue
				}
				parts = append(parts, f[0]+"="+rnd(f[1]))
			}
			w.Body = "multipart:" + strings.Join(parts, "\n")
			hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Content-Type") })
			hs = append(hs, vault.Header{Name: "Content-Type", Value: "multipart/form-data"})
		case "graphql":
			payload := map[string]any{"query": rnd(req["body:graphql"].textOf())}
			if v := strings.TrimSpace(rnd(req["body:graphql:vars"].textOf())); v != "" {
				var x any
				if json.Unmarshal([]byte(v), &x) == nil {
					payload["variables"] = x
				}
			}
			b, _ := json.Marshal(payload)
			w.Body = "json:" + string(b)
			setCT("application/json")
		}
		// auth: the request's, else the nearest folder's, else the collection's
		mode, src := http.get("auth"), req
		for k := len(chain) - 2; (mode == "inherit" || mode == "") && k >= 0; k-- {
			if a := chain[k]["auth"]; a != nil {
				mode, src = a.get("mode"), chain[k]
			}
		}
		if slices.Contains([]string{"bearer", "basic", "digest", "awsv4", "oauth2"}, mode) {
			// the chosen auth overrides an Authorization header
			hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Authorization") })
		}
		switch mode {
		case "bearer":
			// a header value's trailing space is not part of it (RFC 9110 §5.5)
			hs = append(hs, vault.Header{Name: "Authorization", Value: strings.TrimSpace("Bearer " + rnd(src["auth:bearer"].get("token")))})
		case "basic":
			hs = append(hs, vault.Header{Name: "Authorization", Value: basicAuth(rnd(src["auth:basic"].get("username")), rnd(src["auth:basic"].get("password")))})
			creds = append(creds, src["auth:basic"].get("password"))
		case "apikey":
			a := src["auth:apikey"]
			if strings.EqualFold(a.get("placement"), "queryparams") {
				sep := "?"
				if strings.Contains(u, "?") {
					sep = "&"
				}
				u += sep + url.QueryEscape(a.get("key")) + "=" + url.QueryEscape(rnd(a.get("value")))
			} else {
				hs = append(hs, vault.Header{Name: a.get("key"), Value: rnd(a.get("value"))})
			}
		case "oauth2":
			w.AnyAuth = true
		case "digest":
			// answered on the server's challenge: nothing to see before it
			digest = append(digest, rel)
		}
		w.URL = u
		w.Headers = headerLines(hs)
		want = append(want, w)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(res.path)
	if err != nil {
		t.Fatal(err)
	}
	ws := newWorkspace(t)
	c, _ := ws.v.Load()
	b, _, err := interchange.ParseBruno(data, interchange.RequestImportOptions{Env: ws.env, Catalog: c, Path: res.path})
	res.requests = len(want)
	if err != nil {
		res.fail("import refused: %v", err)
		return res
	}
	if _, err := ws.v.Apply(t.Context(), b); err != nil {
		res.fail("import does not apply: %v", err)
		return res
	}
	got, err := ws.sent(t, ws.env)
	if err != nil {
		res.fail("%v", err)
		return res
	}
	for _, n := range scripted {
		if _, ok := got[n]; !ok {
			res.fail("request %q (its body made by a script) not imported", n)
		}
		delete(got, n)
		t.Logf("%s: request %q left out: its script makes the body", res.path, n)
	}
	matchAll(res, want, got)
	t.Logf("%s: %d of %d requests sent as Bruno sends them", res.path, len(want)-strings.Count(strings.Join(res.problems, "\n"), "not sent as in the file"), len(want))
	noPlaintext(res, ws.catPath, slices.DeleteFunc(creds, func(c string) bool { return len(c) < 8 }))
	return res
}

// plainName is a variable name as a workspace allows it (letters, digits,
// _ - .): each run of other characters becomes one _, none at the ends.
func plainName(n string) string {
	n = regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(n, "_")
	return strings.Trim(n, "_.-")
}

func (b *bruTestBlock) pairs() [][3]string {
	if b == nil {
		return nil
	}
	return b.kv
}

func (b *bruTestBlock) textOf() string {
	if b == nil {
		return ""
	}
	return b.text
}

func TestCorpusBruno(t *testing.T) {
	// Every {{process.env.NAME}} of the corpus reads a set value.
	procEnv := regexp.MustCompile(`\{\{\s*process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
	for _, p := range corpusFiles(t, "bruno", func(p string) bool { return strings.HasSuffix(p, ".bru") }) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range procEnv.FindAllStringSubmatch(string(data), -1) {
			t.Setenv(m[1], "env-"+strings.ToLower(m[1]))
		}
	}
	t.Setenv("PROC_ENV_VAR", "woof") // the value the Bruno test collection expects
	var results []*fileResult
	for _, p := range corpusFiles(t, "bruno", func(p string) bool { return filepath.Base(p) == "bruno.json" }) {
		results = append(results, checkBrunoCollection(t, filepath.Dir(p)))
	}
	checkVerdicts(t, results)
}
