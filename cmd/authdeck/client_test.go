package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/pemkey"
)

const tokenURL = "https://id.example.com/oauth2/token"

func addArgs(name string, extra ...string) []string {
	return append([]string{"client", "add", name, "--token-url", tokenURL, "--client-id", "app-" + name}, extra...)
}

func TestClientAddShowListRm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const secret = "cs_7f3e9a1b2c4d5e6f7a8b9c0d"
	r := h.must(secret+"\n", addArgs("api", "--auth-method", "client_secret_basic", "--client-secret-stdin",
		"--scope", "read write", "--scope", "admin", "--audience", "https://api.example.com", "--param", "prompt=consent",
		"--token-param", "resource=x=y", "--allowed-host", "api.example.com", "--expires", "2026-06-10", "--description", "main API")...)
	noSecret(t, r, secret)
	if !strings.Contains(r.out, `Added auth client "api" to environment "default" (client_credentials, client_secret_basic).`) || !strings.Contains(r.out, "Stored in the memory demo vault: client secret.") {
		t.Fatalf("client add:\n%s", r.out)
	}
	ac, err := h.v.Client(vault.DefaultEnv, "api")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ac.Scopes, ",") != "read,write,admin" || ac.AuthParams[0] != (vault.Param{Key: "prompt", Value: "consent"}) ||
		ac.TokenParams[0] != (vault.Param{Key: "resource", Value: "x=y"}) || ac.AllowedHosts[0] != "api.example.com" || !ac.HasSecret {
		t.Fatalf("client stored as %+v", ac)
	}

	r = h.must("", "client", "show", "api")
	noSecret(t, r, secret)
	if !strings.Contains(r.out, mask.Value("", secret).Text()) || !strings.Contains(r.out, "expires soon") {
		t.Fatalf("client show does not mask the secret or mark the expiry:\n%s", r.out)
	}
	r = h.must("", "client", "show", "api", "--reveal")
	if !strings.Contains(r.out, secret) {
		t.Fatal("client show --reveal does not print the client secret")
	}
	var shown struct {
		Name        string    `json:"name"`
		ClientID    string    `json:"clientId"`
		Expiry      string    `json:"expiry"`
		Credentials credsJSON `json:"credentials"`
	}
	r = h.must("", "client", "show", "api", "--json")
	noSecret(t, r, secret)
	if err := json.Unmarshal([]byte(r.out), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Name != "api" || shown.ClientID != "app-api" || shown.Expiry != "expires soon" || shown.Credentials.ClientSecret == nil || shown.Credentials.Revealed {
		t.Fatalf("client show --json = %+v", shown)
	}

	r = h.must("", "client", "list")
	if !strings.Contains(r.out, "api   client_credentials  client_secret_basic  app-api    "+tokenURL) {
		t.Fatalf("client list:\n%s", r.out)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(h.must("", "client", "list", "--json").out), &list); err != nil || len(list) != 1 || list[0]["authMethod"] != "client_secret_basic" {
		t.Fatalf("client list --json = %v (%v)", list, err)
	}

	h.must("", "client", "rm", "api")
	h.expect(exitNotConfigured, []string{`no auth client "api" in environment "default"`}, "", "client", "show", "api")
	h.expect(exitNotConfigured, []string{`no auth client "api"`}, "", "client", "rm", "api")
	if h.storedKeys() != 0 {
		t.Fatal("the client secret is still stored after rm")
	}
	r = h.must("", "client", "list")
	if !strings.Contains(r.out, "No auth clients") {
		t.Fatalf("empty client list:\n%s", r.out)
	}
}

func TestClientAddRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"no auth method (S-27)", addArgs("a"), "", exitMissingInput, []string{"--auth-method is required", "never guessed"}},
		{"secret needs stdin or terminal", addArgs("a", "--auth-method", "client_secret_post"), "", exitMissingInput, []string{"client secret is needed", "--client-secret-stdin"}},
		{"empty stdin", addArgs("a", "--auth-method", "client_secret_post", "--client-secret-stdin"), "", exitMissingInput, []string{"stdin was empty"}},
		{"no endpoint", []string{"client", "add", "a", "--client-id", "x", "--auth-method", "none"}, "", exitNotConfigured, []string{"--issuer URL", "--token-url URL"}},
		{"no client id", []string{"client", "add", "a", "--token-url", tokenURL, "--auth-method", "none"}, "", exitMissingInput, []string{"--client-id is required"}},
		{
			"bad token url",
			[]string{"client", "add", "a", "--token-url", "id.example.com/token", "--client-id", "x", "--auth-method", "none", "--grant", "device_code", "--device-url", "https://id.example.com/d"},
			"", exitOther,
			[]string{`endpoints.token: "id.example.com/token" is not an absolute URL`, "(--token-url)"},
		},
		{
			"plain http (S-13)",
			[]string{"client", "add", "a", "--issuer", "http://id.example.com", "--client-id", "x", "--auth-method", "client_secret_basic"},
			"", exitOther,
			[]string{`issuer: "http://id.example.com" uses plain http`, "(--issuer)"},
		},
		{"bad redirect", addArgs("a", "--auth-method", "none", "--grant", "authorization_code", "--auth-url", "https://id.example.com/a", "--redirect-uri", "not a url"), "", exitOther, []string{"redirectUri", "(--redirect-uri)"}},
		{"bad grant", addArgs("a", "--auth-method", "none", "--grant", "magic"), "", exitOther, []string{`grant: "magic" is not one of`, "(--grant)"}},
		{"deprecated grant", addArgs("a", "--auth-method", "none", "--grant", "password"), "", exitOther, []string{"deprecated grant", "(--grant)"}},
		{"bad auth method", addArgs("a", "--auth-method", "magic"), "", exitOther, []string{`authMethod: "magic"`, "(--auth-method)"}},
		{"none for client credentials", addArgs("a", "--auth-method", "none"), "", exitOther, []string{"client_credentials needs client authentication"}},
		{"invalid name", addArgs("a/b", "--auth-method", "none", "--grant", "device_code", "--device-url", "https://id.example.com/d"), "", exitOther, []string{`auth client "a/b": name: must not contain`, "(NAME)"}},
		{"bad param", addArgs("a", "--auth-method", "client_secret_basic", "--param", "novalue"), "", exitOther, []string{`--param "novalue": expected key=value`}},
		{"bad expires", addArgs("a", "--auth-method", "client_secret_basic", "--expires", "someday"), "", exitOther, []string{"--expires:", "is not a date"}},
		{"bad host", addArgs("a", "--auth-method", "client_secret_basic", "--allowed-host", "https://x/"), "", exitOther, []string{"allowedHosts", "(--allowed-host)"}},
		{"private key needed", addArgs("a", "--auth-method", "private_key_jwt"), "", exitMissingInput, []string{"--private-key-file", "--generate-key"}},
		{"cert needed", addArgs("a", "--auth-method", "tls_client_auth"), "", exitMissingInput, []string{"--cert-file and --cert-key-file"}},
		{"missing key file", addArgs("a", "--auth-method", "private_key_jwt", "--private-key-file", "/nonexistent/key.pem"), "", exitMissingInput, []string{"--private-key-file", "no such file"}},
		{"unknown flag", addArgs("a", "--client-secret", "x"), "", exitOther, []string{"unknown flag: --client-secret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.expect(tc.code, tc.want, tc.stdin, tc.args...)
			if n := len(h.catalog().Clients); n != 0 || h.storedKeys() != 0 {
				t.Fatalf("a refused add stored %d clients, %d values", n, h.storedKeys())
			}
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.must("s\n", addArgs("a", "--auth-method", "client_secret_basic", "--client-secret-stdin")...)
		h.expect(exitOther, []string{`auth client "a" already exists in environment "default"`}, "t\n", addArgs("a", "--auth-method", "client_secret_basic", "--client-secret-stdin")...)
	})
}

func pemKey(t *testing.T, kind string) string {
	t.Helper()
	var der []byte
	var typ string
	var err error
	switch kind {
	case "pkcs1":
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		der, typ = x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
	case "pkcs8":
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		der, err = x509.MarshalPKCS8PrivateKey(k)
		typ = "PRIVATE KEY"
	case "ec":
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, err = x509.MarshalECPrivateKey(k)
		typ = "EC PRIVATE KEY"
	case "rsa1024":
		k, _ := rsa.GenerateKey(rand.Reader, 1024)
		der, typ = x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
	case "p384":
		k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		der, err = x509.MarshalECPrivateKey(k)
		typ = "EC PRIVATE KEY"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// S-26: an imported private key is stored, shown only by key id, never printed.
func TestClientPrivateKeyFileS26(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, alg string
		code      int
		want      string
	}{
		{"pkcs1", "RS256", 0, ""},
		{"pkcs8", "RS256", 0, ""},
		{"ec", "ES256", 0, ""},
		{"rsa1024", "", exitOther, "RSA key has 1024 bits; at least 2048 are required"},
		{"p384", "", exitOther, "only P-256 is supported"},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			keyPEM := pemKey(t, tc.kind)
			path := writeFile(t, "key.pem", keyPEM)
			body := strings.Split(keyPEM, "\n")[1] // a line of the key itself
			r := h.run("", addArgs("svc", "--auth-method", "private_key_jwt", "--private-key-file", path)...)
			noSecret(t, r, body)
			if r.code != tc.code || !strings.Contains(r.all(), tc.want) {
				t.Fatalf("exit %d, output:\n%s", r.code, r.all())
			}
			if tc.code != 0 {
				return
			}
			ac, _ := h.v.Client(vault.DefaultEnv, "svc")
			key, _ := vault.ParsePrivateKey(keyPEM)
			if ac.KeyID != pemkey.Thumbprint(key) || ac.SigningAlg != tc.alg || !strings.Contains(r.out, "key id "+ac.KeyID) {
				t.Fatalf("kid %q alg %q; output:\n%s", ac.KeyID, ac.SigningAlg, r.out)
			}
			for _, args := range [][]string{{"client", "show", "svc"}, {"client", "show", "svc", "--reveal"}, {"client", "show", "svc", "--json", "--reveal"}} {
				r := h.must("", args...)
				noSecret(t, r, body)
				if strings.Contains(r.out, "PRIVATE KEY") || !strings.Contains(r.out, ac.KeyID) {
					t.Fatalf("%v:\n%s", args, r.out)
				}
			}
		})
	}
	t.Run("alg mismatch", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		path := writeFile(t, "key.pem", pemKey(t, "ec"))
		h.expect(exitOther, []string{"--signing-alg RS256 does not fit the key"}, "", addArgs("svc", "--auth-method", "private_key_jwt", "--private-key-file", path, "--signing-alg", "RS256")...)
	})
}

func selfSignedPair(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"}, NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

func TestClientTLSClientAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cert, key := selfSignedPair(t)
	cp, kp := writeFile(t, "c.pem", cert), writeFile(t, "k.pem", key)
	h.expect(exitMissingInput, []string{"go together"}, "", addArgs("m", "--auth-method", "tls_client_auth", "--cert-file", cp)...)
	_, otherKey := selfSignedPair(t)
	h.expect(exitOther, []string{"do not form a pair"}, "", addArgs("m", "--auth-method", "tls_client_auth", "--cert-file", cp, "--cert-key-file", writeFile(t, "o.pem", otherKey))...)
	r := h.must("", addArgs("m", "--auth-method", "tls_client_auth", "--cert-file", cp, "--cert-key-file", kp)...)
	if !strings.Contains(r.out, "client certificate") {
		t.Fatalf("client add:\n%s", r.out)
	}
	r = h.must("", "client", "show", "m", "--reveal")
	noSecret(t, r, strings.Split(key, "\n")[1])
}

func TestClientEdit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.must("first-secret\n", addArgs("api", "--auth-method", "client_secret_basic", "--client-secret-stdin", "--scope", "a b", "--param", "x=1")...)
	h.expect(exitMissingInput, []string{"nothing to change"}, "", "client", "edit", "api")
	h.expect(exitMissingInput, []string{"nothing to change"}, "", "client", "edit", "api", "--env", "default")
	h.must("", "client", "edit", "api", "--scope", "c", "--description", "edited")
	ac, _ := h.v.Client(vault.DefaultEnv, "api")
	if strings.Join(ac.Scopes, " ") != "c" || ac.Description != "edited" || ac.ClientID != "app-api" || len(ac.AuthParams) != 1 || ac.AuthMethod != vault.AuthClientSecretBasic {
		t.Fatalf("edit changed more than asked: %+v", ac)
	}
	h.must("", "client", "edit", "api", "--scope", "")
	if ac, _ = h.v.Client(vault.DefaultEnv, "api"); len(ac.Scopes) != 0 {
		t.Fatalf("--scope \"\" did not clear the scopes: %v", ac.Scopes)
	}
	// switching between secret methods keeps the stored secret
	h.must("", "client", "edit", "api", "--auth-method", "client_secret_post")
	// a bad edit changes nothing
	h.expect(exitOther, []string{"endpoints.token", "(--token-url)"}, "", "client", "edit", "api", "--token-url", "ftp://x")
	if ac, _ = h.v.Client(vault.DefaultEnv, "api"); ac.Endpoints.Token != tokenURL || ac.AuthMethod != vault.AuthClientSecretPost {
		t.Fatalf("client after a refused edit: %+v", ac)
	}
	h.must("second-secret\n", "client", "edit", "api", "--client-secret-stdin")
	creds, err := h.v.ClientCredentials(context.Background(), ac)
	if err != nil || creds.ClientSecret != "second-secret" {
		t.Fatalf("client secret not replaced (err %v)", err)
	}
	// to private_key_jwt without a key: refused, naming what to give
	h.expect(exitMissingInput, []string{"private_key_jwt needs a key"}, "", "client", "edit", "api", "--auth-method", "private_key_jwt")
	h.must("", "client", "edit", "api", "--auth-method", "private_key_jwt", "--generate-key", "--signing-alg", "ES256")
	ac, _ = h.v.Client(vault.DefaultEnv, "api")
	if ac.AuthMethod != vault.AuthPrivateKeyJWT || ac.SigningAlg != "ES256" || ac.KeyID == "" {
		t.Fatalf("client after switching to private_key_jwt: %+v", ac)
	}
	// back to a secret method with the secret still stored
	h.must("", "client", "edit", "api", "--auth-method", "client_secret_basic")
	// none drops the stored secret
	h.must("", "client", "edit", "api", "--auth-method", "none", "--grant", "device_code", "--device-url", "https://id.example.com/device")
	h.expect(exitNotConfigured, []string{`no auth client "nope"`}, "", "client", "edit", "nope", "--scope", "x")
}

func TestClientKeygenAndPubkey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg, kty string
		set      bool
	}{
		{"RS256", "RSA", false},
		{"ES256", "EC", true},
	}
	for _, tc := range tests {
		t.Run(tc.alg, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.must("s3\n", addArgs("api", "--auth-method", "client_secret_basic", "--client-secret-stdin")...)
			args := []string{"client", "keygen", "api", "--alg", tc.alg}
			if tc.set {
				args = append(args, "--set-method")
			}
			r := h.must("", args...)
			if strings.Contains(r.all(), "PRIVATE KEY") {
				t.Fatal("keygen printed a private key")
			}
			pemPart, jsonPart, ok := strings.Cut(r.out, "\n\n")
			if !ok || !strings.HasPrefix(pemPart, "-----BEGIN PUBLIC KEY-----") {
				t.Fatalf("keygen stdout:\n%s", r.out)
			}
			var set struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal([]byte(jsonPart), &set); err != nil || len(set.Keys) != 1 {
				t.Fatalf("JWKS: %v\n%s", err, jsonPart)
			}
			ac, _ := h.v.Client(vault.DefaultEnv, "api")
			jwk := set.Keys[0]
			if jwk["kty"] != tc.kty || jwk["alg"] != tc.alg || jwk["use"] != "sig" || jwk["kid"] != ac.KeyID || jwk["d"] != nil {
				t.Fatalf("JWK %v, client kid %q", jwk, ac.KeyID)
			}
			creds, _ := h.v.ClientCredentials(context.Background(), ac)
			key, err := vault.ParsePrivateKey(creds.PrivateKey)
			if err != nil || pemkey.Thumbprint(key) != ac.KeyID || creds.ClientSecret != "s3" {
				t.Fatalf("stored credentials: key parses %v, secret kept %v", err == nil, creds.ClientSecret == "s3")
			}
			if tc.set {
				if ac.AuthMethod != vault.AuthPrivateKeyJWT || !strings.Contains(r.err, "now authenticates with private_key_jwt") {
					t.Fatalf("--set-method: method %s\n%s", ac.AuthMethod, r.err)
				}
			} else if ac.AuthMethod != vault.AuthClientSecretBasic || !strings.Contains(r.err, "still authenticates with client_secret_basic") {
				t.Fatalf("without --set-method: method %s\n%s", ac.AuthMethod, r.err)
			}
			again := h.must("", "client", "pubkey", "api")
			if again.out != r.out {
				t.Fatalf("pubkey differs from keygen output:\n%s\n---\n%s", again.out, r.out)
			}
			if h.must("", "client", "pubkey", "api", "--format", "pem").out != pemPart+"\n" {
				t.Fatal("pubkey --format pem differs")
			}
			h.expect(exitOther, []string{"already has a private key", "--force"}, "", "client", "keygen", "api")
			h.must("", "client", "keygen", "api", "--alg", tc.alg, "--force", "--format", "jwks")
			h.expect(exitOther, []string{`--format "x"`}, "", "client", "pubkey", "api", "--format", "x")
		})
	}
	t.Run("refusals", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.must("s\n", addArgs("api", "--auth-method", "client_secret_basic", "--client-secret-stdin")...)
		h.expect(exitNotConfigured, []string{"has no private key", "authdeck client keygen api"}, "", "client", "pubkey", "api")
		h.expect(exitOther, []string{`--alg HS256: use RS256, PS256 or ES256`}, "", "client", "keygen", "api", "--alg", "HS256")
		h.expect(exitNotConfigured, []string{`no auth client "nope"`}, "", "client", "keygen", "nope")
	})
	t.Run("add with generate-key", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.must("", addArgs("svc", "--auth-method", "private_key_jwt", "--generate-key", "--signing-alg", "ES256")...)
		r := h.must("", "client", "pubkey", "svc", "--format", "jwks")
		if !strings.Contains(r.out, `"crv": "P-256"`) {
			t.Fatalf("pubkey:\n%s", r.out)
		}
	})
}

func TestClientCompletionReadsCatalogOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.must("s\n", addArgs("alpha", "--auth-method", "client_secret_basic", "--client-secret-stdin")...)
	h.must("s\n", addArgs("beta", "--auth-method", "client_secret_basic", "--client-secret-stdin")...)
	h.must("k\n", "secret", "add", "key1", "--type", "API_KEY", "--value-stdin")
	before := h.store.Calls()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "client", "show", "a"}, "alpha\n"},
		{[]string{"__complete", "client", "rm", ""}, "alpha\nbeta\n"},
		{[]string{"__complete", "secret", "show", ""}, "key1\n"},
		{[]string{"__complete", "env", "use", ""}, "default\n"},
		{[]string{"__complete", "client", "add", "x", "--auth-method", ""}, "client_secret_basic\n"},
	}
	for _, tc := range tests {
		r := h.must("", tc.args...)
		if !strings.HasPrefix(r.out, tc.want) {
			t.Fatalf("%v: completions:\n%s", tc.args, r.out)
		}
	}
	if h.store.Calls() != before {
		t.Fatal("completion touched the secret store")
	}
}
