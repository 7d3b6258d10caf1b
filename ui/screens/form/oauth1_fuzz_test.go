package form

import (
	"encoding/pem"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalizePEM: a pasted key never panics the form; what it accepts is
// one PEM block pem.Decode reads, normalizing is idempotent, and errors
// never quote the body they refused (S-36).
func FuzzNormalizePEM(f *testing.F) {
	const body = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq7BFUpkGp3+LQmlQ"
	for _, s := range []string{
		"-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n",
		"-----BEGIN PRIVATE KEY----- " + body + " -----END PRIVATE KEY-----",
		"-----BEGIN RSA PRIVATE KEY-----\r\n" + body + "\r\n-----END RSA PRIVATE KEY-----",
		"key: -----BEGIN PRIVATE KEY----- YW Jj -----END PRIVATE KEY----- trailing",
		"-----BEGIN PRIVATE KEY-----",
		"-----BEGIN -----",
		"-----BEGIN PRIVATE KEY----- Proc-Type: 4,ENCRYPTED -----END PRIVATE KEY-----",
		"",
		"-----END PRIVATE KEY-----",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := normalizePEM(in)
		if err != nil {
			if out != "" {
				t.Fatal("an error came with a result")
			}
			return
		}
		block, rest := pem.Decode([]byte(out))
		if block == nil || strings.TrimSpace(string(rest)) != "" {
			t.Fatalf("accepted text is not exactly one PEM block: %q", out)
		}
		again, err := normalizePEM(out)
		if err != nil || again != out {
			t.Fatalf("normalizing twice changed the result (%v)", err)
		}
	})
}

// FuzzCheckCallback: a typed callback URL never panics, and what passes is
// a loopback http URL without a query (the listener's rule).
func FuzzCheckCallback(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:8914/callback", "http://localhost/cb", "http://[::1]:1/", "https://127.0.0.1/cb",
		"http://127.0.0.1:8914/cb?x=1", "http://example.test/cb", "oob", "", "http://user@127.0.0.1/cb", "http://127.0.0.1:99999/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if err := checkCallback("c", in); err != nil {
			if fieldOf(err) != "callback" {
				t.Fatalf("error names field %q", fieldOf(err))
			}
			return
		}
		s := strings.TrimSpace(in)
		if !strings.HasPrefix(strings.ToLower(s), "http://") || strings.ContainsAny(s, "?#") || !utf8.ValidString(s) {
			t.Fatalf("accepted %q", in)
		}
	})
}

// TestCheckCallbackRefusesEmptyFragmentAndInvalidUTF8: an empty fragment or
// query and bytes that are not UTF-8 are refused, not accepted as a
// loopback callback (findings of FuzzCheckCallback).
func TestCheckCallbackRefusesEmptyFragmentAndInvalidUTF8(t *testing.T) {
	for _, in := range []string{"http://127.0.0.1:8914/callback#", "http://127.0.0.1:8914/callback?", "http://127.0.0.1:8914/cb\xff", "http://127.0.0.1:8914/callback#x"} {
		if err := checkCallback("c", in); err == nil || fieldOf(err) != "callback" {
			t.Errorf("checkCallback(%q) = %v, want a callback error", in, err)
		}
	}
	if err := checkCallback("c", "http://127.0.0.1:8914/callback"); err != nil {
		t.Errorf("a plain loopback callback is refused: %v", err)
	}
}
