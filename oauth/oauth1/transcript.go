package oauth1

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authdeck/authdeck/oauth"
)

// Recorder receives each leg of a flow, secrets already redacted. Any type
// with this method works, so an OAuth 2.0 transcript that grows an exported
// Record(oauth.Exchange) method can collect OAuth 1.0a legs too.
type Recorder interface {
	Record(oauth.Exchange)
}

// Transcript collects the legs of a flow. It is safe for concurrent use; a
// UI may read it while the flow runs.
type Transcript struct {
	mu      sync.Mutex
	entries []oauth.Exchange
}

// Record appends x.
func (t *Transcript) Record(x oauth.Exchange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = append(t.entries, x)
}

// Exchanges returns a copy of what was recorded.
func (t *Transcript) Exchanges() []oauth.Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.entries)
}

// Text renders the transcript for a terminal: request lines start with
// "→", response lines with "←", errors and explanations with "!".
func (t *Transcript) Text() string {
	var b strings.Builder
	for _, x := range t.Exchanges() {
		if x.Method != "" || x.URL != "" {
			fmt.Fprintf(&b, "→ %s %s  [%s]\n", x.Method, x.URL, x.Step)
		} else {
			fmt.Fprintf(&b, "• %s\n", x.Step)
		}
		for _, h := range x.RequestHeaders {
			fmt.Fprintf(&b, "    %s: %s\n", h.Name, h.Value)
		}
		for _, p := range x.Params {
			fmt.Fprintf(&b, "    %s=%s\n", p.Name, p.Value)
		}
		if x.Status != 0 {
			fmt.Fprintf(&b, "← %d %s", x.Status, http.StatusText(x.Status))
			if x.Duration > 0 {
				fmt.Fprintf(&b, "  (%s)", x.Duration.Round(time.Millisecond))
			}
			b.WriteByte('\n')
		}
		for _, f := range x.Response {
			fmt.Fprintf(&b, "    %s: %s\n", f.Name, f.Value)
		}
		for _, s := range []string{x.BodyNote, x.Note} {
			if s != "" {
				fmt.Fprintf(&b, "  %s\n", s)
			}
		}
		for _, s := range []string{x.Error, x.Explanation} {
			if s != "" {
				fmt.Fprintf(&b, "! %s\n", s)
			}
		}
	}
	return b.String()
}

// secretNames are parameters whose values never reach a transcript.
var secretNames = map[string]bool{
	"oauth_signature": true, "oauth_token_secret": true, "oauth_verifier": true,
}

// redactor scrubs the secrets of one flow from what it records.
type redactor struct {
	mu     sync.Mutex
	values []string
}

// add marks s as a secret to replace wherever it appears.
func (r *redactor) add(s string) {
	if len(s) < 4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.values, s) {
		r.values = append(r.values, s)
		// longest first, so a secret containing another goes whole
		slices.SortFunc(r.values, func(a, b string) int { return len(b) - len(a) })
	}
}

func (r *redactor) scrub(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.values {
		s = strings.ReplaceAll(s, v, oauth.Redacted)
		if e := Encode(v); e != v {
			s = strings.ReplaceAll(s, e, oauth.Redacted)
		}
	}
	return s
}

func (r *redactor) field(name, value string) oauth.Field {
	if secretNames[name] && value != "" {
		return oauth.Field{Name: name, Value: oauth.Redacted}
	}
	return oauth.Field{Name: name, Value: r.scrub(value)}
}

func (r *redactor) params(ps []Param) []oauth.Field {
	out := make([]oauth.Field, 0, len(ps))
	for _, p := range ps {
		out = append(out, r.field(p.Name, p.Value))
	}
	return out
}

// url returns raw with secret query values redacted.
func (r *redactor) url(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return r.scrub(raw)
	}
	u.User = nil
	if ps, err := ParseForm(u.RawQuery); err == nil && len(ps) > 0 {
		for i := range ps {
			if secretNames[ps[i].Name] && ps[i].Value != "" {
				ps[i].Value = oauth.Redacted
			}
		}
		u.RawQuery = formEncode(ps)
	}
	u.Fragment, u.RawFragment = "", ""
	return strings.ReplaceAll(r.scrub(u.String()), Encode(oauth.Redacted), oauth.Redacted)
}

// authorization shows an OAuth Authorization header with its secrets redacted.
func (r *redactor) authorization(h string) string {
	realm, ps, err := ParseAuthorization(h)
	if err != nil {
		scheme, _, _ := strings.Cut(h, " ")
		return scheme + " " + oauth.Redacted
	}
	var b strings.Builder
	b.WriteString("OAuth ")
	if realm != "" {
		fmt.Fprintf(&b, "realm=%q, ", r.scrub(realm))
	}
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		f := r.field(p.Name, p.Value)
		fmt.Fprintf(&b, "%s=%q", f.Name, f.Value)
	}
	return b.String()
}

// noRecorder drops everything.
type noRecorder struct{}

func (noRecorder) Record(oauth.Exchange) {}
