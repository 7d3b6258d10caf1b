package form

import (
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/uitest"
)

// TestEditFormsKeepPrivateKeysUnseen covers S-26 in the edit forms: a
// private key field is never prefilled with the PEM — empty means "keep the
// stored key" — and the key is named by its key id. Each form is walked
// page by page with enter to its save; no frame shows any part of the key,
// and the stored key is unchanged afterwards.
func TestEditFormsKeepPrivateKeysUnseen(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	keys, err := uitest.AddPrivateKeys(v)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		client bool
		pem    string
		public string
		// keyID is the key id the form shows ("" when it names none: a TLS
		// client's form only asks for files).
		keyID string
	}{
		{name: uitest.KeySecret, pem: keys.EC, keyID: keys.ECKeyID},
		{name: uitest.CertSecret, pem: keys.EC, public: keys.Cert, keyID: keys.ECKeyID},
		{name: uitest.JWTClient, client: true, pem: keys.RSA, keyID: keys.RSAKeyID},
		{name: uitest.RSAClient, client: true, pem: keys.RSA, keyID: keys.RSAKeyID},
		{name: uitest.TLSClient, client: true, pem: keys.EC, public: keys.Cert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := uitest.NewCommon(v)
			var m *Model
			var stored func() string
			if tt.client {
				ac, ok := c.Catalog.Client("dev", tt.name)
				if !ok {
					t.Fatal("no such client")
				}
				m = EditClient(c, *ac)
				stored = func() string {
					x, _ := uitest.Catalog(v).Client("dev", tt.name)
					creds, err := v.ClientCredentials(t.Context(), *x)
					if err != nil {
						t.Fatal(err)
					}
					return creds.PrivateKey + creds.CertKey
				}
			} else {
				s, ok := c.Catalog.Secret("dev", tt.name)
				if !ok {
					t.Fatal("no such secret")
				}
				m = EditSecret(c, *s)
				stored = func() string {
					x, _ := uitest.Catalog(v).Secret("dev", tt.name)
					val, err := v.SecretValue(t.Context(), *x)
					if err != nil {
						t.Fatal(err)
					}
					return val.PrivateKey
				}
			}
			d, h := host(t, c, m)
			if sp, ok := m.spec.(*secretSpec); ok && (sp.loadedValue == nil || sp.loadedValue.PrivateKey != "") {
				t.Error("the secret form holds the stored PEM after reading the value; it needs its description only")
			}
			sawID := false
			for i := 0; i < 80 && h.Popped == 0; i++ {
				s := d.Screen()
				if at, leaked := uitest.PEMLeak(s, tt.pem, tt.public); leaked {
					t.Fatalf("frame %d of the form shows the private key (%s)", i, at)
				}
				sawID = sawID || (tt.keyID != "" && strings.Contains(unwrapped(s), tt.keyID))
				d.Press("enter")
			}
			if h.Popped != 1 {
				t.Fatalf("the form did not save; banner %q", m.Banner())
			}
			if tt.keyID != "" && !sawID {
				t.Errorf("the form never named the stored key by its key id; statuses %q", statusTexts(h, tt.pem))
			}
			if stored() != tt.pem {
				t.Error("saving with the key field left empty did not keep the stored key")
			}
			for _, st := range h.Status {
				if _, leaked := uitest.PEMLeak(st.Text, tt.pem, tt.public); leaked {
					t.Error("a status message shows the private key")
				}
			}
		})
	}
}

// statusTexts lists the status messages the host received (checked for
// key material by the caller before they are printed).
func statusTexts(h *uitest.Host, pem string) []string {
	var out []string
	for _, st := range h.Status {
		if _, leaked := uitest.PEMLeak(st.Text, pem); !leaked {
			out = append(out, st.Text)
		}
	}
	return out
}

// unwrapped joins a frame's lines with the margins and field bars removed,
// so a key id the form wrapped onto two lines is still found.
func unwrapped(frame string) string {
	var b strings.Builder
	for _, line := range strings.Split(frame, "\n") {
		b.WriteString(strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "┃")))
	}
	return b.String()
}
