package oauth

import (
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authdeck/authdeck/vault/lazyre"
)

// Redacted replaces every secret value in a transcript.
const Redacted = "[redacted]"

// Field is one name/value pair of a recorded request or response.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Exchange is one recorded step of a flow: an HTTP request and its response,
// or a browser leg (authorization URL, callback). Secret values are redacted
// before they are recorded.
type Exchange struct {
	// Time is when the request started.
	Time time.Time `json:"time"`
	// Step names the step: "discovery", "authorization", "callback", "token",
	// "refresh", "device authorization", "device poll", "introspection",
	// "revocation", "jwks", "session auth".
	Step string `json:"step"`
	// Method and URL of the request (query values redacted where secret).
	Method string `json:"method,omitempty"`
	URL    string `json:"url,omitempty"`
	// RequestHeaders lists the interesting request headers (Authorization redacted).
	RequestHeaders []Field `json:"requestHeaders,omitempty"`
	// Params are the form, query or JSON fields sent (secrets redacted).
	Params []Field `json:"params,omitempty"`
	// Status is the HTTP status; zero when no response arrived.
	Status int `json:"status,omitempty"`
	// ContentType of the response.
	ContentType string `json:"contentType,omitempty"`
	// Response lists the response fields (secrets redacted); bodies that are
	// not JSON or form data are described, never shown.
	Response []Field `json:"response,omitempty"`
	// BodyNote describes a body that is not shown ("412 bytes of text/html").
	BodyNote string `json:"bodyNote,omitempty"`
	// Duration is how long the exchange took.
	Duration time.Duration `json:"duration,omitempty"`
	// Error is what went wrong, when something did.
	Error string `json:"error,omitempty"`
	// Explanation says in plain words what an OAuth error means and what to do next.
	Explanation string `json:"explanation,omitempty"`
	// Note is extra context ("deprecated grant", "refreshed by another process").
	Note string `json:"note,omitempty"`
	// Repeat counts identical consecutive exchanges folded into this one (device polls).
	Repeat int `json:"repeat,omitempty"`
}

// Transcript records every exchange of a flow with secrets redacted. It is
// safe for concurrent use; the TUI may read it while a flow runs.
type Transcript struct {
	mu      sync.Mutex
	entries []Exchange
	// OnRecord, when set, is called (from the flow's goroutine) after each
	// exchange is recorded or updated, with a copy of it.
	OnRecord func(Exchange)
}

// NewTranscript returns an empty transcript.
func NewTranscript() *Transcript { return &Transcript{} }

// Exchanges returns a copy of the recorded exchanges.
func (t *Transcript) Exchanges() []Exchange {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Exchange, len(t.entries))
	copy(out, t.entries)
	return out
}

// Len returns the number of recorded exchanges.
func (t *Transcript) Len() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}

// Record appends x, an exchange recorded elsewhere with its secrets already
// redacted (an OAuth 1.0a leg), so one transcript holds a whole flow.
func (t *Transcript) Record(x Exchange) { t.record(x) }

// record appends x and returns its index, folding a device poll that repeats
// the previous one into a counter so long waits stay readable.
func (t *Transcript) record(x Exchange) int {
	if t == nil {
		return -1
	}
	t.mu.Lock()
	n := len(t.entries)
	if n > 0 && x.Step == "device poll" && sameOutcome(t.entries[n-1], x) {
		prev := &t.entries[n-1]
		if prev.Repeat == 0 {
			prev.Repeat = 1
		}
		prev.Repeat++
		prev.Duration = x.Duration
		cp := *prev
		t.mu.Unlock()
		t.notify(cp)
		return n - 1
	}
	t.entries = append(t.entries, x)
	t.mu.Unlock()
	t.notify(x)
	return n
}

func sameOutcome(a, b Exchange) bool {
	// The error text is added after recording, so the response decides.
	return a.Step == b.Step && a.Status == b.Status && a.Note == b.Note && a.BodyNote == b.BodyNote &&
		a.Status != 0 && fieldsEqual(a.Response, b.Response)
}

func fieldsEqual(a, b []Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// update changes the exchange at i (to add an error or an explanation).
func (t *Transcript) update(i int, fn func(*Exchange)) {
	if t == nil || i < 0 {
		return
	}
	t.mu.Lock()
	if i >= len(t.entries) {
		t.mu.Unlock()
		return
	}
	fn(&t.entries[i])
	cp := t.entries[i]
	t.mu.Unlock()
	t.notify(cp)
}

func (t *Transcript) notify(x Exchange) {
	if t.OnRecord != nil {
		t.OnRecord(x)
	}
}

// note records a step without an HTTP exchange (a decision, a warning).
func (t *Transcript) note(step, text string) {
	t.record(Exchange{Time: time.Now(), Step: step, Note: text})
}

// Text renders the transcript for a terminal: one block per exchange, request
// lines prefixed "→", response lines "←", errors and explanations "!".
func (t *Transcript) Text() string {
	var b strings.Builder
	for _, x := range t.Exchanges() {
		writeExchange(&b, x)
	}
	return b.String()
}

func writeExchange(b *strings.Builder, x Exchange) {
	title := x.Step
	if x.Repeat > 1 {
		title += fmt.Sprintf(" (×%d)", x.Repeat)
	}
	if x.Method != "" || x.URL != "" {
		fmt.Fprintf(b, "→ %s %s  [%s]\n", x.Method, x.URL, title)
	} else {
		fmt.Fprintf(b, "• %s\n", title)
	}
	for _, h := range x.RequestHeaders {
		fmt.Fprintf(b, "    %s: %s\n", h.Name, h.Value)
	}
	for _, p := range x.Params {
		fmt.Fprintf(b, "    %s=%s\n", p.Name, p.Value)
	}
	if x.Status != 0 {
		fmt.Fprintf(b, "← %d %s", x.Status, http.StatusText(x.Status))
		if x.ContentType != "" {
			fmt.Fprintf(b, "  %s", x.ContentType)
		}
		if x.Duration > 0 {
			fmt.Fprintf(b, "  (%s)", x.Duration.Round(time.Millisecond))
		}
		b.WriteByte('\n')
	}
	for _, f := range x.Response {
		fmt.Fprintf(b, "    %s: %s\n", f.Name, f.Value)
	}
	if x.BodyNote != "" {
		fmt.Fprintf(b, "    (%s)\n", x.BodyNote)
	}
	if x.Note != "" {
		fmt.Fprintf(b, "  %s\n", x.Note)
	}
	if x.Error != "" {
		fmt.Fprintf(b, "! %s\n", x.Error)
	}
	if x.Explanation != "" {
		fmt.Fprintf(b, "! %s\n", x.Explanation)
	}
}

// secretParams are request and response field names whose values are always redacted.
var secretParams = map[string]bool{
	"client_secret": true, "client_assertion": true, "assertion": true,
	"code": true, "code_verifier": true, "device_code": true,
	"access_token": true, "refresh_token": true, "id_token": true, "token": true,
	"password": true, "passphrase": true, "secret": true,
	"subject_token": true, "actor_token": true, "session_state": true,
	"accesstoken": true, "refreshtoken": true, "idtoken": true, "jwt": true,
	"apikey": true, "api_key": true, "key": true, "private_key": true, "privatekey": true,
}

// jwtShape matches strings that look like a JWS or JWE compact serialisation.
var jwtShape = lazyre.New(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.`)

// redactor scrubs secret values from what a flow records.
type redactor struct {
	mu     sync.Mutex
	values []string
	names  map[string]bool
}

// addValue marks s as a secret value to scrub wherever it appears.
func (r *redactor) addValue(s string) {
	if len(s) < 4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.values {
		if v == s {
			return
		}
	}
	r.values = append(r.values, s)
	// longest first, so a secret containing another is scrubbed whole
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
}

// addName marks a field name (e.g. a session-auth token path leaf) as secret.
func (r *redactor) addName(n string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names == nil {
		r.names = map[string]bool{}
	}
	r.names[strings.ToLower(n)] = true
}

func (r *redactor) secretName(name string) bool {
	leaf := strings.ToLower(name)
	if i := strings.LastIndexByte(leaf, '.'); i >= 0 {
		leaf = leaf[i+1:]
	}
	if secretParams[leaf] {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names[leaf] || r.names[strings.ToLower(name)]
}

// scrub replaces every known secret value and anything shaped like a JWT.
func (r *redactor) scrub(s string) string {
	r.mu.Lock()
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	r.mu.Unlock()
	if strings.Contains(s, "eyJ") {
		s = jwtShape.ReplaceAllString(s, Redacted+".")
	}
	return s
}

// field returns name=value with the value redacted when it is secret.
func (r *redactor) field(name, value string) Field {
	if r.secretName(name) && value != "" {
		return Field{Name: name, Value: Redacted}
	}
	return Field{Name: name, Value: r.scrub(value)}
}

// values turns form or query values into redacted fields, in key order.
func (r *redactor) params(v url.Values) []Field {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Field
	for _, k := range keys {
		for _, x := range v[k] {
			out = append(out, r.field(k, x))
			if decodedParams[k] {
				out = append(out, r.decodedJWT(k, x)...)
			}
		}
	}
	return out
}

// decodedParams are the request fields holding a client assertion
// (private_key_jwt, client_secret_jwt) the transcript shows decoded beside
// the redacted value.
var decodedParams = map[string]bool{"client_assertion": true}

// maxDecodedValue bounds one decoded header member or claim in a transcript.
const maxDecodedValue = 200

// decodedJWT lists the header members and claims of the JWT token sent as
// field name: "name.header.alg", "name.iss", times with their UTC date.
// The signature is never shown, and neither is the token (redacted beside
// it); a claim is redacted like any field of its name, and scrubbed of
// known secret values. A value that is not a JWT adds nothing.
func (r *redactor) decodedJWT(name, token string) []Field {
	j, err := DecodeJWT(token)
	if err != nil {
		return nil
	}
	var out []Field
	for _, k := range slices.Sorted(maps.Keys(j.Header)) {
		out = append(out, r.decodedField(name+".header."+k, j.Header[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(j.Claims)) {
		f := r.decodedField(name+"."+k, j.Claims[k])
		if t := numericDate(j.Claims[k]); t != nil && timeClaims[k] && f.Value != Redacted {
			f.Value += " (" + t.Format("2006-01-02 15:04:05 UTC") + ")"
		}
		out = append(out, f)
	}
	return out
}

// timeClaims are the claims that hold a NumericDate.
var timeClaims = map[string]bool{"exp": true, "iat": true, "nbf": true, "auth_time": true}

// decodedField is one decoded member as a field: a string as it is,
// anything else as JSON, cut at maxDecodedValue.
func (r *redactor) decodedField(name string, v any) Field {
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if r := []rune(s); len(r) > maxDecodedValue {
		s = string(r[:maxDecodedValue]) + "…"
	}
	return r.field(name, s)
}

// url returns raw with secret query values (and any fragment values) redacted.
func (r *redactor) url(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return r.scrub(raw)
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k, vs := range q {
			for i := range vs {
				vs[i] = r.field(k, vs[i]).Value
			}
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	if u.Fragment != "" {
		if fq, err := url.ParseQuery(u.Fragment); err == nil {
			for k, vs := range fq {
				for i := range vs {
					vs[i] = r.field(k, vs[i]).Value
				}
			}
			u.Fragment = fq.Encode()
			u.RawFragment = ""
		} else {
			u.Fragment = Redacted
		}
	}
	return strings.ReplaceAll(r.scrub(u.String()), "%5Bredacted%5D", Redacted)
}

// header redacts credentials in a request header value.
func (r *redactor) header(name, value string) Field {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		scheme, _, _ := strings.Cut(value, " ")
		return Field{Name: name, Value: scheme + " " + Redacted}
	case "cookie", "set-cookie", "dpop":
		return Field{Name: name, Value: Redacted}
	}
	return Field{Name: name, Value: r.scrub(value)}
}

// body describes a response body for the transcript: JSON and form bodies as
// redacted fields, anything else as a size and type only (S-18).
func (r *redactor) body(contentType string, body []byte) ([]Field, string) {
	if len(body) == 0 {
		return nil, ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := strings.TrimSpace(string(body))
	switch {
	case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["):
		var v any
		if err := json.Unmarshal(body, &v); err == nil {
			var out []Field
			r.flatten("", v, &out, 0)
			if len(out) > 200 {
				out = append(out[:200], Field{Name: "…", Value: fmt.Sprintf("%d more fields", len(out)-200)})
			}
			return out, ""
		}
	case mt == "application/x-www-form-urlencoded" || mt == "text/plain" && looksLikeForm(trimmed):
		if v, err := url.ParseQuery(trimmed); err == nil {
			return r.params(v), ""
		}
	}
	if mt == "" {
		mt = "unknown type"
	}
	return nil, fmt.Sprintf("%d bytes of %s, not shown", len(body), mt)
}

func looksLikeForm(s string) bool {
	return strings.Contains(s, "=") && !strings.ContainsAny(s, " <>{}\n")
}

// scalars returns a list's values as text when none is an object or a
// list; an empty list is "[]".
func (r *redactor) scalars(list []any) ([]string, bool) {
	if len(list) == 0 {
		return []string{"[]"}, true
	}
	vals := make([]string, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case map[string]any, []any:
			return nil, false
		case string:
			vals = append(vals, x)
		case nil:
			vals = append(vals, "null")
		default:
			b, _ := json.Marshal(x)
			vals = append(vals, string(b))
		}
	}
	return vals, true
}

func (r *redactor) flatten(prefix string, v any, out *[]Field, depth int) {
	if depth > 8 {
		*out = append(*out, Field{Name: prefix, Value: "…"})
		return
	}
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r.flatten(join(k), x[k], out, depth+1)
		}
	case []any:
		if vals, ok := r.scalars(x); ok {
			// A list of plain values (scopes, claims, algorithms) reads as
			// one line, not one line per index.
			for i, v := range vals {
				vals[i] = r.field(prefix, v).Value
			}
			*out = append(*out, Field{Name: prefix, Value: strings.Join(vals, ", ")})
			return
		}
		for i, e := range x {
			r.flatten(join(strconv.Itoa(i)), e, out, depth+1)
		}
	case string:
		*out = append(*out, r.field(prefix, x))
	case nil:
		*out = append(*out, Field{Name: prefix, Value: "null"})
	default:
		b, _ := json.Marshal(x)
		*out = append(*out, r.field(prefix, string(b)))
	}
}
