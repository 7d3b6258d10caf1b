package request

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/history"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// Curl returns the request as a curl command line, one option per line when
// multiline. Credentials are masked unless the request was prepared with reveal.
func (p *Prepared) Curl(multiline bool) string {
	body := p.Body
	if strings.HasPrefix(body, "(") && strings.HasSuffix(body, "bytes of binary data)") {
		body = ""
	}
	return interchange.CurlCommand(interchange.CurlRequest{
		Method: p.Method, URL: p.URL, Headers: p.Headers, Body: body, Insecure: p.Insecure,
		BodyFile: p.Source.File, StripLineBreaks: p.Source.StripLineBreaks, Form: p.Source.Parts,
	}, multiline)
}

// Dump writes the request like curl -v does ("> GET /path HTTP/1.1"), masked
// unless prepared with reveal, plus the credential and the warnings.
func (p *Prepared) Dump() string {
	var b strings.Builder
	target, host := p.URL, ""
	if u, err := url.Parse(p.URL); err == nil {
		target, host = u.RequestURI(), u.Host
	}
	fmt.Fprintf(&b, "> %s %s HTTP/1.1\n", p.Method, target)
	if host != "" {
		fmt.Fprintf(&b, "> Host: %s\n", host)
	}
	for _, h := range p.Headers {
		fmt.Fprintf(&b, "> %s: %s\n", h.Name, h.Value)
	}
	b.WriteString(">\n")
	if p.Body != "" {
		for _, line := range strings.Split(p.Body, "\n") {
			b.WriteString("> " + line + "\n")
		}
	}
	if p.Credential != "" {
		b.WriteString("* credential: " + p.Credential + "\n")
	}
	for _, w := range p.Warnings {
		b.WriteString("* warning: " + w + "\n")
	}
	return b.String()
}

// HeaderLines returns the status line and headers as curl -i prints them,
// headers sorted by name.
func (r *Response) HeaderLines() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Proto, r.Status)
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}

// Summary is one line about the response: status, size, time.
func (r *Response) Summary() string {
	size := FormatSize(r.Size)
	if r.Encoding != "" && r.WireSize > 0 {
		size += fmt.Sprintf(" (%s %s)", FormatSize(r.WireSize), r.Encoding)
	}
	return fmt.Sprintf("%s · %s · %s", r.Status, size, FormatDuration(r.Timing.Total))
}

// FormatSize writes a byte count for people: "512 B", "1.5 KB", "10.0 MB".
func FormatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1024*1024*1024))
}

// FormatDuration writes a duration rounded for display: "850µs", "12.3ms", "1.20s".
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// sensitiveResponseHeaders have their values masked in the history.
var sensitiveResponseHeaders = []string{"Set-Cookie", "Authorization", "Proxy-Authenticate", "X-Api-Key"}

// HistoryEntry turns the exchange into a history entry: the masked request,
// the request as written (spec, with literal secrets masked), response
// metadata, cookies masked, and the body when it is small — with every
// secret value of the request scrubbed from it, in case the server echoes one.
func (r *Response) HistoryEntry(env, savedName string, spec Spec, when time.Time) history.Entry {
	e := history.Entry{
		Time: when.UTC(), Env: env, Name: savedName, Method: r.Request.Method, URL: r.Request.URL,
		Headers: slices.Clone(r.Request.Headers), Body: r.Request.Body, Auth: spec.Auth, Placement: r.Request.Placement,
		Insecure: r.Request.Insecure, Status: r.StatusCode, StatusText: http.StatusText(r.StatusCode),
		ContentType: r.Header.Get("Content-Type"), ResponseSize: r.Size, Refreshed: r.Refreshed,
		Timing: history.Timing{
			DNS: vault.Duration(r.Timing.DNS), Connect: vault.Duration(r.Timing.Connect), TLS: vault.Duration(r.Timing.TLS),
			FirstByte: vault.Duration(r.Timing.FirstByte), Total: vault.Duration(r.Timing.Total),
		},
	}
	for _, k := range sortedKeys(r.Header) {
		for _, v := range r.Header[k] {
			if slices.ContainsFunc(sensitiveResponseHeaders, func(s string) bool { return strings.EqualFold(s, k) }) {
				name, _, _ := strings.Cut(v, "=")
				v = name + "=" + mask.Dots
				if !strings.EqualFold(k, "Set-Cookie") {
					v = mask.Dots
				}
			}
			e.ResponseHeaders = append(e.ResponseHeaders, vault.Header{Name: k, Value: r.Scrub(v)})
		}
	}
	e.Template = historyTemplate(spec, r.secrets)
	e.URL, e.Headers = maskQueryLiterals(e.URL), maskLiteralHeaders(e.Headers)
	e.Body = scrub(e.Body, literalSecrets(spec))
	switch {
	case r.Kind == KindBinary:
		e.BodyOmitted = r.Size > 0
	case r.Body != nil && r.Body.Size() <= history.MaxBody:
		e.ResponseBody = r.Scrub(string(r.Body.Bytes()))
	case r.Body == nil && r.BodyFile == "" && r.Size <= history.MaxBody && int64(len(r.head)) == r.Size:
		e.ResponseBody = r.Scrub(string(r.head))
	case r.Size > 0:
		e.BodyOmitted = true
	}
	return e
}

// FailedHistoryEntry records a request that got no response.
func FailedHistoryEntry(p *Prepared, env, savedName string, spec Spec, when time.Time, err error) history.Entry {
	e := history.Entry{Time: when.UTC(), Env: env, Name: savedName, Auth: spec.Auth, Error: err.Error(), Template: historyTemplate(spec, nil)}
	if p != nil {
		e.Method, e.URL, e.Headers, e.Body, e.Placement, e.Insecure = p.Method, p.URL, slices.Clone(p.Headers), p.Body, p.Placement, p.Insecure
		e.Body = scrub(e.Body, literalSecrets(spec))
	}
	return e
}

// historyTemplate keeps the request as written, minus literal values that
// look like credentials (a token typed into a header, a key in the query)
// and any of the request's secret values.
func historyTemplate(spec Spec, secrets []string) *history.Template {
	t := &history.Template{URL: scrub(maskQueryLiterals(spec.URL), secrets), Body: scrub(spec.Body, secrets)}
	for _, h := range maskLiteralHeaders(spec.Headers) {
		t.Headers = append(t.Headers, vault.Header{Name: h.Name, Value: scrub(h.Value, secrets)})
	}
	for _, q := range spec.Params {
		q.Value = scrub(maskLiteralField(q.Name, q.Value), secrets)
		t.Params = append(t.Params, q)
	}
	for _, f := range spec.Form {
		if !f.IsFile {
			f.Value = scrub(maskLiteralField(f.Name, f.Value), secrets)
		}
		t.Form = append(t.Form, f)
	}
	t.BodyFile, t.StripLineBreaks = spec.BodyFile, spec.StripLineBreaks
	return t
}

// literalSecrets are the form values typed as literals that look like
// credentials: the body as sent is scrubbed of them as the template is.
func literalSecrets(spec Spec) []string {
	var out []string
	for _, f := range spec.Form {
		if !f.IsFile && f.Value != "" && maskLiteralField(f.Name, f.Value) == mask.Dots && f.Value != mask.Dots {
			out = append(out, f.Value)
		}
	}
	return out
}

// maskLiteralField masks a parameter or form value typed as a literal that
// looks like a credential, or whose name says it is one.
func maskLiteralField(name, v string) string {
	if v == "" || strings.Contains(v, "{{") || strings.Contains(v, mask.Dots) {
		return v
	}
	if secretlike.Value(v) || secretlike.Field(name, v) {
		return mask.Dots
	}
	return v
}

// maskLiteralHeaders masks header values typed as literals that look like
// credentials; {{references}} and masks already in place are kept.
func maskLiteralHeaders(hs []vault.Header) []vault.Header {
	out := make([]vault.Header, 0, len(hs))
	for _, h := range hs {
		v := h.Value
		if !strings.Contains(v, "{{") && !strings.Contains(v, mask.Dots) &&
			(secretlike.Value(v) || strings.EqualFold(h.Name, "Authorization") || strings.EqualFold(h.Name, "Cookie")) {
			v = mask.Dots
		}
		out = append(out, vault.Header{Name: h.Name, Value: v})
	}
	return out
}

// maskQueryLiterals masks query values that look like credentials.
func maskQueryLiterals(raw string) string {
	base, query, ok := strings.Cut(raw, "?")
	if !ok {
		return raw
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.Contains(v, "{{") {
			continue
		}
		if strings.Contains(v, url.QueryEscape(mask.Dots)) || strings.Contains(v, mask.Dots) {
			continue
		}
		if dv, err := url.QueryUnescape(v); err == nil && secretlike.Value(dv) || secretlike.Name(k) && v != "" {
			parts[i] = k + "=" + mask.Dots
		}
	}
	return base + "?" + strings.Join(parts, "&")
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
