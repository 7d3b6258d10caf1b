package browse

import (
	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

type purpose int

const (
	purposeReveal purpose = iota
	purposeCopy
)

// valueMsg carries a value read from the store for the selected item.
type valueMsg struct {
	seq     int
	id      string
	purpose purpose
	fields  []common.Field
	primary string
	label   string
	// refused says why nothing is copied even though a value was read.
	refused string
	err     error
}

// keyNotCopied is why a private key is never copied (S-26).
const keyNotCopied = "A private key is never copied (S-26); v shows its key id"

// load reads the selected item's stored value in a command.
func (m *Model) load(p purpose) tea.Cmd {
	sel, ok := m.resolve()
	if !ok {
		return nil
	}
	m.loadSeq++
	seq := m.loadSeq
	v, timeout := m.c.Vault, m.c.StoreTimeout
	m.loading = "reading the vault…"
	m.detailKey = ""
	if sel.client != nil {
		ac := *sel.client
		return func() tea.Msg {
			ctx, cancel := common.StoreContext(timeout)
			defer cancel()
			creds, err := v.ClientCredentials(ctx, ac)
			msg := valueMsg{seq: seq, id: ac.ID, purpose: p, err: err}
			if err == nil {
				msg.fields = common.ClientSecretFields(creds)
				secretLabel := "client secret"
				if ac.Type == vault.ClientOAuth1 {
					// OAuth 1.0a calls it the consumer secret (RFC 5849).
					secretLabel = "consumer secret"
					for i := range msg.fields {
						if msg.fields[i].Label == "client secret" {
							msg.fields[i].Label = secretLabel
						}
					}
				}
				// A private key is never a copy's value (S-26): a client
				// holding only a key has nothing to copy.
				switch {
				case holdsPrivateKey(ac):
					msg.refused = keyNotCopied
				case creds.ClientSecret != "":
					msg.primary, msg.label = creds.ClientSecret, secretLabel+" of "+ac.Name
				case creds.CertKey != "":
					msg.primary, msg.label = creds.Cert, "client certificate of "+ac.Name
				}
			}
			return msg
		}
	}
	s := *sel.secret
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		val, err := v.SecretValue(ctx, s)
		msg := valueMsg{seq: seq, id: s.ID, purpose: p, err: err}
		if err == nil {
			msg.fields = common.SecretFields(s.Type, val)
			if primaryIsKey(s.Type) {
				msg.refused = keyNotCopied
			} else {
				msg.primary = val.Primary(s.Type)
				msg.label = primaryLabel(s.Type) + " of " + s.Name
			}
		}
		return msg
	}
}

// holdsPrivateKey reports whether what a client keeps in the store is a
// private key (private_key_jwt, OAuth 1.0a RSA signatures): such a client
// offers no copy, and its reveal shows the key id (S-26).
func holdsPrivateKey(ac vault.AuthClient) bool {
	switch ac.Type {
	case vault.ClientOAuth1:
		return oauth1.IsRSA(ac.SignatureMethod)
	case vault.ClientSessionAuth:
		return false
	case vault.ClientOAuth2:
		// by its auth method, below
	}
	return ac.AuthMethod == vault.AuthPrivateKeyJWT
}

// privateKeyOnly reports whether the selection's stored value is a private
// key and nothing else that could be copied.
func privateKeyOnly(sel selection) bool {
	switch {
	case sel.secret != nil:
		return primaryIsKey(sel.secret.Type)
	case sel.client != nil:
		return sel.client.HasSecret && holdsPrivateKey(*sel.client)
	}
	return false
}

// primaryIsKey reports whether what a copy of a secret of type t would take
// is a private key, which is never copied (S-26).
func primaryIsKey(t vault.SecretType) bool {
	ti, _ := t.Info()
	f, _ := ti.Field(ti.Primary)
	return f.PrivateKey
}

// primaryLabel names what a copy of a secret of type t takes.
func primaryLabel(t vault.SecretType) string {
	ti, _ := t.Info()
	if f, ok := ti.Field(ti.Primary); ok {
		return f.Label
	}
	return "value"
}

func (m *Model) handleValue(msg valueMsg) tea.Cmd {
	if msg.seq != m.loadSeq || msg.id != m.selected {
		return nil // the user moved on; never show a value for another item
	}
	m.loading = ""
	m.detailKey = ""
	if msg.err != nil {
		return common.ErrorCmd(msg.err)
	}
	m.masked = maskFields(msg.fields)
	switch msg.purpose {
	case purposeReveal:
		m.revealed = &loaded{id: msg.id, fields: msg.fields}
		return nil
	case purposeCopy:
		if msg.refused != "" {
			return common.Status(common.StatusWarning, msg.refused)
		}
		if msg.primary == "" {
			return common.Status(common.StatusWarning, "Nothing to copy: the value is empty")
		}
		return common.Copy(msg.label, msg.primary)
	}
	return nil
}

// maskFields keeps, for each secret field, only its masked form.
func maskFields(fields []common.Field) []common.Field {
	out := make([]common.Field, len(fields))
	for i, f := range fields {
		out[i] = common.Field{Label: f.Label, Secret: f.Secret}
		if f.Secret {
			out[i].Value = common.MaskedText(f.Value)
		} else {
			out[i].Value = f.Value
		}
	}
	return out
}
