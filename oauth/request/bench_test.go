package request

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// benchJSON returns a minified JSON document of about n bytes shaped like a
// typical API list response.
func benchJSON(n int) []byte {
	var b bytes.Buffer
	b.Grow(n + 256)
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"item %d","active":%t,"score":%d.%02d,"tags":["alpha","beta"],"owner":{"id":"u-%d","email":"user%d@example.com"},"note":null}`,
			i, i, i%3 != 0, i%1000, i%100, i%97, i%97)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

var benchSizes = []struct {
	name string
	n    int
}{{"1MB", 1 << 20}, {"10MB", 10 << 20}, {"50MB", 50 << 20}}

// BenchmarkBodyIndex: reading a body into memory and indexing its lines.
func BenchmarkBodyIndex(b *testing.B) {
	for _, sz := range benchSizes {
		data := bytes.Repeat([]byte(`{"id":1,"name":"a line of an already pretty body"}`+"\n"), sz.n/50)
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := ReadBody(bytes.NewReader(data), int64(len(data)), 0, "application/json"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPrettyJSON: laying out a minified JSON body (runs off the UI loop).
func BenchmarkPrettyJSON(b *testing.B) {
	for _, sz := range benchSizes {
		data := benchJSON(sz.n)
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var p *Pretty
			for b.Loop() {
				var err error
				if p, err = PrettyJSON(context.Background(), data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.Len()), "lines")
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(len(p.starts)*6)/float64(len(data)), "index/body")
		})
	}
}

// BenchmarkSearch: a search that finds nothing scans the whole pretty body.
func BenchmarkSearch(b *testing.B) {
	data := benchJSON(10 << 20)
	p, err := PrettyJSON(context.Background(), data)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := NewBody(data, "application/json")
	for _, tc := range []struct {
		name string
		l    Lines
	}{{"raw-10MB", body}, {"pretty-10MB", p}} {
		b.Run(tc.name, func(b *testing.B) {
			q := NewQuery("no such text")
			for b.Loop() {
				if _, ok, _ := Search(context.Background(), tc.l, q, Match{0, -1}, false); ok {
					b.Fatal("found")
				}
			}
		})
	}
}

// BenchmarkSendOverhead compares a request through the Sender (template
// rendering, credential lookup and application, redirect policy, trace,
// body model) with the same request through a bare http.Client, on loopback.
func BenchmarkSendOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	f := newFixture(b)
	b.Run("bare-http-client", func(b *testing.B) {
		c := &http.Client{Transport: &http.Transport{}}
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/hello", nil)
			req.Header.Set("X-API-Key", fakeAPIKey)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
	})
	b.Run("sender-api-key-catalog-snapshot", func(b *testing.B) {
		cat, err := f.v.Load()
		if err != nil {
			b.Fatal(err)
		}
		s := &Sender{Vault: f.v, Catalog: func() (*vault.Catalog, error) { return cat, nil }}
		spec := Spec{URL: srv.URL + "/{{greeting}}", Auth: "apikey", Headers: []vault.Header{{Name: "Accept", Value: "application/json"}}}
		for b.Loop() {
			resp, err := s.Send(context.Background(), f.env, spec, SendOptions{})
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatal(err)
			}
		}
	})
	b.Run("sender-api-key", func(b *testing.B) {
		spec := Spec{URL: srv.URL + "/{{greeting}}", Auth: "apikey", Headers: []vault.Header{{Name: "Accept", Value: "application/json"}}}
		for b.Loop() {
			resp, err := f.sender.Send(context.Background(), f.env, spec, SendOptions{})
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatal(err)
			}
		}
	})
}
