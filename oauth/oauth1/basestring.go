package oauth1

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// BaseString builds the RFC 5849 §3.4.1 signature base string of a request:
// the method in uppercase, the base string URI of rawURL (§3.4.1.2) and the
// normalised parameters (§3.4.1.3.2), each percent-encoded and joined with
// '&'. The query parameters of rawURL are included; params are the other
// parameters to sign, decoded: the protocol parameters (oauth_*, without
// oauth_signature and realm) and the form body parameters.
func BaseString(method, rawURL string, params []Param) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("request URL: %w", err)
	}
	return baseString(method, u, params)
}

func baseString(method string, u *url.URL, params []Param) (string, error) {
	uri, err := BaseStringURI(u)
	if err != nil {
		return "", err
	}
	query, err := ParseForm(u.RawQuery)
	if err != nil {
		return "", fmt.Errorf("request URL query: %w", err)
	}
	all := make([]Param, 0, len(query)+len(params))
	for _, src := range [][]Param{query, params} {
		for _, p := range src {
			// The signature never signs itself, wherever it travels (§3.4.1.3.1).
			if p.Name != "oauth_signature" {
				all = append(all, p)
			}
		}
	}
	return strings.ToUpper(method) + "&" + Encode(uri) + "&" + Encode(NormalizeParams(all)), nil
}

// BaseStringURI returns the §3.4.1.2 base string URI of u: scheme and host in
// lowercase, the port only when it is not the scheme's default (80 for http,
// 443 for https), the path as sent ("/" when empty), and neither user info,
// query nor fragment.
func BaseStringURI(u *url.URL) (string, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("request URL %q: scheme must be http or https", clip(u.Redacted(), 200))
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", fmt.Errorf("request URL %q has no host", clip(u.Redacted(), 200))
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, nil
}

// NormalizeParams implements §3.4.1.3.2: every name and value is
// percent-encoded, the pairs are sorted by encoded name, then by encoded
// value (byte order), and joined as name=value with '&'. Duplicates stay.
func NormalizeParams(params []Param) string {
	enc := make([]Param, len(params))
	for i, p := range params {
		enc[i] = Param{Name: Encode(p.Name), Value: Encode(p.Value)}
	}
	slices.SortFunc(enc, func(a, b Param) int {
		if c := cmp.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	return b.String()
}
