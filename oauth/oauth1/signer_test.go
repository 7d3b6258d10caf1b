package oauth1_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
)

// TestSignPlacementsRoundTrip signs with every method and placement and
// checks that a server parsing the request finds the parameters where they
// were put and verifies the signature, and that the body still reads.
func TestSignPlacementsRoundTrip(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	for _, method := range oauth1.Methods {
		for _, placement := range []vault.Placement{vault.PlaceHeader, vault.PlaceQuery, vault.PlaceBody} {
			t.Run(method+"/"+string(placement), func(t *testing.T) {
				t.Parallel()
				body := "title=caf%C3%A9+au+lait&tag=a%2Bb&tag=%7E"
				req, err := http.NewRequest(http.MethodPost, "https://API.example.com:443/photos?file=vacation.jpg&size=original&q=a+b", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				s := &oauth1.Signer{
					ConsumerKey: "ck", ConsumerSecret: "cs&é", Token: "tok", TokenSecret: "ts +~",
					Method: method, PrivateKey: key, Placement: placement, Realm: `photos "demo"`,
				}
				if _, err := s.SignRequest(req); err != nil {
					t.Fatal(err)
				}
				in, err := oauth1.ParseRequest(req, "https")
				if err != nil {
					t.Fatal(err)
				}
				if in.Placement != placement {
					t.Errorf("parameters found in %s, want %s", in.Placement, placement)
				}
				if err := in.Verify("cs&é", "ts +~", key.Public()); err != nil {
					t.Errorf("Verify: %v", err)
				}
				if err := in.Verify("other", "ts +~", key.Public()); method != oauth1.RSASHA1 && method != oauth1.RSASHA256 && !errors.Is(err, oauth1.ErrBadSignature) {
					t.Errorf("Verify with another consumer secret: %v, want ErrBadSignature", err)
				}
				got, err := io.ReadAll(req.Body)
				if err != nil {
					t.Fatal(err)
				}
				if placement == vault.PlaceBody {
					if !strings.HasPrefix(string(got), body+"&oauth_consumer_key=ck&") {
						t.Errorf("body %q does not start with the original form and the parameters", got)
					}
				} else if string(got) != body {
					t.Errorf("body after signing %q, want %q", got, body)
				}
				if req.ContentLength != int64(len(got)) {
					t.Errorf("ContentLength %d, body %d bytes", req.ContentLength, len(got))
				}
				if rb, err := req.GetBody(); err != nil {
					t.Error(err)
				} else if again, _ := io.ReadAll(rb); string(again) != string(got) {
					t.Error("GetBody does not replay the body")
				}
				hasHeader := req.Header.Get("Authorization") != ""
				if hasHeader != (placement == vault.PlaceHeader) {
					t.Errorf("Authorization header present = %v with placement %s", hasHeader, placement)
				}
				if inQuery := strings.Contains(req.URL.RawQuery, "oauth_signature="); inQuery != (placement == vault.PlaceQuery) {
					t.Errorf("signature in query = %v with placement %s", inQuery, placement)
				}
			})
		}
	}
}

// TestSignLeavesOtherBodies checks that a JSON body is neither read into
// the signature nor changed.
func TestSignLeavesOtherBodies(t *testing.T) {
	t.Parallel()
	req, err := http.NewRequest(http.MethodPut, "https://api.example.com/x", strings.NewReader(`{"a":"b=c&d"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	s := &oauth1.Signer{ConsumerKey: "ck", ConsumerSecret: "cs", Method: oauth1.HMACSHA1}
	signed, err := s.SignRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(signed.BaseString, "%26d") || strings.Contains(signed.BaseString, "a%253A") {
		t.Errorf("JSON body leaked into the base string: %s", signed.BaseString)
	}
	b, _ := io.ReadAll(req.Body)
	if string(b) != `{"a":"b=c&d"}` {
		t.Errorf("body changed: %q", b)
	}
}

// TestSignUsesHostHeader checks that a Host override is what gets signed,
// since that is what the server sees.
func TestSignUsesHostHeader(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/p", nil)
	req.Host = "API.Example.com"
	s := &oauth1.Signer{ConsumerKey: "ck", ConsumerSecret: "cs", Method: oauth1.HMACSHA1}
	signed, err := s.SignRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(signed.BaseString, "GET&http%3A%2F%2Fapi.example.com%2Fp&") {
		t.Errorf("base string %s", signed.BaseString)
	}
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	newReq := func(method, target, ct, body string) *http.Request {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, target, r)
		if err != nil {
			t.Fatal(err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		return req
	}
	ok := oauth1.Signer{ConsumerKey: "ck", ConsumerSecret: "cs", Method: oauth1.HMACSHA1}
	tests := []struct {
		name    string
		mod     func(*oauth1.Signer)
		req     *http.Request
		wantErr string
	}{
		{"no consumer key", func(s *oauth1.Signer) { s.ConsumerKey = "" }, newReq("GET", "https://a.example/", "", ""), "no consumer key"},
		{"no method", func(s *oauth1.Signer) { s.Method = "" }, newReq("GET", "https://a.example/", "", ""), "no signature method"},
		{"unknown method", func(s *oauth1.Signer) { s.Method = "HMAC-MD5" }, newReq("GET", "https://a.example/", "", ""), `"HMAC-MD5" is not`},
		{"RSA without key", func(s *oauth1.Signer) { s.Method = oauth1.RSASHA256 }, newReq("GET", "https://a.example/", "", ""), "needs the client's RSA private key"},
		{"token secret without token", func(s *oauth1.Signer) { s.TokenSecret = "x" }, newReq("GET", "https://a.example/", "", ""), "token secret without its token"},
		{"bad placement", func(s *oauth1.Signer) { s.Placement = "cookie" }, newReq("GET", "https://a.example/", "", ""), `placement "cookie"`},
		{"body placement on GET", func(s *oauth1.Signer) { s.Placement = vault.PlaceBody }, newReq("GET", "https://a.example/", "", ""), "not GET"},
		{"body placement with JSON", func(s *oauth1.Signer) { s.Placement = vault.PlaceBody }, newReq("POST", "https://a.example/", "application/json", "{}"), "needs an application/x-www-form-urlencoded body"},
		{"protocol parameter in the query", nil, newReq("GET", "https://a.example/?oauth_token=x", "", ""), "already carries the protocol parameter oauth_token"},
		{"protocol parameter in the body", nil, newReq("POST", "https://a.example/", "application/x-www-form-urlencoded", "a=1&oauth_nonce=2"), "form body already carries the protocol parameter oauth_nonce"},
		{"bad query", nil, newReq("GET", "https://a.example/?a=%zz", "", ""), "request URL query"},
		{"bad form body", nil, newReq("POST", "https://a.example/", "application/x-www-form-urlencoded", "a=%"), "form body"},
		{"bad content type", nil, newReq("POST", "https://a.example/", "a/b; ;", "x"), "Content-Type"},
		{"not http", nil, newReq("GET", "ftp://a.example/", "", ""), "scheme must be http or https"},
		{"realm with a control character", func(s *oauth1.Signer) { s.Realm = "a\nb" }, newReq("GET", "https://a.example/", "", ""), "control character"},
		{"RSA with a key that is not RSA", func(s *oauth1.Signer) { s.Method = oauth1.RSASHA1; s.PrivateKey = ecKey(t) }, newReq("GET", "https://a.example/", "", ""), "needs an RSA private key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			if tc.mod != nil {
				tc.mod(&s)
			}
			before := tc.req.URL.String()
			err := s.Sign(tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Sign error = %v, want it to contain %q", err, tc.wantErr)
			}
			if tc.req.Header.Get("Authorization") != "" || tc.req.URL.String() != before {
				t.Error("a failed Sign changed the request")
			}
		})
	}
}

// TestNonce checks the default nonce: 128 bits, unreserved characters only,
// different every time.
func TestNonce(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		n := oauth1.NewNonce()
		if len(n) != 22 || oauth1.Encode(n) != n {
			t.Fatalf("nonce %q: want 22 unreserved characters", n)
		}
		if seen[n] {
			t.Fatalf("nonce %q repeated", n)
		}
		seen[n] = true
	}
}

// TestAuthorizationHeaderFormat pins the header layout: realm first and
// quoted (escaped), then encoded name="value" pairs.
func TestAuthorizationHeaderFormat(t *testing.T) {
	t.Parallel()
	h, err := oauth1.AuthorizationHeader(`a "q" \ b`, []oauth1.Param{{Name: "oauth_consumer_key", Value: "k y"}, {Name: "oauth_signature", Value: "a+b/c="}})
	if err != nil {
		t.Fatal(err)
	}
	want := `OAuth realm="a \"q\" \\ b", oauth_consumer_key="k%20y", oauth_signature="a%2Bb%2Fc%3D"`
	if h != want {
		t.Errorf("got  %s\nwant %s", h, want)
	}
	realm, m := headerParams(t, h)
	if realm != `a "q" \ b` || m["oauth_signature"] != "a+b/c=" || m["oauth_consumer_key"] != "k y" {
		t.Errorf("round trip: realm %q, %v", realm, m)
	}
	if h, _ := oauth1.AuthorizationHeader("", []oauth1.Param{{Name: "oauth_x", Value: "1"}}); h != `OAuth oauth_x="1"` {
		t.Errorf("without realm: %s", h)
	}
}
