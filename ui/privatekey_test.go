package ui

import (
	"testing"

	"github.com/authdeck/authdeck/ui/uitest"
)

// TestPrivateKeysNeverLeaveTheTUI covers S-26 end to end: in the whole
// program, every key a user might press on an item that keeps a private key
// — reveal, copy, open, get token, edit (and leave again) — leaves no part
// of the PEM in any frame and none in a clipboard command (OSC 52 here).
func TestPrivateKeysNeverLeaveTheTUI(t *testing.T) {
	t.Parallel()
	var keys uitest.PrivateKeys
	d, _, _ := fixtureApp(t, 140, 40, func(o *Options) {
		var err error
		if keys, err = uitest.AddPrivateKeys(o.Vault); err != nil {
			t.Fatal(err)
		}
		o.Catalog = uitest.Catalog(o.Vault)
	})
	items := []struct {
		name, pem, public string
	}{
		// The EC key is the certificate's: its public half may show wherever
		// the certificate does.
		{uitest.KeySecret, keys.EC, keys.Cert},
		{uitest.CertSecret, keys.EC, keys.Cert},
		{uitest.JWTClient, keys.RSA, ""},
		{uitest.RSAClient, keys.RSA, ""},
		{uitest.TLSClient, keys.EC, keys.Cert},
	}
	check := func(what string, pem, public string) {
		t.Helper()
		if at, leaked := uitest.PEMLeak(d.Screen(), pem, public); leaked {
			t.Fatalf("%s: the screen shows the private key (%s)", what, at)
		}
	}
	for _, it := range items {
		selectItem(t, d, it.name)
		for _, k := range []string{"v", "c", "v", "enter", "esc", "esc", "t", "esc", "esc", "e", "esc", "esc"} {
			d.Press(k)
			check(it.name+" after "+k, it.pem, it.public)
		}
	}
	copies := osc52Copies(d)
	for i, c := range copies {
		for _, it := range items {
			if _, leaked := uitest.PEMLeak(c, it.pem, it.public); leaked {
				t.Errorf("clipboard copy %d holds the private key of %s", i+1, it.name)
			}
		}
	}
	if len(copies) == 0 {
		t.Error("no copy was made at all: c on the certificates should have copied them")
	}
}
