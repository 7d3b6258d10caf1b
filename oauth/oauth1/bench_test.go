package oauth1_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
)

// BenchmarkSign measures what signing adds to a request: base string,
// signature and placement. go test -run XXX -bench Sign -benchmem ./oauth/oauth1/
func BenchmarkSign(b *testing.B) {
	key := testKey(b)
	const body = "title=caf%C3%A9+au+lait&tag=a%2Bb&tag=%7E"
	for _, method := range oauth1.Methods {
		for _, placement := range []vault.Placement{vault.PlaceHeader, vault.PlaceQuery, vault.PlaceBody} {
			b.Run(method+"/"+string(placement), func(b *testing.B) {
				s := &oauth1.Signer{
					ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tok", TokenSecret: "ts",
					Method: method, PrivateKey: key, Placement: placement,
				}
				req, err := http.NewRequest(http.MethodPost, "https://api.example.com/photos?file=vacation.jpg&size=original", nil)
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				query := req.URL.RawQuery
				b.ReportAllocs()
				for b.Loop() {
					req.URL.RawQuery = query
					req.Body = io.NopCloser(strings.NewReader(body))
					if err := s.Sign(req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerify measures a server's side: parse the protocol parameters
// and check the signature. go test -run XXX -bench Verify -benchmem ./oauth/oauth1/
func BenchmarkVerify(b *testing.B) {
	key := testKey(b)
	for _, method := range oauth1.Methods {
		b.Run(method, func(b *testing.B) {
			s := &oauth1.Signer{ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tok", TokenSecret: "ts", Method: method, PrivateKey: key}
			req, err := http.NewRequest(http.MethodGet, "https://api.example.com/photos?file=vacation.jpg&size=original", nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Sign(req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				in, err := oauth1.ParseRequest(req, "https")
				if err != nil {
					b.Fatal(err)
				}
				if err := in.Verify("cs", "ts", key.Public()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
