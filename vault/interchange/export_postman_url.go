package interchange

import (
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// pmxURL is a Postman URL: the text sent (raw) and its parts, which
// Postman reads instead of raw when they are there, so they must say the
// same thing.
type pmxURL struct {
	Raw      string       `json:"raw"`
	Protocol string       `json:"protocol,omitempty"`
	Host     []string     `json:"host,omitempty"`
	Port     string       `json:"port,omitempty"`
	Path     []string     `json:"path,omitempty"`
	Query    []pmxQuery   `json:"query,omitempty"`
	Hash     string       `json:"hash,omitempty"`
	Variable []pmxPathVar `json:"variable,omitempty"`
}

type pmxQuery struct {
	Key      string  `json:"key"`
	Value    *string `json:"value"`
	Disabled bool    `json:"disabled,omitempty"`
}

type pmxPathVar struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// pmxWholeVar is a path segment that is one {{variable}} and nothing else;
// Postman writes it as a path variable (:name).
var pmxWholeVar = lazyre.New(`^\{\{([A-Za-z0-9_.\-]+)\}\}$`)

// postmanURL splits u as Postman does, with the request's enabled query
// parameters added to it (encoded as the sender encodes them) and its
// disabled ones listed, disabled. A path segment that is a whole
// {{variable}} becomes a path variable (:name) whose value is that
// {{variable}}: what Postman users write, and what reads back the same.
func postmanURL(u string, params []vault.QueryParam) pmxURL {
	u, hash, hasHash := strings.Cut(u, "#")
	u = withParams(u, params)
	var out pmxURL
	rest, query, hasQuery := strings.Cut(u, "?")
	if proto, after, ok := strings.Cut(rest, "://"); ok && !strings.ContainsAny(proto, "/{") {
		out.Protocol, rest = proto, after
	}
	authority, path, hasPath := strings.Cut(rest, "/")
	out.Host, out.Port = splitHost(authority)
	if hasPath {
		out.Path, out.Variable = pathVariables(path)
	}
	if query != "" {
		out.Query = splitQuery(query)
	}
	for _, p := range params {
		if p.Disabled {
			v := p.Value
			out.Query = append(out.Query, pmxQuery{Key: p.Name, Value: &v, Disabled: true})
		}
	}
	out.Raw = joinRaw(out, hasPath, hasQuery, query)
	if hasHash {
		out.Hash = hash
		out.Raw += "#" + hash
	}
	return out
}

// withParams adds the enabled query parameters to u.
func withParams(u string, params []vault.QueryParam) string {
	for _, p := range params {
		if p.Disabled {
			continue
		}
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + escapeTemplateText(p.Name) + "=" + escapeTemplateText(p.Value)
	}
	return u
}

// pathVariables splits a path into segments, a whole-{{variable}} segment
// written as a path variable.
func pathVariables(path string) ([]string, []pmxPathVar) {
	segs := strings.Split(path, "/")
	var vars []pmxPathVar
	for i, seg := range segs {
		if m := pmxWholeVar.FindStringSubmatch(seg); m != nil {
			segs[i] = ":" + m[1]
			vars = append(vars, pmxPathVar{Key: m[1], Value: seg})
		}
	}
	return segs, vars
}

// joinRaw writes the raw URL back from its parts (path variables in).
func joinRaw(u pmxURL, hasPath, hasQuery bool, query string) string {
	var b strings.Builder
	if u.Protocol != "" {
		b.WriteString(u.Protocol + "://")
	}
	b.WriteString(strings.Join(u.Host, "."))
	if u.Port != "" {
		b.WriteString(":" + u.Port)
	}
	if hasPath {
		b.WriteString("/" + strings.Join(u.Path, "/"))
	}
	if hasQuery {
		b.WriteString("?" + query)
	}
	return b.String()
}

// splitHost splits an authority into Postman's host labels and port. A
// host that is a {{variable}}, an IP literal or carries user info stays
// one label.
func splitHost(authority string) ([]string, string) {
	if authority == "" {
		return nil, ""
	}
	host, port := authority, ""
	if i := strings.LastIndex(authority, ":"); i >= 0 && isPort(authority[i+1:]) && !strings.HasSuffix(authority[:i], ":") {
		host, port = authority[:i], authority[i+1:]
	}
	if strings.ContainsAny(host, "{[@") {
		return []string{host}, port
	}
	return strings.Split(host, "."), port
}

// isPort reports whether s is a port: digits, or one {{variable}}.
func isPort(s string) bool {
	if s == "" {
		return false
	}
	if vault.IsReference(s) {
		return true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// splitQuery lists a query string's parameters as written (Postman keeps
// them unencoded-as-typed and encodes when sending).
func splitQuery(q string) []pmxQuery {
	var out []pmxQuery
	for _, pair := range strings.Split(q, "&") {
		k, v, hasValue := strings.Cut(pair, "=")
		p := pmxQuery{Key: k}
		if hasValue {
			p.Value = &v
		}
		out = append(out, p)
	}
	return out
}
