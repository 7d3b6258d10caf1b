package vault

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// ValidateCredentials for OAuth 1.0a clients: HMAC and PLAINTEXT need the
// consumer secret, RSA methods an RSA private key (not EC).
func TestValidateCredentialsOAuth1(t *testing.T) {
	t.Parallel()
	_, rsaPEM, err := generateTestKey(AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	tests := []struct {
		method string
		creds  ClientCredentials
		field  string // "" = valid
	}{
		{"HMAC-SHA1", ClientCredentials{ClientSecret: "cs"}, ""},
		{"HMAC-SHA256", ClientCredentials{}, "clientSecret"},
		{"HMAC-SHA1", ClientCredentials{PrivateKey: rsaPEM}, "clientSecret"},
		{"PLAINTEXT", ClientCredentials{}, "clientSecret"},
		{"PLAINTEXT", ClientCredentials{ClientSecret: "cs"}, ""},
		{"RSA-SHA1", ClientCredentials{PrivateKey: rsaPEM}, ""},
		{"RSA-SHA256", ClientCredentials{PrivateKey: rsaPEM, ClientSecret: "cs"}, ""},
		{"RSA-SHA256", ClientCredentials{ClientSecret: "cs"}, "privateKey"},
		{"RSA-SHA256", ClientCredentials{PrivateKey: ecPEM}, "privateKey"},
	}
	for _, tt := range tests {
		c := AuthClient{Meta: Meta{Name: "p"}, Type: ClientOAuth1, SignatureMethod: tt.method}
		err := c.ValidateCredentials(tt.creds)
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.method, err)
		case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field+":")):
			t.Errorf("%s: %v, want an error about %s", tt.method, err, tt.field)
		}
	}
	// OAuth 2.0 clients are unchanged: client_credentials with none has nothing to check here.
	o2 := AuthClient{Meta: Meta{Name: "o"}, Type: ClientOAuth2, AuthMethod: AuthNone}
	if err := o2.ValidateCredentials(ClientCredentials{}); err != nil {
		t.Errorf("OAuth 2.0 public client: %v", err)
	}
}

// TestValidateOAuth1Flow: an OAuth 1.0a client with none of the three flow
// URLs is a client that only signs; one with some of them is refused,
// naming the missing ones; a realm with a control character is refused.
func TestValidateOAuth1Flow(t *testing.T) {
	t.Parallel()
	base := AuthClient{Meta: Meta{Name: "x", Env: "dev"}, Type: ClientOAuth1, ClientID: "ck", SignatureMethod: "HMAC-SHA1"}
	if err := base.Validate(); err != nil {
		t.Errorf("no flow URLs: %v", err)
	}
	if base.HasOAuth1Flow() {
		t.Error("HasOAuth1Flow with no URL")
	}
	full := base
	full.Endpoints = Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"}
	if err := full.Validate(); err != nil || !full.HasOAuth1Flow() {
		t.Errorf("three flow URLs: %v", err)
	}
	part := base
	part.Endpoints.Token = "https://p.example/at"
	if err := part.Validate(); err == nil || !strings.Contains(err.Error(), "request-token and authorization URL is missing") {
		t.Errorf("one flow URL: %v", err)
	}
	realm := base
	realm.Realm = "a\nb"
	if err := realm.Validate(); err == nil || !strings.Contains(err.Error(), "realm") {
		t.Errorf("realm with a line break: %v", err)
	}
	realm.Realm = `Photos "and" more`
	if err := realm.Validate(); err != nil {
		t.Errorf("realm with quotes: %v", err)
	}
}
