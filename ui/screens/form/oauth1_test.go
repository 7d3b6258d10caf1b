package form

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/pemkey"
)

const (
	rtURL  = "https://photos.example.test/oauth/request_token"
	azURL  = "https://photos.example.test/oauth/authorize"
	atURL  = "https://photos.example.test/oauth/access_token"
	secret = "typed-consumer-secret-for-the-test"
)

func rsaPEM(t *testing.T) string {
	t.Helper()
	_, p, err := keygen.KeyPair(vault.AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ecPEM(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// focused returns the key of the field with the focus.
func focused(m *Model) string {
	if f := m.Form().GetFocusedField(); f != nil {
		return f.GetKey()
	}
	return ""
}

// TestOAuth1FormFieldErrors: each OAuth 1.0a field reports its own problem
// where it is typed and keeps the focus until it is fixed.
func TestOAuth1FormFieldErrors(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := NewOAuth1Client(c, "dev")
	d, h := host(t, c, m)
	fill(d, "album", "")
	// Endpoints: plain http only on loopback (S-13); all three, or none
	// for a client without a flow — a partial set names what is missing.
	fill(d, "http://photos.example.test/rt")
	if !strings.Contains(d.Screen(), "plain http on a non-loopback host") || focused(m) != "requestTokenURL" {
		t.Fatalf("plain http accepted:\n%s", d.Screen())
	}
	for range len("http://photos.example.test/rt") {
		d.Send(uitest.Key("backspace"))
	}
	fill(d, rtURL, "", "")
	if !strings.Contains(d.Screen(), "URL is missing") || focused(m) != "tokenURL1" {
		t.Fatalf("a request-token URL alone was accepted:\n%s", d.Screen())
	}
	d.Press("shift+tab")
	if focused(m) != "authURL1" {
		t.Fatalf("shift+tab went to %q", focused(m))
	}
	fill(d, azURL, atURL)
	// Consumer key required; HMAC-SHA256 (the default) needs the secret.
	d.Press("enter")
	if !strings.Contains(d.Screen(), "is required") || focused(m) != "clientID1" {
		t.Fatalf("an empty consumer key was accepted:\n%s", d.Screen())
	}
	fill(d, "album-key", "") // key, method HMAC-SHA256
	d.Press("enter")
	if !strings.Contains(d.Screen(), "consumer secret is required for HMAC-SHA256") || focused(m) != "secret1" {
		t.Fatalf("an empty consumer secret was accepted:\n%s", d.Screen())
	}
	d.Type(secret)
	if strings.Contains(d.Screen(), secret) {
		t.Fatal("the consumer secret is echoed (S-30)")
	}
	d.Press("enter")
	// A registered callback must be a loopback http URL without a query.
	d.Press("down", "down", "enter", "enter") // callback: a registered URL; token method POST
	for _, bad := range []string{"http://photos.example.test/cb", "http://127.0.0.1:8914/cb?x=1"} {
		fill(d, bad)
		if !strings.Contains(d.Screen(), "loopback") || focused(m) != "callbackURL" {
			t.Fatalf("callback %q accepted:\n%s", bad, d.Screen())
		}
		for range len(bad) {
			d.Send(uitest.Key("backspace"))
		}
	}
	fill(d, "http://127.0.0.1:8914/callback")
	fill(d, "", "", "", "photos.example.test")
	if h.Popped != 1 {
		t.Fatalf("not saved; banner %q:\n%s", m.Banner(), d.Screen())
	}
	ac, err := c.Vault.Client("dev", "album")
	if err != nil {
		t.Fatal(err)
	}
	if ac.Type != vault.ClientOAuth1 || ac.SignatureMethod != "HMAC-SHA256" || ac.Callback != "http://127.0.0.1:8914/callback" || ac.Endpoints.RequestToken != rtURL || ac.ClientID != "album-key" || ac.KeyID != "" {
		t.Errorf("client = %+v", ac)
	}
}

// TestOAuth1FormRSAKeyByFile: an RSA method asks for the key instead of
// the secret; an EC key is refused at the field; a key file is read at
// save time and shown afterwards as its key id only (S-26).
func TestOAuth1FormRSAKeyByFile(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	dir := t.TempDir()
	good := filepath.Join(dir, "consumer.pem")
	key := rsaPEM(t)
	if err := os.WriteFile(good, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	m := NewOAuth1Client(c, "dev")
	d, h := host(t, c, m)
	fill(d, "album-rsa", "", rtURL, azURL, atURL, "album-key")
	d.Press("down", "down", "enter") // RSA-SHA256
	if focused(m) != "keySource1" {
		t.Fatalf("an RSA method did not ask for the key (focus on %q):\n%s", focused(m), d.Screen())
	}
	d.Press("enter") // paste the PEM
	d.Send(tea.PasteMsg{Content: ecPEM(t)})
	d.Press("enter")
	if !strings.Contains(d.Screen(), "need an RSA key") || focused(m) != "keyPEM" {
		t.Fatalf("an EC key was accepted:\n%s", d.Screen())
	}
	d.Press("shift+tab") // back to the source: read a file instead
	if focused(m) != "keySource1" {
		t.Fatalf("shift+tab went to %q", focused(m))
	}
	d.Press("down", "enter", "enter") // read a file; the PEM field does not apply
	if focused(m) != "keyPath1" {
		t.Fatalf("focus on %q, want the key file", focused(m))
	}
	fill(d, good, "", "") // file, callback loopback, POST
	fill(d, "", "", "", "")
	// A loaded machine may take longer than a settle to save.
	d.Wait(30*time.Second, "the save", func() bool { return h.Popped == 1 })
	ac, err := c.Vault.Client("dev", "album-rsa")
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := vault.ParsePrivateKey(key)
	if ac.SignatureMethod != "RSA-SHA256" || ac.KeyID == "" || ac.KeyID != pemkey.Thumbprint(parsed) || !ac.HasSecret {
		t.Errorf("client = %+v", ac)
	}
	creds, err := c.Vault.ClientCredentials(t.Context(), ac)
	if err != nil || creds.PrivateKey != key || creds.ClientSecret != "" {
		t.Errorf("stored credentials wrong (err %v)", err)
	}

	// Editing shows the key as its id, never the PEM, and keeps it.
	c.Catalog = uitest.Catalog(c.Vault)
	em := EditClient(c, ac)
	ed, eh := host(t, c, em)
	s := ed.Screen()
	for i := 0; i < 30 && eh.Popped == 0; i++ {
		s += ed.Screen()
		ed.Press("enter")
	}
	if eh.Popped != 1 {
		t.Fatalf("edit not saved; banner %q:\n%s", em.Banner(), ed.Screen())
	}
	if !strings.Contains(s, "key id "+ac.KeyID) || strings.Contains(s, "PRIVATE KEY") {
		t.Error("the edit form does not show the key as its id, or shows the key (S-26)")
	}
	again, _ := c.Vault.Client("dev", "album-rsa")
	if kept, err := c.Vault.ClientCredentials(t.Context(), again); err != nil || kept.PrivateKey != key || again.KeyID != ac.KeyID {
		t.Errorf("the edit did not keep the key (err %v)", err)
	}
}

// TestOAuth1EditSwitchToRSANeedsKey: switching a stored HMAC client to an
// RSA method cannot keep the secret as a key: the key is asked for, and a
// failed save leaves the vault as it was (S-37).
func TestOAuth1EditSwitchToRSANeedsKey(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	uitest.AddOAuth1(v)
	c := uitest.NewCommon(v)
	ac, _ := c.Catalog.Client("dev", "photos")
	m := EditClient(c, *ac)
	d, h := host(t, c, m)
	fill(d, "", "", "", "", "", "") // name, protocol, description, three endpoints
	if focused(m) != "clientID1" {
		t.Fatalf("focus on %q:\n%s", focused(m), d.Screen())
	}
	d.Press("enter", "down", "enter") // key; HMAC-SHA1 → RSA-SHA256
	if focused(m) != "keySource1" {
		t.Fatalf("no key asked for (focus on %q):\n%s", focused(m), d.Screen())
	}
	if strings.Contains(d.Screen(), "keep the stored key") {
		t.Error("a stored consumer secret is offered as the RSA key")
	}
	d.Press("enter", "enter") // paste, nothing pasted
	if !strings.Contains(d.Screen(), "paste the PEM private key") || focused(m) != "keyPEM" {
		t.Fatalf("an empty key was accepted:\n%s", d.Screen())
	}
	if h.Popped != 0 {
		t.Fatal("the form closed")
	}
	before, _ := v.ClientCredentials(t.Context(), *ac)
	after, _ := v.Client("dev", "photos")
	if after.SignatureMethod != "HMAC-SHA1" {
		t.Error("the client changed before saving")
	}
	if creds, _ := v.ClientCredentials(t.Context(), after); creds != before || creds.ClientSecret != uitest.FixtureConsumerSecret {
		t.Error("the stored credentials changed")
	}
}

// TestOAuth1KeepSecretOnEdit: an HMAC client's edit with the secret left
// empty keeps the stored one.
func TestOAuth1KeepSecretOnEdit(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	uitest.AddOAuth1(v)
	c := uitest.NewCommon(v)
	ac, _ := c.Catalog.Client("dev", "photos")
	m := EditClient(c, *ac)
	d, h := host(t, c, m)
	fill(d, "", "", "new description")
	for i := 0; i < 30 && h.Popped == 0; i++ {
		d.Press("enter")
	}
	if h.Popped != 1 {
		t.Fatalf("not saved; banner %q:\n%s", m.Banner(), d.Screen())
	}
	got, _ := v.Client("dev", "photos")
	creds, err := v.ClientCredentials(t.Context(), got)
	if err != nil || creds.ClientSecret != uitest.FixtureConsumerSecret || !strings.HasSuffix(got.Description, "new description") {
		t.Errorf("edit: description %q, secret kept %v (err %v)", got.Description, creds.ClientSecret == uitest.FixtureConsumerSecret, err)
	}
}

func TestNormalizePEM(t *testing.T) {
	t.Parallel()
	key := rsaPEM(t)
	oneLine := strings.ReplaceAll(strings.TrimSpace(key), "\n", " ")
	for _, tt := range []struct {
		name, in, err string
	}{
		{"as is", key, ""},
		{"one line", oneLine, ""},
		{"with text around", "key: " + oneLine + " (copied)", ""},
		{"empty", "  ", "paste the PEM"},
		{"no begin", "MIIEvQIBADANBg", "no \"-----BEGIN"},
		{"no end", strings.Split(key, "-----END")[0], "no \"-----END PRIVATE KEY-----\" line"},
		{"headers", strings.Replace(key, "-----\n", "-----\nProc-Type: 4,ENCRYPTED\n", 1), "PEM headers"},
		{"not base64", strings.Replace(oneLine, "-----BEGIN PRIVATE KEY----- ", "-----BEGIN PRIVATE KEY----- ab!c ", 1), "not base64 at position 3"},
		{"lowercase label", "-----BEGIN private key----- abc -----END private key-----", "unexpected character at position 1"},
	} {
		out, err := normalizePEM(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.err == "":
			if _, perr := vault.ParsePrivateKey(out); perr != nil {
				t.Errorf("%s: the result does not parse: %v", tt.name, perr)
			}
		case err == nil || !strings.Contains(err.Error(), tt.err):
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "MII") {
			t.Errorf("%s: the message quotes the key", tt.name)
		}
	}
}

func TestCheckCallback(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"http://127.0.0.1:8914/callback", true},
		{"http://localhost:8914/cb", true},
		{"http://[::1]:8914/", true},
		{"https://127.0.0.1:8914/cb", false},
		{"http://photos.example.test/cb", false},
		{"http://127.0.0.1:8914/cb?x=1", false},
		{"http://127.0.0.1:8914/cb#f", false},
		{"", false},
		{"oob", false},
	} {
		err := checkCallback("c", tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("checkCallback(%q) = %v", tt.in, err)
		}
		if err != nil && fieldOf(err) != "callback" {
			t.Errorf("checkCallback(%q) names field %q", tt.in, fieldOf(err))
		}
	}
}

// TestOAuth1FormNoFlow: leaving the three flow URLs empty makes a client
// without a flow (it signs with token credentials stored for it): the
// callback pages are skipped, and an edit keeps the realm and body hash an
// import gave it.
func TestOAuth1FormNoFlow(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := NewOAuth1Client(c, "dev")
	d, h := host(t, c, m)
	fill(d, "signer", "")
	fill(d, "", "", "") // no flow URLs
	fill(d, "signer-key", "")
	d.Type(secret)
	d.Press("enter")
	if strings.Contains(d.Screen(), "Callback") {
		t.Fatalf("the callback page is shown for a client without a flow:\n%s", d.Screen())
	}
	fill(d, "", "", "", "photos.example.test")
	if h.Popped != 1 {
		t.Fatalf("not saved; banner %q:\n%s", m.Banner(), d.Screen())
	}
	ac, err := c.Vault.Client("dev", "signer")
	if err != nil {
		t.Fatal(err)
	}
	if ac.Type != vault.ClientOAuth1 || ac.HasOAuth1Flow() || ac.ClientID != "signer-key" || !ac.HasSecret {
		t.Fatalf("client = %+v", ac)
	}

	ac.Realm, ac.BodyHash = "Photos", true
	if _, err := c.Vault.PutClient(t.Context(), ac, nil); err != nil {
		t.Fatal(err)
	}
	c = uitest.NewCommon(c.Vault)
	e := EditClient(c, ac)
	d, h = host(t, c, e)
	for range 40 {
		if h.Popped == 1 {
			break
		}
		d.Press("enter")
	}
	got, err := c.Vault.Client("dev", "signer")
	if err != nil || h.Popped != 1 || got.Realm != "Photos" || !got.BodyHash || got.HasOAuth1Flow() {
		t.Errorf("after an edit: %+v, %v, popped %d\n%s", got, err, h.Popped, d.Screen())
	}
}
