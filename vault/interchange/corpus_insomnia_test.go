package interchange_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// An Insomnia v4 reader for the corpus test: what Insomnia sends for each
// HTTP request of an export with its base environment and first
// sub-environment: {{ _.name }} and {{ name }} rendered, enabled query
// parameters added to the URL, enabled headers, the body by its MIME type
// (form fields encoded, multipart parts, GraphQL as JSON), and the
// request's authentication, else its nearest folder's: bearer, basic, API
// key in a header or the query, OAuth 2.0 as a bearer token.

var insRef = regexp.MustCompile(`\{\{\s*(?:_\.)?([^{}\s]+)\s*\}\}`)

func insStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case bool, int, float64:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func insFlatten(m map[string]any, prefix string, out map[string]string) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			insFlatten(sub, prefix+k+".", out)
			continue
		}
		out[prefix+k] = insStr(v)
	}
}

func checkInsomniaFile(t *testing.T, path string) *fileResult {
	res := &fileResult{path: path, format: "insomnia"}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Resources []map[string]any `yaml:"resources"`
	}
	if err := yaml.Unmarshal(data, &exp); err != nil {
		res.fail("not YAML: %v", err)
		return res
	}
	byID := map[string]map[string]any{}
	for _, r := range exp.Resources {
		byID[insStr(r["_id"])] = r
	}
	vars := map[string]string{}
	var base map[string]any
	for _, r := range exp.Resources {
		if r["_type"] == "environment" && byID[insStr(r["parentId"])]["_type"] == "workspace" {
			base = r
			break
		}
	}
	if base != nil {
		d, _ := base["data"].(map[string]any)
		insFlatten(d, "", vars)
		var subs []map[string]any
		for _, r := range exp.Resources {
			if r["_type"] == "environment" && r["parentId"] == base["_id"] {
				subs = append(subs, r)
			}
		}
		sort.SliceStable(subs, func(i, j int) bool { return insStr(subs[i]["metaSortKey"]) < insStr(subs[j]["metaSortKey"]) })
		if len(subs) > 0 {
			d, _ := subs[0]["data"].(map[string]any)
			insFlatten(d, "", vars)
		}
	}
	rnd := func(s string) string {
		for range 8 {
			n := insRef.ReplaceAllStringFunc(s, func(m string) string {
				name := insRef.FindStringSubmatch(m)[1]
				if v, ok := vars[name]; ok {
					return v
				}
				return placeholder(name)
			})
			if n == s {
				break
			}
			s = n
		}
		return s
	}
	var want []wireRequest
	var creds []string
	for _, r := range exp.Resources {
		if r["_type"] != "request" {
			continue
		}
		w := wireRequest{Name: insStr(r["name"]), Method: strings.ToUpper(insStr(r["method"]))}
		u := rnd(strings.TrimSpace(insStr(r["url"])))
		if !strings.Contains(u, "://") {
			u = "http://" + u
		}
		var q []string
		params, _ := r["parameters"].([]any)
		for _, p := range params {
			pm, _ := p.(map[string]any)
			if pm["disabled"] == true || insStr(pm["name"]) == "" {
				continue
			}
			q = append(q, url.QueryEscape(rnd(insStr(pm["name"])))+"="+url.QueryEscape(rnd(insStr(pm["value"]))))
		}
		var hs []vault.Header
		headers, _ := r["headers"].([]any)
		for _, h := range headers {
			hm, _ := h.(map[string]any)
			if hm["disabled"] == true || insStr(hm["name"]) == "" {
				continue
			}
			hs = append(hs, vault.Header{Name: rnd(insStr(hm["name"])), Value: rnd(insStr(hm["value"]))})
		}
		has := func(n string) bool {
			return slices.ContainsFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, n) })
		}
		body, _ := r["body"].(map[string]any)
		mt := insStr(body["mimeType"])
		switch {
		case mt == "application/x-www-form-urlencoded":
			var parts []string
			fp, _ := body["params"].([]any)
			for _, p := range fp {
				pm, _ := p.(map[string]any)
				if pm["disabled"] != true {
					parts = append(parts, url.QueryEscape(rnd(insStr(pm["name"])))+"="+url.QueryEscape(rnd(insStr(pm["value"]))))
				}
			}
			w.Body = "form:" + strings.Join(parts, "&")
			if !has("Content-Type") {
				hs = append(hs, vault.Header{Name: "Content-Type", Value: mt})
			}
		case mt == "multipart/form-data":
			var parts []string
			fp, _ := body["params"].([]any)
			for _, p := range fp {
				pm, _ := p.(map[string]any)
				if pm["disabled"] != true {
					parts = append(parts, rnd(insStr(pm["name"]))+"="+rnd(insStr(pm["value"])))
				}
			}
			w.Body = "multipart:" + strings.Join(parts, "\n")
			hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Content-Type") })
			hs = append(hs, vault.Header{Name: "Content-Type", Value: "multipart/form-data"})
		case mt == "application/graphql":
			w.Body = "json:" + rnd(insStr(body["text"]))
			hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Content-Type") })
			hs = append(hs, vault.Header{Name: "Content-Type", Value: "application/json"})
		case insStr(body["text"]) != "":
			w.Body = rnd(insStr(body["text"]))
			if mt != "" && !has("Content-Type") {
				hs = append(hs, vault.Header{Name: "Content-Type", Value: mt})
			}
		}
		auth, _ := r["authentication"].(map[string]any)
		for id := insStr(r["parentId"]); (len(auth) == 0 || auth["type"] == "inherit") && byID[id]["_type"] == "request_group"; id = insStr(byID[id]["parentId"]) {
			if a, ok := byID[id]["authentication"].(map[string]any); ok && len(a) > 0 && a["type"] != "inherit" {
				auth = a
			}
		}
		if auth["disabled"] != true {
			switch insStr(auth["type"]) {
			case "bearer":
				prefix := insStr(auth["prefix"])
				if prefix == "" {
					prefix = "Bearer"
				}
				hs = append(hs, vault.Header{Name: "Authorization", Value: prefix + " " + rnd(insStr(auth["token"]))})
				creds = append(creds, insStr(auth["token"]))
			case "basic":
				hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Authorization") })
				hs = append(hs, vault.Header{Name: "Authorization", Value: basicAuth(rnd(insStr(auth["username"])), rnd(insStr(auth["password"])))})
				creds = append(creds, insStr(auth["password"]))
			case "apikey":
				if insStr(auth["addTo"]) == "queryParams" {
					q = append(q, url.QueryEscape(rnd(insStr(auth["key"])))+"="+url.QueryEscape(rnd(insStr(auth["value"]))))
				} else {
					hs = append(hs, vault.Header{Name: rnd(insStr(auth["key"])), Value: rnd(insStr(auth["value"]))})
				}
				creds = append(creds, insStr(auth["value"]))
			case "oauth2":
				w.AnyAuth = true
				creds = append(creds, insStr(auth["clientSecret"]))
				creds = slices.DeleteFunc(creds, func(c string) bool { return len(c) < 8 }) // "secret" is a word of the catalog itself
			}
		}
		if len(q) > 0 {
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			u += sep + strings.Join(q, "&")
		}
		w.URL = u
		w.Headers = headerLines(hs)
		want = append(want, w)
	}
	ws := newWorkspace(t)
	if _, err := ws.importInto(interchange.ParseInsomnia, data, ws.env); err != nil {
		res.fail("import refused: %v", err)
		res.requests = len(want)
		return res
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

func TestCorpusInsomnia(t *testing.T) {
	var results []*fileResult
	for _, p := range corpusFiles(t, "insomnia", func(p string) bool {
		return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".json")
	}) {
		results = append(results, checkInsomniaFile(t, p))
	}
	checkVerdicts(t, results)
}
