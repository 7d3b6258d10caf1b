package oauth1_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
)

// rfc3411Base is the signature base string RFC 5849 §3.4.1.1 prints for
// its example request (there with line breaks for display).
const rfc3411Base = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q" +
	"%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_" +
	"key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m" +
	"ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk" +
	"9d7dh3k39sjv7"

// rfc3411Request is the RFC's example request, byte for byte.
const rfc3411Request = "POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b HTTP/1.1\r\n" +
	"Host: example.com\r\n" +
	"Content-Type: application/x-www-form-urlencoded\r\n" +
	`Authorization: OAuth realm="Example",` +
	` oauth_consumer_key="9djdj82h48djs9d2",` +
	` oauth_token="kkk9d7dh3k39sjv7",` +
	` oauth_signature_method="HMAC-SHA1",` +
	` oauth_timestamp="137131201",` +
	` oauth_nonce="7d8f3e4a",` +
	` oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"` + "\r\n" +
	"Content-Length: 9\r\n\r\n" +
	"c2&a3=2+q"

// TestBaseStringRFC5849Example checks the §3.4.1.1 example three ways: the
// BaseString function, the Signer building the request, and a server
// parsing the RFC's request text.
func TestBaseStringRFC5849Example(t *testing.T) {
	t.Parallel()
	t.Run("BaseString", func(t *testing.T) {
		t.Parallel()
		got, err := oauth1.BaseString("POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", []oauth1.Param{
			{Name: "oauth_consumer_key", Value: "9djdj82h48djs9d2"},
			{Name: "oauth_token", Value: "kkk9d7dh3k39sjv7"},
			{Name: "oauth_signature_method", Value: "HMAC-SHA1"},
			{Name: "oauth_timestamp", Value: "137131201"},
			{Name: "oauth_nonce", Value: "7d8f3e4a"},
			{Name: "c2", Value: ""},
			{Name: "a3", Value: "2 q"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got != rfc3411Base {
			t.Errorf("base string\n got %s\nwant %s", got, rfc3411Base)
		}
	})
	t.Run("Signer", func(t *testing.T) {
		t.Parallel()
		req, err := http.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s := &oauth1.Signer{
			ConsumerKey: "9djdj82h48djs9d2", ConsumerSecret: "j49sk3j29djd", Token: "kkk9d7dh3k39sjv7",
			TokenSecret: "dh893hdasih9", Method: oauth1.HMACSHA1, Realm: "Example", OmitVersion: true,
			Now: fixedClock(137131201), Nonce: fixedNonce("7d8f3e4a"),
		}
		signed, err := s.SignRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		if signed.BaseString != rfc3411Base {
			t.Errorf("base string\n got %s\nwant %s", signed.BaseString, rfc3411Base)
		}
		realm, m := headerParams(t, req.Header.Get("Authorization"))
		if realm != "Example" || m["oauth_nonce"] != "7d8f3e4a" || m["oauth_timestamp"] != "137131201" || m["oauth_token"] != "kkk9d7dh3k39sjv7" {
			t.Errorf("header: realm %q, params %v", realm, m)
		}
		if _, ok := m["oauth_version"]; ok {
			t.Error("OmitVersion sent oauth_version")
		}
	})
	t.Run("ParseRequest", func(t *testing.T) {
		t.Parallel()
		in, err := oauth1.ParseRequest(rawRequest(t, rfc3411Request), "http")
		if err != nil {
			t.Fatal(err)
		}
		got, err := in.BaseString()
		if err != nil {
			t.Fatal(err)
		}
		if got != rfc3411Base {
			t.Errorf("base string\n got %s\nwant %s", got, rfc3411Base)
		}
		if in.Realm != "Example" || in.Signature != "bYT5CMsGcbgUdFHObYMEfcx6bsw=" {
			t.Errorf("realm %q, signature %q", in.Realm, in.Signature)
		}
	})
}

// TestNormalizeParamsRFC5849 checks the §3.4.1.3.2 normalised parameter
// string of the same example, which the RFC prints.
func TestNormalizeParamsRFC5849(t *testing.T) {
	t.Parallel()
	got := oauth1.NormalizeParams([]oauth1.Param{
		{Name: "b5", Value: "=%3D"},
		{Name: "a3", Value: "a"},
		{Name: "c@", Value: ""},
		{Name: "a2", Value: "r b"},
		{Name: "oauth_consumer_key", Value: "9djdj82h48djs9d2"},
		{Name: "oauth_token", Value: "kkk9d7dh3k39sjv7"},
		{Name: "oauth_signature_method", Value: "HMAC-SHA1"},
		{Name: "oauth_timestamp", Value: "137131201"},
		{Name: "oauth_nonce", Value: "7d8f3e4a"},
		{Name: "c2", Value: ""},
		{Name: "a3", Value: "2 q"},
	})
	want := "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj" +
		"dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1" +
		"&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
	if got != want {
		t.Errorf("normalised\n got %s\nwant %s", got, want)
	}
}

// TestSignatureRFC5849Section12 reproduces the HMAC-SHA1 signatures of the
// RFC's photos.example.net walk-through (client secret kd94hf93k423kf44).
func TestSignatureRFC5849Section12(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, url  string
		token, tokenSecret string
		callback, verifier string
		ts                 int64
		nonce              string
		wantSig            string
		wantHeaderSig      string
	}{
		{
			name: "temporary credentials", method: "POST", url: "https://photos.example.net/initiate",
			callback: "http://printer.example.com/ready", ts: 137131200, nonce: "wIjqoS",
			wantSig: "74KNZJeDHnMBp0EMJ9ZHt/XKycU=", wantHeaderSig: `oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"`,
		},
		{
			name: "token credentials", method: "POST", url: "https://photos.example.net/token",
			token: "hh5s93j4hdidpola", tokenSecret: "hdhd0244k9j7ao03", verifier: "hfdp7dh39dks9884",
			ts: 137131201, nonce: "walatlh",
			wantSig: "gKgrFCywp7rO0OXSjdot/IHF7IU=", wantHeaderSig: `oauth_signature="gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D"`,
		},
		{
			// The RFC computed this one over http:// although the text says
			// the request goes over https (a known erratum), so the
			// published value is reproduced with http.
			name: "protected resource", method: "GET", url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
			token: "nnch734d00sl2jdk", tokenSecret: "pfkkdhi9sl3r4s00", ts: 137131202, nonce: "chapoH",
			wantSig: "MdpQcU8iPSUjWoN/UDMsK2sui9I=", wantHeaderSig: `oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tc.method, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := &oauth1.Signer{
				ConsumerKey: "dpf43f3p2l4k3l03", ConsumerSecret: "kd94hf93k423kf44",
				Token: tc.token, TokenSecret: tc.tokenSecret, Method: oauth1.HMACSHA1, Realm: "Photos",
				Callback: tc.callback, Verifier: tc.verifier, OmitVersion: true,
				Now: fixedClock(tc.ts), Nonce: fixedNonce(tc.nonce),
			}
			signed, err := s.SignRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			last := signed.Protocol[len(signed.Protocol)-1]
			if last.Name != "oauth_signature" || last.Value != tc.wantSig {
				t.Errorf("signature %s=%q, want %q", last.Name, last.Value, tc.wantSig)
			}
			h := req.Header.Get("Authorization")
			if !strings.HasPrefix(h, `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03"`) || !strings.Contains(h, tc.wantHeaderSig) {
				t.Errorf("Authorization header %s", h)
			}
			if tc.callback != "" && !strings.Contains(h, `oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready"`) {
				t.Errorf("callback not encoded as in the RFC: %s", h)
			}
		})
	}
}

// TestSignatureKnownAnswers pins HMAC-SHA256, PLAINTEXT and both RSA
// methods against values computed with openssl from the same base strings.
func TestSignatureKnownAnswers(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	// POST with query and a UTF-8, '&', '+' and space form field, so the
	// pinned base string covers percent-encoding edge cases.
	rsaRequest := func(t *testing.T) *http.Request {
		req, err := http.NewRequest(http.MethodPost, "https://photos.example.net/photos?file=vacation.jpg&size=original",
			strings.NewReader("title=%C3%9Cn%C3%AFc%C3%B8d%C3%A9+%26+%2Bmore"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		return req
	}
	rsaBase := func(method string) string {
		return "POST&https%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Dauthdeck-rsa%26" +
			"oauth_nonce%3Dfixed-nonce-01%26oauth_signature_method%3D" + method + "%26oauth_timestamp%3D1700000000%26" +
			"oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal%26" +
			"title%3D%25C3%259Cn%25C3%25AFc%25C3%25B8d%25C3%25A9%2520%2526%2520%252Bmore"
	}
	tests := []struct {
		name     string
		method   string
		req      func(t *testing.T) *http.Request
		signer   oauth1.Signer
		wantBase string
		// wantSig: printf '%s' "$BASE" | openssl dgst -sha256 -hmac KEY -binary | base64
		// or:      printf '%s' "$BASE" | openssl dgst -sha1 -sign testdata/rsa2048.pem -binary | base64
		wantSig string
		hash    crypto.Hash
	}{
		{
			name: "HMAC-SHA256", method: oauth1.HMACSHA256,
			req: func(t *testing.T) *http.Request {
				r, err := http.NewRequest(http.MethodGet, "https://photos.example.net:443/photos?file=vacation.jpg&size=original", nil)
				if err != nil {
					t.Fatal(err)
				}
				return r
			},
			signer: oauth1.Signer{
				ConsumerKey: "dpf43f3p2l4k3l03", ConsumerSecret: "kd94hf93k423kf44", Token: "nnch734d00sl2jdk",
				TokenSecret: "pfkkdhi9sl3r4s00", Now: fixedClock(137131202), Nonce: fixedNonce("chapoH"),
			},
			wantBase: "GET&https%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26" +
				"oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D137131202%26" +
				"oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal",
			wantSig: "0C5POOIwkbw6WTDjZP05r7LlOIGtoQLr7Sq3/mKeOw0=",
		},
		{
			name: "RSA-SHA1", method: oauth1.RSASHA1, req: rsaRequest, hash: crypto.SHA1,
			signer: oauth1.Signer{
				ConsumerKey: "authdeck-rsa", Token: "nnch734d00sl2jdk", TokenSecret: "ignored-by-rsa",
				PrivateKey: key, Now: fixedClock(1700000000), Nonce: fixedNonce("fixed-nonce-01"),
			},
			wantBase: rsaBase("RSA-SHA1"),
			wantSig: "VN9UiZrDNZj53OyTXb1ZjKPiPNSC7g2i/RipMOcxn4CBcerlxA7oUT9PsI5Fq/y62rqeoPAw4xwLSa0X42Hkf/Zo4MsJTIUJTSJK6fkQEl3ssQnPfM9bwngwhyBvmQFs" +
				"/MeK5Un4Z3mDYot4ob0yZbG2qvEO2Ht668Co9Yed0YNFdmu0kvXX5i0Jom0Kvz21FSW+J7nzQ2IkD97upV4eNE/4WwPROsE4Z+o58auiPy1ACQRZ5K/3WwL3yPilEyqLnozR9" +
				"Co9VdhSU8e3FHWQQnre8Qd9GBQodE4T6oWORGD6XJWe3mic8fmkn5igEBBaziyrbvr5GkWUOf4WW5HXNQ==",
		},
		{
			name: "RSA-SHA256", method: oauth1.RSASHA256, req: rsaRequest, hash: crypto.SHA256,
			signer: oauth1.Signer{
				ConsumerKey: "authdeck-rsa", Token: "nnch734d00sl2jdk",
				PrivateKey: key, Now: fixedClock(1700000000), Nonce: fixedNonce("fixed-nonce-01"),
			},
			wantBase: rsaBase("RSA-SHA256"),
			wantSig: "jTnQo7lBYIGYq1Llg+EHJs8Q2Q+QjQJxtekfNvG8bztPbL6NJoH44Mcg6YsFx3ZJKtVfqs/R7xRPit0b7v+XUNqO+KUeuZAUUVRPKrsD/WPWXRjDnlCLVYbMBp7NqElgqDwy" +
				"+Xh2QKizhIwREsv2Z+PTL0uwnkRBQfOgQVXK+fa0q+Givc3Y8Vj+jfuNfnDlC2gKEk1NcPFSdGN2GoENFAR/+fEkEC89qDsHA1XYNTex8WlrgK80iuq8Is40tRZWdibvU91Q0W3" +
				"/M7ylALiZgGy4F3p/3iI86VnM1imKh/Ok+W/NX6/T8aclD9YGaMCSYsKtZckUNMwz/pw7N/5h4A==",
		},
		{
			// RFC 5849 §2.1's example: no token, so the key ends in '&'.
			name: "PLAINTEXT without token", method: oauth1.Plaintext,
			req: func(t *testing.T) *http.Request {
				r, err := http.NewRequest(http.MethodPost, "https://server.example.com/request_temp_credentials", nil)
				if err != nil {
					t.Fatal(err)
				}
				return r
			},
			signer:  oauth1.Signer{ConsumerKey: "jd83jd92dhsh93js", ConsumerSecret: "ja893SD9", Callback: "http://client.example.net/cb?x=1"},
			wantSig: "ja893SD9&",
		},
		{
			name: "PLAINTEXT with token secret to encode", method: oauth1.Plaintext,
			req: func(t *testing.T) *http.Request {
				r, err := http.NewRequest(http.MethodGet, "https://photos.example.net/photos", nil)
				if err != nil {
					t.Fatal(err)
				}
				return r
			},
			signer:  oauth1.Signer{ConsumerKey: "k", ConsumerSecret: "a b+c", Token: "t", TokenSecret: "x&y~é"},
			wantSig: "a%20b%2Bc&x%26y~%C3%A9",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.signer
			s.Method = tc.method
			req := tc.req(t)
			signed, err := s.SignRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantBase != "" && signed.BaseString != tc.wantBase {
				t.Errorf("base string\n got %s\nwant %s", signed.BaseString, tc.wantBase)
			}
			_, m := headerParams(t, req.Header.Get("Authorization"))
			if m["oauth_signature"] != tc.wantSig {
				t.Errorf("signature\n got %s\nwant %s", m["oauth_signature"], tc.wantSig)
			}
			if tc.hash != 0 {
				// Verify with the public key directly, independently of VerifySignature.
				raw, err := base64.StdEncoding.DecodeString(m["oauth_signature"])
				if err != nil {
					t.Fatal(err)
				}
				var digest []byte
				if tc.hash == crypto.SHA1 {
					d := sha1.Sum([]byte(signed.BaseString))
					digest = d[:]
				} else {
					d := sha256.Sum256([]byte(signed.BaseString))
					digest = d[:]
				}
				if err := rsa.VerifyPKCS1v15(key.Public().(*rsa.PublicKey), tc.hash, digest, raw); err != nil {
					t.Errorf("the public key does not verify the signature: %v", err)
				}
			}
			// A server that received the request computes the same base string and accepts it.
			in, err := oauth1.ParseRequest(req, req.URL.Scheme)
			if err != nil {
				t.Fatal(err)
			}
			if err := in.Verify(s.ConsumerSecret, s.TokenSecret, key.Public()); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}
