package vault_test

import (
	"context"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// A variable name with inner spaces (Postman allows them) is stored and
// rendered; leading, trailing or doubled spaces are refused.
func TestVariableNameWithSpace(t *testing.T) {
	ctx := context.Background()
	v := vault.New(vault.NewMemoryCatalog(), vault.NewMemoryStore())
	if err := v.SetVar(ctx, vault.DefaultEnv, "api key", "k-1", true); err != nil {
		t.Fatal(err)
	}
	tpl, err := vault.ParseTemplate("X {{ api key }} Y")
	if err != nil {
		t.Fatal(err)
	}
	vars, _ := v.Vars(ctx, vault.DefaultEnv)
	out, err := tpl.Render(func(n string) (string, bool) { s, ok := vars[n]; return s, ok }, false)
	if err != nil || out != "X k-1 Y" {
		t.Fatalf("render = %q, %v", out, err)
	}
	for _, bad := range []string{" lead", "trail ", "two  spaces"} {
		if err := vault.ValidateVarName("dev", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The parts a request may carry are checked: one body only, a scheme's
// secrets only as references, folders without empty or control names.
func TestRequestPartsValidate(t *testing.T) {
	base := func() vault.Request {
		return vault.Request{Name: "r", Env: "dev", Method: "GET", URL: "https://x.test"}
	}
	ok := base()
	ok.Folder = []string{"Payments", "Refunds"}
	ok.Form = []vault.FormField{{Name: "f", IsFile: true, File: "/tmp/x"}, {Name: "a", Value: "{{v}}"}}
	ok.Scheme = &vault.AuthScheme{Type: vault.SchemeBasic, Username: "{{user}}", Password: "{{ pass }}"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid request refused: %v", err)
	}
	cases := map[string]func(r *vault.Request){
		"literal password": func(r *vault.Request) {
			r.Scheme = &vault.AuthScheme{Type: vault.SchemeBasic, Username: "u", Password: "hunter2"}
		},
		"literal aws key": func(r *vault.Request) {
			r.Scheme = &vault.AuthScheme{Type: vault.SchemeAWSv4, AccessKey: "AK", SecretKey: "s{{x}}"}
		},
		"scheme and auth": func(r *vault.Request) {
			r.Auth = "api"
			r.Scheme = &vault.AuthScheme{Type: vault.SchemeDigest, Username: "u"}
		},
		"unknown scheme":                    func(r *vault.Request) { r.Scheme = &vault.AuthScheme{Type: "ntlm", Username: "u"} },
		"two bodies":                        func(r *vault.Request) { r.Body = "x"; r.BodyFile = "/tmp/y" },
		"line breaks stripped from no file": func(r *vault.Request) { r.Body = "x"; r.StripLineBreaks = true },
		"empty folder":                      func(r *vault.Request) { r.Folder = []string{"a", ""} },
		"control in folder":                 func(r *vault.Request) { r.Folder = []string{"a\x1b[31m"} },
		"unnamed form part":                 func(r *vault.Request) { r.Form = []vault.FormField{{Value: "x"}} },
	}
	for name, mod := range cases {
		r := base()
		mod(&r)
		if err := r.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
