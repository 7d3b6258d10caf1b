package interchange

import (
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
	switch {
	case method == "HEAD" && r.Body == "":
		args = append(args, "--head")
	case method == "GET" && r.Body == "", method == "POST" && r.Body != "":
		// curl's defaults
	default:
		args = append(args, "-X "+ShellQuote(method))
	}
	if r.Insecure {
		args = append(args, "-k")
	}
	args = append(args, ShellQuote(r.URL))
	for _, h := range r.Headers {
		args = append(args, "-H "+ShellQuote(h.Name+": "+h.Value))
	}
	if r.Body != "" {
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
