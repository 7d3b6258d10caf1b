package token

import (
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// TestPrivateKeysStayOutOfTheTokenPane covers S-26 in the token pane: the
// pane of OAuth 1.0a token credentials signed with RSA names the client's
// key by its key id, and shows no part of it whatever is pressed; a pane
// asked to open a PRIVATE_KEY or CLIENT_CERT secret refuses without reading
// it from the store.
func TestPrivateKeysStayOutOfTheTokenPane(t *testing.T) {
	t.Parallel()
	counting := vaulttest.NewCountingStore(vault.NewMemoryStore())
	v := vault.New(vault.NewMemoryCatalog(), counting)
	v.Now = func() time.Time { return uitest.FixtureNow }
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	keys, err := uitest.AddPrivateKeys(v)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OA1 token of an RSA client", func(t *testing.T) {
		t.Parallel()
		c := uitest.NewCommon(v)
		c.Env = "dev"
		m := New(c, "dev", uitest.RSAClient)
		h := uitest.NewHost(c, m)
		d := uitest.NewBusy(t, h, 120, 40)
		if !strings.Contains(d.Screen(), keys.RSAKeyID) {
			t.Error("the pane does not name the signing key by its key id")
		}
		for _, k := range []string{"v", "c", "v", "l", "down"} {
			d.Press(k)
			if at, leaked := uitest.PEMLeak(d.Screen(), keys.RSA); leaked {
				t.Fatalf("after %s the pane shows the private key (%s)", k, at)
			}
		}
		for _, cp := range h.Copies {
			if _, leaked := uitest.PEMLeak(cp.Value, keys.RSA); leaked {
				t.Fatal("a copy holds the private key")
			}
		}
	})
	for _, name := range []string{uitest.KeySecret, uitest.CertSecret} {
		t.Run(name, func(t *testing.T) {
			c := uitest.NewCommon(v)
			c.Env = "dev"
			before := counting.Calls()
			m := New(c, "dev", name)
			h := uitest.NewHost(c, m)
			d := uitest.NewBusy(t, h, 120, 40)
			d.Press("v", "c")
			if n := counting.Calls() - before; n != 0 {
				t.Errorf("opening the pane on a %s read the store %d times", name, n)
			}
			if m.Value() != nil || len(h.Copies) != 0 {
				t.Error("the pane loaded or copied the value")
			}
			if s := d.Screen(); !strings.Contains(s, "no token set") {
				t.Errorf("the pane does not say it shows token sets only:\n%s", s)
			}
		})
	}
}
