package oauth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/dpop"
)

// BenchmarkDPoPTokenRequest is what DPoP adds to one token request in
// process: the same client-credentials fetch against a loopback token
// endpoint with and without a proof (the server checks nothing, so the
// difference is the client's proof, header and bookkeeping).
//
//	go test -run '^$' -bench BenchmarkDPoPTokenRequest -benchmem ./oauth/
func BenchmarkDPoPTokenRequest(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		tt := "Bearer"
		if r.Header.Get(dpop.HeaderName) != "" {
			tt = "DPoP"
		}
		io.WriteString(w, `{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMifQ.c2ln","token_type":"`+tt+`","expires_in":3600,"scope":"api:read"}`)
	}))
	b.Cleanup(srv.Close)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	_, pemText, err := dpop.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	for _, on := range []bool{false, true} {
		name := "bearer"
		if on {
			name = "DPoP"
		}
		b.Run(name, func(b *testing.B) {
			e := &Engine{HTTPClient: hc}
			ac, creds := ccClient(srv.URL + "/token")
			if on {
				ac.DPoP, creds.DPoPKey = true, pemText
			}
			req := FetchRequest{Client: ac, Credentials: *creds}
			b.ReportAllocs()
			for b.Loop() {
				r, err := e.Fetch(b.Context(), req, FlowCallbacks{})
				if err != nil || (on && r.DPoPJKT == "") {
					b.Fatalf("fetch: %v", err)
				}
			}
		})
	}
}
