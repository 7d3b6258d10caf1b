package token

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// oauth1View shows OAuth 1.0a token credentials: no expiry, scopes or JWT,
// and the token secret never unmasked (S-30). There is no refresh,
// introspection or revocation in OAuth 1.0a, and no fixed header to copy.
type oauth1View struct{}

func (oauth1View) keyMap(m *Model, k KeyMap) KeyMap {
	have := m.val != nil && m.val.Token != ""
	ac, hasClient := m.client()
	k.Reveal.SetEnabled(have)
	k.Copy.SetEnabled(have)
	k.Send.SetEnabled(have && hasClient)
	for _, b := range []*key.Binding{&k.CopyHeader, &k.Refresh, &k.Introspect, &k.Revoke, &k.Log} {
		b.SetEnabled(false)
	}
	// A client without flow URLs has nothing to authorize again with.
	k.Reauth.SetEnabled(m.busy == "" && hasClient && ac.Type == vault.ClientOAuth1 && ac.HasOAuth1Flow())
	return k
}

func (oauth1View) shortHelp(k KeyMap) []key.Binding {
	return []key.Binding{k.Reveal, k.Copy, k.Send, k.Reauth, k.Delete, k.Back}
}

func (oauth1View) handleKey(m *Model, k tea.KeyPressMsg, km KeyMap) (tea.Cmd, bool) {
	if key.Matches(k, km.Copy) {
		return common.Copy("token of "+m.name, m.val.Token), true
	}
	return nil, false
}

func (oauth1View) update(*Model, tea.Msg) (tea.Cmd, bool) { return nil, false }

func (oauth1View) render(m *Model, w *writer, sec vault.Secret, now time.Time) {
	s := m.c.Styles
	v := m.val
	ac, hasClient := m.client()
	switch {
	case hasClient:
		w.row("client", s.Text.Render(ac.Name+" · "+ac.Type.Label()))
		w.row("consumer key", s.Text.Render(ac.ClientID))
		w.row("signature", s.Text.Render(ac.SignatureMethod))
		if oauth1.IsRSA(ac.SignatureMethod) && ac.KeyID != "" {
			// The RSA key that signs is named by its key id only (S-26).
			w.row("key id", s.Text.Render(ac.KeyID))
		}
		if ac.Realm != "" {
			w.row("realm", s.Text.Render(ac.Realm))
		}
		if ac.BodyHash {
			w.row("body hash", s.Text.Render("oauth_body_hash signs bodies that are not forms"))
		}
		if !ac.HasOAuth1Flow() {
			w.row("flow", s.Muted.Render("none to run — the client names no flow URL; requests are signed with these stored credentials"))
		}
	case sec.AuthClient != "":
		w.row("client", s.Warning.Render(sec.AuthClient+" (not in this environment)"))
	default:
		w.row("client", s.Warning.Render("none linked: requests cannot be signed without the consumer"))
	}
	switch {
	case v.Token == "":
		w.row("token", s.Muted.Render("none stored"))
	case m.revealed:
		w.row("token", s.Revealed.Render("revealed — v hides it; it is hidden again when you leave"))
		for _, chunk := range chunks(v.Token, max(10, w.w-15)) {
			w.row("", s.Revealed.Render(chunk))
		}
	default:
		w.row("token", s.Masked.Render(common.MaskedText(v.Token)))
	}
	if v.TokenSecret != "" {
		w.row("token secret", s.Masked.Render(common.MaskedText(v.TokenSecret))+s.Faint.Render("  never shown; it keys the signatures"))
	} else {
		w.row("token secret", s.Muted.Render("none stored"))
	}
	if sec.LastRefresh != nil {
		w.row("authorized", s.Text.Render(common.When(*sec.LastRefresh, now)))
	}
	w.row("expires", s.Muted.Render("no expiry — valid until the provider revokes them"))
	hosts := sec.AllowedHosts
	if len(hosts) == 0 && hasClient {
		hosts = ac.AllowedHosts
	}
	if len(hosts) > 0 {
		w.row("allowed hosts", s.Text.Render(strings.Join(hosts, ", ")))
	}
	w.heading("SIGNING")
	for _, l := range wrapWords("Each request is signed on its own (nonce, timestamp, signature over the method, URL and parameters), so there is no fixed Authorization header to copy. s sends a request with auth "+m.name+" from the request console.", max(20, w.w-2)) {
		w.line(s.Muted.Render(l))
	}
}
