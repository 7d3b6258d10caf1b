package oauth

import "testing"

// TestIntrospectionShowsTheTokenBinding: the cnf of a DPoP-bound (jkt) or
// certificate-bound (x5t#S256) token and the act of an exchanged one, which
// a provider answers as objects, are kept as cnf.jkt, cnf.x5t#S256 and
// act.sub, as local verification shows them; other objects are left out.
func TestIntrospectionShowsTheTokenBinding(t *testing.T) {
	t.Parallel()
	body := `{"active": true, "token_type": "DPoP", "cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
		"act": {"sub": "gateway"}, "ext": {"tier": "gold"}}`
	in, err := ParseIntrospection(200, "application/json", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"cnf.jkt":      "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
		"cnf.x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2",
		"act.sub":      "gateway",
	} {
		if in.Extra[k] != want {
			t.Errorf("%s = %q, want %q (extra: %v)", k, in.Extra[k], want, in.Extra)
		}
	}
	if _, ok := in.Extra["ext.tier"]; ok {
		t.Errorf("an object that is neither cnf nor act was kept: %v", in.Extra)
	}
	if in.TokenType != "DPoP" || !in.Active {
		t.Errorf("token type %q, active %v", in.TokenType, in.Active)
	}
}
