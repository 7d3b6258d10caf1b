package common

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/oauth"
	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
)

// Problem is an error explained for a person: a short reason, the detail,
// and what to do next.
type Problem struct {
	Reason string
	Detail string
	Next   string
	// Vault is true when the vault itself is unusable (unreachable, locked),
	// so the root model offers the vault pane.
	Vault bool
}

// ErrNoPassphrase is a store call's error when the file vault's passphrase
// dialog was dismissed (or the TUI stopped while it was open).
var ErrNoPassphrase = fmt.Errorf("%w: no passphrase was given for the file vault", vault.ErrMissingInput)

// Explain turns an error from the vault or a flow into a Problem. It never
// includes a secret value: vault and oauth errors carry none by contract.
func Explain(err error) Problem {
	if err == nil {
		return Problem{}
	}
	p := Problem{Detail: err.Error()}
	var se *vault.StoreError
	isStore := errors.As(err, &se)
	switch {
	case errors.Is(err, vault.ErrUnavailable):
		p.Reason = "The vault cannot be reached"
		p.Next = "Start or unlock your keyring (Secret Service, Keychain, Credential Manager), or press f to use the encrypted file vault instead (AUTHDECK_VAULT=file)."
		p.Vault = true
	case errors.Is(err, vault.ErrLocked):
		p.Reason = "The vault is locked"
		p.Next = "Unlock your keyring (log in to it, or unlock it in your desktop's password manager) and press r to retry; a file vault needs the right passphrase."
		p.Vault = true
	case errors.Is(err, vault.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		p.Reason = "The vault did not answer in time"
		p.Next = "A keyring prompt may be waiting on another screen; answer it and press r to retry."
		p.Vault = isStore
	case errors.Is(err, vault.ErrCorrupt):
		p.Reason = "A stored value is damaged"
		p.Next = "Delete the item and store it again; the rest of the vault is unaffected."
	case errors.Is(err, vault.ErrNotFound):
		p.Reason = "The stored value is missing"
		p.Next = "The catalog lists an item whose value is not in this vault (was it made with another backend?). Edit it to store the value again."
	case errors.Is(err, vault.ErrTooLarge):
		p.Reason = "The value is too large for this vault"
		p.Next = "Store large keys and certificates in the encrypted file vault."
	case errors.Is(err, vault.ErrInvalid):
		p.Reason = "Invalid input"
		p.Next = "Fix the field named above and save again; nothing was changed."
	case errors.Is(err, vault.ErrExists):
		p.Reason = "That name is taken"
		p.Next = "Choose another name; nothing was changed."
	case errors.Is(err, vault.ErrNotConfigured):
		p.Reason = "Not configured"
		p.Next = "Create it first, or switch to the environment that has it (E)."
	case errors.Is(err, ErrNoPassphrase):
		p.Reason = "No passphrase given for the file vault: nothing was read or written"
		p.Detail = ""
		p.Next = "Try again and type the passphrase (or set AUTHDECK_PASSPHRASE before starting authdeck)."
	case errors.Is(err, vault.ErrMissingInput):
		p.Reason = "Input is missing"
		p.Next = "Fill in what the message names and try again."
	case errors.Is(err, vault.ErrCatalogCorrupt):
		p.Reason = "The catalog file cannot be read"
		p.Next = "It was left untouched; restore it from a backup or move it away to start afresh."
	case errors.Is(err, context.Canceled):
		p.Reason = "Cancelled"
	case errors.Is(err, oauth.ErrUnreachable):
		p.Reason = "The server cannot be reached"
		p.Next = "Check the URL and your connection (is the server running?), then retry."
	default:
		p.Reason = "Something went wrong"
	}
	var he *oreq.HostRefusedError
	var ce *oreq.CredentialError
	switch {
	case errors.As(err, &he):
		p.Reason = "The credential may not be sent to that host"
		p.Next = "Nothing was sent. If the host should get it, add it to the credential's allowed hosts (e edits it)."
	case errors.As(err, &ce) && ce.Is(vault.ErrNotConfigured):
		// Nothing underneath says more: the credential itself is the problem.
		p.Reason = "The credential cannot be applied"
		p.Next = "Nothing was sent. Edit the credential (e), or choose another."
	}
	var re *vault.ResolveError
	var amb *vault.AmbiguousError
	switch {
	case errors.As(err, &re) && re.Hint != "":
		p.Next = re.Hint
	case errors.As(err, &amb):
		p.Next = "Open the one to use from the list of secrets."
	}
	var oe *oauth.Error
	if errors.As(err, &oe) {
		p = explainOAuth(oe, p)
	}
	p.Detail = strings.TrimSpace(p.Detail)
	return p
}

// OneLine renders a problem for the status line.
func (p Problem) OneLine() string {
	if p.Detail == "" || p.Detail == p.Reason {
		return p.Reason
	}
	return p.Reason + ": " + p.Detail
}

// explainOAuth uses the engine's own reason and hint: they say what the
// OAuth error means and what to do next.
func explainOAuth(e *oauth.Error, p Problem) Problem {
	if e.Kind == oauth.KindVault {
		return p
	}
	p.Vault = false
	p.Reason = e.Kind.String()
	if len(p.Reason) > 0 {
		p.Reason = strings.ToUpper(p.Reason[:1]) + p.Reason[1:]
	}
	if e.Hint != "" {
		p.Next = e.Hint
	} else {
		switch e.Kind {
		case oauth.KindUnreachable:
			p.Next = "Check the URL and your connection (is the server running?), then retry."
		case oauth.KindAborted:
			p.Next = "Start the flow again when you are ready."
		case oauth.KindNotConfigured:
			p.Next = "Edit the auth client (e) and fill in what is missing."
		case oauth.KindMissingInput:
			p.Next = "Provide what the message names and retry."
		case oauth.KindRejected:
			p.Next = "Check the client id, credentials, grant and scopes the server expects."
		case oauth.KindUnsupportedTokenType:
			p.Next = "authdeck only uses bearer tokens; check the server's token_type."
		default:
			p.Next = "See the transcript (l) for the exchange that failed."
		}
	}
	return p
}
