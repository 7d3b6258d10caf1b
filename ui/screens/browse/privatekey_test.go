package browse

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/uitest"
)

// keyItem is an item of uitest.AddPrivateKeys with the key it keeps.
type keyItem struct {
	name    string
	section string
	pem     string
	keyID   string
	alg     string
	// copies is the public value c copies ("" when c is not offered); it
	// shares the key's public half, which may show.
	copies string
}

func keyItems(k uitest.PrivateKeys) []keyItem {
	return []keyItem{
		{name: uitest.KeySecret, section: SectionSecrets, pem: k.EC, keyID: k.ECKeyID, alg: "EC P-256"},
		{name: uitest.CertSecret, section: SectionSecrets, pem: k.EC, keyID: k.ECKeyID, alg: "EC P-256", copies: k.Cert},
		{name: uitest.JWTClient, section: SectionClients, pem: k.RSA, keyID: k.RSAKeyID, alg: "RSA 2048"},
		{name: uitest.RSAClient, section: SectionClients, pem: k.RSA, keyID: k.RSAKeyID, alg: "RSA 2048"},
		{name: uitest.TLSClient, section: SectionClients, pem: k.EC, keyID: k.ECKeyID, alg: "EC P-256", copies: k.Cert},
	}
}

// selectItem moves the cursor to name in section (a client and a secret
// may share a name).
func selectItem(t *testing.T, d *uitest.Driver, m *Model, name, section string) {
	t.Helper()
	d.Press("g")
	for i := 0; i < 60; i++ {
		if it, ok := m.Selected(); ok && it.Name == name && it.Section == section {
			return
		}
		d.Press("down")
	}
	t.Fatalf("%s %q not found in the list", section, name)
}

// assertNoPEM fails when text shows any part of pem; the message names the
// place, never the characters (S-33).
func assertNoPEM(t *testing.T, where, text, pem string, public ...string) {
	t.Helper()
	if at, leaked := uitest.PEMLeak(text, pem, public...); leaked {
		t.Errorf("%s shows the private key (%s)", where, at)
	}
}

// TestPrivateKeysShownByKeyIDOnly covers S-26 in the browse screen: for
// every kind of item holding a private key, reveal (v, and enter on a
// secret) shows the algorithm, size and key id, never the PEM; c is not
// offered when the only stored value is the key, and where it is offered it
// copies the public certificate; no status line, view or copy ever carries
// the key, masked again or not.
func TestPrivateKeysShownByKeyIDOnly(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	keys, err := uitest.AddPrivateKeys(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range keyItems(keys) {
		t.Run(it.name+"_"+it.section, func(t *testing.T) {
			t.Parallel()
			d, h, m := newBrowse(t, v)
			d.Send(tea.WindowSizeMsg{Width: 160, Height: 40}) // wide enough for a whole key id
			selectItem(t, d, m, it.name, it.section)
			km := m.KeyMap()
			if got := km.Copy.Enabled(); got != (it.copies != "") {
				t.Errorf("copy offered = %v, want %v", got, it.copies != "")
			}
			if !km.Reveal.Enabled() {
				t.Fatal("v is not offered: the key id could not be looked at")
			}
			assertNoPEM(t, "the detail before v", d.Screen(), it.pem)

			d.Press("v")
			d.Wait(5*time.Second, "the value to load", m.Revealed)
			s := d.Screen()
			assertNoPEM(t, "the detail after v", s, it.pem, it.copies)
			// The screen is not printed: it might hold the key.
			for _, want := range []string{it.keyID, it.alg, "key id"} {
				if !strings.Contains(s, want) {
					t.Errorf("after v the detail lacks %q", want)
				}
			}
			if it.copies != "" && !strings.Contains(s, "BEGIN CERTIFICATE") {
				t.Error("the (public) certificate is not shown after v")
			}
			d.Press("v") // hide: the masked form after a load
			// The masked form shows the public certificate in full (long
			// values wrap); it holds the public key, as the private key
			// does, so its lines are exempt from the chunk check.
			assertNoPEM(t, "the detail after v twice", d.Screen(), it.pem, it.copies)

			d.Press("c")
			if it.copies == "" {
				if len(h.Copies) != 0 {
					t.Fatalf("c copied %d values although it is not offered", len(h.Copies))
				}
				// Even asked directly, the copy refuses and says why.
				d.Send(m.load(purposeCopy)())
				d.Wait(5*time.Second, "the refused copy", func() bool { return strings.Contains(h.LastStatus(), "never copied") })
				if len(h.Copies) != 0 {
					t.Fatal("a copy of the private key was made")
				}
				if !strings.Contains(h.LastStatus(), "never copied") {
					t.Errorf("status after a refused copy = %q", h.LastStatus())
				}
			} else {
				d.Wait(5*time.Second, "the copy", func() bool { return len(h.Copies) > 0 })
				if len(h.Copies) != 1 || h.Copies[0].Value != it.copies || !strings.Contains(h.Copies[0].Label, "certificate") {
					t.Fatalf("c made %d copies, label %q; want the certificate", len(h.Copies), labelOf(h.Copies))
				}
			}
			if it.section == SectionSecrets {
				d.Press("enter") // a secret that is no token set: enter reveals
				d.Wait(5*time.Second, "enter to reveal", m.Revealed)
				assertNoPEM(t, "the detail after enter", d.Screen(), it.pem, it.copies)
			}
			for i, c := range h.Copies {
				assertNoPEM(t, "copy "+string(rune('1'+i)), c.Value, it.pem, it.copies)
			}
			for _, st := range h.Status {
				assertNoPEM(t, "the status line", st.Text, it.pem)
			}
		})
	}
}

// TestPrivateKeyHelpSaysKeyID: help tells the truth (S-26): c is not listed
// for a key, and v says it shows the key id.
func TestPrivateKeyHelpSaysKeyID(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	if _, err := uitest.AddPrivateKeys(v); err != nil {
		t.Fatal(err)
	}
	d, _, m := newBrowse(t, v)
	selectItem(t, d, m, uitest.KeySecret, SectionSecrets)
	var shown []string
	for _, b := range m.ShortHelp() {
		if b.Enabled() {
			shown = append(shown, b.Help().Key+" "+b.Help().Desc)
		}
	}
	help := strings.Join(shown, ", ")
	if !strings.Contains(help, "v key id") || strings.Contains(help, "c ") {
		t.Errorf("help for a private key = %q", help)
	}
	selectItem(t, d, m, "weather-key", SectionSecrets)
	if !m.KeyMap().Copy.Enabled() {
		t.Error("c is no longer offered for an API key")
	}
}
