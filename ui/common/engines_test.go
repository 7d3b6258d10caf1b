package common

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
)

// TestEngineOverCopiesEverySetting fills every exported field of an
// oauth.Engine with a value of its own and checks engineOver carries each
// to the new engine (Vault excepted, which it replaces). A field added to
// oauth.Engine later fails here until engineOver copies it, so a vault
// switch can never silently drop a setting.
func TestEngineOverCopiesEverySetting(t *testing.T) {
	t.Parallel()
	src := &oauth.Engine{}
	sv := reflect.ValueOf(src).Elem()
	st := sv.Type()
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		if !f.IsExported() || f.Name == "Vault" {
			continue
		}
		v := sv.Field(i)
		switch f.Type.Kind() {
		case reflect.Pointer:
			v.Set(reflect.New(f.Type.Elem()))
		case reflect.Func:
			v.Set(reflect.MakeFunc(f.Type, func([]reflect.Value) []reflect.Value { return nil }))
		case reflect.String:
			v.SetString("setting-" + f.Name)
		case reflect.Int64, reflect.Int:
			v.SetInt(int64(i + 7))
		case reflect.Bool:
			v.SetBool(true)
		default:
			t.Fatalf("oauth.Engine.%s is a %s: teach engineOver (and this test) to carry it over", f.Name, f.Type)
		}
	}
	other := vault.NewMemory()
	got := reflect.ValueOf(engineOver(src, other)).Elem()
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		if !f.IsExported() || f.Name == "Vault" {
			continue
		}
		a, b := sv.Field(i), got.Field(i)
		same := false
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Func:
			same = a.Pointer() == b.Pointer()
		default:
			same = a.Interface() == b.Interface()
		}
		if !same {
			t.Errorf("engineOver does not carry oauth.Engine.%s over", f.Name)
		}
	}
	if got.FieldByName("Vault").Interface() != other {
		t.Error("engineOver did not put the engine over the new vault")
	}
}

// TestEnginesFollowTheVault: every consumer derives from Common.Vault — the
// OAuth 2.0 engine (the configured one while the vault is its own, one
// rebuilt engine per switch after), the OAuth 1.0a engine and the request
// sender — with the configured opener, HTTP client and timeout.
func TestEnginesFollowTheVault(t *testing.T) {
	t.Parallel()
	first, second := vault.NewMemory(), vault.NewMemory()
	client := &http.Client{}
	opened := 0
	configured := &oauth.Engine{Vault: first, HTTPClient: client, CallbackTimeout: time.Minute,
		Opener: func(context.Context, string) error { opened++; return nil }}
	c := NewCommon(first, nil)
	if c.OAuth2Engine() != nil || c.NewSender().Tokens != nil {
		t.Fatal("a session without an engine has one")
	}
	c.Engine = configured
	if c.OAuth2Engine() != configured {
		t.Fatal("over its own vault the configured engine is not used as it is")
	}
	kept := c.NewSender()
	if !c.SenderFresh(kept) {
		t.Fatal("a sender made for the current vault is called stale")
	}

	c.Vault = second // what the vault pane's switch does
	e := c.OAuth2Engine()
	if e == configured || e.Vault != second {
		t.Fatalf("after the switch the OAuth 2.0 engine is over %p, want the new vault %p", e.Vault, second)
	}
	if e.HTTPClient != client || e.CallbackTimeout != time.Minute {
		t.Error("the rebuilt engine lost the configured HTTP client or timeout")
	}
	if err := e.Opener(context.Background(), "http://127.0.0.1/"); err != nil || opened != 1 {
		t.Error("the rebuilt engine does not open the browser the configured one does")
	}
	if c.OAuth2Engine() != e {
		t.Error("each call rebuilt the engine: caches and single-flight would not be shared")
	}
	if o1 := c.OAuth1Engine(); o1.Vault != second || o1.HTTPClient != client || o1.CallbackTimeout != time.Minute {
		t.Error("the OAuth 1.0a engine does not follow the switch with the shared settings")
	}
	if c.SenderFresh(kept) {
		t.Error("a sender of the old vault is still called fresh")
	}
	s := c.NewSender()
	if s.Vault != second {
		t.Error("the new sender is not over the new vault")
	}
	if et, ok := s.Tokens.(oreq.EngineTokens); !ok || et.Engine != e {
		t.Error("the new sender gets tokens from another engine than OAuth2Engine")
	}

	c.Vault = first // and back
	if c.OAuth2Engine() != configured {
		t.Error("switching back does not return to the configured engine")
	}
}
