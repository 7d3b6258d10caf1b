package vault

import (
	"slices"
	"strings"
	"testing"
)

// Every enum a person sees has a label of its own, never a stored constant
// such as API_KEY, OA2_AUTHORIZATION_CODE or FORM_AUTH.
func TestLabels(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	check := func(kind, stored, label string) {
		t.Helper()
		if label == "" || strings.Contains(label, "_") || (label == stored && strings.ToLower(stored) != stored) {
			t.Errorf("%s %s: label %q", kind, stored, label)
		}
		if prev, dup := seen[kind+label]; dup {
			t.Errorf("%s %s and %s share the label %q", kind, prev, stored, label)
		}
		seen[kind+label] = stored
	}
	for _, ct := range []ClientType{ClientOAuth2, ClientSessionAuth, ClientOAuth1} {
		check("client type", string(ct), ct.Label())
	}
	for _, g := range append(slices.Clone(Grants), GrantRefreshToken) {
		check("grant", string(g), g.Label())
	}
	for _, st := range []SessionAuthType{SessionFormAuth, SessionJSONAuth} {
		check("session body", string(st), st.Label())
	}
	for _, st := range SecretTypes {
		check("secret type", string(st), st.Label())
	}
	if got := SecretType("NEW_KIND").Label(); got != "NEW_KIND" {
		t.Errorf("an unknown type is labelled %q, want it as stored", got)
	}
}
