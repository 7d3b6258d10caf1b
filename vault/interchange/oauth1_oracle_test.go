package interchange_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
)

// The OAuth 1.0a signatures authdeck sends are checked by oauthlib, an
// independent implementation (Debian's python3-oauthlib, installed by CI
// from .ci/apt-packages.txt), run as testdata/oauth1oracle/verify.py.
// Outside CI, without it, authdeck's own verifier stands in and the test
// says so.

// oracleItem is one signed request and the secrets to verify it with.
type oracleItem struct {
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	Headers        [][2]string `json:"headers"`
	Body           []byte      `json:"body_b64"`
	ConsumerSecret string      `json:"consumer_secret"`
	TokenSecret    string      `json:"token_secret"`
	// RSAPublicKey is the PEM public key of an RSA-SHA1 or RSA-SHA256 signature.
	RSAPublicKey string `json:"rsa_public_key,omitempty"`
}

// oracleVerdict is the verifier's word on one request: whether the
// signature (and any oauth_body_hash) verifies, the protocol parameters
// it found (realm included when in the header) and where.
type oracleVerdict struct {
	OK     bool              `json:"ok"`
	Why    string            `json:"why"`
	Params map[string]string `json:"params"`
	Where  string            `json:"where"`
}

var (
	oraclePyOnce sync.Once
	oraclePy     string
)

// oauthlibPython returns a python3 that imports oauthlib, or "".
func oauthlibPython() string {
	oraclePyOnce.Do(func() {
		for _, c := range []string{"/usr/bin/python3", "python3"} {
			if p, err := exec.LookPath(c); err == nil && exec.Command(p, "-c", "import oauthlib.oauth1, jwt").Run() == nil {
				oraclePy = p
				return
			}
		}
	})
	return oraclePy
}

var oracleFallbackNoted sync.Once

// verifyOAuth1 verifies items with oauthlib; in CI its absence fails the
// test, elsewhere authdeck's own verifier is used instead (and said).
func verifyOAuth1(t *testing.T, items []oracleItem) []oracleVerdict {
	t.Helper()
	if len(items) == 0 {
		return nil
	}
	py := oauthlibPython()
	if py == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 with oauthlib is not installed; CI installs python3-oauthlib (.ci/apt-packages.txt), the independent OAuth 1.0a verifier")
		}
		oracleFallbackNoted.Do(func() {
			t.Log("python3 with oauthlib not found: OAuth 1.0a signatures are checked with authdeck's own verifier, not an independent one (apt-get install python3-oauthlib)")
		})
		out := make([]oracleVerdict, len(items))
		for i, it := range items {
			out[i] = ownVerify(it)
		}
		return out
	}
	in, err := json.Marshal(items)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/oauth1oracle/verify.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("oauthlib verifier: %v\n%s", err, stderr.String())
	}
	var out []oracleVerdict
	if err := json.Unmarshal(raw, &out); err != nil || len(out) != len(items) {
		t.Fatalf("oauthlib verifier answered %d verdicts for %d requests (%v): %s", len(out), len(items), err, raw)
	}
	return out
}

// ownVerify is authdeck's own verifier, for machines without oauthlib.
func ownVerify(it oracleItem) oracleVerdict {
	req, err := http.NewRequest(it.Method, it.URL, bytes.NewReader(it.Body))
	if err != nil {
		return oracleVerdict{Why: err.Error()}
	}
	for _, h := range it.Headers {
		req.Header.Add(h[0], h[1])
	}
	in, err := oauth1.ParseRequest(req, req.URL.Scheme)
	if err != nil {
		return oracleVerdict{Why: err.Error()}
	}
	v := oracleVerdict{Params: map[string]string{}, Where: string(in.Placement)}
	for k, x := range in.Protocol {
		v.Params[k] = x
	}
	if in.Realm != "" {
		v.Params["realm"] = in.Realm
	}
	var pub crypto.PublicKey
	if b, _ := pem.Decode([]byte(it.RSAPublicKey)); b != nil {
		pub, _ = x509.ParsePKIXPublicKey(b.Bytes)
	}
	if err := in.Verify(it.ConsumerSecret, it.TokenSecret, pub); err != nil {
		v.Why = err.Error()
		return v
	}
	v.OK = true
	return v
}

// withoutOAuth1 is w without its protocol parameters, where says where
// they were: what remains is compared as any other request.
func withoutOAuth1(w wireRequest, where string) wireRequest {
	out := w
	switch where {
	case "header":
		out.Headers = nil
		for _, h := range w.Headers {
			if !strings.HasPrefix(h, "authorization: OAuth ") {
				out.Headers = append(out.Headers, h)
			}
		}
	case "query":
		if u, err := url.Parse(w.URL); err == nil {
			u.RawQuery = stripOAuthPairs(u.RawQuery)
			out.URL = u.String()
		}
	case "body":
		out.Body = stripOAuthPairs(w.Body)
	}
	return out
}

func stripOAuthPairs(raw string) string {
	var kept []string
	for _, p := range strings.Split(raw, "&") {
		name, _, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil && strings.HasPrefix(n, "oauth_") || p == "" {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}
