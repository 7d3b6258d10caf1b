package form

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// The client form prepares a key read from a file with the rules `client
// add` follows (clientcreds.Apply): "from the key" records the key's own
// algorithm and its key id, and a chosen algorithm the key cannot sign
// with is refused before anything is stored.
func TestClientFormKeyFileFollowsTheSharedRules(t *testing.T) {
	t.Parallel()
	key, pemText, err := keygen.KeyPair(vault.AlgES256)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, []byte(pemText), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, alg, wantAlg, wantField string
	}{
		{name: "from-the-key", alg: "", wantAlg: vault.AlgES256},
		{name: "chosen-es256", alg: vault.AlgES256, wantAlg: vault.AlgES256},
		{name: "chosen-rs256", alg: vault.AlgRS256, wantField: clientcreds.FieldSigningAlg},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := uitest.Fixture()
			s := newClientSpec("dev")
			s.name, s.tokenURL, s.clientID = "pk-"+tt.name, "https://id.example.com/token", "svc"
			s.method, s.keySource, s.keyPath, s.signingAlg = string(vault.AuthPrivateKeyJWT), sourceFile, path, tt.alg
			ch, err := s.prepare(uitest.NewCommon(v))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ch.run(t.Context(), v)
			if tt.wantField != "" {
				var ve *vault.ValidationError
				if !errors.As(err, &ve) || ve.Field != tt.wantField {
					t.Fatalf("saving: %v, want an error on %s", err, tt.wantField)
				}
				if _, ok := uitest.Catalog(v).Client("dev", s.name); ok {
					t.Fatal("a refused key still stored the client")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ac, ok := uitest.Catalog(v).Client("dev", s.name)
			if !ok {
				t.Fatal("the client was not stored")
			}
			if ac.SigningAlg != tt.wantAlg || ac.KeyID != pemkey.Thumbprint(key) {
				t.Fatalf("stored alg %q key id %q, want %q %q", ac.SigningAlg, ac.KeyID, tt.wantAlg, pemkey.Thumbprint(key))
			}
			creds, err := v.ClientCredentials(t.Context(), *ac)
			if err != nil || creds.PrivateKey != pemText {
				t.Fatalf("stored key differs (err %v)", err)
			}
		})
	}
}
