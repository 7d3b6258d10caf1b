package request

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzOAuthProblem reads problem reports a hostile server may send, in a
// WWW-Authenticate header or a form body (S-36): never a panic, and the
// text kept for display is printable ASCII of bounded length.
func FuzzOAuthProblem(f *testing.F) {
	seeds := []struct{ header, body string }{
		{`OAuth realm="authdeck", oauth_problem="signature_invalid"`, ""},
		{"", "oauth_problem=timestamp_refused&oauth_acceptable_timestamps=1-2"},
		{`OAuth oauth_problem="x\u001b]52;c;AAAA\u0007"`, "oauth_problem=%1B%5B2J&oauth_problem_advice=" + strings.Repeat("a", 400)},
		{`OAuth oauth_problem="unterminated`, "oauth_problem"},
		{"Bearer error=\"invalid_token\"", "<html>oauth_problem=</html>"},
	}
	for _, s := range seeds {
		f.Add(s.header, s.body)
	}
	f.Fuzz(func(t *testing.T, header, body string) {
		h := http.Header{}
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			h["Www-Authenticate"] = []string{header}
		}
		p := oauthProblem(h, []byte(body))
		if p == nil {
			return
		}
		for _, s := range []string{p.Code, p.Advice, p.Reason} {
			for i := 0; i < len(s); i++ {
				if c := s[i]; (c < 0x20 || c == 0x7f) && c != '\t' {
					t.Fatalf("control character %#x in %q", c, s)
				}
			}
		}
		if len(p.Code) > 64+len("…") || len(p.Advice) > 300+len("…") {
			t.Fatalf("code %d bytes, advice %d bytes", len(p.Code), len(p.Advice))
		}
	})
}

// FuzzStripProtocolQuery strips oauth_* parameters from a redirect's query
// (outside input, from the Location header): never a panic, no protocol
// parameter left, every other parameter kept in order.
func FuzzStripProtocolQuery(f *testing.F) {
	for _, s := range []string{"", "a=1&oauth_token=x", "oauth%5Fnonce=1", "%zz&oauth_=", "&&=&oauth_signature", "a=%E2%80%A2&b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u := &url.URL{RawQuery: raw}
		stripProtocolQuery(u)
		var kept []string
		for _, p := range strings.Split(raw, "&") {
			name, _, _ := strings.Cut(p, "=")
			if dn, err := url.QueryUnescape(name); err == nil && strings.HasPrefix(dn, "oauth_") {
				continue
			}
			kept = append(kept, p)
		}
		if want := strings.Join(kept, "&"); u.RawQuery != want {
			t.Fatalf("strip(%q) = %q, want %q", raw, u.RawQuery, want)
		}
	})
}
