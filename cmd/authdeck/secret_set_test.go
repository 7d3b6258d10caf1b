package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/vault"
)

// `secret set` on an auth client and the shared credential rules
// (clientcreds.Apply, as `client add`/`edit` and the TUI form use them)
// agree: for each client and input, the client and credentials the command
// stores are those Apply makes of the same input, and what Apply refuses
// the command refuses, storing nothing and naming --file.
func TestSecretSetClientFollowsSharedCredentialRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rsaPEM, otherRSAPEM, pkcs1PEM, ecPEM := pemKey(t, "pkcs8"), pemKey(t, "pkcs8"), pemKey(t, "pkcs1"), pemKey(t, "ec")
	oldCert, oldCertKey := selfSignedPair(t)
	certPEM, certKeyPEM := selfSignedPair(t)
	const oldSecret, newSecret = "cs_old_7f3e9a1b2c4d5e6f7a8b9c0d1e2f3a4b", "cs_new_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"
	pkjwt := func(name, alg string) vault.AuthClient {
		return vault.AuthClient{
			Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Grant: vault.GrantClientCredentials,
			Endpoints: vault.Endpoints{Token: tokenURL}, ClientID: "app-" + name, AuthMethod: vault.AuthPrivateKeyJWT, SigningAlg: alg,
		}
	}
	oauth1RSA := vault.AuthClient{
		Meta: vault.Meta{Name: "photos", Env: vault.DefaultEnv}, Type: vault.ClientOAuth1,
		Endpoints:       vault.Endpoints{RequestToken: "https://photos.example.net/request_token", Authorization: "https://photos.example.net/authorize", Token: "https://photos.example.net/access_token"},
		ClientID:        "dpf43f3p2l4k3l03",
		SignatureMethod: "RSA-SHA256",
	}
	basic := vault.AuthClient{
		Meta: vault.Meta{Name: "basic", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Grant: vault.GrantClientCredentials,
		Endpoints: vault.Endpoints{Token: tokenURL}, ClientID: "app-basic", AuthMethod: vault.AuthClientSecretBasic,
	}
	mtls := vault.AuthClient{
		Meta: vault.Meta{Name: "mtls", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Grant: vault.GrantClientCredentials,
		Endpoints: vault.Endpoints{Token: tokenURL}, ClientID: "app-mtls", AuthMethod: vault.AuthTLSClient,
	}
	tests := []struct {
		name  string
		ac    vault.AuthClient
		creds vault.ClientCredentials // stored before
		file  string                  // --file content; "" reads newSecret from stdin
		given clientcreds.Given       // the same input, as Apply takes it
		code  int                     // the command's exit code
	}{
		{"RSA key keeps PS256", pkjwt("ps", vault.AlgPS256), vault.ClientCredentials{PrivateKey: rsaPEM}, otherRSAPEM, clientcreds.Given{Key: otherRSAPEM}, exitOK},
		{"EC key moves RS256 to ES256", pkjwt("es", vault.AlgRS256), vault.ClientCredentials{PrivateKey: rsaPEM}, ecPEM, clientcreds.Given{Key: ecPEM}, exitOK},
		{
			"not a key", pkjwt("bad", vault.AlgRS256),
			vault.ClientCredentials{PrivateKey: rsaPEM},
			"-----BEGIN PRIVATE KEY-----\nc2VjcmV0IHRleHQ=\n-----END PRIVATE KEY-----\n",
			clientcreds.Given{Key: "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IHRleHQ=\n-----END PRIVATE KEY-----\n"},
			exitOther,
		},
		{"OAuth 1.0a RSA key", oauth1RSA, vault.ClientCredentials{PrivateKey: rsaPEM}, pkcs1PEM, clientcreds.Given{Key: pkcs1PEM}, exitOK},
		{"OAuth 1.0a refuses an EC key", withName(oauth1RSA, "photos-ec"), vault.ClientCredentials{PrivateKey: rsaPEM}, ecPEM, clientcreds.Given{Key: ecPEM}, exitOther},
		{"client secret from stdin", basic, vault.ClientCredentials{ClientSecret: oldSecret}, "", clientcreds.Given{Secret: newSecret}, exitOK},
		{"client certificate", mtls, vault.ClientCredentials{Cert: oldCert, CertKey: oldCertKey}, certPEM + certKeyPEM, clientcreds.Given{Cert: certPEM, CertKey: certKeyPEM}, exitOK},
	}
	h := newHarness(t)
	for _, tt := range tests {
		if _, err := h.v.PutClient(ctx, tt.ac, &tt.creds); err != nil {
			t.Fatalf("%s: seeding the client: %v", tt.name, err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := h.v.Client(vault.DefaultEnv, tt.ac.Name)
			if err != nil {
				t.Fatal(err)
			}
			beforeCreds, err := h.v.ClientCredentials(ctx, before)
			if err != nil {
				t.Fatal(err)
			}
			wantAC, wantCreds := before, beforeCreds
			_, applyErr := clientcreds.Apply(&wantAC, &wantCreds, tt.given)

			args := []string{"secret", "set", tt.ac.Name}
			stdin := ""
			if tt.file == "" {
				args, stdin = append(args, "--value-stdin"), newSecret+"\n"
			} else {
				args = append(args, "--file", writeFile(t, "cred.pem", tt.file))
			}
			r := h.run(stdin, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.out, r.err)
			}
			noSecret(t, r, oldSecret, newSecret)
			if strings.Contains(r.all(), "BEGIN") || strings.Contains(r.all(), "c2VjcmV0") {
				t.Fatalf("the output quotes the key:\n%s%s", r.out, r.err)
			}
			gotAC, err := h.v.Client(vault.DefaultEnv, tt.ac.Name)
			if err != nil {
				t.Fatal(err)
			}
			gotCreds, err := h.v.ClientCredentials(ctx, gotAC)
			if err != nil {
				t.Fatal(err)
			}
			if tt.code != exitOK {
				var ve *vault.ValidationError
				if !errors.As(applyErr, &ve) {
					t.Fatalf("the command refused what clientcreds.Apply takes (Apply: %v)\nstderr: %s", applyErr, r.err)
				}
				if want := "--file " + args[len(args)-1] + ": " + ve.Msg; !strings.Contains(r.err, want) {
					t.Fatalf("stderr %q does not say %q", r.err, want)
				}
				wantAC, wantCreds = before, beforeCreds
			} else if applyErr != nil {
				t.Fatalf("the command took what clientcreds.Apply refuses: %v", applyErr)
			}
			if gotAC.SigningAlg != wantAC.SigningAlg || gotAC.KeyID != wantAC.KeyID || gotAC.SignatureMethod != wantAC.SignatureMethod {
				t.Errorf("stored client: alg %q key id %q method %q; Apply: alg %q key id %q method %q",
					gotAC.SigningAlg, gotAC.KeyID, gotAC.SignatureMethod, wantAC.SigningAlg, wantAC.KeyID, wantAC.SignatureMethod)
			}
			if gotCreds != wantCreds {
				t.Errorf("stored credentials differ from Apply's (secret %v, key %v, cert %v, cert key %v)",
					gotCreds.ClientSecret == wantCreds.ClientSecret, gotCreds.PrivateKey == wantCreds.PrivateKey,
					gotCreds.Cert == wantCreds.Cert, gotCreds.CertKey == wantCreds.CertKey)
			}
			if tt.code == exitOK && gotCreds == beforeCreds {
				t.Errorf("the credentials did not change")
			}
		})
	}
}

// withName returns ac under another name.
func withName(ac vault.AuthClient, name string) vault.AuthClient {
	ac.Name = name
	return ac
}
