package common

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	storeErr := func(e error) error {
		return &vault.StoreError{Op: "get", Backend: "keychain", Key: "secret/x", Err: e}
	}
	tests := []struct {
		err    error
		reason string
		next   string
		vault  bool
	}{
		{storeErr(vault.ErrUnavailable), "cannot be reached", "AUTHDECK_VAULT=file", true},
		{storeErr(vault.ErrLocked), "locked", "Unlock", true},
		{storeErr(vault.ErrTimeout), "did not answer", "retry", true},
		{storeErr(vault.ErrCorrupt), "damaged", "store it again", false},
		{&vault.ValidationError{Kind: "secret", Name: "x", Field: "name", Msg: "is required"}, "Invalid input", "nothing was changed", false},
		{&vault.ExistsError{Kind: "secret", Name: "x"}, "taken", "another name", false},
		{&vault.NotFoundError{Kind: "secret", Name: "x"}, "Not configured", "Create it", false},
		{context.Canceled, "Cancelled", "", false},
		{&oauth.Error{Kind: oauth.KindRejected, Code: "invalid_client", Hint: "check the client secret"}, "Rejected", "check the client secret", false},
		{&oauth.Error{Kind: oauth.KindUnreachable}, "unreachable", "connection", false},
		{errors.New("boom"), "Something went wrong", "", false},
		{&vault.ResolveError{Name: "x", Reason: "secret \"x\" names no auth client", Hint: "link the secret to its auth client"}, "Not configured", "link the secret", false},
		{&vault.AmbiguousError{Client: "c", Secrets: []string{"a", "b"}}, "Not configured", "list of secrets", false},
		{&oreq.TransportError{Host: "h", Reason: "connection refused", Err: errors.New("refused")}, "cannot be reached", "connection", false},
		{&oreq.HostRefusedError{Credential: "k", Host: "evil.example", Allowed: []string{"api.example"}}, "may not be sent", "allowed hosts", false},
		{&oreq.CredentialError{Credential: "k", Msg: "a PRIVATE_KEY secret cannot be applied"}, "cannot be applied", "Nothing was sent", false},
		{&oreq.CredentialError{Credential: "k", Msg: "getting a token", Err: &oauth.Error{Kind: oauth.KindRejected, Hint: "check the client secret"}}, "Rejected", "check the client secret", false},
	}
	for _, tt := range tests {
		p := Explain(tt.err)
		if !strings.Contains(strings.ToLower(p.Reason), strings.ToLower(tt.reason)) || !strings.Contains(p.Next, tt.next) || p.Vault != tt.vault {
			t.Errorf("Explain(%v) = %+v", tt.err, p)
		}
		if p.Detail == "" {
			t.Errorf("Explain(%v) has no detail", tt.err)
		}
	}
	if (Problem{}) != Explain(nil) {
		t.Error("Explain(nil) is not empty")
	}
}

func TestDurations(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Second, "45s"},
		{4*time.Minute + 5*time.Second, "4m 05s"},
		{2*time.Hour + 10*time.Minute, "2h 10m"},
		{3*24*time.Hour + 4*time.Hour, "3d 4h"},
		{-90 * time.Second, "1m 30s"},
	}
	for _, tt := range tests {
		if got := ShortDuration(tt.d); got != tt.want {
			t.Errorf("ShortDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := Countdown(now.Add(time.Minute), now); got != "in 1m 00s" {
		t.Errorf("Countdown = %q", got)
	}
	if got := Countdown(now.Add(-time.Minute), now); got != "expired 1m 00s ago" {
		t.Errorf("Countdown past = %q", got)
	}
	if got := Ago(now, now); got != "just now" {
		t.Errorf("Ago = %q", got)
	}
	soon := now.Add(24 * time.Hour)
	if note, st := ExpiryNote(&soon, now, false); st != vault.ExpiringSoon || !strings.HasPrefix(note, "expires in") {
		t.Errorf("ExpiryNote soon = %q %v", note, st)
	}
	if note, _ := ExpiryNote(nil, now, true); note != "never expires" {
		t.Errorf("ExpiryNote never = %q", note)
	}
	if Plural(1, "item", "items") != "1 item" || Plural(2, "item", "items") != "2 items" {
		t.Error("Plural")
	}
}

// TestMaskingShowsAtMostFour covers S-30 for the UI's masked fields.
func TestMaskingShowsAtMostFour(t *testing.T) {
	t.Parallel()
	if MaskedText("") != "(empty)" {
		t.Errorf("empty value masked as %q", MaskedText(""))
	}
	for _, n := range []int{1, 5, 8, 16, 40, 800} {
		v := strings.Repeat("a", max(0, n-4)) + "WXYZ"[:min(4, n)]
		m := MaskedText(v)
		shown := strings.Split(strings.TrimPrefix(m, mask.Dots), " ")[0]
		if len(shown) > 4 {
			t.Errorf("%d chars: %q shows %d characters", n, m, len(shown))
		}
		if !strings.Contains(m, fmt.Sprint(n)) {
			t.Errorf("%d chars: %q lacks the length", n, m)
		}
	}
	fields := SecretFields(vault.TypeSimple, vault.SecretValue{Username: "u", Passphrase: "p"})
	if len(fields) != 2 || fields[0].Secret || !fields[1].Secret {
		t.Errorf("fields = %+v", fields)
	}
}
