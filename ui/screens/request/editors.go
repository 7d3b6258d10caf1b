package request

import (
	"fmt"
	"mime"
	"strings"

	"github.com/authdeck/authdeck/ui/components/kvtable"
	"github.com/authdeck/authdeck/vault"
)

// This file holds the composer's tables and body editors: the query
// parameters kept in step with the URL, the headers, and the body as raw
// text, a URL-encoded form, a multipart form or a file read when sent —
// and how they become a vault.Request (every row kept, disabled ones too).

// bodyMode is what the body editor edits.
type bodyMode int

const (
	bodyRaw bodyMode = iota
	bodyURLEncoded
	bodyMultipart
	bodyFile
	bodyModeCount
)

var bodyModeNames = [bodyModeCount]string{"raw", "form (URL-encoded)", "multipart form", "file"}

const urlEncodedType = "application/x-www-form-urlencoded"

// splitURL cuts a URL as written ({{variables}} allowed) into what comes
// before its query, the query (without '?') and the fragment (with '#').
func splitURL(u string) (base, query, frag string) {
	hash, q := strings.IndexByte(u, '#'), strings.IndexByte(u, '?')
	if hash >= 0 {
		u, frag = u[:hash], u[hash:]
	}
	if q < 0 || (hash >= 0 && hash < q) {
		return u, "", frag
	}
	return u[:q], u[q+1:], frag
}

// queryRows are the parameters of the URL's query, as written.
func queryRows(u string) []kvtable.Row {
	_, query, _ := splitURL(u)
	var rows []kvtable.Row
	for _, pair := range strings.Split(query, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		rows = append(rows, kvtable.Row{Name: name, Value: value})
	}
	return rows
}

// withQuery is u with its query made of the enabled rows.
func withQuery(u string, rows []kvtable.Row) string {
	base, _, frag := splitURL(u)
	var pairs []string
	for _, r := range rows {
		if r.Disabled || r.Name == "" {
			continue
		}
		p := escapeQuery(r.Name, true)
		if r.Value != "" {
			p += "=" + escapeQuery(r.Value, false)
		}
		pairs = append(pairs, p)
	}
	if len(pairs) > 0 {
		base += "?" + strings.Join(pairs, "&")
	}
	return base + frag
}

// escapeQuery percent-encodes what would break a query written by hand —
// '&', '#', '=' in a name, control bytes, and outside {{variables}} (whose
// names may hold spaces) spaces and non-ASCII bytes — and keeps the rest
// as typed, %-escapes included. No text can split a row in two or end the
// query.
func escapeQuery(s string, name bool) string {
	var b strings.Builder
	inVar := false
	for i := 0; i < len(s); i++ {
		switch {
		case !inVar && strings.HasPrefix(s[i:], "{{") && strings.Contains(s[i+2:], "}}"):
			inVar = true
		case inVar && strings.HasPrefix(s[i:], "}}"):
			inVar = false
			b.WriteString("}}")
			i++
			continue
		}
		c := s[i]
		breaks := c < ' ' || c == 0x7f || c == '&' || c == '#' || (name && c == '=')
		if breaks || (!inVar && (c == ' ' || c > 0x7f)) {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// mergeDisabled puts the disabled rows of old back among fresh rows, each
// at the position it had (or at the end).
func mergeDisabled(fresh, old []kvtable.Row) []kvtable.Row {
	out := append([]kvtable.Row(nil), fresh...)
	for i, r := range old {
		if r.Disabled {
			at := min(i, len(out))
			out = append(out[:at], append([]kvtable.Row{r}, out[at:]...)...)
		}
	}
	return out
}

// paramsFromURL re-reads the parameter table after the URL was edited.
func (m *Model) paramsFromURL() {
	m.params.SetRows(mergeDisabled(queryRows(m.url.Value()), m.params.Rows()))
}

// urlFromParams rewrites the URL's query after the table was edited.
func (m *Model) urlFromParams() {
	m.url.SetValue(withQuery(m.url.Value(), m.params.Rows()))
	m.url.CursorEnd()
}

// loadParts fills the tables and body editors from a request: enabled
// saved parameters join the URL's query, disabled ones stay in the table.
func (m *Model) loadParts(r vault.Request) {
	rows := queryRows(r.URL)
	u, extra := r.URL, false
	for _, p := range r.Params {
		rows = append(rows, kvtable.Row{Name: p.Name, Value: p.Value, Disabled: p.Disabled})
		extra = extra || !p.Disabled
	}
	if extra {
		u = withQuery(u, rows)
	}
	m.url.SetValue(u)
	m.params.SetRows(rows)
	hs := make([]kvtable.Row, 0, len(r.Headers))
	for _, h := range r.Headers {
		hs = append(hs, kvtable.Row{Name: h.Name, Value: h.Value, Disabled: h.Disabled})
	}
	m.headers.SetRows(hs)
	m.body.SetValue(r.Body)
	m.bodyPath.SetValue(r.BodyFile)
	m.stripLineBreaks = r.StripLineBreaks
	fields := make([]kvtable.Row, 0, len(r.Form))
	for _, f := range r.Form {
		row := kvtable.Row{Name: f.Name, Value: f.Value, Disabled: f.Disabled, File: f.IsFile, ContentType: f.ContentType}
		if f.IsFile {
			row.Value = f.File
		}
		fields = append(fields, row)
	}
	m.form.SetRows(nil)
	m.multipart.SetRows(nil)
	switch {
	case len(r.Form) > 0 && isURLEncoded(contentType(hs)):
		m.mode = bodyURLEncoded
		m.form.SetRows(fields)
	case len(r.Form) > 0:
		m.mode = bodyMultipart
		m.multipart.SetRows(fields)
	case r.BodyFile != "":
		m.mode = bodyFile
	default:
		m.mode = bodyRaw
	}
	m.showParams = len(rows) > 0
}

// contentType is the value of the enabled Content-Type header, if any.
func contentType(rows []kvtable.Row) string {
	for _, r := range rows {
		if !r.Disabled && strings.EqualFold(r.Name, "Content-Type") {
			return r.Value
		}
	}
	return ""
}

func isURLEncoded(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == urlEncodedType
}

// cycleBody moves the body editor to the next kind of body and keeps the
// Content-Type header in step: a URL-encoded form sets it, leaving one
// removes it (a multipart form gets its type, with the boundary, when sent).
func (m *Model) cycleBody() string {
	from := m.mode
	m.mode = (m.mode + 1) % bodyModeCount
	// A form's text fields follow it to the other kind of form.
	switch {
	case m.mode == bodyMultipart && len(m.multipart.Rows()) == 0:
		m.multipart.SetRows(m.form.Rows())
	case m.mode == bodyURLEncoded && len(m.form.Rows()) == 0:
		var text []kvtable.Row
		for _, r := range m.multipart.Rows() {
			if !r.File {
				text = append(text, r)
			}
		}
		m.form.SetRows(text)
	}
	rows := m.headers.Rows()
	note := ""
	switch {
	case m.mode == bodyURLEncoded:
		rows = setHeader(rows, "Content-Type", urlEncodedType)
		note = " (Content-Type: " + urlEncodedType + ")"
	case from == bodyURLEncoded && isURLEncoded(contentType(rows)):
		rows = dropHeader(rows, "Content-Type")
		note = " (Content-Type header removed)"
	}
	m.headers.SetRows(rows)
	m.setFocus(fieldBody)
	return "Body: " + bodyModeNames[m.mode] + note
}

// setHeader sets the enabled header name to value, adding it if needed.
func setHeader(rows []kvtable.Row, name, value string) []kvtable.Row {
	for i, r := range rows {
		if !r.Disabled && strings.EqualFold(r.Name, name) {
			rows[i].Value = value
			return rows
		}
	}
	return append(rows, kvtable.Row{Name: name, Value: value})
}

// dropHeader removes the enabled headers called name.
func dropHeader(rows []kvtable.Row, name string) []kvtable.Row {
	out := rows[:0]
	for _, r := range rows {
		if r.Disabled || !strings.EqualFold(r.Name, name) {
			out = append(out, r)
		}
	}
	return out
}

// request reads the composer as a saved request would hold it: every row
// of every table, disabled ones too; the parameters left in the table
// (the disabled ones) beside the URL. It refuses what cannot be sent.
func (m *Model) request() (vault.Request, error) {
	r := vault.Request{
		Method: strings.ToUpper(strings.TrimSpace(m.method.Value())), URL: strings.TrimSpace(m.url.Value()),
		Auth: strings.TrimSpace(m.auth.Value()), Placement: m.placement, InsecureSkipVerify: m.insecure,
	}
	if m.saved != nil {
		r.Scheme, r.Folder = m.saved.Scheme, m.saved.Folder
	}
	for _, p := range m.params.Rows() {
		if p.Disabled {
			r.Params = append(r.Params, vault.QueryParam{Name: p.Name, Value: p.Value, Disabled: true})
		}
	}
	headers := m.headers.Rows()
	for i, h := range headers {
		if h.Name == "" {
			return r, fmt.Errorf("headers, row %d: a header needs a name", i+1)
		}
		r.Headers = append(r.Headers, vault.Header{Name: h.Name, Value: h.Value, Disabled: h.Disabled})
	}
	return r, m.bodyInto(&r, contentType(headers))
}

// bodyInto sets the body of r from the editor of the current kind.
func (m *Model) bodyInto(r *vault.Request, ct string) error {
	switch m.mode {
	case bodyRaw:
		r.Body = m.body.Value()
	case bodyFile:
		r.BodyFile = strings.TrimSpace(m.bodyPath.Value())
		r.StripLineBreaks = m.stripLineBreaks
		if r.BodyFile == "" {
			return fmt.Errorf("body: type the path of the file to send (ctrl+o changes the kind of body)")
		}
	case bodyURLEncoded:
		switch {
		case ct == "":
			r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: urlEncodedType})
		case !isURLEncoded(ct):
			return fmt.Errorf("body: a URL-encoded form needs Content-Type: %s, not %q", urlEncodedType, ct)
		}
		return formInto(r, m.form.Rows())
	case bodyMultipart:
		if isURLEncoded(ct) {
			return fmt.Errorf("body: the Content-Type header says %s but the body is a multipart form; remove the header", urlEncodedType)
		}
		return formInto(r, m.multipart.Rows())
	case bodyModeCount:
		// not a kind of body
	}
	return nil
}

// formInto sets r's form from rows; a file row keeps only its path (the
// file is read when the request is sent).
func formInto(r *vault.Request, rows []kvtable.Row) error {
	for i, f := range rows {
		if f.Name == "" {
			return fmt.Errorf("body, form row %d: a field needs a name", i+1)
		}
		ff := vault.FormField{Name: f.Name, Value: f.Value, Disabled: f.Disabled, ContentType: f.ContentType}
		if f.File {
			ff.IsFile, ff.File, ff.Value = true, f.Value, ""
		}
		r.Form = append(r.Form, ff)
	}
	if len(r.Form) == 0 {
		r.Form = nil
	}
	return nil
}

// rowsDraft is a table's content, to tell whether it was edited.
func rowsDraft(rows []kvtable.Row) string { return fmt.Sprintf("%#v", rows) }
