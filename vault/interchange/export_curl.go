package interchange

import (
	"mime"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// This file writes a request as a curl command line (`authdeck export curl`,
// the request console's copy-as-curl).

// CurlRequest is a request to write as a curl command line. Its values are
// written as given: mask credentials before, unless they are to be revealed.
type CurlRequest struct {
	Method  string
	URL     string
	Headers []vault.Header
	Body    string
	// Insecure adds -k (TLS verification off).
	Insecure bool
	// BodyFile is a file sent as the body instead of Body: --data-binary
	// @file, or --data @file (curl then leaves out its line breaks) with
	// StripLineBreaks.
	BodyFile        string
	StripLineBreaks bool
	// Form are the parts of a multipart body sent instead of Body: -F for
	// files (and text with a Content-Type), --form-string for text. A
	// multipart/form-data Content-Type header is left to curl, which
	// writes its own boundary.
	Form []vault.FormField
}

// partsType is the Content-Type header to give curl with -F: none for
// multipart/form-data (curl's own), else the multipart type without its
// boundary (curl adds the boundary of the body it writes).
func partsType(v string) string {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt == "multipart/form-data" {
		return ""
	}
	delete(params, "boundary")
	return mime.FormatMediaType(mt, params)
}

// curlFormArgs writes multipart parts as curl options: a file as
// -F 'name=@"path";type=…', text as --form-string 'name=value' (which
// never reads a file, whatever the value starts with), text with its own
// Content-Type as -F 'name="value";type=…'.
func curlFormArgs(parts []vault.FormField) []string {
	args := make([]string, 0, len(parts))
	for _, f := range parts {
		typ := ""
		if f.ContentType != "" {
			typ = ";type=" + f.ContentType
		}
		switch {
		case f.IsFile:
			args = append(args, "-F "+ShellQuote(f.Name+"=@"+quoteFormWord(f.File)+typ))
		case typ == "":
			args = append(args, "--form-string "+ShellQuote(f.Name+"="+f.Value))
		default:
			args = append(args, "-F "+ShellQuote(f.Name+"="+quoteFormWord(f.Value)+typ))
		}
	}
	return args
}

// quoteFormWord is a value of a -F option in double quotes, as curl reads
// it there (and curlFormWord reads it back): a backslash escapes '"' and
// '\'. A word without quotes would end at ';' (and a leading '@' or '<'
// would name a file).
func quoteFormWord(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// ShellQuote quotes s for a POSIX shell: single quotes, each embedded single
// quote closed, escaped and reopened; plain words are left bare.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CurlCommand writes r as a curl command line, one option per line joined
// with backslash continuations when multiline is set.
func CurlCommand(r CurlRequest, multiline bool) string {
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = "GET"
	}
	args := []string{"curl"}
	hasBody := r.Body != "" || r.BodyFile != "" || len(r.Form) > 0
	switch {
	case method == "HEAD" && !hasBody:
		args = append(args, "--head")
	case method == "GET" && !hasBody, method == "POST" && hasBody:
		// curl's defaults
	default:
		args = append(args, "-X "+ShellQuote(method))
	}
	if r.Insecure {
		args = append(args, "-k")
	}
	args = append(args, ShellQuote(r.URL))
	for _, h := range r.Headers {
		if len(r.Form) > 0 && strings.EqualFold(h.Name, "Content-Type") {
			if v := partsType(h.Value); v != "" {
				args = append(args, "-H "+ShellQuote(h.Name+": "+v))
			}
			continue
		}
		args = append(args, "-H "+ShellQuote(h.Name+": "+h.Value))
	}
	if (r.BodyFile != "" || r.Body != "") && len(r.Form) == 0 && !curlNamesHeader(r.Headers, "Content-Type") {
		// curl would send its form type with the data; the request has none
		args = append(args, "-H "+ShellQuote("Content-Type:"))
	}
	switch {
	case len(r.Form) > 0:
		args = append(args, curlFormArgs(r.Form)...)
	case r.BodyFile != "" && r.StripLineBreaks:
		args = append(args, "--data "+ShellQuote("@"+r.BodyFile))
	case r.BodyFile != "":
		args = append(args, "--data-binary "+ShellQuote("@"+r.BodyFile))
	case r.Body != "":
		args = append(args, "--data-raw "+ShellQuote(r.Body))
	}
	if !multiline {
		return strings.Join(args, " ")
	}
	var b strings.Builder
	b.WriteString(args[0])
	for i, a := range args[1:] {
		if i == 0 {
			b.WriteString(" " + a)
			continue
		}
		b.WriteString(" \\\n  " + a)
	}
	return b.String()
}
