package wizard

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/screens/form"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// fill types each value and presses enter after it; "" just presses enter.
func fill(d *uitest.Driver, values ...string) {
	for _, v := range values {
		if v != "" {
			d.Type(v)
		}
		d.Press("enter")
	}
}

// TestWizardOAuth1Clients: the wizard's OAuth 1.0a choice opens the form
// for the three endpoints; an HMAC-SHA1 client (loopback) and an
// RSA-SHA256 client (pasted key, oob, GET token requests) are created
// against the playground's OAuth 1.0a provider, and each then authorizes.
func TestWizardOAuth1Clients(t *testing.T) {
	t.Parallel()
	dm := uitest.StartDemo(t)
	o := dm.Server.OAuth1
	host := strings.TrimPrefix(o.URL, "http://")
	for _, tc := range []struct {
		name, method string
		keys         func(t *testing.T, d *uitest.Driver)
		callback     string
		tokenMethod  string
	}{
		{name: "wiz-hmac", method: oauth1.HMACSHA1, callback: "", tokenMethod: "", keys: func(t *testing.T, d *uitest.Driver) {
			d.Press("down", "enter") // HMAC-SHA1
			d.Type(o.ConsumerSecret)
			if strings.Contains(d.Screen(), o.ConsumerSecret) {
				t.Fatal("the consumer secret is echoed (S-30)")
			}
			d.Press("enter")
			d.Press("enter", "enter") // loopback, POST
		}},
		{name: "wiz-rsa", method: oauth1.RSASHA256, callback: oauth1.OOB, tokenMethod: "GET", keys: func(t *testing.T, d *uitest.Driver) {
			d.Press("down", "down", "enter") // RSA-SHA256
			d.Press("enter")                 // paste the PEM
			d.Send(tea.PasteMsg{Content: o.PrivateKeyPEM})
			d.Settle()
			for _, line := range strings.Split(strings.TrimSpace(o.PrivateKeyPEM), "\n")[1:3] {
				if strings.Contains(d.Screen(), line[:16]) {
					t.Fatal("the pasted key is shown (S-26)")
				}
			}
			d.Press("enter", "enter") // the key; the file field does not apply
			d.Press("down", "enter")  // oob
			d.Press("down", "enter")  // GET
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := uitest.NewCommon(dm.Vault)
			c.EngineConfig = dm.Engines
			w := New(c, "dev")
			h := uitest.NewHost(c, w)
			d := uitest.New(t, h, 110, 40)
			d.Busy = uitest.StoreBusy // saves still at work hold each step back
			d.Press("down")
			if w.Choice().Type != vault.ClientOAuth1 || !strings.Contains(d.Screen(), "OAuth 1.0a") {
				t.Fatalf("the OAuth 1.0a choice is not offered:\n%s", d.Screen())
			}
			d.Press("enter")
			if len(h.Pushed) != 1 || h.Popped != 1 {
				t.Fatalf("choosing OAuth 1.0a pushed %d screens, popped %d", len(h.Pushed), h.Popped)
			}
			f, ok := h.Pushed[0].(*form.Model)
			if !ok {
				t.Fatalf("pushed %T", h.Pushed[0])
			}
			fh := uitest.NewHost(c, f)
			fd := uitest.New(t, fh, 110, 40)
			fd.Busy = uitest.StoreBusy // saves still at work hold each step back
			if !strings.Contains(fd.Screen(), "New OAuth 1.0a auth client in dev") {
				t.Fatalf("form:\n%s", fd.Screen())
			}
			fill(fd, tc.name, "", o.RequestTokenURL, o.AuthorizeURL, o.AccessTokenURL, o.ConsumerKey)
			tc.keys(t, fd)
			fill(fd, "", "", "", host) // expiry, secret expiry, tenant, allowed hosts
			if fh.Popped != 1 {
				t.Fatalf("not saved; banner %q:\n%s", f.Banner(), fd.Screen())
			}
			ac, err := dm.Vault.Client("dev", tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if ac.Type != vault.ClientOAuth1 || ac.SignatureMethod != tc.method || ac.Callback != tc.callback || ac.TokenMethod != tc.tokenMethod ||
				ac.ClientID != o.ConsumerKey || len(ac.AllowedHosts) != 1 || ac.AllowedHosts[0] != host {
				t.Fatalf("client = %+v", ac)
			}
			if oauth1.IsRSA(tc.method) == (ac.KeyID == "") {
				t.Errorf("key id %q for %s", ac.KeyID, tc.method)
			}
			// The client works: the provider authorizes it.
			e := &oauth1.Engine{Vault: dm.Vault, Opener: dm.Engines.Opener, CallbackTimeout: uitestTimeout}
			cb := oauth1.Callbacks{Verifier: func(ctx context.Context, p oauth.AuthPrompt) (string, error) {
				if p.Listening {
					<-ctx.Done() // the loopback callback answers
					return "", ctx.Err()
				}
				a, err := dm.OAuth1Browser.Authorize(ctx, p.URL)
				if err != nil {
					return "", err
				}
				return a.Verifier, nil
			}}
			ctx, cancel := context.WithTimeout(context.Background(), uitestTimeout)
			defer cancel()
			req := oauth1.AuthorizeRequest{Env: "dev", Client: tc.name, NoBrowser: tc.callback == oauth1.OOB}
			if _, err := e.Authorize(ctx, req, cb); err != nil {
				t.Fatalf("the client made in the wizard does not authorize: %v", err)
			}
		})
	}
}
