package request

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// wire is a request being assembled: headers keep their order.
type wire struct {
	method  string
	url     *url.URL
	headers []vault.Header
	body    []byte
	// source says where the body comes from when it is not text written
	// in the request: a file, or multipart parts (what a curl command line
	// says with --data-binary @file, -d @file and -F).
	source BodySource
}

// BodySource is a body read from a file (File, without its line breaks
// when StripLineBreaks) or made of multipart parts (Parts), as rendered.
type BodySource struct {
	File            string
	StripLineBreaks bool
	Parts           []vault.FormField
}

func (w *wire) clone() *wire {
	c := *w
	u := *w.url
	c.url = &u
	c.headers = slices.Clone(w.headers)
	c.body = slices.Clone(w.body)
	c.source.Parts = slices.Clone(w.source.Parts)
	return &c
}

func (w *wire) get(name string) string {
	for _, h := range w.headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// set replaces every header called name (any case) with one value and
// reports whether one was replaced.
func (w *wire) set(name, value string) bool {
	replaced := false
	out := w.headers[:0]
	for _, h := range w.headers {
		if strings.EqualFold(h.Name, name) {
			replaced = true
			continue
		}
		out = append(out, h)
	}
	w.headers = append(out, vault.Header{Name: name, Value: value})
	return replaced
}

func (w *wire) httpHeader() http.Header {
	h := make(http.Header, len(w.headers))
	for _, x := range w.headers {
		h.Add(x.Name, x.Value)
	}
	return h
}

func validHeaderName(h string) bool {
	for i := 0; i < len(h); i++ {
		if !isTokenChar(h[i]) {
			return false
		}
	}
	return true
}
