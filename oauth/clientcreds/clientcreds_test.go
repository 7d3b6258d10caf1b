package clientcreds_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/pemkey"
)

func keyPEM(t testing.TB, alg string) (any, string) {
	t.Helper()
	k, p, err := keygen.KeyPair(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k, p
}

func fieldOf(err error) string {
	var ve *vault.ValidationError
	if errors.As(err, &ve) {
		return ve.Field
	}
	return ""
}

func TestApplyKeys(t *testing.T) {
	rsaKey, rsaPEM := keyPEM(t, vault.AlgRS256)
	ecKey, ecPEM := keyPEM(t, vault.AlgES256)
	oauth2 := func(alg string) vault.AuthClient {
		return vault.AuthClient{Meta: vault.Meta{Name: "api"}, Type: vault.ClientOAuth2, AuthMethod: vault.AuthPrivateKeyJWT, SigningAlg: alg}
	}
	tests := []struct {
		name      string
		ac        vault.AuthClient
		g         clientcreds.Given
		wantField string // error field; "" for success
		wantAlg   string
		wantKeyID string
	}{
		{"RSA key, no algorithm: RS256", oauth2(""), clientcreds.Given{Key: rsaPEM}, "", "RS256", pemkey.Thumbprint(rsaKey)},
		{"RSA key keeps PS256", oauth2("PS256"), clientcreds.Given{Key: rsaPEM}, "", "PS256", pemkey.Thumbprint(rsaKey)},
		{"EC key, stored RS256 not chosen: ES256", oauth2("RS256"), clientcreds.Given{Key: ecPEM}, "", "ES256", pemkey.Thumbprint(ecKey)},
		{"EC key, RS256 chosen: refused", oauth2("RS256"), clientcreds.Given{Key: ecPEM, AlgChosen: true}, clientcreds.FieldSigningAlg, "", ""},
		{"not a key", oauth2(""), clientcreds.Given{Key: "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IHRleHQ=\n-----END PRIVATE KEY-----\n"}, clientcreds.FieldPrivateKey, "", ""},
		{"generate HS256: refused", oauth2(""), clientcreds.Given{Generate: "HS256"}, clientcreds.FieldSigningAlg, "", ""},
		{"OAuth 1.0a takes an RSA key", vault.AuthClient{Meta: vault.Meta{Name: "p"}, Type: vault.ClientOAuth1, SignatureMethod: "RSA-SHA256"}, clientcreds.Given{Key: rsaPEM}, "", "", pemkey.Thumbprint(rsaKey)},
		{"OAuth 1.0a refuses an EC key", vault.AuthClient{Meta: vault.Meta{Name: "p"}, Type: vault.ClientOAuth1, SignatureMethod: "RSA-SHA256"}, clientcreds.Given{Key: ecPEM}, clientcreds.FieldPrivateKey, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ac, creds := tt.ac, vault.ClientCredentials{ClientSecret: "kept"}
			key, err := clientcreds.Apply(&ac, &creds, tt.g)
			if tt.wantField != "" {
				if got := fieldOf(err); got != tt.wantField {
					t.Fatalf("error %v names field %q, want %q", err, got, tt.wantField)
				}
				if strings.Contains(err.Error(), "BEGIN") || strings.Contains(err.Error(), "c2VjcmV0") {
					t.Fatalf("error quotes the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if key == nil || creds.PrivateKey != tt.g.Key || creds.ClientSecret != "kept" {
				t.Fatalf("key %T, creds %+v", key, creds)
			}
			if ac.SigningAlg != tt.wantAlg || ac.KeyID != tt.wantKeyID {
				t.Fatalf("alg %q key id %q, want %q %q", ac.SigningAlg, ac.KeyID, tt.wantAlg, tt.wantKeyID)
			}
		})
	}
}

func TestApplyGenerate(t *testing.T) {
	ac := vault.AuthClient{Meta: vault.Meta{Name: "svc"}, Type: vault.ClientOAuth2, AuthMethod: vault.AuthPrivateKeyJWT, SigningAlg: "RS256"}
	var creds vault.ClientCredentials
	key, err := clientcreds.Apply(&ac, &creds, clientcreds.Given{Generate: vault.AlgES256, AlgChosen: true})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := vault.ParsePrivateKey(creds.PrivateKey)
	if err != nil {
		t.Fatalf("the generated key does not parse: %v", err)
	}
	if ac.SigningAlg != vault.AlgES256 || ac.KeyID != pemkey.Thumbprint(key) || pemkey.Thumbprint(parsed) != ac.KeyID {
		t.Fatalf("alg %q key id %q", ac.SigningAlg, ac.KeyID)
	}
	if err := ac.ValidateCredentials(creds); err != nil {
		t.Fatal(err)
	}
}

func TestApplySecretCertDPoP(t *testing.T) {
	ac := vault.AuthClient{Meta: vault.Meta{Name: "m"}, Type: vault.ClientOAuth2, AuthMethod: vault.AuthTLSClient}
	creds := vault.ClientCredentials{ClientSecret: "old", Cert: "old cert", CertKey: "old key"}
	on, off := true, false
	if _, err := clientcreds.Apply(&ac, &creds, clientcreds.Given{Secret: "new", Cert: "C", CertKey: "K", DPoP: &on}); err != nil {
		t.Fatal(err)
	}
	if creds.ClientSecret != "new" || creds.Cert != "C" || creds.CertKey != "K" {
		t.Fatalf("creds %+v", creds)
	}
	k, err := dpop.ParseKey(creds.DPoPKey)
	if err != nil || !ac.DPoP || ac.DPoPKeyID != k.Thumbprint() {
		t.Fatalf("DPoP %v %q: %v", ac.DPoP, ac.DPoPKeyID, err)
	}
	// On again: the stored key stays, so tokens bound to it stay usable.
	stored := creds.DPoPKey
	if _, err := clientcreds.Apply(&ac, &creds, clientcreds.Given{DPoP: &on}); err != nil || creds.DPoPKey != stored || ac.DPoPKeyID != k.Thumbprint() {
		t.Fatalf("DPoP on again replaced the key (err %v)", err)
	}
	if _, err := clientcreds.Apply(&ac, &creds, clientcreds.Given{DPoP: &off}); err != nil || ac.DPoP || ac.DPoPKeyID != "" || creds.DPoPKey != "" {
		t.Fatalf("DPoP off left %v %q %d bytes (err %v)", ac.DPoP, ac.DPoPKeyID, len(creds.DPoPKey), err)
	}
	creds.DPoPKey = "not a key"
	if _, err := clientcreds.Apply(&ac, &creds, clientcreds.Given{DPoP: &on}); fieldOf(err) != clientcreds.FieldDPoPKey {
		t.Fatalf("a broken stored DPoP key: %v", err)
	}
}

func TestMissing(t *testing.T) {
	oauth2 := func(m vault.AuthMethod) vault.AuthClient {
		return vault.AuthClient{Type: vault.ClientOAuth2, AuthMethod: m}
	}
	oauth1 := func(m string) vault.AuthClient {
		return vault.AuthClient{Type: vault.ClientOAuth1, SignatureMethod: m}
	}
	none := vault.ClientCredentials{}
	tests := []struct {
		name  string
		ac    vault.AuthClient
		creds vault.ClientCredentials
		want  string
	}{
		{"basic without secret", oauth2(vault.AuthClientSecretBasic), none, clientcreds.FieldClientSecret},
		{"post with secret", oauth2(vault.AuthClientSecretPost), vault.ClientCredentials{ClientSecret: "s"}, ""},
		{"jwt without secret", oauth2(vault.AuthClientSecretJWT), none, clientcreds.FieldClientSecret},
		{"private_key_jwt without key", oauth2(vault.AuthPrivateKeyJWT), vault.ClientCredentials{ClientSecret: "s"}, clientcreds.FieldPrivateKey},
		{"tls without the cert's key", oauth2(vault.AuthTLSClient), vault.ClientCredentials{Cert: "c"}, clientcreds.FieldCert},
		{"public client", oauth2(vault.AuthNone), none, ""},
		{"session auth", vault.AuthClient{Type: vault.ClientSessionAuth}, none, ""},
		{"OAuth 1.0a HMAC without secret", oauth1("HMAC-SHA1"), none, clientcreds.FieldClientSecret},
		{"OAuth 1.0a PLAINTEXT with secret", oauth1("PLAINTEXT"), vault.ClientCredentials{ClientSecret: "s"}, ""},
		{"OAuth 1.0a RSA without key", oauth1("RSA-SHA1"), vault.ClientCredentials{ClientSecret: "s"}, clientcreds.FieldPrivateKey},
	}
	for _, tt := range tests {
		if got := clientcreds.Missing(tt.ac, tt.creds); got != tt.want {
			t.Errorf("%s: Missing = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzApplyKey: whatever the key text, Apply either stores it with the key
// id of the key it parses to, or refuses it naming the privateKey field
// without quoting it.
func FuzzApplyKey(f *testing.F) {
	_, rsaPEM := keyPEM(f, vault.AlgRS256)
	_, ecPEM := keyPEM(f, vault.AlgES256)
	f.Add(rsaPEM)
	f.Add(ecPEM)
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")
	f.Add("not pem at all")
	f.Fuzz(func(t *testing.T, text string) {
		if text == "" {
			return
		}
		ac := vault.AuthClient{Meta: vault.Meta{Name: "fz"}, Type: vault.ClientOAuth2, AuthMethod: vault.AuthPrivateKeyJWT}
		var creds vault.ClientCredentials
		key, err := clientcreds.Apply(&ac, &creds, clientcreds.Given{Key: text})
		if err != nil {
			if f := fieldOf(err); f != clientcreds.FieldPrivateKey {
				t.Fatalf("error names field %q: %v", f, err)
			}
			if len(text) >= 16 && strings.Contains(err.Error(), text) {
				t.Fatalf("error quotes the key text")
			}
			return
		}
		if creds.PrivateKey != text || ac.KeyID != pemkey.Thumbprint(key) || !keygen.AlgFits(key, ac.SigningAlg) {
			t.Fatalf("stored %d bytes, key id %q, alg %q", len(creds.PrivateKey), ac.KeyID, ac.SigningAlg)
		}
	})
}
